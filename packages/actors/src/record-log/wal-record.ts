/**
 * The record format of the write-ahead log (Shoal's own, in the spirit of the etcd and RocksDB
 * log formats). A log file is a sequence of records, each (little-endian):
 *
 *     payload length u32 | CRC-32 of (lsn bytes ‖ payload) u32 | lsn u64 | payload
 *
 * LSNs are consecutive within and across files. The CRC covers the LSN so that a stale record
 * with a valid payload checksum at the wrong place is still detected.
 */
import { carveBytes, regionOf } from '../byte-slab.ts';
import { crc32 } from './checksum.ts';

/** Bytes of a record header (length, CRC-32, LSN). */
export const RECORD_HEADER_BYTES = 16;
/** Largest payload of one record: 1 GiB (a larger length field marks a corrupt record). */
export const MAX_RECORD_PAYLOAD_BYTES = 1 << 30;

/** One record of the write-ahead log. */
export interface WalRecord {
  /** Log sequence number: 1, 2, 3, … */
  lsn: bigint;
  /** The bytes given to `append` (on replay: a view into the buffer of the file read). */
  payload: Uint8Array;
}

/** Encodes `records` back to back into one buffer (one write for a whole group-commit batch; a small batch is a region of a shared slab, see ../byte-slab.ts). */
export function encodeRecords(records: readonly WalRecord[]): Uint8Array {
  let total = 0;
  for (const r of records) total += RECORD_HEADER_BYTES + r.payload.byteLength;
  const c = carveBytes(total); // a small batch comes from a shared slab (see ../byte-slab.ts)
  const out = c.bytes;
  const view = c.view;
  let off = c.offset;
  for (const r of records) {
    view.setUint32(off, r.payload.byteLength, true);
    view.setBigUint64(off + 8, r.lsn, true);
    out.set(r.payload, off + RECORD_HEADER_BYTES);
    view.setUint32(off + 4, recordCrc(out, off, r.payload.byteLength), true);
    off += RECORD_HEADER_BYTES + r.payload.byteLength;
  }
  return regionOf(c, total);
}

/** The outcome of reading one record at an offset: the record and where the next one starts, or why it is invalid. */
export type RecordRead =
  | { ok: true; lsn: bigint; payload: Uint8Array; next: number }
  | { ok: false; reason: string };

/**
 * Reads and verifies the record at `offset` of `buf` (a whole log file). The payload is a view
 * into `buf`. Invalid: fewer than 16 bytes left, a length over {@link MAX_RECORD_PAYLOAD_BYTES}
 * or past the end of `buf`, or a CRC-32 mismatch.
 */
export function readRecord(buf: Uint8Array, offset: number): RecordRead {
  const left = buf.byteLength - offset;
  if (left < RECORD_HEADER_BYTES) return { ok: false, reason: `only ${left} bytes left for a ${RECORD_HEADER_BYTES}-byte record header` };
  const view = new DataView(buf.buffer, buf.byteOffset + offset, RECORD_HEADER_BYTES);
  const length = view.getUint32(0, true);
  if (length > MAX_RECORD_PAYLOAD_BYTES) return { ok: false, reason: `payload length ${length} exceeds the maximum ${MAX_RECORD_PAYLOAD_BYTES}` };
  if (length > left - RECORD_HEADER_BYTES) return { ok: false, reason: `payload of ${length} bytes extends past the end of the file (${left - RECORD_HEADER_BYTES} bytes left)` };
  const stored = view.getUint32(4, true);
  const computed = recordCrc(buf, offset, length);
  if (stored !== computed) return { ok: false, reason: `CRC-32 mismatch (stored 0x${stored.toString(16)}, computed 0x${computed.toString(16)})` };
  const start = offset + RECORD_HEADER_BYTES;
  return { ok: true, lsn: view.getBigUint64(8, true), payload: buf.subarray(start, start + length), next: start + length };
}

/**
 * Looks for any valid record at an offset in `[from, buf.byteLength)` whose LSN is in
 * `[minLsn, maxLsn]`; returns its offset and LSN, or `null`. Used after a bad record to tell a
 * torn tail (nothing valid follows) from corruption in the middle of the log. Candidates are
 * filtered by their LSN field before the CRC is computed, so scanning a garbage tail is cheap.
 */
export function findRecordAfter(buf: Uint8Array, from: number, minLsn: bigint, maxLsn: bigint): { offset: number; lsn: bigint } | null {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const minHi = Number(minLsn >> 32n);
  const maxHi = Number(maxLsn >> 32n);
  const minLo = Number(minLsn & 0xffffffffn);
  const maxLo = Number(maxLsn & 0xffffffffn);
  for (let p = from; p + RECORD_HEADER_BYTES <= buf.byteLength; p++) {
    // Cheap filters on the two 32-bit halves of the LSN before building a bigint.
    const hi = view.getUint32(p + 12, true);
    if (hi < minHi || hi > maxHi) continue;
    if (minHi === maxHi) {
      const lo = view.getUint32(p + 8, true);
      if (lo < minLo || lo > maxLo) continue;
    }
    const lsn = view.getBigUint64(p + 8, true);
    if (lsn < minLsn || lsn > maxLsn) continue;
    const r = readRecord(buf, p);
    if (r.ok) return { offset: p, lsn };
  }
  return null;
}

/** CRC-32 over the LSN field and the payload of the record at `offset` with a payload of `length` bytes. */
function recordCrc(buf: Uint8Array, offset: number, length: number): number {
  const lsnBytes = buf.subarray(offset + 8, offset + RECORD_HEADER_BYTES);
  const payload = buf.subarray(offset + RECORD_HEADER_BYTES, offset + RECORD_HEADER_BYTES + length);
  return crc32(payload, crc32(lsnBytes));
}
