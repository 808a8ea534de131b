import { ErrorCode, ShoalError, invalidParameter } from '@shoal/actors';
import { buildSchema, validateName } from '@shoal/shard';
import type { CollectionSchema } from '@shoal/shard';
import { DEFAULT_PARTITION_KEY_PARTITIONS, partitionKeyPartitionNames } from './partition-key.ts';
import { DEFAULT_PARTITION, checkAllIndexed, partitionByName, vectorIndexesOf } from './catalog.ts';
import type { CollectionMeta, IndexMeta } from './catalog.ts';
import { CONSISTENCY_LEVELS } from './consistency.ts';
import { checkIndexReplace, checkScalarIndexAdd, scalarIndexSpecs, splitIndexParams } from './index-params.ts';
import { scalarIndexesOf } from './catalog.ts';
import type { ScalarIndexMeta } from './catalog.ts';
import type { RouterContext } from './router-context.ts';
import type {
  CollectionDescription, CollectionMemory, CollectionStats, CreateCollectionRequest, IndexDescription, IndexParamInput, LoadState, SegmentMemoryStats,
} from './service.ts';
import type { ShardStats } from './shard-actor.ts';
import { CATALOG_LIMITS } from './catalog.ts';

/**
 * `collections/create`: validates the schema, shards and indexes first (nothing is created on
 * bad input), then creates the collection, starts its shards, and sets its index and load state.
 */
export async function createCollection(ctx: RouterContext, req: CreateCollectionRequest): Promise<void> {
  const schema = buildSchema(req.collectionName, req.description ?? '', req.fields, req.enableDynamicField === true);
  const shardsNum = req.shardsNum ?? 1;
  if (!Number.isInteger(shardsNum) || shardsNum < 1 || shardsNum > CATALOG_LIMITS.maxShards) {
    throw invalidParameter(`shardsNum must be an integer in [1, ${CATALOG_LIMITS.maxShards}], got ${JSON.stringify(req.shardsNum)}`);
  }
  const level = req.consistencyLevel ?? 'Bounded';
  if (!CONSISTENCY_LEVELS.includes(level)) throw invalidParameter(`consistencyLevel ${JSON.stringify(level)} is not valid; allowed: ${CONSISTENCY_LEVELS.join(', ')}`);
  const partitionNames = partitionKeyPartitions(schema, req.numPartitions);
  const draft: CollectionMeta = {
    id: 0, name: schema.name, description: schema.description, schema, shardsNum, partitions: [],
    loaded: false, consistencyLevel: level, createdTimeMs: ctx.system.env.clock.nowMs(),
  };
  const { vector: indexes, scalar } = splitIndexParams(draft, req.indexParams ?? []);
  const load = req.load ?? indexes.length > 0;
  const { id: _id, partitions: _p, ...meta } = { ...draft, vectorIndexes: indexes, scalarIndexes: scalar, loaded: load };
  if (load && indexes.length === 0) throw new ShoalError(ErrorCode.IndexNotFound, `cannot load collection "${schema.name}" without an index: give indexParams or load later`);
  if (load) checkAllIndexed({ ...draft, vectorIndexes: indexes });
  const created = (await ctx.command({ op: 'createCollection', meta, ...(partitionNames ? { partitionNames } : {}) }))!;
  ctx.shards.ensure(created);
}

/** `collections/describe`. */
export async function describeCollection(ctx: RouterContext, name: string): Promise<CollectionDescription> {
  const meta = await ctx.collection(name);
  const stats = await ctx.shards.askAll<ShardStats>(meta, { t: 'stats' });
  return {
    collectionName: meta.name, collectionId: BigInt(meta.id), description: meta.description, schema: meta.schema,
    shardsNum: meta.shardsNum, partitions: meta.partitions.map((p) => ({ partitionName: p.name, partitionId: BigInt(p.id) })),
    indexes: [...vectorIndexesOf(meta).map((i) => indexDescription(i, stats)), ...scalarIndexesOf(meta).map((i) => scalarIndexDescription(i, stats))], loadState: loadState(meta, stats),
    consistencyLevel: meta.consistencyLevel, createdTimeMs: meta.createdTimeMs,
  };
}

