/**
 * The system under test of `shoal-sim`: a replicated key-value store, one `@shoal/raft`
 * `RaftNode` per simulated node, driven the etcd way (DESIGN.md, "Raft"): `tick()` on a timer,
 * `step()` on each message, and for every `Ready`: persist entries and hard state to a
 * checksummed write-ahead log on the simulated disk (fsync when `mustSync`), send the messages,
 * apply committed entries to the map and answer the clients, serve read-index reads, `advance()`.
 * A restart rebuilds the node from the log (entries and hard state; the map is re-applied from
 * the committed entries). Puts go through the log on the leader; gets use read-index.
 *
 * Not covered yet: snapshots and log compaction, membership changes, leader transfer.
 */
import { crc32 } from 'node:zlib';
import { decode, encode } from '@shoal/actors';
import type { Env } from '@shoal/actors';
import { MemoryStorage, RAFT_LIBRARY_MUTATIONS, RaftNode } from '@shoal/raft';
import type { Entry, HardState, Message, RaftMutation, Ready } from '@shoal/raft';
import type { KvInput } from './checkers/history.ts';
import { RAFT_GROUP } from './cluster.ts';
import { RecordLog } from './record-log.ts';
import type { KvReply, NodeContext, SimProcess, SystemUnderTest } from './system.ts';

/** Milliseconds (local clock) between two `tick()` calls. */
export const TICK_MS = 10;
/** Election timeout in ticks (randomized in [T, 2T) by Raft). */
export const ELECTION_TICKS = 10;
/** Heartbeat interval in ticks. */
export const HEARTBEAT_TICKS = 2;

/**
 * Deliberate bugs the checkers must catch (`--mutate`). Those of the node:
 * - `no-fsync`: never fsync the write-ahead log (a crash loses acknowledged entries and votes);
 * - `stale-read`: answer gets from the local map at once, without read-index (stale on followers
 *   and deposed leaders);
 * - `ack-before-fsync`: send a Ready's messages (acks, votes) and apply its entries before its
 *   entries and hard state are written and fsync'd (which happens one tick later);
 * - `apply-uncommitted`: hand entries to the map as soon as they are appended, before they commit;
 * - `forget-hardstate-on-restart`: a restart ignores the persisted hard state (term, vote, commit).
 * And those of the Raft library itself, planted through `RaftConfig.mutations`
 * (`RAFT_LIBRARY_MUTATIONS` of @shoal/raft: `commit-without-quorum`, `vote-twice-in-term`,
 * `ignore-term-on-append`).
 */
export const RAFT_MUTATIONS: readonly string[] = [
  'no-fsync', 'stale-read', 'ack-before-fsync', 'apply-uncommitted', 'forget-hardstate-on-restart', ...RAFT_LIBRARY_MUTATIONS,
];

/** A write-ahead log record: entries to append (overwriting a conflicting suffix), or a hard state. */
type WalRecord = { kind: 'entries'; entries: Entry[] } | { kind: 'hardState'; hardState: HardState };

/** A put proposed through the log; `req` names the request so its proposer can answer it. */
interface PutCommand {
  req: string;
  /** The client operation's id (`ClientOp.id`). */
  op: number;
  key: string;
  value: string;
}

/** The Raft-replicated key-value store. */
export const raftKv: SystemUnderTest = {
  name: 'raft-kv',
  mutations: RAFT_MUTATIONS,
  start: (ctx) => new RaftKvProcess(ctx),
  describeMessage: (bytes) => (bytes === lastSent.bytes ? lastSent.description : describeRaftMessage(decode(bytes) as Message)),
};

/**
 * The message this module is sending and its description, so that the trace (which describes a
 * message while it is being sent) need not decode it again. One slot, not a `WeakMap` of every
 * message: weak entries are costly for the garbage collector.
 */
const lastSent: { bytes: Uint8Array | undefined; description: string } = { bytes: undefined, description: '' };

/** A Raft message in a few tokens: `app t3 i7/2 +1 c6`, `voteResp t4 reject`. */
function describeRaftMessage(m: Message): string {
  let s = `${m.type} t${m.term}`;
  if (m.index !== 0 || m.logTerm !== 0) s += ` i${m.index}/${m.logTerm}`;
  if (m.entries.length > 0) s += ` +${m.entries.length}`;
  if (m.commit !== 0) s += ` c${m.commit}`;
  if (m.reject) s += ' reject';
  return s;
}

/** The hash of an entry's command in the Raft event trace: `<type>:<length>:<CRC-32 hex>`. */
function entryHash(e: Entry): string {
  return `${e.type}:${e.data.byteLength}:${crc32(e.data).toString(16)}`;
}

/** The planted Raft library defect named by `mutation`, as a `RaftConfig.mutations` set (empty for others). */
function raftLibraryMutation(mutation: string | undefined): ReadonlySet<RaftMutation> {
  const m = RAFT_LIBRARY_MUTATIONS.find((name) => name === mutation);
  return new Set(m === undefined ? [] : [m]);
}

