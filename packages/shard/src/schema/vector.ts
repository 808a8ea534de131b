/**
 * Vector fields: which data types are vectors, how many column elements one row of a field takes,
 * and how a client's BinaryVector value becomes bytes.
 *
 * BinaryVector values on the wire follow Milvus's RESTful API v2, which reads them into a Go
 * `[]byte` (`checkAndSetData` and `serializeByteVectors` in
 * `internal/distributed/proxy/httpserver/utils.go`): Go's JSON decoder accepts for a `[]byte`
 * either an array of integers in [0, 255] or a standard base64 string (RFC 4648 §4, with padding).
 * The vector must then hold exactly `dim / 8` bytes.
 */
import type { DataType, FieldSchema, VectorType } from './types.ts';

/** True for the vector data types (`FloatVector`, `BinaryVector`). */
export function isVectorType(t: DataType): t is VectorType {
  return t === 'FloatVector' || t === 'BinaryVector';
}

/**
 * Elements one row of `f` takes in its column (see `Column` in types.ts): `dim` floats for a
 * FloatVector, `dim / 8` bytes for a BinaryVector (`dim` in bits), 1 for scalar fields.
 */
export function columnWidth(f: FieldSchema): number {
  if (f.dataType === 'FloatVector') return f.dim!;
  if (f.dataType === 'BinaryVector') return f.dim! >>> 3;
  return 1;
}

/** Standard base64 with padding, nothing else (Go's `base64.StdEncoding`, which Milvus's JSON decoder uses for `[]byte`). */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Decodes a standard, padded base64 string to bytes.
 * @returns the bytes, or `null` if `text` is not such a string.
 */
export function decodeBase64(text: string): Uint8Array | null {
  if (!BASE64.test(text)) return null;
  const bin = atob(text);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

/**
 * Writes one client BinaryVector value into `out[at .. at + bytes)`: an array or `Uint8Array` of
 * exactly `bytes` integers in [0, 255], or a base64 string of exactly `bytes` bytes (see the file
 * comment).
 * @param bytes the vector's size in bytes (`dim / 8`).
 * @returns `undefined` when written, else what is wrong with the value (for the caller's error
 *   message, which names where the value came from), e.g. "has 15 bytes; expected 16".
 */
export function writeBinaryVector(v: unknown, bytes: number, out: Uint8Array, at: number): string | undefined {
  const expected = `expected ${bytes} bytes (dim ${bytes * 8} bits / 8): an array of integers in [0, 255] or a base64 string`;
  if (typeof v === 'string') {
    const decoded = decodeBase64(v);
    if (decoded === null) return `is a string that is not valid base64; ${expected}`;
    if (decoded.length !== bytes) return `has ${decoded.length} bytes (base64); ${expected}`;
    out.set(decoded, at);
    return undefined;
  }
  if (v instanceof Uint8Array) {
    if (v.length !== bytes) return `has ${v.length} bytes; ${expected}`;
    out.set(v, at);
    return undefined;
  }
  if (!Array.isArray(v)) return `is ${v === null ? 'null' : typeof v}; ${expected}`;
  if (v.length !== bytes) return `has ${v.length} bytes; ${expected}`;
  for (let i = 0; i < bytes; i++) {
    const x: unknown = v[i];
    if (typeof x !== 'number' || !Number.isInteger(x) || x < 0 || x > 255) {
      return `byte ${i} is ${describeElement(x)}; expected an integer in [0, 255] (${bytes} bytes, dim ${bytes * 8} bits / 8)`;
    }
    out[at + i] = x;
  }
  return undefined;
}

function describeElement(x: unknown): string {
  if (typeof x === 'number' || typeof x === 'bigint') return String(x);
  if (typeof x === 'string') return JSON.stringify(x.length > 20 ? `${x.slice(0, 20)}…` : x);
  return x === null ? 'null' : typeof x;
}
