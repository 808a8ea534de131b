/**
 * Range search windows (Milvus docs, "Range Search"): a search with `radius` (and optionally
 * `range_filter`) returns, of the rows inside the window, the `limit` best — best first.
 * - Distance metrics (L2, HAMMING, JACCARD; smaller is better): `range_filter <= score < radius`,
 *   so `range_filter` must be smaller than `radius`.
 * - Similarity metrics (IP, COSINE; larger is better): `radius < score <= range_filter`, so
 *   `range_filter` must be larger than `radius`.
 * `radius` bounds the far side (worst score admitted, exclusive); `range_filter` the near side
 * (best score admitted, inclusive; absent = no bound).
 */
import { invalidParameter } from '@shoal/actors';
import { smallerIsBetter } from './metric.ts';
import { show } from './params.ts';
import type { IndexSearchParams, MetricType } from './types.ts';

/**
 * A validated range window in "key" form, the form of the top-k heaps (`TopKHeaps`: smaller key is
 * better, similarities negated): a score passes iff `nearKey <= key(score) < farKey`.
 */
export interface RangeWindow {
  /** `radius` as a key: keys at or beyond it are excluded. */
  farKey: number;
  /** `range_filter` as a key (−Infinity when absent): keys below it are excluded. */
  nearKey: number;
  /** The metric's sign: key = score for distances, −score for similarities. */
  sign: 1 | -1;
}

/**
 * The range window of a search, or null when `params.radius` is absent (a plain top-k search).
 * Throws `ShoalError(ErrorCode.ParameterInvalid)` when `radius` or `range_filter` is not a finite
 * number, when `range_filter` is given without `radius`, or when the two are in the wrong order for
 * `metric` (see the module comment), naming both values and the rule.
 */
export function resolveRange(metric: MetricType, params: IndexSearchParams | undefined): RangeWindow | null {
  const radius: unknown = params?.radius;
  const rangeFilter: unknown = params?.range_filter;
  if (radius === undefined) {
    if (rangeFilter !== undefined) throw invalidParameter(`search parameter range_filter=${show(rangeFilter)} needs radius: a range search takes radius, and optionally range_filter`);
    return null;
  }
  if (typeof radius !== 'number' || !Number.isFinite(radius)) throw invalidParameter(`search parameter radius=${show(radius)} is not a finite number`);
  if (rangeFilter !== undefined && (typeof rangeFilter !== 'number' || !Number.isFinite(rangeFilter))) {
    throw invalidParameter(`search parameter range_filter=${show(rangeFilter)} is not a finite number`);
  }
  const distance = smallerIsBetter(metric);
  if (typeof rangeFilter === 'number') {
    if (distance && !(rangeFilter < radius)) {
      throw invalidParameter(`range_filter=${rangeFilter} must be less than radius=${radius} for metric ${metric} (a distance: range_filter <= distance < radius)`);
    }
    if (!distance && !(rangeFilter > radius)) {
      throw invalidParameter(`range_filter=${rangeFilter} must be greater than radius=${radius} for metric ${metric} (a similarity: radius < score <= range_filter)`);
    }
  }
  const sign = distance ? 1 : -1;
  return { farKey: sign * radius, nearKey: typeof rangeFilter === 'number' ? sign * rangeFilter : -Infinity, sign };
}

/** True if heap key `key` (score × `window.sign`) lies inside `window`. */
export function keyInRange(window: RangeWindow, key: number): boolean {
  return key >= window.nearKey && key < window.farKey;
}
