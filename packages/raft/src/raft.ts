import { invalidParameter } from '@shoal/actors';
import { RaftError, invariant } from './errors.ts';
import { RaftLog } from './log.ts';
import { commitIndexOneShortOfQuorum, hasMutation } from './mutations.ts';
import type { RaftMutation } from './mutations.ts';
import { applyConfState } from './membership.ts';
import { Progress, ProgressTracker } from './progress.ts';
import { stepLeader } from './leader.ts';
import { stepCandidate, stepFollower } from './follower.ts';
import { ReadOnly } from './read-only.ts';
import type { Storage } from './storage.ts';
import type { Entry, HardState, Message, MessageTypeValue, NodeId, ReadState, Snapshot, StateRole } from './types.ts';
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
  /** Last applied index when restarting (entries ≤ it are not handed out again); at most the persisted commit index. Default 0. */
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
  /** Testing hook: deliberate defects to plant (see ./mutations.ts). Default none. */
  mutations?: ReadonlySet<RaftMutation>;
}

/** Kind of campaign: pre-vote round, real election, or election forced by a leader transfer. */
export type CampaignType = 'preElection' | 'election' | 'transfer';

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
  /** Planted defects (testing only; see ./mutations.ts). */
  readonly mutations: ReadonlySet<RaftMutation> | undefined;
  private readonly maxMsgSize: number;
  /** Flow control per follower: most messages / bytes in flight. */
  readonly maxInflight: number;
  readonly maxInflightBytes: number;
  private readonly rand: () => number;
  /** Pending read-index requests (leader only). */
  readOnly = new ReadOnly();
  /** Read-index requests received before the leader committed an entry of its term. */
  pendingReadIndexMessages: Message[] = [];

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
    this.mutations = cfg.mutations;
    this.maxMsgSize = cfg.maxSizePerMsg ?? Infinity;
    this.maxInflight = maxInflight;
    this.maxInflightBytes = cfg.maxInflightBytes ?? Infinity;
    this.rand = cfg.rand;
    this.log = new RaftLog(cfg.storage);
    const { hardState, confState } = cfg.storage.initialState();
    applyConfState(this, confState);
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

  /** @internal used by leader.ts/follower.ts. */
  send(m: Message): void {
    if (m.from === NONE) m.from = this.id; // forwarded proposals/transfers keep their origin
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
      let snap: Snapshot;
      try {
        snap = this.log.snapshot();
      } catch (e) {
        // The application is still producing the snapshot (etcd ErrSnapshotTemporarilyUnavailable): retry later.
        if (e instanceof RaftError && e.kind === 'unavailable') return false;
        throw e;
      }
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
    pr.sentCommit = Math.max(pr.sentCommit, this.log.committed);
    return true;
  }

  /** @internal used by leader.ts/follower.ts. */
  sendHeartbeat(to: NodeId, context: Uint8Array | undefined): void {
    // Never advance a follower's commit beyond what it is known to have (etcd sendHeartbeat).
    const pr = this.tracker.progress.get(to);
    const commit = Math.min(pr?.match ?? 0, this.log.committed);
    this.send(message({ type: MessageType.Heartbeat, to, commit, context }));
    if (pr) pr.sentCommit = Math.max(pr.sentCommit, commit);
  }

  /**
   * Tells the followers about a new commit index (etcd raft's `bcastAppend` after `maybeCommit`),
   * coalescing commit-only appends: a follower in replicate state with appends still in flight is
   * skipped, since the responses to those come back and the last one triggers one commit-only
   * append (`handleAppResp`); the next heartbeat carries the commit index in any case. A pipelined
   * burst of n proposals thus costs one commit-only append per follower instead of up to n.
   */
  bcastCommit(): void {
    for (const [id, pr] of this.tracker.progress) {
      if (id === this.id) continue;
      if (pr.state === 'replicate' && pr.inflights.count() > 0) continue;
      this.maybeSendAppend(id, pr.sentCommit < this.log.committed);
    }
  }

  bcastAppend(): void {
    for (const id of this.tracker.progress.keys()) if (id !== this.id) this.maybeSendAppend(id, true);
  }

  bcastHeartbeat(): void {
    const ctx = this.readOnly.lastPendingContext();
    for (const id of this.tracker.progress.keys()) if (id !== this.id) this.sendHeartbeat(id, ctx);
  }

  /** @internal used by leader.ts/follower.ts. */
  maybeCommit(): boolean {
    const quorumMatch = hasMutation(this.mutations, 'commit-without-quorum')
      ? commitIndexOneShortOfQuorum([...this.tracker.voters].map((id) => this.tracker.progress.get(id)?.match ?? 0), this.tracker.quorum())
      : this.tracker.committed();
    return this.log.maybeCommit(quorumMatch, this.term);
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
    this.pendingReadIndexMessages = [];
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

  /** @internal used by leader.ts/follower.ts. */
  appendEntry(es: Entry[]): void {
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

  /** @internal used by leader.ts/follower.ts. */
  hup(t: CampaignType): void {
    if (this.state === 'leader' || !this.promotable()) return;
    // Do not campaign while a committed config change is unapplied (etcd raft.hup).
    if (this.log.committed > this.log.applied) {
      const lo = Math.max(this.log.applied + 1, this.log.firstIndex());
      const ents = lo > this.log.committed ? [] : this.log.slice(lo, this.log.committed + 1, Infinity);
      if (ents.some((e) => e.type === 'confChange')) return;
    }
    this.campaign(t);
  }

  /** @internal used by follower.ts. */
  campaign(t: CampaignType): void {
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

  /** @internal used by leader.ts/follower.ts. */
  poll(id: NodeId, granted: boolean): 'won' | 'lost' | 'pending' {
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
    } else if (m.term > this.term || (m.type === MessageType.App && hasMutation(this.mutations, 'ignore-term-on-append'))) {
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
        const elapsed = this.electionElapsed;
        const wasFollower = this.state === 'follower';
        this.becomeFollower(m.term, NONE);
        // Raft paper Figure 2: a follower restarts its election timer on a valid AppendEntries or
        // on *granting* a vote, not on every higher-term request; etcd resets it here, so stale
        // candidates rejoining could keep the only electable server from campaigning.
        if (m.type === MessageType.Vote && wasFollower) this.electionElapsed = elapsed;
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
          (m.type === MessageType.PreVote && m.term > this.term) || hasMutation(this.mutations, 'vote-twice-in-term');
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
        if (this.state === 'leader') return stepLeader(this, m);
        if (this.state === 'follower') return stepFollower(this, m);
        return stepCandidate(this, m);
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
    applyConfState(this, s.metadata.confState);
    return true;
  }
}
