/**
 * JSON text of JSON field values with exact 64-bit integers (Milvus JSON fields carry Int64
 * values; JavaScript numbers are exact only up to 2^53 − 1).
 *
 * Uses the native "JSON.parse source text access" feature (TC39 proposal-json-parse-with-source:
 * `JSON.rawJSON` and the reviver's `context.source`; V8 11.4, Node ≥ 21):
 *
 * - a `bigint` is written as a plain JSON integer (`12345678901234567890`);
 * - an integer literal outside ±(2^53 − 1) is read back as a `bigint`, exactly, from its source;
 * - a `number` whose value is an integer outside that range (e.g. `1e20`, which JavaScript prints
 *   as `100000000000000000000`) is written with a trailing `.0`, so that it reads back as a
 *   `number` and not as a `bigint`.
 *
 * So every value reads back as written, except that a `bigint` inside the safe range reads back as
 * a `number` (and `-0` as `0`, as in plain JSON).
 */

/** The parts of the ES2025 `JSON` object that TypeScript's ES2023 lib does not declare. */
const nativeJson = JSON as unknown as { rawJSON(text: string): unknown };

/** Replacer writing bigints as exact JSON integers and integral numbers beyond 2^53 as `<digits>.0`. */
function bigintReplacer(_key: string, value: unknown): unknown {
  if (typeof value === 'bigint') return nativeJson.rawJSON(value.toString());
  if (typeof value === 'number' && Number.isInteger(value) && !Number.isSafeInteger(value) && Math.abs(value) < 1e21) {
    return nativeJson.rawJSON(`${value}.0`); // below 1e21, JavaScript prints integral numbers without an exponent
  }
  return value;
}

/** Reviver turning integer literals beyond the safe range into bigints, from their source text. */
function bigintReviver(_key: string, value: unknown, context?: { source?: string }): unknown {
  if (typeof value === 'number' && !Number.isSafeInteger(value) && context?.source !== undefined && /^-?\d+$/.test(context.source)) {
    return BigInt(context.source);
  }
  return value;
}

/**
 * The JSON text of `value`, as `JSON.stringify` writes it (`toJSON` honoured, `NaN`/`±Infinity`
 * → `null`, `undefined` members dropped) except for bigints and integral numbers beyond 2^53
 * (see the module comment).
 * Returns `undefined` for a value JSON cannot represent at top level (`undefined`, a function, a symbol).
 * @throws TypeError for a circular structure (from `JSON.stringify`).
 */
export function stringifyJson(value: unknown): string | undefined {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch (err) {
    // Native stringify rejects bigints with a TypeError: retry with the bigint-aware replacer.
    if (!(err instanceof TypeError)) throw err;
    return JSON.stringify(value, bigintReplacer);
  }
  // A number printed with 16+ digits may be an integral number beyond 2^53: needs the replacer.
  return text !== undefined && /\d{16}/.test(text) ? JSON.stringify(value, bigintReplacer) : text;
}

/**
 * Parses JSON text; integer literals outside ±(2^53 − 1) become bigints.
 * @throws SyntaxError for invalid JSON (from `JSON.parse`).
 */
export function parseJson(text: string): unknown {
  // An unsafe integer has at least 16 digits; without such a run, the plain parser is exact.
  return /\d{16}/.test(text) ? JSON.parse(text, bigintReviver) : JSON.parse(text);
}
