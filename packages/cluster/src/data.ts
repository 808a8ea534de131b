import { invalidParameter, notSupported } from '@shoal/actors';
import { validateSearchParams } from '@shoal/ann';
import type { IndexSearchParams } from '@shoal/ann';
import { columnWidth, compileFilter, annsField, primaryField, rowsToBatch, toPrimaryKeys, writeBinaryVector } from '@shoal/shard';
import type { FieldSchema, PrimaryKey } from '@shoal/shard';
import { DEFAULT_PARTITION, indexOfField, metricOf, partitionByName } from './catalog.ts';
import type { CollectionMeta } from './catalog.ts';
import { guaranteeTs } from './consistency.ts';
import type { RouterContext } from './router-context.ts';
import type { ReadParams } from './shard-actor.ts';
import { partitionKeyField, partitionNamesRefused, pinnedPartitions, splitByPartitionKey } from './partition-key.ts';
import { shardOf, splitByShard } from './sharding.ts';
import type { QueryRequest, ReadOptions, Row, SearchHit, SearchRequest, WriteResult } from './service.ts';
import { resolveOutputFields, sortHits } from './results.ts';
import { searchGrouped } from './grouped-search.ts';

/** Milvus's cap on `limit + offset` (topk) and on the number of query vectors. */
export const MAX_TOPK = 16_384;
/** Milvus's cap on the number of query vectors per search. */
export const MAX_NQ = 16_384;

/**
 * `entities/insert` and `entities/upsert`: validates every row first (a bad batch writes nothing),
 * fills auto IDs, splits by shard (and, in a partition-key collection, by the partition of each
 * row's key value: partition-key.ts) and writes each part; resolves when every part is durable.
 * @throws ShoalError ParameterInvalid for a `partitionName` in a partition-key collection.
 */
export async function write(ctx: RouterContext, collection: string, rows: unknown[], partitionName: string | undefined, op: 'insert' | 'upsert'): Promise<WriteResult> {
  const meta = await ctx.collection(collection);
  const partitionKey = partitionKeyField(meta);
  if (partitionKey && partitionName) throw partitionNamesRefused(meta, partitionKey);
  const partitionId = partitionKey ? -1 : partitionByName(meta, partitionName ?? DEFAULT_PARTITION).id;
  const pk = primaryField(meta.schema);
  if (op === 'upsert' && pk.autoId) throw notSupported(`upsert into a collection whose primary key "${pk.name}" is autoId`);
  const batch = rowsToBatch(meta.schema, rows);
  if (pk.autoId) {
    const first = await ctx.coord<bigint>({ t: 'allocIds', count: batch.numRows });
    const ids = new BigInt64Array(batch.numRows);
    for (let i = 0; i < ids.length; i++) ids[i] = first + BigInt(i);
    batch.columns[pk.name] = ids;
  }
  checkDistinctKeys(batch.columns[pk.name] as ArrayLike<PrimaryKey>, pk.name);
  const parts = splitByShard(meta.schema, batch, pk.name, meta.shardsNum);
  const writes = [...parts].flatMap(([n, part]) => (partitionKey
    ? [...splitByPartitionKey(meta, partitionKey, part)].map(([id, rows]) => ({ n, batch: rows, partitionId: id }))
    : [{ n, batch: part, partitionId }]));
  const replies = await Promise.all(writes.map((w) => ctx.shards.ask<{ ts: bigint }>(meta, w.n, { t: 'write', op, batch: w.batch, partitionId: w.partitionId })));
  const ts = replies.reduce((m, r) => (r.ts > m ? r.ts : m), 0n);
  ctx.wrote(meta, ts);
  return { count: batch.numRows, ids: Array.from(batch.columns[pk.name] as ArrayLike<PrimaryKey>), timestamp: ts };
}

/**
 * `entities/delete` by primary keys or by filter (exactly one). A filter that pins the partition
 * key deletes only in the partitions its values hash to (partition-key.ts).
 */
