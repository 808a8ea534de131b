import { describe, expect, it } from 'vitest';
import { checkFinalState } from '../src/checkers/index.ts';
import type { ClientOp } from '../src/checkers/index.ts';

const history: ClientOp[] = [
  { id: 1, client: 'a', input: { kind: 'put', key: 'x', value: '1' }, invokeAt: 0, outcome: { status: 'ok', returnAt: 10 } },
  { id: 2, client: 'b', input: { kind: 'put', key: 'x', value: '2' }, invokeAt: 20, outcome: { status: 'unknown' } },
  { id: 3, client: 'a', input: { kind: 'put', key: 'y', value: '9' }, invokeAt: 30, outcome: { status: 'ok', returnAt: 40 } },
];

describe('checkFinalState', () => {
  it('accepts the last acknowledged write, or an unknown write after it', () => {
    expect(checkFinalState(history, new Map([['x', '1'], ['y', '9']]), 100)).toEqual({ ok: true });
    expect(checkFinalState(history, new Map([['x', '2'], ['y', '9']]), 100)).toEqual({ ok: true });
  });
  it('rejects a lost acknowledged write, naming the key and the final read', () => {
    const r = checkFinalState(history, new Map([['x', '1'], ['y', null]]), 100);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.violation).toContain('key "y"');
      expect(r.violation).toContain('client final-state: get("y") → absent');
    }
  });
  it('refuses a final state read before an op returned', () => {
    expect(() => checkFinalState(history, new Map(), 35)).toThrow(/op #3 returned at 40 ms/);
  });
});
