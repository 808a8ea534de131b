import { RaftError, invariant } from './errors.ts';
import type { Storage } from './storage.ts';
import type { Entry, Snapshot } from './types.ts';
import { limitSize } from './util.ts';

/**
 * Entries and snapshot not yet persisted (etcd raft `unstable`, log_unstable.go). `entries[i]`
 * has index `offset + i`; `snapshot`, if set, precedes them.
 */
class Unstable {
  snapshot: Snapshot | undefined;
  entries: Entry[] = [];
  offset: number;

  constructor(offset: number) {
    this.offset = offset;
  }

  maybeFirstIndex(): number | undefined {
    return this.snapshot ? this.snapshot.metadata.index + 1 : undefined;
  }

  maybeLastIndex(): number | undefined {
    if (this.entries.length > 0) return this.offset + this.entries.length - 1;
    return this.snapshot ? this.snapshot.metadata.index : undefined;
  }

  maybeTerm(i: number): number | undefined {
    if (i < this.offset) {
      return this.snapshot && this.snapshot.metadata.index === i ? this.snapshot.metadata.term : undefined;
    }
    const last = this.maybeLastIndex();
    if (last === undefined || i > last) return undefined;
    return this.entries[i - this.offset].term;
  }

  stableTo(i: number, t: number): void {
    const gt = this.maybeTerm(i);
    if (gt === t && i >= this.offset) {
      this.entries = this.entries.slice(i + 1 - this.offset);
      this.offset = i + 1;
    }
  }

  stableSnapTo(i: number): void {
    if (this.snapshot && this.snapshot.metadata.index === i) this.snapshot = undefined;
  }

  restore(s: Snapshot): void {
    this.offset = s.metadata.index + 1;
    this.entries = [];
    this.snapshot = s;
  }

  truncateAndAppend(ents: Entry[]): void {
    const after = ents[0].index;
    // In place (amortized O(len(ents))): nothing outside holds this array (ready() copies it).
    if (after <= this.offset) {
      this.offset = after;
      this.entries = [];
    } else if (after < this.offset + this.entries.length) {
      this.entries.length = after - this.offset;
    }
    for (const e of ents) this.entries.push(e);
  }
}

/**
 * The Raft log (etcd raft `raftLog`, log.go): persisted entries in {@link Storage} followed by
 * unstable ones, plus the commit and applied indexes. Invariant: applied ≤ committed ≤ lastIndex.
 */
export class RaftLog {
  readonly storage: Storage;
  readonly unstable: Unstable;
  /** Highest index known to be committed (Raft paper Figure 2, commitIndex). */
  committed: number;
  /** Highest index the application has applied (lastApplied). */
  applied: number;

  /** @param storage the persisted log; the log starts with everything in it stable. */
  constructor(storage: Storage) {
    this.storage = storage;
    const first = storage.firstIndex();
    this.unstable = new Unstable(storage.lastIndex() + 1);
    this.committed = first - 1;
    this.applied = first - 1;
  }

  /** Index of the first entry still available (after the latest snapshot). */
  firstIndex(): number {
    return this.unstable.maybeFirstIndex() ?? this.storage.firstIndex();
  }

  /** Index of the last entry (or of the snapshot when the log is empty). */
  lastIndex(): number {
    return this.unstable.maybeLastIndex() ?? this.storage.lastIndex();
  }

  /** Term of entry `i`: 0 beyond the last index, undefined when compacted or unavailable. */
  term(i: number): number | undefined {
    const dummy = this.firstIndex() - 1;
    if (i < dummy) return undefined;
    if (i > this.lastIndex()) return 0;
    const t = this.unstable.maybeTerm(i);
    if (t !== undefined) return t;
    try {
      return this.storage.term(i);
    } catch (e) {
      if (e instanceof RaftError && (e.kind === 'compacted' || e.kind === 'unavailable')) return undefined;
      throw e;
    }
  }

  /** Term of the last entry. */
  lastTerm(): number {
    return this.term(this.lastIndex()) ?? invariant(`term of last index ${this.lastIndex()} unavailable`);
  }

  /** Whether entry `i` exists with term `t`. */
  matchTerm(i: number, t: number): boolean {
    return this.term(i) === t;
  }

  /** Candidate's log at least as up-to-date as ours (Raft paper §5.4.1). */
  isUpToDate(lastIndex: number, term: number): boolean {
    const ours = this.lastTerm();
    return term > ours || (term === ours && lastIndex >= this.lastIndex());
  }

  /** Index of the first entry of `ents` that conflicts with (or extends) the log, 0 if none. */
  findConflict(ents: readonly Entry[]): number {
    for (const e of ents) if (!this.matchTerm(e.index, e.term)) return e.index;
    return 0;
  }

