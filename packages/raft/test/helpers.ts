import { SeededRandom } from '@shoal/actors';
import { MemoryStorage, Raft, RaftNode, message, MessageType } from '../src/index.ts';
import type { Entry, Message, NodeId, RaftConfig } from '../src/index.ts';
import { applyConfChangeEntry } from '../src/membership.ts';

/** A Raft over a MemoryStorage with voters `peers` (etcd's newTestRaft). */
export function newTestRaft(id: NodeId, peers: NodeId[], election = 10, heartbeat = 1, storage?: MemoryStorage, extra: Partial<RaftConfig> = {}): Raft {
  const st = storage ?? new MemoryStorage({ voters: peers, learners: [] });
  const rng = new SeededRandom(id * 7919 + 1);
  return new Raft({ id, storage: st, electionTick: election, heartbeatTick: heartbeat, rand: () => rng.next(), ...extra });
}

/** Takes and clears the raft's outgoing messages. */
export function readMessages(r: Raft): Message[] {
  const m = r.msgs;
  r.msgs = [];
  return m;
}

/** Entry helper. */
export function ent(index: number, term: number, data = ''): Entry {
  return { index, term, type: 'normal', data: new TextEncoder().encode(data) };
}

/** A storage preloaded with entries (after the dummy). */
export function storageWith(peers: NodeId[], ents: Entry[]): MemoryStorage {
  const st = new MemoryStorage({ voters: peers, learners: [] });
  st.append(ents);
  return st;
}

/** Steps a local proposal into raft `r`. */
export function propose(r: Raft, data = 'x'): string | undefined {
  return r.step(message({ type: MessageType.Prop, from: r.id, entries: [ent(0, 0, data)] }));
}

/**
 * A deterministic in-memory network of {@link RaftNode}s: `deliver` runs ready/persist/send/apply
 * loops until quiet; messages between partitioned or dropped links are discarded.
 */
export class Network {
  readonly nodes = new Map<NodeId, RaftNode>();
  readonly storages = new Map<NodeId, MemoryStorage>();
  /** Each node's state machine: the data of the normal entries it applied, in order. */
  readonly applied = new Map<NodeId, string[]>();
  /** Last applied index per node: the "state machine" survives restarts, as a real one would. */
  readonly appliedIndex = new Map<NodeId, number>();
  readonly reads = new Map<NodeId, { index: number; context: string }[]>();
  private readonly cut = new Set<string>();
  private readonly down = new Set<NodeId>();
  queue: Message[] = [];
  private readonly rng: SeededRandom;
  readonly config: Partial<RaftConfig>;

  constructor(voters: NodeId[], learners: NodeId[] = [], config: Partial<RaftConfig> = {}, seed = 1) {
    this.rng = new SeededRandom(seed);
    this.config = config;
    for (const id of [...voters, ...learners]) this.add(id, new MemoryStorage({ voters, learners }));
  }

  /** Creates (or restarts) node `id` over `storage`. */
  add(id: NodeId, storage: MemoryStorage): RaftNode {
    const rng = new SeededRandom(this.rng.nextU32());
    const applied = this.appliedIndex.get(id) ?? 0;
    const node = new RaftNode({ id, storage, electionTick: 10, heartbeatTick: 1, rand: () => rng.next(), applied, ...this.config });
    this.nodes.set(id, node);
    this.storages.set(id, storage);
    if (!this.applied.has(id)) this.applied.set(id, []);
    if (!this.reads.has(id)) this.reads.set(id, []);
    return node;
  }

  node(id: NodeId): RaftNode {
    const n = this.nodes.get(id);
    if (!n) throw new Error(`no node ${id}`);
    return n;
  }

  isolate(id: NodeId): void {
    for (const other of this.nodes.keys()) if (other !== id) this.cutLink(id, other);
  }

  cutLink(a: NodeId, b: NodeId): void {
    this.cut.add(`${a}-${b}`);
    this.cut.add(`${b}-${a}`);
  }