/** Raft ids are positions in the node list, from 1 (`n1` → 1). */
function raftId(nodes: readonly string[], id: string): number {
  return nodes.indexOf(id) + 1;
}

/** One process (incarnation) of a Raft key-value node. */
class RaftKvProcess implements SimProcess {
  readonly #ctx: NodeContext;
  readonly #env: Env;
  readonly #data = new Map<string, string>();
  /** Requests of this process waiting for their entry to apply or their read state, by request id. */
  readonly #waiting = new Map<string, (reply: KvReply) => void>();
  /** Gets waiting for a read state, by request id. */
  readonly #reads = new Map<string, string>();
  #node: RaftNode | undefined;
  #log: RecordLog | undefined;
  /** The in-memory view of the persisted log that Raft reads (written after the disk). */
  #storage: MemoryStorage | undefined;
  #nextReq = 0;
  #driving = false;
  /** The term this node leads, or undefined while it does not lead (for the Raft event trace). */
  #ledTerm: number | undefined;
  /** Index of the last entry applied to the map. */
  #appliedIndex = 0;
  /** The term and vote last recorded as a `hardState` event (for the term checker). */
  #recordedHardState: { term: number; vote: number } | undefined;

  constructor(ctx: NodeContext) {
    this.#ctx = ctx;
    this.#env = ctx.env;
    this.#env.network.onMessage((_from, bytes) => {
      if (this.#node === undefined) return; // still recovering: as if not listening yet
      this.#node.step(decode(bytes) as Message);
      this.#drive();
    });
    void this.#recover().then(() => this.#scheduleTick());
  }

  /** Handles a client request: puts on the leader through the log, gets by read-index. */
  request(input: KvInput, opId: number): Promise<KvReply> {
    const node = this.#node;
    if (node === undefined) return Promise.resolve({ status: 'fail', reason: 'recovering' });
    if (input.kind !== 'put' && input.kind !== 'get') return Promise.resolve({ status: 'fail', reason: `${input.kind} is not supported yet` });
    if (input.kind === 'get' && this.#ctx.mutation === 'stale-read') return Promise.resolve({ status: 'ok', value: this.#data.get(input.key) ?? null });
    const req = `${this.#ctx.id}.${this.#ctx.incarnation}.${this.#nextReq++}`;
    return new Promise((resolve) => {
      try {
        if (input.kind === 'put') {
          if (node.raft.state !== 'leader') {
            const lead = node.raft.lead;
            resolve(lead > 0 && lead <= this.#ctx.nodes.length
              ? { status: 'fail', reason: 'not the leader', leader: this.#ctx.nodes[lead - 1] }
              : { status: 'fail', reason: 'not the leader' });
            return;
          }
          node.propose(encode({ req, op: opId, key: input.key, value: input.value } satisfies PutCommand));
        } else {
          node.readIndex(new TextEncoder().encode(req));
          this.#reads.set(req, input.key);
        }
      } catch (err) {
        resolve({ status: 'fail', reason: err instanceof Error ? err.message : String(err) });
        return;
      }
      this.#waiting.set(req, resolve);
      this.#drive();
    });
  }

  /** Rebuilds storage from the write-ahead log and creates the Raft node. */
  async #recover(): Promise<void> {
    const { records, log } = await RecordLog.open(this.#env.disk, 'raft.wal');
    const storage = new MemoryStorage({ voters: this.#ctx.nodes.map((_, i) => i + 1), learners: [] });
    for (const bytes of records) {
      const rec = decode(bytes) as WalRecord;
      if (rec.kind === 'entries') storage.append(rec.entries);
      else if (this.#ctx.mutation !== 'forget-hardstate-on-restart') storage.setHardState(rec.hardState);
    }
    this.#log = log;
    this.#storage = storage;
    this.#recordHardState(storage.initialState().hardState);
    // The map is rebuilt by re-applying the committed entries from index 1.
    if (this.#ctx.incarnation > 0) this.#ctx.recordRaft({ type: 'restarted', group: RAFT_GROUP, appliedIndex: 0 });
    this.#node = new RaftNode({
      id: raftId(this.#ctx.nodes, this.#ctx.id), storage, electionTick: ELECTION_TICKS, heartbeatTick: HEARTBEAT_TICKS,
      rand: () => this.#env.random.next(), checkQuorum: true, preVote: true, mutations: raftLibraryMutation(this.#ctx.mutation),
    });
  }

  #scheduleTick(): void {
    this.#env.timers.set(TICK_MS, () => {
      this.#node?.tick();
      this.#drive();
      this.#scheduleTick();
    });
  }

  /** Processes every pending `Ready`, one at a time (persisting is asynchronous). */
  #drive(): void {
    if (this.#driving) return;
    this.#driving = true;
    void this.#drain().finally(() => {
      this.#driving = false;
    });
  }

  async #drain(): Promise<void> {
    const node = this.#node;
    const log = this.#log;
    const storage = this.#storage;
    if (node === undefined || log === undefined || storage === undefined) return;
    while (node.hasReady()) {
      const rd = node.ready();
      this.#recordLeadership(node);
      const ackFirst = this.#ctx.mutation === 'ack-before-fsync';
      if (ackFirst) {
        this.#ackAndApply(rd, node);
        // the write and fsync lag one tick behind the acks (a group commit done wrong)
        await new Promise<void>((resolve) => this.#env.timers.set(TICK_MS, resolve));
      }
      await this.#persist(log, rd);
      storage.append(rd.entries);
      if (rd.hardState !== undefined) {
        storage.setHardState(rd.hardState);
        this.#recordHardState(rd.hardState);
      }
      if (!ackFirst) this.#ackAndApply(rd, node);
      for (const rs of rd.readStates) this.#answerRead(new TextDecoder().decode(rs.context));
      node.advance(rd);
    }
  }

  /** Sends a Ready's messages and applies its committed entries (and, mutated, its new ones). */
  #ackAndApply(rd: Ready, node: RaftNode): void {
    for (const e of rd.committedEntries) {
      this.#ctx.recordRaft({ type: 'committed', group: RAFT_GROUP, index: e.index, term: e.term, hash: entryHash(e), currentTerm: node.raft.term });
    }
    for (const m of rd.messages) {
      const bytes = encode(m);
      lastSent.bytes = bytes;
      lastSent.description = describeRaftMessage(m);
      this.#env.network.send(this.#ctx.nodes[m.to - 1], bytes);
      lastSent.bytes = undefined;
    }
    if (this.#ctx.mutation === 'apply-uncommitted') {
      for (const e of rd.entries) if (e.index > this.#appliedIndex) this.#apply(e);
    }
    for (const e of rd.committedEntries) if (e.index > this.#appliedIndex) this.#apply(e);
  }

  async #persist(log: RecordLog, rd: Ready): Promise<void> {
    if (rd.snapshot !== undefined) throw new Error('raft-kv: snapshots are not supported yet by the simulated node');
    if (rd.entries.length > 0) await log.append(encode({ kind: 'entries', entries: rd.entries } satisfies WalRecord));
    if (rd.hardState !== undefined) await log.append(encode({ kind: 'hardState', hardState: rd.hardState } satisfies WalRecord));
    if (rd.mustSync && this.#ctx.mutation !== 'no-fsync') await log.sync();
  }

  /** Records a `hardState` event when the persisted (or recovered) term or vote differs from the last one recorded. */
  #recordHardState(hs: HardState): void {
    const last = this.#recordedHardState;
    if (last !== undefined && last.term === hs.term && last.vote === hs.vote) return;
    this.#recordedHardState = { term: hs.term, vote: hs.vote };
    const votedFor = hs.vote > 0 && hs.vote <= this.#ctx.nodes.length ? this.#ctx.nodes[hs.vote - 1] : null;
    this.#ctx.recordRaft({ type: 'hardState', group: RAFT_GROUP, term: hs.term, votedFor });
  }

  /** Records `becameLeader` / `steppedDown` when this node's leadership changed since the last Ready. */
  #recordLeadership(node: RaftNode): void {
    const leads = node.raft.state === 'leader' ? node.raft.term : undefined;
    if (leads === this.#ledTerm) return;
    if (this.#ledTerm !== undefined) this.#ctx.recordRaft({ type: 'steppedDown', group: RAFT_GROUP, term: this.#ledTerm });
    if (leads !== undefined) {
      const first = node.raft.log.firstIndex();
      const entries = node.raft.log.slice(first, node.raft.log.lastIndex() + 1, Infinity).map((e) => ({ term: e.term, hash: entryHash(e) }));
      this.#ctx.recordRaft({ type: 'becameLeader', group: RAFT_GROUP, term: leads, log: { firstIndex: first, entries } });
    }
    this.#ledTerm = leads;
  }

  #apply(e: Entry): void {
    this.#appliedIndex = e.index;
    if (e.type !== 'normal' || e.data.byteLength === 0) {
      this.#ctx.recordRaft({ type: 'applied', group: RAFT_GROUP, index: e.index, term: e.term, hash: entryHash(e) });
      return; // the leader's empty entry of its term
    }
    const cmd = decode(e.data) as PutCommand;
    this.#ctx.recordRaft({ type: 'applied', group: RAFT_GROUP, index: e.index, term: e.term, hash: entryHash(e), opIds: [cmd.op] });
    this.#data.set(cmd.key, cmd.value);
    const resolve = this.#waiting.get(cmd.req);
    if (resolve !== undefined) {
      this.#waiting.delete(cmd.req);
      resolve({ status: 'ok' });
    }
  }

  #answerRead(req: string): void {
    const key = this.#reads.get(req);
    const resolve = this.#waiting.get(req);
    if (key === undefined || resolve === undefined) return;
    this.#reads.delete(req);
    this.#waiting.delete(req);
    resolve({ status: 'ok', value: this.#data.get(key) ?? null });
  }
}
