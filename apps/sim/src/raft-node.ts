/**
 * The system under test of `shoal-sim`: a replicated key-value store, one `@shoal/raft`
 * `RaftGroup` per simulated node (the production driver: ticks on Env timers, a Ready loop that
 * persists to `DiskStorage` on the simulated disk with group commit, snapshots and log
 * compaction; docs/raft-group.md). Raft messages travel through the simulated network encoded
 * with `encodeMessage`. Puts are proposed on the leader (a follower answers with the leader it
 * knows); gets use read-index. The map takes a snapshot (`snapshot()` / `restore()`) and the node
 * compacts its log every `snapshotEvery` applied entries, so lagging and restarted followers catch
 * up by InstallSnapshot. A restart reopens the group from the disk: the snapshot is restored and
 * the committed entries after it are re-applied; a restart that finds corrupt data fails, is
 * reported in the trace (`corruption detected`) and is retried.
 *
 * Not covered yet: membership changes, leader transfer.
 */
import { crc32 } from 'node:zlib';
import { DiskError, ErrorCode, ShoalError, decode, encode } from '@shoal/actors';
import type { Disk, Env } from '@shoal/actors';
import { RAFT_GROUP_MUTATIONS, RAFT_LIBRARY_MUTATIONS, decodeMessage, encodeMessage, openRaftGroup } from '@shoal/raft';
import type { Entry, HardState, Message, RaftGroup, RaftGroupMutation, RaftMutation, RaftNode, Ready, SnapshotMetadata } from '@shoal/raft';
import type { KvInput } from './checkers/history.ts';
import { RAFT_GROUP } from './cluster.ts';
import type { KvReply, NodeContext, SimProcess, SystemUnderTest } from './system.ts';

/**
 * Milliseconds (local clock) between two `tick()` calls. With {@link HEARTBEAT_TICKS} and
 * {@link ELECTION_TICKS}: heartbeats every 100 ms and election timeouts of 500–1000 ms, the 1:10
 * ratio etcd recommends (its defaults: 100 ms heartbeat, 1000 ms election). Heartbeats and ticks
 * are most of a run's events, so this also sets the simulator's speed.
 */
export const TICK_MS = 50;
/** Election timeout in ticks (randomized in [T, 2T) by Raft). */
export const ELECTION_TICKS = 10;
/** Heartbeat interval in ticks. */
export const HEARTBEAT_TICKS = 2;
/** Applied entries between two snapshots (log compactions) when the run does not choose. */
export const DEFAULT_SNAPSHOT_EVERY = 50;
/** Milliseconds (local clock) before a restart that failed on corrupt data is retried. */
export const RESTART_RETRY_MS = 100;

/**
 * Deliberate bugs the checkers must catch (`--mutate`). The node's own: `stale-read` (gets answer
 * from the local map at once, without read-index: stale on followers and deposed leaders). The
 * driver's, planted through `RaftGroupOptions.mutations` (`RAFT_GROUP_MUTATIONS` of @shoal/raft:
 * `no-fsync`, `ack-before-fsync`, `forget-hardstate-on-restart`, `apply-uncommitted`), and the
 * Raft library's (`RAFT_LIBRARY_MUTATIONS`: `commit-without-quorum`, `vote-twice-in-term`,
 * `ignore-term-on-append`). See packages/raft/src/mutations.ts.
 */
export const RAFT_MUTATIONS: readonly string[] = ['stale-read', ...RAFT_GROUP_MUTATIONS, ...RAFT_LIBRARY_MUTATIONS];

/** A put proposed through the log. */
interface PutCommand {
  /** The client operation's id (`ClientOp.id`). */
  op: number;
  key: string;
  value: string;
}

/** The map's snapshot: its pairs and the ids of every client operation applied into it. */
interface KvSnapshot {
  kv: Array<[string, string]>;
  ops: number[];
}

/** The Raft-replicated key-value store. */
export const raftKv: SystemUnderTest = {
  name: 'raft-kv',
  mutations: RAFT_MUTATIONS,
  start: (ctx) => new RaftKvProcess(ctx),
  describeMessage: (bytes) => (bytes === lastSent.bytes ? lastSent.description : describeRaftMessage(decodeMessage(bytes))),
};

