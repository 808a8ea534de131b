import { invalidParameter } from '@shoal/actors';
import { RaftError, invariant } from './errors.ts';
import type { ConfState, Entry, HardState, Snapshot } from './types.ts';
import { limitSize } from './util.ts';

/**
 * Read access to the persisted Raft state (etcd raft's `Storage` interface, storage.go). The
 * state machine only reads through it; the application writes what `ready()` hands out (hard
 * state, entries, snapshot) before calling `advance()`. Methods throw a {@link RaftError} of kind
 * `compacted` for indexes before the first retained entry and `unavailable` beyond the last.
 */
export interface Storage {
  /** The persisted hard state and the configuration of the latest snapshot/config. */
  initialState(): { hardState: HardState; confState: ConfState };
  /** Entries in [lo, hi), at least one, at most `maxSize` bytes of data in total. */
  entries(lo: number, hi: number, maxSize: number): Entry[];
  /** Term of entry `i`, for i in [firstIndex − 1, lastIndex]. */
  term(i: number): number;
  /** Index of the first entry still in the log (snapshot index + 1). */
  firstIndex(): number;
  /** Index of the last entry (the snapshot index if the log is empty). */
  lastIndex(): number;
  /** The most recent snapshot; may throw RaftError `unavailable` while one is being produced (retried later). */
  snapshot(): Snapshot;
}

/**
 * An in-memory {@link Storage}, like etcd's `MemoryStorage`: `ents[0]` is a dummy entry holding
 * the snapshot's index and term. Used in tests and as the reference for the on-disk storage.
 */
export class MemoryStorage implements Storage {
  private hardState: HardState = { term: 0, vote: 0, commit: 0 };
  private snap: Snapshot;
  private ents: Entry[];

  /**
   * @param confState the initial configuration (a new cluster's voters/learners).
   * @throws ShoalError ParameterInvalid if an id is not a positive safe integer.
   */
  constructor(confState: ConfState = { voters: [], learners: [] }) {
    for (const id of [...confState.voters, ...confState.learners]) {
      if (!Number.isSafeInteger(id) || id <= 0) {
        throw invalidParameter(`MemoryStorage: node ids must be positive safe integers, got ${id}`);
      }
    }
    this.snap = { metadata: { index: 0, term: 0, confState: copyConf(confState) }, data: new Uint8Array() };
    this.ents = [{ term: 0, index: 0, type: 'normal', data: new Uint8Array() }];
  }

  initialState(): { hardState: HardState; confState: ConfState } {
    return { hardState: { ...this.hardState }, confState: copyConf(this.snap.metadata.confState) };
  }

  /** Persists the hard state (what `ready().hardState` carries). */
  setHardState(hs: HardState): void {
    this.hardState = { ...hs };
  }

  entries(lo: number, hi: number, maxSize: number): Entry[] {
    const offset = this.ents[0].index;
    if (lo <= offset) throw new RaftError('compacted', `entries(${lo}): compacted up to ${offset}`);
    if (hi > this.lastIndex() + 1) {
      throw new RaftError('unavailable', `entries(${lo}, ${hi}): last index is ${this.lastIndex()}`);
    }
    return limitSize(this.ents.slice(lo - offset, hi - offset), maxSize);
  }

  term(i: number): number {
    const offset = this.ents[0].index;
    if (i < offset) throw new RaftError('compacted', `term(${i}): compacted up to ${offset}`);
    if (i - offset >= this.ents.length) throw new RaftError('unavailable', `term(${i}): last index is ${this.lastIndex()}`);
    return this.ents[i - offset].term;
  }

  firstIndex(): number {
    return this.ents[0].index + 1;
  }

  lastIndex(): number {
    return this.ents[0].index + this.ents.length - 1;
  }

  snapshot(): Snapshot {
    return this.snap;
  }

  /**
   * Replaces the whole state with a snapshot received from the leader (`ready().snapshot`).
   * @throws RaftError `snapshotOutOfDate` if it is older than the current snapshot.
   */
  applySnapshot(snap: Snapshot): void {
    if (snap.metadata.index <= this.snap.metadata.index) {
      throw new RaftError('snapshotOutOfDate', `snapshot ${snap.metadata.index} is not newer than ${this.snap.metadata.index}`);
    }
    this.snap = snap;
    this.ents = [{ term: snap.metadata.term, index: snap.metadata.index, type: 'normal', data: new Uint8Array() }];
  }

  /**
   * Records a snapshot of the application state at applied index `i` (≤ last index), with the
   * configuration at that index. Call {@link compact} afterwards to drop the covered entries.
   * @throws RaftError `snapshotOutOfDate` if `i` is not newer than the current snapshot.
   */
  createSnapshot(i: number, confState: ConfState, data: Uint8Array): Snapshot {
    if (i <= this.snap.metadata.index) {
      throw new RaftError('snapshotOutOfDate', `snapshot at ${i} is not newer than ${this.snap.metadata.index}`);
    }
    if (i > this.lastIndex()) invariant(`createSnapshot(${i}) beyond last index ${this.lastIndex()}`);
    this.snap = { metadata: { index: i, term: this.term(i), confState: copyConf(confState) }, data };
    return this.snap;
  }

  /**
   * Discards entries before `compactIndex` (which becomes the dummy entry).
   * @throws RaftError `compacted` if already compacted; `invariant` if beyond the last index.
   */
  compact(compactIndex: number): void {
    const offset = this.ents[0].index;
    if (compactIndex <= offset) throw new RaftError('compacted', `compact(${compactIndex}): already compacted up to ${offset}`);
    if (compactIndex > this.lastIndex()) invariant(`compact(${compactIndex}) beyond last index ${this.lastIndex()}`);
    const i = compactIndex - offset;
    const dummy: Entry = { term: this.ents[i].term, index: this.ents[i].index, type: 'normal', data: new Uint8Array() };
    this.ents = [dummy, ...this.ents.slice(i + 1)];
  }

  /**
   * Appends (and overwrites conflicting suffixes with) entries handed out by `ready().entries`.
   * Entries already compacted are ignored. @throws RaftError `invariant` on a gap.
   */
  append(entries: readonly Entry[]): void {
    if (entries.length === 0) return;
    const first = this.firstIndex();
    let ents = entries;
    if (ents[ents.length - 1].index < first) return;
    if (first > ents[0].index) ents = ents.slice(first - ents[0].index);
    const offset = ents[0].index - this.ents[0].index;
    if (offset > this.ents.length) invariant(`append: missing log entries before ${ents[0].index} (last ${this.lastIndex()})`);
    // In place (amortized O(len(ents)), not O(log length)): entries() hands out copies.
    this.ents.length = offset;
    for (const e of ents) this.ents.push(e);
  }
}

function copyConf(cs: ConfState): ConfState {
  return { voters: [...cs.voters], learners: [...cs.learners] };
}
