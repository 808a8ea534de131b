import { invalidParameter } from '@shoal/actors';
import type { ConfChange } from './conf-change.ts';
import { encodeConfChange } from './conf-change.ts';
import { RaftError } from './errors.ts';
import { applyConfChange } from './membership.ts';
import type { RaftConfig } from './raft.ts';
import { Raft } from './raft.ts';
import type { ConfState, Entry, HardState, Message, NodeId, ReadState, Snapshot, StateRole } from './types.ts';
import { LOCAL_MESSAGE_TYPES, MessageType, message } from './types.ts';

/** Volatile state worth reporting: the known leader and this node's role. */
export interface SoftState {
  lead: NodeId;
  state: StateRole;
}

/**
 * Everything the application must do after a batch of events (etcd raft `Ready`), in this order:
 * 1. persist `snapshot` (if any), then `entries`, then `hardState` (if any) — fsync when `mustSync`;
 * 2. send `messages`;
 * 3. apply `committedEntries` to the state machine (calling `applyConfChange` for `confChange`
 *    entries) and serve the `readStates` (their index is already applied);
 * 4. call `advance(ready)`.
 */
export interface Ready {
  softState?: SoftState;
  hardState?: HardState;
  entries: Entry[];
  snapshot?: Snapshot;
  messages: Message[];
  committedEntries: Entry[];
  readStates: ReadState[];
  mustSync: boolean;
}

/**
 * The application-facing Raft node (etcd raft `RawNode`): a {@link Raft} plus the ready/advance
 * protocol. Single-threaded and synchronous; no I/O, timers or randomness of its own.
 */
export class RaftNode {
  readonly raft: Raft;
  private prevHard: HardState;
  private prevSoft: SoftState;
  /** Read states waiting until the applied index reaches them. */
  private pendingReads: ReadState[] = [];
  private readonly maxApplySize: number;

  /**
   * @param cfg the Raft configuration (see {@link RaftConfig}); restarts from `cfg.storage`.
   * @throws ShoalError ParameterInvalid on a bad configuration.
   */
  constructor(cfg: RaftConfig) {
    this.raft = new Raft(cfg);
    this.prevHard = this.raft.hardState();
    this.prevSoft = { lead: this.raft.lead, state: this.raft.state };
    this.maxApplySize = cfg.maxSizePerMsg ?? Infinity;
  }

  /** Advances the logical clock by one tick (election timeouts, heartbeats). */
  tick(): void {
    this.raft.tick();
  }

  /** Starts an election now (as if the election timeout elapsed). */
  campaign(): void {
    this.raft.step(message({ type: MessageType.Hup, from: this.raft.id }));
  }

  /**
   * Steps a message received from a peer.
   * @throws ShoalError ParameterInvalid for an unknown or local-only message type, a bad sender id
   *   or term, or a message not addressed here.
   */
  step(m: Message): void {
    if (!MESSAGE_TYPES.has(m.type)) throw invalidParameter(`RaftNode.step: unknown message type ${String(m.type)}`);
    if (!Number.isSafeInteger(m.from) || m.from <= 0) throw invalidParameter(`RaftNode.step: from must be a positive node id, got ${m.from}`);
    if (!Number.isSafeInteger(m.term) || m.term < 0) throw invalidParameter(`RaftNode.step: term must be a non-negative integer, got ${m.term}`);
    if (LOCAL_MESSAGE_TYPES.has(m.type)) throw invalidParameter(`RaftNode.step: ${m.type} is a local message and cannot come from a peer`);
    if (m.to !== this.raft.id) throw invalidParameter(`RaftNode.step: message to ${m.to} delivered to node ${this.raft.id}`);
    if (!this.raft.tracker.progress.has(m.from) && isResponse(m.type)) return; // from a removed member
    this.raft.step(m);
  }

  /**
   * Proposes application data to be appended to the log.
   * @throws RaftError `proposalDropped` if there is no leader, a transfer is in progress, or this node was removed.
   */
  propose(data: Uint8Array): void {
    this.stepLocal(message({ type: MessageType.Prop, from: this.raft.id, entries: [{ term: 0, index: 0, type: 'normal', data }] }));
  }

  /**
   * Proposes a single-server membership change; it takes effect when applied after commit.
   * @throws RaftError `proposalDropped` (as {@link propose}, or another change is still pending).
   */
  proposeConfChange(cc: ConfChange): void {
    const data = encodeConfChange(cc);
    this.stepLocal(message({ type: MessageType.Prop, from: this.raft.id, entries: [{ term: 0, index: 0, type: 'confChange', data }] }));
  }

