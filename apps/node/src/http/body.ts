/**
 * Typed access to the fields of a Milvus RESTful v2 request body, with Milvus's error codes:
 * - a required parameter that is absent, `null` or empty → 1802 MissingRequiredParameters
 *   (Milvus: gin's `binding:"required"` validation in `wrapperPost`, handler_v2.go);
 * - a parameter of the wrong JSON type → 1801 IncorrectParameterFormat (Milvus: the JSON
 *   unmarshal error of the same binding step);
 * - a well-typed value outside what is allowed → 1100 ParameterInvalid (checked by the handlers).
 *
 * Keys are matched as Go's `encoding/json` matches struct fields: an exact match first, otherwise
 * case-insensitively (so `autoID` and `autoId` are the same parameter, as in Milvus).
 */
import { ErrorCode, ShoalError } from '@shoal/actors';
import { describeJsonType } from './wire.ts';

/** Largest value of Go's `int32`, the type of Milvus's `limit`, `offset`, `dimension`. */
const INT32_MAX = 2 ** 31 - 1;

/** A request body (or a nested object of it) together with where it sits, for error messages. */
export class BodyReader {
  /** The parsed JSON object. */
  readonly obj: Record<string, unknown>;
  /** Where this object is: the endpoint path, plus the path inside the body for nested objects. */
  readonly where: string;

  /** @param obj parsed JSON object. @param where location for messages, e.g. `/v2/vectordb/collections/create`. */
  constructor(obj: Record<string, unknown>, where: string) {
    this.obj = obj;
    this.where = where;
  }

  /** The raw value of `key` (Go-style key matching, see the file comment); `undefined` if absent. */
  raw(key: string): unknown {
    if (Object.hasOwn(this.obj, key)) return this.obj[key];
    const lower = key.toLowerCase();
    for (const k of Object.keys(this.obj)) if (k.toLowerCase() === lower) return this.obj[k];
    return undefined;
  }

  /** True when `key` is present with a value other than `null`. */
  has(key: string): boolean {
    const v = this.raw(key);
    return v !== undefined && v !== null;
  }

  /** A required non-empty string. Throws 1802 when absent/null/empty, 1801 when not a string. */
  requireString(key: string): string {
    const v = this.optString(key);
    if (v === undefined || v === '') throw this.missing(key);
    return v;
  }

  /** An optional string (`null` reads as absent). Throws 1801 when present and not a string. */
  optString(key: string): string | undefined {
    const v = this.raw(key);
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'string') throw this.wrongType(key, 'a string', v);
    return v;
  }

  /**
   * An optional integer within Go's `int32` range (`null` reads as absent). Throws 1801 when present
   * and not an integer in [−2^31, 2^31 − 1].
   */
  optInt32(key: string): number | undefined {
    const v = this.raw(key);
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v) || Math.abs(v) > INT32_MAX) {
      throw this.wrongType(key, 'an integer (int32)', v);
    }
    return v;
  }

  /** An optional boolean (`null` reads as absent). Throws 1801 when present and not a boolean. */
  optBool(key: string): boolean | undefined {
    const v = this.raw(key);
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'boolean') throw this.wrongType(key, 'a boolean', v);
    return v;
  }

  /** An optional array of strings (`null` reads as absent). Throws 1801 on any other shape. */
  optStringArray(key: string): string[] | undefined {
    const v = this.raw(key);
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v) || v.some((s) => typeof s !== 'string')) {
      throw this.wrongType(key, 'an array of strings', v);
    }
    return v as string[];
  }

  /** An optional array (`null` reads as absent). Throws 1801 when present and not an array. */
  optArray(key: string): unknown[] | undefined {
    const v = this.raw(key);
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v)) throw this.wrongType(key, 'an array', v);
    return v;
  }

  /** An optional JSON object as a reader (`null` reads as absent). Throws 1801 when not an object. */
  optObject(key: string): BodyReader | undefined {
    const v = this.raw(key);
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'object' || Array.isArray(v)) throw this.wrongType(key, 'a JSON object', v);
    return new BodyReader(v as Record<string, unknown>, `${this.where}.${key}`);
  }

  /** A nested reader for element `index` of array `key`, which must be a JSON object (else 1801). */
  element(key: string, index: number, value: unknown): BodyReader {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw this.wrongType(`${key}[${index}]`, 'a JSON object', value);
    }
    return new BodyReader(value as Record<string, unknown>, `${this.where}.${key}[${index}]`);
  }

  /** The 1802 error for a missing required parameter `key`. */
  missing(key: string): ShoalError {
    return new ShoalError(ErrorCode.MissingRequiredParameters,
      `missing required parameters: \`${key}\` is required (in ${this.where})`);
  }

  /** The 1801 error for parameter `key` whose JSON type is not `expected`. */
  wrongType(key: string, expected: string, got: unknown): ShoalError {
    return new ShoalError(ErrorCode.IncorrectParameterFormat,
      `invalid parameter format: \`${key}\` must be ${expected}, got ${describeJsonType(got)} ${preview(got)} (in ${this.where})`);
  }

  /** The 1100 error for parameter `key` whose value is not allowed; `allowed` says what is. */
  invalid(key: string, got: unknown, allowed: string): ShoalError {
    return new ShoalError(ErrorCode.ParameterInvalid,
      `invalid parameter: \`${key}\` = ${preview(got)} is not allowed (in ${this.where}): ${allowed}`);
  }
}

/** A short JSON-ish rendering of a value for error messages (at most 80 characters). */
export function preview(value: unknown): string {
  let text: string;
  if (typeof value === 'bigint') text = value.toString();
  else if (typeof value === 'string') text = JSON.stringify(value);
  else {
    try {
      text = JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)) ?? String(value);
    } catch {
      text = String(value);
    }
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
