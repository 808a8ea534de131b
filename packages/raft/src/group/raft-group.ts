/**
 * `RaftGroup`: a {@link RaftNode} driven through Env (DESIGN.md, "Raft"): ticks from `env.timers`,
 * a ready loop that persists to a {@link DiskStorage}, sends through a {@link RaftTransport},
 * applies committed entries to the user's state machine and advances (the etcd raft `Ready`
 * protocol, go.etcd.io/raft doc.go). See docs/raft-group.md.
 */
import { ErrorCode, ShoalError, invalidParameter, notSupported } from '@shoal/actors';
import type { AppendFile, Env } from '@shoal/actors';
import type { ConfChange } from '../conf-change.ts';
import { decodeConfChange } from '../conf-change.ts';
import { RaftError } from '../errors.ts';
import { RAFT_LIBRARY_MUTATIONS } from '../mutations.ts';
import type { RaftGroupMutation, RaftMutation } from '../mutations.ts';
import type { Ready } from '../node.ts';
import { RaftNode } from '../node.ts';
import type { Storage } from '../storage.ts';
import type { ConfState, Entry, HardState, Message, NodeId, SnapshotMetadata, StateRole } from '../types.ts';
import type { DiskStorage } from './disk-storage.ts';
import { openDiskStorage } from './disk-storage.ts';

/** Outgoing messages of a group. `send` must not throw (an unreachable peer is a silent drop). */
export interface RaftTransport {
  send(msg: Message): void;
}

/**
 * The replicated state machine, held in memory by the caller. `apply` receives committed normal
 * entries with non-empty data, in log order, each exactly once per process lifetime (after a
 * restart: again from the last snapshot, or from `appliedIndex`). Configuration-change entries
 * are applied to Raft by the group. An `apply` that throws stops the group (fail-stop).
 */
export interface RaftStateMachine {
  apply(entries: Entry[]): void | Promise<void>;
  /** The state after every applied entry, for {@link RaftGroup.compact}. */
  snapshot?(): Uint8Array;
  /** Replaces the state by a snapshot (from disk at open, or sent by the leader). */
  restore?(data: Uint8Array, metadata: SnapshotMetadata): void | Promise<void>;
}

/**
 * Read-only observation of a group's Ready loop, for tests and the simulator's event trace (which
 * needs leadership changes, persisted hard states and committed entries as they happen). `node`
 * is the group's Raft node: read it, never step or advance it. A callback must not throw.
 */
export interface RaftGroupObserver {
  /** `openRaftGroup` created the node from the recovered state (before any Ready, snapshot restore or start). */
  opened?(node: RaftNode): void;
  /** A Ready was taken from Raft (nothing of it persisted, sent or applied yet). */
  ready?(rd: Ready, node: RaftNode): void;
  /** The Ready's snapshot, entries and hard state reached the storage (durably, unless mutated). */
  persisted?(rd: Ready, node: RaftNode): void;
  /** The group stopped on `err` (a disk failure, a state machine or Raft invariant error). */
  failed?(err: unknown): void;
}

/** Options of {@link openRaftGroup}. */
export interface RaftGroupOptions {
  env: Env;
  /** Directory of the group's state on `env.disk` (non-empty). */
  dir: string;
  /** This node's id: a positive safe integer. */
  id: NodeId;
  /** Membership of a NEW group (ignored when `dir` already holds state). */
  confState?: ConfState;
  transport: RaftTransport;
  stateMachine: RaftStateMachine;
  /** Milliseconds per Raft tick; default 100. */
  tickMs?: number;
  /** Election timeout in ticks; default 10. */
  electionTicks?: number;
  /** Heartbeat interval in ticks; default 1. */
  heartbeatTicks?: number;
  preVote?: boolean;
  checkQuorum?: boolean;
  maxSizePerMsg?: number;
  maxInflightMsgs?: number;
  /**
   * Testing hook, off by default: planted defects. The Raft library's (`RAFT_LIBRARY_MUTATIONS`)
   * are passed to RaftConfig.mutations; the group's own (`RAFT_GROUP_MUTATIONS`, see
   * packages/raft/src/mutations.ts) change this driver.
   */
  mutations?: ReadonlySet<RaftMutation | RaftGroupMutation>;
  /** Testing hook: observes the Ready loop (see {@link RaftGroupObserver}). */
  observer?: RaftGroupObserver;
  /**
   * Index the caller's own durable state machine already holds (etcd `Config.Applied`): entries
   * ≤ it are not re-delivered after a restart. At most the persisted commit index. Default: the
   * snapshot index (everything after the snapshot is re-applied).
   */
  appliedIndex?: number;
  /** Record-log file size in bytes (default 64 MiB). */
  segmentBytes?: number;
}

