import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ErrorCode, ShoalError } from '@shoal/actors';
import { innerProduct, l2Squared } from '../src/distance.ts';
import { assignNearest, kmeans } from '../src/kmeans.ts';
import { randomVectors, rng } from './helpers.ts';

/** `n` points around `k` well-separated centres in `dim` dimensions (centre c at 10·c on every axis). */
function blobs(n: number, k: number, dim: number, seed: number): Float32Array {
  const r = rng(seed);
  const out = new Float32Array(n * dim);
  for (let i = 0; i < n; i++) for (let d = 0; d < dim; d++) out[i * dim + d] = (i % k) * 10 + (r() - 0.5);
  return out;
}

describe('kmeans', () => {
  it('is deterministic: same seed → same centroids; another seed → (here) other seeds', () => {
    const data = randomVectors(2000, 8, 1);
    const a = kmeans(data, 2000, 8, 16, { seed: 7 });
    const b = kmeans(data, 2000, 8, 16, { seed: 7 });
    const c = kmeans(data, 2000, 8, 16, { seed: 8 });
    expect(a.centroids).toEqual(b.centroids);
    expect(a.inertia).toEqual(b.inertia);
    expect(c.centroids).not.toEqual(a.centroids);
  });

  it('never increases the inertia (L2, random data, with sampling)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 24 }), fc.integer({ min: 1, max: 6 }), fc.nat(1000), (k, dim, seed) => {
        const n = k * 12;
        const data = randomVectors(n, dim, seed);
        const res = kmeans(data, n, dim, k, { seed, maxPointsPerCentroid: 8 });
        expect(res.sampleSize).toBe(Math.min(n, 8 * k));
        for (let i = 1; i < res.inertia.length; i++) expect(res.inertia[i]).toBeLessThanOrEqual(res.inertia[i - 1] * (1 + 1e-6) + 1e-9);
      }),
      { numRuns: 60 },
    );
  });

  it('finds well-separated clusters: one centroid per blob, inertia ≈ the within-blob spread', () => {
    const k = 8;
    const dim = 4;
    const n = 800;
    const data = blobs(n, k, dim, 3);
    const res = kmeans(data, n, dim, k, { seed: 11 });
    const { assign } = assignNearest(data, n, dim, res.centroids, k, 'L2');
    // Rows of one blob share a centroid, rows of different blobs do not.
    const owner = new Map<number, number>();
    for (let i = 0; i < n; i++) {
      const blob = i % k;
      if (!owner.has(blob)) owner.set(blob, assign[i]);
      expect(assign[i]).toBe(owner.get(blob));
    }
    expect(new Set(owner.values()).size).toBe(k);
    // Uniform noise in [−0.5, 0.5) has variance 1/12 per axis.
    expect(res.inertia.at(-1)! / n).toBeLessThan((dim / 12) * 1.2);
  });

  it('re-seeds empty clusters and handles duplicate points', () => {
    // 40 copies of 3 distinct points, k = 3: every centroid must end on one of them.
    const data = new Float32Array(120 * 2);
    for (let i = 0; i < 120; i++) data.set([i % 3, (i % 3) * 2], i * 2);
    const res = kmeans(data, 120, 2, 3, { seed: 5 });
    const found = new Set<string>();
    for (let c = 0; c < 3; c++) found.add(`${res.centroids[c * 2]},${res.centroids[c * 2 + 1]}`);
    expect(found).toEqual(new Set(['0,0', '1,2', '2,4']));
    expect(res.inertia.at(-1)).toBe(0);
    // All points equal and k > 1: no crash, centroids all equal that point.
    const same = kmeans(new Float32Array(20).fill(3), 10, 2, 4, { seed: 1 });
    expect(Array.from(same.centroids)).toEqual(new Array(8).fill(3));
  });

  it('spherical (IP) k-means returns unit-length centroids', () => {
    const data = randomVectors(500, 6, 9);
    const res = kmeans(data, 500, 6, 10, { seed: 2, metric: 'IP' });
    for (let c = 0; c < 10; c++) {
      let norm2 = 0;
      for (let d = 0; d < 6; d++) norm2 += res.centroids[c * 6 + d] ** 2;
      expect(norm2).toBeCloseTo(1, 5);
    }
  });

  it('rejects fewer rows than clusters and k < 1', () => {
    for (const [n, k, pattern] of [[5, 6, /at least as many rows as clusters: 5 rows for k=6/], [5, 0, /k ≥ 1/]] as const) {
      try {
        kmeans(new Float32Array(n * 2), n, 2, k, { seed: 1 });
        expect.fail('expected an error');
      } catch (err) {
        expect(err).toBeInstanceOf(ShoalError);
        expect((err as ShoalError).code).toBe(ErrorCode.ParameterInvalid);
        expect((err as Error).message).toMatch(pattern);
      }
    }
  });
});