/**
 * The message this module is sending and its description, so that the trace (which describes a
 * message while it is being sent) need not decode it again. One slot, not a `WeakMap` of every
 * message: weak entries are costly for the garbage collector.
 */
const lastSent: { bytes: Uint8Array | undefined; description: string } = { bytes: undefined, description: '' };

/** A Raft message in a few tokens: `app t3 i7/2 +1 c6`, `voteResp t4 reject`, `snap t5 i40/4`. */
function describeRaftMessage(m: Message): string {
  let s = `${m.type} t${m.term}`;
  if (m.index !== 0 || m.logTerm !== 0) s += ` i${m.index}/${m.logTerm}`;
  if (m.entries.length > 0) s += ` +${m.entries.length}`;
  if (m.commit !== 0) s += ` c${m.commit}`;
  if (m.snapshot !== undefined && m.snapshot.metadata.index > 0) s += ` snapshot ${m.snapshot.metadata.index}/${m.snapshot.metadata.term}`;
  if (m.reject) s += ' reject';
  return s;
}

/** The hash of an entry's command in the Raft event trace: `<type>:<length>:<CRC-32 hex>`. */
function entryHash(e: Entry): string {
  return `${e.type}:${e.data.byteLength}:${crc32(e.data).toString(16)}`;
}

/** The planted defects named by `mutation` for `RaftGroupOptions.mutations` (empty for others). */
function groupMutations(mutation: string | undefined): ReadonlySet<RaftMutation | RaftGroupMutation> {
  const all: readonly (RaftMutation | RaftGroupMutation)[] = [...RAFT_GROUP_MUTATIONS, ...RAFT_LIBRARY_MUTATIONS];
  const m = all.find((name) => name === mutation);
  return new Set(m === undefined ? [] : [m]);
}

/**
 * `disk` whose `readFile` reads twice and fails with `EIO` when the two reads differ. A checksum
 * cannot tell a bit flipped on the way from the disk in the last record of the write-ahead log
 * from a torn tail, and recovery would drop that synced record as torn; comparing two reads
 * detects the (transient) read corruption instead, and the restart is retried.
 */
