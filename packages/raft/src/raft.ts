import { invalidParameter } from '@shoal/actors';
import type { ConfChange } from './conf-change.ts';
import { decodeConfChange } from './conf-change.ts';
import { RaftError, invariant } from './errors.ts';
import { RaftLog } from './log.ts';
import { Progress, ProgressTracker } from './progress.ts';
import { ReadOnly } from './read-only.ts';
import type { Storage } from './storage.ts';
import type { ConfState, Entry, HardState, Message, MessageTypeValue, NodeId, ReadState, Snapshot, StateRole } from './types.ts';
import { MessageType, NONE, message } from './types.ts';
import { payloadSize } from './util.ts';

/** Configuration of a Raft node (etcd raft `Config`). Ticks are abstract units driven by `tick()`. */
export interface RaftConfig {
  /** This node's id (positive safe integer). */
  id: NodeId;
  /** The persisted state to restart from. */
  storage: Storage;
  /** Election timeout T in ticks; the randomized timeout is uniform in [T, 2T). Must exceed heartbeatTick. */
  electionTick: number;
  /** Ticks between leader heartbeats. */
  heartbeatTick: number;
  /** Uniform random float in [0, 1) (a seeded PRNG, e.g. `Random.next` of @shoal/actors). */
  rand: () => number;
  /** Last applied index when restarting (entries ≤ it are not handed out again). Default 0. */
  applied?: number;
  /** Max data bytes per append message (at least one entry is always sent). Default Infinity. */
  maxSizePerMsg?: number;
  /** Max append messages in flight to one follower in replicate state. Default 256. */
  maxInflightMsgs?: number;
  /** Max payload bytes in flight to one follower. Default Infinity. */
  maxInflightBytes?: number;
  /** Leader steps down without recent contact with a quorum (Raft thesis §6.2). Default false. */
  checkQuorum?: boolean;
  /** Pre-vote phase before elections (Raft thesis §9.6). Default false. */
  preVote?: boolean;
}

type CampaignType = 'preElection' | 'election' | 'transfer';

/**
 * The Raft consensus state machine (Ongaro & Ousterhout, "In Search of an Understandable
 * Consensus Algorithm", 2014; Ongaro's thesis 2014 for pre-vote, check-quorum, leader transfer,
 * learners and single-server membership changes), a port of etcd raft's raft.go. It does no I/O:
 * outgoing messages accumulate in `msgs`, read states in `readStates`; see `RaftNode` for the
 * ready/advance protocol.
 */
export class Raft {
  readonly id: NodeId;
  term = 0;
  vote: NodeId = NONE;
  lead: NodeId = NONE;
  state: StateRole = 'follower';
  readonly log: RaftLog;
  readonly tracker = new ProgressTracker();
  msgs: Message[] = [];
  readStates: ReadState[] = [];
  /** Target of an ongoing leader transfer, NONE if none. */
  leadTransferee: NodeId = NONE;
  /** Index of the latest proposed config change; a new one waits until it is applied. */
  pendingConfIndex = 0;
  electionElapsed = 0;
  heartbeatElapsed = 0;
  randomizedElectionTimeout = 0;
  readonly electionTimeout: number;
  readonly heartbeatTimeout: number;
  readonly checkQuorum: boolean;
  readonly preVote: boolean;
  private readonly maxMsgSize: number;
  private readonly maxInflight: number;
  private readonly maxInflightBytes: number;
  private readonly rand: () => number;
  private readOnly = new ReadOnly();
  private pendingReadIndexMessages: Message[] = [];

