import { describe, expect, it } from 'vitest';
import { ErrorCode, MemoryDisk, ShoalError } from '@shoal/actors';
import type { Env } from '@shoal/actors';
import { fakeEnv, flush } from '../../actors/test/helpers/fake-env.ts';
import { TestDisk } from './group-helpers.ts';
import { openRaftGroup } from '../src/index.ts';
import type { Entry, RaftGroup, RaftStateMachine, SnapshotMetadata } from '../src/index.ts';

/** A state machine that records applied payloads as text; snapshot = JSON of the list. */
class Log implements RaftStateMachine {
  items: string[] = [];
  indexes: number[] = [];
  restored: SnapshotMetadata | null = null;
  apply(entries: Entry[]): void {
    for (const e of entries) {
      this.items.push(new TextDecoder().decode(e.data));
      this.indexes.push(e.index);
    }
  }
  snapshot(): Uint8Array {
    return new TextEncoder().encode(JSON.stringify(this.items));
  }
  restore(data: Uint8Array, metadata: SnapshotMetadata): void {
    this.items = JSON.parse(new TextDecoder().decode(data)) as string[];
    this.restored = metadata;
  }
}

const bytes = (s: string) => new TextEncoder().encode(s);

function envWith(disk: MemoryDisk): Env & { timers: ReturnType<typeof fakeEnv>['timers'] } {
  return { ...fakeEnv(), disk };
}

async function open(disk: MemoryDisk, sm: RaftStateMachine, extra: { appliedIndex?: number } = {}): Promise<RaftGroup> {
  return openRaftGroup({
    env: envWith(disk), dir: 'raft/1', id: 1, confState: { voters: [1], learners: [] },
    transport: { send: () => { throw new Error('a one-voter group sends nothing'); } }, stateMachine: sm, ...extra,
  });
}

async function rejection(p: Promise<unknown>): Promise<ShoalError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(ShoalError);
  return err as ShoalError;
}

describe('RaftGroup with one voter', () => {
  it('is leader at open; proposals are applied in order with increasing indexes; lastIndex is synchronous', async () => {
    const sm = new Log();
    const g = await open(new TestDisk(), sm);
    expect(g.status()).toMatchObject({ id: 1, state: 'leader', lead: 1 });
    const ps: Promise<number>[] = [];
    const assigned: number[] = [];
    for (let i = 0; i < 5; i++) {
      ps.push(g.propose(bytes(`p${i}`)));
      assigned.push(g.lastIndex);
    }
    const idx = await Promise.all(ps);
    expect(idx).toEqual(assigned);
    expect(idx).toEqual([...idx].sort((a, b) => a - b));
    expect(new Set(idx).size).toBe(5);
    expect(sm.items).toEqual(['p0', 'p1', 'p2', 'p3', 'p4']);
    expect(sm.indexes).toEqual(idx);
    expect(g.status().applied).toBe(idx[4]);
    expect(await g.readIndex()).toBeGreaterThanOrEqual(idx[4]);
    await g.close();
  });

  it('group commit: 100 proposals issued at once take far fewer than 100 fsyncs', async () => {
    const disk = new TestDisk();
    const g = await open(disk, new Log());
    const before = disk.syncs;
    const ps = Array.from({ length: 100 }, (_, i) => g.propose(bytes(`x${i}`)));
    await Promise.all(ps);
    const used = disk.syncs - before;
    expect(used).toBeGreaterThan(0);
    expect(used).toBeLessThanOrEqual(3);
    await g.close();
  });

  it('after a crash before fsync, every acknowledged proposal is replayed; unacknowledged ones may be lost', async () => {
    const disk = new TestDisk();
    const g = await open(disk, new Log());
    const acked = await Promise.all([1, 2, 3].map((i) => g.propose(bytes(`a${i}`))));
    expect(acked).toHaveLength(3);
    disk.hold = true;
    const unacked = [1, 2, 3].map((i) => g.propose(bytes(`u${i}`)));
    let settled = 0;
    for (const p of unacked) void p.then(() => settled++, () => settled++);
    await flush(50);
    expect(settled).toBe(0);
    disk.crash();
    disk.hold = false;
    const sm = new Log();
    const g2 = await open(disk, sm);
    expect(sm.items.slice(0, 3)).toEqual(['a1', 'a2', 'a3']);
    expect(sm.items.length === 3 || sm.items.length === 6).toBe(true);
    await g2.close();
  });

  it('restart re-delivers committed entries to apply (or only those after appliedIndex)', async () => {
    const disk = new TestDisk();
    const g = await open(disk, new Log());
    const idx = await Promise.all(['a', 'b', 'c'].map((s) => g.propose(bytes(s))));
    await g.close();
    const sm = new Log();
    const g2 = await open(disk, sm);
    expect(sm.items).toEqual(['a', 'b', 'c']);
    expect(sm.indexes).toEqual(idx);
    expect(await g2.propose(bytes('d'))).toBeGreaterThan(idx[2]);
    await g2.close();
    const sm3 = new Log();
    const g3 = await open(disk, sm3, { appliedIndex: idx[1] });
    expect(sm3.items).toEqual(['c', 'd']);
    await g3.close();
  });

  it('compaction then restart restores from the snapshot and replays only what follows', async () => {
    const disk = new TestDisk();
    const g = await open(disk, new Log());
    for (const s of ['a', 'b', 'c']) await g.propose(bytes(s));
    const snapIndex = await g.compact();
    expect(snapIndex).toBe(g.status().applied);
    expect(g.storage.firstIndex()).toBe(snapIndex + 1);
    await g.propose(bytes('d'));
    await g.close();
    const sm = new Log();
    const g2 = await open(disk, sm);
    expect(sm.restored?.index).toBe(snapIndex);
    expect(sm.items).toEqual(['a', 'b', 'c', 'd']);
    await g2.close();
  });

  it('a disk failure is fail-stop: pending and later proposals reject with IoFailed', async () => {
    const disk = new TestDisk();
    const g = await open(disk, new Log());
    disk.failSync = true;
    const err = await rejection(g.propose(bytes('x')));
    expect(err.code).toBe(ErrorCode.IoFailed);
    disk.failSync = false;
    expect((await rejection(g.propose(bytes('y')))).code).toBe(ErrorCode.IoFailed);
    expect((await rejection(g.readIndex())).code).toBe(ErrorCode.IoFailed);
    await g.close();
  });

  it('rejects bad input and use after close clearly', async () => {
    const disk = new TestDisk();
    const base = { env: envWith(disk), dir: 'd', transport: { send: () => undefined }, stateMachine: new Log() };
    for (const id of [0, -1, 1.5]) {
      const err = await rejection(openRaftGroup({ ...base, id }));
      expect(err.code).toBe(ErrorCode.ParameterInvalid);
      expect(err.message).toMatch(/id must be a positive/);
    }
    expect((await rejection(openRaftGroup({ ...base, id: 1, electionTicks: 1, heartbeatTicks: 1 }))).message).toMatch(/electionTicks/);
    const g = await open(disk, new Log());
    expect((await rejection(g.propose(new Uint8Array()))).code).toBe(ErrorCode.ParameterInvalid);
    await g.close();
    const closed = await rejection(g.propose(bytes('late')));
    expect(closed.code).toBe(ErrorCode.IoFailed);
    expect(closed.message).toMatch(/closed/);
  });
});
