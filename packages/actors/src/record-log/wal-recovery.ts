/**
 * Recovery and replay of the write-ahead log files of one directory (see `wal.ts`).
 *
 * Rules (as etcd's WAL repair and RocksDB's `kTolerateCorruptedTailRecords`): a torn or corrupt
 * record at the tail of the LAST file — nothing valid after it — is the unsynced part of a write
 * cut by a crash: it is dropped and the file truncated to the last good record. Anything else
 * (a bad record followed by a valid one, a bad record in an earlier file, a gap between files)
 * is corruption of data that was acknowledged, and recovery fails instead of dropping it.
 */
import { ShoalError, ErrorCode } from '../errors.ts';
import type { Disk } from '../env.ts';
import { findRecordAfter, readRecord, RECORD_HEADER_BYTES } from './wal-record.ts';
import type { WalRecord } from './wal-record.ts';

/** One log file: records from `firstLsn` (also its name, zero-padded to 20 digits) up to the next file's first LSN − 1. */
export interface WalFile {
  name: string;
  firstLsn: bigint;
}

/** What recovery found: the files in LSN order, the last LSN, and how many bytes of the last file are good. */
export interface RecoveredWal {
  files: WalFile[];
  lastLsn: bigint;
  /** Bytes of the last file up to the end of its last good record (0 when there are no files). */
  lastFileGoodBytes: number;
}

const FILE_NAME = /^(\d{20})\.wal$/;

/** The name of the log file whose first record has LSN `firstLsn`: 20 digits, so that names sort by LSN. */
export function walFileName(firstLsn: bigint): string {
  return `${firstLsn.toString().padStart(20, '0')}.wal`;
}

/** `dir/name`, where `dir` may be the disk root `''`. */
export function walPath(dir: string, name: string): string {
  return dir === '' ? name : `${dir}/${name}`;
}

/**
 * Reads every log file of `dir` (one at a time; created if missing), validates all records and
 * decides where the good log ends. Does not modify any file: the caller truncates the last file
 * to `lastFileGoodBytes`. Files not named like `00000000000000000001.wal` are ignored.
 *
 * @throws ShoalError `IoFailed` naming the file and byte offset for corruption in the middle of
 * the log, an LSN out of sequence, or a failing disk.
 */
export async function recoverWal(disk: Disk, dir: string): Promise<RecoveredWal> {
  const names = await diskCall(dir, 'listing', async () => {
    await disk.mkdirp(dir);
    return disk.list(dir);
  });
  const files: WalFile[] = [];
  for (const name of names) {
    const m = FILE_NAME.exec(name);
    if (m !== null) files.push({ name, firstLsn: BigInt(m[1]) });
  }
  if (files.length === 0) return { files, lastLsn: 0n, lastFileGoodBytes: 0 };
  let expected = files[0].firstLsn;
  let goodBytes = 0;
  for (const [i, file] of files.entries()) {
    const isLast = i === files.length - 1;
    if (file.firstLsn !== expected) {
      throw corrupt(dir, file.name, 0, `the file starts at LSN ${file.firstLsn} but the previous file ends at LSN ${expected - 1n}`);
    }
    const buf = await diskCall(dir, `reading ${file.name}`, () => disk.readFile(walPath(dir, file.name)));
    let off = 0;
    while (off < buf.byteLength) {
      const r = readRecord(buf, off);
      if (r.ok && r.lsn === expected) {
        expected++;
        off = r.next;
        continue;
      }
      const reason = r.ok ? `LSN ${r.lsn} where ${expected} was expected` : r.reason;
      if (!isLast) throw corrupt(dir, file.name, off, `${reason}, in a file that is not the last one`);
      const maxLsn = expected + BigInt(Math.ceil((buf.byteLength - off) / RECORD_HEADER_BYTES));
      const later = findRecordAfter(buf, off + 1, expected, maxLsn);
      if (later !== null) {
        throw corrupt(dir, file.name, off, `${reason}, followed by a valid record (LSN ${later.lsn} at offset ${later.offset})`);
      }
      break; // A torn tail: everything from `off` on is dropped.
    }
    if (isLast) goodBytes = off;
  }
  return { files, lastLsn: expected - 1n, lastFileGoodBytes: goodBytes };
}

/**
 * Yields the records of `files` with LSN ≤ `lastLsn`, in LSN order, reading one file at a time;
 * payloads are views into that file's buffer. Records are re-verified, so a file changed or
 * removed since recovery fails the iteration with `ShoalError(IoFailed)`.
 */
export async function* replayWal(disk: Disk, dir: string, files: readonly WalFile[], lastLsn: bigint): AsyncGenerator<WalRecord> {
  let expected = files.length > 0 ? files[0].firstLsn : 1n;
  for (const [i, file] of files.entries()) {
    const end = i + 1 < files.length ? files[i + 1].firstLsn - 1n : lastLsn;
    if (expected > end) continue;
    const buf = await diskCall(dir, `reading ${file.name}`, () => disk.readFile(walPath(dir, file.name)));
    let off = 0;
    while (expected <= end) {
      const r = readRecord(buf, off);
      if (!r.ok || r.lsn !== expected) {
        throw corrupt(dir, file.name, off, `${r.ok ? `LSN ${r.lsn} where ${expected} was expected` : r.reason} during replay (the file changed after recovery)`);
      }
      yield { lsn: r.lsn, payload: r.payload };
      expected++;
      off = r.next;
    }
  }
}

/** Runs a disk operation of the log in `dir`, wrapping failures as `ShoalError(IoFailed)`. */
export async function diskCall<T>(dir: string, what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ShoalError) throw err;
    throw new ShoalError(ErrorCode.IoFailed, `write-ahead log ${dir || '.'}: ${what} failed: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function corrupt(dir: string, file: string, offset: number, reason: string): ShoalError {
  return new ShoalError(ErrorCode.IoFailed, `write-ahead log ${walPath(dir, file)} is corrupt at byte offset ${offset}: ${reason}; refusing to drop acknowledged records`);
}