/** A snapshot of the group's progress. */
export interface RaftGroupStatus {
  id: NodeId;
  term: number;
  lead: NodeId;
  state: StateRole;
  commit: number;
  applied: number;
  lastIndex: number;
}

interface Waiter {
  term: number;
  resolve: (index: number) => void;
  reject: (err: ShoalError) => void;
}

/**
 * A running Raft group member. Proposals are accepted on the leader only (a follower rejects
 * with RaftError `proposalDropped` naming the leader; forward them at the application level). A
 * proposal of a leader that steps down stays pending until its entry commits or is overwritten.
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
   * @throws (rejects) RaftError `proposalDropped` without a leader or if leadership changes
   *   before the read completes; IoFailed when failed/closed.
   */
  readIndex(): Promise<number> {
    const stopped = this.#stoppedError();
    if (stopped !== null) return Promise.reject(stopped);
    const seq = ++this.#readSeq;
    const ctx = new Uint8Array(8);
    new DataView(ctx.buffer).setFloat64(0, seq, true);
    try {
      this.#node.readIndex(ctx);
    } catch (err) {
      return Promise.reject(err);
    }
    const p = new Promise<number>((resolve, reject) => this.#reads.set(key(ctx), { term: this.#node.raft.term, resolve, reject }));
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
   *   for a `snapshotIndex` that is not an integer in [0, applied]; IoFailed on disk failure (fail-stop).
   */
  async compact(index?: number, snapshotIndex?: number): Promise<number> {
    const takeSnapshot = this.#sm.snapshot;
    if (takeSnapshot === undefined) throw notSupported('RaftGroup.compact without stateMachine.snapshot()');
    const stopped = this.#stoppedError();
    if (stopped !== null) throw stopped;
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

function key(ctx: Uint8Array): string {
  return Array.from(ctx, (b) => b.toString(16).padStart(2, '0')).join('');
}

function positiveInt(name: string, v: number | undefined, dflt: number): number {
  const x = v ?? dflt;
  if (!Number.isSafeInteger(x) || x < 1) throw invalidParameter(`openRaftGroup: ${name} must be a positive integer, got ${x}`);
  return x;
}

/**
 * Opens (or creates) the group member stored in `opts.dir` and starts it. A snapshot on disk is
 * restored into the state machine; committed entries after it (or after `appliedIndex`) are
 * re-delivered to `apply` as they are committed again. A one-voter group campaigns at once and
 * this resolves only when it is leader with its replayed log committed and applied (a group whose
 * log holds a membership change after the snapshot elects through the election timeout instead).
 * @throws ShoalError ParameterInvalid for a bad id, tick settings or appliedIndex; IoFailed for
 *   a corrupt or failing disk; notSupported for a stored snapshot without `stateMachine.restore`.
 */
export async function openRaftGroup(opts: RaftGroupOptions): Promise<RaftGroup> {
  if (!Number.isSafeInteger(opts.id) || opts.id <= 0) throw invalidParameter(`openRaftGroup: id must be a positive safe integer, got ${opts.id}`);
  const tickMs = positiveInt('tickMs', opts.tickMs, 100);
  const electionTick = positiveInt('electionTicks', opts.electionTicks, 10);
  const heartbeatTick = positiveInt('heartbeatTicks', opts.heartbeatTicks, 1);
  if (electionTick <= heartbeatTick) throw invalidParameter(`openRaftGroup: electionTicks (${electionTick}) must exceed heartbeatTicks (${heartbeatTick})`);
  const mutations: ReadonlySet<string> = opts.mutations ?? new Set();
  const disk = mutations.has('no-fsync') ? withoutFsync(opts.env.disk) : opts.env.disk;
  const storage = await openDiskStorage(disk, opts.dir, {
    ...(opts.confState === undefined ? {} : { confState: opts.confState }),
    ...(opts.segmentBytes === undefined ? {} : { segmentBytes: opts.segmentBytes }),
  });
  try {
    const snap = storage.snapshot();
    const snapIndex = snap.metadata.index;
    const forget = mutations.has('forget-hardstate-on-restart');
    const { confState } = storage.initialState();
    const hardState: HardState = forget ? { term: 0, vote: 0, commit: 0 } : storage.initialState().hardState;
    const applied = Math.max(opts.appliedIndex ?? snapIndex, snapIndex);
    if (!Number.isSafeInteger(applied) || applied > hardState.commit && applied > snapIndex) {
      throw invalidParameter(`openRaftGroup: appliedIndex ${opts.appliedIndex} exceeds the persisted commit index ${hardState.commit}`);
    }
    const node = new RaftNode({
      id: opts.id, storage: forget ? withHardState(storage, hardState) : storage, electionTick, heartbeatTick, rand: () => opts.env.random.next(), applied,
      ...(opts.preVote === undefined ? {} : { preVote: opts.preVote }),
      ...(opts.checkQuorum === undefined ? {} : { checkQuorum: opts.checkQuorum }),
      ...(opts.maxSizePerMsg === undefined ? {} : { maxSizePerMsg: opts.maxSizePerMsg }),
      ...(opts.maxInflightMsgs === undefined ? {} : { maxInflightMsgs: opts.maxInflightMsgs }),
      mutations: new Set(RAFT_LIBRARY_MUTATIONS.filter((m) => mutations.has(m))),
    });
    opts.observer?.opened?.(node);
    if (snapIndex > 0 && applied === snapIndex) {
      if (opts.stateMachine.restore === undefined) throw notSupported('reopening a group with a snapshot without stateMachine.restore()');
      await opts.stateMachine.restore(snap.data, snap.metadata);
    }
    // Membership changes the caller already applied (≤ appliedIndex) are not re-delivered: apply them to Raft here.
    if (applied > snapIndex) {
      for (const e of storage.entries(snapIndex + 1, applied + 1, Infinity)) {
        if (e.type === 'confChange') node.applyConfChange(decodeConfChange(e.data));
      }
    }
    const group = new RaftGroup(opts.env, node, storage, opts, tickMs);
    // Campaign at once only when the membership is surely {this node}: a confChange entry after the
    // snapshot may have added voters, and a lone campaign under a stale configuration is unsafe.
    const logged = storage.lastIndex() >= storage.firstIndex() ? storage.entries(storage.firstIndex(), storage.lastIndex() + 1, Infinity) : [];
    const single = confState.voters.length === 1 && confState.voters[0] === opts.id && confState.learners.length === 0 &&
      !logged.some((e) => e.type === 'confChange');
    if (single) node.campaign();
    group.start();
    if (single) await group.waitApplied(node.raft.log.lastIndex());
    return group;
  } catch (err) {
    await storage.close().catch(() => undefined);
    throw err;
  }
}

/** `disk` whose append files never fsync (the `no-fsync` mutation): a crash keeps none of their bytes. */
function withoutFsync(disk: Env['disk']): Env['disk'] {
  return new Proxy(disk, {
    get(target, prop) {
      if (prop !== 'openAppend') {
        // the target itself as the receiver: its getters and methods may use private fields
        const v: unknown = Reflect.get(target, prop, target);
        return typeof v === 'function' ? v.bind(target) : v;
      }
      return async (path: string): Promise<AppendFile> => {
        const f = await target.openAppend(path);
        return {
          get size() { return f.size; },
          append: (data) => f.append(data),
          sync: () => Promise.resolve(),
          truncate: (length) => f.truncate(length),
          close: () => f.close(),
        };
      };
    },
  });
}

/** `storage` with its recovered hard state replaced (the `forget-hardstate-on-restart` mutation). */
function withHardState(storage: Storage, hardState: HardState): Storage {
  return {
    initialState: () => ({ hardState, confState: storage.initialState().confState }),
    entries: (lo, hi, maxSize) => storage.entries(lo, hi, maxSize),
    term: (i) => storage.term(i),
    firstIndex: () => storage.firstIndex(),
    lastIndex: () => storage.lastIndex(),
    snapshot: () => storage.snapshot(),
  };
}
