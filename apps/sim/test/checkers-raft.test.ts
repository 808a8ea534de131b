import { describe, expect, it } from 'vitest';
import {
  checkAckedWritesApplied, checkElectionSafety, checkLeaderCompleteness, checkLivenessAfterHealing,
  checkLogMatching, checkRaftSafety, checkStateMachineSafety,
} from '../src/checkers/index.ts';
import type { ClientOp, RaftEvent, RecordedLog } from '../src/checkers/index.ts';

const G = 'g0';
const log = (...entries: [number, string][]): RecordedLog => ({ firstIndex: 1, entries: entries.map(([term, hash]) => ({ term, hash })) });
const leader = (node: string, term: number, at: number, l: RecordedLog = log()): RaftEvent => ({ type: 'becameLeader', group: G, node, term, at, log: l });
const applied = (node: string, index: number, term: number, hash: string, at: number, opIds?: number[]): RaftEvent =>
  ({ type: 'applied', group: G, node, index, term, hash, at, opIds });
const committed = (node: string, index: number, term: number, hash: string, currentTerm: number, at: number): RaftEvent =>
  ({ type: 'committed', group: G, node, index, term, hash, currentTerm, at });

function expectViolation(r: ReturnType<typeof checkElectionSafety>, ...fragments: string[]): void {
  expect(r.ok).toBe(false);
  if (!r.ok) for (const f of fragments) expect(r.violation).toContain(f);
}

describe('checkElectionSafety', () => {
  it('accepts one leader per term, also re-elections of other nodes in later terms', () => {
    expect(checkElectionSafety([leader('n1', 1, 10), leader('n2', 2, 20), leader('n1', 3, 30)])).toEqual({ ok: true });
  });
  it('rejects two leaders in one term, naming both', () => {
    expectViolation(checkElectionSafety([leader('n1', 2, 10), leader('n3', 2, 15)]), 'term 2', 'node n1', 'node n3');
  });
  it('keeps groups apart', () => {
    expect(checkElectionSafety([leader('n1', 2, 10), { ...leader('n3', 2, 15), group: 'g1' }])).toEqual({ ok: true });
  });
  it('rejects malformed events clearly', () => {
    expect(() => checkElectionSafety([leader('n1', -1, 10)])).toThrow(/term must be a non-negative integer/);
    expect(() => checkElectionSafety([leader('n1', 1, 10), leader('n2', 2, 5)])).toThrow(/time order/);
  });
});

describe('checkLogMatching', () => {
  it('accepts logs that agree on shared prefixes and differ only in uncommitted tails of other terms', () => {
    const events: RaftEvent[] = [
      leader('n1', 1, 10, log([1, 'a'], [1, 'b'])),
      { type: 'log', group: G, node: 'n2', at: 20, log: log([1, 'a'], [1, 'b'], [2, 'c']) },
      { type: 'log', group: G, node: 'n3', at: 20, log: log([1, 'a'], [3, 'x']) },
      applied('n2', 1, 1, 'a', 25), applied('n2', 2, 1, 'b', 26),
    ];
    expect(checkLogMatching(events)).toEqual({ ok: true });
  });
  it('rejects the same (index, term) with different hashes', () => {
    const events: RaftEvent[] = [
      leader('n1', 1, 10, log([1, 'a'], [1, 'b'])),
      { type: 'log', group: G, node: 'n2', at: 20, log: log([1, 'a'], [1, 'B']) },
    ];
    expectViolation(checkLogMatching(events), 'index 2, term 1', 'node n1', 'node n2', '"B"');
  });
  it('rejects the same (index, term) after different prefixes', () => {
    const events: RaftEvent[] = [
      { type: 'log', group: G, node: 'n1', at: 5, log: log([1, 'a'], [2, 'b'], [3, 'c']) },
      { type: 'log', group: G, node: 'n2', at: 6, log: log([1, 'a'], [1, 'z'], [3, 'c']) },
    ];
    expectViolation(checkLogMatching(events), 'index 3, term 3', '(index 2, term 2, hash "b")', '(index 2, term 1, hash "z")');
  });
  it('links consecutive applied entries, but not across a crash', () => {
    const before: RaftEvent[] = [
      { type: 'log', group: G, node: 'n1', at: 5, log: log([1, 'a'], [1, 'b']) },
      applied('n2', 1, 2, 'q', 6),
    ];
    const after = applied('n2', 2, 1, 'b', 8);
    expectViolation(checkLogMatching([...before, after]), 'index 2, term 1', "node n2's applied entries", '(index 1, term 2, hash "q")');
    expect(checkLogMatching([...before, { type: 'crashed', group: G, node: 'n2', at: 7 }, after])).toEqual({ ok: true });
  });
});

