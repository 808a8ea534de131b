/**
 * `POST /v2/vectordb/entities/search` with the shapes of Milvus's handler_v2.go `search`.
 *
 * Request: `collectionName`, `data` (query vectors: `number[][]`; for a BinaryVector field arrays of
 * `dim / 8` bytes or base64 strings), `annsField`, `filter`, `limit`
 * (default 100), `offset`, `outputFields`, `searchParams` {`metricType`, `params` {`ef`, `radius`,
 * `range_filter`, …}}, `partitionNames`, `consistencyLevel`; for a grouping search `groupingField`,
 * `groupSize`, `strictGroupSize` (`limit` then counts groups; hits come group after group, each
 * with its group value under the grouping field's name). With `iterator: true` or a `cursor` the
 * body asks for one page of a search iterator (a Shoal extension, docs/api.md): `batchSize`,
 * `limit` (hits over the whole iteration), `cursor`; the answer's `data` is the page's hits and
 * `nextCursor` the next page's cursor (absent after the last page).
 *
 * Response: the hits of all query vectors in ONE flat list, query after query, with `topks[q]`
 * = the number of hits of query `q` (Milvus's `buildQueryResp` + `HTTPReturnTopks`). Each hit is
 * `{ ...outputFields, id: <primary key>, distance: <float32 score> }` (a BinaryVector output field
 * is a base64 string, as in Milvus); the key is literally `id`
 * whatever the primary field is called (Milvus's `DefaultPrimaryFieldName`). When no query has a
 * hit the answer is `{ code: 0, data: [], cost: 0 }` without `topks`, as in Milvus.
 */
import type { SearchHit, SearchIteratorRequest, SearchRequest } from '@shoal/cluster';
import { notSupported } from '@shoal/actors';
import { decodeBase64 } from '@shoal/shard';
import type { BodyReader } from './body.ts';
import { readConsistency } from './consistency.ts';
import { DEFAULT_LIMIT, readFilterParams } from './entities.ts';
import { numericParams, parseMetric } from './index-params.ts';
import { ok, type RouteTable } from './route.ts';
import { float32Shortest, wireRow, wireValue } from './wire.ts';

/**
 * Reads `data`: a non-empty array of query vectors, each a non-empty array of finite numbers (a
 * FloatVector query, or the bytes of a BinaryVector query) or a standard base64 string (a
 * BinaryVector query: Milvus's `serializeByteVectors` reads each into a Go `[]byte`, which takes
 * either form). The router checks them against the searched vector field. Throws 1802 when
 * absent, 1801 for any other shape (Milvus: IncorrectParameterFormat from
 * `generatePlaceholderGroup`), 3000 for other strings (text queries of Milvus's BM25 full-text search).
 */
export function readVectors(body: BodyReader): (number[] | string)[] {
  if (!body.has('data')) throw body.missing('data');
  const data = body.optArray('data') as unknown[];
  if (data.length === 0) throw body.wrongType('data', 'a non-empty array of vectors', data);
  return data.map((v, i) => {
    if (typeof v === 'string') {
      if (decodeBase64(v) === null) throw notSupported('full-text search (text queries in `data`)');
      return v;
    }
    if (!Array.isArray(v) || v.length === 0 || v.some((x) => typeof x !== 'number' || !Number.isFinite(x))) {
      throw body.wrongType(`data[${i}]`, 'a vector: a non-empty array of finite numbers, or a base64 string of a binary vector', v);
    }
    return v as number[];
  });
}

/** Reads `searchParams` into Shoal's `{ metricType?, params? }`; 3000 for `ignoreGrowing: true`. */
export function readSearchParams(body: BodyReader): SearchRequest['searchParams'] {
  const sp = body.optObject('searchParams');
  if (!sp) return undefined;
  if (sp.optBool('ignoreGrowing') === true) throw notSupported('searchParams.ignoreGrowing');
  const out: NonNullable<SearchRequest['searchParams']> = {};
  const metric = sp.optString('metricType');
  if (metric) out.metricType = parseMetric(sp, 'metricType', metric);
  const params = sp.optObject('params');
  if (params) out.params = numericParams(params.obj);
  return out;
}

/** Maps a search body to a `SearchRequest`; throws 1802/1801/1100/3000 (see body.ts). */
function readSearch(body: BodyReader): SearchRequest {
  const req: SearchRequest = { ...readSearchBase(body), limit: body.optInt32('limit') ?? DEFAULT_LIMIT };
  readGrouping(body, req);
  if (req.limit < 1) throw body.invalid('limit', req.limit, 'limit (top-k) must be ≥ 1');
  const offset = body.optInt32('offset') ?? 0;
  if (offset < 0) throw body.invalid('offset', offset, 'offset must be ≥ 0');
  if (offset > 0) req.offset = offset;
  const consistencyLevel = readConsistency(body, 'consistencyLevel');
  if (consistencyLevel) req.consistencyLevel = consistencyLevel;
  return req;
}

