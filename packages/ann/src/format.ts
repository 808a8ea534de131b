/**
 * The serialized form of every index (DESIGN.md, "Indexes": serialize/load), self-describing
 * and versioned. Byte layout (integers little-endian):
 *
 * | offset        | size | content                                                      |
 * | ------------- | ---- | ------------------------------------------------------------ |
 * | 0             | 8    | magic, ASCII `SHOALIDX`                                      |
 * | 8             | 4    | format version, u32 (this code writes and reads 1)           |
 * | 12            | 4    | header length H in bytes, u32                                |
 * | 16            | H    | header, UTF-8 JSON `{"spec":IndexSpec,"count":n,"payloadBytes":L}` |
 * | 16 + H        | 0–7  | zero padding, so the payload starts at a multiple of 8       |
 * | P             | L    | payload, index-type specific                                 |
 * | P + L         | 4    | CRC-32 (ISO-HDLC, as zlib's `crc32`) of bytes [0, P + L), u32 |
 *
 * The trailing CRC is part of every format version, so it is checked before anything else is
 * trusted. The 8-byte payload alignment lets a loader view float arrays in place (zero-copy) when
 * the input buffer itself is 8-byte aligned.
 */
import { crc32 } from 'node:zlib';
import { ErrorCode, ShoalError } from '@shoal/actors';
import type { IndexSpec } from './types.ts';

/** The 8 magic bytes that open an index file: ASCII `SHOALIDX`. */
export const INDEX_MAGIC: Uint8Array = new TextEncoder().encode('SHOALIDX');

/** The format version this code writes (and the only one it reads). */
export const INDEX_FORMAT_VERSION = 1;

const FIXED_PREFIX = 16;
const TRAILER = 4;

/** The decoded parts of an index file. `payload` is a view into the input bytes (no copy). */
export interface IndexFileParts {
  /** The index spec as stored (not yet validated against the registry). */
  spec: IndexSpec;
  /** Number of indexed vectors. */
  count: number;
  /** The index-type specific payload, a subarray of the input starting at an 8-aligned file offset. */
  payload: Uint8Array;
}

function corrupt(what: string): ShoalError {
  return new ShoalError(ErrorCode.IoFailed, `index file is corrupt or not a Shoal index: ${what}`);
}

/** The spec with keys in a fixed order (params sorted by name), so equal specs encode to equal bytes. */
function canonicalSpec(spec: IndexSpec): IndexSpec {
  const params: Record<string, unknown> = {};
  for (const key of Object.keys(spec.params).sort()) params[key] = (spec.params as Record<string, unknown>)[key];
  return { type: spec.type, metric: spec.metric, dim: spec.dim, params };
}

/**
 * Encodes an index file from its spec, vector count and payload (given as parts that are
 * concatenated; each part's length should keep the next part at the alignment it needs).
 * Deterministic: equal inputs give equal bytes.
 */
export function encodeIndexFile(spec: IndexSpec, count: number, payloadParts: readonly Uint8Array[]): Uint8Array {
  let payloadBytes = 0;
  for (const part of payloadParts) payloadBytes += part.byteLength;
  const header = new TextEncoder().encode(JSON.stringify({ spec: canonicalSpec(spec), count, payloadBytes }));
  const payloadStart = (FIXED_PREFIX + header.byteLength + 7) & ~7;
  const out = new Uint8Array(payloadStart + payloadBytes + TRAILER);
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  out.set(INDEX_MAGIC, 0);
  view.setUint32(8, INDEX_FORMAT_VERSION, true);
  view.setUint32(12, header.byteLength, true);
  out.set(header, FIXED_PREFIX);
  let at = payloadStart;
  for (const part of payloadParts) {
    out.set(part, at);
    at += part.byteLength;
  }
  view.setUint32(at, crc32(out.subarray(0, at)), true);
  return out;
}

/**
 * Decodes and verifies an index file: magic, CRC-32, version, header and total length.
 * Throws `ShoalError(ErrorCode.IoFailed)` saying what is wrong (truncated, not an index file,
 * checksum mismatch, unsupported version, malformed header). The returned payload aliases `bytes`.
 */
export function decodeIndexFile(bytes: Uint8Array): IndexFileParts {
  if (bytes.byteLength < FIXED_PREFIX + TRAILER) throw corrupt(`${bytes.byteLength} bytes is shorter than the ${FIXED_PREFIX + TRAILER}-byte minimum`);
  for (let i = 0; i < INDEX_MAGIC.length; i++) {
    if (bytes[i] !== INDEX_MAGIC[i]) throw corrupt('missing the SHOALIDX magic at offset 0');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const end = bytes.byteLength - TRAILER;
  const stored = view.getUint32(end, true);
  const actual = crc32(bytes.subarray(0, end));
  if (stored !== actual) {
    throw corrupt(`CRC-32 mismatch (stored 0x${stored.toString(16).padStart(8, '0')}, computed 0x${actual.toString(16).padStart(8, '0')} over ${end} bytes)`);
  }
  const version = view.getUint32(8, true);
  if (version !== INDEX_FORMAT_VERSION) {
    throw new ShoalError(ErrorCode.IoFailed, `index file format version ${version} is not supported; this build reads version ${INDEX_FORMAT_VERSION}`);
  }
  const headerLength = view.getUint32(12, true);
  if (FIXED_PREFIX + headerLength > end) throw corrupt(`header length ${headerLength} runs past the end of the file`);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(FIXED_PREFIX, FIXED_PREFIX + headerLength)));
  } catch (err) {
    throw corrupt(`header is not UTF-8 JSON (${(err as Error).message})`);
  }
  const h = header as { spec?: unknown; count?: unknown; payloadBytes?: unknown };
  if (typeof h !== 'object' || h === null || typeof h.spec !== 'object' || h.spec === null) throw corrupt('header has no spec');
  const spec = h.spec as IndexSpec;
  if (typeof spec.params !== 'object' || spec.params === null) throw corrupt('header spec has no params');
  if (typeof h.count !== 'number' || !Number.isSafeInteger(h.count) || h.count < 0) throw corrupt(`header count ${String(h.count)} is not a non-negative integer`);
  if (typeof h.payloadBytes !== 'number' || !Number.isSafeInteger(h.payloadBytes) || h.payloadBytes < 0) {
    throw corrupt(`header payloadBytes ${String(h.payloadBytes)} is not a non-negative integer`);
  }
  const payloadStart = (FIXED_PREFIX + headerLength + 7) & ~7;
  if (payloadStart + h.payloadBytes !== end) {
    throw corrupt(`file has ${bytes.byteLength} bytes, header announces ${payloadStart + h.payloadBytes + TRAILER}`);
  }
  return { spec, count: h.count, payload: bytes.subarray(payloadStart, end) };
}