describe('checkLeaderCompleteness', () => {
  const base: RaftEvent[] = [
    leader('n1', 1, 10, log()),
    committed('n1', 1, 1, 'a', 1, 20),
    committed('n2', 1, 1, 'a', 1, 21),
  ];
  it('accepts a later leader that holds every earlier committed entry (or has it in its snapshot)', () => {
    expect(checkLeaderCompleteness([...base, leader('n2', 2, 30, log([1, 'a'], [2, 'b']))])).toEqual({ ok: true });
    expect(checkLeaderCompleteness([...base, leader('n3', 2, 30, { firstIndex: 2, entries: [] })])).toEqual({ ok: true });
  });
  it('rejects a later-term leader missing a committed entry', () => {
    expectViolation(checkLeaderCompleteness([...base, leader('n3', 2, 30, log())]),
      'node n3 became leader of term 2', '(index 1, term 1, hash "a")', 'log ends at index 0');
  });
  it('does not require the entry from a leader of the same or an older term', () => {
    expect(checkLeaderCompleteness([...base, leader('n3', 1, 30, log())])).toEqual({ ok: true });
  });
});

describe('checkStateMachineSafety', () => {
  it('accepts identical apply sequences, including replay after a restart and a snapshot install', () => {
    const events: RaftEvent[] = [
      applied('n1', 1, 1, 'a', 1), applied('n2', 1, 1, 'a', 2), applied('n1', 2, 1, 'b', 3),
      { type: 'restarted', group: G, node: 'n1', at: 4, appliedIndex: 0 },
      applied('n1', 1, 1, 'a', 5), applied('n1', 2, 1, 'b', 6),
      { type: 'snapshotInstalled', group: G, node: 'n3', at: 7, index: 2, term: 1 },
      applied('n3', 3, 2, 'c', 8), committed('n2', 3, 2, 'c', 2, 9),
    ];
    expect(checkStateMachineSafety(events)).toEqual({ ok: true });
  });
  it('rejects two nodes applying different entries at one index', () => {
    expectViolation(checkStateMachineSafety([applied('n1', 1, 1, 'a', 1), applied('n2', 1, 2, 'b', 2)]),
      'index 1', 'node n1', 'node n2', 'hash "b"');
  });
  it('rejects a gap in one node\'s apply order', () => {
    expectViolation(checkStateMachineSafety([applied('n1', 1, 1, 'a', 1), applied('n1', 3, 1, 'c', 2)]),
      'node n1 applied index 3', 'next index to apply was 2');
  });
});

describe('checkAckedWritesApplied', () => {
  const ops: ClientOp[] = [
    { id: 1, client: 'c1', input: { kind: 'put', key: 'x', value: '1' }, invokeAt: 0, outcome: { status: 'ok', returnAt: 5 } },
    { id: 2, client: 'c2', input: { kind: 'put', key: 'x', value: '2' }, invokeAt: 0, outcome: { status: 'unknown' } },
    { id: 3, client: 'c2', input: { kind: 'get', key: 'x' }, invokeAt: 6, outcome: { status: 'ok', returnAt: 7, value: '1' } },
  ];
  const replicas = (): { group: string; nodes: string[] } => ({ group: G, nodes: ['n1', 'n2'] });
  it('accepts when every acked write is applied everywhere (unknown ones may be missing)', () => {
    expect(checkAckedWritesApplied(ops, [applied('n1', 1, 1, 'h', 3, [1]), applied('n2', 1, 1, 'h', 4, [1])], replicas)).toEqual({ ok: true });
  });
  it('rejects an acked write one node never applied', () => {
    expectViolation(checkAckedWritesApplied(ops, [applied('n1', 1, 1, 'h', 3, [1]), applied('n2', 1, 1, 'o', 4, [])], replicas),
      'op #1', 'node n2', 'last applied index is 1');
  });
  it('counts an acked write included in a snapshot the node installed (snapshotInstalled.opIds), but not one outside it', () => {
    const snap = (opIds: number[]): RaftEvent => ({ type: 'snapshotInstalled', group: G, node: 'n2', at: 5, index: 7, term: 2, opIds });
    expect(checkAckedWritesApplied(ops, [applied('n1', 1, 1, 'h', 3, [1]), snap([1])], replicas)).toEqual({ ok: true });
    expectViolation(checkAckedWritesApplied(ops, [applied('n1', 1, 1, 'h', 3, [1]), snap([2])], replicas), 'op #1', 'node n2', 'last applied index is 7');
  });
  it('validates restartFailed events and lets a restart after them reset the apply order', () => {
    const events: RaftEvent[] = [
      applied('n1', 1, 1, 'a', 1),
      { type: 'restartFailed', group: G, node: 'n1', at: 2, reason: 'corruption detected: EIO' },
      { type: 'restarted', group: G, node: 'n1', at: 3, appliedIndex: 0 },
      applied('n1', 1, 1, 'a', 4),
    ];
    expect(checkStateMachineSafety(events)).toEqual({ ok: true });
    expect(() => checkStateMachineSafety([{ type: 'restartFailed', group: G, node: 'n1', at: 2, reason: 3 } as unknown as RaftEvent]))
      .toThrow(/reason must be a string/);
  });
});

