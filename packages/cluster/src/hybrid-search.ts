/**
 * Hybrid search (Milvus docs, "Multi-Vector Hybrid Search"; REST v2 `entities/hybrid_search`):
 * several ANN searches — on different vector fields, or several on one — each with its own query
 * vectors, filter, limit and search parameters, fused per query vector by a reranker (`rerank.ts`:
 * RRF or weighted) into one list of `limit` hits after `offset`, whose `distance` is the fused score.
 *
 * Every sub-search reads one MVCC snapshot: the TSO timestamp taken when the request starts, read
 * once every write at or below it is serviceable (so a hybrid search sees all writes acknowledged
 * before it, whatever the consistency level). Each sub-search is an ordinary search (`data.search`)
 * at that snapshot, so filters, range search, partitions and output fields behave as in `search`.
 */
import { invalidParameter, notSupported } from '@shoal/actors';
import { annsField } from '@shoal/shard';
import type { MetricType } from '@shoal/ann';
import { metricOf } from './catalog.ts';
import { MAX_TOPK, checkCount, search } from './data.ts';
import { fuse, parseRanker } from './rerank.ts';
import type { RerankInput } from './rerank.ts';
import type { RouterContext } from './router-context.ts';
import type { ReadOptions, SearchHit, SearchRequest } from './service.ts';

/** Most ANN sub-requests of one hybrid search (Shoal's cap; several may search one vector field). */
export const MAX_SUB_REQUESTS = 16;

/** One ANN sub-request of a hybrid search (Milvus REST `search[i]`). */
export interface AnnSubRequest {
  /** Query vectors (`nq`, the same in every sub-request), as `SearchRequest.data`. */
  data: SearchRequest['data'];
  /** The vector field to search; may be left out only in a single-vector collection. */
  annsField?: string;
  filter?: string;
  filterParams?: SearchRequest['filterParams'];
  /** Hits this sub-search contributes per query vector (its top-k), 1..16,384. */
  limit: number;
  /** Hits of this sub-search skipped before fusion. */
  offset?: number;
  /** `{ metricType?, params?: { ef?, nprobe?, radius?, range_filter? } }`, as in search. */
  searchParams?: SearchRequest['searchParams'];
}

/** `entities/hybrid_search`. */
export interface HybridSearchRequest extends ReadOptions {
  collectionName: string;
  /** 1..{@link MAX_SUB_REQUESTS} sub-requests. */
  search: AnnSubRequest[];
  /** Absent: RRF with k = 60 (as Milvus). */
  rerank?: RerankInput;
  /** Fused hits per query vector, 1..16,384 (with `offset`). */
  limit: number;
  offset?: number;
  /** Refused (not supported yet) when given. */
  groupingField?: string;
}

/**
 * Runs a hybrid search (see the module comment).
 * @returns per query vector, the fused hits best first (`distance` = fused score; for a weighted
 *   ranker over distance metrics only without `norm_score`, smaller first, as Milvus).
 * @throws ShoalError ParameterInvalid for no or too many sub-requests, sub-requests with different
 *   numbers of query vectors, a bad limit/offset or reranker (see `parseRanker`), and whatever a
 *   sub-search throws (unknown or missing `annsField`, bad vectors or filter, …);
 *   OperationNotSupported for `groupingField`; CollectionNotLoaded.
 */
export async function hybridSearch(ctx: RouterContext, req: HybridSearchRequest): Promise<SearchHit[][]> {
  if (req.groupingField !== undefined) throw notSupported('grouping (groupingField) in a hybrid search');
  const subs = req.search;
  if (!Array.isArray(subs) || subs.length === 0) throw invalidParameter('hybrid search needs a non-empty `search` list of ANN requests');
  if (subs.length > MAX_SUB_REQUESTS) throw invalidParameter(`hybrid search takes at most ${MAX_SUB_REQUESTS} ANN requests, got ${subs.length}`);
  const limit = checkCount('limit', req.limit, 1);
  const offset = checkCount('offset', req.offset ?? 0, 0);
  if (limit + offset > MAX_TOPK) throw invalidParameter(`limit + offset must be at most ${MAX_TOPK}, got ${limit + offset}`);
  const ranker = parseRanker(req.rerank, subs.length);
  const nq = subs[0]?.data?.length;
  subs.forEach((s, i) => {
    if (!s || typeof s !== 'object') throw invalidParameter(`search[${i}] must be an object { data, annsField, limit, … }`);
    if (!Array.isArray(s.data) || s.data.length !== nq) {
      throw invalidParameter(`every ANN request of a hybrid search needs the same number of query vectors: search[0] has ${nq}, search[${i}] has ${Array.isArray(s.data) ? s.data.length : 'none'}`);
    }
  });
  const meta = await ctx.loadedCollection(req.collectionName);
  const metrics: MetricType[] = subs.map((s) => metricOf(meta, annsField(meta.schema, s.annsField).name, s.searchParams?.metricType));
  const snapshotTs = await ctx.tso();
  const { search: _s, rerank: _r, limit: _l, offset: _o, groupingField: _g, ...common } = req;
  const results = await Promise.all(subs.map((s) => search(ctx, { ...common, ...s, collectionName: req.collectionName }, snapshotTs)));
  return Array.from({ length: nq }, (_, q) => {
    const byId = new Map(results.flatMap((r) => r[q].map((h) => [h.id, h] as const)));
    return fuse(ranker, results.map((r) => r[q]), metrics).slice(offset, offset + limit).map((f) => ({ id: f.id, distance: f.distance, fields: byId.get(f.id)!.fields }));
  });
}