  /**
   * Restarts from `cfg.storage` (hard state, snapshot configuration, entries) as a follower.
   * @throws ShoalError ParameterInvalid on a bad configuration; RaftError `invariant` if the
   *   persisted commit index lies outside the log.
   */
  constructor(cfg: RaftConfig) {
    if (!Number.isSafeInteger(cfg.id) || cfg.id <= 0) throw invalidParameter(`raft config: id must be a positive safe integer, got ${cfg.id}`);
    if (!Number.isInteger(cfg.heartbeatTick) || cfg.heartbeatTick <= 0) {
      throw invalidParameter(`raft config: heartbeatTick must be a positive integer, got ${cfg.heartbeatTick}`);
    }
    if (!Number.isInteger(cfg.electionTick) || cfg.electionTick <= cfg.heartbeatTick) {
      throw invalidParameter(`raft config: electionTick must be an integer > heartbeatTick (${cfg.heartbeatTick}), got ${cfg.electionTick}`);
    }
    const maxInflight = cfg.maxInflightMsgs ?? 256;
    if (!Number.isInteger(maxInflight) || maxInflight <= 0) {
      throw invalidParameter(`raft config: maxInflightMsgs must be a positive integer, got ${maxInflight}`);
    }
    this.id = cfg.id;
    this.electionTimeout = cfg.electionTick;
    this.heartbeatTimeout = cfg.heartbeatTick;
    this.checkQuorum = cfg.checkQuorum ?? false;
    this.preVote = cfg.preVote ?? false;
    this.maxMsgSize = cfg.maxSizePerMsg ?? Infinity;
    this.maxInflight = maxInflight;
    this.maxInflightBytes = cfg.maxInflightBytes ?? Infinity;
    this.rand = cfg.rand;
    this.log = new RaftLog(cfg.storage);
    const { hardState, confState } = cfg.storage.initialState();
    this.applyConfState(confState);
    if (hardState.commit < this.log.committed || hardState.commit > this.log.lastIndex()) {
      if (!(hardState.term === 0 && hardState.commit === 0)) {
        invariant(`persisted commit ${hardState.commit} outside [${this.log.committed}, ${this.log.lastIndex()}]`);
      }
    } else {
      this.log.commitTo(hardState.commit);
    }
    this.term = hardState.term;
    this.vote = hardState.vote;
    if (cfg.applied) this.log.appliedTo(cfg.applied);
    this.becomeFollower(this.term, NONE);
  }

  hardState(): HardState {
    return { term: this.term, vote: this.vote, commit: this.log.committed };
  }

  /** A voter that has no pending snapshot to persist may campaign (etcd `promotable`). */
  promotable(): boolean {
    const pr = this.tracker.progress.get(this.id);
    return pr !== undefined && !pr.isLearner && this.log.unstable.snapshot === undefined;
  }

  private send(m: Message): void {
    m.from = this.id;
    if (m.type === MessageType.Vote || m.type === MessageType.VoteResp ||
        m.type === MessageType.PreVote || m.type === MessageType.PreVoteResp) {
      if (m.term === 0) invariant(`${m.type} must carry a term`);
    } else if (m.type !== MessageType.Prop && m.type !== MessageType.ReadIndex) {
      m.term = this.term; // proposals and forwarded read-index requests are local-term-free
    }
    this.msgs.push(m);
  }

  // ---- sending (etcd raft.go maybeSendAppend / sendHeartbeat / bcast*) ----

  /** Sends an append (or a snapshot) to `to`; returns whether a message was sent. */
  maybeSendAppend(to: NodeId, sendIfEmpty: boolean): boolean {
    const pr = this.tracker.progress.get(to);
    if (!pr || pr.isPaused()) return false;
    const prevIndex = pr.next - 1;
    const prevTerm = this.log.term(prevIndex);
    let ents: Entry[] | undefined;
    if (prevTerm !== undefined) {
      try {
        ents = this.log.entries(pr.next, this.maxMsgSize);
      } catch (e) {
        if (!(e instanceof RaftError && e.kind === 'compacted')) throw e;
      }
    }
    if (prevTerm === undefined || ents === undefined) {
      // The entries the follower needs are compacted: send a snapshot (Raft paper §7).
      if (!pr.recentActive) return false;
      const snap = this.log.snapshot();
      if (snap.metadata.index === 0) invariant('need a non-empty snapshot');
      pr.becomeSnapshot(snap.metadata.index);
      this.send(message({ type: MessageType.Snap, to, snapshot: snap }));
      return true;
    }
    if (ents.length === 0 && !sendIfEmpty) return false;
    if (pr.state === 'replicate' && ents.length > 0) {
      const last = ents[ents.length - 1].index;
      pr.next = last + 1;
      pr.inflights.add(last, payloadSize(ents));
    } else if (pr.state === 'probe') {
      pr.probeSent = true;
    }
    this.send(message({ type: MessageType.App, to, index: prevIndex, logTerm: prevTerm, entries: ents, commit: this.log.committed }));
    return true;
  }

