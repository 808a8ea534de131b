/**
 * A checksummed append-only record log on a `Disk`, the write-ahead log of the simulated Raft
 * nodes: each record is `[u32 length][u32 CRC-32 of payload][payload]`, little-endian (CRC-32 as
 * zlib's, node:zlib `crc32`). Recovery keeps the longest prefix of valid records and truncates the
 * rest, so a torn tail (a crash during an unsynced append) is detected and dropped.
 */
import { crc32 } from 'node:zlib';
import type { AppendFile, Disk } from '@shoal/actors';

/** An open record log. */
export class RecordLog {
  readonly #file: AppendFile;

  private constructor(file: AppendFile) {
    this.#file = file;
  }

  /**
   * Opens (creating if missing) the log at `path`: returns its valid records in order and the log,
   * positioned after them (an invalid tail is truncated durably).
   * @throws DiskError from the disk.
   */
  static async open(disk: Disk, path: string): Promise<{ records: Uint8Array[]; log: RecordLog }> {
    const data = (await disk.exists(path)) ? await disk.readFile(path) : new Uint8Array(0);
    const { records, validBytes } = decodeRecords(data);
    const file = await disk.openAppend(path);
    if (file.size > validBytes) await file.truncate(validBytes);
    return { records, log: new RecordLog(file) };
  }

  /** Appends one record (not durable until {@link RecordLog.sync}). @throws DiskError from the disk. */
  append(payload: Uint8Array): Promise<void> {
    return this.#file.append(encodeRecord(payload));
  }

  /** fsync. @throws DiskError from the disk. */
  sync(): Promise<void> {
    return this.#file.sync();
  }
}

/** One record's bytes: `[u32 length][u32 crc32][payload]`. */
export function encodeRecord(payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + payload.byteLength);
  const view = new DataView(out.buffer);
  view.setUint32(0, payload.byteLength, true);
  view.setUint32(4, crc32(payload), true);
  out.set(payload, 8);
  return out;
}

/** The valid records at the start of `data` and the number of bytes they span. */
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
