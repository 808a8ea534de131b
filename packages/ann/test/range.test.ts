import { describe, expect, it } from 'vitest';
import { ErrorCode } from '@shoal/actors';
import { Bitset, buildIndex, keyInRange, resolveRange, validateSearchParams } from '../src/index.ts';
import type { IndexSearchParams, IndexSpec, IndexType, IvfPqIndex, IvfSq8Index, MetricType, VectorIndex } from '../src/index.ts';
import { allScores, boundBetween, exactScorer, expectSameUpToTol, pqScorer, referenceSearch, sq8Scorer } from './exact-reference.ts';
import type { Scorer } from './exact-reference.ts';
import { randomVectors, rejects, rng } from './helpers.ts';

const METRICS: MetricType[] = ['L2', 'IP', 'COSINE'];
const TYPES: IndexType[] = ['FLAT', 'IVF_FLAT', 'IVF_SQ8', 'IVF_PQ', 'HNSW'];
const P = ErrorCode.ParameterInvalid;

describe('resolveRange', () => {
  it('gives no window without radius, and key windows (key = score × sign) per metric', () => {
    expect(resolveRange('L2', undefined)).toBeNull();
    expect(resolveRange('IP', { ef: 10 })).toBeNull();
    expect(resolveRange('L2', { radius: 5 })).toEqual({ farKey: 5, nearKey: -Infinity, sign: 1 });
    expect(resolveRange('L2', { radius: 5, range_filter: 1 })).toEqual({ farKey: 5, nearKey: 1, sign: 1 });
    expect(resolveRange('L2', { radius: 0, range_filter: -3 })).toEqual({ farKey: 0, nearKey: -3, sign: 1 });
    expect(resolveRange('IP', { radius: 0.2, range_filter: 0.9 })).toEqual({ farKey: -0.2, nearKey: -0.9, sign: -1 });
    expect(resolveRange('COSINE', { radius: -1 })).toEqual({ farKey: 1, nearKey: -Infinity, sign: -1 });
    expect(resolveRange('HAMMING', { radius: 8, range_filter: 2 })).toEqual({ farKey: 8, nearKey: 2, sign: 1 });
  });

  it('keyInRange: range_filter inclusive, radius exclusive', () => {
    const w = resolveRange('L2', { radius: 5, range_filter: 1 })!;
    expect([0.999, 1, 3, 4.999, 5, 6].map((k) => keyInRange(w, k))).toEqual([false, true, true, true, false, false]);
    const s = resolveRange('COSINE', { radius: 0.5, range_filter: 0.9 })!; // 0.5 < score <= 0.9
    expect([0.95, 0.9, 0.7, 0.5, 0.2].map((score) => keyInRange(s, -score))).toEqual([false, true, true, false, false]);
  });

  it('rejects windows that are not finite numbers, out of order, or a range_filter without radius', () => {
    rejects(() => resolveRange('L2', { range_filter: 1 }), P, /^search parameter range_filter=1 needs radius/);
    for (const bad of ['1', NaN, Infinity, null, {}]) {
      rejects(() => resolveRange('L2', { radius: bad as number }), P, /search parameter radius=.* is not a finite number/);
      rejects(() => resolveRange('IP', { radius: 0, range_filter: bad as number }), P, /search parameter range_filter=.* is not a finite number/);
    }
    rejects(() => resolveRange('L2', { radius: 1, range_filter: 1 }), P, /range_filter=1 must be less than radius=1 for metric L2 \(a distance: range_filter <= distance < radius\)/);
    rejects(() => resolveRange('L2', { radius: 1, range_filter: 2 }), P, /must be less than radius/);
    rejects(() => resolveRange('IP', { radius: 0.5, range_filter: 0.5 }), P, /range_filter=0.5 must be greater than radius=0.5 for metric IP \(a similarity: radius < score <= range_filter\)/);
    rejects(() => resolveRange('COSINE', { radius: 0.5, range_filter: 0.1 }), P, /must be greater than radius/);
  });

  it('every float index type rejects a bad window in validateSearchParams and in search', () => {
    const base = randomVectors(64, 4, 3);
    for (const type of TYPES) {
      const spec: IndexSpec = { type, metric: 'IP', dim: 4, params: type === 'IVF_PQ' ? { nlist: 2, m: 2, nbits: 2 } : type.startsWith('IVF') ? { nlist: 2 } : {} };
      const index = buildIndex(spec, base, 64, { seed: 1 });
      const bad: IndexSearchParams = { radius: 0.5, range_filter: 0.4 };
      rejects(() => validateSearchParams(index.spec, 5, bad), P, /range_filter=0.4 must be greater than radius=0.5 for metric IP/);
      rejects(() => index.search(base.subarray(0, 4), 1, 5, bad), P, /range_filter=0.4 must be greater than radius=0.5/);
      rejects(() => index.search(base.subarray(0, 4), 1, 5, { range_filter: 1 }), P, /needs radius/);
      validateSearchParams(index.spec, 5, { radius: 0.1, range_filter: 0.4 });
    }
  });
});