  heal(): void {
    this.cut.clear();
  }

  /**
   * Crashes and restarts node `id`: its volatile state machine is rebuilt from the latest
   * snapshot and the committed log after it is applied again (etcd's restart model).
   */
  restart(id: NodeId): RaftNode {
    const st = this.storages.get(id) as MemoryStorage;
    const snap = st.snapshot();
    this.applied.set(id, snap.data.byteLength > 0 ? (JSON.parse(new TextDecoder().decode(snap.data)) as string[]) : []);
    this.appliedIndex.set(id, snap.metadata.index);
    return this.add(id, st);
  }

  /** Handles ready() of every node once: persist, queue messages, apply. */
  processReady(): boolean {
    let any = false;
    for (const [id, n] of this.nodes) {
      if (this.down.has(id) || !n.hasReady()) continue;
      any = true;
      const rd = n.ready();
      const st = this.storages.get(id) as MemoryStorage;
      if (rd.snapshot) {
        st.applySnapshot(rd.snapshot);
        this.applied.set(id, JSON.parse(new TextDecoder().decode(rd.snapshot.data)) as string[]);
      }
      st.append(rd.entries);
      if (rd.hardState) st.setHardState(rd.hardState);
      for (const m of rd.messages) if (!this.cut.has(`${m.from}-${m.to}`)) this.queue.push(m);
      for (const e of rd.committedEntries) {
        if (e.type === 'confChange') applyConfChangeEntry(n.raft, e);
        if (e.data.byteLength > 0 && e.type === 'normal') (this.applied.get(id) as string[]).push(new TextDecoder().decode(e.data));
      }
      if (rd.committedEntries.length > 0) this.appliedIndex.set(id, rd.committedEntries[rd.committedEntries.length - 1].index);
      else if (rd.snapshot) this.appliedIndex.set(id, rd.snapshot.metadata.index);
      for (const r of rd.readStates) this.reads.get(id)?.push({ index: r.index, context: new TextDecoder().decode(r.context) });
      n.advance(rd);
    }
    return any;
  }

  /** Delivers messages until no node has work (bounded). */
  settle(maxRounds = 1000): void {
    for (let i = 0; i < maxRounds; i++) {
      const worked = this.processReady();
      if (this.queue.length === 0 && !worked) return;
      const q = this.queue;
      this.queue = [];
      for (const m of q) {
        if (this.down.has(m.to) || this.cut.has(`${m.from}-${m.to}`)) continue;
        this.nodes.get(m.to)?.step(m);
      }
    }
    throw new Error('network did not settle');
  }

  /** Ticks every node `n` times, settling after each tick. */
  tick(n: number): void {
    for (let i = 0; i < n; i++) {
      for (const [id, node] of this.nodes) if (!this.down.has(id)) node.tick();
      this.settle();
    }
  }

  /** Campaigns on `id` and settles. */
  elect(id: NodeId): void {
    this.node(id).campaign();
    this.settle();
  }

  leaders(): NodeId[] {
    return [...this.nodes].filter(([id, n]) => !this.down.has(id) && n.raft.state === 'leader').map(([id]) => id);
  }

  appliedData(id: NodeId): string[] {
    return this.applied.get(id) ?? [];
  }

  /**
   * Snapshots node `id`'s state machine (its applied data as JSON) at its applied index and
   * compacts its log there; false if there is nothing new to snapshot.
   */
  compact(id: NodeId): boolean {
    const st = this.storages.get(id) as MemoryStorage;
    const index = this.appliedIndex.get(id) ?? 0;
    if (index <= st.snapshot().metadata.index) return false;
    const data = new TextEncoder().encode(JSON.stringify(this.appliedData(id)));
    st.createSnapshot(index, this.node(id).raft.tracker.confState(), data);
    st.compact(index);
    return true;
  }
}
