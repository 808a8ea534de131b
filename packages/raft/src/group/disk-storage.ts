/**
 * A durable Raft {@link Storage} on Env's Disk, modelled on etcd's WAL + MemoryStorage (etcd
 * server/storage/wal: entry / state / snapshot records). The whole retained log is kept in memory
 * (Storage is synchronous); every change goes through the checksummed record log of
 * `@shoal/actors` (`openWal`) in `<dir>/wal`, and snapshot data in `<dir>/snap/<index>.snap`.
 *
 * One record per persisted Ready (MessagePack via the `@shoal/actors` codec), with optional parts
 * applied in this order on replay: `s` snapshot marker `{index, term, confState}`, `f`+`e` entries
 * starting at index `f` (overwriting any retained suffix from `f`), `h` hard state. See
 * docs/raft-group.md for the on-disk layout and the recovery rules.
 */
import { decode, encode, ErrorCode, ShoalError, invalidParameter, openWal } from '@shoal/actors';
import type { Disk, WriteAheadLog } from '@shoal/actors';
import { RaftError } from '../errors.ts';
import { MemoryStorage } from '../storage.ts';
import type { Storage } from '../storage.ts';
import type { ConfState, Entry, EntryType, HardState, Snapshot, SnapshotMetadata } from '../types.ts';

/** What {@link DiskStorage.persist} writes: the persistent parts of a `Ready`. */
export interface PersistBatch {
  snapshot?: Snapshot;
  entries: readonly Entry[];
  hardState?: HardState;
  /** Whether the batch must be durable before the Ready's messages go out (Ready.mustSync). */
  mustSync: boolean;
}

/** Options of {@link openDiskStorage}. */
export interface DiskStorageOptions {
  /** Configuration of a NEW group (empty `dir`); ignored when `dir` already holds state. Default no members. */
  confState?: ConfState;
  /** Size at which record-log files roll over (bytes); default the record log's 64 MiB. */
  segmentBytes?: number;
}

/** The decoded form of one record (see the module docstring). */
interface StorageRecord {
  s?: SnapshotMetadata;
  f?: number;
  e?: Array<{ term: number; type: EntryType; data: Uint8Array }>;
  h?: HardState;
}

/** Where the entries written by one record begin, and that record's LSN (for compaction). */
interface Run {
  first: number;
  lsn: bigint;
}

const ENTRY_TYPES: ReadonlySet<string> = new Set(['normal', 'confChange']);

/**
 * Most entry payload bytes {@link DiskStorage.persist} puts in one record (64 MiB): a Ready may
 * carry many proposals (group commit), and the record log refuses records over 1 GiB.
 */
const RECORD_ENTRY_BYTES = 64 * 1024 * 1024;

/**
 * A durable {@link Storage}. Reads are served from memory; {@link persist}, {@link createSnapshot}
 * and {@link compact} write through the record log. Not safe for concurrent writers: call the
 * async methods one at a time (RaftGroup's ready loop does).
 */
export class DiskStorage implements Storage {
  readonly #disk: Disk;
  readonly #dir: string;
  readonly #wal: WriteAheadLog;
  readonly #mem: MemoryStorage;
  #runs: Run[];
  /** A hard state handed in without `mustSync`: written with the next synced record. */
  #unsyncedHard: HardState | null = null;
  #syncs = 0;

  /** Use {@link openDiskStorage}. */
  constructor(disk: Disk, dir: string, wal: WriteAheadLog, mem: MemoryStorage, runs: Run[]) {
    this.#disk = disk;
    this.#dir = dir;
    this.#wal = wal;
    this.#mem = mem;
    this.#runs = runs;
  }

