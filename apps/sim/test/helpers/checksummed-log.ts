/**
 * A tiny checksummed append-only log for the simulator's tests: records are
 * `[u32 length][u32 CRC-32 of payload][payload]`, little-endian (CRC-32 as zlib's). Recovery
 * keeps the longest prefix of valid records, so a torn or corrupted tail is detected and dropped.
 */
import { crc32 } from 'node:zlib';
import type { AppendFile, Disk } from '@shoal/actors';

/** Encodes one record. */
export function encodeRecord(payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + payload.byteLength);
  const view = new DataView(out.buffer);
  view.setUint32(0, payload.byteLength, true);
  view.setUint32(4, crc32(payload), true);
  out.set(payload, 8);
  return out;
}

/** The valid records of `data` and the byte length they span (anything after it is torn or corrupt). */
export function decodeRecords(data: Uint8Array): { records: Uint8Array[]; validBytes: number } {
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const records: Uint8Array[] = [];
  let at = 0;
  while (at + 8 <= data.byteLength) {
    const len = view.getUint32(at, true);
    if (at + 8 + len > data.byteLength) break;
    const payload = data.subarray(at + 8, at + 8 + len);
    if (crc32(payload) !== view.getUint32(at + 4, true)) break;
    records.push(payload.slice());
    at += 8 + len;
  }
  return { records, validBytes: at };
}

/** Opens `path` on `disk`: reads its valid records, truncates any invalid tail, returns them and an append handle. */
export async function openLog(disk: Disk, path: string): Promise<{ records: Uint8Array[]; file: AppendFile }> {
  const data = (await disk.exists(path)) ? await disk.readFile(path) : new Uint8Array(0);
  const { records, validBytes } = decodeRecords(data);
  const file = await disk.openAppend(path);
  if (file.size > validBytes) await file.truncate(validBytes);
  return { records, file };
}
