/**
 * Accuracy and latency statistics of `shoal bench`.
 */

/**
 * recall@k of one result, as ann-benchmarks and the datasets' README define it: |result's top-k ∩
 * ground truth's top-k| / k. `result` holds the returned ids best first (fewer than k count as
 * misses), `truth` the true nearest ids best first (at least k of them). Throws `RangeError` when
 * k < 1 or `truth` has fewer than k ids.
 */
export function recallAtK(result: ArrayLike<number>, truth: ArrayLike<number>, k: number): number {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`k must be a positive integer, got ${k}`);
  if (truth.length < k) throw new RangeError(`ground truth has ${truth.length} ids, fewer than k = ${k}`);
  const want = new Set<number>();
  for (let i = 0; i < k; i++) want.add(truth[i]);
  const seen = new Set<number>();
  const n = Math.min(k, result.length);
  for (let i = 0; i < n; i++) {
    const id = result[i];
    if (want.has(id)) seen.add(id);
  }
  return seen.size / k;
}

/**
 * The p-th percentile (0 < p ≤ 100) of `values` by the nearest-rank method: the smallest value
 * such that at least p % of the values are ≤ it, i.e. sorted[⌈p/100 · n⌉ − 1]. `values` need not
 * be sorted (a sorted copy is made). Throws `RangeError` on an empty list or p outside (0, 100].
 */
export function percentile(values: ArrayLike<number>, p: number): number {
  if (values.length === 0) throw new RangeError('percentile of an empty list');
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile must be in (0, 100], got ${p}`);
  const sorted = Float64Array.from(values).sort();
  return sorted[Math.ceil((p / 100) * sorted.length) - 1];
}

/** The arithmetic mean of `values`; throws `RangeError` on an empty list. */
export function mean(values: ArrayLike<number>): number {
  if (values.length === 0) throw new RangeError('mean of an empty list');
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i];
  return sum / values.length;
}
