import { describe, expect, it } from 'vitest';
import type { MemoryDisk } from '@shoal/actors';
import { fakeEnv, flush } from '../../actors/test/helpers/fake-env.ts';
import { TestDisk } from './group-helpers.ts';
import { openRaftGroup, RAFT_GROUP_MUTATIONS } from '../src/index.ts';
import type { Entry, HardState, RaftGroup, RaftGroupMutation, RaftGroupObserver, RaftStateMachine } from '../src/index.ts';

class Items implements RaftStateMachine {
  items: string[] = [];
  apply(entries: Entry[]): void {
    for (const e of entries) this.items.push(new TextDecoder().decode(e.data));
  }
}

const bytes = (s: string) => new TextEncoder().encode(s);

async function open(disk: MemoryDisk, sm: RaftStateMachine, mutation?: RaftGroupMutation, observer?: RaftGroupObserver): Promise<RaftGroup> {
  return openRaftGroup({
    env: { ...fakeEnv(), disk }, dir: 'raft/1', id: 1, confState: { voters: [1], learners: [] },
    transport: { send: () => undefined }, stateMachine: sm,
    ...(mutation === undefined ? {} : { mutations: new Set([mutation]) }),
    ...(observer === undefined ? {} : { observer }),
  });
}

describe('RaftGroup observer', () => {
  it('sees each Ready before and after it is persisted, with the persisted hard state', async () => {
    const seen: string[] = [];
    const hard: HardState[] = [];
    let openedAt: number | undefined;
    const g = await open(new TestDisk(), new Items(), undefined, {
      opened: (node) => { openedAt = seen.length; expect(node.raft.term).toBe(0); },
      ready: (rd) => seen.push(`ready ${rd.entries.length}`),
      persisted: (rd, node) => {
        seen.push(`persisted ${rd.entries.length}`);
        if (rd.hardState !== undefined) hard.push(rd.hardState);
        expect(node.raft.id).toBe(1);
      },
    });
    await g.propose(bytes('a'));
    expect(seen.length).toBeGreaterThan(0);
    expect(openedAt).toBe(0);
    for (let i = 0; i < seen.length; i += 2) {
      expect(seen[i].startsWith('ready')).toBe(true);
      expect(seen[i + 1]).toBe(seen[i].replace('ready', 'persisted'));
    }
    expect(hard.at(-1)?.term).toBe(1);
    await g.close();
  });

  it('reports a stop of the group through failed()', async () => {
    let failure: unknown;
    const sm: RaftStateMachine = { apply: () => { throw new Error('state machine broke'); } };
    const g = await open(new TestDisk(), sm, undefined, { failed: (err) => { failure = err; } });
    await g.propose(bytes('x')).catch(() => undefined);
    expect(String(failure)).toContain('state machine broke');
    await g.close();
  });
});

describe('RaftGroup mutations (testing hooks, off by default)', () => {
  it('lists its names', () => {
    expect([...RAFT_GROUP_MUTATIONS].sort()).toEqual(['ack-before-fsync', 'apply-uncommitted', 'forget-hardstate-on-restart', 'no-fsync']);
  });

  it('no-fsync: the storage never fsyncs, so a crash loses acknowledged entries', async () => {
    const disk = new TestDisk();
    const g = await open(disk, new Items(), 'no-fsync');
    await g.propose(bytes('a'));
    expect(disk.syncs).toBe(0);
    disk.crash();
    const sm = new Items();
    const g2 = await open(disk, sm);
    expect(sm.items).toEqual([]);
    await g2.close();
    // without the mutation the same sequence keeps the entry
    const disk2 = new TestDisk();
    const h = await open(disk2, new Items());
    await h.propose(bytes('a'));
    expect(disk2.syncs).toBeGreaterThan(0);
    disk2.crash();
    const sm2 = new Items();
    const h2 = await open(disk2, sm2);
    expect(sm2.items).toEqual(['a']);
    await h2.close();
  });

  it('forget-hardstate-on-restart: the reopened node starts from term 0 and re-campaigns at term 1', async () => {
    const disk = new TestDisk();
    const g = await open(disk, new Items());
    expect(g.status().term).toBe(1);
    await g.close();
    const g2 = await open(disk, new Items());
    expect(g2.status().term).toBe(2);
    await g2.close();
    const g3 = await open(disk, new Items(), 'forget-hardstate-on-restart');
    expect(g3.status().term).toBe(1);
    await g3.close();
  });

  it('apply-uncommitted: an entry is applied while its fsync is still in flight', async () => {
    for (const mutated of [false, true]) {
      const disk = new TestDisk();
      const sm = new Items();
      const g = await open(disk, sm, mutated ? 'apply-uncommitted' : undefined);
      disk.hold = true;
      void g.propose(bytes('x')).catch(() => undefined);
      await flush(20);
      expect(sm.items).toEqual(mutated ? ['x'] : []);
    }
  });

  it('ack-before-fsync: a Ready is persisted one tick after it was taken (and its messages sent)', async () => {
    for (const mutated of [false, true]) {
      const env = fakeEnv();
      const lags: number[] = [];
      let takenAt = 0;
      const opened = openRaftGroup({
        env: { ...env, disk: new TestDisk() }, dir: 'raft/1', id: 1, confState: { voters: [1], learners: [] }, tickMs: 10,
        transport: { send: () => undefined }, stateMachine: new Items(),
        observer: { ready: () => { takenAt = env.timers.nowMs(); }, persisted: () => lags.push(env.timers.nowMs() - takenAt) },
        ...(mutated ? { mutations: new Set(['ack-before-fsync'] as const) } : {}),
      });
      for (let i = 0; i < 10; i++) {
        await flush(10);
        await env.timers.advance(10);
      }
      const g = await opened;
      expect(lags.length).toBeGreaterThan(0);
      expect(lags.every((ms) => ms === (mutated ? 10 : 0))).toBe(true);
      await g.close();
    }
  });
});
