// A deterministic port of MIT 6.824's raft/config.go + labrpc (2020–2023, labs 2A–2D) onto the
// tick-driven RaftNode: N servers, a seeded message scheduler (reliable, or unreliable: drop,
// delay, reorder, duplicate, and "long reordering"), disconnect/connect, crash/restart from a
// persisted copy of each server's storage, per-server applied logs checked for agreement
// (config.go checkLogs), snapshots every SNAPSHOT_INTERVAL applied entries (lab 2D), and RPC /
// byte counters. Time is logical: 1 tick stands for 100 ms of the original (heartbeat every tick,
// election timeout 10–20 ticks, i.e. 1–2 s, within 6.824's limits).
import { SeededRandom } from '@shoal/actors';
import { MemoryStorage, MessageType, RaftNode } from '../src/index.ts';
import type { Message, Snapshot } from '../src/index.ts';

/** config.go RaftElectionTimeout (1000 ms) in ticks. */
export const ELECTION_TIMEOUT = 10;
/** config.go SnapShotInterval: a server snapshots after every this many applied entries (2D). */
export const SNAPSHOT_INTERVAL = 10;
/** test_test.go MAXLOGSIZE: bound on the persisted Raft state in bytes once snapshots are taken. */
export const MAX_LOG_SIZE = 2000;

const REQUESTS: ReadonlySet<string> = new Set([
  MessageType.App, MessageType.Vote, MessageType.PreVote, MessageType.Snap, MessageType.Heartbeat, MessageType.TimeoutNow,
]);

interface InFlight {
  m: Message;
  /** Tick at which it may be delivered. */
  at: number;
}

interface Server {
  node: RaftNode | undefined;
  storage: MemoryStorage;
  connected: boolean;
  /** Applied commands by log index (config.go `logs[i]`); survives crashes like the original. */
  log: Map<number, string>;
  lastApplied: number;
}

/** Options of a {@link LabCluster}. */
export interface LabOptions {
  unreliable?: boolean;
  /** Take snapshots every SNAPSHOT_INTERVAL applied entries (config.go `snapshot` mode). */
  snapshot?: boolean;
  seed?: number;
  /**
   * Raft thesis §9.6 pre-vote and §6.2 check-quorum, as the deployed node runs them (apps/sim
   * raft-node.ts). Default true. Without pre-vote, etcd-style raft resets a follower's election
   * timer on every higher-term vote request, so stale candidates can starve the one up-to-date
   * server for many rounds (lab-2cd.test.ts, "plain Raft (no pre-vote)").
   */
  preVote?: boolean;
}

/** Result of {@link LabCluster.start}, like Raft.Start() in 6.824: (index, term, isLeader). */
export interface StartResult {
  index: number;
  term: number;
  isLeader: boolean;
}

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array): string => new TextDecoder().decode(b);

/** A 6.824-style test cluster of `n` servers with ids 1..n (0-based indexes in the API, like config.go). */
export class LabCluster {
  readonly n: number;
  private readonly servers: Server[] = [];
  private readonly rng: SeededRandom;
  private inflight: InFlight[] = [];
  private now = 0;
  unreliable: boolean;
  longReordering = false;
  readonly snapshotMode: boolean;
  private readonly preVote: boolean;
  /** Errors found by the appliers (config.go `applyErr`); a test fails if any is set. */
  readonly errors: string[] = [];
  private rpcs = 0;
  private bytes = 0;
  /** Highest index any server applied (config.go `maxIndex`). */
  maxIndex = 0;
  /** Servers that crossed a SNAPSHOT_INTERVAL boundary in the Ready being handled. */
  private readonly pendingSnap = new Set<number>();