  private sendHeartbeat(to: NodeId, context: Uint8Array | undefined): void {
    // Never advance a follower's commit beyond what it is known to have (etcd sendHeartbeat).
    const commit = Math.min(this.tracker.progress.get(to)?.match ?? 0, this.log.committed);
    this.send(message({ type: MessageType.Heartbeat, to, commit, context }));
  }

  bcastAppend(): void {
    for (const id of this.tracker.progress.keys()) if (id !== this.id) this.maybeSendAppend(id, true);
  }

  bcastHeartbeat(): void {
    const ctx = this.readOnly.lastPendingContext();
    for (const id of this.tracker.progress.keys()) if (id !== this.id) this.sendHeartbeat(id, ctx);
  }

  private maybeCommit(): boolean {
    return this.log.maybeCommit(this.tracker.committed(), this.term);
  }

  // ---- state transitions ----

  private reset(term: number): void {
    if (this.term !== term) {
      this.term = term;
      this.vote = NONE;
    }
    this.lead = NONE;
    this.electionElapsed = 0;
    this.heartbeatElapsed = 0;
    this.randomizedElectionTimeout = this.electionTimeout + Math.floor(this.rand() * this.electionTimeout);
    this.leadTransferee = NONE;
    this.tracker.resetVotes();
    const last = this.log.lastIndex();
    for (const [id, old] of this.tracker.progress) {
      const pr = new Progress(last + 1, old.isLearner, this.maxInflight, this.maxInflightBytes);
      if (id === this.id) pr.match = last;
      this.tracker.progress.set(id, pr);
    }
    this.pendingConfIndex = 0;
    this.readOnly = new ReadOnly();
  }

  becomeFollower(term: number, lead: NodeId): void {
    this.reset(term);
    this.lead = lead;
    this.state = 'follower';
  }

  becomeCandidate(): void {
    if (this.state === 'leader') invariant('leader cannot become candidate');
    this.reset(this.term + 1);
    this.vote = this.id;
    this.state = 'candidate';
  }

  /** Pre-candidate: asks for pre-votes without changing term or vote (Raft thesis §9.6). */
  becomePreCandidate(): void {
    if (this.state === 'leader') invariant('leader cannot become pre-candidate');
    this.tracker.resetVotes();
    this.lead = NONE;
    this.state = 'preCandidate';
  }

  becomeLeader(): void {
    if (this.state === 'follower') invariant('follower cannot become leader directly');
    this.reset(this.term);
    this.lead = this.id;
    this.state = 'leader';
    const self = this.tracker.progress.get(this.id);
    if (self) {
      self.becomeReplicate();
      self.recentActive = true;
    }
    // Conservatively treat every uncommitted entry as a possible pending config change.
    this.pendingConfIndex = this.log.lastIndex();
    // An empty entry of the new term lets the leader commit earlier entries (Raft paper §5.4.2, §8).
    this.appendEntry([{ term: 0, index: 0, type: 'normal', data: new Uint8Array() }]);
  }

  private appendEntry(es: Entry[]): void {
    const li = this.log.lastIndex();
    const ents = es.map((e, i) => ({ ...e, term: this.term, index: li + 1 + i }));
    this.log.append(ents);
    this.tracker.progress.get(this.id)?.maybeUpdate(this.log.lastIndex());
    this.maybeCommit();
  }

  // ---- ticks ----

  tick(): void {
    if (this.state === 'leader') this.tickHeartbeat();
    else this.tickElection();
  }

  private tickElection(): void {
    this.electionElapsed++;
    if (this.promotable() && this.electionElapsed >= this.randomizedElectionTimeout) {
      this.electionElapsed = 0;
      this.step(message({ type: MessageType.Hup, from: this.id }));
    }
  }

  private tickHeartbeat(): void {
    this.heartbeatElapsed++;
    this.electionElapsed++;
    if (this.electionElapsed >= this.electionTimeout) {
      this.electionElapsed = 0;
      if (this.checkQuorum) this.step(message({ type: MessageType.CheckQuorum, from: this.id }));
      if (this.state === 'leader' && this.leadTransferee !== NONE) this.leadTransferee = NONE; // transfer timed out
    }
    if (this.state !== 'leader') return;
    if (this.heartbeatElapsed >= this.heartbeatTimeout) {
      this.heartbeatElapsed = 0;
      this.step(message({ type: MessageType.Beat, from: this.id }));
    }
  }

