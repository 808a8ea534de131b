import { ShoalError, ErrorCode, notSupported } from '@shoal/actors';

/** Longest stretch of the filter text quoted in an error message (filters can hold 10⁵-item lists). */
const MAX_QUOTED = 200;

/** The filter text as quoted in error messages: JSON-escaped, cut to {@link MAX_QUOTED} characters. */
export function quoteFilter(source: string): string {
  return JSON.stringify(source.length > MAX_QUOTED ? `${source.slice(0, MAX_QUOTED)}…` : source);
}

/**
 * The error for malformed filter text: `ShoalError(ParameterInvalid)` with the message
 * `cannot parse filter "<text>": at column <column> <detail>`, where `column` is 1-based in code
 * points and `detail` says what was found and what was expected (e.g. `found 'and', expected a value`).
 */
export function syntaxError(source: string, column: number, detail: string): ShoalError {
  return new ShoalError(ErrorCode.ParameterInvalid, `cannot parse filter ${quoteFilter(source)}: at column ${column} ${detail}`);
}

/**
 * The error for filter syntax that Milvus's grammar (Plan.g4) accepts but that Shoal does not
 * evaluate — bitwise operators (which Milvus does not evaluate in filters either), the regular-
 * expression operators `=~`/`!~` (evaluated only by Milvus 3.0, docs "Pattern Matching") and the
 * element references `$`/`$[field]`: `ShoalError(OperationNotSupported)` with the message
 * `cannot use filter "<text>": at column <column>, <construct> is not supported yet by Shoal`.
 */
export function syntaxNotSupported(source: string, column: number, construct: string): ShoalError {
  const e = notSupported(construct);
  return new ShoalError(e.code, `cannot use filter ${quoteFilter(source)}: at column ${column}, ${e.message}`);
}
