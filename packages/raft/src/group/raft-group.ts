/**
 * `RaftGroup`: a {@link RaftNode} driven through Env (DESIGN.md, "Raft"): ticks from `env.timers`,
 * a ready loop that persists to a {@link DiskStorage}, sends through a {@link RaftTransport},
 * applies committed entries to the user's state machine and advances (the etcd raft `Ready`
 * protocol, go.etcd.io/raft doc.go). See docs/raft-group.md.
 */
import { ErrorCode, ShoalError, invalidParameter, notSupported } from '@shoal/actors';
import type { Env } from '@shoal/actors';
import type { ConfChange } from '../conf-change.ts';
import { decodeConfChange } from '../conf-change.ts';
import { RaftError } from '../errors.ts';
import type { Ready } from '../node.ts';
import { RaftNode } from '../node.ts';
import type { Entry, Message, NodeId } from '../types.ts';
import type { DiskStorage } from './disk-storage.ts';
import type { RaftGroupObserver, RaftGroupOptions, RaftGroupStatus, RaftStateMachine, RaftTransport } from './options.ts';

interface Waiter {
  term: number;
  /** For reads: the tick count after which the read is given up (its request or reply was lost). */
  expiresAtTick?: number;
  resolve: (index: number) => void;
  reject: (err: ShoalError) => void;
}

/**
 * A running Raft group member. Proposals are accepted on the leader only (a follower rejects
 * with RaftError `proposalDropped` naming the leader; forward them at the application level). A
 * proposal of a leader that steps down settles when its entry commits, or rejects once the entry
 * is overwritten or cut from the log; a read that is not confirmed within two election timeouts
 * (its request or the reply was lost) rejects.
 * Group commit: while one Ready is being persisted, new proposals accumulate in Raft's unstable
 * log and are written with one record and one fsync in the next Ready.
 */
export class RaftGroup {
  readonly #env: Env;
  readonly #node: RaftNode;
  readonly #storage: DiskStorage;
  readonly #transport: RaftTransport;
  readonly #sm: RaftStateMachine;
  readonly #tickMs: number;
  readonly #proposals = new Map<number, Waiter>();
  readonly #reads = new Map<string, Waiter>();
  /** Ticks since the group started (the clock of read deadlines). */
  #ticks = 0;
  #appliedWaiters: Array<{ index: number; resolve: () => void; reject: (e: ShoalError) => void }> = [];
  #readSeq = 0;
  #timer: { readonly id: number } | null = null;
  #running = false;
  #loopDone: Promise<void> = Promise.resolve();
  #serial: Promise<void> = Promise.resolve();
  /** Exclusive sections queued or running (the in-memory fast path waits until none is). */
  #exclusiveQueued = 0;
  #failure: ShoalError | null = null;
  #closed = false;
  readonly #observer: RaftGroupObserver | undefined;
  readonly #mutations: ReadonlySet<string>;
  /** Highest index handed to the state machine before commit (`apply-uncommitted` mutation only). */
  #eagerApplied = 0;

  /** Use {@link openRaftGroup}. */
  constructor(env: Env, node: RaftNode, storage: DiskStorage, opts: RaftGroupOptions, tickMs: number) {
    this.#env = env;
    this.#node = node;
    this.#storage = storage;
    this.#transport = opts.transport;
    this.#sm = opts.stateMachine;
    this.#tickMs = tickMs;
    this.#observer = opts.observer;
    this.#mutations = opts.mutations ?? new Set();
  }

  /** This node's id. */
  get id(): NodeId {
    return this.#node.raft.id;
  }

  /** Index of the last entry in this node's log, including proposals not yet persisted (updated synchronously by {@link propose}). */
  get lastIndex(): number {
    return this.#node.raft.log.lastIndex();
  }

  /** The storage (read-only use: firstIndex, snapshot, syncCount). */
  get storage(): DiskStorage {
    return this.#storage;
  }

  /** Current term, leader, role, commit/applied/last indexes. */
  status(): RaftGroupStatus {
    const r = this.#node.raft;
    return { id: r.id, term: r.term, lead: r.lead, state: r.state, commit: r.log.committed, applied: r.log.applied, lastIndex: r.log.lastIndex() };
  }

