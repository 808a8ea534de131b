import { invalidParameter, notSupported } from '@shoal/actors';
import { smallerIsBetter } from '@shoal/ann';
import type { MetricType } from '@shoal/ann';
import { comparePrimaryKeys } from '@shoal/shard';
import type { PrimaryKey } from '@shoal/shard';

/**
 * A hybrid search's reranker (Milvus docs, "Reranking", "RRF Ranker", "Weighted Ranker"):
 * `{ strategy: 'rrf', params: { k } }` (k in (0, 16384), default 60) or
 * `{ strategy: 'weighted', params: { weights, norm_score? } }` (one weight in [0, 1] per sub-request).
 */
export interface RerankInput {
  strategy: string;
  params?: Record<string, unknown>;
}

/** A validated reranker. */
export type Ranker =
  | { strategy: 'rrf'; k: number }
  | { strategy: 'weighted'; weights: number[]; normScore: boolean };

/** Default RRF `k` (Milvus `defaultRRFParamsValue`). */
export const DEFAULT_RRF_K = 60;
/** RRF `k` must be below this (Milvus `maxRRFParamsValue`). */
export const MAX_RRF_K = 16_384;

/**
 * Validates a reranker for `subRequests` sub-requests; absent = RRF with k 60 (as Milvus).
 * Numbers may come as numeric strings (SDKs send them so); `norm_score` as a boolean or "true"/"false".
 * @throws ShoalError ParameterInvalid for an unknown strategy, k outside (0, 16384), weights that are
 *   not an array of numbers in [0, 1], or not one weight per sub-request; OperationNotSupported for
 *   `weights` on the rrf ranker (Milvus 2.6's weighted RRF).
 */
export function parseRanker(input: RerankInput | undefined, subRequests: number): Ranker {
  if (input === undefined) return { strategy: 'rrf', k: DEFAULT_RRF_K };
  if (typeof input !== 'object' || input === null) throw invalidParameter('rerank must be an object { strategy: "rrf" | "weighted", params }');
  const params = input.params ?? {};
  if (typeof params !== 'object' || params === null || Array.isArray(params)) throw invalidParameter('rerank.params must be an object, e.g. { "k": 60 } or { "weights": [0.5, 0.5] }');
  const strategy = typeof input.strategy === 'string' ? input.strategy.toLowerCase() : input.strategy;
  if (strategy === 'rrf') {
    if (params.weights !== undefined) throw notSupported('weights for the rrf ranker (weighted reciprocal ranks)');
    const k = params.k === undefined ? DEFAULT_RRF_K : num(params.k);
    if (!Number.isFinite(k) || k <= 0 || k >= MAX_RRF_K) throw invalidParameter(`rerank.params.k of the rrf ranker must be a number in (0, ${MAX_RRF_K}), got ${JSON.stringify(params.k)}`);
    return { strategy: 'rrf', k };
  }
  if (strategy === 'weighted') {
    const raw = params.weights;
    if (!Array.isArray(raw)) throw invalidParameter(`rerank.params.weights of the weighted ranker must be an array of numbers in [0, 1], one per search request; got ${JSON.stringify(raw)}`);
    const weights = raw.map((w, i) => {
      const v = num(w);
      if (!Number.isFinite(v) || v < 0 || v > 1) throw invalidParameter(`rerank.params.weights[${i}] must be a number in [0, 1], got ${JSON.stringify(w)}`);
      return v;
    });
    if (weights.length !== subRequests) {
      throw invalidParameter(`the weighted ranker needs one weight per search request: ${subRequests} search requests, ${weights.length} weights`);
    }
    const norm = params.norm_score;
    if (norm !== undefined && typeof norm !== 'boolean' && norm !== 'true' && norm !== 'false') {
      throw invalidParameter(`rerank.params.norm_score must be true or false, got ${JSON.stringify(norm)}`);
    }
    return { strategy: 'weighted', weights, normScore: norm === true || norm === 'true' };
  }
  throw invalidParameter(`rerank.strategy ${JSON.stringify(input.strategy)} is not supported; allowed: rrf, weighted`);
}

function num(v: unknown): number {
  return typeof v === 'string' && v.trim() !== '' ? Number(v) : typeof v === 'number' ? v : NaN;
}

/**
 * Milvus's score normalization for the weighted ranker (`getNormalizeFunc` in
 * internal/util/function/rerank/util.go): with `normScore`, COSINE → (1 + s) / 2, IP →
 * 1/2 + atan(s)/π, distances (L2, HAMMING, JACCARD) → 1 − 2·atan(d)/π, all in [0, 1] with larger
 * better. Without it, scores stay as they are, except that when similarity and distance metrics
 * are mixed (`mixed`) distances are turned larger-is-better by 1 − 2·atan(d)/π.
 */
export function normalizeScore(metric: MetricType, score: number, normScore: boolean, mixed: boolean): number {
  if (!normScore) return mixed && smallerIsBetter(metric) ? 1 - (2 * Math.atan(score)) / Math.PI : score;
  if (metric === 'COSINE') return (1 + score) / 2;
  if (metric === 'IP') return 0.5 + Math.atan(score) / Math.PI;
  return 1 - (2 * Math.atan(score)) / Math.PI;
}

/** One hit of a sub-search: its primary key and score (Milvus `distance`). */
export interface ScoredKey {
  id: PrimaryKey;
  distance: number;
}

/**
 * Fuses the ranked hit lists of one query vector's sub-searches (`lists[i]` best first, searched
 * under `metrics[i]`) into fused scores, best first, ties by ascending primary key (Milvus
 * `newIDScores`). RRF: score(id) = Σ_i 1 / (k + rank_i(id)), rank from 1, over the lists holding
 * id; larger is better. Weighted: score(id) = Σ_i w_i · normalizeScore(score_i(id)); larger is
 * better with `normScore` or when any metric is a similarity, else (every metric a distance, no
 * normalization) smaller is better — Milvus's order.
 * @returns every id of any list with its fused score, in order.
 */
export function fuse(ranker: Ranker, lists: readonly (readonly ScoredKey[])[], metrics: readonly MetricType[]): ScoredKey[] {
  const scores = new Map<PrimaryKey, number>();
  const add = (id: PrimaryKey, s: number) => scores.set(id, (scores.get(id) ?? 0) + s);
  let descending = true;
  if (ranker.strategy === 'rrf') {
    lists.forEach((hits) => hits.forEach((h, rank) => add(h.id, 1 / (ranker.k + rank + 1))));
  } else {
    const distances = metrics.filter((m) => smallerIsBetter(m)).length;
    const mixed = distances > 0 && distances < metrics.length;
    descending = ranker.normScore || distances < metrics.length;
    lists.forEach((hits, i) => hits.forEach((h) => add(h.id, ranker.weights[i] * normalizeScore(metrics[i], h.distance, ranker.normScore, mixed))));
  }
  const out = [...scores].map(([id, distance]) => ({ id, distance }));
  return out.sort((a, b) => (a.distance !== b.distance ? (descending ? b.distance - a.distance : a.distance - b.distance) : comparePrimaryKeys(a.id, b.id)));
}