  /** Applies a committed configuration change entry's change; returns the new configuration. */
  applyConfChange(cc: ConfChange): ConfState {
    return applyConfChange(this.raft, cc);
  }

  /**
   * Requests a linearizable read (ReadIndex, Raft thesis §6.4): a {@link ReadState} with `context`
   * appears in a later `ready()` once the read is safe at that index and the index is applied.
   * @throws RaftError `proposalDropped` if there is no leader.
   */
  readIndex(context: Uint8Array): void {
    if (context.byteLength === 0) throw invalidParameter('RaftNode.readIndex: context must be a non-empty request id');
    this.stepLocal(message({ type: MessageType.ReadIndex, from: this.raft.id, context }));
  }

  /** Asks the leader to hand leadership to `transferee` (Raft thesis §3.10). */
  transferLeader(transferee: NodeId): void {
    this.raft.step(message({ type: MessageType.TransferLeader, from: transferee, to: this.raft.lead }));
  }

  /** Tells the leader that `id` could not be reached (its progress falls back to probing). */
  reportUnreachable(id: NodeId): void {
    this.raft.step(message({ type: MessageType.Unreachable, from: id }));
  }

  /** Reports whether a snapshot sent to `id` was applied (`ok`) or failed. */
  reportSnapshot(id: NodeId, ok: boolean): void {
    this.raft.step(message({ type: MessageType.SnapStatus, from: id, reject: !ok }));
  }

  private stepLocal(m: Message): void {
    const dropped = this.raft.step(m);
    if (dropped !== undefined) throw new RaftError('proposalDropped', `node ${this.raft.id}: ${m.type} dropped: ${dropped}`);
  }

  private collectReads(): ReadState[] {
    if (this.raft.readStates.length > 0) {
      this.pendingReads.push(...this.raft.readStates);
      this.raft.readStates = [];
    }
    const applied = this.raft.log.applied;
    const ready = this.pendingReads.filter((r) => r.index <= applied);
    if (ready.length > 0) this.pendingReads = this.pendingReads.filter((r) => r.index > applied);
    return ready;
  }

  /** Whether {@link ready} would return anything. */
  hasReady(): boolean {
    const r = this.raft;
    const hs = r.hardState();
    const soft = this.prevSoft;
    return r.lead !== soft.lead || r.state !== soft.state || !sameHard(hs, this.prevHard) ||
      r.log.unstable.snapshot !== undefined || r.log.unstableEntries().length > 0 || r.msgs.length > 0 ||
      r.log.hasNextCommittedEntries() || r.readStates.length > 0 ||
      this.pendingReads.some((x) => x.index <= r.log.applied);
  }

  /** Takes the pending work (see {@link Ready}); messages and read states are handed out once. */
  ready(): Ready {
    const r = this.raft;
    const hs = r.hardState();
    const rd: Ready = {
      entries: [...r.log.unstableEntries()],
      messages: r.msgs,
      committedEntries: r.log.nextCommittedEntries(this.maxApplySize),
      readStates: this.collectReads(),
      mustSync: false,
    };
    r.msgs = [];
    if (r.lead !== this.prevSoft.lead || r.state !== this.prevSoft.state) {
      rd.softState = { lead: r.lead, state: r.state };
      this.prevSoft = rd.softState;
    }
    if (!sameHard(hs, this.prevHard)) rd.hardState = hs;
    if (r.log.unstable.snapshot) rd.snapshot = r.log.unstable.snapshot;
    rd.mustSync = rd.entries.length > 0 || hs.term !== this.prevHard.term || hs.vote !== this.prevHard.vote;
    return rd;
  }

  /** Acknowledges that `rd` was persisted, sent and applied. */
  advance(rd: Ready): void {
    const log = this.raft.log;
    if (rd.hardState) this.prevHard = rd.hardState;
    if (rd.snapshot) log.unstable.stableSnapTo(rd.snapshot.metadata.index);
    if (rd.entries.length > 0) {
      const last = rd.entries[rd.entries.length - 1];
      log.unstable.stableTo(last.index, last.term);
    }
    if (rd.committedEntries.length > 0) log.appliedTo(rd.committedEntries[rd.committedEntries.length - 1].index);
    else if (rd.snapshot) log.appliedTo(Math.max(log.applied, rd.snapshot.metadata.index));
  }
}

const MESSAGE_TYPES: ReadonlySet<string> = new Set(Object.values(MessageType));

function sameHard(a: HardState, b: HardState): boolean {
  return a.term === b.term && a.vote === b.vote && a.commit === b.commit;
}

function isResponse(t: Message['type']): boolean {
  return t === MessageType.AppResp || t === MessageType.HeartbeatResp || t === MessageType.VoteResp || t === MessageType.PreVoteResp;
}
