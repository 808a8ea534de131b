import { beforeAll, describe, expect, it } from 'vitest';
import { Bitset, buildIndex, HNSW_DEFAULT_EF_FLOOR } from '../src/index.ts';
import { scansPassingRows } from '../src/node/hnsw.ts';
import type { MetricType, VectorIndex } from '../src/index.ts';
import { expectExactTopK, loadDataset, naiveScore, randomVectors, recallAtK, rng } from './helpers.ts';
import type { Dataset } from './helpers.ts';

const METRICS: MetricType[] = ['L2', 'IP', 'COSINE'];
const SLOW = { timeout: 120_000 };

describe('HNSW on real data', () => {
  let sift: Dataset;
  let siftIndex: VectorIndex;
  let siftFlat: VectorIndex;

  beforeAll(() => {
    sift = loadDataset('siftsmall-128-euclidean');
    siftIndex = buildIndex({ type: 'HNSW', metric: 'L2', dim: sift.dim, params: { M: 16, efConstruction: 200 } }, sift.base, sift.count, { seed: 42 });
    siftFlat = buildIndex({ type: 'FLAT', metric: 'L2', dim: sift.dim, params: {} }, sift.base, sift.count, { seed: 0 });
  }, 120_000);

  it('reaches recall@10 ≥ 0.98 on siftsmall (L2, M=16, efConstruction=200, ef=64)', () => {
    const res = siftIndex.search(sift.queries, sift.nq, 10, { ef: 64 });
    expect(recallAtK(res, sift.gt, 100, 10)).toBeGreaterThanOrEqual(0.98);
    // Scores are the exact squared L2 distances (integer-valued data), ascending.
    for (let q = 0; q < sift.nq; q++) {
      for (let i = 0; i < 10; i++) {
        expect(res.scores[q * 10 + i]).toBe(naiveScore('L2', sift.queries, q, sift.base, res.ids[q * 10 + i], sift.dim));
        if (i > 0) expect(res.scores[q * 10 + i]).toBeGreaterThanOrEqual(res.scores[q * 10 + i - 1]);
      }
    }
  });

  it('uses ef = max(k, 64) by default', () => {
    const queries = sift.queries.subarray(0, 10 * sift.dim);
    const a = siftIndex.search(queries, 10, 10);
    const b = siftIndex.search(queries, 10, 10, { ef: HNSW_DEFAULT_EF_FLOOR });
    expect(a.ids).toEqual(b.ids);
  });

  it('reaches recall@10 ≥ 0.95 on glove-25-angular (COSINE)', SLOW, () => {
    const glove = loadDataset('glove-25-angular');
    const index = buildIndex({ type: 'HNSW', metric: 'COSINE', dim: glove.dim, params: { M: 16, efConstruction: 200 } }, glove.base, glove.count, { seed: 42 });
    const res = index.search(glove.queries, glove.nq, 10, { ef: 100 });
    expect(recallAtK(res, glove.gt, 100, 10)).toBeGreaterThanOrEqual(0.95);
    // Scores are cosine similarities: 1 − the ground truth's cosine distance.
    expect(res.scores[0]).toBeCloseTo(1 - glove.gtDist[0], 5);
  });

  for (const fraction of [0.5, 0.05, 0.01, 0.002]) {
    it(`filtered search (${fraction * 100}% of rows pass) returns only passing rows, near FLAT's answer`, () => {
      const r = rng(Math.round(fraction * 1000));
      const filter = new Bitset(sift.count);
      for (let i = 0; i < sift.count; i++) if (r() < fraction) filter.set(i);
      const res = siftIndex.search(sift.queries, sift.nq, 10, { ef: 64 }, filter);
      const exact = siftFlat.search(sift.queries, sift.nq, 10, undefined, filter);
      for (const id of res.ids) if (id !== -1) expect(filter.get(id)).toBe(true);
      let hits = 0;
      for (let q = 0; q < sift.nq; q++) {
        const truth = new Set(exact.ids.subarray(q * 10, q * 10 + 10));
        for (let i = 0; i < 10; i++) if (truth.has(res.ids[q * 10 + i])) hits++;
      }
      const recall = hits / (sift.nq * 10);
      // Few passing rows are scanned exactly; a little more selective filters make hnswlib visit
      // most of the graph before it has ef passing rows: full recall either way.
      if (fraction <= 0.01) expect(recall).toBe(1);
      else expect(recall).toBeGreaterThanOrEqual(0.95);
      expect(scansPassingRows(filter.count(), sift.count, sift.dim, 64, 10)).toBe(fraction < 0.01);
    });
  }

  it('pads with −1 when fewer rows pass than k', () => {
    const filter = new Bitset(sift.count);
    for (const i of [5, 500, 5000]) filter.set(i);
    const res = siftIndex.search(sift.queries.subarray(0, sift.dim), 1, 10, undefined, filter);
    expect(new Set(res.ids.subarray(0, 3))).toEqual(new Set([5, 500, 5000]));
    expect(Array.from(res.ids.subarray(3))).toEqual(new Array(7).fill(-1));
    expect(Array.from(res.scores.subarray(3))).toEqual(new Array(7).fill(Infinity));
    const none = siftIndex.search(sift.queries.subarray(0, sift.dim), 1, 2, undefined, new Bitset(sift.count));
    expect(Array.from(none.ids)).toEqual([-1, -1]);
  });
});

describe('HNSW on small random data', () => {
  for (const metric of METRICS) {
    it(`with ef ≥ n returns FLAT's exact answer (${metric})`, () => {
      const n = 300;
      const dim = 8;
      const base = randomVectors(n, dim, 1);
      const queries = randomVectors(20, dim, 2);
      const index = buildIndex({ type: 'HNSW', metric, dim, params: { M: 8, efConstruction: 100 } }, base, n, { seed: 3 });
      const res = index.search(queries, 20, 10, { ef: n });
      expectExactTopK(res, metric, base, n, dim, queries, 10, 1e-5);
    });
  }

  it('returns all rows, padded with −1, when k exceeds the row count', () => {
    const base = randomVectors(5, 4, 9);
    const index = buildIndex({ type: 'HNSW', metric: 'IP', dim: 4, params: {} }, base, 5, { seed: 1 });
    const res = index.search(randomVectors(2, 4, 10), 2, 8);
    expectExactTopK(res, 'IP', base, 5, 4, randomVectors(2, 4, 10), 8, 1e-5);
  });

  it('handles an empty index', () => {
    const index = buildIndex({ type: 'HNSW', metric: 'L2', dim: 4, params: {} }, new Float32Array(0), 0, { seed: 1 });
    const res = index.search(new Float32Array(4), 1, 3);
    expect(Array.from(res.ids)).toEqual([-1, -1, -1]);
  });

  it('is deterministic for a seed and reports progress', () => {
    const base = randomVectors(5000, 8, 4);
    const progress: number[] = [];
    const spec = { type: 'HNSW' as const, metric: 'L2' as const, dim: 8, params: { efConstruction: 40 } };
    const a = buildIndex(spec, base, 5000, { seed: 11, onProgress: (done, total) => progress.push(done, total) }).serialize();
    const b = buildIndex(spec, base, 5000, { seed: 11 }).serialize();
    const c = buildIndex(spec, base, 5000, { seed: 12 }).serialize();
    expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
    expect(Buffer.from(a).equals(Buffer.from(c))).toBe(false);
    expect(progress).toEqual([4096, 5000, 5000, 5000]);
  });
});
