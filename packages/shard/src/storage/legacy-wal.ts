/**
 * Starting a shard's Raft log after its checkpoint, and migrating the record log of earlier
 * versions into it (issue 5: the shard's log runs on a one-voter RaftGroup; docs/raft-group.md,
 * "The shard's log").
 *
 * Earlier versions kept the shard's write-ahead log as `@shoal/actors` record-log files directly
 * in the shard's log directory (`<dir>/<first LSN, 20 digits>.wal`). The Raft group keeps its
 * own record log in `<dir>/wal/` and snapshots in `<dir>/snap/`, so both can coexist in `<dir>`.
 */
import { ErrorCode, ShoalError, openWal } from '@shoal/actors';
import type { Disk } from '@shoal/actors';
import { openDiskStorage } from '@shoal/raft';
import type { ConfState, Entry, HardState } from '@shoal/raft';

/** The id of the shard log's only voter. */
export const SHARD_LOG_NODE_ID = 1;

/** Membership of a shard log: one voter, no learners. */
export const SHARD_LOG_CONF: ConfState = { voters: [SHARD_LOG_NODE_ID], learners: [] };

/** Marker written once a migrated Raft log is complete and durable; the legacy files may then go. */
const MIGRATED_MARKER = 'legacy-wal-migrated';
const LEGACY_NAME = /^\d{20}\.wal$/;
/** Largest sum of payload bytes written as one storage record while migrating (the record log refuses records over 1 GiB). */
const MIGRATION_CHUNK_BYTES = 64 * 1024 * 1024;

/** A replayed log record: its log position and its payload. */
interface LoggedRecord {
  lsn: bigint;
  payload: Uint8Array;
}

/**
 * Writes a NEW Raft log into `dir` that starts after log position `afterLsn`: a snapshot marker
 * at `afterLsn` (no data: the state up to it is the shard's checkpoint in the object store), so
 * that the group's indexes continue past it, followed by `records` (log positions `afterLsn + 1`,
 * `afterLsn + 2`, … in order) as committed entries of term 1 with one voter. Removes any Raft
 * state already in `dir` first. Durable when it resolves.
 * @throws ShoalError IoFailed if `records` are not contiguous after `afterLsn`, or on a disk failure.
 */
export async function startRaftLog(disk: Disk, dir: string, afterLsn: bigint, records: readonly LoggedRecord[], segmentBytes?: number): Promise<void> {
  await io(dir, 'removing an unfinished Raft log', async () => {
    await disk.remove(`${dir}/wal`);
    await disk.remove(`${dir}/snap`);
  });
  const storage = await openDiskStorage(disk, dir, { confState: SHARD_LOG_CONF, ...(segmentBytes === undefined ? {} : { segmentBytes }) });
  try {
    const first = Number(afterLsn) + 1;
    const last = first + records.length - 1;
    const hardState: HardState = { term: 1, vote: SHARD_LOG_NODE_ID, commit: Math.max(last, Number(afterLsn)) };
    let snapshot = afterLsn > 0n ? { metadata: { index: Number(afterLsn), term: 1, confState: SHARD_LOG_CONF }, data: new Uint8Array(0) } : undefined;
    let i = 0;
    do {
      const entries: Entry[] = [];
      let bytes = 0;
      for (; i < records.length && (entries.length === 0 || bytes + records[i].payload.byteLength <= MIGRATION_CHUNK_BYTES); i++) {
        const r = records[i];
        if (r.lsn !== BigInt(first + i)) {
          throw new ShoalError(ErrorCode.IoFailed, `shard log ${dir}: legacy record ${r.lsn} found where ${first + i} was expected (a gap in the log after the checkpoint at ${afterLsn})`);
        }
        entries.push({ term: 1, index: first + i, type: 'normal', data: r.payload });
        bytes += r.payload.byteLength;
      }
      const done = i >= records.length;
      await storage.persist({ ...(snapshot === undefined ? {} : { snapshot }), entries, ...(done ? { hardState } : {}), mustSync: true });
      snapshot = undefined;
    } while (i < records.length);
  } catch (err) {
    await storage.close().catch(() => undefined);
    throw err;
  }
  await storage.close();
}

/**
 * If `dir` holds a legacy shard log (`*.wal` files directly in it), moves its records after the
 * checkpoint position `afterLsn` into a new Raft log in `dir` ({@link startRaftLog}), then deletes
 * the legacy files. Crash-safe: the legacy files are deleted only after the Raft log is complete,
 * durable and marked so (`<dir>/legacy-wal-migrated`); reopening with legacy files and no marker
 * discards the Raft state (an interrupted migration) and migrates again; with the marker, it only
 * finishes deleting. Returns whether a migration ran.
 * @throws ShoalError IoFailed for a corrupt legacy log (see `openWal`) or a disk failure.
 */
export async function migrateLegacyWal(disk: Disk, dir: string, afterLsn: bigint, segmentBytes?: number): Promise<boolean> {
  const names = await io(dir, 'listing', () => disk.list(dir));
  const legacy = names.filter((n) => LEGACY_NAME.test(n));
  if (names.includes(MIGRATED_MARKER)) {
    await removeAll(disk, dir, legacy);
    await io(dir, 'removing the migration marker', () => disk.remove(`${dir}/${MIGRATED_MARKER}`));
    return false;
  }
  if (legacy.length === 0) return false;
  const { wal, records } = await openWal(disk, dir);
  const after: LoggedRecord[] = [];
  try {
    for await (const r of records) if (r.lsn > afterLsn) after.push({ lsn: r.lsn, payload: r.payload });
  } finally {
    await wal.close();
  }
  await startRaftLog(disk, dir, afterLsn, after, segmentBytes);
  await io(dir, 'writing the migration marker', () => disk.writeFileAtomic(`${dir}/${MIGRATED_MARKER}`, new Uint8Array(0)));
  await removeAll(disk, dir, legacy);
  await io(dir, 'removing the migration marker', () => disk.remove(`${dir}/${MIGRATED_MARKER}`));
  return true;
}

async function removeAll(disk: Disk, dir: string, names: readonly string[]): Promise<void> {
  for (const n of names) await io(dir, `removing ${n}`, () => disk.remove(`${dir}/${n}`));
}

/** Runs a disk call, turning a failure into ShoalError IoFailed naming the directory and the step. */
async function io<T>(dir: string, what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ShoalError) throw err;
    throw new ShoalError(ErrorCode.IoFailed, `shard log ${dir}: ${what} failed (${err instanceof Error ? err.message : String(err)})`);
  }
}
