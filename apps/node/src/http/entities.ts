/**
 * `/v2/vectordb/entities/{insert,upsert,delete,get,query}` with the shapes of Milvus's
 * handler_v2.go (`insert`, `upsert`, `delete`, `get`, `query`); search is in search.ts.
 *
 * Results carry `cost: 0` as Milvus does when no cost accounting is configured. Int64 values in
 * results follow `Accept-Type-Allow-Int64` (see wire.ts).
 */
import type { FilterParams, QueryIteratorRequest, ReadOptions, Row } from '@shoal/cluster';
import type { PrimaryKey } from '@shoal/shard';
import { ErrorCode, ShoalError } from '@shoal/actors';
import type { BodyReader } from './body.ts';
import { readConsistency } from './consistency.ts';
import { ok, type RouteTable } from './route.ts';
import { wireRow, wireValue } from './wire.ts';

/** Milvus's default `outputFields` of `get` and `query` (`DefaultOutputFields`): all fields. */
const ALL_FIELDS = ['*'];
/** Milvus's default `limit` of `query` and `search` (QueryReqV2/SearchReqV2 defaults). */
export const DEFAULT_LIMIT = 100;

/**
 * Reads `data` of insert/upsert: a non-empty array of JSON objects. Throws 1802 when absent, 1801
 * when not an array, 1804 (InvalidInsertData, as Milvus's `checkAndSetData`) when empty or when an
 * element is not an object.
 */
function readRows(body: BodyReader): Row[] {
  if (!body.has('data')) throw body.missing('data');
  const data = body.optArray('data') as unknown[];
  if (data.length === 0) {
    throw new ShoalError(ErrorCode.InvalidInsertData, `fail to deal with insert data: \`data\` is an empty array (in ${body.where})`);
  }
  data.forEach((row, i) => {
    if (row === null || typeof row !== 'object' || Array.isArray(row)) {
      throw new ShoalError(ErrorCode.InvalidInsertData,
        `fail to deal with insert data: \`data[${i}]\` must be a JSON object (one entity), got ${Array.isArray(row) ? 'array' : typeof row} (in ${body.where})`);
    }
  });
  return data as Row[];
}

/**
 * Reads the values of a filter's template placeholders (Milvus "Filter Templating"): `exprParams`
 * (the Milvus REST v2 name) or `filterParams` (the name of Milvus's SDKs), an object of placeholder
 * name → JSON value. Values stay as parsed: integers beyond 2^53 are exact `bigint`s (wire.ts).
 * Returns `undefined` when absent or empty. Throws 1801 when not an object, 1100 when both names
 * carry values.
 */
export function readFilterParams(body: BodyReader): FilterParams | undefined {
  const expr = body.optObject('exprParams');
  const filter = body.optObject('filterParams');
  const nonEmpty = (r: BodyReader | undefined) => (r && Object.keys(r.obj).length > 0 ? r.obj : undefined);
  const a = nonEmpty(expr);
  const b = nonEmpty(filter);
  if (a && b) throw body.invalid('filterParams', b, 'give the template parameters once: in `exprParams` or in `filterParams`, not both');
  return a ?? b;
}

/**
 * Reads the primary keys of `get` (`id`: one key or an array). Integers become `bigint` (Int64
 * keys), strings stay strings (VarChar keys, or decimal Int64 keys that the router converts).
 * Throws 1802 when absent and 1100 for values that cannot be a primary key.
 */
function readIds(body: BodyReader): PrimaryKey[] {
  if (!body.has('id')) throw body.missing('id');
  const raw = body.raw('id');
  const list = Array.isArray(raw) ? raw : [raw];
  return list.map((v, i): PrimaryKey => {
    if (typeof v === 'bigint' || typeof v === 'string') return v;
    if (typeof v === 'number' && Number.isSafeInteger(v)) return BigInt(v);
    throw body.invalid(Array.isArray(raw) ? `id[${i}]` : 'id', v, 'a primary key is an integer (Int64) or a string (VarChar)');
  });
}

/** Read options shared by get and query: partitions (`partitionNames` and/or `partitionName`), consistency. */
export function readReadOptions(body: BodyReader, defaultOutput: string[] | undefined): ReadOptions {
  const opts: ReadOptions = {};
  const partitions = [...(body.optStringArray('partitionNames') ?? [])];
  const single = body.optString('partitionName');
  if (single) partitions.push(single);
  if (partitions.length > 0) opts.partitionNames = partitions;
  const consistencyLevel = readConsistency(body, 'consistencyLevel');
  if (consistencyLevel) opts.consistencyLevel = consistencyLevel;
  const outputFields = body.optStringArray('outputFields');
  const output = outputFields && outputFields.length > 0 ? outputFields : defaultOutput;
  if (output) opts.outputFields = output;
  return opts;
}