describe('kmeans with Hamerly bounds', () => {
  /** One plain Lloyd step: brute-force nearest centroid (ties → smaller number), then float64 means. */
  function lloydStep(points: Float32Array, n: number, dim: number, centroids: Float32Array, k: number, metric: 'L2' | 'IP'): Float32Array {
    const sums = new Float64Array(k * dim);
    const sizes = new Int32Array(k);
    for (let i = 0; i < n; i++) {
      let best = 0;
      let bestKey = Infinity;
      for (let c = 0; c < k; c++) {
        const key = metric === 'L2' ? l2Squared(points, i * dim, centroids, c * dim, dim) : -innerProduct(points, i * dim, centroids, c * dim, dim);
        if (key < bestKey) {
          bestKey = key;
          best = c;
        }
      }
      sizes[best]++;
      for (let d = 0; d < dim; d++) sums[best * dim + d] += points[i * dim + d];
    }
    const out = new Float32Array(k * dim);
    for (let c = 0; c < k; c++) {
      if (sizes[c] === 0) {
        out.set(centroids.subarray(c * dim, (c + 1) * dim), c * dim);
        continue;
      }
      let norm2 = 0;
      for (let d = 0; d < dim; d++) {
        sums[c * dim + d] /= sizes[c];
        norm2 += sums[c * dim + d] ** 2;
      }
      const scale = metric === 'IP' && norm2 > 0 ? 1 / Math.sqrt(norm2) : 1;
      for (let d = 0; d < dim; d++) out[c * dim + d] = sums[c * dim + d] * scale;
    }
    return out;
  }

  it.each(['L2', 'IP'] as const)('%s: gives exactly the iterates of plain Lloyd (bounds only skip work)', (metric) => {
    const n = 3000;
    const dim = 12;
    const k = 24;
    const points = randomVectors(n, dim, 11);
    let previous = kmeans(points, n, dim, k, { seed: 5, metric, maxIterations: 1 }).centroids;
    for (let t = 2; t <= 10; t++) {
      const current = kmeans(points, n, dim, k, { seed: 5, metric, maxIterations: t }).centroids;
      expect(Array.from(current)).toEqual(Array.from(lloydStep(points, n, dim, previous, k, metric)));
      previous = current;
    }
  });
});

describe('kmeans final assignment', () => {
  it.each(['L2', 'IP'] as const)('%s: equals assignNearest on the final centroids when every row is in the sample, null otherwise', (metric) => {
    const n = 2000;
    const dim = 10;
    const points = randomVectors(n, dim, 3);
    for (const maxIterations of [3, 25]) {
      const res = kmeans(points, n, dim, 16, { seed: 9, metric, maxIterations });
      expect(res.assignment).not.toBeNull();
      expect(Array.from(res.assignment!)).toEqual(Array.from(assignNearest(points, n, dim, res.centroids, 16, metric).assign));
    }
    expect(kmeans(points, n, dim, 16, { seed: 9, metric, maxPointsPerCentroid: 50 }).assignment).toBeNull();
  });
});
