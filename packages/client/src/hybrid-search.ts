/**
 * Hybrid search parameters of `@shoal/client` (docs/api.md, "Hybrid search"; Milvus REST v2
 * `entities/hybrid_search`).
 */
import type { MetricType, ReadParams } from './types.ts';

/** One ANN request of a hybrid search: query vectors on one vector field, with its own filter and top-k. */
export interface AnnRequest {
  /** Query vectors; every ANN request of one hybrid search has the same number of them. */
  data: (number[] | Float32Array | Uint8Array | string)[];
  /** The vector field to search (may be left out only in a single-vector collection). */
  annsField?: string;
  filter?: string;
  /** Values of the filter's `{name}` placeholders. */
  exprParams?: Record<string, unknown>;
  /** Hits this request contributes per query vector (default 100). */
  limit?: number;
  offset?: number;
  metricType?: MetricType;
  /** Search parameters: `ef`, `nprobe`, `radius`, `range_filter`. */
  params?: Record<string, unknown>;
}

/**
 * How the ANN requests' hits are fused: reciprocal rank fusion (score = Σ 1 / (k + rank), k in
 * (0, 16384), default 60) or a weighted sum of scores (one weight in [0, 1] per ANN request;
 * `norm_score` maps each metric's scores into [0, 1] first).
 */
export type Reranker =
  | { strategy: 'rrf'; params?: { k?: number } }
  | { strategy: 'weighted'; params: { weights: number[]; norm_score?: boolean } };

/** `hybridSearch` parameters. */
export interface HybridSearchParams extends ReadParams {
  search: AnnRequest[];
  /** Default: RRF with k = 60. */
  rerank?: Reranker;
  /** Fused hits per query vector (default 100). */
  limit?: number;
  offset?: number;
}
