/**
 * JSON on the wire of the Milvus RESTful API v2: exact Int64 in both directions.
 *
 * Requests: an integer literal beyond ±(2^53 − 1) becomes a `bigint`, every other number a
 * `number`. Such a literal has at least 16 digits, so a body without any 16-digit run outside a
 * fraction or exponent is parsed by the native `JSON.parse` (2–3× faster on bulk inserts);
 * others by lossless-json. Duplicate keys resolve to the last value, as in Go's decoder (Milvus).
 * Responses are written by `JSON.stringify`, with each `bigint` as a raw JSON integer
 * (`JSON.rawJSON`), digit for digit.
 *
 * Milvus's `Accept-Type-Allow-Int64` header (`internal/distributed/proxy/httpserver/utils.go`,
 * `buildQueryResp` and `formatInt64`) decides how Int64 *field values and primary keys* are
 * written: `true` (Milvus's default when the header is absent, `proxy.http.acceptTypeAllowInt64`)
 * → JSON integers; `false` → decimal strings, for clients whose JSON parser would round them.
 */
import { parse, isInteger } from 'lossless-json';
import { ErrorCode, ShoalError } from '@shoal/actors';

/**
 * lossless-json number parser: integers outside the safe range become `bigint`, all other numbers
 * `number`. Throws `SyntaxError` for a literal that overflows a double (e.g. `1e400`).
 */
function parseNumber(literal: string): number | bigint {
  const value = Number(literal);
  if (isInteger(literal) && !Number.isSafeInteger(value)) return BigInt(literal);
  if (!Number.isFinite(value)) throw new SyntaxError(`number ${literal} is out of the range of a 64-bit float`);
  return value;
}

/** A run of ≥ 16 digits not inside a fraction or exponent: a literal that may exceed 2^53. */
const MAYBE_BIG_INTEGER = /(?<![\d.eE+-])-?\d{16,}(?![\d.eE])|(?<=[eE][+-]?)\d{3,}/;

/** True unless a number in the parsed tree is ±Infinity (only a huge exponent makes one). */
function isFiniteTree(v: unknown): boolean {
  if (typeof v === 'number') return Number.isFinite(v);
  if (Array.isArray(v)) {
    for (const x of v) if (typeof x === 'number' ? !Number.isFinite(x) : typeof x === 'object' && x !== null && !isFiniteTree(x)) return false;
    return true;
  }
  if (typeof v === 'object' && v !== null) return Object.values(v).every(isFiniteTree);
  return true;
}

/**
 * Parses a request body (the raw text) as JSON with exact integers (see the file comment).
 * An empty body is rejected as Milvus does. Throws `ShoalError` 1801 (IncorrectParameterFormat)
 * with the parser's message (position included) when the text is not valid JSON, holds a number
 * beyond the range of a double, or is not a JSON object.
 */
export function parseRequestJson(text: string | undefined): Record<string, unknown> {
  if (text === undefined || text.trim() === '') {
    throw new ShoalError(ErrorCode.IncorrectParameterFormat,
      'invalid parameter format: the request body is empty; send a JSON object (`{}` is valid)');
  }
  let value: unknown;
  try {
    value = MAYBE_BIG_INTEGER.test(text) ? parse(text, null, parseNumber) : JSON.parse(text);
    if (!isFiniteTree(value)) throw new SyntaxError('a number is out of the range of a 64-bit float');
  } catch (e) {
    throw new ShoalError(ErrorCode.IncorrectParameterFormat,
      `invalid parameter format: the request body is not valid JSON: ${(e as Error).message}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ShoalError(ErrorCode.IncorrectParameterFormat,
      `invalid parameter format: the request body must be a JSON object, got ${describeJsonType(value)}`);
  }
  return value as Record<string, unknown>;
}

/** The JSON type name of a parsed value, for error messages (`bigint` reads as "integer"). */
export function describeJsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'bigint') return 'integer';
  return typeof value;
}

/**
 * Reads Milvus's `Accept-Type-Allow-Int64` request header: Go's `strconv.ParseBool` spellings
 * (`1 t T TRUE true True` / `0 f F FALSE false False`); absent or unparsable → `true`.
 */
export function allowInt64FromHeader(header: string | string[] | undefined): boolean {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value.trim())) return false;
  return true;
}

/**
 * The shortest decimal that reads back as the same float32 as `x` (what Go's JSON encoder writes
 * for a `float32`, e.g. `0.1` rather than `0.10000000149011612`). Non-finite values pass through.
 */
export function float32Shortest(x: number): number {
  if (!Number.isFinite(x)) return x;
  const f = Math.fround(x);
  for (let p = 1; p <= 9; p++) {
    const candidate = Number(f.toPrecision(p));
    if (Math.fround(candidate) === f) return candidate;
  }
  return f;
}

/**
 * Converts one field value of a result row to its wire form: `bigint` (an Int64 field or key) →
 * integer or decimal string per `allowInt64`; `Float32Array` (a FloatVector) → array of shortest
 * float32 decimals; `Uint8Array` (a BinaryVector, the only field read back as one) → a standard
 * base64 string, as Milvus writes a Go `[]byte` (`buildQueryResp` in utils.go); other typed
 * arrays → plain arrays; a plain array holding a `bigint` (an Array field of Int64, or a JSON
 * value whose top level is such an array) → its elements each by this rule, so Int64 elements
 * follow `allowInt64` too; anything else unchanged (`null` stays `null`: a null field).
 */
export function wireValue(value: unknown, allowInt64: boolean): unknown {
  if (typeof value === 'bigint') return allowInt64 ? value : value.toString();
  if (Array.isArray(value)) {
    return !allowInt64 && value.some((v) => typeof v === 'bigint') ? value.map((v) => wireValue(v, allowInt64)) : value;
  }
  if (value instanceof Float32Array) return Array.from(value, float32Shortest);
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    return Array.from(value as unknown as ArrayLike<number | bigint>, (v) => wireValue(v, allowInt64));
  }
  return value;
}

/**
 * Applies {@link wireValue} to every top-level field of a result row (a new object). Fields are
 * defined, not assigned, so that a field named `__proto__` stays an ordinary field.
 */
export function wireRow(row: Record<string, unknown>, allowInt64: boolean): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(row)) {
    Object.defineProperty(out, key, { value: wireValue(row[key], allowInt64), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

/** `JSON.rawJSON` (V8 ≥ 11.4, Node ≥ 21): a value that `JSON.stringify` writes verbatim. */
const rawJson = (JSON as unknown as { rawJSON(text: string): unknown }).rawJSON;

/**
 * Serializes a response payload with exact integers (`bigint` → plain JSON integer). Throws
 * `TypeError` on a cyclic structure (never produced by the handlers).
 */
export function toJson(payload: unknown): string {
  const text = JSON.stringify(payload, (_key, v: unknown) => (typeof v === 'bigint' ? rawJson(v.toString()) : v));
  if (text === undefined) throw new TypeError('response payload is not serializable to JSON');
  return text;
}
