/**
 * A checksummed append-only record log on a `Disk`, for small test systems of the simulator
 * (test/helpers/primary-kv.ts; the Raft nodes use `DiskStorage` of @shoal/raft): each record is `[u32 length][u32 CRC-32 of payload][payload]`, little-endian (CRC-32 as
 * zlib's, node:zlib `crc32`). Recovery keeps the longest prefix of valid records and truncates the
 * rest, so a torn tail (a crash during an unsynced append) is detected and dropped.
 *
 * A checksum cannot tell a torn tail from a bit flipped on the way from the disk, and truncating
 * at a flipped bit would drop synced records. Read corruption in the simulator is transient (the
 * stored bytes are intact), so recovery reads the file until two consecutive reads agree before
 * trusting it.
 */
import { crc32 } from 'node:zlib';
import { DiskError } from '@shoal/actors';
import type { AppendFile, Disk } from '@shoal/actors';

/** Most reads of a log file while waiting for two consecutive reads to agree. */
const MAX_READS = 64;

/** An open record log. */
export class RecordLog {
  readonly #file: AppendFile;

  private constructor(file: AppendFile) {
    this.#file = file;
  }

  /**
   * Opens (creating if missing) the log at `path`: returns its valid records in order and the log,
   * positioned after them (an invalid tail is truncated durably).
   * @throws DiskError from the disk; `EIO` if no two consecutive of {@link MAX_READS} reads agree.
   */
  static async open(disk: Disk, path: string): Promise<{ records: Uint8Array[]; log: RecordLog }> {
    const data = (await disk.exists(path)) ? await stableRead(disk, path) : new Uint8Array(0);
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

/** The contents of `path` once two consecutive reads return the same bytes. */
async function stableRead(disk: Disk, path: string): Promise<Uint8Array> {
  let previous = await disk.readFile(path);
  for (let i = 1; i < MAX_READS; i++) {
    const data = await disk.readFile(path);
    if (equalBytes(previous, data)) return data;
    previous = data;
  }
  throw new DiskError('EIO', path, `${MAX_READS} reads returned different bytes: the disk keeps corrupting this file`);
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
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