function verifiedReads(disk: Disk): Disk {
  return new Proxy(disk, {
    get(target, prop) {
      if (prop === 'readFile') {
        return async (path: string): Promise<Uint8Array> => {
          const a = await target.readFile(path);
          const b = await target.readFile(path);
          if (!equalBytes(a, b)) throw new DiskError('EIO', path, 'two reads of the file returned different bytes (read corruption)');
          return a;
        };
      }
      // the target itself as the receiver: its getters and methods may use private fields
      const v: unknown = Reflect.get(target, prop, target);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** One process (incarnation) of a Raft key-value node. */
class RaftKvProcess implements SimProcess {
  readonly #ctx: NodeContext;
  readonly #env: Env;
  readonly #snapshotEvery: number;
  readonly #data = new Map<string, string>();
  /** Ids of the client operations applied into the map (carried by snapshots). */
  readonly #ops = new Set<number>();
  /** Entries seen in Readies and not yet recorded as applied, by index (the empty and configuration entries the map never receives). */
  readonly #seen = new Map<number, Entry>();
  #group: RaftGroup | undefined;
  /** The term this node leads, or undefined while it does not lead (for the Raft event trace). */
  #ledTerm: number | undefined;
  /** Index of the last entry recorded as applied (or restored from a snapshot). */
  #appliedIndex = 0;
  /** Index of the latest snapshot this process took or restored. */
  #snapshotIndex = 0;
  #compacting = false;
  /** The term and vote last recorded as a `hardState` event (for the term checker). */
  #recordedHardState: { term: number; vote: number } | undefined;

  constructor(ctx: NodeContext) {
    this.#ctx = ctx;
    this.#env = ctx.env;
    this.#snapshotEvery = ctx.snapshotEvery ?? DEFAULT_SNAPSHOT_EVERY;
    this.#env.network.onMessage((_from, bytes) => {
      // still recovering: as if not listening yet
      this.#group?.receive(decodeMessage(bytes));
    });
    this.#open();
  }

  /** Handles a client request: puts on the leader through the log, gets by read-index. */
  request(input: KvInput, opId: number): Promise<KvReply> {
    const group = this.#group;
    if (group === undefined) return Promise.resolve({ status: 'fail', reason: 'recovering' });
    if (input.kind !== 'put' && input.kind !== 'get') return Promise.resolve({ status: 'fail', reason: `${input.kind} is not supported yet` });
    if (input.kind === 'get') {
      if (this.#ctx.mutation === 'stale-read') return Promise.resolve({ status: 'ok', value: this.#data.get(input.key) ?? null });
      // Resolves once this node has applied the read point: the map is at least that fresh.
      return group.readIndex().then(
        () => ({ status: 'ok', value: this.#data.get(input.key) ?? null }),
        (err: unknown) => ({ status: 'fail', reason: err instanceof Error ? err.message : String(err) }),
      );
    }
    const { state, lead } = group.status();
    if (state !== 'leader') {
      return Promise.resolve(lead > 0 && lead <= this.#ctx.nodes.length
        ? { status: 'fail', reason: 'not the leader', leader: this.#ctx.nodes[lead - 1] }
        : { status: 'fail', reason: 'not the leader' });
    }
    // Any rejection after the proposal (overwritten, replaced by a snapshot, group stopped) leaves
    // the outcome unknown to this node: no answer, the client times out.
    return new Promise((resolve) => {
      group.propose(encode({ op: opId, key: input.key, value: input.value } satisfies PutCommand)).then(() => resolve({ status: 'ok' }), () => undefined);
    });
  }

  /** Opens the group from the disk; a failure on corrupt data is traced and retried after {@link RESTART_RETRY_MS}. */
  #open(): void {
    // The map is rebuilt from the snapshot (a `snapshotInstalled` event) and the committed entries after it.
    if (this.#ctx.incarnation > 0) this.#ctx.recordRaft({ type: 'restarted', group: RAFT_GROUP, appliedIndex: 0 });
    this.#data.clear();
    this.#ops.clear();
    this.#seen.clear();
    this.#appliedIndex = 0;
    this.#snapshotIndex = 0;
    this.#recordedHardState = undefined;
    openRaftGroup({
      env: { ...this.#env, disk: verifiedReads(this.#env.disk) },
      dir: 'raft',
      id: this.#ctx.nodes.indexOf(this.#ctx.id) + 1,
      confState: { voters: this.#ctx.nodes.map((_, i) => i + 1), learners: [] },
      transport: { send: (m) => this.#send(m) },
      stateMachine: {
        apply: (entries) => this.#apply(entries),
        snapshot: () => this.#takeSnapshot(),
        restore: (data, metadata) => this.#restore(data, metadata),
      },
      tickMs: TICK_MS, electionTicks: ELECTION_TICKS, heartbeatTicks: HEARTBEAT_TICKS, preVote: true, checkQuorum: true,
      mutations: groupMutations(this.#ctx.mutation),
      observer: {
        opened: (node) => this.#recordHardState(node.raft.hardState()),
        ready: (rd, node) => this.#onReady(rd, node),
        persisted: (rd, node) => this.#onPersisted(rd, node),
        failed: (err) => {
          // The simulated disk does not fail writes: a stopped group is a bug (a Raft invariant, …). Fail the seed.
          void Promise.reject(new Error(`node ${this.#ctx.id}: raft group stopped: ${err instanceof Error ? err.message : String(err)}`));
        },
      },
    }).then((group) => {
      this.#group = group;
    }, (err: unknown) => {
      // Only corrupt data (detected by a checksum or by two reads that differ) is expected here: anything else is a bug.
      if (!(err instanceof ShoalError && err.code === ErrorCode.IoFailed && /corrupt|EIO/.test(err.message))) throw err;
      this.#ctx.recordRaft({ type: 'restartFailed', group: RAFT_GROUP, reason: `corruption detected: ${err.message}` });
      this.#env.timers.set(RESTART_RETRY_MS, () => this.#open());
    });
  }

  #send(m: Message): void {
    const bytes = encodeMessage(m);
    lastSent.bytes = bytes;
    lastSent.description = describeRaftMessage(m);
    this.#env.network.send(this.#ctx.nodes[m.to - 1], bytes);
    lastSent.bytes = undefined;
  }

  /** Records leadership changes and remembers the Ready's entries (for the `applied` events of those the map never sees). */
  #onReady(rd: Ready, node: RaftNode): void {
    this.#recordLeadership(node);
    for (const e of rd.entries) this.#seen.set(e.index, e);
    for (const e of rd.committedEntries) if (e.index > this.#appliedIndex) this.#seen.set(e.index, e);
  }

  /** Records the persisted hard state and the entries the Ready commits. */
  #onPersisted(rd: Ready, node: RaftNode): void {
    if (rd.hardState !== undefined) this.#recordHardState(rd.hardState);
    for (const e of rd.committedEntries) {
      this.#ctx.recordRaft({ type: 'committed', group: RAFT_GROUP, index: e.index, term: e.term, hash: entryHash(e), currentTerm: node.raft.term });
    }
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

  /** The state machine's `apply`: puts into the map, with an `applied` event for each entry (and the skipped empty ones before it). */
  #apply(entries: Entry[]): void {
    for (const e of entries) {
      for (let i = this.#appliedIndex + 1; i < e.index; i++) {
        const skipped = this.#seen.get(i);
        if (skipped === undefined) break;
        this.#recordApplied(skipped, undefined);
      }
      const cmd = decode(e.data) as PutCommand;
      this.#data.set(cmd.key, cmd.value);
      this.#ops.add(cmd.op);
      this.#recordApplied(e, [cmd.op]);
    }
    if (this.#appliedIndex - this.#snapshotIndex >= this.#snapshotEvery) this.#compact();
  }

  #recordApplied(e: Entry, opIds: number[] | undefined): void {
    this.#appliedIndex = e.index;
    this.#seen.delete(e.index);
    this.#ctx.recordRaft({ type: 'applied', group: RAFT_GROUP, index: e.index, term: e.term, hash: entryHash(e), ...(opIds === undefined ? {} : { opIds }) });
  }

  /** Takes a snapshot and drops the log before it (in the background: the group runs it between two Readies). */
  #compact(): void {
    const group = this.#group;
    if (group === undefined || this.#compacting) return;
    this.#compacting = true;
    group.compact().then((index) => {
      this.#snapshotIndex = Math.max(this.#snapshotIndex, index);
    }, () => undefined /* a stopped group is reported by the observer */).finally(() => {
      this.#compacting = false;
    });
  }

  /** The state machine's `snapshot`: the map and its op ids, CRC-32 protected (`[u32 crc LE][payload]`). */
  #takeSnapshot(): Uint8Array {
    const payload = encode({ kv: [...this.#data], ops: [...this.#ops] } satisfies KvSnapshot);
    const out = new Uint8Array(4 + payload.byteLength);
    new DataView(out.buffer).setUint32(0, crc32(payload), true);
    out.set(payload, 4);
    return out;
  }

  /**
   * The state machine's `restore` (a snapshot on disk at open, or sent by the leader).
   * @throws ShoalError IoFailed if the snapshot's checksum does not match (corrupt data).
   */
  #restore(data: Uint8Array, metadata: SnapshotMetadata): void {
    const payload = data.subarray(4);
    if (data.byteLength < 4 || new DataView(data.buffer, data.byteOffset, 4).getUint32(0, true) !== crc32(payload)) {
      throw new ShoalError(ErrorCode.IoFailed, `raft-kv node ${this.#ctx.id}: snapshot ${metadata.index}/${metadata.term} is corrupt (checksum mismatch)`);
    }
    const snap = decode(payload) as KvSnapshot;
    this.#data.clear();
    for (const [k, v] of snap.kv) this.#data.set(k, v);
    this.#ops.clear();
    for (const op of snap.ops) this.#ops.add(op);
    for (const i of [...this.#seen.keys()]) if (i <= metadata.index) this.#seen.delete(i);
    this.#appliedIndex = metadata.index;
    this.#snapshotIndex = metadata.index;
    this.#ctx.recordRaft({
      type: 'snapshotInstalled', group: RAFT_GROUP, index: metadata.index, term: metadata.term, opIds: snap.ops, fromDisk: this.#group === undefined,
    });
  }
}
