import { expect, it } from 'vitest';
import { SeededRandom } from '@shoal/actors';
import { checkLinearizability } from '../src/checkers/index.ts';
import type { ClientOp } from '../src/checkers/index.ts';

/**
 * A concurrent single-key history from a real sequential execution: `clients` clients each run
 * ops back to back; each op takes effect at a random point inside its [invoke, return] interval.
 */
function generate(opsTarget: number, clients: number, seed: number): ClientOp[] {
  const rnd = new SeededRandom(seed);
  const free = new Array<number>(clients).fill(0);
  type Pending = { client: number; invokeAt: number; effectAt: number; returnAt: number; write: boolean };
  const pending: Pending[] = [];
  for (let k = 0; k < opsTarget; k++) {
    const c = k % clients;
    const invokeAt = free[c] + rnd.int(3);
    const effectAt = invokeAt + rnd.int(10);
    const returnAt = effectAt + rnd.int(10);
    free[c] = returnAt + 1;
    pending.push({ client: c, invokeAt, effectAt, returnAt, write: rnd.int(2) === 0 });
  }
  pending.sort((a, b) => a.effectAt - b.effectAt);
  let value: string | null = null;
  return pending.map((p, id) => {
    if (p.write) {
      value = `v${id}`;
      return { id, client: `c${p.client}`, input: { kind: 'put', key: 'x', value }, invokeAt: p.invokeAt, outcome: { status: 'ok', returnAt: p.returnAt } };
    }
    return { id, client: `c${p.client}`, input: { kind: 'get', key: 'x' }, invokeAt: p.invokeAt, outcome: { status: 'ok', returnAt: p.returnAt, value } };
  });
}

it('checks a 5,000-op single-key history with 10 concurrent clients within a second', () => {
  const h = generate(5000, 10, 42);
  const t0 = performance.now();
  const r = checkLinearizability(h);
  const ms = performance.now() - t0;
  console.log(`linearizability: ${h.length} ops on one key in ${ms.toFixed(0)} ms (${Math.round(h.length / (ms / 1000))} ops/s)`);
  expect(r).toEqual({ ok: true });
  expect(ms).toBeLessThan(1000);
});

it('finds a stale read planted late in a 5,000-op history, naming it', () => {
  const h = generate(5000, 10, 43);
  const lastRead = h.findLast((o) => o.input.kind === 'get' && o.outcome.status === 'ok' && o.outcome.value !== null);
  if (!lastRead || lastRead.outcome.status !== 'ok') throw new Error('generator produced no read');
  const earlier = h.find((o) => o.input.kind === 'put' && o.outcome.status === 'ok' && o.outcome.returnAt < lastRead.invokeAt - 100);
  if (!earlier || earlier.input.kind !== 'put') throw new Error('generator produced no early write');
  const stale = earlier.input.value;
  const r = checkLinearizability(h.map((o) => (o === lastRead ? { ...o, outcome: { ...lastRead.outcome, value: stale } } : o)));
  expect(r.ok).toBe(false);
  if (!r.ok) {
    expect(r.undecided).toBeUndefined();
    expect(r.violation).toContain(`op #${lastRead.id}`);
  }
});