/** `collections/drop`: removes the metadata, then the shards' logs and objects. */
export async function dropCollection(ctx: RouterContext, name: string): Promise<void> {
  const meta = await ctx.collection(name);
  await ctx.command({ op: 'dropCollection', name: meta.name });
  await ctx.shards.remove(meta);
}

/**
 * `collections/load`: marks the collection loaded (searches and queries are served) and loads its
 * segment indexes in the background; `getLoadState` reports `LoadStateLoading` until they are in.
 * @throws ShoalError IndexNotFound if a vector field has no index (as Milvus), naming the fields.
 */
export async function loadCollection(ctx: RouterContext, name: string): Promise<void> {
  const meta = await ctx.collection(name);
  checkAllIndexed(meta);
  if (!meta.loaded) await ctx.command({ op: 'setLoaded', collection: meta.name, loaded: true });
  await ctx.shards.askAll(meta, { t: 'setLoaded', loaded: true });
}

/** `collections/release`: stops serving reads and drops the segment indexes from memory. */
export async function releaseCollection(ctx: RouterContext, name: string): Promise<void> {
  const meta = await ctx.collection(name);
  if (meta.loaded) await ctx.command({ op: 'setLoaded', collection: meta.name, loaded: false });
  await ctx.shards.askAll(meta, { t: 'setLoaded', loaded: false });
}

/** `collections/get_load_state`. */
export async function getLoadState(ctx: RouterContext, name: string): Promise<{ loadState: LoadState; loadProgress: number }> {
  const meta = await ctx.collection(name);
  const stats = await ctx.shards.askAll<ShardStats>(meta, { t: 'stats' });
  const state = loadState(meta, stats);
  const { loadedRows, totalRows } = sumStats(stats);
  const progress = state === 'LoadStateLoaded' ? 100 : state === 'LoadStateLoading' ? Math.floor((100 * loadedRows) / Math.max(1, totalRows)) : 0;
  return { loadState: state, loadProgress: progress };
}

/** `collections/get_stats`: live rows, and the memory of every segment and loaded index (see {@link CollectionStats}). */
export async function getCollectionStats(ctx: RouterContext, name: string): Promise<CollectionStats> {
  const meta = await ctx.collection(name);
  const stats = await ctx.shards.askAll<ShardStats>(meta, { t: 'stats', memory: true });
  return { rowCount: sumStats(stats).rowCount, memory: collectionMemory(meta, stats) };
}

/** Sums the shards' segment memory (`stats[n]` is shard n's reply), naming partitions by the catalog. */
function collectionMemory(meta: CollectionMeta, stats: ShardStats[]): CollectionMemory {
  const names = new Map(meta.partitions.map((p) => [p.id, p.name]));
  const segments = stats.flatMap((s, shard) => (s.memory ?? []).map(({ segmentId, partitionIds, ...rest }): SegmentMemoryStats => ({
    segmentId, shard, ...rest, partitions: partitionIds.flatMap((id) => names.get(id) ?? []),
  })));
  const rawBytes = segments.reduce((a, s) => a + s.rawBytes, 0);
  const indexBytes = segments.reduce((a, s) => a + s.indexBytes, 0);
  const rawVectorBytes = segments.reduce((a, s) => a + s.rawVectorBytes, 0);
  const scalarIndexBytes = segments.reduce((a, s) => a + s.scalarIndexBytes, 0);
  return { totalBytes: rawBytes + indexBytes + scalarIndexBytes, rawBytes, rawVectorBytes, indexBytes, scalarIndexBytes, segments };
}

/** `collections/flush`: seals growing segments and persists them (then indexes build in the background). */
export async function flush(ctx: RouterContext, name: string): Promise<void> {
  await ctx.shards.askAll(await ctx.collection(name), { t: 'flush' });
}

/**
 * The partitions of a new collection with a partition-key field: `numPartitions` (default 16, at
 * most the catalog's partition limit) named `_default_0` …; `undefined` without a partition key.
 * @throws ShoalError ParameterInvalid for a bad count, or a count without a partition key.
 */
