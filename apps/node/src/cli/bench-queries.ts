/**
 * The query phase of `shoal bench`: single-query latency, one query at a time (no concurrency),
 * after a warm-up pass; then QPS, latency percentiles and recall@k against the ground truth.
 */
import type { VecsFile } from '@shoal/ann';
import { mean, percentile, recallAtK } from './stats.ts';

/** Answers one query with the ids of its top-k, best first (a promise for REST, a value in-process). */
export type Searcher = (query: number[]) => Promise<ArrayLike<number>> | ArrayLike<number>;

/** Results of one pass over the queries. Times in ms; `qps` = queries / wall time of the pass. */
export interface QueryStats {
  queries: number;
  recall: number;
  qps: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
}

/**
 * Runs `search` on the first `warmup` queries (results ignored), then on every query in order,
 * timing each call with `performance.now()`; recall@k of result q against row q of `truth`
 * (`queries.length × truth.dim` ids, nearest first; truth.dim ≥ k). Throws `RangeError` when there
 * are no queries or the truth is narrower than k; errors of `search` pass through.
 */
export async function measureQueries(queries: number[][], truth: VecsFile<Int32Array>, k: number, search: Searcher, warmup: number): Promise<QueryStats> {
  if (queries.length === 0) throw new RangeError('no queries to run');
  if (truth.dim < k) throw new RangeError(`the ground truth has ${truth.dim} neighbours per query, fewer than k = ${k}`);
  for (let i = 0; i < Math.min(warmup, queries.length); i++) {
    const r = search(queries[i]);
    if (r instanceof Promise) await r;
  }
  const latencies = new Float64Array(queries.length);
  const results: ArrayLike<number>[] = new Array(queries.length);
  const start = performance.now();
  for (let i = 0; i < queries.length; i++) {
    const t0 = performance.now();
    const r = search(queries[i]);
    results[i] = r instanceof Promise ? await r : r;
    latencies[i] = performance.now() - t0;
  }
  const wallMs = performance.now() - start;
  const recalls = results.map((ids, q) => recallAtK(ids, truth.data.subarray(q * truth.dim, (q + 1) * truth.dim), k));
  return {
    queries: queries.length,
    recall: mean(recalls),
    qps: queries.length / (wallMs / 1000),
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    meanMs: mean(latencies),
  };
}