  // ---- elections ----

  private hup(t: CampaignType): void {
    if (this.state === 'leader' || !this.promotable()) return;
    // Do not campaign while a committed config change is unapplied (etcd raft.hup).
    if (this.log.committed > this.log.applied) {
      const ents = this.log.slice(this.log.applied + 1, this.log.committed + 1, Infinity);
      if (ents.some((e) => e.type === 'confChange')) return;
    }
    this.campaign(t);
  }

  private campaign(t: CampaignType): void {
    let voteMsg: MessageTypeValue;
    let term: number;
    if (t === 'preElection') {
      this.becomePreCandidate();
      voteMsg = MessageType.PreVote;
      term = this.term + 1; // the term we would campaign in; our own term is unchanged
    } else {
      this.becomeCandidate();
      voteMsg = MessageType.Vote;
      term = this.term;
    }
    if (this.poll(this.id, true) === 'won') {
      if (t === 'preElection') this.campaign('election');
      else this.becomeLeader();
      return;
    }
    for (const id of [...this.tracker.voters].sort((a, b) => a - b)) {
      if (id === this.id) continue;
      this.send(message({
        type: voteMsg, to: id, term, index: this.log.lastIndex(), logTerm: this.log.lastTerm(),
        transfer: t === 'transfer' ? true : undefined,
      }));
    }
  }

  private poll(id: NodeId, granted: boolean): 'won' | 'lost' | 'pending' {
    this.tracker.recordVote(id, granted);
    return this.tracker.tallyVotes().result;
  }

  // ---- step ----

  /**
   * Processes one message (etcd raft `Step`): applies the term rules of Raft paper §5.1 (a
   * higher term makes us a follower, a lower one is ignored), with the check-quorum lease and
   * pre-vote exceptions of the thesis §4.2.3/§9.6, then dispatches on role.
   * @returns a drop reason for a proposal or read that could not be accepted, else undefined.
   */
  step(m: Message): string | undefined {
    if (m.term === 0) {
      // local message
    } else if (m.term > this.term) {
      if (m.type === MessageType.Vote || m.type === MessageType.PreVote) {
        const inLease = this.checkQuorum && this.lead !== NONE && this.electionElapsed < this.electionTimeout;
        if (!m.transfer && inLease) return undefined; // a leader is alive: ignore (thesis §4.2.3)
      }
      if (m.type === MessageType.PreVote) {
        // never change term on a pre-vote request
      } else if (m.type === MessageType.PreVoteResp && !m.reject) {
        // granted pre-votes carry the future term; the term moves once we win the pre-vote
      } else if (m.type === MessageType.App || m.type === MessageType.Heartbeat || m.type === MessageType.Snap) {
        this.becomeFollower(m.term, m.from);
      } else {
        this.becomeFollower(m.term, NONE);
      }
    } else if (m.term < this.term) {
      if ((this.checkQuorum || this.preVote) && (m.type === MessageType.Heartbeat || m.type === MessageType.App)) {
        // Tell a stale leader about the new term so that it steps down (etcd raft.Step).
        this.send(message({ type: MessageType.AppResp, to: m.from }));
      } else if (m.type === MessageType.PreVote) {
        this.send(message({ type: MessageType.PreVoteResp, to: m.from, term: this.term, reject: true }));
      }
      return undefined;
    }

    switch (m.type) {
      case MessageType.Hup:
        this.hup(this.preVote ? 'preElection' : 'election');
        return undefined;
      case MessageType.Vote:
      case MessageType.PreVote: {
        const canVote = this.vote === m.from || (this.vote === NONE && this.lead === NONE) ||
          (m.type === MessageType.PreVote && m.term > this.term);
        const respType = m.type === MessageType.Vote ? MessageType.VoteResp : MessageType.PreVoteResp;
        if (canVote && this.log.isUpToDate(m.index, m.logTerm)) {
          // Respond with the message's term: for a pre-vote it is the future term (etcd).
          this.send(message({ type: respType, to: m.from, term: m.term }));
          if (m.type === MessageType.Vote) {
            this.electionElapsed = 0;
            this.vote = m.from;
          }
        } else {
          this.send(message({ type: respType, to: m.from, term: this.term, reject: true }));
        }
        return undefined;
      }
      default:
        if (this.state === 'leader') return this.stepLeader(m);
        if (this.state === 'follower') return this.stepFollower(m);
        return this.stepCandidate(m);
    }
  }

