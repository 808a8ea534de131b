import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkLinearizability } from '../src/checkers/index.ts';
import type { ClientOp, KvInput } from '../src/checkers/index.ts';

let nextId = 0;
function op(client: string, input: KvInput, invokeAt: number, returnAt: number | 'unknown', result?: string | null | boolean): ClientOp {
  const id = nextId++;
  if (returnAt === 'unknown') return { id, client, input, invokeAt, outcome: { status: 'unknown' } };
  if (input.kind === 'get') return { id, client, input, invokeAt, outcome: { status: 'ok', returnAt, value: result as string | null } };
  if (input.kind === 'cas') return { id, client, input, invokeAt, outcome: { status: 'ok', returnAt, succeeded: result as boolean } };
  return { id, client, input, invokeAt, outcome: { status: 'ok', returnAt } };
}
const put = (key: string, value: string): KvInput => ({ kind: 'put', key, value });
const get = (key: string): KvInput => ({ kind: 'get', key });

describe('checkLinearizability: literature examples', () => {
  it('accepts concurrent writes whose reads see either order (Herlihy & Wing 1990, Fig. 1 style)', () => {
    const h = [
      op('a', put('x', '1'), 0, 10),
      op('b', put('x', '2'), 1, 9),
      op('c', get('x'), 2, 8, '2'),
      op('d', get('x'), 3, 11, '1'),
    ];
    expect(checkLinearizability(h)).toEqual({ ok: true });
  });

  it('rejects a stale read after a completed write (Porcupine test)', () => {
    const h = [
      op('a', put('x', '1'), 0, 5),
      op('a', put('x', '2'), 6, 10),
      op('b', get('x'), 11, 12, '1'),
    ];
    const r = checkLinearizability(h);
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.undecided).toBeUndefined();
      expect(r.violation).toContain('key "x"');
      expect(r.violation).toContain('get("x") → "1"');
    }
  });

  it('rejects two sequential reads that see a concurrent write take effect then revert (H&W register)', () => {
    const h = [
      op('a', put('x', '0'), 0, 1),
      op('a', put('x', '1'), 2, 20),
      op('b', get('x'), 3, 4, '1'),
      op('c', get('x'), 5, 6, '0'),
    ];
    expect(checkLinearizability(h).ok).toBe(false);
  });

  it('accepts an unknown-outcome write that shows up later, and one that never does', () => {
    const appears = [op('a', put('x', '1'), 0, 'unknown'), op('b', get('x'), 50, 51, '1')];
    const never = [op('a', put('x', '1'), 0, 'unknown'), op('b', get('x'), 50, 51, null)];
    expect(checkLinearizability(appears)).toEqual({ ok: true });
    expect(checkLinearizability(never)).toEqual({ ok: true });
  });

  it('rejects an unknown write observed before it was invoked', () => {
    const h = [op('b', get('x'), 0, 1, '1'), op('a', put('x', '1'), 5, 'unknown')];
    expect(checkLinearizability(h).ok).toBe(false);
  });

  it('ignores failed ops and checks keys independently', () => {
    const h: ClientOp[] = [
      { id: nextId++, client: 'a', input: put('x', '9'), invokeAt: 0, outcome: { status: 'fail', returnAt: 1 } },
      op('b', get('x'), 2, 3, null),
      op('c', put('y', '1'), 0, 1),
      op('c', get('y'), 2, 3, '1'),
    ];
    expect(checkLinearizability(h)).toEqual({ ok: true });
    const bad = [...h, op('d', get('y'), 4, 5, null)];
    const r = checkLinearizability(bad);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.violation).toContain('key "y"');
  });

  it('models append and cas', () => {
    const ok = [
      op('a', { kind: 'append', key: 'l', value: 'a' }, 0, 1),
      op('b', { kind: 'append', key: 'l', value: 'b' }, 2, 5),
      op('c', { kind: 'cas', key: 'l', expected: 'ab', value: 'z' }, 3, 6, true),
      op('d', get('l'), 7, 8, 'z'),
    ];
    expect(checkLinearizability(ok)).toEqual({ ok: true });
    const bad = [
      op('a', put('k', 'v'), 0, 1),
      op('b', { kind: 'cas', key: 'k', expected: 'v', value: 'w' }, 2, 3, false),
    ];
    expect(checkLinearizability(bad).ok).toBe(false);
  });

  it('reports undecided when the search budget runs out', () => {
    const h: ClientOp[] = [];
    for (let k = 0; k < 30; k++) h.push(op(`c${k}`, put('x', String(k)), 0, 100));
    h.push(op('r', get('x'), 101, 102, 'never-written'));
    const r = checkLinearizability(h, { maxStepsPerKey: 50 });
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.undecided).toBe(true);
      expect(r.violation).toContain('undecided');
      expect(r.violation).toContain('maxStepsPerKey');
    }
    const m = checkLinearizability(h, { maxMemoBytesPerKey: 10_000 });
    expect(m.ok).toBe(false);
    if (!m.ok) {
      expect(m.undecided).toBe(true);
      expect(m.violation).toContain('maxMemoBytesPerKey');
    }
  });

  it('rejects malformed histories with a clear error', () => {
    const a = op('a', put('x', '1'), 5, 6);
    expect(() => checkLinearizability([a, a])).toThrow(/duplicate op id/);
    expect(() => checkLinearizability([op('a', put('x', '1'), 5, 4)])).toThrow(/returnAt/);
    expect(() => checkLinearizability([], { maxStepsPerKey: 0 })).toThrow(/maxStepsPerKey/);
    expect(() => checkLinearizability([], { maxMemoBytesPerKey: -1 })).toThrow(/maxMemoBytesPerKey/);
    const del = { ...op('a', put('x', '1'), 5, 6), input: { kind: 'delete', key: 'x' } } as unknown as ClientOp;
    expect(() => checkLinearizability([del])).toThrow(/put, get, append or cas/);
  });
});

