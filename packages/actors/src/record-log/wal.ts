/**
 * A durable record log (the write-ahead log of a shard or a Raft group): numbered records
 * appended durably with group commit, in files that roll over at a size limit and are deleted by checkpointing (DESIGN.md, "Raft": the log of
 * a shard's Raft group is its WAL; {@link WriteAheadLog} is the contract that log implements).
 *
 * On disk: a directory of files named by the LSN of their first record (`00000000000000000001.wal`),
 * each a sequence of records (`wal-record.ts`). Recovery rules: `wal-recovery.ts`.
 */
import { ShoalError, ErrorCode, invalidParameter } from '../errors.ts';
import type { AppendFile, Disk } from '../env.ts';
import { encodeRecords, MAX_RECORD_PAYLOAD_BYTES, RECORD_HEADER_BYTES } from './wal-record.ts';
import type { WalRecord } from './wal-record.ts';
import { diskCall, recoverWal, replayWal, walFileName, walPath } from './wal-recovery.ts';
import type { WalFile } from './wal-recovery.ts';

export type { WalRecord } from './wal-record.ts';

/** A durable, append-only sequence of records numbered 1, 2, 3, … (log sequence numbers). */
export interface WriteAheadLog {
  /** The LSN of the last record appended (acknowledged or still in flight); `0n` for a new log. */
  readonly lastLsn: bigint;
  /**
   * Appends one record. Its LSN (`lastLsn + 1`) is assigned synchronously, in call order, and the
   * promise resolves with it only after an fsync covering the record. The WAL reads `payload` when
   * it writes the batch: do not modify it before the promise settles.
   * @throws ShoalError `IoFailed` if a write or fsync failed (then every later append rejects too:
   * the log is fail-stop until reopened; a rejected record may or may not survive reopening) or
   * the log is closed; `ParameterTooLarge` for a payload over 1 GiB.
   */
  append(payload: Uint8Array): Promise<bigint>;
  /**
   * Checkpointing: deletes every log file whose records all have LSN < `lsn` (never the file
   * being appended to). Records ≥ `lsn` are always kept; some older ones may remain.
   * @throws ShoalError `IoFailed` if a file cannot be deleted (the files after it are kept).
   */
  truncateBefore(lsn: bigint): Promise<void>;
  /** Waits for in-flight appends, then closes the log; later appends reject. */
  close(): Promise<void>;
}

/** Options of {@link openWal}. */
export interface WalOptions {
  /** Size in bytes at which a log file rolls over to a new one; default 64 MiB. A record larger than this gets a file of its own. */
  segmentBytes?: number;
}

/** An opened log and the records that survived, for replay. */
export interface OpenedWal {
  wal: WriteAheadLog;
  /**
   * The surviving records in LSN order (LSN ≤ the `lastLsn` found at open). Lazy: each iteration
   * re-reads the log one file at a time, so the log is never held in memory twice (nor once in
   * full). A payload is a view into the buffer of its file, which it keeps alive. Iterate before
   * calling `truncateBefore` past the records still to be read (their files would be gone);
   * appends while iterating are fine.
   */
  records: AsyncIterable<WalRecord>;
}

/** Default {@link WalOptions.segmentBytes}: 64 MiB. */
export const DEFAULT_WAL_SEGMENT_BYTES = 64 * 1024 * 1024;

/**
 * Opens (creating if missing) the log in directory `dir` of `disk`: recovers it (a torn tail of
 * the last file is cut off durably), and returns the log ready for appends plus its records.
 * @throws ShoalError `IoFailed` for corruption in the middle of the log (naming file and offset)
 * or a failing disk; `ParameterInvalid` for a `segmentBytes` that is not a positive integer.
 */
export async function openWal(disk: Disk, dir: string, opts: WalOptions = {}): Promise<OpenedWal> {
  const segmentBytes = opts.segmentBytes ?? DEFAULT_WAL_SEGMENT_BYTES;
  if (!Number.isSafeInteger(segmentBytes) || segmentBytes < 1) {
    throw invalidParameter(`WAL segmentBytes must be a positive integer, got ${segmentBytes}`);
  }
  const recovered = await recoverWal(disk, dir);
  const files = recovered.files.length > 0 ? recovered.files : [{ name: walFileName(1n), firstLsn: 1n }];
  const last = files[files.length - 1];
  const active = await diskCall(dir, `opening ${last.name}`, async () => {
    const f = await disk.openAppend(walPath(dir, last.name));
    if (f.size !== recovered.lastFileGoodBytes) await f.truncate(recovered.lastFileGoodBytes);
    return f;
  });
  const replayFiles = recovered.files.slice();
  const lastLsn = recovered.lastLsn;
  return {
    wal: new FileWal(disk, dir, segmentBytes, files, active, lastLsn),
    records: { [Symbol.asyncIterator]: () => replayWal(disk, dir, replayFiles, lastLsn) },
  };
}

/** An append waiting for its batch to be written and synced. */
interface Pending extends WalRecord {
  resolve: (lsn: bigint) => void;
  reject: (err: ShoalError) => void;
}