  private stepLeader(m: Message): string | undefined {
    switch (m.type) {
      case MessageType.Beat:
        this.bcastHeartbeat();
        return undefined;
      case MessageType.CheckQuorum:
        if (!this.tracker.quorumActive(this.id)) this.becomeFollower(this.term, NONE);
        for (const [id, pr] of this.tracker.progress) pr.recentActive = id === this.id;
        return undefined;
      case MessageType.Prop:
        return this.propose(m);
      case MessageType.ReadIndex:
        return this.leaderReadIndex(m);
      case MessageType.TransferLeader:
        this.transferLeader(m.from);
        return undefined;
    }
    const pr = this.tracker.progress.get(m.from);
    if (!pr) return undefined;
    switch (m.type) {
      case MessageType.AppResp:
        this.handleAppResp(m, pr);
        break;
      case MessageType.HeartbeatResp:
        this.handleHeartbeatResp(m, pr);
        break;
      case MessageType.SnapStatus:
        if (pr.state !== 'snapshot') break;
        if (m.reject) pr.pendingSnapshot = 0;
        pr.becomeProbe();
        pr.probeSent = true; // wait for the next heartbeat response before probing
        break;
      case MessageType.Unreachable:
        if (pr.state === 'replicate') pr.becomeProbe();
        break;
    }
    return undefined;
  }

  private propose(m: Message): string | undefined {
    if (m.entries.length === 0) return 'empty proposal';
    if (!this.tracker.progress.has(this.id)) return 'this node was removed from the group';
    if (this.leadTransferee !== NONE) return `leadership transfer to ${this.leadTransferee} in progress`;
    for (let i = 0; i < m.entries.length; i++) {
      if (m.entries[i].type !== 'confChange') continue;
      if (this.pendingConfIndex > this.log.applied) return 'a configuration change is already pending';
      this.pendingConfIndex = this.log.lastIndex() + i + 1;
    }
    this.appendEntry(m.entries);
    this.bcastAppend();
    return undefined;
  }

  private leaderReadIndex(m: Message): string | undefined {
    if (this.tracker.voters.size <= 1) {
      this.respondToReadIndex(m, this.log.committed);
      return undefined;
    }
    // The leader must know the commit index of its term before serving reads (thesis §6.4 step 1).
    if (this.log.term(this.log.committed) !== this.term) {
      this.pendingReadIndexMessages.push(m);
      return undefined;
    }
    this.readOnly.addRequest(this.log.committed, m);
    this.readOnly.recvAck(this.id, m.context);
    this.bcastHeartbeatWithContext(m.context);
    return undefined;
  }

  private bcastHeartbeatWithContext(ctx: Uint8Array | undefined): void {
    for (const id of this.tracker.progress.keys()) if (id !== this.id) this.sendHeartbeat(id, ctx);
  }

  private respondToReadIndex(req: Message, index: number): void {
    if (req.from === NONE || req.from === this.id) {
      this.readStates.push({ index, context: req.context ?? new Uint8Array() });
    } else {
      this.send(message({ type: MessageType.ReadIndexResp, to: req.from, index, context: req.context }));
    }
  }

  private releasePendingReadIndexMessages(): void {
    if (this.log.term(this.log.committed) !== this.term) return;
    const msgs = this.pendingReadIndexMessages;
    this.pendingReadIndexMessages = [];
    for (const m of msgs) this.leaderReadIndex(m);
  }

  private transferLeader(target: NodeId): void {
    const pr = this.tracker.progress.get(target);
    if (!pr || pr.isLearner) return;
    if (this.leadTransferee === target || target === this.id) return;
    this.electionElapsed = 0; // the transfer must finish within one election timeout
    this.leadTransferee = target;
    if (pr.match === this.log.lastIndex()) this.send(message({ type: MessageType.TimeoutNow, to: target }));
    else this.maybeSendAppend(target, true);
  }