  /**
   * The largest index ≤ `index` whose term is ≤ `term`, with that term (etcd
   * `findConflictByTerm`): lets a leader skip a whole term of conflicting entries at once
   * (Raft paper §5.3, "optimization"). A compacted index is returned with term 0 (unknown).
   */
  findConflictByTerm(index: number, term: number): [number, number] {
    for (; index > 0; index--) {
      const ours = this.term(index);
      if (ours === undefined) return [index, 0];
      if (ours <= term) return [index, ours];
    }
    return [0, 0];
  }

  /**
   * AppendEntries receiver steps 2–5 (Raft paper Figure 2): if entry `index` has term `logTerm`,
   * append `ents` (truncating a conflicting suffix), advance the commit index to
   * min(committed, last new index), and return the last new index; undefined on mismatch.
   */
  maybeAppend(index: number, logTerm: number, committed: number, ents: Entry[]): number | undefined {
    if (!this.matchTerm(index, logTerm)) return undefined;
    const lastNew = index + ents.length;
    const ci = this.findConflict(ents);
    if (ci !== 0) {
      if (ci <= this.committed) invariant(`entry ${ci} conflicts with committed entry (committed ${this.committed})`);
      this.append(ents.slice(ci - (index + 1)));
    }
    this.commitTo(Math.min(committed, lastNew));
    return lastNew;
  }

  /** Appends entries (overwriting a suffix from ents[0].index); returns the new last index. */
  append(ents: Entry[]): number {
    if (ents.length === 0) return this.lastIndex();
    if (ents[0].index - 1 < this.committed) invariant(`append at ${ents[0].index} overwrites committed ${this.committed}`);
    this.unstable.truncateAndAppend(ents);
    return this.lastIndex();
  }

  /** Entries not yet persisted (to hand out in `ready()`). */
  unstableEntries(): Entry[] {
    return this.unstable.entries;
  }

  /** Committed entries not yet applied, at most `maxSize` bytes (at least one entry). */
  nextCommittedEntries(maxSize: number): Entry[] {
    const lo = Math.max(this.applied + 1, this.firstIndex());
    if (this.committed + 1 <= lo) return [];
    return this.slice(lo, this.committed + 1, maxSize);
  }

  /** Whether committed entries await application. */
  hasNextCommittedEntries(): boolean {
    return this.committed + 1 > Math.max(this.applied + 1, this.firstIndex());
  }

  /** The latest snapshot: the unstable one, else storage's. */
  snapshot(): Snapshot {
    return this.unstable.snapshot ?? this.storage.snapshot();
  }

  /** Raises the commit index to `toCommit` (never lowers it); invariant error beyond the last index. */
  commitTo(toCommit: number): void {
    if (this.committed < toCommit) {
      if (this.lastIndex() < toCommit) invariant(`commit ${toCommit} is beyond last index ${this.lastIndex()}`);
      this.committed = toCommit;
    }
  }

  /** Records that entries up to `i` were applied (0 is ignored). */
  appliedTo(i: number): void {
    if (i === 0) return;
    if (i > this.committed || i < this.applied) invariant(`applied ${i} outside [${this.applied}, ${this.committed}]`);
    this.applied = i;
  }

  /** Leader commit rule: commit `maxIndex` only if its entry is from `term` (Raft paper §5.4.2). */
  maybeCommit(maxIndex: number, term: number): boolean {
    if (maxIndex > this.committed && this.term(maxIndex) === term) {
      this.commitTo(maxIndex);
      return true;
    }
    return false;
  }

  /** Replaces the log with a snapshot (InstallSnapshot receiver, Raft paper §7). */
  restore(s: Snapshot): void {
    this.committed = s.metadata.index;
    this.unstable.restore(s);
  }

  /** Entries from `i` to the end, at most `maxSize` bytes; throws RaftError `compacted` if `i` is compacted. */
  entries(i: number, maxSize: number): Entry[] {
    if (i > this.lastIndex()) return [];
    return this.slice(i, this.lastIndex() + 1, maxSize);
  }

  /** Entries in [lo, hi), at most `maxSize` bytes (at least one). Throws RaftError `compacted`. */
  slice(lo: number, hi: number, maxSize: number): Entry[] {
    if (lo > hi) invariant(`invalid slice ${lo} > ${hi}`);
    const first = this.firstIndex();
    if (lo < first) throw new RaftError('compacted', `slice(${lo}): compacted before ${first}`);
    if (hi > this.lastIndex() + 1) invariant(`slice(${lo}, ${hi}) beyond last index ${this.lastIndex()}`);
    if (lo === hi) return [];
    let ents: Entry[] = [];
    const off = this.unstable.offset;
    if (lo < off) {
      ents = this.storage.entries(lo, Math.min(hi, off), maxSize);
      if (ents.length < Math.min(hi, off) - lo) return ents; // hit the size limit
    }
    if (hi > off) ents = [...ents, ...this.unstable.entries.slice(Math.max(lo, off) - off, hi - off)];
    return limitSize(ents, maxSize);
  }
}