  initialState(): { hardState: HardState; confState: ConfState } {
    return this.#mem.initialState();
  }
  entries(lo: number, hi: number, maxSize: number): Entry[] {
    return this.#mem.entries(lo, hi, maxSize);
  }
  term(i: number): number {
    return this.#mem.term(i);
  }
  firstIndex(): number {
    return this.#mem.firstIndex();
  }
  lastIndex(): number {
    return this.#mem.lastIndex();
  }
  snapshot(): Snapshot {
    return this.#mem.snapshot();
  }

  /** Number of synced record-log writes so far (one fsync each), for tests and metrics. */
  get syncCount(): number {
    return this.#syncs;
  }

  /**
   * Persists a Ready's snapshot, entries and hard state, in that order, as one record and one
   * fsync (several records, group-committed, when the entries exceed {@link RECORD_ENTRY_BYTES}) when `mustSync` or a
   * snapshot/entries are present; a lone hard state without `mustSync` (a commit-index change) is
   * only kept in memory and written with the next synced record (as etcd, which writes it
   * unsynced: losing it in a crash only lowers the commit index on restart).
   *
   * Split batches: the snapshot marker and the hard state go in the first record, its commit
   * lowered to that record's last entry (a crash may keep only a prefix of the records); the last
   * record repeats the hard state with the full commit.
   * @throws ShoalError IoFailed on a disk failure (the storage is then unusable: reopen it).
   */
  async persist(b: PersistBatch): Promise<void> {
    const rec: StorageRecord = {};
    if (b.snapshot !== undefined) {
      await this.#writeSnapshotFile(b.snapshot);
      this.#mem.applySnapshot(b.snapshot);
      this.#runs = [];
      rec.s = b.snapshot.metadata;
      // An empty entries part at snapshot + 1: on replay it drops the entries after the snapshot
      // that earlier records hold (applySnapshot drops them from memory; they may conflict with it).
      rec.f = b.snapshot.metadata.index + 1;
      rec.e = [];
    }
    const recs = [rec];
    if (b.entries.length > 0) {
      this.#mem.append(b.entries);
      let bytes = 0;
      for (const e of b.entries) {
        let cur = recs[recs.length - 1];
        if (cur.e !== undefined && cur.e.length > 0 && bytes + e.data.byteLength > RECORD_ENTRY_BYTES) {
          cur = {};
          recs.push(cur);
          bytes = 0;
        }
        if (cur.e === undefined || cur.e.length === 0) {
          cur.f = e.index;
          cur.e = [];
        }
        cur.e.push({ term: e.term, type: e.type, data: e.data });
        bytes += e.data.byteLength;
      }
    }
    if (b.hardState !== undefined) this.keepHardState(b.hardState);
    if (!b.mustSync && rec.s === undefined && rec.e === undefined) return;
    const h = this.#unsyncedHard;
    this.#unsyncedHard = null;
    if (h !== null) {
      const last = recs[recs.length - 1];
      last.h = h;
      if (recs.length > 1) rec.h = { ...h, commit: Math.min(h.commit, (rec.f ?? 0) + (rec.e?.length ?? 0) - 1) };
    }
    // Appended together: the record log writes them in order with one fsync (group commit).
    const lsns = await Promise.all(recs.map((r) => this.#append(r)));
    for (const [i, r] of recs.entries()) {
      if (r.e !== undefined && r.e.length > 0 && r.f !== undefined) dropRunsFrom(this.#runs, r.f).push({ first: r.f, lsn: lsns[i] });
    }
    if (rec.s !== undefined) await this.#removeSnapshotFilesBefore(rec.s.index);
  }

  /**
   * Keeps a hard state that needs no fsync (a commit-index change: what {@link persist} does
   * with a lone hard state without `mustSync`), synchronously: written with the next synced record.
   */
  keepHardState(hs: HardState): void {
    this.#mem.setHardState(hs);
    this.#unsyncedHard = { ...hs };
  }

  /**
   * Records a snapshot of the application state at applied index `index` (data written to
   * `snap/<index>.snap` with writeFileAtomic, then a synced marker record). Call {@link compact}
   * afterwards to drop the covered log.
   * @throws RaftError `snapshotOutOfDate` if `index` is not newer than the current snapshot;
   *   ShoalError ParameterInvalid if it is beyond the last index; IoFailed on a disk failure.
   */
  async createSnapshot(index: number, confState: ConfState, data: Uint8Array): Promise<Snapshot> {
    const cur = this.#mem.snapshot().metadata.index;
    if (index <= cur) throw new RaftError('snapshotOutOfDate', `DiskStorage.createSnapshot(${index}): not newer than the snapshot at ${cur}`);
    if (!Number.isSafeInteger(index) || index > this.#mem.lastIndex()) {
      throw invalidParameter(`DiskStorage.createSnapshot: index must be an integer in (${cur}, ${this.#mem.lastIndex()}], got ${index}`);
    }
    const snap: Snapshot = { metadata: { index, term: this.#mem.term(index), confState: copyConf(confState) }, data };
    await this.#writeSnapshotFile(snap);
    await this.#append({ s: snap.metadata, h: this.#mem.initialState().hardState });
    this.#unsyncedHard = null;
    this.#mem.createSnapshot(index, confState, data);
    await this.#removeSnapshotFilesBefore(index);
    return snap;
  }

  /**
   * Drops the entries before `index` (which must be covered by the snapshot: `index` ≤ snapshot
   * index) from memory, writes a checkpoint record (snapshot marker + hard state), and deletes
   * every record-log file whose records are no longer needed (record log `truncateBefore`).
   * @throws RaftError `compacted` if already compacted that far; ShoalError ParameterInvalid if
   *   `index` is beyond the snapshot; IoFailed on a disk failure.
   */
  async compact(index: number): Promise<void> {
    const snapIndex = this.#mem.snapshot().metadata.index;
    if (!Number.isSafeInteger(index) || index > snapIndex) {
      throw invalidParameter(`DiskStorage.compact(${index}): index must be an integer ≤ the snapshot index ${snapIndex} (create a snapshot first)`);
    }
    this.#mem.compact(index);
    const checkpoint = await this.#append({ s: this.#mem.snapshot().metadata, h: this.#mem.initialState().hardState });
    this.#unsyncedHard = null;
    let keep = checkpoint;
    const retained = this.#runs.filter((r) => r.first <= index + 1);
    if (index + 1 <= this.#mem.lastIndex() && retained.length > 0) keep = retained[retained.length - 1].lsn;
    this.#runs = this.#runs.filter((r) => r.lsn >= keep);
    await this.#wal.truncateBefore(keep);
  }

  /** Writes a pending unsynced hard state (synced), then closes the record log. */
  async close(): Promise<void> {
    if (this.#unsyncedHard !== null) {
      const h = this.#unsyncedHard;
      this.#unsyncedHard = null;
      await this.#append({ h });
    }
    await this.#wal.close();
  }

  async #append(rec: StorageRecord): Promise<bigint> {
    const lsn = await this.#wal.append(encode(rec));
    this.#syncs++;
    return lsn;
  }

  async #writeSnapshotFile(snap: Snapshot): Promise<void> {
    const path = `${this.#dir}/snap/${snapFileName(snap.metadata.index)}`;
    await ioCall(this.#dir, `writing ${path}`, async () => {
      await this.#disk.mkdirp(`${this.#dir}/snap`);
      await this.#disk.writeFileAtomic(path, encode({ metadata: snap.metadata, data: snap.data }));
    });
  }

  async #removeSnapshotFilesBefore(index: number): Promise<void> {
    const dir = `${this.#dir}/snap`;
    await ioCall(this.#dir, 'removing old snapshots', async () => {
      for (const name of await this.#disk.list(dir)) {
        const m = SNAP_NAME.exec(name);
        if (m !== null && Number(m[1]) < index) await this.#disk.remove(`${dir}/${name}`);
      }
    });
  }
}

/**
 * Removes, in place, the runs starting at or after entry index `f` (overwritten by a record whose
 * entries start at `f`) and returns `runs`. Runs are kept sorted by `first` (each new run starts
 * after every run it does not overwrite), so this pops from the end: amortized O(1) per record.
 */
function dropRunsFrom(runs: Run[], f: number): Run[] {
  while (runs.length > 0 && runs[runs.length - 1].first >= f) runs.pop();
  return runs;
}

const SNAP_NAME = /^(\d{20})\.snap$/;

function snapFileName(index: number): string {
  return `${String(index).padStart(20, '0')}.snap`;
}

/**
 * Opens (creating if missing) the durable Raft storage in directory `dir` of `disk`: recovers
 * the record log (a torn tail is cut by the record log), replays its records (entries with
 * overwrite semantics, last hard state, last snapshot marker, whose data file is read back) and
 * returns the storage. A new directory is initialised with `opts.confState` (one synced record).
 * @throws ShoalError IoFailed for corruption (a bad record in the middle of the log, naming the
 *   file and byte offset; an undecodable record, a gap in the entries, a missing snapshot file);
 *   ParameterInvalid for a bad `confState` or `segmentBytes`.
 */
export async function openDiskStorage(disk: Disk, dir: string, opts: DiskStorageOptions = {}): Promise<DiskStorage> {
  if (dir === '') throw invalidParameter('openDiskStorage: dir must be a non-empty directory path');
  const initialConf = opts.confState ?? { voters: [], learners: [] };
  const mem0 = new MemoryStorage(initialConf); // validates the ids
  const { wal, records } = await openWal(disk, `${dir}/wal`, opts.segmentBytes === undefined ? {} : { segmentBytes: opts.segmentBytes });
  let ents: Entry[] = [];
  let start = 0;
  const runs: Run[] = [];
  let snap: SnapshotMetadata | null = null;
  let hard: HardState = { term: 0, vote: 0, commit: 0 };
  let count = 0;
  try {
    for await (const r of records) {
      count++;
      const rec = decodeStorageRecord(dir, r.lsn, r.payload);
      if (rec.s !== undefined) {
        if (snap !== null && rec.s.index < snap.index) throw corrupt(dir, r.lsn, `snapshot marker ${rec.s.index} older than ${snap.index}`);
        snap = rec.s;
        const keepFrom = snap.index + 1;
        if (ents.length === 0 || start + ents.length - 1 < keepFrom) {
          ents = [];
          start = keepFrom;
        } else if (start < keepFrom) {
          ents = ents.slice(keepFrom - start);
          start = keepFrom;
        }
      }
      if (rec.e !== undefined && rec.f !== undefined) {
        const f = rec.f;
        if (ents.length === 0 || f < start) {
          ents = [];
          start = f;
        } else if (f > start + ents.length) {
          throw corrupt(dir, r.lsn, `entries from ${f} leave a gap after the last entry ${start + ents.length - 1}`);
        }
        // In place (amortized O(record), not O(log length): a shard's log holds 100k+ records).
        ents.length = f - start;
        for (const [i, e] of rec.e.entries()) ents.push({ term: e.term, index: f + i, type: e.type, data: e.data });
        dropRunsFrom(runs, f);
        if (rec.e.length > 0) runs.push({ first: f, lsn: r.lsn });
      }
      if (rec.h !== undefined) hard = rec.h;
    }
  } catch (err) {
    await wal.close().catch(() => undefined);
    throw err;
  }
  if (count === 0) {
    const storage = new DiskStorage(disk, dir, wal, mem0, []);
    await wal.append(encode({ s: { index: 0, term: 0, confState: initialConf } }));
    return storage;
  }
  if (snap === null) {
    await wal.close().catch(() => undefined);
    throw corrupt(dir, 1n, 'no snapshot marker in the log (the first record of a new log is one)');
  }
  const snapIndex = snap.index;
  if (ents.length > 0 && start <= snapIndex) {
    ents = ents.slice(Math.min(ents.length, snapIndex + 1 - start));
    start = snapIndex + 1;
  }
  if (ents.length > 0 && start > snapIndex + 1) {
    await wal.close().catch(() => undefined);
    throw corrupt(dir, 0n, `the retained entries start at ${start} but the snapshot ends at ${snapIndex}`);
  }
  const mem = new MemoryStorage(snap.confState);
  if (snapIndex > 0) {
    const data = await readSnapshotData(disk, dir, snap).catch(async (err: unknown) => {
      await wal.close().catch(() => undefined);
      throw err;
    });
    mem.applySnapshot({ metadata: snap, data });
  }
  mem.append(ents);
  mem.setHardState(hard);
  return new DiskStorage(disk, dir, wal, mem, runs);
}

async function readSnapshotData(disk: Disk, dir: string, meta: SnapshotMetadata): Promise<Uint8Array> {
  const path = `${dir}/snap/${snapFileName(meta.index)}`;
  const bytes = await ioCall(dir, `reading ${path}`, () => disk.readFile(path));
  let v: unknown;
  try {
    v = decode(bytes);
  } catch (err) {
    throw new ShoalError(ErrorCode.IoFailed, `raft storage ${dir}: snapshot file ${path} is corrupt: ${err instanceof Error ? err.message : String(err)}`);
  }
  const o = v as { metadata?: SnapshotMetadata; data?: unknown };
  if (typeof o !== 'object' || o === null || !(o.data instanceof Uint8Array) || o.metadata?.index !== meta.index || o.metadata.term !== meta.term) {
    throw new ShoalError(ErrorCode.IoFailed, `raft storage ${dir}: snapshot file ${path} does not hold snapshot ${meta.index}/${meta.term}`);
  }
  return o.data;
}

/** Decodes and shape-checks one record; anything else is corruption (IoFailed naming the LSN). */
function decodeStorageRecord(dir: string, lsn: bigint, payload: Uint8Array): StorageRecord {
  let v: unknown;
  try {
    v = decode(payload);
  } catch (err) {
    throw corrupt(dir, lsn, `undecodable record (${err instanceof Error ? err.message : String(err)})`);
  }
  if (typeof v !== 'object' || v === null) throw corrupt(dir, lsn, 'a record must be an object');
  const rec = v as StorageRecord;
  const isIndex = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
  if (rec.s !== undefined) {
    const s = rec.s;
    if (!isIndex(s.index) || !isIndex(s.term) || !Array.isArray(s.confState?.voters) || !Array.isArray(s.confState.learners)) {
      throw corrupt(dir, lsn, 'malformed snapshot marker');
    }
  }
  if (rec.e !== undefined) {
    if (!isIndex(rec.f) || rec.f < 1 || !Array.isArray(rec.e)) throw corrupt(dir, lsn, 'malformed entries record');
    for (const e of rec.e) {
      if (!isIndex(e.term) || !ENTRY_TYPES.has(e.type) || !(e.data instanceof Uint8Array)) throw corrupt(dir, lsn, 'malformed entry');
    }
  }
  if (rec.h !== undefined && (!isIndex(rec.h.term) || !isIndex(rec.h.vote) || !isIndex(rec.h.commit))) {
    throw corrupt(dir, lsn, 'malformed hard state');
  }
  return rec;
}

function corrupt(dir: string, lsn: bigint, reason: string): ShoalError {
  return new ShoalError(ErrorCode.IoFailed, `raft storage ${dir}: record ${lsn} of ${dir}/wal is corrupt: ${reason}`);
}

async function ioCall<T>(dir: string, what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof ShoalError) throw err;
    throw new ShoalError(ErrorCode.IoFailed, `raft storage ${dir}: ${what} failed: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function copyConf(cs: ConfState): ConfState {
  return { voters: [...cs.voters], learners: [...cs.learners] };
}