  private handleAppResp(m: Message, pr: Progress): void {
    pr.recentActive = true;
    if (m.reject) {
      let nextProbe = m.rejectHint;
      if (m.logTerm > 0) nextProbe = this.log.findConflictByTerm(m.rejectHint, m.logTerm)[0];
      if (pr.maybeDecrTo(m.index, nextProbe)) {
        if (pr.state === 'replicate') pr.becomeProbe();
        this.maybeSendAppend(m.from, true);
      }
      return;
    }
    const oldPaused = pr.isPaused();
    if (pr.maybeUpdate(m.index) || (pr.match === m.index && pr.state === 'probe')) {
      if (pr.state === 'probe') pr.becomeReplicate();
      else if (pr.state === 'snapshot' && pr.match >= pr.pendingSnapshot) {
        pr.becomeProbe();
        pr.becomeReplicate();
      } else if (pr.state === 'replicate') pr.inflights.freeLE(m.index);
      if (this.maybeCommit()) {
        this.releasePendingReadIndexMessages();
        this.bcastAppend();
      } else if (oldPaused) {
        this.maybeSendAppend(m.from, true);
      }
      while (this.maybeSendAppend(m.from, false)) { /* keep the pipeline full */ }
      if (m.from === this.leadTransferee && pr.match === this.log.lastIndex()) {
        this.send(message({ type: MessageType.TimeoutNow, to: m.from }));
      }
    }
  }

  private handleHeartbeatResp(m: Message, pr: Progress): void {
    pr.recentActive = true;
    pr.probeSent = false;
    if (pr.state === 'replicate' && pr.inflights.full()) pr.inflights.freeFirstOne();
    if (pr.match < this.log.lastIndex()) this.maybeSendAppend(m.from, true);
    if (!m.context || m.context.byteLength === 0) return;
    const acks = this.readOnly.recvAck(m.from, m.context);
    if (!acks) return;
    let n = 0;
    for (const id of acks) if (this.tracker.voters.has(id)) n++;
    if (n < this.tracker.quorum()) return;
    for (const rs of this.readOnly.advance(m.context)) this.respondToReadIndex(rs.req, rs.index);
  }

  private stepCandidate(m: Message): string | undefined {
    const myRespType = this.state === 'preCandidate' ? MessageType.PreVoteResp : MessageType.VoteResp;
    switch (m.type) {
      case MessageType.Prop:
        return 'no leader (election in progress)';
      case MessageType.ReadIndex:
        return 'no leader (election in progress)';
      case MessageType.App:
        this.becomeFollower(m.term, m.from);
        this.handleAppendEntries(m);
        return undefined;
      case MessageType.Heartbeat:
        this.becomeFollower(m.term, m.from);
        this.handleHeartbeat(m);
        return undefined;
      case MessageType.Snap:
        this.becomeFollower(m.term, m.from);
        this.handleSnapshot(m);
        return undefined;
      case myRespType: {
        const res = this.poll(m.from, !m.reject);
        if (res === 'won') {
          if (this.state === 'preCandidate') this.campaign('election');
          else {
            this.becomeLeader();
            this.bcastAppend();
          }
        } else if (res === 'lost') {
          this.becomeFollower(this.term, NONE);
        }
        return undefined;
      }
    }
    return undefined;
  }

  private stepFollower(m: Message): string | undefined {
    switch (m.type) {
      case MessageType.Prop:
      case MessageType.TransferLeader:
      case MessageType.ReadIndex:
        if (this.lead === NONE) return `no leader to forward the ${m.type} to`;
        this.send({ ...m, to: this.lead });
        return undefined;
      case MessageType.App:
        this.electionElapsed = 0;
        this.lead = m.from;
        this.handleAppendEntries(m);
        return undefined;
      case MessageType.Heartbeat:
        this.electionElapsed = 0;
        this.lead = m.from;
        this.handleHeartbeat(m);
        return undefined;
      case MessageType.Snap:
        this.electionElapsed = 0;
        this.lead = m.from;
        this.handleSnapshot(m);
        return undefined;
      case MessageType.TimeoutNow:
        // Leader transfer: campaign at once, skipping pre-vote (thesis §3.10).
        this.hup('transfer');
        return undefined;
      case MessageType.ReadIndexResp:
        this.readStates.push({ index: m.index, context: m.context ?? new Uint8Array() });
        return undefined;
    }
    return undefined;
  }

