/**
 * `POST /v2/vectordb/entities/hybrid_search` with the shapes of Milvus's handler_v2.go
 * `hybridSearch` (`HybridSearchReq`).
 *
 * Request: `collectionName`; `search`: a list of ANN requests, each `{ data, annsField, filter,
 * exprParams?, limit, offset?, metricType?, params? }` — `params` holds the search parameters
 * (`ef`, `nprobe`, `radius`, `range_filter`; a nested `params` object is read too), and a
 * `searchParams` `{ metricType, params }` as in `entities/search` is accepted as well; `rerank`:
 * `{ strategy: "rrf", params: { k } }` or `{ strategy: "weighted", params: { weights, norm_score } }`
 * (absent: RRF, k = 60); `limit` (default 100), `offset`, `outputFields`, `partitionNames`,
 * `consistencyLevel`. `groupingField` is refused (not supported yet).
 *
 * Response: as `entities/search` — every query vector's fused hits in one flat list with `topks`;
 * each hit's `distance` is its fused score.
 */
import type { AnnSubRequest, HybridSearchRequest, RerankInput, SearchRequest } from '@shoal/cluster';
import type { BodyReader } from './body.ts';
import { readConsistency } from './consistency.ts';
import { DEFAULT_LIMIT, readFilterParams } from './entities.ts';
import { numericParams, parseMetric } from './index-params.ts';
import type { RouteTable } from './route.ts';
import { readSearchParams, readVectors, searchAnswer } from './search.ts';

/**
 * Maps a hybrid search body to a `HybridSearchRequest`. Throws 1802 for a missing
 * `collectionName`, `search` or sub-request `data`; 1801 for wrong JSON types; 1100 for a limit
 * below 1 or a negative offset (the router checks the rest).
 */
function readHybridSearch(body: BodyReader): HybridSearchRequest {
  const collectionName = body.requireString('collectionName');
  if (!body.has('search')) throw body.missing('search');
  const search = (body.optArray('search') as unknown[]).map((v, i) => readSub(body.element('search', i, v)));
  const req: HybridSearchRequest = { collectionName, search, limit: body.optInt32('limit') ?? DEFAULT_LIMIT };
  if (req.limit < 1) throw body.invalid('limit', req.limit, 'limit (fused hits per query) must be ≥ 1');
  const offset = body.optInt32('offset') ?? 0;
  if (offset < 0) throw body.invalid('offset', offset, 'offset must be ≥ 0');
  if (offset > 0) req.offset = offset;
  const rerank = body.optObject('rerank');
  if (rerank) req.rerank = rerank.obj as unknown as RerankInput;
  const groupingField = body.optString('groupingField');
  if (groupingField) req.groupingField = groupingField;
  const outputFields = body.optStringArray('outputFields');
  if (outputFields && outputFields.length > 0) req.outputFields = outputFields;
  const partitionNames = body.optStringArray('partitionNames');
  if (partitionNames && partitionNames.length > 0) req.partitionNames = partitionNames;
  const consistencyLevel = readConsistency(body, 'consistencyLevel');
  if (consistencyLevel) req.consistencyLevel = consistencyLevel;
  return req;
}

/** One ANN request of `search` (see the file comment). */
function readSub(sub: BodyReader): AnnSubRequest {
  const out: AnnSubRequest = { data: readVectors(sub), limit: sub.optInt32('limit') ?? DEFAULT_LIMIT };
  const annsField = sub.optString('annsField');
  if (annsField) out.annsField = annsField;
  const filter = sub.optString('filter');
  if (filter) out.filter = filter;
  const filterParams = readFilterParams(sub);
  if (filterParams) out.filterParams = filterParams;
  const offset = sub.optInt32('offset');
  if (offset !== undefined && offset !== 0) out.offset = offset;
  const searchParams: NonNullable<SearchRequest['searchParams']> = { ...readSearchParams(sub) };
  const metric = sub.optString('metricType');
  if (metric) searchParams.metricType = parseMetric(sub, 'metricType', metric);
  const params = sub.optObject('params');
  if (params) {
    const nested = params.optObject('params');
    const { params: _nested, ...flat } = params.obj;
    searchParams.params = { ...searchParams.params, ...numericParams(flat), ...(nested ? numericParams(nested.obj) : {}) };
  }
  if (searchParams.metricType !== undefined || searchParams.params !== undefined) out.searchParams = searchParams;
  return out;
}

/** Handler for `/entities/hybrid_search`. */
export const hybridSearchRoutes: RouteTable = {
  '/entities/hybrid_search': async (body, { service, allowInt64 }) => searchAnswer(await service.hybridSearch(readHybridSearch(body)), allowInt64),
};