function partitionKeyPartitions(schema: CollectionSchema, numPartitions: number | undefined): string[] | undefined {
  if (!schema.fields.some((f) => f.isPartitionKey)) {
    if (numPartitions !== undefined) throw invalidParameter('numPartitions (partitionsNum) applies only to a collection with a partition-key field');
    return undefined;
  }
  const n = numPartitions ?? DEFAULT_PARTITION_KEY_PARTITIONS;
  if (!Number.isInteger(n) || n < 1 || n > CATALOG_LIMITS.maxPartitions) throw invalidParameter(`numPartitions must be an integer in [1, ${CATALOG_LIMITS.maxPartitions}], got ${JSON.stringify(numPartitions)}`);
  return partitionKeyPartitionNames(n);
}

/**
 * Refuses to create or drop partitions of a partition-key collection (as Milvus): its partitions
 * are fixed at creation. @throws ShoalError ParameterInvalid.
 */
function refusePartitionKey(meta: CollectionMeta, what: string): void {
  const key = meta.schema.fields.find((f) => f.isPartitionKey);
  if (key) throw invalidParameter(`collection "${meta.name}" has the partition key "${key.name}": its partitions are fixed at creation and cannot be ${what}`);
}

/** `partitions/create`. */
export async function createPartition(ctx: RouterContext, collection: string, partition: string): Promise<void> {
  validateName('partition', partition);
  const meta = await ctx.collection(collection);
  refusePartitionKey(meta, 'created');
  await ctx.command({ op: 'createPartition', collection: meta.name, partition });
}

/** `partitions/drop`: deletes the partition's rows, then its metadata. Milvus requires it released; Shoal drops it loaded or not. */
export async function dropPartition(ctx: RouterContext, collection: string, partition: string): Promise<void> {
  const meta = await ctx.collection(collection);
  refusePartitionKey(meta, 'dropped');
  if (partition === DEFAULT_PARTITION) throw invalidParameter('the default partition "_default" cannot be dropped');
  const p = partitionByName(meta, partition);
  await ctx.shards.askAll(meta, { t: 'dropPartition', partitionId: p.id });
  await ctx.command({ op: 'dropPartition', collection: meta.name, partition });
}

/**
 * `indexes/create`: vector indexes (one per vector field) and/or scalar indexes (one per scalar
 * field); every entry is validated before any is created; builds run in the background on sealed
 * segments.
 */
export async function createIndex(ctx: RouterContext, collection: string, params: IndexParamInput[]): Promise<void> {
  const meta = await ctx.collection(collection);
  if (!Array.isArray(params) || params.length === 0) throw invalidParameter(`indexParams must hold at least one index, got ${Array.isArray(params) ? 0 : typeof params}`);
  const { vector, scalar } = splitIndexParams(meta, params);
  const vectorNew = vector.filter((v) => !checkIndexReplace(meta, v));
  const scalarNew = scalar.filter((s) => !checkScalarIndexAdd(meta, s));
  for (const index of vectorNew) {
    await ctx.command({ op: 'setIndex', collection: meta.name, index });
    await ctx.shards.askAll(meta, { t: 'setIndex', fieldName: index.fieldName, spec: index.spec });
  }
  if (scalarNew.length === 0) return;
  for (const s of scalarNew) await ctx.command({ op: 'createScalarIndex', collection: meta.name, index: s });
  const updated = await ctx.collection(collection);
  await ctx.shards.askAll(updated, { t: 'setScalarIndexes', specs: scalarIndexSpecs(updated) });
}

/** `indexes/list`: the vector indexes' names, then the scalar indexes' names. */
export async function listIndexes(ctx: RouterContext, collection: string): Promise<string[]> {
  const meta = await ctx.collection(collection);
  return [...vectorIndexesOf(meta).map((i) => i.indexName), ...scalarIndexesOf(meta).map((i) => i.indexName)];
}

/**
 * `indexes/describe`: the index called `indexName` (empty: the first vector index, as single-vector
 * clients ask). @throws ShoalError IndexNotFound.
 */