/** A concurrent history produced by a real sequential execution: each op takes effect at a point inside its interval. */
function sequentialHistory(seed: { clients: number; steps: { client: number; write: boolean; key: number; gapBefore: number; lenBefore: number; lenAfter: number; unknown: boolean }[] }): ClientOp[] {
  const store = new Map<string, string>();
  const busyUntil = new Array<number>(seed.clients).fill(0);
  const ops: ClientOp[] = [];
  let now = 0;
  let writes = 0;
  seed.steps.forEach((s, id) => {
    now += s.gapBefore;
    const client = s.client % seed.clients;
    const key = `k${s.key}`;
    if (busyUntil[client] > now - s.lenBefore) return; // this client still has an op in flight
    const invokeAt = now - s.lenBefore;
    const returnAt = now + s.lenAfter;
    busyUntil[client] = s.unknown ? Number.POSITIVE_INFINITY : returnAt;
    if (s.write) {
      const value = `v${writes++}`;
      store.set(key, value);
      ops.push({ id, client: `c${client}`, input: { kind: 'put', key, value }, invokeAt,
        outcome: s.unknown ? { status: 'unknown' } : { status: 'ok', returnAt } });
    } else {
      ops.push({ id, client: `c${client}`, input: { kind: 'get', key }, invokeAt,
        outcome: { status: 'ok', returnAt, value: store.get(key) ?? null } });
    }
  });
  return ops;
}

const historyArb = fc.record({
  clients: fc.integer({ min: 1, max: 5 }),
  steps: fc.array(fc.record({
    client: fc.nat(10), write: fc.boolean(), key: fc.nat(2), gapBefore: fc.integer({ min: 0, max: 3 }),
    lenBefore: fc.nat(6), lenAfter: fc.nat(6), unknown: fc.nat(4).map((n) => n === 0),
  }), { minLength: 1, maxLength: 80, size: 'max' }),
});

describe('checkLinearizability: properties', () => {
  it('a history generated from a sequential execution is always linearizable', () => {
    fc.assert(fc.property(historyArb, (seed) => {
      expect(checkLinearizability(sequentialHistory(seed))).toEqual({ ok: true });
    }), { numRuns: 200 });
  });

  it('perturbing one read to a never-written value is always a violation', () => {
    fc.assert(fc.property(historyArb, fc.nat(), (seed, pick) => {
      const h = sequentialHistory(seed);
      const reads = h.filter((o) => o.input.kind === 'get');
      fc.pre(reads.length > 0);
      const victim = reads[pick % reads.length];
      const perturbed = h.map((o) => (o === victim && o.outcome.status === 'ok'
        ? { ...o, outcome: { ...o.outcome, value: 'never-written' } } : o));
      const r = checkLinearizability(perturbed);
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.undecided).toBeUndefined();
        expect(r.violation).toContain(`op #${victim.id}`);
      }
    }), { numRuns: 200 });
  });

  it('agrees with a brute-force search over all orders on small random histories (linearizable or not)', () => {
    const opArb = fc.record({
      kind: fc.constantFrom('put', 'get', 'append', 'cas'), value: fc.constantFrom('a', 'b'),
      read: fc.constantFrom(null, 'a', 'b', 'ab', 'ba'), ok: fc.boolean(), start: fc.nat(12), len: fc.nat(6), unknown: fc.nat(5).map((n) => n === 0),
    });
    fc.assert(fc.property(fc.array(opArb, { minLength: 1, maxLength: 8 }), (specs) => {
      const h: ClientOp[] = specs.map((s, id) => {
        const input: KvInput = s.kind === 'get' ? { kind: 'get', key: 'x' }
          : s.kind === 'cas' ? { kind: 'cas', key: 'x', expected: s.read, value: s.value } : { kind: s.kind, key: 'x', value: s.value };
        const outcome = s.unknown && s.kind !== 'get' ? { status: 'unknown' as const }
          : { status: 'ok' as const, returnAt: s.start + s.len, value: s.kind === 'get' ? s.read : undefined, succeeded: s.kind === 'cas' ? s.ok : undefined };
        return { id, client: `c${id}`, input, invokeAt: s.start, outcome };
      });
      expect(checkLinearizability(h).ok).toBe(bruteForce(h));
    }), { numRuns: 400 });
  });
});

/** Reference: tries every order that respects real time; unknown ops may be left out. */
function bruteForce(h: readonly ClientOp[]): boolean {
  const ret = (o: ClientOp): number => (o.outcome.status === 'ok' ? o.outcome.returnAt : Number.POSITIVE_INFINITY);
  const go = (left: readonly ClientOp[], state: string | null): boolean => {
    if (left.every((o) => o.outcome.status === 'unknown')) return true;
    return left.some((o) => {
      if (left.some((p) => p !== o && ret(p) < o.invokeAt)) return false;
      const i = o.input;
      const out = o.outcome;
      let next = state;
      if (i.kind === 'put') next = i.value;
      else if (i.kind === 'append') next = (state ?? '') + i.value;
      else if (i.kind === 'get') { if (out.status !== 'ok' || out.value !== state) return false; }
      else {
        const matches = state === i.expected;
        if (out.status === 'ok' && out.succeeded !== matches) return false;
        if (matches) next = i.value;
      }
      return go(left.filter((p) => p !== o), next);
    });
  };
  return go(h, null);
}