  private handleAppendEntries(m: Message): void {
    if (m.index < this.log.committed) {
      this.send(message({ type: MessageType.AppResp, to: m.from, index: this.log.committed }));
      return;
    }
    const lastNew = this.log.maybeAppend(m.index, m.logTerm, m.commit, m.entries);
    if (lastNew !== undefined) {
      this.send(message({ type: MessageType.AppResp, to: m.from, index: lastNew }));
      return;
    }
    // Reject with a hint: the largest index ≤ m.index whose term ≤ m.logTerm (etcd).
    const [hintIndex, hintTerm] = this.log.findConflictByTerm(Math.min(m.index, this.log.lastIndex()), m.logTerm);
    this.send(message({ type: MessageType.AppResp, to: m.from, index: m.index, reject: true, rejectHint: hintIndex, logTerm: hintTerm }));
  }

  private handleHeartbeat(m: Message): void {
    this.log.commitTo(m.commit);
    this.send(message({ type: MessageType.HeartbeatResp, to: m.from, context: m.context }));
  }

  private handleSnapshot(m: Message): void {
    if (m.snapshot && this.restore(m.snapshot)) {
      this.send(message({ type: MessageType.AppResp, to: m.from, index: this.log.lastIndex() }));
    } else {
      this.send(message({ type: MessageType.AppResp, to: m.from, index: this.log.committed }));
    }
  }

  /** Installs a snapshot newer than the commit index (Raft paper §7); false if it was not needed. */
  restore(s: Snapshot): boolean {
    const { index, term } = s.metadata;
    if (index <= this.log.committed) return false;
    if (this.log.matchTerm(index, term)) {
      // We already have the entries: just fast-forward the commit index.
      this.log.commitTo(index);
      return false;
    }
    this.log.restore(s);
    this.tracker.progress.clear();
    this.applyConfState(s.metadata.confState);
    return true;
  }

  // ---- membership ----

  private applyConfState(cs: ConfState): void {
    this.tracker.voters = new Set(cs.voters);
    this.tracker.learners = new Set(cs.learners);
    const next = this.log.lastIndex() + 1;
    for (const id of [...cs.voters, ...cs.learners]) {
      const learner = this.tracker.learners.has(id);
      const pr = this.tracker.progress.get(id);
      if (pr) pr.isLearner = learner;
      else {
        const fresh = new Progress(next, learner, this.maxInflight, this.maxInflightBytes);
        if (id === this.id) fresh.match = next - 1;
        fresh.recentActive = true; // a new member counts as active until the next check-quorum round
        this.tracker.progress.set(id, fresh);
      }
    }
    for (const id of [...this.tracker.progress.keys()]) {
      if (!this.tracker.voters.has(id) && !this.tracker.learners.has(id)) this.tracker.progress.delete(id);
    }
  }

  /**
   * Applies a committed single-server configuration change (Raft thesis §4.1) and returns the
   * new configuration. A leader that is no longer a voter steps down.
   */
  applyConfChange(cc: ConfChange): ConfState {
    const cs = this.tracker.confState();
    const voters = new Set(cs.voters);
    const learners = new Set(cs.learners);
    if (cc.type === 'addNode') {
      learners.delete(cc.nodeId);
      voters.add(cc.nodeId);
    } else if (cc.type === 'addLearner') {
      voters.delete(cc.nodeId);
      learners.add(cc.nodeId);
    } else {
      voters.delete(cc.nodeId);
      learners.delete(cc.nodeId);
    }
    this.applyConfState({ voters: [...voters], learners: [...learners] });
    if (this.state === 'leader') {
      if (!voters.has(this.id)) {
        this.becomeFollower(this.term, NONE);
      } else {
        if (this.leadTransferee !== NONE && !voters.has(this.leadTransferee)) this.leadTransferee = NONE;
        if (this.maybeCommit()) this.bcastAppend();
        else for (const id of this.tracker.progress.keys()) if (id !== this.id) this.maybeSendAppend(id, false);
      }
    }
    return this.tracker.confState();
  }

  /** Decodes and applies a committed `confChange` entry (see {@link applyConfChange}). */
  applyConfChangeEntry(e: Entry): ConfState {
    if (e.type !== 'confChange') throw invalidParameter(`applyConfChangeEntry: entry ${e.index} is not a confChange entry`);
    return this.applyConfChange(decodeConfChange(e.data));
  }
}
