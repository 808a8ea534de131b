/**
 * JSON with exact Int64 (lossless-json): integers beyond ±(2^53 − 1) are parsed to `bigint`, all
 * other numbers to `number`; `bigint` values are written as plain JSON integers.
 */
import { parse, stringify, isInteger } from 'lossless-json';

/** Number parser: unsafe integers → bigint, everything else → number. */
function parseNumber(literal: string): number | bigint {
  const value = Number(literal);
  return isInteger(literal) && !Number.isSafeInteger(value) ? BigInt(literal) : value;
}

/** Parses JSON text with exact integers. Throws `SyntaxError` on invalid JSON. */
export function parseJson(text: string): unknown {
  return parse(text, null, parseNumber);
}

/** Typed arrays (e.g. `Float32Array` vectors) are written as JSON arrays. */
function typedArraysAsArrays(_key: string, value: unknown): unknown {
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) return Array.from(value as unknown as ArrayLike<unknown>);
  return value;
}

/**
 * Writes a value as JSON: `bigint` as plain integers, typed arrays as arrays. Throws `TypeError`
 * if it is not serializable.
 */
export function toJson(value: unknown): string {
  const text = stringify(value, typedArraysAsArrays);
  if (text === undefined) throw new TypeError('value is not serializable to JSON');
  return text;
}
