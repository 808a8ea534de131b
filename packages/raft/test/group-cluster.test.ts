import { describe, expect, it } from 'vitest';
import { MemoryDisk } from '@shoal/actors';
import { fakeEnv, flush } from '../../actors/test/helpers/fake-env.ts';
import { RaftError, decodeMessage, encodeMessage, openRaftGroup } from '../src/index.ts';
import type { Entry, Message, RaftGroup, RaftStateMachine } from '../src/index.ts';

class Log implements RaftStateMachine {
  items: string[] = [];
  apply(entries: Entry[]): void {
    for (const e of entries) this.items.push(new TextDecoder().decode(e.data));
  }
}

const bytes = (s: string) => new TextEncoder().encode(s);
const IDS = [1, 2, 3];

/** Three groups on one virtual clock and one MemoryDisk, messages through a queue pumped by `run`. */
class Cluster {
  readonly env = fakeEnv();
  readonly disk = new MemoryDisk();
  readonly groups = new Map<number, RaftGroup>();
  readonly sms = new Map<number, Log>();
  readonly queue: Uint8Array[] = [];

  async open(id: number): Promise<RaftGroup> {
    const sm = new Log();
    const g = await openRaftGroup({
      env: { ...this.env, disk: this.disk }, dir: `raft/${id}`, id, confState: { voters: IDS, learners: [] },
      transport: { send: (m: Message) => this.queue.push(encodeMessage(m)) }, stateMachine: sm, tickMs: 10,
    });
    this.groups.set(id, g);
    this.sms.set(id, sm);
    return g;
  }

  async drain(): Promise<void> {
    for (let round = 0; round < 100 && this.queue.length > 0; round++) {
      for (const b of this.queue.splice(0)) {
        const m = decodeMessage(b);
        this.groups.get(m.to)?.receive(m);
      }
      await flush(30);
    }
  }

  /** Advances virtual time by `ms` in 10 ms steps, delivering messages after each. */
  async run(ms: number): Promise<void> {
    for (let t = 0; t < ms; t += 10) {
      await this.env.timers.advance(10);
      await this.drain();
    }
  }

  leader(): RaftGroup | undefined {
    const ls = [...this.groups.values()].filter((g) => g.status().state === 'leader');
    return ls.length === 1 ? ls[0] : undefined;
  }

  async elect(): Promise<RaftGroup> {
    for (let i = 0; i < 100 && this.leader() === undefined; i++) await this.run(50);
    const l = this.leader();
    if (l === undefined) throw new Error('no leader elected');
    return l;
  }

  /** Proposes on the leader and pumps until the proposal settles. */
  async propose(g: RaftGroup, s: string): Promise<number> {
    let out: number | undefined;
    let err: unknown;
    void g.propose(bytes(s)).then((i) => { out = i; }, (e: unknown) => { err = e; });
    for (let i = 0; i < 100 && out === undefined && err === undefined; i++) await this.run(10);
    if (err !== undefined) throw err;
    if (out === undefined) throw new Error(`proposal ${s} did not settle`);
    return out;
  }

  async closeAll(): Promise<void> {
    for (const g of this.groups.values()) await g.close();
  }
}

describe('RaftGroup with three voters', () => {
  it('elects a leader, replicates to all, serves readIndex, rejects follower proposals, and a restarted follower catches up', async () => {
    const c = new Cluster();
    for (const id of IDS) await c.open(id);
    const leader = await c.elect();
    const followers = [...c.groups.values()].filter((g) => g !== leader);
    expect(followers.every((f) => f.status().lead === leader.id)).toBe(true);

    const i1 = await c.propose(leader, 'a');
    const i2 = await c.propose(leader, 'b');
    expect(i2).toBe(i1 + 1);
    await c.run(100);
    for (const id of IDS) expect(c.sms.get(id)?.items).toEqual(['a', 'b']);

    // Followers reject proposals, naming the leader.
    const err = await followers[0].propose(bytes('nope')).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(RaftError);
    expect((err as RaftError).kind).toBe('proposalDropped');
    expect((err as RaftError).message).toMatch(new RegExp(`leader: ${leader.id}`));

    // readIndex on the leader and on a follower.
    for (const g of [leader, followers[1]]) {
      let read: number | undefined;
      void g.readIndex().then((i) => { read = i; });
      for (let k = 0; k < 50 && read === undefined; k++) await c.run(10);
      expect(read).toBeGreaterThanOrEqual(i2);
      expect(g.status().applied).toBeGreaterThanOrEqual(read ?? Infinity);
    }

    // A follower restarts (fresh in-memory state machine) and catches up with what it missed.
    const f = followers[0];
    await f.close();
    c.groups.delete(f.id);
    await c.propose(leader, 'c');
    await c.propose(leader, 'd');
    await c.open(f.id);
    for (let k = 0; k < 50 && c.sms.get(f.id)?.items.length !== 4; k++) await c.run(20);
    expect(c.sms.get(f.id)?.items).toEqual(['a', 'b', 'c', 'd']);
    expect(c.groups.get(f.id)?.status().lastIndex).toBe(leader.status().lastIndex);
    await c.closeAll();
  });

  it('a stepped-down leader rejects its proposal with proposalDropped when another leader overwrites it', async () => {
    const c = new Cluster();
    for (const id of IDS) await c.open(id);
    const old = await c.elect();
    await c.propose(old, 'base');
    // Cut the old leader off: its messages are dropped, and it gets nothing.
    const isolated = old.id;
    const drainAll = c.drain.bind(c);
    c.drain = async () => {
      c.queue.splice(0, c.queue.length, ...c.queue.filter((b) => {
        const m = decodeMessage(b);
        return m.from !== isolated && m.to !== isolated;
      }));
      await drainAll();
    };
    const lost = old.propose(bytes('lost'));
    let settled: unknown;
    void lost.then((i) => { settled = i; }, (e: unknown) => { settled = e; });
    const others = [...c.groups.values()].filter((g) => g !== old);
    for (let k = 0; k < 100 && !others.some((g) => g.status().state === 'leader'); k++) await c.run(50);
    const next = others.find((g) => g.status().state === 'leader');
    expect(next).toBeDefined();
    if (next === undefined) return;
    await c.propose(next, 'won');
    c.drain = drainAll; // heal
    for (let k = 0; k < 100 && settled === undefined; k++) await c.run(20);
    expect(settled).toBeInstanceOf(RaftError);
    expect((settled as RaftError).message).toMatch(/overwritten/);
    for (let k = 0; k < 20; k++) await c.run(20);
    expect(c.sms.get(isolated)?.items).toEqual(['base', 'won']);
    await c.closeAll();
  });
});