describe('checkLivenessAfterHealing', () => {
  const opts = { healedAt: 100, endAt: 1000, leaderWithinMs: 200, resolveWithinMs: 100, groups: [G] };
  const ok: ClientOp = { id: 1, client: 'c', input: { kind: 'get', key: 'x' }, invokeAt: 400, outcome: { status: 'ok', returnAt: 420, value: null } };
  it('accepts a leader elected within the bound and prompt ops afterwards', () => {
    const events = [leader('n1', 3, 50), { type: 'crashed', group: G, node: 'n1', at: 60 } as RaftEvent, leader('n2', 4, 250)];
    expect(checkLivenessAfterHealing(events, [ok], opts)).toEqual({ ok: true });
  });
  it('rejects a group whose only leader crashed and none was elected in the window', () => {
    const events = [leader('n1', 3, 50), { type: 'crashed', group: G, node: 'n1', at: 60 } as RaftEvent, leader('n2', 4, 350)];
    expectViolation(checkLivenessAfterHealing(events, [ok], opts), 'group g0 had no leader', '300 ms');
  });
  it('does not count a stale lower-term leader', () => {
    const events = [leader('n1', 5, 50), { type: 'steppedDown', group: G, node: 'n1', at: 60, term: 5 } as RaftEvent, leader('n2', 4, 150)];
    expect(checkLivenessAfterHealing(events, [], opts).ok).toBe(false);
  });
  it('rejects an op issued after healing that never resolved', () => {
    const stuck: ClientOp = { id: 2, client: 'c', input: { kind: 'put', key: 'x', value: 'v' }, invokeAt: 500, outcome: { status: 'unknown' } };
    expectViolation(checkLivenessAfterHealing([leader('n1', 1, 150)], [ok, stuck], opts), 'op #2', 'never resolved');
  });
  it('accepts a definite failure (a "not the leader" answer) but not a late answer', () => {
    const failed: ClientOp = { id: 3, client: 'c', input: { kind: 'put', key: 'x', value: 'v' }, invokeAt: 500, outcome: { status: 'fail', returnAt: 501 } };
    expect(checkLivenessAfterHealing([leader('n1', 1, 150)], [ok, failed], opts)).toEqual({ ok: true });
    const late: ClientOp = { ...ok, id: 4, outcome: { status: 'ok', returnAt: 650, value: null } };
    expectViolation(checkLivenessAfterHealing([leader('n1', 1, 150)], [late], opts), 'op #4', 'took 250 ms');
  });
  it('ignores ops issued before the leader bound or too close to the end to resolve', () => {
    const early: ClientOp = { id: 5, client: 'c', input: { kind: 'get', key: 'x' }, invokeAt: 250, outcome: { status: 'unknown' } };
    const tail: ClientOp = { id: 6, client: 'c', input: { kind: 'get', key: 'x' }, invokeAt: 950, outcome: { status: 'unknown' } };
    expect(checkLivenessAfterHealing([leader('n1', 1, 150)], [early, tail], opts)).toEqual({ ok: true });
  });
  it('rejects bad options', () => {
    expect(() => checkLivenessAfterHealing([], [], { ...opts, endAt: 50 })).toThrow(/endAt/);
  });
});

describe('checkRaftSafety', () => {
  it('passes a healthy trace and reports the first failing property of a bad one', () => {
    const good: RaftEvent[] = [
      leader('n1', 1, 1, log()), committed('n1', 1, 1, 'a', 1, 2), applied('n1', 1, 1, 'a', 3), applied('n2', 1, 1, 'a', 4),
      leader('n2', 2, 5, log([1, 'a'])),
    ];
    expect(checkRaftSafety(good)).toEqual({ ok: true });
    expectViolation(checkRaftSafety([...good, leader('n3', 2, 6, log([1, 'a']))]), 'election safety', 'term 2');
  });
});
