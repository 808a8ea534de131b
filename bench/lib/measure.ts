/**
 * Single-query measurement, as ann-benchmarks and `shoal bench` do it: queries run one at a time on
 * this thread; each call is timed with `performance.now()`; QPS = queries / wall time of the pass;
 * p50/p99 by the nearest-rank method; recall@k = |returned top-k ∩ true top-k| / k averaged over
 * the queries (ann-benchmarks' definition, ids = base row numbers).
 */

/** Answers query number `q` with the ids of its top-k, best first. */
export type Searcher = (q: number) => ArrayLike<number>;

/** One pass over the queries. Times in ms. */
export interface PassStats {
  queries: number;
  recall: number;
  qps: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
}

/**
 * recall@k of one result: |result's first k ∩ truth's first k| / k. `truth` holds at least k ids;
 * ids −1 (missing) never match.
 */
export function recallAtK(result: ArrayLike<number>, truth: ArrayLike<number>, k: number): number {
  const want = new Set<number>();
  for (let i = 0; i < k; i++) want.add(truth[i]);
  let hits = 0;
  const seen = new Set<number>();
  for (let i = 0; i < Math.min(k, result.length); i++) {
    const id = result[i];
    if (want.has(id) && !seen.has(id)) {
      seen.add(id);
      hits++;
    }
  }
  return hits / k;
}

/** The p-th percentile (0 < p ≤ 100) of `values` by the nearest-rank method (a sorted copy is made). */
export function percentile(values: Float64Array, p: number): number {
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Runs `search` on queries 0..warmup−1 (results ignored): JIT and caches warm, pages touched. */
export function warmUp(search: Searcher, nq: number, warmup: number): void {
  for (let q = 0; q < Math.min(warmup, nq); q++) search(q);
}

/**
 * One timed pass of `search` over queries 0..nq−1, recall against `truth` (`nq × width` ids, nearest
 * first, width ≥ k). Throws `RangeError` when nq is 0 or the truth is narrower than k.
 */
export function timedPass(search: Searcher, nq: number, truth: Int32Array, width: number, k: number): PassStats {
  if (nq === 0) throw new RangeError('no queries to run');
  if (width < k) throw new RangeError(`the ground truth holds ${width} ids per query, fewer than k = ${k}`);
  const latencies = new Float64Array(nq);
  const results: ArrayLike<number>[] = new Array(nq);
  const start = performance.now();
  for (let q = 0; q < nq; q++) {
    const t0 = performance.now();
    results[q] = search(q);
    latencies[q] = performance.now() - t0;
  }
  const wallMs = performance.now() - start;
  let recall = 0;
  let total = 0;
  for (let q = 0; q < nq; q++) {
    recall += recallAtK(results[q], truth.subarray(q * width, q * width + k), k);
    total += latencies[q];
  }
  return { queries: nq, recall: recall / nq, qps: nq / (wallMs / 1000), p50Ms: percentile(latencies, 50), p99Ms: percentile(latencies, 99), meanMs: total / nq };
}

/**
 * The best of several passes: the pass of highest QPS (ann-benchmarks reports the best of its runs);
 * recall is the same in every pass for a deterministic index. Throws `RangeError` on an empty list.
 */
export function bestPass(passes: PassStats[]): PassStats & { runs: number } {
  if (passes.length === 0) throw new RangeError('no passes');
  const best = passes.reduce((a, b) => (b.qps > a.qps ? b : a));
  return { ...best, runs: passes.length };
}
