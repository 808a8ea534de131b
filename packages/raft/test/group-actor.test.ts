import { describe, expect, it } from 'vitest';
import { ActorSystem, ErrorCode, MemoryDisk, SeededRandom } from '@shoal/actors';
import type { Env } from '@shoal/actors';
import { ManualTimers, TestNetworks } from '../../actors/test/helpers/fake-env.ts';
import { ActorRaftTransport, MessageType, RaftGroupActor, encodeMessage, message, raftGroupPath } from '../src/index.ts';
import type { Entry, RaftGroupActorStatus, RaftStateMachine } from '../src/index.ts';

const text = (s: string) => new TextEncoder().encode(s);
const PATH = raftGroupPath('g');
const IDS = [1, 2, 3];
const nodeOf = (id: number) => `n${id}`;

/** The replicated list of strings; throws a plain Error once on an entry named in `crashOn`. */
class Log implements RaftStateMachine {
  readonly items: string[] = [];
  private readonly crashOn: Set<string>;
  constructor(crashOn: Set<string>) {
    this.crashOn = crashOn;
  }
  apply(entries: Entry[]): void {
    for (const e of entries) {
      const s = new TextDecoder().decode(e.data);
      if (this.crashOn.delete(s)) throw new Error(`state machine bug on ${s}`);
      this.items.push(s);
    }
  }
  snapshot(): Uint8Array {
    return text(JSON.stringify(this.items));
  }
  restore(data: Uint8Array): void {
    this.items.splice(0, this.items.length, ...(JSON.parse(new TextDecoder().decode(data)) as string[]));
  }
}

/** Three nodes, each an ActorSystem on its own Env (own disk and seed), one virtual clock and one test network. */
class Cluster {
  readonly timers = new ManualTimers();
  readonly net = new TestNetworks();
  readonly systems = new Map<number, ActorSystem>();
  /** The latest state machine of each member (a restarted actor gets a fresh one). */
  readonly sms = new Map<number, Log>();
  readonly crashOn = new Map<number, Set<string>>(IDS.map((id) => [id, new Set<string>()]));
  readonly errors: [string, unknown][] = [];

  constructor() {
    for (const id of IDS) {
      const env: Env = { clock: this.timers, timers: this.timers, random: new SeededRandom(id * 101), disk: new MemoryDisk(), network: this.net.node(nodeOf(id)) };
      const system = new ActorSystem(env, { onError: (p, e) => this.errors.push([p, e]) });
      this.systems.set(id, system);
      this.spawn(id);
    }
  }

  spawn(id: number): void {
    this.sys(id).spawn(PATH, () => new RaftGroupActor({
      dir: 'raft/g', id, confState: { voters: IDS, learners: [] }, tickMs: 10,
      peers: new Map(IDS.map((p) => [p, nodeOf(p)])),
      createStateMachine: () => {
        const sm = new Log(this.crashOn.get(id) as Set<string>);
        this.sms.set(id, sm);
        return sm;
      },
    }));
  }

  sys(id: number): ActorSystem {
    return this.systems.get(id) as ActorSystem;
  }

  /** `ask` from node `from` to member `to`'s actor, advancing virtual time until it settles. */
  async ask<T>(from: number, to: number, msg: unknown): Promise<T> {
    let done = false;
    const p = this.sys(from).ask<T>({ node: nodeOf(to), path: PATH }, msg, 2000);
    p.then(() => { done = true; }, () => { done = true; });
    for (let i = 0; i < 300 && !done; i++) await this.timers.advance(10);
    return p;
  }

  status(id: number): Promise<RaftGroupActorStatus> {
    return this.ask<RaftGroupActorStatus>(id, id, { type: 'status' });
  }

  async leader(): Promise<number> {
    for (let round = 0; round < 100; round++) {
      const states = await Promise.all(IDS.map((id) => this.status(id)));
      const leaders = states.filter((s) => s.state === 'leader');
      if (leaders.length === 1 && states.every((s) => s.lead === leaders[0]?.id)) return leaders[0]?.id as number;
      await this.timers.advance(50);
    }
    throw new Error('no leader elected');
  }

