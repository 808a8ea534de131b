import { describe, expect, it } from 'vitest';
import { Bitset, buildIndex, HNSW_EXACT_SELECTIVITY, planFilteredSearch, validateIndexSpec } from '../src/index.ts';
import type { IndexSpec, SearchResult } from '../src/index.ts';
import { randomVectors } from './helpers.ts';

const ivf = (nlist: number): IndexSpec => validateIndexSpec({ type: 'IVF_FLAT', metric: 'L2', dim: 8, params: { nlist } });
const hnsw: IndexSpec = validateIndexSpec({ type: 'HNSW', metric: 'L2', dim: 8, params: {} });
const flat: IndexSpec = { type: 'FLAT', metric: 'L2', dim: 8, params: {} };

describe('planFilteredSearch', () => {
  it('leaves unfiltered searches and FLAT alone', () => {
    expect(planFilteredSearch(ivf(128), 1000, 1000, 10, { nprobe: 4 })).toEqual({ exact: false, params: { nprobe: 4 } });
    expect(planFilteredSearch(hnsw, 1000, 1000, 10, undefined)).toEqual({ exact: false, params: {} });
    expect(planFilteredSearch(flat, 1000, 1, 10, undefined)).toEqual({ exact: false, params: {} });
  });

  it('widens IVF probes to nprobe / selectivity and scans exactly once that reaches nlist', () => {
    expect(planFilteredSearch(ivf(128), 10_000, 5_000, 10, { nprobe: 4 })).toEqual({ exact: false, params: { nprobe: 8 } });
    expect(planFilteredSearch(ivf(128), 10_000, 1_000, 10, undefined)).toEqual({ exact: false, params: { nprobe: 80 } }); // default nprobe 8
    expect(planFilteredSearch(ivf(128), 10_000, 625, 10, undefined).exact).toBe(true); // 8 / 0.0625 = 128 = nlist
    expect(planFilteredSearch(ivf(128), 10_000, 0, 10, undefined).exact).toBe(true);
  });

  it('scans exactly for HNSW at or below the knowhere threshold, and whenever at most k rows pass', () => {
    expect(planFilteredSearch(hnsw, 10_000, 10_000 * HNSW_EXACT_SELECTIVITY, 10, { ef: 64 }).exact).toBe(true);
    expect(planFilteredSearch(hnsw, 10_000, 10_000 * HNSW_EXACT_SELECTIVITY + 1, 10, { ef: 64 })).toEqual({ exact: false, params: { ef: 64 } });
    expect(planFilteredSearch(ivf(4), 10_000, 10, 10, undefined).exact).toBe(true);
  });

  it('rejects an invalid nprobe as the index would', () => {
    expect(() => planFilteredSearch(ivf(16), 100, 50, 10, { nprobe: 17 })).toThrow(/nprobe=17 is out of range; allowed range \[1, 16\]/);
  });

  it('keeps IVF_FLAT recall@10 at a 10% filter where the plain filtered probe loses it', () => {
    const dim = 8;
    const n = 6000;
    const base = randomVectors(n, dim, 7);
    const nq = 40;
    const queries = randomVectors(nq, dim, 8);
    const index = buildIndex({ type: 'IVF_FLAT', metric: 'L2', dim, params: { nlist: 64 } }, base, n, { seed: 1 });
    const exact = buildIndex({ type: 'FLAT', metric: 'L2', dim, params: {} }, base, n, { seed: 0 });
    const filter = new Bitset(n);
    for (let i = 0; i < n; i += 10) filter.set(i);
    const truth = exact.search(queries, nq, 10, {}, filter);
    const recall = (res: SearchResult) => {
      let hit = 0;
      for (let q = 0; q < nq; q++) {
        const want = new Set(truth.ids.subarray(q * 10, q * 10 + 10));
        for (let j = 0; j < 10; j++) if (want.has(res.ids[q * 10 + j])) hit++;
      }
      return hit / (nq * 10);
    };
    const given = { nprobe: 2 };
    const plan = planFilteredSearch(index.spec, n, filter.count(), 10, given);
    expect(plan).toEqual({ exact: false, params: { nprobe: 20 } });
    const planned = recall(index.search(queries, nq, 10, plan.params, filter));
    const plain = recall(index.search(queries, nq, 10, given, filter));
    expect(planned).toBeGreaterThanOrEqual(0.95);
    expect(plain).toBeLessThan(0.8);
  });
});