/**
 * Reads one page request of the query iterator (a Shoal extension of `entities/query`, see
 * docs/api.md): `iterator: true` and/or `cursor` (the previous page's `nextCursor`), `batchSize`
 * (rows per page, default 1000), `limit` (most rows over the whole iteration, default none),
 * `filter`, `exprParams`/`filterParams`, `outputFields`, `partitionNames`. Throws 1801 for wrong
 * types, 1100 for `offset` (an iterator pages by cursor) or a non-positive `batchSize`/`limit`.
 */
function readIteratorPage(body: BodyReader, collectionName: string): QueryIteratorRequest {
  if ((body.optInt32('offset') ?? 0) !== 0) throw body.invalid('offset', body.raw('offset'), 'a query iterator pages with `cursor`; `offset` is not allowed with `iterator`');
  const { partitionNames, outputFields } = readReadOptions(body, ALL_FIELDS);
  const req: QueryIteratorRequest = { collectionName, filter: body.optString('filter') ?? '' };
  if (partitionNames) req.partitionNames = partitionNames;
  if (outputFields) req.outputFields = outputFields;
  const filterParams = readFilterParams(body);
  if (filterParams) req.filterParams = filterParams;
  const batchSize = body.optInt32('batchSize');
  if (batchSize !== undefined) {
    if (batchSize < 1) throw body.invalid('batchSize', batchSize, 'batchSize (rows per page) must be ≥ 1');
    req.batchSize = batchSize;
  }
  const limit = body.optInt32('limit');
  if (limit !== undefined && limit !== -1) {
    if (limit < 1) throw body.invalid('limit', limit, 'limit of a query iterator (most rows in all) must be ≥ 1, or -1 / absent for no limit');
    req.limit = limit;
  }
  const cursor = body.optString('cursor');
  if (cursor) req.cursor = cursor;
  return req;
}

/** True for Milvus's count rule: `outputFields` is exactly `["count(*)"]` (task_query.go `matchCountRule`). */
function isCount(outputFields: string[] | undefined): boolean {
  return outputFields?.length === 1 && outputFields[0].trim().toLowerCase() === 'count(*)';
}

/** Handlers for `/entities/<action>` except search. */
export const entityRoutes: RouteTable = {
  '/entities/insert': async (body, { service, allowInt64 }) => {
    const name = body.requireString('collectionName');
    const rows = readRows(body);
    const r = await service.insert(name, rows, body.optString('partitionName') || undefined);
    return ok({ insertCount: r.count, insertIds: r.ids.map((id) => wireValue(id, allowInt64)) }, { cost: 0 });
  },
  '/entities/upsert': async (body, { service, allowInt64 }) => {
    const name = body.requireString('collectionName');
    const rows = readRows(body);
    const r = await service.upsert(name, rows, body.optString('partitionName') || undefined);
    return ok({ upsertCount: r.count, upsertIds: r.ids.map((id) => wireValue(id, allowInt64)) }, { cost: 0 });
  },
  '/entities/delete': async (body, { service }) => {
    const name = body.requireString('collectionName');
    const filter = body.requireString('filter');
    const filterParams = readFilterParams(body);
    const r = await service.delete(name, { filter, ...(filterParams ? { filterParams } : {}) }, body.optString('partitionName') || undefined);
    return ok({ deleteCount: r.count }, { cost: 0 });
  },
  '/entities/get': async (body, { service, allowInt64 }) => {
    const name = body.requireString('collectionName');
    const ids = readIds(body);
    const rows = await service.get(name, ids, readReadOptions(body, ALL_FIELDS));
    return ok(rows.map((r) => wireRow(r, allowInt64)), { cost: 0 });
  },
  '/entities/query': async (body, { service, allowInt64 }) => {
    const collectionName = body.requireString('collectionName');
    if (body.optBool('iterator') === true || body.has('cursor')) {
      const page = await service.queryIterator(readIteratorPage(body, collectionName));
      return ok(page.rows.map((r) => wireRow(r, allowInt64)), { cost: 0, ...(page.cursor ? { nextCursor: page.cursor } : {}) });
    }
    const filterParams = readFilterParams(body);
    const opts = readReadOptions(body, ALL_FIELDS);
    const limit = body.optInt32('limit') ?? DEFAULT_LIMIT;
    const offset = body.optInt32('offset') ?? 0;
    if (limit < 0) throw body.invalid('limit', limit, 'limit must be ≥ 0 (0 = no limit)');
    if (offset < 0) throw body.invalid('offset', offset, 'offset must be ≥ 0');
    const rows = await service.query({
      collectionName,
      filter: body.optString('filter') ?? '',
      ...(filterParams ? { filterParams } : {}),
      ...opts,
      ...(limit > 0 && !isCount(opts.outputFields) ? { limit } : {}),
      ...(offset > 0 ? { offset } : {}),
    });
    return ok(rows.map((r) => wireRow(r, allowInt64)), { cost: 0 });
  },
};