  constructor(n: number, opts: LabOptions = {}) {
    this.n = n;
    this.rng = new SeededRandom(opts.seed ?? 1);
    this.unreliable = opts.unreliable ?? false;
    this.snapshotMode = opts.snapshot ?? false;
    this.preVote = opts.preVote ?? true;
    const voters = Array.from({ length: n }, (_, i) => i + 1);
    for (let i = 0; i < n; i++) {
      this.servers.push({ node: undefined, storage: new MemoryStorage({ voters, learners: [] }), connected: false, log: new Map(), lastApplied: 0 });
      this.start1(i);
      this.connect(i);
    }
  }

  private int(k: number): number {
    return Math.floor(this.rng.next() * k);
  }

  /** The live RaftNode of server `i` (throws if crashed). */
  node(i: number): RaftNode {
    const nd = this.servers[i].node;
    if (!nd) throw new Error(`server ${i} is crashed`);
    return nd;
  }

  isAlive(i: number): boolean {
    return this.servers[i].node !== undefined;
  }

  isConnected(i: number): boolean {
    return this.servers[i].connected;
  }

  connect(i: number): void {
    this.servers[i].connected = true;
  }

  disconnect(i: number): void {
    this.servers[i].connected = false;
  }

  /** Kills server `i` (config.go crash1): disconnects it; its persisted storage is kept as saved. */
  crash1(i: number): void {
    this.disconnect(i);
    const s = this.servers[i];
    s.node = undefined;
    s.storage = cloneStorage(s.storage); // a fresh persister, as config.go does
  }

  /**
   * (Re)starts server `i` from its persisted storage (config.go start1): the state machine is
   * rebuilt from the persisted snapshot, then committed entries after it are applied again.
   */
  start1(i: number): void {
    if (this.servers[i].node) this.crash1(i);
    const s = this.servers[i];
    s.storage = cloneStorage(s.storage);
    const snap = s.storage.snapshot();
    s.lastApplied = 0;
    if (snap.metadata.index > 0) this.ingestSnap(i, snap);
    const rng = new SeededRandom(this.rng.nextU32());
    s.node = new RaftNode({
      id: i + 1, storage: s.storage, electionTick: ELECTION_TIMEOUT, heartbeatTick: 1, rand: () => rng.next(), applied: s.lastApplied,
      preVote: this.preVote, checkQuorum: this.preVote,
    });
  }

  private ingestSnap(i: number, snap: Snapshot): void {
    const s = this.servers[i];
    const xlog = JSON.parse(dec(snap.data)) as [number, string][];
    s.log = new Map();
    for (const [index, cmd] of xlog) this.record(i, index, cmd);
    s.lastApplied = snap.metadata.index;
  }

  /** config.go checkLogs: the command at `index` must agree with every other server's. */
  private record(i: number, index: number, cmd: string): void {
    for (let j = 0; j < this.n; j++) {
      const other = this.servers[j].log.get(index);
      if (other !== undefined && other !== cmd) {
        this.errors.push(`commit index=${index} server=${i} ${cmd} != server=${j} ${other}`);
      }
    }
    this.servers[i].log.set(index, cmd);
    if (index > this.maxIndex) this.maxIndex = index;
  }

  /** Handles one Ready of server `i` as a real node would: persist, send, apply, snapshot, advance. */
  private handleReady(i: number): boolean {
    const s = this.servers[i];
    const nd = s.node;
    if (!nd || !nd.hasReady()) return false;
    const rd = nd.ready();
    if (rd.snapshot) {
      s.storage.applySnapshot(rd.snapshot);
      this.ingestSnap(i, rd.snapshot);
    }
    s.storage.append(rd.entries);
    if (rd.hardState) s.storage.setHardState(rd.hardState);
    for (const m of rd.messages) this.send(m);
    for (const e of rd.committedEntries) {
      if (e.index !== s.lastApplied + 1) this.errors.push(`server ${i} apply out of order: expected index ${s.lastApplied + 1}, got ${e.index}`);
      s.lastApplied = e.index;
      if (e.type === 'normal' && e.data.byteLength > 0) this.record(i, e.index, dec(e.data));
      if (this.snapshotMode && e.index % SNAPSHOT_INTERVAL === 0) this.pendingSnap.add(i);
    }
    nd.advance(rd);
    if (this.pendingSnap.delete(i)) this.takeSnapshot(i);
    return true;
  }

