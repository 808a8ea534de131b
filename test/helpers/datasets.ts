/**
 * The siftsmall-128-euclidean dataset (TEXMEX ANN_SIFT10K, see ../shared/datasets/README.md) and
 * the exact-search helpers the tests compare against: brute-force squared L2 and recall@k as
 * ann-benchmarks defines it (|result's top-k ∩ truth's top-k| / k, averaged over queries).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseFvecs, parseIvecs } from '@shoal/ann';
import type { VecsFile } from '@shoal/ann';
import { REPO_ROOT } from './node-process.ts';

/** Folder of siftsmall: `base.fvecs` (10,000 × 128), `query.fvecs` (100 × 128), `groundtruth.ivecs` (100 × 100). */
export const SIFTSMALL_DIR = join(REPO_ROOT, '..', 'shared', 'datasets', 'siftsmall-128-euclidean');

/** siftsmall, parsed: base and query vectors row-major, ground-truth base row numbers nearest first. */
export interface Siftsmall {
  base: VecsFile<Float32Array>;
  query: VecsFile<Float32Array>;
  groundtruth: VecsFile<Int32Array>;
}

/** Reads and parses siftsmall from {@link SIFTSMALL_DIR}; throws if a file is missing or malformed. */
export function loadSiftsmall(): Siftsmall {
  const read = (name: string) => new Uint8Array(readFileSync(join(SIFTSMALL_DIR, name)));
  return {
    base: parseFvecs(read('base.fvecs')),
    query: parseFvecs(read('query.fvecs')),
    groundtruth: parseIvecs(read('groundtruth.ivecs')),
  };
}

/** Row `i` of a row-major `count × dim` matrix as a plain `number[]` (what JSON bodies need). */
export function row(data: Float32Array, dim: number, i: number): number[] {
  return Array.from(data.subarray(i * dim, (i + 1) * dim));
}

/** A neighbour: row number (or id) and squared L2 distance. */
export interface Neighbour {
  id: number;
  distance: number;
}

/**
 * Exact top-`k` by squared L2 (float64 accumulation) of `query` (length `dim`) among the rows
 * `candidates` of `base` (row-major, `dim` columns); ties broken by the smaller row number.
 */
export function bruteForceL2(base: Float32Array, dim: number, candidates: readonly number[], query: ArrayLike<number>, k: number): Neighbour[] {
  const all: Neighbour[] = candidates.map((id) => {
    let s = 0;
    const off = id * dim;
    for (let d = 0; d < dim; d++) {
      const x = base[off + d] - query[d];
      s += x * x;
    }
    return { id, distance: s };
  });
  all.sort((a, b) => a.distance - b.distance || a.id - b.id);
  return all.slice(0, k);
}

/** recall@k (see the file comment) of `results[q]` against `truth[q]`, averaged over the queries. */
export function recallAtK(results: readonly (readonly number[])[], truth: readonly (readonly number[])[], k: number): number {
  let sum = 0;
  for (let q = 0; q < truth.length; q++) {
    const want = new Set(truth[q].slice(0, k));
    sum += (results[q] ?? []).slice(0, k).filter((id) => want.has(id)).length / k;
  }
  return sum / truth.length;
}

/** The first `k` ground-truth neighbours of every query, as arrays of base row numbers. */
export function groundTruthTopK(gt: VecsFile<Int32Array>, k: number): number[][] {
  return Array.from({ length: gt.count }, (_, q) => Array.from(gt.data.subarray(q * gt.dim, q * gt.dim + k)));
}