/** The parts of a search body that a search and a search iterator page share (all but limit, offset, grouping and consistency). */
function readSearchBase(body: BodyReader): SearchIteratorRequest {
  const collectionName = body.requireString('collectionName');
  if (body.has('ids')) throw notSupported('search by primary keys (ids)');
  const req: SearchIteratorRequest = { collectionName, data: readVectors(body) };
  const annsField = body.optString('annsField');
  if (annsField) req.annsField = annsField;
  const filter = body.optString('filter');
  if (filter) req.filter = filter;
  const filterParams = readFilterParams(body);
  if (filterParams) req.filterParams = filterParams;
  const outputFields = body.optStringArray('outputFields');
  if (outputFields && outputFields.length > 0) req.outputFields = outputFields;
  const partitionNames = body.optStringArray('partitionNames');
  if (partitionNames && partitionNames.length > 0) req.partitionNames = partitionNames;
  const searchParams = readSearchParams(body);
  if (searchParams) req.searchParams = searchParams;
  return req;
}

/**
 * Reads a grouping search's `groupingField` (a scalar field name), `groupSize` (hits per group,
 * ≥ 1) and `strictGroupSize` (boolean) into `req` (Milvus's SearchReqV2 names; the router checks
 * the field). Throws 1801 for wrong types, 1100 for `groupSize` < 1, or other than 1 without
 * `groupingField`.
 */
function readGrouping(body: BodyReader, req: SearchRequest): void {
  const field = body.optString('groupingField');
  const groupSize = body.optInt32('groupSize');
  const strict = body.optBool('strictGroupSize');
  if (!field) {
    if (groupSize !== undefined && groupSize !== 1) throw body.invalid('groupSize', groupSize, 'groupSize needs groupingField (it counts hits per group)');
    return;
  }
  req.groupingField = field;
  if (groupSize !== undefined) {
    if (groupSize < 1) throw body.invalid('groupSize', groupSize, 'groupSize (hits per group) must be ≥ 1');
    req.groupSize = groupSize;
  }
  if (strict !== undefined) req.strictGroupSize = strict;
}

/**
 * Reads one page request of the search iterator (a Shoal extension, see docs/api.md, "Search
 * iterator"): the search body of one query vector with `iterator: true` and/or `cursor` (the
 * previous page's `nextCursor`), `batchSize` (hits per page, default 1000) and `limit` (most hits
 * over the whole iteration, default none; -1 = none). Throws 1801 for wrong types, 1100 for
 * `offset`, grouping, or a non-positive `batchSize`/`limit`.
 */
function readIteratorPage(body: BodyReader): SearchIteratorRequest {
  if ((body.optInt32('offset') ?? 0) !== 0) throw body.invalid('offset', body.raw('offset'), 'a search iterator pages with `cursor`; `offset` is not allowed with `iterator`');
  if (body.optString('groupingField')) throw body.invalid('groupingField', body.raw('groupingField'), 'a search iterator pages through single hits; grouping is not allowed with `iterator`');
  const req = readSearchBase(body);
  const limit = body.optInt32('limit');
  const batchSize = body.optInt32('batchSize');
  if (batchSize !== undefined) {
    if (batchSize < 1) throw body.invalid('batchSize', batchSize, 'batchSize (hits per page) must be ≥ 1');
    req.batchSize = batchSize;
  }
  if (limit !== undefined && limit !== -1) {
    if (limit < 1) throw body.invalid('limit', limit, 'limit of a search iterator (most hits in all) must be ≥ 1, or -1 / absent for no limit');
    req.limit = limit;
  }
  const cursor = body.optString('cursor');
  if (cursor) req.cursor = cursor;
  return req;
}

/** Handler for `/entities/search`; a body with `iterator: true` or a `cursor` is a search iterator page. */
export const searchRoutes: RouteTable = {
  '/entities/search': async (body, { service, allowInt64 }) => {
    const wire = wireHit(allowInt64);
    if (body.optBool('iterator') === true || body.has('cursor')) {
      const page = await service.searchIterator(readIteratorPage(body));
      return ok(page.hits.map(wire), { cost: 0, ...(page.cursor ? { nextCursor: page.cursor } : {}) });
    }
    return searchAnswer(await service.search(readSearch(body)), allowInt64);
  },
};

/** A hit on the wire: `{ ...outputFields, id, distance }` (see the file comment). */
function wireHit(allowInt64: boolean): (h: SearchHit) => Record<string, unknown> {
  return (h) => ({ ...wireRow(h.fields, allowInt64), id: wireValue(h.id, allowInt64), distance: float32Shortest(h.distance) });
}

/** The answer of a search (or hybrid search): every query's hits in one flat list with `topks` (see the file comment). */
export function searchAnswer(perQuery: SearchHit[][], allowInt64: boolean): Record<string, unknown> {
  const topks = perQuery.map((hits) => hits.length);
  if (topks.every((k) => k === 0)) return ok([], { cost: 0 });
  return ok(perQuery.flatMap((hits) => hits.map(wireHit(allowInt64))), { cost: 0, topks });
}