export async function describeIndex(ctx: RouterContext, collection: string, indexName: string): Promise<IndexDescription> {
  const meta = await ctx.collection(collection);
  const scalar = scalarIndexesOf(meta).find((i) => i.indexName === indexName);
  if (scalar) return scalarIndexDescription(scalar, await ctx.shards.askAll<ShardStats>(meta, { t: 'stats' }));
  const vector = indexName ? vectorIndexesOf(meta).find((i) => i.indexName === indexName) : vectorIndexesOf(meta)[0];
  if (!vector) throw new ShoalError(ErrorCode.IndexNotFound, `index not found[collection=${meta.name}][index=${indexName}]`);
  return indexDescription(vector, await ctx.shards.askAll<ShardStats>(meta, { t: 'stats' }));
}

/** `indexes/drop`: Milvus requires the collection released first; so does Shoal. */
export async function dropIndex(ctx: RouterContext, collection: string, indexName: string): Promise<void> {
  const meta = await ctx.collection(collection);
  if (scalarIndexesOf(meta).some((i) => i.indexName === indexName)) {
    await ctx.command({ op: 'dropScalarIndex', collection: meta.name, indexName });
    const updated = await ctx.collection(collection);
    await ctx.shards.askAll(updated, { t: 'setScalarIndexes', specs: scalarIndexSpecs(updated) });
    return;
  }
  const vector = vectorIndexesOf(meta).find((i) => i.indexName === indexName);
  if (!vector) throw new ShoalError(ErrorCode.IndexNotFound, `index not found[collection=${meta.name}][index=${indexName}]`);
  if (meta.loaded) throw invalidParameter(`index cannot be dropped while collection "${meta.name}" is loaded; release it first`);
  await ctx.command({ op: 'setIndex', collection: meta.name, index: null, fieldName: vector.fieldName });
  await ctx.shards.askAll(meta, { t: 'setIndex', fieldName: vector.fieldName, spec: null });
}

function sumStats(stats: ShardStats[]): ShardStats {
  return stats.reduce((a, s) => ({
    rowCount: a.rowCount + s.rowCount, indexedRows: a.indexedRows + s.indexedRows, loadedRows: a.loadedRows + s.loadedRows,
    totalRows: a.totalRows + s.totalRows, failReason: a.failReason || s.failReason,
  }), { rowCount: 0, indexedRows: 0, loadedRows: 0, totalRows: 0, failReason: '' });
}

function loadState(meta: CollectionMeta, stats: ShardStats[]): LoadState {
  if (!meta.loaded) return 'LoadStateNotLoad';
  const s = sumStats(stats);
  return s.loadedRows < s.totalRows ? 'LoadStateLoading' : 'LoadStateLoaded';
}

/** A scalar index's description: its build progress summed over the shards' sealed segments (Milvus reports no metric for scalar indexes). */
function scalarIndexDescription(idx: ScalarIndexMeta, stats: ShardStats[]): IndexDescription {
  let indexedRows = 0;
  let totalRows = 0;
  let failReason = '';
  for (const s of stats) {
    const p = s.scalarIndexes?.find((x) => x.fieldName === idx.fieldName && x.type === idx.indexType);
    totalRows += p ? p.totalRows : s.totalRows;
    indexedRows += p?.indexedRows ?? 0;
    failReason ||= p?.failReason ?? '';
  }
  const pending = totalRows - indexedRows;
  return {
    indexName: idx.indexName, fieldName: idx.fieldName, indexType: idx.indexType, metricType: '', params: {},
    indexState: failReason && pending > 0 ? 'Failed' : pending > 0 ? 'InProgress' : 'Finished',
    indexedRows, totalRows, pendingIndexRows: pending, failReason,
  };
}

/** A vector index's description: its field's build progress summed over the shards' sealed segments. */
function indexDescription(idx: IndexMeta, stats: ShardStats[]): IndexDescription {
  const s = sumStats(stats.map((st) => ({ ...st, ...st.vectorIndexes?.find((p) => p.fieldName === idx.fieldName) })));
  const pending = s.totalRows - s.indexedRows;
  return {
    indexName: idx.indexName, fieldName: idx.fieldName, indexType: idx.spec.type, metricType: idx.spec.metric,
    params: { ...idx.spec.params }, indexState: s.failReason && pending > 0 ? 'Failed' : pending > 0 ? 'InProgress' : 'Finished',
    indexedRows: s.indexedRows, totalRows: s.totalRows, pendingIndexRows: pending, failReason: s.failReason,
  };
}
