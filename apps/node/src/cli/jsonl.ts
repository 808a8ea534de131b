/**
 * JSON Lines input of `shoal import` (https://jsonlines.org/): one JSON object per line, each an
 * entity row passed to the server as is. Blank lines are skipped. Integers beyond ±(2^53 − 1) are
 * read as `bigint` so that Int64 keys stay exact.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { ErrorCode, ShoalError } from '@shoal/actors';
import type { Row } from '@shoal/client';

/** A parsed row with the (1-based) line it came from and the bytes it took, newline included. */
export interface JsonlRow {
  row: Row;
  line: number;
  bytes: number;
}

/** `JSON.parse` reviver: unsafe integers written as plain digits → exact `bigint` (uses the source text, V8 ≥ 11.4). */
function exactIntegers(_key: string, value: unknown, context?: { source?: string }): unknown {
  if (typeof value === 'number' && Number.isInteger(value) && !Number.isSafeInteger(value)) {
    const source = context?.source;
    if (source !== undefined && /^-?\d+$/.test(source)) return BigInt(source);
  }
  return value;
}

/**
 * Parses line number `line` (1-based) of a JSONL file. Returns `null` for a blank line. Throws
 * `ShoalError(ImportFailed)` naming the line when it is not valid JSON or not a JSON object.
 */
export function parseJsonlLine(text: string, line: number): Row | null {
  if (text.trim() === '') return null;
  let value: unknown;
  try {
    value = JSON.parse(text, exactIntegers as (key: string, value: unknown) => unknown);
  } catch (err) {
    // V8 appends "(line 1 column N)" of the one-line text, which would contradict the file line.
    const why = (err instanceof Error ? err.message : String(err)).replace(/\s*\(line \d+ column \d+\)$/, '');
    throw new ShoalError(ErrorCode.ImportFailed, `line ${line}: invalid JSON (${why})`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    const kind = value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
    throw new ShoalError(ErrorCode.ImportFailed, `line ${line}: each line must be a JSON object (an entity row), got ${kind}`);
  }
  return value as Row;
}

/**
 * Parses JSONL text from any source of lines (e.g. `readline`), numbering them from 1 and
 * yielding the rows of the non-blank ones. Throws like {@link parseJsonlLine}.
 */
export async function* parseJsonlLines(lines: AsyncIterable<string> | Iterable<string>): AsyncGenerator<JsonlRow> {
  let line = 0;
  for await (const text of lines) {
    line++;
    const row = parseJsonlLine(text, line);
    if (row) yield { row, line, bytes: Buffer.byteLength(text) + 1 };
  }
}

/**
 * Streams the rows of the JSONL file at `path` (read in chunks; `\n` or `\r\n` line ends). Throws
 * like {@link parseJsonlLine} (the message also names the file); file-system errors pass through.
 */
export async function* readJsonl(path: string): AsyncGenerator<JsonlRow> {
  const stream = createReadStream(path, { encoding: 'utf8' });
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  try {
    for await (const item of parseJsonlLines(lines)) yield item;
  } catch (err) {
    if (err instanceof ShoalError) throw new ShoalError(err.code, `${path} ${err.message}`);
    throw err;
  } finally {
    lines.close();
    stream.destroy();
  }
}
