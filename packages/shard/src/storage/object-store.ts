/**
 * The object store contract of the data plane (DESIGN.md, "Data plane"): sealed segments,
 * delete logs and index files live in an object store under `/`-separated keys
 *
 *     collections/<cid>/segments/<sid>/{manifest.json, fields/<fid>.bin, deletes.bin, index/<fid>}
 *
 * with two implementations: the local filesystem (`LocalObjectStore`, the default) and S3 (a
 * later issue). Every stored object carries a checksum that is verified on read (see
 * `object-frame.ts`).
 */
import { ShoalError, ErrorCode, invalidParameter } from '@shoal/actors';

/**
 * A flat key → bytes store with S3 semantics: `put` replaces a whole object atomically, `list` is
 * by string prefix, and there are no directories (a "folder" is just a common key prefix).
 *
 * Keys: 1..1024 bytes of `/`-separated segments, each non-empty, not `.` or `..`, of the S3
 * "safe" characters `[0-9A-Za-z!_.*'()-]` (so that every backend and every filesystem accepts
 * them and byte order equals string order). Invalid keys reject with `ShoalError(ParameterInvalid)`.
 *
 * Every failure of the backend rejects with `ShoalError(IoFailed)` naming the key.
 */
export interface ObjectStore {
  /** Stores `data` under `key` (replacing an existing object); durable when it resolves. */
  put(key: string, data: Uint8Array): Promise<void>;
  /**
   * The bytes stored under `key`, verified against their checksum.
   * @throws ShoalError `IoFailed` "object not found: <key>" if missing; `IoFailed` naming the key
   * and what mismatched (length, magic, CRC-32) if the stored object is corrupt.
   */
  get(key: string): Promise<Uint8Array>;
  /** True if an object is stored under `key`. */
  exists(key: string): Promise<boolean>;
  /** Every key that starts with `prefix` (`''` lists everything), sorted; `[]` if none. */
  list(prefix: string): Promise<string[]>;
  /** Deletes the object under `key`; no error if it does not exist. */
  delete(key: string): Promise<void>;
  /** Deletes every object whose key starts with `prefix` (e.g. `collections/7/segments/42/`). */
  deletePrefix(prefix: string): Promise<void>;
}

/** Longest key in bytes (S3's limit). */
export const MAX_OBJECT_KEY_BYTES = 1024;
const SEGMENT_CHARS = /^[0-9A-Za-z!_.*'()-]+$/;

/**
 * Checks an object key against the {@link ObjectStore} key rules and returns its segments.
 * @throws ShoalError `ParameterInvalid` saying what is wrong and what is allowed.
 */
export function objectKeySegments(key: string): string[] {
  if (key.length === 0) throw invalidParameter('object key must not be empty');
  if (key.length > MAX_OBJECT_KEY_BYTES) throw invalidParameter(`object key is ${key.length} bytes long; at most ${MAX_OBJECT_KEY_BYTES} are allowed`);
  const segments = key.split('/');
  for (const s of segments) checkSegment(key, s, true);
  return segments;
}

/**
 * Checks a listing prefix: `''`, or complete valid segments followed by `/` and an optional
 * partial last segment of allowed characters (`collections/7/seg` is fine).
 * @throws ShoalError `ParameterInvalid`.
 */
export function checkObjectPrefix(prefix: string): void {
  if (prefix.length > MAX_OBJECT_KEY_BYTES) throw invalidParameter(`object key prefix is ${prefix.length} bytes long; at most ${MAX_OBJECT_KEY_BYTES} are allowed`);
  const segments = prefix.split('/');
  const last = segments.pop() ?? '';
  for (const s of segments) checkSegment(prefix, s, true);
  if (last !== '') checkSegment(prefix, last, false);
}

function checkSegment(key: string, segment: string, complete: boolean): void {
  if (complete && (segment === '' || segment === '.' || segment === '..')) {
    throw invalidParameter(`object key '${key}' has an empty, '.' or '..' segment; keys are '/'-separated non-empty names`);
  }
  if (!SEGMENT_CHARS.test(segment)) {
    throw invalidParameter(`object key '${key}' contains a character outside [0-9A-Za-z!_.*'()-] and '/'`);
  }
}

/** The error for a missing object: `ShoalError(IoFailed)` "object not found: <key>". */
export function objectNotFound(key: string): ShoalError {
  return new ShoalError(ErrorCode.IoFailed, `object not found: ${key}`);
}