export async function remove(ctx: RouterContext, collection: string, by: { ids?: unknown[]; filter?: string; filterParams?: Record<string, unknown> }, partitionName?: string): Promise<WriteResult> {
  const meta = await ctx.collection(collection);
  const partitionKey = partitionKeyField(meta);
  if (partitionKey && partitionName) throw partitionNamesRefused(meta, partitionKey);
  const partitions = partitionName ? [partitionByName(meta, partitionName).id] : undefined;
  const hasIds = by.ids !== undefined;
  const hasFilter = typeof by.filter === 'string' && by.filter.trim() !== '';
  if (hasIds === hasFilter) throw invalidParameter('delete needs exactly one of: a non-empty filter expression, or ids');
  const filterParams = checkFilterParams(by.filterParams);
  if (filterParams && !hasFilter) throw invalidParameter('filter template parameters (exprParams) need a filter; delete by ids takes none');
  let replies: { ts: bigint; count: number }[];
  if (hasFilter) {
    const bound = compileFilter(by.filter!, meta.schema, filterParams); // reject a bad filter before touching any shard
    const pinned = pinnedPartitions(meta, bound, undefined);
    replies = await ctx.shards.askAll(meta, { t: 'deleteWhere', filter: by.filter!, filterParams, partitions: pinned ?? partitions });
  } else {
    if (partitions) throw notSupported('delete by ids within a partition (give a filter instead)');
    const pks = toPrimaryKeys(primaryField(meta.schema), by.ids!);
    const byShard = new Map<number, PrimaryKey[]>();
    for (const k of pks) {
      const s = shardOf(k, meta.shardsNum);
      const keys = byShard.get(s);
      if (keys) keys.push(k);
      else byShard.set(s, [k]);
    }
    replies = await Promise.all([...byShard].map(([n, keys]) => ctx.shards.ask<{ ts: bigint; count: number }>(meta, n, { t: 'delete', pks: keys })));
  }
  const ts = replies.reduce((m, r) => (r.ts > m ? r.ts : m), 0n);
  ctx.wrote(meta, ts);
  return { count: replies.reduce((a, r) => a + r.count, 0), ids: [], timestamp: ts };
}

/** `entities/get`: rows by primary key (all fields unless `outputFields` says otherwise). */
export async function get(ctx: RouterContext, collection: string, ids: unknown[], opts: ReadOptions = {}): Promise<Row[]> {
  const meta = await ctx.loadedCollection(collection);
  const pks = toPrimaryKeys(primaryField(meta.schema), ids);
  if (pks.length === 0) return [];
  const outputFields = resolveOutputFields(meta.schema, opts.outputFields?.length ? opts.outputFields : ['*'], true);
  const read = await readParams(ctx, meta, opts, '', outputFields);
  read.ids = pks;
  const rows = await ctx.shards.askAll<Row[]>(meta, { t: 'query', read, offset: 0, limit: undefined });
  return rows.flat();
}

/** `entities/query`: rows matching a filter, or `count(*)`. */
export async function query(ctx: RouterContext, req: QueryRequest): Promise<Row[]> {
  const meta = await ctx.loadedCollection(req.collectionName);
  const filter = typeof req.filter === 'string' ? req.filter : '';
  if (req.filter !== undefined && typeof req.filter !== 'string') throw invalidParameter('filter must be a string (a Milvus boolean expression)');
  const requested = req.outputFields ?? [];
  if (requested.includes('count(*)')) {
    if (requested.length > 1) throw invalidParameter('count(*) cannot be combined with other output fields');
    const read = await readParams(ctx, meta, req, filter, [], req.filterParams);
    const counts = await ctx.shards.askAll<number>(meta, { t: 'count', read });
    return [{ 'count(*)': counts.reduce((a, b) => a + b, 0) }];
  }
  const offset = checkCount('offset', req.offset ?? 0, 0);
  const limit = req.limit === undefined ? undefined : checkCount('limit', req.limit, 1);
  if (filter.trim() === '' && limit === undefined) throw invalidParameter('a query with an empty filter needs a limit (Milvus rule); or give a filter');
  if (limit !== undefined && limit + offset > MAX_TOPK) throw invalidParameter(`limit + offset must be at most ${MAX_TOPK}, got ${limit + offset}`);
  const read = await readParams(ctx, meta, req, filter, resolveOutputFields(meta.schema, requested, true), req.filterParams);
  const parts = await ctx.shards.askAll<Row[]>(meta, { t: 'query', read, offset: 0, limit: limit === undefined ? undefined : limit + offset });
  const all = parts.flat();
  return all.slice(offset, limit === undefined ? undefined : offset + limit);
}