/**
 * The file-backed log. Group commit: one flush loop at a time writes every queued record that
 * fits in the current file as one buffer, then fsyncs once; appends arriving meanwhile queue up
 * and form the next batch, so under load there is one write and one fsync per batch, not per
 * record (group commit: DeWitt et al., "Implementation Techniques for Main Memory Database
 * Systems", SIGMOD 1984). A batch never spans two files: a file is synced before the next exists.
 */
class FileWal implements WriteAheadLog {
  readonly #disk: Disk;
  readonly #dir: string;
  readonly #segmentBytes: number;
  /** Live files in LSN order; the last one is {@link FileWal.#active}. */
  readonly #files: WalFile[];
  #active: AppendFile | null;
  #lastLsn: bigint;
  readonly #queue: Pending[] = [];
  #flushing: Promise<void> | null = null;
  #truncating: Promise<void> = Promise.resolve();
  #failure: ShoalError | null = null;
  #closed = false;

  constructor(disk: Disk, dir: string, segmentBytes: number, files: WalFile[], active: AppendFile, lastLsn: bigint) {
    this.#disk = disk;
    this.#dir = dir;
    this.#segmentBytes = segmentBytes;
    this.#files = files;
    this.#active = active;
    this.#lastLsn = lastLsn;
  }

  get lastLsn(): bigint {
    return this.#lastLsn;
  }

  append(payload: Uint8Array): Promise<bigint> {
    if (this.#failure !== null) return Promise.reject(this.#failure);
    if (this.#closed) return Promise.reject(this.#error('the log is closed'));
    if (payload.byteLength > MAX_RECORD_PAYLOAD_BYTES) {
      return Promise.reject(new ShoalError(ErrorCode.ParameterTooLarge,
        `write-ahead log ${this.#dir || '.'}: a record of ${payload.byteLength} bytes exceeds the maximum of ${MAX_RECORD_PAYLOAD_BYTES} bytes`));
    }
    const lsn = ++this.#lastLsn;
    return new Promise<bigint>((resolve, reject) => {
      this.#queue.push({ lsn, payload, resolve, reject });
      this.#flushing ??= this.#flushLoop();
    });
  }

  truncateBefore(lsn: bigint): Promise<void> {
    if (this.#closed) return Promise.reject(this.#error('the log is closed'));
    const run = this.#truncating.then(() => this.#deleteFilesBefore(lsn));
    this.#truncating = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#flushing;
    await this.#truncating;
    const active = this.#active;
    this.#active = null;
    if (active !== null) await diskCall(this.#dir, 'closing the log', () => active.close());
  }

  /** Writes and syncs batches until the queue is empty; on failure rejects everything queued and fails the log. */
  async #flushLoop(): Promise<void> {
    try {
      while (this.#queue.length > 0) {
        let batch: Pending[] = [];
        try {
          const active = await this.#fileFor(this.#queue[0]);
          batch = this.#takeBatch(active.size);
          await active.append(encodeRecords(batch));
          await active.sync();
        } catch (err) {
          this.#fail(err, batch);
          return;
        }
        for (const p of batch) p.resolve(p.lsn);
      }
    } finally {
      this.#flushing = null;
    }
  }

  /** The file the next batch goes to, rolling over to a new file if `first` would not fit in the current one. */
  async #fileFor(first: Pending): Promise<AppendFile> {
    const current = this.#active;
    if (current === null) throw this.#error('the log file is not open');
    if (current.size === 0 || current.size + RECORD_HEADER_BYTES + first.payload.byteLength <= this.#segmentBytes) return current;
    this.#active = null;
    await current.close();
    const name = walFileName(first.lsn);
    const next = await this.#disk.openAppend(walPath(this.#dir, name));
    this.#files.push({ name, firstLsn: first.lsn });
    this.#active = next;
    return next;
  }

  /** Takes the longest prefix of the queue (at least one record) that fits in a file holding `fileBytes` bytes. */
  #takeBatch(fileBytes: number): Pending[] {
    let bytes = fileBytes;
    let n = 0;
    for (const p of this.#queue) {
      const size = RECORD_HEADER_BYTES + p.payload.byteLength;
      if (n > 0 && bytes + size > this.#segmentBytes) break;
      bytes += size;
      n++;
    }
    return this.#queue.splice(0, n);
  }

  #fail(err: unknown, batch: Pending[]): void {
    const cause = err instanceof Error ? err.message : String(err);
    this.#failure = this.#error(`writing or syncing failed (${cause}); the log accepts no more appends until it is reopened`);
    for (const p of batch) p.reject(this.#failure);
    for (const p of this.#queue.splice(0)) p.reject(this.#failure);
  }

  async #deleteFilesBefore(lsn: bigint): Promise<void> {
    // File i holds LSNs [first_i, first_{i+1} − 1]: deletable when first_{i+1} ≤ lsn. Oldest first,
    // stopping at the first failure, so that the files left on disk are always contiguous.
    while (this.#files.length > 1 && this.#files[1].firstLsn <= lsn) {
      const file = this.#files[0];
      await diskCall(this.#dir, `deleting ${file.name}`, () => this.#disk.remove(walPath(this.#dir, file.name)));
      this.#files.shift();
    }
  }

  #error(message: string): ShoalError {
    return new ShoalError(ErrorCode.IoFailed, `write-ahead log ${this.#dir || '.'}: ${message}`);
  }
}
