// Property test: under random interleavings of ticks, deliveries, drops, duplicates, proposals,
// reads, single-server membership changes, leader transfers, restarts and log compaction (snapshots), Raft's safety properties hold
// (Raft paper Figure 3): election safety (at most one leader per term), log matching, state
// machine safety (applied sequences agree), and read-index linearizability (a read is served at
// an index ≥ every index committed anywhere before it was issued; thesis §6.4).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Entry, NodeId } from '../src/index.ts';
import { Network } from './helpers.ts';

type Action =
  | { kind: 'tick'; node: number }
  | { kind: 'tickAll' }
  | { kind: 'deliverMany'; pick: number; count: number }
  | { kind: 'deliver'; pick: number }
  | { kind: 'drop'; pick: number }
  | { kind: 'dup'; pick: number }
  | { kind: 'propose'; node: number }
  | { kind: 'restart'; node: number }
  | { kind: 'compact'; node: number }
  | { kind: 'read'; node: number }
  | { kind: 'conf'; node: number; target: number; type: 'addNode' | 'addLearner' | 'removeNode' }
  | { kind: 'transfer'; node: number; target: number };

const IDS: NodeId[] = [1, 2, 3, 4, 5];

const action: fc.Arbitrary<Action> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('tick' as const), node: fc.nat(4) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('tickAll' as const) }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('deliver' as const), pick: fc.nat() }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('deliverMany' as const), pick: fc.nat(), count: fc.integer({ min: 1, max: 30 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('drop' as const), pick: fc.nat() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('dup' as const), pick: fc.nat() }) },
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('propose' as const), node: fc.nat(4) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('restart' as const), node: fc.nat(4) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('compact' as const), node: fc.nat(4) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('read' as const), node: fc.nat(4) }) },
  { weight: 1, arbitrary: fc.record({
    kind: fc.constant('conf' as const), node: fc.nat(4), target: fc.nat(4),
    type: fc.constantFrom('addNode' as const, 'addLearner' as const, 'removeNode' as const),
  }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('transfer' as const), node: fc.nat(4), target: fc.nat(4) }) },
);

function logOf(net: Network, id: NodeId): Entry[] {
  const l = net.node(id).raft.log;
  return l.slice(l.firstIndex(), l.lastIndex() + 1, Infinity);
}

const stats = { leaders: 0, applied: 0, compactions: 0, snapshotsSent: 0, reads: 0, confChanges: 0 };

function run(actions: Action[], preVote: boolean, checkQuorum: boolean, seed: number): void {
  const net = new Network(IDS, [], { preVote, checkQuorum, electionTick: 4, heartbeatTick: 1 }, seed);
  const leaderOfTerm = new Map<number, NodeId>();
  let proposals = 0;
  const reads = new Map<string, number>(); // context → highest commit index anywhere when issued
  const check = (): void => {
    for (const id of IDS) {
      const r = net.node(id).raft;
      if (r.state !== 'leader') continue;
      const prev = leaderOfTerm.get(r.term);
      if (prev !== undefined && prev !== id) throw new Error(`two leaders in term ${r.term}: ${prev} and ${id}`);
      leaderOfTerm.set(r.term, id);
    }
  };
  for (const a of actions) {
    switch (a.kind) {
      case 'tick': net.node(IDS[a.node]).tick(); break;
      case 'tickAll': for (const id of IDS) net.node(id).tick(); break;
      case 'deliverMany':
        for (let k = 0; k < a.count && net.queue.length > 0; k++) {
          const [m] = net.queue.splice((a.pick + k * 7) % net.queue.length, 1);
          if (m.type === 'snap') stats.snapshotsSent++;
          net.node(m.to).step(m);
          net.processReady();
          check();
        }
        break;
      case 'propose':
        try { net.node(IDS[a.node]).propose(new TextEncoder().encode(`p${proposals++}`)); } catch { /* dropped: no leader */ }
        break;
      case 'read': {
        const ctx = `r${reads.size}`;
        reads.set(ctx, Math.max(...IDS.map((id) => net.node(id).raft.log.committed)));
        try { net.node(IDS[a.node]).readIndex(new TextEncoder().encode(ctx)); } catch { /* dropped: no leader */ }
        break;
      }
      case 'conf':
        try {
          net.node(IDS[a.node]).proposeConfChange({ type: a.type, nodeId: IDS[a.target] });
          stats.confChanges++;
        } catch { /* dropped: no leader, or a change is pending */ }
        break;
      case 'transfer': net.node(IDS[a.node]).transferLeader(IDS[a.target]); break;
      case 'compact': if (net.compact(IDS[a.node])) stats.compactions++; break;
      case 'restart': net.restart(IDS[a.node]); break;
      default: {
        if (net.queue.length === 0) break;
        const i = a.pick % net.queue.length;
        const m = net.queue[i];
        if (a.kind !== 'dup') net.queue.splice(i, 1);
        if (a.kind !== 'drop') {
          if (m.type === 'snap') stats.snapshotsSent++;
          net.node(m.to).step(structuredClone(m));
        }
      }
    }
    net.processReady();
    check();
  }
  for (const id of IDS) {
    for (const r of net.reads.get(id) ?? []) {
      expect(r.index, `read ${r.context} on ${id}`).toBeGreaterThanOrEqual(reads.get(r.context) as number);
      stats.reads++;
    }
  }
  stats.leaders += leaderOfTerm.size;
  stats.applied += Math.max(...IDS.map((id) => net.appliedData(id).length));
  // Log matching: same index and term ⇒ identical prefixes.
  for (const a of IDS) {
    for (const b of IDS) {
      if (a >= b) continue;
      const la = new Map(logOf(net, a).map((e) => [e.index, e]));
      const lb = new Map(logOf(net, b).map((e) => [e.index, e]));
      let matched = false;
      const maxIdx = Math.max(...la.keys(), ...lb.keys(), 0);
      for (let i = maxIdx; i >= 1; i--) {
        const ea = la.get(i);
        const eb = lb.get(i);
        if (!ea || !eb) continue;
        if (ea.term === eb.term) matched = true;
        if (matched) {
          expect(eb.term, `log matching at ${i} between ${a} and ${b}`).toBe(ea.term);
          expect(eb.data).toEqual(ea.data);
        }
      }
    }
  }
  // State machine safety: applied sequences are prefixes of one another.
  const applied = IDS.map((id) => net.appliedData(id));
  const longest = applied.reduce((x, y) => (y.length > x.length ? y : x));
  for (const seq of applied) expect(longest.slice(0, seq.length)).toEqual(seq);
}

describe('raft safety under random interleavings', () => {
  it('election safety, log matching and state machine safety hold', () => {
    fc.assert(
      fc.property(fc.array(action, { minLength: 50, maxLength: 400 }), fc.boolean(), fc.boolean(), fc.integer({ min: 1, max: 1e6 }),
        (actions, preVote, checkQuorum, seed) => run(actions, preVote, checkQuorum, seed)),
      { numRuns: 1500, seed: 20261206 },
    );
    // The runs must exercise elections and commits, or the property proves nothing.
    expect(stats.leaders).toBeGreaterThan(1000);
    expect(stats.applied).toBeGreaterThan(1500);
    expect(stats.compactions).toBeGreaterThan(500);
    expect(stats.snapshotsSent).toBeGreaterThan(20);
    expect(stats.reads).toBeGreaterThan(300);
    expect(stats.confChanges).toBeGreaterThan(100);
  }, 30_000);
});
