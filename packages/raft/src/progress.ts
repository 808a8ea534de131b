import type { ConfState, NodeId } from './types.ts';

/**
 * A bounded window of in-flight append messages (etcd raft `tracker.Inflights`): the last index
 * and payload bytes of each unacknowledged MsgApp sent to one follower in replicate state.
 */
export class Inflights {
  private readonly queue: { index: number; bytes: number }[] = [];
  private bytes = 0;
  readonly maxCount: number;
  readonly maxBytes: number;

  /** @param maxCount most messages in flight (≥ 1). @param maxBytes most payload bytes in flight (Infinity = no limit). */
  constructor(maxCount: number, maxBytes: number) {
    this.maxCount = maxCount;
    this.maxBytes = maxBytes;
  }

  /** Records a sent append ending at `index` carrying `bytes` of payload. */
  add(index: number, bytes: number): void {
    this.queue.push({ index, bytes });
    this.bytes += bytes;
  }

  /** Frees every message with last index ≤ `to` (acknowledged). */
  freeLE(to: number): void {
    let n = 0;
    while (n < this.queue.length && this.queue[n].index <= to) this.bytes -= this.queue[n++].bytes;
    this.queue.splice(0, n);
  }

  /** Frees the oldest message (a heartbeat response proves the follower is alive). */
  freeFirstOne(): void {
    const first = this.queue.shift();
    if (first) this.bytes -= first.bytes;
  }

  /** Whether no more appends may be sent. */
  full(): boolean {
    return this.queue.length >= this.maxCount || this.bytes >= this.maxBytes;
  }

  /** Messages in flight. */
  count(): number {
    return this.queue.length;
  }

  /** Forgets every message in flight. */
  reset(): void {
    this.queue.length = 0;
    this.bytes = 0;
  }
}

/** Replication state of a follower as seen by the leader (etcd raft tracker/state.go). */
export type ProgressState = 'probe' | 'replicate' | 'snapshot';

/**
 * The leader's view of one follower (etcd raft `tracker.Progress`): `match` is the highest index
 * known replicated, `next` the next index to send (Raft paper Figure 2, matchIndex/nextIndex).
 * In `probe` one append is sent per heartbeat interval until a match is found; in `replicate`
 * appends are pipelined up to the {@link Inflights} limit; in `snapshot` nothing is sent until the
 * snapshot is applied.
 */
export class Progress {
  match = 0;
  next: number;
  state: ProgressState = 'probe';
  pendingSnapshot = 0;
  /** Heard from since the last check-quorum round. */
  recentActive = false;
  /** In probe state: an append was sent and not answered yet. */
  probeSent = false;
  /**
   * The highest commit index sent to this follower in an append or heartbeat (etcd raft v3.6
   * `Progress.sentCommit`); lets the leader skip commit-only appends the follower already has.
   */
  sentCommit = 0;
  isLearner: boolean;
  readonly inflights: Inflights;

  constructor(next: number, isLearner: boolean, maxInflight: number, maxInflightBytes: number) {
    this.next = next;
    this.isLearner = isLearner;
    this.inflights = new Inflights(maxInflight, maxInflightBytes);
  }

  private resetState(state: ProgressState): void {
    this.probeSent = false;
    this.pendingSnapshot = 0;
    this.state = state;
    this.inflights.reset();
  }

  /** Back to probing from match+1 (or past a snapshot just sent). */
  becomeProbe(): void {
    if (this.state === 'snapshot') {
      const pending = this.pendingSnapshot;
      this.resetState('probe');
      this.next = Math.max(this.match + 1, pending + 1);
    } else {
      this.resetState('probe');
      this.next = this.match + 1;
    }
  }

  /** Optimistic pipelining from match+1. */
  becomeReplicate(): void {
    this.resetState('replicate');
    this.next = this.match + 1;
  }

  /** Waits for the snapshot at `snapshotIndex` to be applied. */
  becomeSnapshot(snapshotIndex: number): void {
    this.resetState('snapshot');
    this.pendingSnapshot = snapshotIndex;
  }

  /** Records an acknowledgement up to `n`; true if `match` grew. */
  maybeUpdate(n: number): boolean {
    let updated = false;
    if (this.match < n) {
      this.match = n;
      updated = true;
      this.probeSent = false;
    }
    this.next = Math.max(this.next, n + 1);
    return updated;
  }

  /**
   * Handles a rejected append of index `rejected`, with the follower's hint `matchHint`; false if
   * the rejection is stale (etcd `MaybeDecrTo`).
   */
  maybeDecrTo(rejected: number, matchHint: number): boolean {
    if (this.state === 'replicate') {
      if (rejected <= this.match) return false;
      this.next = this.match + 1;
      return true;
    }
    if (this.next - 1 !== rejected) return false;
    this.next = Math.max(Math.min(rejected, matchHint + 1), this.match + 1, 1);
    this.probeSent = false;
    return true;
  }

  /** Whether the leader must not send appends now (probe sent, window full, or snapshot pending). */
  isPaused(): boolean {
    switch (this.state) {
      case 'probe': return this.probeSent;
      case 'replicate': return this.inflights.full();
      case 'snapshot': return true;
    }
  }
}

/** Outcome of a vote count. */
export type VoteResult = 'won' | 'lost' | 'pending';

/**
 * Membership and per-node progress (etcd raft `tracker.ProgressTracker`, single configuration;
 * majority quorums of the voters, Raft paper §5.2). Learners have progress but never count.
 */
export class ProgressTracker {
  readonly progress = new Map<NodeId, Progress>();
  voters = new Set<NodeId>();
  learners = new Set<NodeId>();
  readonly votes = new Map<NodeId, boolean>();

  /** Votes needed for a majority of the voters. */
  quorum(): number {
    return Math.floor(this.voters.size / 2) + 1;
  }

  /** The current configuration, ids sorted. */
  confState(): ConfState {
    return { voters: [...this.voters].sort((a, b) => a - b), learners: [...this.learners].sort((a, b) => a - b) };
  }

  /** The largest index replicated on a quorum of voters (0 with no voters). */
  committed(): number {
    if (this.voters.size === 0) return 0;
    const matches = [...this.voters].map((id) => this.progress.get(id)?.match ?? 0).sort((a, b) => b - a);
    return matches[this.quorum() - 1];
  }

  /** Whether a quorum of voters (counting `self`) was recently active (check-quorum, Raft thesis §6.2). */
  quorumActive(self: NodeId): boolean {
    let n = 0;
    for (const id of this.voters) if (id === self || this.progress.get(id)?.recentActive) n++;
    return n >= this.quorum();
  }

  /** Clears the votes of the last election. */
  resetVotes(): void {
    this.votes.clear();
  }

  /** Records `id`'s first answer in this election. */
  recordVote(id: NodeId, granted: boolean): void {
    if (!this.votes.has(id)) this.votes.set(id, granted);
  }

  /** Counts the votes: won with a majority granted, lost when a majority is no longer possible. */
  tallyVotes(): { granted: number; rejected: number; result: VoteResult } {
    let granted = 0;
    let rejected = 0;
    for (const id of this.voters) {
      const v = this.votes.get(id);
      if (v === true) granted++;
      else if (v === false) rejected++;
    }
    const q = this.quorum();
    const result: VoteResult = granted >= q ? 'won' : this.voters.size - rejected < q ? 'lost' : 'pending';
    return { granted, rejected, result };
  }
}