  /** The service's Snapshot(index, data) call: its applied commands up to lastApplied, then log compaction. */
  private takeSnapshot(i: number): void {
    const s = this.servers[i];
    const index = s.lastApplied;
    if (index <= s.storage.snapshot().metadata.index) return;
    const xlog = [...s.log].filter(([k]) => k <= index).sort((a, b) => a[0] - b[0]);
    s.storage.createSnapshot(index, this.node(i).raft.tracker.confState(), enc(JSON.stringify(xlog)));
    s.storage.compact(index);
  }

  private send(m: Message): void {
    const from = m.from - 1;
    const to = m.to - 1;
    if (REQUESTS.has(m.type)) {
      this.rpcs++;
      this.bytes += messageBytes(m);
    }
    if (!this.servers[from].connected || !this.servers[to].connected || (this.unreliable && this.int(10) === 0)) {
      this.dropped(m);
      return;
    }
    let at = this.now;
    if (this.unreliable) at += this.int(3);
    // labrpc long reordering: 2/3 of replies are delayed by 200 + rand(1 + rand(2000)) ms
    if (this.longReordering && !REQUESTS.has(m.type) && this.int(900) < 600) at += 2 + this.int(1 + this.int(20));
    this.inflight.push({ m, at });
    if (this.unreliable && this.int(20) === 0) this.inflight.push({ m, at: at + this.int(3) });
  }

  /** A lost snapshot is reported back to the leader, as etcd's transport does (ReportSnapshot). */
  private dropped(m: Message): void {
    if (m.type !== MessageType.Snap) return;
    this.servers[m.from - 1].node?.reportSnapshot(m.to, false);
  }

  /**
   * A fraction of a tick: every server handles one Ready (persisting and sending), then each due
   * message is delivered with probability 1/2 and the rest stay in flight. Models a crash a few
   * milliseconds after Start(), when only some AppendEntries have arrived (Figure 8).
   */
  partialPump(): void {
    for (let i = 0; i < this.n; i++) this.handleReady(i);
    const due = this.inflight.filter((f) => f.at <= this.now);
    const deliver = due.filter(() => this.int(2) === 0);
    this.inflight = this.inflight.filter((f) => !deliver.includes(f));
    for (const { m } of deliver) this.deliver(m);
  }

  /** Runs ready loops and delivers due messages until nothing is left to do this tick. */
  private pump(): void {
    for (let round = 0; round < 10_000; round++) {
      let worked = false;
      for (let i = 0; i < this.n; i++) worked = this.handleReady(i) || worked;
      const due = this.inflight.filter((f) => f.at <= this.now);
      if (due.length === 0 && !worked) return;
      this.inflight = this.inflight.filter((f) => f.at > this.now);
      if (this.unreliable) shuffle(due, (k) => this.int(k));
      for (const { m } of due) this.deliver(m);
    }
    throw new Error('lab cluster did not quiesce within a tick');
  }

  private deliver(m: Message): void {
    const to = this.servers[m.to - 1];
    if (!to.node || !to.connected || !this.servers[m.from - 1].connected) {
      this.dropped(m);
      return;
    }
    to.node.step(m);
    if (m.type === MessageType.Snap) this.servers[m.from - 1].node?.reportSnapshot(m.to, true);
  }

  /** Advances logical time by `k` ticks (each tick: tick every live server, then pump). */
  tick(k = 1): void {
    for (let t = 0; t < k; t++) {
      this.now++;
      for (const s of this.servers) s.node?.tick();
      this.pump();
      this.checkElectionSafety();
    }
  }

