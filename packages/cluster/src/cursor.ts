/**
 * The wire form shared by the query and search iterators' cursors (query-iterator.ts,
 * search-iterator.ts): base64url of a JSON object that always holds `v` (version, 1), `c` (the
 * collection id), `ts` (the snapshot timestamp, decimal) and optionally `left` (rows or hits left
 * of the iteration's `limit`), plus the iterator's own fields. Primary keys travel as strings with
 * a kind `k` (`'i'` Int64 as decimal, `'s'` VarChar), so Int64 keys stay exact.
 */
import { invalidParameter } from '@shoal/actors';
import type { ShoalError } from '@shoal/actors';
import type { PrimaryKey } from '@shoal/shard';

/** The fields every cursor carries, decoded. */
export interface CursorEnvelope {
  /** The cursor's JSON object (the iterator reads and checks its own fields from it). */
  json: Record<string, unknown>;
  /** Collection id: a cursor is only valid for the collection (incarnation) it was made for. */
  collectionId: number;
  /** The snapshot timestamp (hybrid TSO) fixed by the first page. */
  snapshotTs: bigint;
  /** What is left of the iteration's `limit`; undefined = no limit. */
  left?: number;
  /** The error to throw for a malformed field: names the iterator and what is wrong. */
  bad(why: string): ShoalError;
}

/** Encodes a cursor: `fields` (the iterator's own) with the common ones, as base64url JSON. */
export function encodeCursor(common: { collectionId: number; snapshotTs: bigint; left?: number }, fields: Record<string, unknown>): string {
  const json: Record<string, unknown> = { v: 1, c: common.collectionId, ts: common.snapshotTs.toString(), ...fields };
  if (common.left !== undefined) json.left = common.left;
  return Buffer.from(JSON.stringify(json), 'utf8').toString('base64url');
}

/**
 * Decodes and checks the common fields of a cursor made by {@link encodeCursor}.
 * @param what the iterator, for messages ("query iterator", "search iterator").
 * @throws ShoalError ParameterInvalid "malformed <what> cursor (<why>)" for a text that is not a
 *   non-empty base64url string of a version-1 cursor object with a collection id, a snapshot
 *   timestamp and, if present, a positive safe-integer `left`.
 */
export function decodeCursor(text: unknown, what: string): CursorEnvelope {
  const bad = (why: string): ShoalError => invalidParameter(`malformed ${what} cursor (${why}): pass the \`cursor\` of the previous page unchanged, or omit it to start a new iteration`);
  if (typeof text !== 'string' || text === '') throw bad('not a non-empty string');
  if (!/^[A-Za-z0-9_-]+$/.test(text)) throw bad('not base64url');
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    throw bad('not a cursor');
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json) || json.v !== 1) throw bad('unknown version');
  const { c, ts, left } = json;
  if (typeof c !== 'number' || !Number.isSafeInteger(c)) throw bad('no collection id');
  if (typeof ts !== 'string' || !/^\d{1,20}$/.test(ts)) throw bad('no snapshot timestamp');
  if (left !== undefined && (typeof left !== 'number' || !Number.isSafeInteger(left) || left < 1)) throw bad('bad row budget');
  const env: CursorEnvelope = { json, collectionId: c, snapshotTs: BigInt(ts), bad };
  if (left !== undefined) env.left = left as number;
  return env;
}

/** The key kind of a primary key as a cursor writes it. */
export function keyKind(pk: PrimaryKey): 'i' | 's' {
  return typeof pk === 'string' ? 's' : 'i';
}

/**
 * A primary key read back from a cursor: `text` as an Int64 (`kind` `'i'`, decimal within int64)
 * or a VarChar (`'s'`); `undefined` when it is not one.
 */
export function parseCursorKey(kind: unknown, text: unknown): PrimaryKey | undefined {
  if (typeof text !== 'string') return undefined;
  if (kind === 's') return text;
  if (kind !== 'i' || !/^-?\d{1,20}$/.test(text)) return undefined;
  const v = BigInt(text);
  return BigInt.asIntN(64, v) === v ? v : undefined;
}