/** Row count, dimension and queries of the exhaustive range tests. */
const N = 150;
const DIM = 8;
const NQ = 6;
const base = randomVectors(N, DIM, 21);
const queries = randomVectors(NQ, DIM, 22);

/** Builds `type` so that its search parameters below make it exhaustive (HNSW: 2M ≥ N keeps every row reachable). */
function exhaustive(type: IndexType, metric: MetricType): { index: VectorIndex; params: IndexSearchParams; score: Scorer } {
  const params: Record<string, IndexSpec['params']> = {
    FLAT: {}, IVF_FLAT: { nlist: 6 }, IVF_SQ8: { nlist: 6 }, IVF_PQ: { nlist: 4, m: 4, nbits: 4 }, HNSW: { M: 75, efConstruction: 200 },
  };
  const index = buildIndex({ type, metric, dim: DIM, params: params[type] }, base, N, { seed: 5 });
  const search: IndexSearchParams = type === 'HNSW' ? { ef: N } : type.startsWith('IVF') ? { nprobe: index.spec.params.nlist } : {};
  const score = type === 'IVF_SQ8' ? sq8Scorer(index as IvfSq8Index, queries, NQ) : type === 'IVF_PQ' ? pqScorer(index as IvfPqIndex, queries, NQ) : exactScorer(metric, base, queries, DIM);
  return { index, params: search, score };
}

/** The window bounds at score quantiles (`near`, `far` as fractions from the best score), away from every score. */
function windowAt(metric: MetricType, scores: number[], far: number, near?: number): IndexSearchParams {
  const at = (f: number) => boundBetween(scores, metric === 'L2' ? f : 1 - f, 1e-5);
  return near === undefined ? { radius: at(far) } : { radius: at(far), range_filter: at(near) };
}

describe('range search on exhaustive indexes equals the brute-force answer filtered by the window', () => {
  const filter = new Bitset(N);
  const r = rng(7);
  for (let i = 0; i < N; i++) if (r() < 0.6) filter.set(i);

  for (const type of TYPES) {
    for (const metric of METRICS) {
      it(`${type}/${metric}: radius, radius + range_filter (excluding the nearest rows), with and without a filter, k below and above the window`, () => {
        const { index, params, score } = exhaustive(type, metric);
        const scores = allScores(score, N, NQ);
        const nearest = referenceSearch(metric, score, N, NQ, 1, null);
        for (const window of [windowAt(metric, scores, 0.3), windowAt(metric, scores, 0.5, 0.1)]) {
          const w = resolveRange(metric, window)!;
          if (window.range_filter !== undefined) {
            // The window really leaves out each query's nearest row.
            for (let q = 0; q < NQ; q++) expect(keyInRange(w, w.sign * nearest.scores[q])).toBe(false);
          }
          for (const k of [10, 100]) {
            for (const f of [undefined, filter]) {
              const res = index.search(queries, NQ, k, { ...params, ...window }, f);
              const ref = referenceSearch(metric, score, N, NQ, k, w, f);
              expect(ref.ids.filter((id) => id >= 0).length).toBeGreaterThan(0);
              if (type === 'HNSW') expectSameUpToTol(res, ref, score, 1e-5, f);
              else expect(res).toEqual(ref);
            }
          }
        }
        // A window holding no row gives only padding.
        const empty = index.search(queries, NQ, 5, { ...params, radius: metric === 'L2' ? 0 : 1e9 });
        expect(Array.from(empty.ids)).toEqual(new Array(NQ * 5).fill(-1));
      });
    }
  }
});