  /** Raft's Election Safety (paper Figure 3), checked after every tick: at most one leader per term, connected or not. */
  private checkElectionSafety(): void {
    const leaderOf = new Map<number, number>();
    for (let i = 0; i < this.n; i++) {
      const nd = this.servers[i].node;
      if (!nd || nd.raft.state !== 'leader') continue;
      const other = leaderOf.get(nd.raft.term);
      if (other !== undefined) this.errors.push(`servers ${other} and ${i} are both leaders of term ${nd.raft.term}`);
      leaderOf.set(nd.raft.term, i);
    }
  }

  /**
   * Raft.Start(cmd) on server `i`: proposes only if it is the leader, and returns at once (the
   * entry goes out with the server's next Ready, at the next tick or pump).
   */
  start(i: number, cmd: string): StartResult {
    const nd = this.servers[i].node;
    if (!nd) return { index: -1, term: -1, isLeader: false };
    const term = nd.raft.term;
    if (nd.raft.state !== 'leader') return { index: -1, term, isLeader: false };
    try {
      nd.propose(enc(cmd));
    } catch {
      return { index: -1, term, isLeader: false };
    }
    const index = nd.raft.log.lastIndex();
    return { index, term, isLeader: true };
  }

  /** Raft.GetState() of server `i`: (term, isLeader). */
  getState(i: number): { term: number; isLeader: boolean } {
    const nd = this.node(i);
    return { term: nd.raft.term, isLeader: nd.raft.state === 'leader' };
  }

  /** config.go checkOneLeader: within 10 rounds of 5 ticks, exactly one leader among connected servers per term. */
  checkOneLeader(): number {
    for (let iters = 0; iters < 10; iters++) {
      this.tick(5);
      const byTerm = new Map<number, number[]>();
      for (let i = 0; i < this.n; i++) {
        if (!this.servers[i].connected || !this.isAlive(i)) continue;
        const { term, isLeader } = this.getState(i);
        if (isLeader) byTerm.set(term, [...(byTerm.get(term) ?? []), i]);
      }
      let last = -1;
      for (const [term, leaders] of byTerm) {
        if (leaders.length > 1) throw new Error(`term ${term} has ${leaders.length} (>1) leaders`);
        if (term > last) last = term;
      }
      if (byTerm.size > 0) return (byTerm.get(last) as number[])[0];
    }
    throw new Error('expected one leader, got none');
  }

  /** config.go checkTerms: all connected servers agree on the term; returns it. */
  checkTerms(): number {
    let term = -1;
    for (let i = 0; i < this.n; i++) {
      if (!this.servers[i].connected || !this.isAlive(i)) continue;
      const t = this.getState(i).term;
      if (term === -1) term = t;
      else if (t !== term) throw new Error('servers disagree on term');
    }
    return term;
  }

  /** config.go checkNoLeader: no connected server thinks it is leader. */
  checkNoLeader(): void {
    for (let i = 0; i < this.n; i++) {
      if (this.servers[i].connected && this.isAlive(i) && this.getState(i).isLeader) {
        throw new Error(`expected no leader among connected servers, but ${i} claims to be leader`);
      }
    }
  }

  /** config.go nCommitted: how many servers applied index, and the (agreed) command there. */
  nCommitted(index: number): { count: number; cmd: string | undefined } {
    let count = 0;
    let cmd: string | undefined;
    if (this.errors.length > 0) throw new Error(this.errors[0]);
    for (const s of this.servers) {
      const c = s.log.get(index);
      if (c === undefined) continue;
      if (count > 0 && c !== cmd) throw new Error(`committed values do not match: index ${index}, ${cmd}, ${c}`);
      count++;
      cmd = c;
    }
    return { count, cmd };
  }

