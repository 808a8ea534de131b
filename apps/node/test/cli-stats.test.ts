import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { exactTruth, loadDataset, metricFromName } from '../src/cli/dataset.ts';
import { mean, percentile, recallAtK } from '../src/cli/stats.ts';

const SIFT = fileURLToPath(new URL('../../../../shared/datasets/siftsmall-128-euclidean/', import.meta.url));
const GLOVE = fileURLToPath(new URL('../../../../shared/datasets/glove-25-angular/', import.meta.url));

describe('recall@k', () => {
  it('is |top-k ∩ truth top-k| / k, ignoring order and entries past k', () => {
    expect(recallAtK([1, 2, 3], [3, 2, 1, 9], 3)).toBe(1);
    expect(recallAtK([1, 2, 7, 3], [3, 2, 1, 9], 3)).toBeCloseTo(2 / 3);
    expect(recallAtK([9], [1, 9], 1)).toBe(0);
    expect(recallAtK([], [1, 2], 2)).toBe(0);
  });

  it('counts a duplicated id once and a short result as misses', () => {
    expect(recallAtK([1, 1, 1], [1, 2, 3], 3)).toBeCloseTo(1 / 3);
    expect(recallAtK([2], [1, 2, 3, 4], 4)).toBe(0.25);
  });

  it('rejects k < 1 and a truth narrower than k', () => {
    expect(() => recallAtK([1], [1], 0)).toThrow(RangeError);
    expect(() => recallAtK([1], [1], 2)).toThrow(/fewer than k = 2/);
  });
});

describe('percentile (nearest rank)', () => {
  it('matches hand-computed values', () => {
    const v = [5, 1, 4, 2, 3];
    expect(percentile(v, 50)).toBe(3);
    expect(percentile(v, 100)).toBe(5);
    expect(percentile(v, 1)).toBe(1);
    expect(percentile(v, 80)).toBe(4);
    expect(percentile(v, 81)).toBe(5);
    expect(percentile(Array.from({ length: 100 }, (_, i) => i + 1), 99)).toBe(99);
    expect(percentile([0.25], 99)).toBe(0.25);
  });

  it('is an element with at least p % of the values ≤ it and fewer than p % < it', () => {
    fc.assert(fc.property(fc.array(fc.double({ noNaN: true, min: -1e6, max: 1e6 }), { minLength: 1, maxLength: 60 }), fc.integer({ min: 1, max: 100 }), (values, p) => {
      const x = percentile(values, p);
      expect(values).toContain(x);
      expect(values.filter((v) => v <= x).length / values.length).toBeGreaterThanOrEqual(p / 100);
      expect(values.filter((v) => v < x).length / values.length).toBeLessThan(p / 100);
    }));
  });

  it('rejects an empty list and p outside (0, 100]', () => {
    expect(() => percentile([], 50)).toThrow(RangeError);
    expect(() => percentile([1], 0)).toThrow(RangeError);
    expect(() => percentile([1], 101)).toThrow(RangeError);
    expect(mean([1, 2, 6])).toBe(3);
    expect(() => mean([])).toThrow(RangeError);
  });
});

describe('datasets', () => {
  it('reads the metric from the folder name suffix', () => {
    expect(metricFromName('../shared/datasets/siftsmall-128-euclidean')).toBe('L2');
    expect(metricFromName('/x/glove-25-angular/')).toBe('COSINE');
    expect(() => metricFromName('/x/my-vectors')).toThrow(/pass --metric/);
  });

  it('loads siftsmall with its ground truth, and --rows recomputes it exactly', async () => {
    const full = await loadDataset(SIFT, { queries: 5 });
    expect(full).toMatchObject({ name: 'siftsmall-128-euclidean', metric: 'L2' });
    expect([full.base.count, full.base.dim, full.queries.count, full.truth.count, full.truth.dim]).toEqual([10000, 128, 5, 5, 100]);
    // Over the whole base, brute force agrees with the published ground truth.
    const mine = exactTruth(full.base, full.queries, 'L2', 10);
    for (let q = 0; q < 5; q++) expect(recallAtK(mine.data.subarray(q * 10, q * 10 + 10), full.truth.data.subarray(q * 100, q * 100 + 100), 10)).toBe(1);
    const small = await loadDataset(SIFT, { queries: 5, rows: 300 });
    expect(small.base.count).toBe(300);
    expect(Math.max(...small.truth.data)).toBeLessThan(300);
  });

  it('recomputes cosine ground truth that agrees with GloVe\'s published one', async () => {
    const ds = await loadDataset(GLOVE, { queries: 5 });
    expect(ds.metric).toBe('COSINE');
    const mine = exactTruth(ds.base, ds.queries, 'COSINE', 10);
    const recalls = Array.from({ length: 5 }, (_, q) => recallAtK(mine.data.subarray(q * 10, q * 10 + 10), ds.truth.data.subarray(q * 100, q * 100 + 100), 10));
    expect(mean(recalls)).toBe(1);
  });
});