/**
 * `entities/search`: top-`limit` rows per query vector after skipping `offset`, best first (a
 * grouping search: see grouped-search.ts). `snapshotTs`: read exactly at this MVCC timestamp (the
 * search iterator's pages), else as the consistency level says.
 */
export async function search(ctx: RouterContext, req: SearchRequest, snapshotTs?: bigint): Promise<SearchHit[][]> {
  const meta = await ctx.loadedCollection(req.collectionName);
  const vf = annsField(meta.schema, req.annsField);
  const limit = checkCount('limit', req.limit, 1);
  const offset = checkCount('offset', req.offset ?? 0, 0);
  if (limit + offset > MAX_TOPK) throw invalidParameter(`limit + offset must be at most ${MAX_TOPK}, got ${limit + offset}`);
  const queries = queryVectors(req.data, vf);
  const nq = req.data.length;
  const metric = metricOf(meta, vf.name, req.searchParams?.metricType);
  const params = searchParams(meta, vf.name, limit + offset, req.searchParams?.params ?? {});
  const read = await readParams(ctx, meta, req, req.filter ?? '', resolveOutputFields(meta.schema, req.outputFields ?? [], false), req.filterParams);
  if (snapshotTs !== undefined) read.snapshotTs = snapshotTs;
  if (req.groupingField !== undefined) return searchGrouped(ctx, meta, req, { read, annsField: vf.name, queries, nq, metric, params, limit, offset });
  const parts = await ctx.shards.askAll<SearchHit[][]>(meta, { t: 'search', read, annsField: vf.name, queries, nq, topk: limit + offset, metric, params });
  return Array.from({ length: nq }, (_, q) => sortHits(metric, parts.flatMap((p) => p[q])).slice(offset, offset + limit));
}

/**
 * Rejects a batch that repeats a primary key before it is split by shard: each shard sees only
 * its part, so a repeat would otherwise fail one shard's part while the others are written.
 * @throws ShoalError ParameterInvalid naming the repeated key.
 */
function checkDistinctKeys(keys: ArrayLike<PrimaryKey>, pkName: string): void {
  const seen = new Set<PrimaryKey>();
  for (let i = 0; i < keys.length; i++) {
    if (seen.has(keys[i])) throw invalidParameter(`duplicate primary key ${String(keys[i])} in the batch (rows must have distinct "${pkName}")`);
    seen.add(keys[i]);
  }
}

/**
 * The shard-side parameters of a read: the filter (compiled here once with its template
 * parameters, so that a bad filter or a missing parameter fails before any shard is asked), the
 * partition ids (in a partition-key collection, those the filter's key values hash to), and the
 * timestamps of the read's consistency level.
 * @throws ShoalError ParameterInvalid for a bad filter, bad parameters, an unknown partition, or
 *   partition names in a partition-key collection.
 */
export async function readParams(ctx: RouterContext, meta: CollectionMeta, opts: ReadOptions, filter: string, outputFields: string[], rawParams?: unknown): Promise<ReadParams> {
  const filterParams = checkFilterParams(rawParams);
  const bound = compileFilter(filter, meta.schema, filterParams); // errors before fan-out
  // A filter that pins the partition key reads only the partitions its values hash to (partition-key.ts).
  const pinned = pinnedPartitions(meta, bound, opts.partitionNames);
  const partitions = pinned ?? (opts.partitionNames?.length ? opts.partitionNames.map((n) => partitionByName(meta, n).id) : undefined);
  const nowTs = await ctx.tso();
  const level = opts.consistencyLevel ?? meta.consistencyLevel;
  const read: ReadParams = { nowTs, guaranteeTs: guaranteeTs(level, nowTs, opts.sessionTs ?? ctx.sessionTs(meta)), partitions, filter, outputFields };
  if (filterParams) read.filterParams = filterParams;
  return read;
}

/**
 * Checks filter template parameters (Milvus "Filter Templating", `exprParams`): absent, or an
 * object of placeholder name → JSON value (Int64 values may be `bigint`). An empty object reads
 * as absent. @throws ShoalError ParameterInvalid for any other shape.
 */
