import { ShoalError } from '@shoal/actors';
/**
 * Test helpers of @shoal/ann: a seeded PRNG for bulk data, the benchmark datasets, a naive exact
 * top-k reference and a result checker that tolerates reordering among (near-)equal scores.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { parseFvecs, parseIvecs } from '../src/index.ts';
import type { BitsetView, MetricType, SearchResult } from '../src/index.ts';

/** mulberry32: a tiny deterministic PRNG returning floats in [0, 1). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `n × dim` floats uniform in [−1, 1), from `seed`. */
export function randomVectors(n: number, dim: number, seed: number): Float32Array {
  const r = rng(seed);
  const out = new Float32Array(n * dim);
  for (let i = 0; i < out.length; i++) out[i] = r() * 2 - 1;
  return out;
}

/** A benchmark dataset of ../shared/datasets (relative to the repository root). */
export interface Dataset {
  dim: number;
  count: number;
  base: Float32Array;
  nq: number;
  queries: Float32Array;
  /** 100 ground-truth neighbour ids per query, nearest first. */
  gt: Int32Array;
  /** The matching distances (squared L2, or 1 − cos). */
  gtDist: Float32Array;
}

/** Reads `<repo>/../shared/datasets/<name>/`. */
export function loadDataset(name: string): Dataset {
  const dir = fileURLToPath(new URL(`../../../../shared/datasets/${name}/`, import.meta.url));
  const base = parseFvecs(readFileSync(dir + 'base.fvecs'));
  const query = parseFvecs(readFileSync(dir + 'query.fvecs'));
  const gt = parseIvecs(readFileSync(dir + 'groundtruth.ivecs'));
  const gtDist = parseFvecs(readFileSync(dir + 'groundtruth_distances.fvecs'));
  return { dim: base.dim, count: base.count, base: base.data, nq: query.count, queries: query.data, gt: gt.data, gtDist: gtDist.data };
}

/** Mean |top-k of result ∩ top-k of ground truth| / k over the first `nq` queries (ann-benchmarks recall). */
export function recallAtK(res: SearchResult, gt: Int32Array, gtPerQuery: number, k: number, nq = res.nq): number {
  let hits = 0;
  for (let q = 0; q < nq; q++) {
    const truth = new Set(gt.subarray(q * gtPerQuery, q * gtPerQuery + k));
    for (let i = 0; i < k; i++) if (truth.has(res.ids[q * res.k + i])) hits++;
  }
  return hits / (nq * k);
}

/** The exact Milvus score of query `q` against row `r` in float64, computed the plain way. */
export function naiveScore(metric: MetricType, queries: Float32Array, q: number, base: Float32Array, r: number, dim: number): number {
  let dot = 0;
  let qq = 0;
  let rr = 0;
  let l2 = 0;
  for (let i = 0; i < dim; i++) {
    const a = queries[q * dim + i];
    const b = base[r * dim + i];
    dot += a * b;
    qq += a * a;
    rr += b * b;
    l2 += (a - b) * (a - b);
  }
  if (metric === 'L2') return l2;
  if (metric === 'IP') return dot;
  return qq === 0 || rr === 0 ? 0 : dot / (Math.sqrt(qq) * Math.sqrt(rr));
}

/** Exact reference scores sorted best first, per query: the passing rows' scores, then nothing. */
export function referenceScores(metric: MetricType, base: Float32Array, count: number, dim: number, queries: Float32Array, nq: number, filter?: BitsetView): number[][] {
  const out: number[][] = [];
  for (let q = 0; q < nq; q++) {
    const s: number[] = [];
    for (let r = 0; r < count; r++) if (!filter || filter.get(r)) s.push(naiveScore(metric, queries, q, base, r, dim));
    s.sort((a, b) => (metric === 'L2' ? a - b : b - a));
    out.push(s);
  }
  return out;
}

/**
 * Checks that `res` is a correct top-k: per query, min(k, passing) distinct passing ids whose
 * reported scores equal their exact scores and the exact best scores rank by rank (within
 * `tol`, relative to max(1, |score|)), then −1 padding with the worst score.
 */
export function expectExactTopK(res: SearchResult, metric: MetricType, base: Float32Array, count: number, dim: number, queries: Float32Array, k: number, tol: number, filter?: BitsetView): void {
  const ref = referenceScores(metric, base, count, dim, queries, res.nq, filter);
  const close = (a: number, b: number) => Math.abs(a - b) <= tol * Math.max(1, Math.abs(b));
  expect(res.k).toBe(k);
  for (let q = 0; q < res.nq; q++) {
    const expected = Math.min(k, ref[q].length);
    const seen = new Set<number>();
    for (let i = 0; i < k; i++) {
      const id = res.ids[q * k + i];
      const score = res.scores[q * k + i];
      if (i >= expected) {
        expect(id).toBe(-1);
        expect(score).toBe(metric === 'L2' ? Infinity : -Infinity);
        continue;
      }
      expect(id).toBeGreaterThanOrEqual(0);
      expect(id).toBeLessThan(count);
      expect(seen.has(id)).toBe(false);
      seen.add(id);
      if (filter) expect(filter.get(id)).toBe(true);
      const exact = naiveScore(metric, queries, q, base, id, dim);
      if (!close(score, exact)) expect.fail(`query ${q} rank ${i}: id ${id} reported ${score}, exact ${exact}`);
      if (!close(score, ref[q][i])) expect.fail(`query ${q} rank ${i}: score ${score}, exact rank-${i} score ${ref[q][i]}`);
    }
  }
}

/** Asserts that `fn` throws a `ShoalError` with `code` and a message matching `pattern`. */
export function rejects(fn: () => unknown, code: number, pattern: RegExp): void {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ShoalError);
    expect((err as ShoalError).code).toBe(code);
    expect((err as Error).message).toMatch(pattern);
    return;
  }
  expect.fail('expected a ShoalError');
}
