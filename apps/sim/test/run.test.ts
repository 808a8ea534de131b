import { describe, expect, it } from 'vitest';
import { runSeed } from '../src/run.ts';
import type { RunOptions } from '../src/run.ts';
import type { SystemUnderTest } from '../src/system.ts';
import { DEFAULT_WORKLOAD } from '../src/workload.ts';
import { primaryKv } from './helpers/primary-kv.ts';

const base: RunOptions = { seed: 1, nodes: 5, durationMs: 10_000, healMs: 4000, swarm: false, system: primaryKv };

describe('runSeed', () => {
  it('replays a seed bit for bit: same seed, same trace hash; another seed, another hash', async () => {
    const a = await runSeed({ ...base, seed: 42, swarm: true });
    const b = await runSeed({ ...base, seed: 42, swarm: true });
    const c = await runSeed({ ...base, seed: 43, swarm: true });
    expect(a.trace.count).toBeGreaterThan(1000);
    expect(b.traceHash).toBe(a.traceHash);
    expect(b.history).toEqual(a.history);
    expect(c.traceHash).not.toBe(a.traceHash);
  });

  it('passes a correct (linearizable, fsyncing) system under the default faults, with crashes and partitions', async () => {
    const allKinds = new Set<string>();
    for (let seed = 1; seed <= 4; seed++) {
      const r = await runSeed({ ...base, seed, keepTrace: true });
      expect(r.failure).toBeUndefined();
      expect(r.network.lost).toBeGreaterThan(0);
      expect(r.history.filter((op) => op.outcome.status === 'ok').length).toBeGreaterThan(50);
      const kinds = new Set(r.trace.all().map((l) => l.trim().split(/\s+/)[2]));
      expect([...kinds]).toEqual(expect.arrayContaining(['send', 'recv', 'invoke', 'return', 'heal']));
      for (const k of kinds) allKinds.add(k);
    }
    expect([...allKinds]).toEqual(expect.arrayContaining(['crash', 'net-partition', 'net-block', 'net-clog', 'clock-jump', 'clock-drift', 'duplicate']));
  });

  it('catches a mutation that acknowledges writes before fsync (crashes lose them)', async () => {
    const results = [];
    for (let seed = 1; seed <= 6; seed++) results.push(await runSeed({ ...base, seed, durationMs: 30_000, mutation: 'no-fsync' }));
    const failed = results.filter((r) => !r.ok);
    expect(failed.length).toBeGreaterThan(0);
    expect(failed[0].failure).toMatch(/linearizability violated/);
    expect(failed[0].trace.tail().at(-1)).toMatch(/FAIL linearizability violated/);
  });

  it('fails when the system makes no progress in the healing phase', async () => {
    const mute: SystemUnderTest = { name: 'mute', mutations: [], start: () => ({ request: () => new Promise(() => {}) }) };
    const r = await runSeed({ ...base, system: mute, durationMs: 1000, healMs: 2000 });
    expect(r.ok).toBe(false);
    expect(r.failure).toMatch(/^liveness: no client operation invoked after 2000 ms/);
    expect(r.history.every((op) => op.outcome.status === 'unknown')).toBe(true);
  });

  it('reports an exception thrown by a node instead of crashing', async () => {
    const broken: SystemUnderTest = {
      name: 'broken', mutations: [],
      start: (ctx) => {
        ctx.env.timers.set(100, () => {
          throw new Error(`node ${ctx.id} broke`);
        });
        return { request: () => new Promise(() => {}) };
      },
    };
    const r = await runSeed({ ...base, system: broken });
    expect(r.ok).toBe(false);
    // Clocks drift (up to ±1000 ppm by default), so the first timer fires within 0.1 ms of 100 ms.
    expect(r.failure).toMatch(/^exception at (99\.9\d\d|100\.0\d\d) ms: Error: node n\d broke/);
  });

  it('runs the Raft safety checkers over the events the nodes record', async () => {
    const twoLeaders: SystemUnderTest = {
      name: 'two-leaders', mutations: [],
      start: (ctx) => {
        ctx.env.timers.set(50, () => ctx.recordRaft({ type: 'becameLeader', group: 'kv', term: 1, log: { firstIndex: 1, entries: [] } }));
        return { request: () => Promise.resolve({ status: 'fail', reason: 'no' }) };
      },
    };
    const r = await runSeed({ ...base, system: twoLeaders, durationMs: 100, healMs: 0 });
    expect(r.failure).toMatch(/^raft safety violated: .*term 1/);
    expect(r.raftEvents.filter((e) => e.type === 'becameLeader')).toHaveLength(5);
  });

  it('fails a Raft system that acknowledges a write some node never applies', async () => {
    const forgetful: SystemUnderTest = {
      name: 'forgetful', mutations: [],
      start: (ctx) => {
        let index = 0;
        return {
          request: (_input, opId) => {
            index++;
            // Only n1 applies (and reports) the operation; the other nodes apply an unrelated entry.
            ctx.recordRaft({ type: 'applied', group: 'kv', index, term: 1, hash: `h${index}`, opIds: ctx.id === 'n1' ? [opId] : [] });
            return Promise.resolve({ status: 'ok', value: null });
          },
        };
      },
    };
    const r = await runSeed({ ...base, system: forgetful, durationMs: 500, healMs: 1000, workload: { ...DEFAULT_WORKLOAD, putRate: 1 } });
    expect(r.failure).toMatch(/^acknowledged write lost: op #\d+ .* never applied by node n\d of group kv/);
  });

  it('checks liveness after healing for a system that records elections: a leader, and every later op resolved', async () => {
    const reads: Omit<RunOptions, 'system'> = { ...base, durationMs: 500, healMs: 2000, workload: { ...DEFAULT_WORKLOAD, putRate: 0 } };
    // Answers every get (nothing is ever written) but never elects a leader.
    const leaderless: SystemUnderTest = {
      name: 'leaderless', mutations: [],
      start: (ctx) => {
        ctx.recordRaft({ type: 'hardState', group: 'kv', term: 0, votedFor: null });
        return { request: () => Promise.resolve({ status: 'ok', value: null }) };
      },
    };
    expect((await runSeed({ ...reads, system: leaderless })).failure).toMatch(/^liveness violated: group kv had no leader between the healing at 500 ms and 1500 ms/);
    // n1 leads from the start, but every node drops every third request: those stay pending.
    const hanging: SystemUnderTest = {
      name: 'hanging', mutations: [],
      start: (ctx) => {
        if (ctx.id === 'n1') ctx.recordRaft({ type: 'becameLeader', group: 'kv', term: 1, log: { firstIndex: 1, entries: [] } });
        let n = 0;
        return { request: () => (++n % 3 === 0 ? new Promise(() => {}) : Promise.resolve({ status: 'ok', value: null })) };
      },
    };
    expect((await runSeed({ ...reads, system: hanging })).failure).toMatch(/^liveness violated: op #\d+ .* never resolved/);
    const answering: SystemUnderTest = { ...hanging, name: 'answering', start: (ctx) => ({ ...hanging.start(ctx), request: () => Promise.resolve({ status: 'ok', value: null }) }) };
    expect((await runSeed({ ...reads, system: answering })).failure).toBeUndefined();
  });

  it('rejects invalid options', async () => {
    await expect(runSeed({ ...base, seed: 1.5 })).rejects.toThrow(RangeError);
    await expect(runSeed({ ...base, healMs: -1 })).rejects.toThrow(/healMs/);
    await expect(runSeed({ ...base, nodes: 0 })).rejects.toThrow(/nodes must be a positive integer/);
  });
});
