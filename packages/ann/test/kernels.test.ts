import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { innerProduct, inverseNorms, l2Squared, TopKHeaps } from '../src/index.ts';

describe('TopKHeaps', () => {
  it('keeps the k smallest (key, id) pairs, sorted, padded with −1', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 10 }),
        fc.array(fc.tuple(fc.nat(2), fc.integer({ min: -5, max: 5 })), { maxLength: 60 }),
        fc.boolean(),
        (nq, k, offers, negate) => {
          const heaps = new TopKHeaps(nq, k);
          const byQuery: [number, number][][] = Array.from({ length: nq }, () => []);
          offers.forEach(([q, key], id) => {
            if (q >= nq) return;
            heaps.push(q, key, id);
            byQuery[q].push([key, id]);
          });
          const ids = new Int32Array(nq * k);
          const scores = new Float32Array(nq * k);
          heaps.drain(ids, scores, negate);
          for (let q = 0; q < nq; q++) {
            const want = byQuery[q].sort((a, b) => a[0] - b[0] || a[1] - b[1]).slice(0, k);
            for (let i = 0; i < k; i++) {
              expect(ids[q * k + i]).toBe(i < want.length ? want[i][1] : -1);
              const score = i < want.length ? (negate ? -want[i][0] : want[i][0]) : negate ? -Infinity : Infinity;
              expect(scores[q * k + i]).toBe(score === 0 ? 0 : score);
            }
          }
        },
      ),
    );
  });
});

describe('distance kernels', () => {
  it('equal plain float64 sums', () => {
    const vec = fc.integer({ min: 0, max: 13 }).chain((d) => fc.tuple(fc.array(fc.integer({ min: -1000, max: 1000 }), { minLength: d, maxLength: d }), fc.array(fc.integer({ min: -1000, max: 1000 }), { minLength: d, maxLength: d })));
    fc.assert(
      fc.property(vec, fc.nat(3), ([a, b], off) => {
        const A = new Float32Array(off + a.length);
        A.set(a, off);
        const B = Float32Array.from(b);
        expect(l2Squared(A, off, B, 0, a.length)).toBe(a.reduce((s, x, i) => s + (x - b[i]) ** 2, 0));
        expect(innerProduct(A, off, B, 0, a.length)).toBe(a.reduce((s, x, i) => s + x * b[i], 0));
      }),
    );
  });

  it('inverse norms are 1/‖row‖, and 0 for a zero row', () => {
    const inv = inverseNorms(new Float32Array([3, 4, 0, 0, 1, 0]), 3, 2);
    expect(Array.from(inv)).toEqual([0.2, 0, 1]);
  });
});