function checkFilterParams(raw: unknown): Record<string, unknown> | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw invalidParameter(`filter template parameters (exprParams) must be an object of placeholder name → value, e.g. { "age": 30 }; got ${Array.isArray(raw) ? 'an array' : typeof raw}`);
  }
  return Object.keys(raw).length > 0 ? raw as Record<string, unknown> : undefined;
}

/**
 * The index search parameters of a search of vector field `fieldName` for top-`topk`: `ef` (HNSW),
 * `nprobe` (IVF types) and the range window `radius`/`range_filter` (every type; numbers or numeric
 * strings, as SDKs send them), validated against the field's index. @throws ShoalError ParameterInvalid.
 */
export function searchParams(meta: CollectionMeta, fieldName: string, topk: number, raw: Record<string, unknown>): IndexSearchParams {
  if (typeof raw !== 'object' || raw === null) throw invalidParameter('searchParams.params must be an object, e.g. { "ef": 64 }');
  const spec = indexOfField(meta, fieldName)!.spec;
  const params: IndexSearchParams = {};
  const num = (v: unknown) => (typeof v === 'string' ? Number(v) : (v as number));
  if (spec.type === 'HNSW' && raw.ef !== undefined) params.ef = num(raw.ef);
  if ((spec.type.startsWith('IVF_') || spec.type === 'BIN_IVF_FLAT') && raw.nprobe !== undefined) params.nprobe = num(raw.nprobe);
  // A string that is no number stays as given, so that the error names it.
  const bound = (v: unknown) => (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : v) as number;
  if (raw.radius !== undefined) params.radius = bound(raw.radius);
  if (raw.range_filter !== undefined) params.range_filter = bound(raw.range_filter);
  validateSearchParams(spec, topk, params);
  return params;
}

/**
 * The query vectors of a search on vector field `vf`, row-major: a `Float32Array` of `nq × dim`
 * for a FloatVector (each query an array of `dim` finite numbers), a `Uint8Array` of
 * `nq × dim / 8` for a BinaryVector (each query an array of `dim / 8` bytes or a base64 string, as
 * Milvus's REST API reads `[]byte`, see `writeBinaryVector`).
 * @throws ShoalError ParameterInvalid naming the bad query and what is allowed; OperationNotSupported
 *   for a text query on a FloatVector field (Milvus's full-text search).
 */
export function queryVectors(data: unknown, vf: FieldSchema): Float32Array | Uint8Array {
  if (!Array.isArray(data) || data.length === 0) throw invalidParameter('search data must be a non-empty array of vectors');
  if (data.length > MAX_NQ) throw invalidParameter(`at most ${MAX_NQ} query vectors per search, got ${data.length}`);
  if (vf.dataType === 'BinaryVector') {
    const bytes = columnWidth(vf);
    const out = new Uint8Array(data.length * bytes);
    data.forEach((v: unknown, q) => {
      const problem = writeBinaryVector(v, bytes, out, q * bytes);
      if (problem !== undefined) throw invalidParameter(`search data[${q}] for binary vector field "${vf.name}" ${problem}`);
    });
    return out;
  }
  const dim = vf.dim!;
  const out = new Float32Array(data.length * dim);
  data.forEach((v: unknown, q) => {
    if (typeof v === 'string') throw notSupported(`full-text search (search data[${q}] is text; "${vf.name}" is a FloatVector field)`);
    if (!(Array.isArray(v) || v instanceof Float32Array)) throw invalidParameter(`search data[${q}] must be an array of ${dim} numbers`);
    if (v.length !== dim) throw invalidParameter(`search data[${q}] has dimension ${v.length}; vector field "${vf.name}" has dimension ${dim}`);
    for (let d = 0; d < dim; d++) {
      const x = v[d];
      if (typeof x !== 'number' || !Number.isFinite(x)) throw invalidParameter(`search data[${q}][${d}] must be a finite number`);
      out[q * dim + d] = x;
    }
  });
  return out;
}

/** `v` as a count in [`min`, MAX_TOPK]. @throws ShoalError ParameterInvalid naming `name`. */
export function checkCount(name: string, v: unknown, min: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > MAX_TOPK) throw invalidParameter(`${name} must be an integer in [${min}, ${MAX_TOPK}], got ${JSON.stringify(v)}`);
  return v;
}