  /** Advances time until every member's state machine holds `items` (or gives up after 3 s). */
  async converge(items: string[]): Promise<void> {
    for (let i = 0; i < 300 && !IDS.every((id) => this.sms.get(id)?.items.join() === items.join()); i++) await this.timers.advance(10);
  }

  async shutdown(): Promise<void> {
    for (const s of this.systems.values()) await s.shutdown();
  }
}

describe('RaftGroupActor: a Raft group over the actor transport', () => {
  it('elects a leader; a proposal asked from another node replicates to all three; readIndex works on a follower', async () => {
    const c = new Cluster();
    const leader = await c.leader();
    const follower = IDS.find((id) => id !== leader) as number;
    const i1 = await c.ask<number>(follower, leader, { type: 'propose', data: text('a') });
    const i2 = await c.ask<number>(leader, leader, { type: 'propose', data: text('b') });
    expect(i2).toBe(i1 + 1);
    await c.converge(['a', 'b']);
    for (const id of IDS) expect(c.sms.get(id)?.items).toEqual(['a', 'b']);

    const read = await c.ask<number>(leader, follower, { type: 'readIndex' });
    expect(read).toBeGreaterThanOrEqual(i2);
    expect((await c.status(follower)).applied).toBeGreaterThanOrEqual(read);

    await expect(c.ask(leader, follower, { type: 'propose', data: text('x') })).rejects.toMatchObject({ code: ErrorCode.ServiceUnavailable });
    expect(c.errors).toEqual([]);
    await c.shutdown();
  });

  it('group-commits proposals asked at once (deferred replies keep the mailbox open)', async () => {
    const c = new Cluster();
    const leader = await c.leader();
    const asks = ['p0', 'p1', 'p2', 'p3', 'p4'].map((s) => c.sys(leader).ask<number>({ node: nodeOf(leader), path: PATH }, { type: 'propose', data: text(s) }, 2000));
    let settled = 0;
    for (const p of asks) void p.then(() => settled++);
    for (let i = 0; i < 100 && settled < asks.length; i++) await c.timers.advance(10);
    const indexes = await Promise.all(asks);
    expect(indexes).toEqual(indexes.map((_, k) => (indexes[0] as number) + k));
    await c.converge(['p0', 'p1', 'p2', 'p3', 'p4']);
    expect(c.sms.get(leader)?.items).toEqual(['p0', 'p1', 'p2', 'p3', 'p4']);
    await c.shutdown();
  });

  it('answers other messages while proposals wait for their commit', async () => {
    const c = new Cluster();
    const leader = await c.leader();
    for (const id of IDS) if (id !== leader) c.net.cutLink(nodeOf(leader), nodeOf(id));
    const base = (await c.status(leader)).lastIndex;
    const pending = [0, 1, 2].map(() => c.sys(leader).ask<number>({ node: nodeOf(leader), path: PATH }, { type: 'propose', data: text('w') }, 60_000));
    const outcomes: unknown[] = [];
    for (const p of pending) p.then((i) => outcomes.push(i), (e: unknown) => outcomes.push(e));
    const s = await c.status(leader);
    expect(s.lastIndex).toBe(base + 3);
    expect(s.commit).toBe(base);
    expect(outcomes).toEqual([]);
    await c.shutdown();
    await Promise.allSettled(pending);
    expect(outcomes).toHaveLength(3);
  });

  it('a follower whose state machine crashes is restarted by supervision and catches up from its durable log', async () => {
    const c = new Cluster();
    const leader = await c.leader();
    const victim = IDS.find((id) => id !== leader) as number;
    (c.crashOn.get(victim) as Set<string>).add('boom');
    const before = c.sms.get(victim);
    for (const s of ['a', 'boom', 'c']) await c.ask<number>(leader, leader, { type: 'propose', data: text(s) });
    await c.converge(['a', 'boom', 'c']);
    for (const id of IDS) expect(c.sms.get(id)?.items).toEqual(['a', 'boom', 'c']);
    expect(c.sms.get(victim)).not.toBe(before); // a fresh instance re-applied the log
    expect(c.sys(victim).stats().restarts.byPath[PATH]).toBe(1);
    expect(c.errors.map(([p, e]) => [p, (e as Error).message])).toEqual([
      [PATH, expect.stringContaining('state machine bug on boom')],
    ]);
    // the restarted member keeps replicating
    await c.ask<number>(leader, leader, { type: 'propose', data: text('d') });
    await c.converge(['a', 'boom', 'c', 'd']);
    await c.shutdown();
  });

  it('a Raft invariant violation while stepping a peer message crashes the member, which restarts from its durable log', async () => {
    const c = new Cluster();
    const leader = await c.leader();
    const victim = IDS.find((id) => id !== leader) as number;
    await c.ask<number>(leader, leader, { type: 'propose', data: text('a') });
    await c.converge(['a']);
    const term = (await c.status(leader)).term;
    // A heartbeat of the current leader claiming a commit index far beyond the follower's log.
    const bogus = encodeMessage(message({ type: MessageType.Heartbeat, from: leader, to: victim, term, commit: 1_000 }));
    c.sys(leader).tell({ node: nodeOf(victim), path: PATH }, { type: 'raft', bytes: bogus });
    for (let i = 0; i < 20; i++) await c.timers.advance(10);
    expect(c.sys(victim).stats().restarts.byPath[PATH]).toBe(1);
    expect(c.errors.map(([p, e]) => [p, (e as Error).message])).toEqual([[PATH, expect.stringMatching(/raft invariant violated.*restarting it from its durable log/)]]);
    await c.ask<number>(leader, leader, { type: 'propose', data: text('b') });
    await c.converge(['a', 'b']);
    for (const id of IDS) expect(c.sms.get(id)?.items).toEqual(['a', 'b']);
    await c.shutdown();
  });

  it('a follower stopped and spawned again recovers from its directory and catches up', async () => {
    const c = new Cluster();
    const leader = await c.leader();
    const f = IDS.find((id) => id !== leader) as number;
    await c.ask<number>(leader, leader, { type: 'propose', data: text('a') });
    await c.converge(['a']);
    await c.sys(f).stop(PATH);
    await c.ask<number>(leader, leader, { type: 'propose', data: text('b') });
    c.spawn(f);
    await c.converge(['a', 'b']);
    expect(c.sms.get(f)?.items).toEqual(['a', 'b']);
    expect((await c.status(f)).term).toBe((await c.status(leader)).term);
    await c.shutdown();
  });

  it('compacts through an ask; a member spawned again restores the snapshot', async () => {
    const c = new Cluster();
    const leader = await c.leader();
    const f = IDS.find((id) => id !== leader) as number;
    for (const s of ['a', 'b']) await c.ask<number>(leader, leader, { type: 'propose', data: text(s) });
    await c.converge(['a', 'b']);
    const applied = (await c.status(f)).applied;
    expect(await c.ask<number>(leader, f, { type: 'compact' })).toBe(applied);
    await c.sys(f).stop(PATH);
    c.spawn(f);
    expect((await c.status(f)).applied).toBeGreaterThanOrEqual(applied);
    expect(c.sms.get(f)?.items).toEqual(['a', 'b']);
    await c.shutdown();
  });

  it('refuses bad messages with ParameterInvalid without crashing', async () => {
    const c = new Cluster();
    const leader = await c.leader();
    const other = IDS.find((id) => id !== leader) as number;
    const bad: [unknown, string][] = [
      [42, 'unknown message (type number)'],
      [null, 'unknown message (type object)'],
      [{ type: 'drop tables' }, 'unknown message (type drop tables)'],
      [{ type: 'propose', data: 'abc' }, '"propose" needs data: Uint8Array, got string'],
      [{ type: 'propose', data: new Uint8Array() }, 'data must be a non-empty Uint8Array'],
      [{ type: 'raft' }, '"raft" needs bytes: Uint8Array, got undefined'],
      [{ type: 'raft', bytes: new Uint8Array([9, 9, 9]) }, 'decodeMessage'],
      [{ type: 'compact', index: '3' }, '"compact" needs index: an optional number, got string'],
      [{ type: 'compact', index: 1.5 }, 'index must be an integer'],
      [{ type: 'transferLeader', id: -1 }, 'id must be a positive integer'],
      [{ type: 'setPeer', id: 2, node: 7 }, '"setPeer" needs node: string'],
      [{ type: 'setPeer', id: 0, node: 'n9' }, 'raft peer id must be a positive integer'],
    ];
    for (const [msg, text] of bad) {
      const err = await c.ask(other, leader, msg).catch((e: unknown) => e);
      expect(err, JSON.stringify(msg)).toMatchObject({ code: ErrorCode.ParameterInvalid, message: expect.stringContaining(text) });
    }
    // a Raft message addressed to another member is refused by Raft and counted
    const misrouted = encodeMessage(message({ type: 'heartbeat', from: other, to: 99, term: 1 }));
    await expect(c.ask(other, leader, { type: 'raft', bytes: misrouted })).rejects.toMatchObject({ code: ErrorCode.ParameterInvalid });
    const s = await c.status(leader);
    expect(s.refusedMessages).toBe(2);
    expect(s.state).toBe('leader');
    expect(c.sys(leader).stats().restarts.total).toBe(0);
    expect(c.errors).toEqual([]);
    await c.ask<number>(leader, leader, { type: 'propose', data: text('still fine') });
    await c.shutdown();
  });

  it('drops (and counts) messages to a Raft id without a peer entry; setPeer restores delivery', async () => {
    const c = new Cluster();
    const leader = await c.leader();
    const f = IDS.find((id) => id !== leader) as number;
    await c.ask(leader, leader, { type: 'removePeer', id: f });
    await c.timers.advance(100);
    const s = await c.status(leader);
    expect(s.droppedMessages).toBeGreaterThan(0);
    await c.ask<number>(leader, leader, { type: 'propose', data: text('a') });
    expect(c.sms.get(f)?.items).toEqual([]);
    await c.ask(leader, leader, { type: 'setPeer', id: f, node: nodeOf(f) });
    await c.converge(['a']);
    expect(c.sms.get(f)?.items).toEqual(['a']);
    await c.shutdown();
  });

  it('proposes a membership change through an ask; a malformed change is refused', async () => {
    const c = new Cluster();
    const leader = await c.leader();
    const other = IDS.find((id) => id !== leader) as number;
    const index = await c.ask<number>(other, leader, { type: 'proposeConfChange', change: { type: 'addLearner', nodeId: 4 } });
    expect(index).toBeGreaterThan(0);
    await c.timers.advance(100);
    expect((await c.status(leader)).droppedMessages).toBeGreaterThan(0); // the leader now replicates to learner 4, which has no peer entry yet
    const bad = await c.ask(other, leader, { type: 'proposeConfChange', change: { type: 'addVoter', nodeId: 5 } }).catch((e: unknown) => e);
    expect(bad).toMatchObject({ code: ErrorCode.ParameterInvalid, message: expect.stringContaining('type must be one of addNode, addLearner, removeNode') });
    const shapeless = await c.ask(other, leader, { type: 'proposeConfChange', change: 5 }).catch((e: unknown) => e);
    expect(shapeless).toMatchObject({ code: ErrorCode.ParameterInvalid, message: expect.stringContaining('"proposeConfChange" needs change') });
    await c.shutdown();
  });

  it('ActorRaftTransport checks its peers and path', () => {
    const c = new Cluster();
    expect(() => new ActorRaftTransport(c.sys(1), '', [])).toThrow(/path must be a non-empty string/);
    expect(() => new ActorRaftTransport(c.sys(1), PATH, [[1.5, 'n1']])).toThrow(/positive integer/);
    const t = new ActorRaftTransport(c.sys(1), PATH, [[2, 'n2']]);
    t.send(message({ type: 'heartbeat', from: 1, to: 3, term: 1 }));
    expect(t.dropped).toBe(1);
    expect(t.peers()).toEqual(new Map([[2, 'n2']]));
    expect(() => raftGroupPath('')).toThrow(/non-empty/);
  });
});
