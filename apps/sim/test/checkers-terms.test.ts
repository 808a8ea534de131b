import { describe, expect, it } from 'vitest';
import { checkRaftSafety, checkTermMonotonic } from '../src/checkers/index.ts';
import type { CheckResult, RaftEvent } from '../src/checkers/index.ts';

const G = 'g0';
const hs = (node: string, term: number, votedFor: string | null, at: number): RaftEvent => ({ type: 'hardState', group: G, node, term, votedFor, at });

function expectViolation(r: CheckResult, ...fragments: string[]): void {
  expect(r.ok).toBe(false);
  if (!r.ok) for (const f of fragments) expect(r.violation).toContain(f);
}

describe('checkTermMonotonic', () => {
  it('accepts rising terms, a vote cast in a term, and a restart that recovers the same hard state', () => {
    const events = [
      hs('n1', 0, null, 0), hs('n2', 0, null, 0), hs('n1', 1, null, 10), hs('n1', 1, 'n2', 11), hs('n2', 1, 'n2', 11),
      { type: 'crashed', group: G, node: 'n1', at: 20 } as RaftEvent, hs('n1', 1, 'n2', 30), hs('n1', 3, null, 40),
      hs('n2', 2, 'n2', 41),
    ];
    expect(checkTermMonotonic(events)).toEqual({ ok: true });
  });
  it('rejects a term that goes back (a node following a stale leader), naming node, terms and times', () => {
    expectViolation(checkTermMonotonic([hs('n1', 2, null, 8), hs('n3', 1, null, 8), hs('n1', 1, null, 9)]),
      'node n1', 'from 2 (at 8 ms) to 1 (at 9 ms)', 'monotonically');
  });
  it('rejects a term lost across a restart', () => {
    expectViolation(checkTermMonotonic([hs('n2', 4, 'n2', 5), { type: 'crashed', group: G, node: 'n2', at: 6 } as RaftEvent, hs('n2', 0, null, 7)]),
      'node n2', 'from 4');
  });
  it('rejects a vote changed or withdrawn within one term', () => {
    expectViolation(checkTermMonotonic([hs('n1', 3, 'n2', 1), hs('n1', 3, 'n4', 2)]), 'voted for n2 in term 3', 'became n4');
    expectViolation(checkTermMonotonic([hs('n1', 3, 'n2', 1), hs('n1', 3, null, 2)]), 'became none');
  });
  it('keeps groups apart', () => {
    expect(checkTermMonotonic([hs('n1', 5, null, 1), { ...hs('n1', 2, null, 2), group: 'g1' } as RaftEvent])).toEqual({ ok: true });
  });
  it('is part of checkRaftSafety', () => {
    expectViolation(checkRaftSafety([hs('n1', 2, null, 1), hs('n1', 1, 'n5', 2)]), 'term safety violated');
  });
  it('rejects malformed hard states clearly', () => {
    expect(() => checkTermMonotonic([hs('n1', -1, null, 1)])).toThrow(/term must be a non-negative integer/);
    expect(() => checkTermMonotonic([{ ...hs('n1', 1, null, 1), votedFor: 3 } as unknown as RaftEvent])).toThrow(/votedFor must be a node id or null/);
  });
});
