/**
 * The shard's write-ahead log on a one-voter Raft group (DESIGN.md, "Raft", use 2: "One group per
 * shard: its log *is* the write-ahead log of that shard. A single-node deployment runs the same
 * groups with one voter"; issue 5). See docs/raft-group.md, "The shard's log".
 *
 * Log positions (LSNs) are Raft indexes: increasing but not contiguous (Raft's own empty leader
 * entries, one per open, take indexes too and are never records).
 */
import { ErrorCode, ShoalError } from '@shoal/actors';
import type { Env, WalRecord, WriteAheadLog } from '@shoal/actors';
import { openRaftGroup } from '@shoal/raft';
import type { Entry, RaftGroup } from '@shoal/raft';
import { SHARD_LOG_CONF, SHARD_LOG_NODE_ID, migrateLegacyWal, startRaftLog } from './legacy-wal.ts';

/**
 * Largest record payload: 1 GiB (as the record log of earlier versions) less 4 KiB for the Raft
 * storage record that wraps it (term, index, type), so that a record accepted here always fits
 * one record of the underlying record log.
 */
export const MAX_SHARD_RECORD_BYTES = (1 << 30) - 4096;

/** Options of {@link openRaftWal}. */
export interface RaftWalOptions {
  /** The shard's checkpoint position: records at or before it are not replayed (0n: none). */
  afterLsn: bigint;
  /** Size at which the group's record-log files roll over, in bytes (default 64 MiB). */
  segmentBytes?: number;
}

/** An opened shard log and the records to replay. */
export interface OpenedRaftWal {
  wal: WriteAheadLog;
  /**
   * The surviving records after `afterLsn`, in log order (payloads are the Raft entries' own
   * buffers, which the group's storage holds in memory anyway: nothing is copied).
   */
  records: readonly WalRecord[];
}

/**
 * Opens (creating if missing) the shard log in directory `dir` of `env.disk` as a one-voter Raft
 * group (`<dir>/wal/`, `<dir>/snap/`). A legacy record log in `dir` is migrated first
 * (`migrateLegacyWal`); a log with no entries yet is started after `afterLsn`, so that new
 * positions continue past the checkpoint. The group is not given an `appliedIndex`: its persisted
 * commit index may lag the checkpoint after a crash (a commit-only hard state is not fsync'd on
 * its own), so every committed entry after the Raft snapshot is re-delivered at open and the
 * records at or before `afterLsn` are skipped here.
 * @throws ShoalError IoFailed for a corrupt log or failing disk, or a log that ends before the
 *   checkpoint (its directory was lost or replaced: replaying it would silently lose writes).
 */
export async function openRaftWal(env: Env, dir: string, opts: RaftWalOptions): Promise<OpenedRaftWal> {
  await migrateLegacyWal(env.disk, dir, opts.afterLsn, opts.segmentBytes);
  let opened = await openGroup(env, dir, opts);
  const fresh = opened.group.storage.snapshot().metadata.index === 0 && !opened.hadData;
  if (fresh && opts.afterLsn > 0n && BigInt(opened.group.lastIndex) <= opts.afterLsn) {
    // A new log (only Raft's empty entries) for a shard with a checkpoint: start it after the checkpoint.
    await opened.group.close();
    await startRaftLog(env.disk, dir, opts.afterLsn, [], opts.segmentBytes);
    opened = await openGroup(env, dir, opts);
  }
  if (BigInt(opened.group.lastIndex) < opts.afterLsn) {
    const last = opened.group.lastIndex;
    await opened.group.close();
    throw new ShoalError(ErrorCode.IoFailed, `shard log ${dir}: the log ends at ${last}, before the checkpoint at ${opts.afterLsn} (was the log directory lost or replaced?)`);
  }
  return { wal: new RaftWal(opened.group, dir), records: opened.records };
}

/** Opens the group, collecting the entries it re-delivers during the open (the replay). */
async function openGroup(env: Env, dir: string, opts: RaftWalOptions): Promise<{ group: RaftGroup; records: WalRecord[]; hadData: boolean }> {
  const records: WalRecord[] = [];
  let replaying = true;
  let hadData = false;
  const group = await openRaftGroup({
    env, dir, id: SHARD_LOG_NODE_ID, confState: SHARD_LOG_CONF,
    // One voter has no peers: Raft never sends a message, so there is nothing to transport.
    transport: { send: () => undefined },
    stateMachine: {
      apply(entries: Entry[]): void {
        // After the open, the shard applied each record in memory when it wrote it; the append's
        // promise tracks durability. Only the replay needs the entries.
        if (!replaying) return;
        for (const e of entries) {
          hadData = true;
          if (BigInt(e.index) > opts.afterLsn) records.push({ lsn: BigInt(e.index), payload: e.data });
        }
      },
      // The state up to the snapshot is the shard's checkpoint in the object store: the Raft
      // snapshot only records index, term and membership.
      snapshot: () => new Uint8Array(0),
      restore: () => undefined,
    },
    ...(opts.segmentBytes === undefined ? {} : { segmentBytes: opts.segmentBytes }),
  });
  replaying = false;
  return { group, records, hadData };
}

/**
 * {@link WriteAheadLog} over a one-voter group: `append` proposes (the index is `lastIndex` right
 * after the call, assigned synchronously in call order) and resolves once the entry is committed,
 * i.e. fsync'd (group commit: proposals arriving while a batch is being written go out together
 * in the next one). `truncateBefore` compacts the group. Disk failure is fail-stop.
 */
class RaftWal implements WriteAheadLog {
  readonly #group: RaftGroup;
  readonly #dir: string;
  #last: Promise<unknown> = Promise.resolve();
  #truncating: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(group: RaftGroup, dir: string) {
    this.#group = group;
    this.#dir = dir;
  }

  get lastLsn(): bigint {
    return BigInt(this.#group.lastIndex);
  }

  append(payload: Uint8Array): Promise<bigint> {
    if (this.#closed) return Promise.reject(this.#error('the log is closed'));
    if (payload.byteLength > MAX_SHARD_RECORD_BYTES) {
      return Promise.reject(new ShoalError(ErrorCode.ParameterTooLarge,
        `write-ahead log ${this.#dir}: a record of ${payload.byteLength} bytes exceeds the maximum of ${MAX_SHARD_RECORD_BYTES} bytes`));
    }
    const p = this.#group.propose(payload).then((i) => BigInt(i), (err: unknown) => {
      throw err instanceof ShoalError ? err : this.#error(`the record was not committed (${err instanceof Error ? err.message : String(err)})`);
    });
    this.#last = p.catch(() => undefined);
    return p;
  }

  /**
   * Snapshots the group at `lsn − 1` (no data: the checkpoint holds the state) and drops the log
   * up to it, deleting the record-log files that only hold older entries. Entry `lsn` and later
   * are kept, as the {@link WriteAheadLog} contract says.
   * @throws ShoalError IoFailed on a disk failure, which stops the log (fail-stop, like appends).
   */
  truncateBefore(lsn: bigint): Promise<void> {
    if (this.#closed) return Promise.reject(this.#error('the log is closed'));
    const run = this.#truncating.then(async () => {
      const upTo = Math.min(Number(lsn) - 1, this.#group.status().applied);
      if (upTo > this.#group.storage.snapshot().metadata.index) await this.#group.compact(upTo, upTo);
    });
    this.#truncating = run.catch(() => undefined);
    return run;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#last;
    await this.#truncating;
    await this.#group.close();
  }

  #error(message: string): ShoalError {
    return new ShoalError(ErrorCode.IoFailed, `write-ahead log ${this.#dir}: ${message}`);
  }
}
