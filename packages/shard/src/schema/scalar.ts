/**
 * Client value → stored value of one scalar type, shared by row conversion (`rows.ts`: field
 * values and Array elements) and schema building (`defaults.ts`: default values). The rules are
 * those of Milvus's insert validation (`internal/proxy/validate_util.go`): integers within their
 * type's range, Float rounded to float32, VarChar at most `max_length` UTF-8 bytes.
 */
import type { ArrayElementType } from './types.ts';

/** A stored scalar value: Bool `boolean`, Int8/16/32, Float, Double `number`, Int64 `bigint`, VarChar `string`. */
export type ScalarValue = boolean | number | bigint | string;

/** Inclusive value ranges of the small integer types. */
export const INT_RANGES = {
  Int8: [-128, 127],
  Int16: [-32_768, 32_767],
  Int32: [-2_147_483_648, 2_147_483_647],
} as const;
/** The largest finite float32, (2 − 2^−23) · 2^127: larger Float values would be stored as infinity. */
export const FLOAT32_MAX = 3.4028234663852886e38;

/** Inclusive range of Int64. */
export const INT64_MIN = -(1n << 63n);
export const INT64_MAX = (1n << 63n) - 1n;

/**
 * Converts a client value to an exact int64 `bigint`: a safe-integer number, a bigint or a
 * decimal string. `onError` builds the error to throw.
 */
export function toInt64(v: unknown, onError: () => Error): bigint {
  let b: bigint;
  if (typeof v === 'bigint') b = v;
  else if (typeof v === 'number' && Number.isSafeInteger(v)) b = BigInt(v);
  else if (typeof v === 'string' && /^-?\d{1,19}$/.test(v)) b = BigInt(v);
  else throw onError();
  if (b < INT64_MIN || b > INT64_MAX) throw onError();
  return b;
}

/**
 * The stored value of `v` as a `type` value.
 * Bool: `boolean`. Int8/16/32: an integer (number or bigint) in range. Int64: see {@link toInt64}.
 * Float: a finite number, rounded to float32 (`Math.fround`). Double: a finite number. VarChar: a
 * string of at most `maxLength` UTF-8 bytes.
 * @param bad builds the error for a wrong value from a phrase saying what is allowed.
 * @throws whatever `bad` returns.
 */
export function toScalar(type: ArrayElementType, v: unknown, maxLength: number | undefined, bad: (allowed: string) => Error): ScalarValue {
  switch (type) {
    case 'Bool':
      if (typeof v !== 'boolean') throw bad('true or false');
      return v;
    case 'Int8': case 'Int16': case 'Int32': {
      const [lo, hi] = INT_RANGES[type];
      const x = typeof v === 'bigint' && v >= BigInt(lo) && v <= BigInt(hi) ? Number(v) : v;
      if (typeof x !== 'number' || !Number.isInteger(x) || x < lo || x > hi) throw bad(`an integer in [${lo}, ${hi}]`);
      return x;
    }
    case 'Int64':
      return toInt64(v, () => bad(`an integer in [${INT64_MIN}, ${INT64_MAX}]`));
    case 'Float':
      if (typeof v !== 'number' || !Number.isFinite(Math.fround(v))) throw bad(`a finite number within float32 range (|x| ≤ ${FLOAT32_MAX})`);
      return Math.fround(v);
    case 'Double':
      if (typeof v !== 'number' || !Number.isFinite(v)) throw bad('a finite number');
      return v;
    case 'VarChar': {
      if (typeof v !== 'string') throw bad('a string');
      const bytes = utf8Bytes(v);
      if (bytes > maxLength!) throw bad(`a string of at most max_length = ${maxLength} UTF-8 bytes (it is ${bytes} bytes long)`);
      return v;
    }
  }
}

const utf8 = new TextEncoder();

/** Length of `s` in UTF-8 bytes (as `TextEncoder` writes it). */
function utf8Bytes(s: string): number {
  return utf8.encode(s).length;
}
