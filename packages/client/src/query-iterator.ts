/**
 * Parameters of the query iterator and of filter templates in `@shoal/client` (docs/api.md, "Query
 * iterator" and "Filter templates").
 */
import type { ReadParams } from './types.ts';

/**
 * Filter template parameters (Milvus "Filter Templating"): a filter such as `age > {min}` with
 * `exprParams: { min: 30 }`. Values are JSON values; Int64 values beyond 2^53 as `bigint` (sent
 * as exact JSON integers).
 */
export interface FilterTemplate {
  exprParams?: Record<string, unknown>;
}

/**
 * `queryIterator` parameters: rows matching `filter` in ONE snapshot (fixed by the first page), in
 * ascending primary-key order, `batchSize` rows per page (1..16,384, default 1000), at most
 * `limit` rows in all (default: all). The consistency level does not apply: the snapshot is always
 * a fresh timestamp.
 */
export interface QueryIteratorParams extends Omit<ReadParams, 'consistencyLevel'>, FilterTemplate {
  /** Milvus boolean expression; `''` or absent: every entity. */
  filter?: string;
  batchSize?: number;
  limit?: number;
}