describe('range search details', () => {
  it('FLAT: a score equal to radius is out, one equal to range_filter is in (L2 and IP)', () => {
    // Integer vectors: every score is exact.
    const rows = Float32Array.from([0, 0, 1, 0, 2, 0, 3, 0, 4, 0]);
    const q = Float32Array.from([0, 0]);
    const l2 = buildIndex({ type: 'FLAT', metric: 'L2', dim: 2, params: {} }, rows, 5, { seed: 0 });
    const a = l2.search(q, 1, 5, { radius: 9, range_filter: 1 }); // 1 <= d < 9: rows 1 (d=1), 2 (d=4)
    expect(Array.from(a.ids)).toEqual([1, 2, -1, -1, -1]);
    expect(Array.from(a.scores)).toEqual([1, 4, Infinity, Infinity, Infinity]);
    const ip = buildIndex({ type: 'FLAT', metric: 'IP', dim: 2, params: {} }, rows, 5, { seed: 0 });
    const b = ip.search(Float32Array.from([1, 0]), 1, 5, { radius: 1, range_filter: 3 }); // 1 < s <= 3: rows 3, 2
    expect(Array.from(b.ids)).toEqual([3, 2, -1, -1, -1]);
    expect(Array.from(b.scores)).toEqual([3, 2, -Infinity, -Infinity, -Infinity]);
  });

  it('the window applies to the reported float32 score, not the float64 value before rounding', () => {
    // Find x whose square rounds up to float32: the float64 distance is below radius = fround(x²),
    // the reported distance equals it, so the row is out.
    let x = 0;
    for (let i = 1; x === 0; i++) {
      const c = Math.fround(1 + i * 1e-6);
      if (Math.fround(c * c) > c * c) x = c;
    }
    const index = buildIndex({ type: 'FLAT', metric: 'L2', dim: 1, params: {} }, Float32Array.from([x, 0.5]), 2, { seed: 0 });
    const radius = Math.fround(x * x);
    expect(x * x).toBeLessThan(radius);
    expect(Array.from(index.search(Float32Array.from([0]), 1, 2, { radius }).ids)).toEqual([1, -1]);
    expect(Array.from(index.search(Float32Array.from([0]), 1, 2, { radius: radius * (1 + 1e-6) }).ids)).toEqual([1, 0]);
  });

  it('HNSW with a small ef widens its search until the window holds k rows (exact on a complete graph)', () => {
    for (const metric of METRICS) {
      const index = buildIndex({ type: 'HNSW', metric, dim: DIM, params: { M: 75, efConstruction: 200 } }, base, N, { seed: 5 });
      const score = exactScorer(metric, base, queries, DIM);
      // range_filter leaves out the ≈ 40 nearest rows of a query: k' = max(k, ef) = 10 must grow to 80.
      const window = windowAt(metric, allScores(score, N, NQ), 0.6, 0.27);
      const res = index.search(queries, NQ, 5, { ef: 10, ...window });
      expectSameUpToTol(res, referenceSearch(metric, score, N, NQ, 5, resolveRange(metric, window)), score, 1e-5);
    }
  });

  it('HNSW range search on a real graph (3000 rows, M=16, ef=32): in-window rows only, near the exact answer', () => {
    const n = 3000;
    const dim = 16;
    const rows = randomVectors(n, dim, 31);
    const qs = randomVectors(20, dim, 32);
    const index = buildIndex({ type: 'HNSW', metric: 'L2', dim, params: { M: 16, efConstruction: 100 } }, rows, n, { seed: 2 });
    const score = exactScorer('L2', rows, qs, dim);
    const window = windowAt('L2', allScores(score, n, 20), 0.2, 0.03); // the ≈ 90 nearest rows are left out
    const w = resolveRange('L2', window)!;
    const res = index.search(qs, 20, 10, { ef: 32, ...window });
    const ref = referenceSearch('L2', score, n, 20, 10, w);
    let hits = 0;
    for (let q = 0; q < 20; q++) {
      const truth = new Set(ref.ids.subarray(q * 10, q * 10 + 10));
      for (let i = 0; i < 10; i++) {
        const id = res.ids[q * 10 + i];
        expect(id).toBeGreaterThanOrEqual(0);
        expect(keyInRange(w, res.scores[q * 10 + i])).toBe(true);
        if (i > 0) expect(res.scores[q * 10 + i]).toBeGreaterThanOrEqual(res.scores[q * 10 + i - 1]);
        if (truth.has(id)) hits++;
      }
    }
    expect(hits / 200).toBeGreaterThanOrEqual(0.9);
  });
});