  /**
   * config.go wait: waits (up to ~30 rounds) for at least `n` servers to commit `index`; returns
   * the command, or undefined if some server moved past `startTerm` (leadership changed).
   * @throws Error if too few servers committed.
   */
  wait(index: number, n: number, startTerm: number): string | undefined {
    let to = 1;
    for (let iters = 0; iters < 30; iters++) {
      if (this.nCommitted(index).count >= n) break;
      this.tick(to);
      if (to < 10) to *= 2;
      if (startTerm > -1) {
        for (let i = 0; i < this.n; i++) {
          if (this.isAlive(i) && this.getState(i).term > startTerm) return undefined; // someone moved on
        }
      }
    }
    const { count, cmd } = this.nCommitted(index);
    if (count < n) throw new Error(`only ${count} decided for index ${index}; wanted ${n}`);
    return cmd;
  }

  /**
   * config.go one: submits `cmd` to a leader (trying servers in turn for up to 100 ticks = 10 s)
   * and waits up to 20 ticks for `expected` servers to agree; with `retry`, resubmits on failure.
   * @returns the index it committed at. @throws Error if agreement is not reached.
   */
  one(cmd: string, expected: number, retry: boolean): number {
    let starts = 0;
    for (let elapsed = 0; elapsed < 100;) {
      let index = -1;
      for (let si = 0; si < this.n; si++) {
        starts = (starts + 1) % this.n;
        if (this.servers[starts].connected && this.isAlive(starts)) {
          const r = this.start(starts, cmd);
          if (r.isLeader) {
            index = r.index;
            break;
          }
        }
      }
      if (index !== -1) {
        for (let t = 0; t < 20; t++) {
          const { count, cmd: c } = this.nCommitted(index);
          if (count > 0 && count >= expected && c === cmd) return index;
          this.tick(1);
          elapsed++;
        }
        if (!retry) throw new Error(`one(${cmd.slice(0, 20)}) failed to reach agreement`);
      } else {
        this.tick(1);
        elapsed++;
      }
    }
    throw new Error(`one(${cmd.slice(0, 20)}) failed to reach agreement`);
  }

  /** Total requests sent (config.go rpcTotal); replies are not counted, as in labrpc. */
  rpcTotal(): number {
    return this.rpcs;
  }

  /** Total estimated request bytes sent (labrpc GetTotalBytes). */
  bytesTotal(): number {
    return this.bytes;
  }

  /** Persisted Raft state size in bytes (persister.RaftStateSize): hard state plus log entries. */
  logSize(i: number): number {
    const st = this.servers[i].storage;
    let size = 24;
    const first = st.firstIndex();
    const last = st.lastIndex();
    if (last >= first) for (const e of st.entries(first, last + 1, Infinity)) size += 24 + e.data.byteLength;
    return size;
  }

  /** Number of entries in server `i`'s persisted log (after its snapshot). */
  logLength(i: number): number {
    const st = this.servers[i].storage;
    return st.lastIndex() - st.firstIndex() + 1;
  }
}

/** Approximate wire size of a message: a fixed header plus entries, snapshot data and context. */
function messageBytes(m: Message): number {
  let b = 64;
  for (const e of m.entries) b += 24 + e.data.byteLength;
  if (m.snapshot) b += 64 + m.snapshot.data.byteLength;
  if (m.context) b += m.context.byteLength;
  return b;
}

function shuffle<T>(xs: T[], int: (k: number) => number): void {
  for (let i = xs.length - 1; i > 0; i--) {
    const j = int(i + 1);
    [xs[i], xs[j]] = [xs[j], xs[i]];
  }
}

/** A copy of a MemoryStorage's persisted state (snapshot, entries, hard state): the persister's saved copy. */
function cloneStorage(st: MemoryStorage): MemoryStorage {
  const snap = st.snapshot();
  const { hardState, confState } = st.initialState();
  const c = new MemoryStorage(confState);
  if (snap.metadata.index > 0) c.applySnapshot(snap);
  const first = st.firstIndex();
  const last = st.lastIndex();
  if (last >= first) c.append(st.entries(first, last + 1, Infinity));
  c.setHardState(hardState);
  return c;
}
