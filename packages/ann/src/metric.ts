/**
 * Order of a metric's scores (Milvus conventions): distance metrics — `L2` (squared Euclidean),
 * `HAMMING` and `JACCARD` — are better when smaller; similarity metrics — `IP` and `COSINE` — when
 * larger. Every place that sorts, merges or compares scores asks this module, so a new metric is
 * classified once.
 */
import type { MetricType } from './types.ts';

/** True if smaller scores of `metric` are better (a distance); false for similarities (IP, COSINE). */
export function smallerIsBetter(metric: MetricType): boolean {
  return metric !== 'IP' && metric !== 'COSINE';
}

/** True if score `a` is strictly better than score `b` under `metric`. */
export function betterScore(metric: MetricType, a: number, b: number): boolean {
  return smallerIsBetter(metric) ? a < b : a > b;
}