  /**
   * Proposes `data` (non-empty). On the leader the entry's index is `lastIndex` right after the
   * call. Resolves with that index once the entry is committed and applied locally.
   * @throws (rejects) RaftError `proposalDropped` if this node is not the leader, a transfer is
   *   in progress, or the entry was overwritten by another leader's entry; ShoalError IoFailed
   *   after a disk failure or when the group is closed; ParameterInvalid for empty/non-bytes data.
   */
  propose(data: Uint8Array): Promise<number> {
    if (!(data instanceof Uint8Array) || data.byteLength === 0) {
      return Promise.reject(invalidParameter('RaftGroup.propose: data must be a non-empty Uint8Array (empty entries are Raft no-ops)'));
    }
    return this.#proposeWith(() => this.#node.propose(data));
  }

  /**
   * Proposes a membership change; resolves with its index once committed and applied.
   * @throws (rejects) as {@link propose}, also when another change is pending.
   */
  proposeConfChange(cc: ConfChange): Promise<number> {
    return this.#proposeWith(() => this.#node.proposeConfChange(cc));
  }

  /**
   * A linearizable read point (ReadIndex, Raft thesis §6.4): resolves with an index that this
   * node has applied, after confirming leadership with a quorum. Works on followers (asks the leader).
   * @throws (rejects) RaftError `proposalDropped` without a leader, if leadership changes
   *   before the read completes, or if it is not confirmed within two election timeouts (the
   *   request or the reply was lost: retry); IoFailed when failed/closed.
   */
  readIndex(): Promise<number> {
    const stopped = this.#stoppedError();
    if (stopped !== null) return Promise.reject(stopped);
    const seq = ++this.#readSeq;
    const ctx = readContext(seq);
    try {
      this.#node.readIndex(ctx);
    } catch (err) {
      return Promise.reject(err);
    }
    const expiresAtTick = this.#ticks + 2 * this.#node.raft.electionTimeout;
    const p = new Promise<number>((resolve, reject) => this.#reads.set(key(ctx), { term: this.#node.raft.term, expiresAtTick, resolve, reject }));
    this.#kick();
    return p;
  }

  /** Starts an election now. */
  campaign(): void {
    if (this.#stoppedError() !== null) return;
    this.#node.campaign();
    this.#kick();
  }

  /** Asks the leader to hand leadership to `id`. @throws ParameterInvalid for a non-positive id. */
  transferLeader(id: NodeId): void {
    if (!Number.isSafeInteger(id) || id <= 0) throw invalidParameter(`RaftGroup.transferLeader: id must be a positive integer, got ${id}`);
    if (this.#stoppedError() !== null) return;
    this.#node.transferLeader(id);
    this.#kick();
  }

  /**
   * Steps a message from a peer (decoded with `decodeMessage`). Ignored after failure/close.
   * @throws ShoalError ParameterInvalid for a malformed message (see RaftNode.step).
   */
  receive(msg: Message): void {
    if (this.#stoppedError() !== null) return;
    this.#node.step(msg);
    this.#kick();
  }

  /**
   * Takes a snapshot with `stateMachine.snapshot()` at the applied index (or at `snapshotIndex`)
   * and drops the log before `index` (default and maximum: the snapshot index). Runs between two
   * Readies. Resolves with the snapshot index (unchanged if it would not be newer).
   *
   * `snapshotIndex` (≤ applied) is for a state machine whose durable state lives elsewhere and
   * covers only a prefix of the applied log (the shard: its checkpoint in the object store); then
   * `snapshot()` must describe the state at `snapshotIndex` (the shard returns empty data), and
   * entries after it are re-delivered after a restart.
   * @throws notSupported without `stateMachine.snapshot`, or for a `snapshotIndex` with a
   *   membership change after it (the marker records the current membership); ParameterInvalid
   *   for an `index` that is not an integer or a `snapshotIndex` that is not an integer in
   *   [0, applied] (the group keeps running); IoFailed on disk failure (fail-stop).
   */
  async compact(index?: number, snapshotIndex?: number): Promise<number> {
    const takeSnapshot = this.#sm.snapshot;
    if (takeSnapshot === undefined) throw notSupported('RaftGroup.compact without stateMachine.snapshot()');
    const stopped = this.#stoppedError();
    if (stopped !== null) throw stopped;
    if (index !== undefined && !Number.isSafeInteger(index)) {
      throw invalidParameter(`RaftGroup.compact: index must be an integer (the log is dropped before it, at most up to the snapshot index), got ${index}`);
    }
    if (snapshotIndex !== undefined && (!Number.isSafeInteger(snapshotIndex) || snapshotIndex < 0 || snapshotIndex > this.#node.raft.log.applied)) {
      throw invalidParameter(`RaftGroup.compact: snapshotIndex must be an integer in [0, ${this.#node.raft.log.applied}] (the applied index), got ${snapshotIndex}`);
    }
    let result = 0;
    let refused: ShoalError | null = null;
    await this.#exclusive(async () => {
      const applied = this.#node.raft.log.applied;
      const at = snapshotIndex ?? applied;
      const cur = this.#storage.snapshot().metadata.index;
      if (at > cur && at < applied && this.#storage.entries(at + 1, applied + 1, Infinity).some((e) => e.type === 'confChange')) {
        refused = notSupported(`RaftGroup.compact: a snapshot at ${at} with a membership change after it (up to ${applied})`);
        return;
      }
      if (at > cur) await this.#storage.createSnapshot(at, this.#node.raft.tracker.confState(), takeSnapshot.call(this.#sm));
      const snapIndex = this.#storage.snapshot().metadata.index;
      const to = Math.min(index ?? snapIndex, snapIndex);
      if (to >= this.#storage.firstIndex()) await this.#storage.compact(to);
      result = snapIndex;
    }).catch((err: unknown) => {
      this.#fail(err);
      throw this.#failure;
    });
    if (refused !== null) throw refused;
    return result;
  }

  /** Stops the timer, waits for the ready loop, rejects what is pending and closes the files. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#timer !== null) this.#env.timers.clear(this.#timer);
    this.#timer = null;
    await this.#loopDone;
    await this.#serial;
    this.#rejectAll(new ShoalError(ErrorCode.IoFailed, `raft group ${this.id}: closed`));
    await this.#storage.close().catch(() => undefined);
  }

  /** Starts ticking and processing; used by {@link openRaftGroup}. */
  start(): void {
    this.#scheduleTick();
    this.#kick();
  }

  /** Resolves once the applied index reaches `index`. */
  waitApplied(index: number): Promise<void> {
    if (this.#node.raft.log.applied >= index) return Promise.resolve();
    const stopped = this.#stoppedError();
    if (stopped !== null) return Promise.reject(stopped);
    return new Promise((resolve, reject) => this.#appliedWaiters.push({ index, resolve, reject }));
  }

  #proposeWith(step: () => void): Promise<number> {
    const stopped = this.#stoppedError();
    if (stopped !== null) return Promise.reject(stopped);
    const r = this.#node.raft;
    if (r.state !== 'leader') {
      return Promise.reject(new RaftError('proposalDropped', `raft group node ${r.id}: not the leader (leader: ${r.lead === 0 ? 'unknown' : r.lead}); propose on the leader`));
    }
    try {
      step();
    } catch (err) {
      return Promise.reject(err);
    }
    const index = r.log.lastIndex();
    const p = new Promise<number>((resolve, reject) => this.#proposals.set(index, { term: r.term, resolve, reject }));
    this.#kick();
    return p;
  }

  #stoppedError(): ShoalError | null {
    if (this.#failure !== null) return this.#failure;
    if (this.#closed) return new ShoalError(ErrorCode.IoFailed, `raft group ${this.id}: closed`);
    return null;
  }

  #scheduleTick(): void {
    this.#timer = this.#env.timers.set(this.#tickMs, () => {
      if (this.#stoppedError() !== null) return;
      this.#ticks++;
      if (this.#reads.size > 0) this.#expireReads();
      this.#node.tick();
      this.#kick();
      this.#scheduleTick();
    });
  }

  #kick(): void {
    if (this.#running || this.#stoppedError() !== null) return;
    this.#running = true;
    this.#loopDone = this.#runLoop();
  }

  async #runLoop(): Promise<void> {
    try {
      while (this.#failure === null && this.#node.hasReady()) {
        const rd = this.#node.ready();
        const fast = this.#exclusiveQueued === 0 ? this.#handleInMemory(rd) : false;
        if (fast === false) await this.#exclusive(() => this.#handle(rd));
        else if (fast !== true) await fast;
      }
    } catch (err) {
      this.#fail(err);
    } finally {
      this.#running = false;
    }
  }

  /** Runs `fn` after every earlier exclusive section (Ready handling, compaction). */
  #exclusive(fn: () => Promise<void>): Promise<void> {
    this.#exclusiveQueued++;
    const run = this.#serial.then(fn).finally(() => { this.#exclusiveQueued--; });
    this.#serial = run.catch(() => undefined);
    return run;
  }

  /**
   * Handles, synchronously, a Ready that needs no disk write and no asynchronous apply: no
   * snapshot, no entries, nothing that must be synced (a heartbeat and its response, a vote
   * refused, a read-index round, a commit-index change applying nothing or applying entries
   * synchronously). Returns true when done, a promise when the state machine applies
   * asynchronously (the Ready is finished when it settles), or false, having done nothing, if the
   * Ready needs the full {@link RaftGroup.#handle} path. Most Readies of a healthy group are
   * in-memory ones, and skipping the promise hops of the async path matters (the simulator runs
   * millions of them).
   */
  #handleInMemory(rd: Ready): boolean | Promise<void> {
    if (rd.snapshot !== undefined || rd.entries.length > 0 || rd.mustSync || this.#mutations.size > 0) return false;
    if (rd.committedEntries.some((e) => e.type === 'confChange')) return false;
    this.#observer?.ready?.(rd, this.#node);
    if (rd.softState !== undefined) this.#rejectReads();
    if (rd.hardState !== undefined) this.#storage.keepHardState(rd.hardState);
    this.#observer?.persisted?.(rd, this.#node);
    this.#sendAll(rd.messages);
    const batch = rd.committedEntries.filter((e) => e.type === 'normal' && e.data.byteLength > 0);
    if (batch.length > 0) {
      const applying = this.#sm.apply(batch);
      if (applying !== undefined) return this.#exclusive(async () => { await applying; this.#finish(rd); });
    }
    this.#finish(rd);
    return true;
  }

  async #handle(rd: Ready): Promise<void> {
    this.#observer?.ready?.(rd, this.#node);
    if (rd.softState !== undefined) this.#rejectReads();
    for (const e of rd.entries) this.#settle(e, false);
    if (this.#mutations.has('apply-uncommitted')) {
      const eager = rd.entries.filter((e) => e.type === 'normal' && e.data.byteLength > 0);
      if (eager.length > 0) await this.#sm.apply(eager);
      this.#eagerApplied = Math.max(this.#eagerApplied, ...rd.entries.map((e) => e.index));
    }
    if (this.#mutations.has('ack-before-fsync')) {
      this.#sendAll(rd.messages);
      await this.#applyCommitted(rd);
      await new Promise<void>((resolve) => this.#env.timers.set(this.#tickMs, resolve));
      await this.#storage.persist(rd);
      this.#observer?.persisted?.(rd, this.#node);
      this.#finish(rd);
      return;
    }
    await this.#storage.persist(rd);
    this.#observer?.persisted?.(rd, this.#node);
    if (rd.entries.length > 0 && this.#proposals.size > 0 && this.#node.raft.state !== 'leader') this.#rejectCutProposals();
    this.#sendAll(rd.messages);
    await this.#applyCommitted(rd);
    this.#finish(rd);
  }

  /**
   * Sends messages. A snapshot handed to the transport is reported as sent (etcd's rafthttp
   * reports SnapshotFinish once the stream write completes): the leader moves the follower from
   * snapshot to probe state. Without it, a lost snapshot or a lost reply to it leaves the follower
   * in snapshot state for good (heartbeats never resume replication); if the follower did not get
   * it, the probe's rejection triggers a new snapshot.
   */
  #sendAll(messages: readonly Message[]): void {
    for (const m of messages) {
      this.#transport.send(m);
      if (m.type === 'snap') this.#node.reportSnapshot(m.to, true);
    }
  }

  /** Rejects the reads not confirmed within two election timeouts (a lost request or reply; etcd leaves this to the caller's context). */
  #expireReads(): void {
    for (const [k, w] of this.#reads) {
      if (w.expiresAtTick === undefined || w.expiresAtTick > this.#ticks) continue;
      this.#reads.delete(k);
      w.reject(new RaftError('proposalDropped', `raft group node ${this.id}: the read index was not confirmed within ${2 * this.#node.raft.electionTimeout} ticks (the request or its reply was lost); retry`));
    }
  }

  /**
   * On a node that is not the leader, rejects the proposals whose entries a new leader's log cut
   * off (the log now ends before them) or replaced (another term at their index): without this, a
   * deposed leader's proposal beyond the new leader's log would wait until something else is
   * written at its index, possibly forever in an idle group.
   */
  #rejectCutProposals(): void {
    const log = this.#node.raft.log;
    const last = log.lastIndex();
    for (const [i, w] of this.#proposals) {
      const t = i > last ? undefined : log.term(i);
      if (i <= last && (t === undefined || t === w.term)) continue;
      this.#proposals.delete(i);
      w.reject(new RaftError('proposalDropped', `raft group node ${this.id}: the proposal at index ${i} (term ${w.term}) was ${i > last ? 'cut from the log' : `replaced by an entry of term ${t}`} by a new leader`));
    }
  }

  /** Rejects the pending reads: leadership changed before they completed. */
  #rejectReads(): void {
    for (const [k, w] of this.#reads) {
      this.#reads.delete(k);
      w.reject(new RaftError('proposalDropped', `raft group node ${this.id}: leadership changed before the read completed`));
    }
  }

  /** Restores a Ready's snapshot and applies its committed entries (configuration changes to Raft). */
  async #applyCommitted(rd: Ready): Promise<void> {
    if (rd.snapshot !== undefined && rd.snapshot.metadata.index > 0) {
      const restore = this.#sm.restore;
      if (restore === undefined) throw notSupported('receiving a snapshot without stateMachine.restore()');
      await restore.call(this.#sm, rd.snapshot.data, rd.snapshot.metadata);
      for (const [i, w] of this.#proposals) {
        if (i > rd.snapshot.metadata.index) continue;
        this.#proposals.delete(i);
        w.reject(new RaftError('proposalDropped', `raft group node ${this.id}: entry ${i} was replaced by a snapshot; its outcome is unknown`));
      }
    }
    let batch: Entry[] = [];
    for (const e of rd.committedEntries) {
      if (e.index <= this.#eagerApplied && e.type === 'normal') continue; // applied already (apply-uncommitted mutation)
      if (e.type === 'confChange') {
        if (batch.length > 0) await this.#sm.apply(batch);
        batch = [];
        this.#node.applyConfChange(decodeConfChange(e.data));
      } else if (e.data.byteLength > 0) {
        batch.push(e);
      }
    }
    if (batch.length > 0) await this.#sm.apply(batch);
  }

  /** Advances Raft past a handled Ready and settles what it completed. */
  #finish(rd: Ready): void {
    this.#node.advance(rd);
    for (const e of rd.committedEntries) this.#settle(e, true);
    for (const rs of rd.readStates) {
      const k = key(rs.context);
      const w = this.#reads.get(k);
      if (w === undefined) continue;
      this.#reads.delete(k);
      w.resolve(rs.index);
    }
    const applied = this.#node.raft.log.applied;
    const due = this.#appliedWaiters.filter((w) => w.index <= applied);
    this.#appliedWaiters = this.#appliedWaiters.filter((w) => w.index > applied);
    for (const w of due) w.resolve();
  }

  /** Resolves (committed, same term) or rejects (another term's entry at that index) a proposal. */
  #settle(e: Entry, committed: boolean): void {
    const w = this.#proposals.get(e.index);
    if (w === undefined) return;
    if (w.term === e.term) {
      if (!committed) return;
      this.#proposals.delete(e.index);
      w.resolve(e.index);
      return;
    }
    this.#proposals.delete(e.index);
    w.reject(new RaftError('proposalDropped', `raft group node ${this.id}: the proposal at index ${e.index} (term ${w.term}) was overwritten by an entry of term ${e.term}`));
  }

  #fail(err: unknown): void {
    if (this.#failure !== null) return;
    this.#observer?.failed?.(err);
    const cause = err instanceof Error ? err.message : String(err);
    this.#failure = err instanceof ShoalError && err.code === ErrorCode.IoFailed
      ? err
      : new ShoalError(ErrorCode.IoFailed, `raft group ${this.id} stopped: ${cause}`);
    if (this.#timer !== null) this.#env.timers.clear(this.#timer);
    this.#timer = null;
    this.#rejectAll(this.#failure);
  }

  #rejectAll(err: ShoalError): void {
    for (const w of this.#proposals.values()) w.reject(err);
    this.#proposals.clear();
    for (const w of this.#reads.values()) w.reject(err);
    this.#reads.clear();
    for (const w of this.#appliedWaiters) w.reject(err);
    this.#appliedWaiters = [];
  }
}

/** The read-index context of read number `seq`: its 8 bytes, little-endian (an on-heap array: no DataView). */
function readContext(seq: number): Uint8Array {
  const ctx = new Uint8Array(8);
  let x = seq;
  for (let i = 0; i < 8; i++) {
    ctx[i] = x % 256;
    x = Math.floor(x / 256);
  }
  return ctx;
}

/** The map key of a read-index context: its bytes as a Latin-1 string. */
function key(ctx: Uint8Array): string {
  return String.fromCharCode.apply(null, ctx as unknown as number[]);
}
