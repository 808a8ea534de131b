import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Bitset, buildIndex, FlatIndex } from '../src/index.ts';
import type { MetricType } from '../src/index.ts';
import { expectExactTopK, loadDataset, randomVectors, recallAtK } from './helpers.ts';

const METRICS: MetricType[] = ['L2', 'IP', 'COSINE'];

/** Small integers and floats, including 0 and −0: exact ties and zero vectors happen often. */
const value = fc.oneof(fc.integer({ min: -4, max: 4 }), fc.float({ min: -100, max: 100, noNaN: true }));

const problem = fc
  .record({ dim: fc.integer({ min: 1, max: 12 }), n: fc.integer({ min: 0, max: 40 }), nq: fc.integer({ min: 1, max: 3 }), k: fc.integer({ min: 1, max: 12 }) })
  .chain(({ dim, n, nq, k }) =>
    fc.record({
      dim: fc.constant(dim),
      n: fc.constant(n),
      nq: fc.constant(nq),
      k: fc.constant(k),
      base: fc.array(value, { minLength: n * dim, maxLength: n * dim }),
      queries: fc.array(value, { minLength: nq * dim, maxLength: nq * dim }),
      pass: fc.option(fc.array(fc.boolean(), { minLength: n, maxLength: n }), { nil: undefined }),
    }),
  );

describe('FLAT', () => {
  for (const metric of METRICS) {
    it(`equals a naive exact reference (${metric}, random data, with and without filter)`, () => {
      fc.assert(
        fc.property(problem, (p) => {
          const base = Float32Array.from(p.base);
          const queries = Float32Array.from(p.queries);
          let filter: Bitset | undefined;
          if (p.pass) {
            filter = new Bitset(p.n);
            p.pass.forEach((b, i) => b && filter!.set(i));
          }
          const index = buildIndex({ type: 'FLAT', metric, dim: p.dim, params: {} }, base, p.n, { seed: 0 });
          const res = index.search(queries, p.nq, p.k, undefined, filter);
          expectExactTopK(res, metric, base, p.n, p.dim, queries, p.k, 1e-6, filter);
        }),
        { numRuns: 150 },
      );
    });
  }

  it('orders equal scores by smaller id', () => {
    const base = new Float32Array([1, 0, 0, 1, 1, 0, 0, 1]);
    const index = buildIndex({ type: 'FLAT', metric: 'L2', dim: 2, params: {} }, base, 4, { seed: 0 });
    const res = index.search(new Float32Array([1, 0]), 1, 4);
    expect(Array.from(res.ids)).toEqual([0, 2, 1, 3]);
    expect(Array.from(res.scores)).toEqual([0, 0, 2, 2]);
  });

  it('pads with −1 when fewer rows qualify than k', () => {
    const base = new Float32Array([1, 2, 3, 4, 5, 6]);
    const index = buildIndex({ type: 'FLAT', metric: 'IP', dim: 2, params: {} }, base, 3, { seed: 0 });
    const filter = new Bitset(3);
    filter.set(1);
    const res = index.search(new Float32Array([1, 1]), 1, 3, undefined, filter);
    expect(Array.from(res.ids)).toEqual([1, -1, -1]);
    expect(Array.from(res.scores)).toEqual([7, -Infinity, -Infinity]);
  });

  it('keeps a reference to the caller’s vectors and reports their memory', () => {
    const base = new Float32Array(30);
    const index = buildIndex({ type: 'FLAT', metric: 'COSINE', dim: 3, params: {} }, base, 8, { seed: 0 }) as FlatIndex;
    expect(index.vectors.buffer).toBe(base.buffer);
    expect(index.vectors.length).toBe(24);
    expect(index.memoryBytes()).toBe(24 * 4 + 8 * 8);
  });

  it('returns exactly the ground-truth top-10 on siftsmall (L2)', { timeout: 60_000 }, () => {
    const ds = loadDataset('siftsmall-128-euclidean');
    const index = buildIndex({ type: 'FLAT', metric: 'L2', dim: ds.dim, params: {} }, ds.base, ds.count, { seed: 0 });
    const res = index.search(ds.queries, ds.nq, 10);
    for (let q = 0; q < ds.nq; q++) {
      // The ground truth orders equal distances by smaller id, as FLAT does, and has no tie at rank 10/11.
      expect(Array.from(res.ids.subarray(q * 10, q * 10 + 10))).toEqual(Array.from(ds.gt.subarray(q * 100, q * 100 + 10)));
      expect(Array.from(res.scores.subarray(q * 10, q * 10 + 10))).toEqual(Array.from(ds.gtDist.subarray(q * 100, q * 100 + 10)));
    }
  });

  it('finds the ground-truth top-10 on glove-25-angular (COSINE)', { timeout: 60_000 }, () => {
    const ds = loadDataset('glove-25-angular');
    const nq = 200;
    const index = buildIndex({ type: 'FLAT', metric: 'COSINE', dim: ds.dim, params: {} }, ds.base, ds.count, { seed: 0 });
    const res = index.search(ds.queries.subarray(0, nq * ds.dim), nq, 10);
    expect(recallAtK(res, ds.gt, 100, 10)).toBe(1);
    for (let i = 0; i < nq * 10; i += 37) {
      const q = Math.floor(i / 10);
      expect(res.scores[i]).toBeCloseTo(1 - ds.gtDist[q * 100 + (i % 10)], 5);
    }
  });
});

describe('FLAT with a sparse filter', () => {
  it.each(['L2', 'IP', 'COSINE'] as const)('%s: gathering the passing rows gives exactly the full scan\'s answer, with and without a range window', (metric) => {
    const n = 4000;
    const dim = 12;
    const base = randomVectors(n, dim, 21);
    const queries = randomVectors(5, dim, 22);
    const index = buildIndex({ type: 'FLAT', metric, dim, params: {} }, base, n, { seed: 0 });
    const sparse = new Bitset(n);
    for (let i = 3; i < n; i += 97) sparse.set(i); // 42 rows: below 1/32 of the rows
    const view = { size: n, get: (i: number) => sparse.get(i) }; // not a Bitset: takes the full scan
    const window = metric === 'L2' ? { radius: 12 } : { radius: -0.2 };
    for (const params of [{}, window]) {
      const gathered = index.search(queries, 5, 10, params, sparse);
      const full = index.search(queries, 5, 10, params, view);
      expect(Array.from(gathered.ids)).toEqual(Array.from(full.ids));
      expect(Array.from(gathered.scores)).toEqual(Array.from(full.scores));
      expect(gathered.ids.some((id) => id >= 0 && id % 97 !== 3)).toBe(false);
    }
  });
});