describe('RaftGroup pending requests always settle', () => {
  /** Drops every message from or to `id` until the returned function heals the link. */
  function isolate(c: Cluster, id: number): () => void {
    const drainAll = c.drain.bind(c);
    c.drain = async () => {
      c.queue.splice(0, c.queue.length, ...c.queue.filter((b) => {
        const m = decodeMessage(b);
        return m.from !== id && m.to !== id;
      }));
      await drainAll();
    };
    return () => { c.drain = drainAll; };
  }

  it("a deposed leader's proposals beyond an idle new leader's log reject once its log is cut", async () => {
    const c = new Cluster();
    for (const id of IDS) await c.open(id);
    const old = await c.elect();
    await c.propose(old, 'base');
    const heal = isolate(c, old.id);
    const outcomes: unknown[] = [undefined, undefined, undefined];
    ['l1', 'l2', 'l3'].forEach((s, i) => { void old.propose(bytes(s)).then((x) => { outcomes[i] = x; }, (e: unknown) => { outcomes[i] = e; }); });
    const others = [...c.groups.values()].filter((g) => g !== old);
    for (let k = 0; k < 100 && !others.some((g) => g.status().state === 'leader'); k++) await c.run(50);
    expect(others.some((g) => g.status().state === 'leader')).toBe(true);
    heal(); // the new leader stays idle: only its empty entry of the new term follows 'base'
    for (let k = 0; k < 100 && outcomes.includes(undefined); k++) await c.run(20);
    expect(outcomes.map((o) => o instanceof RaftError && o.kind === 'proposalDropped')).toEqual([true, true, true]);
    expect((outcomes[2] as RaftError).message).toMatch(/cut from the log/);
    expect(c.sms.get(old.id)?.items).toEqual(['base']);
    await c.closeAll();
  });

  it('a read index whose request is lost rejects after two election timeouts, and a retry succeeds', async () => {
    const c = new Cluster();
    for (const id of IDS) await c.open(id);
    const leader = await c.elect();
    await c.propose(leader, 'x');
    const follower = [...c.groups.values()].find((g) => g !== leader)!;
    const drainAll = c.drain.bind(c);
    c.drain = async () => { // lose the follower's read-index requests only
      c.queue.splice(0, c.queue.length, ...c.queue.filter((b) => decodeMessage(b).type !== 'readIndex'));
      await drainAll();
    };
    let outcome: unknown;
    void follower.readIndex().then((i) => { outcome = i; }, (e: unknown) => { outcome = e; });
    await c.run(150); // one and a half election timeouts (10 ticks of 10 ms): still waiting
    expect(outcome).toBeUndefined();
    await c.run(100);
    expect(outcome).toBeInstanceOf(RaftError);
    expect((outcome as RaftError).message).toMatch(/not confirmed within 20 ticks/);
    c.drain = drainAll;
    let retry: unknown;
    void follower.readIndex().then((i) => { retry = i; }, (e: unknown) => { retry = e; });
    for (let k = 0; k < 50 && retry === undefined; k++) await c.run(20);
    expect(retry).toBe(leader.status().commit);
    await c.closeAll();
  });
});

describe('RaftGroup membership changes', () => {
  it('a committed addLearner takes effect, and is re-applied from the log after a restart with appliedIndex', async () => {
    const env = fakeEnv();
    const disk = new MemoryDisk();
    const sent: Message[] = [];
    const opts = {
      env: { ...env, disk }, dir: 'raft/1', id: 1, confState: { voters: [1], learners: [] },
      transport: { send: (m: Message) => sent.push(m) }, stateMachine: new Log(), tickMs: 10,
    };
    const g = await openRaftGroup(opts);
    const ccIndex = await g.proposeConfChange({ type: 'addLearner', nodeId: 2 });
    expect(ccIndex).toBe(g.status().applied);
    await env.timers.advance(50);
    expect(sent.some((m) => m.to === 2)).toBe(true);
    await g.close();

    sent.length = 0;
    const env2 = fakeEnv();
    const g2 = await openRaftGroup({ ...opts, env: { ...env2, disk }, appliedIndex: ccIndex });
    expect(g2.status().applied).toBe(ccIndex);
    // The log holds a membership change, so the group elects itself through the election timeout.
    await env2.timers.advance(500);
    expect(g2.status().state).toBe('leader');
    expect(sent.some((m) => m.to === 2)).toBe(true); // learner 2 is known again without re-delivery
    expect(await g2.propose(bytes('after'))).toBeGreaterThan(ccIndex);
    await g2.close();
  });
});
