/**
 * `ShoalService`: what a node offers to its API layers (REST v2, later gRPC) and to embedders.
 * Every method is implemented by the router actor, which forwards metadata operations to the
 * coordinator and data operations to shard actors (DESIGN.md, "Actors").
 *
 * Names and semantics follow the Milvus RESTful API v2. Every method rejects with a
 * `ShoalError` (`@shoal/actors`) carrying a Milvus error code on bad input or missing objects.
 *
 * Values: Int64 fields are `bigint` in results; in requests they may be `number` (safe integer),
 * `bigint` or a decimal `string`. FloatVector values are `number[]` of length `dim` (or
 * `Float32Array`) in requests and `Float32Array` in results. BinaryVector values (`dim` in bits)
 * are `dim / 8` bytes: in requests a `number[]` of integers in [0, 255], a `Uint8Array` or a
 * base64 string (what Milvus's REST API accepts), in results a `Uint8Array`. VarChar is `string`,
 * JSON any JSON value, Bool `boolean`.
 */
import type { CollectionSchema, FieldInput, PrimaryKey, ScalarIndexType, SegmentMemory } from '@shoal/shard';
import type { MetricType, IndexType } from '@shoal/ann';
import type { HybridSearchRequest } from './hybrid-search.ts';

/** Milvus consistency levels (DESIGN.md, "Timestamps and consistency"). */
export type ConsistencyLevel = 'Strong' | 'Bounded' | 'Session' | 'Eventually';

/** A primary key in a request: as {@link PrimaryKey}, or an Int64 key as a safe-integer `number`. */
export type PrimaryKeyInput = PrimaryKey | number;

/** A row as given by or returned to a client: field name → value. */
export type Row = Record<string, unknown>;

/** A field definition in a create request (no field id yet); see `@shoal/shard`. */
export type { FieldInput };

/** Index parameters as in Milvus `indexParams` (`AUTOINDEX` = Shoal's choice, see docs/api.md). */
export interface IndexParamInput {
  fieldName: string;
  indexName?: string;
  /** Default: COSINE for a FloatVector field, HAMMING for a BinaryVector field (as Milvus). */
  metricType?: MetricType;
  /** A vector index type, or a scalar index type for a scalar field (AUTOINDEX: HNSW / BIN_IVF_FLAT / INVERTED). */
  indexType?: IndexType | ScalarIndexType | 'AUTOINDEX';
  /** Build parameters, e.g. `{ M: 16, efConstruction: 200 }`. */
  params?: Record<string, unknown>;
}

/** `collections/create`. With `load` (default true when indexes are given) the collection is loaded. */
export interface CreateCollectionRequest {
  collectionName: string;
  description?: string;
  fields: FieldInput[];
  enableDynamicField?: boolean;
  indexParams?: IndexParamInput[];
  /** Number of shards (Milvus `shardsNum`), 1..16, default 1. */
  shardsNum?: number;
  /** Partitions created with the collection, for a partition-key collection (default 16 then). */
  numPartitions?: number;
  consistencyLevel?: ConsistencyLevel;
  load?: boolean;
}

/** Load state names as in Milvus. */
export type LoadState = 'LoadStateNotExist' | 'LoadStateNotLoad' | 'LoadStateLoading' | 'LoadStateLoaded';

/** Description of an index (Milvus `indexes/describe`). */
export interface IndexDescription {
  indexName: string;
  fieldName: string;
  indexType: IndexType | ScalarIndexType;
  /** The vector index's metric; '' for a scalar index (as Milvus). */
  metricType: MetricType | '';
  params: Record<string, unknown>;
  /** 'Finished' | 'InProgress' | 'Failed' | 'None' (Milvus `IndexState` names). */
  indexState: 'Finished' | 'InProgress' | 'Failed' | 'None';
  indexedRows: number;
  totalRows: number;
  pendingIndexRows: number;
  failReason: string;
}

/** Description of a collection (Milvus `collections/describe`). */
export interface CollectionDescription {
  collectionName: string;
  collectionId: bigint;
  description: string;
  schema: CollectionSchema;
  shardsNum: number;
  partitions: { partitionName: string; partitionId: bigint }[];
  indexes: IndexDescription[];
  loadState: LoadState;
  consistencyLevel: ConsistencyLevel;
  /** Creation time, ms since epoch. */
  createdTimeMs: number;
}

/**
 * Memory of one segment in `collections/get_stats` (bytes): `SegmentMemory` of `@shoal/shard`
 * with the shard number and partition names instead of ids.
 */
export type SegmentMemoryStats = Omit<SegmentMemory, 'partitionIds'> & {
  /** Shard number (0-based) that holds the segment. */
  shard: number;
  /** Names of the partitions with rows in the segment (partitions dropped since are left out). */
  partitions: string[];
};

/** Memory a collection holds on this node, in bytes: sums over its segments, and each segment. */
export interface CollectionMemory {
  /** `rawBytes + indexBytes + scalarIndexBytes`. */
  totalBytes: number;
  /** Row data of every segment, growing and sealed (see `SegmentMemory.rawBytes`). */
  rawBytes: number;
  /** The vector columns' part of `rawBytes`. */
  rawVectorBytes: number;
  /** `memoryBytes()` of the ANN indexes loaded in memory. */
  indexBytes: number;
  /** `memoryBytes()` of the scalar indexes of the sealed segments. */
  scalarIndexBytes: number;
  /** Segments with rows, by shard, oldest first (each shard's growing segment last). */
  segments: SegmentMemoryStats[];
}

/** `collections/get_stats`: Milvus's live row count, and Shoal's memory report. */
export interface CollectionStats {
  /** Live (not deleted) rows. */
  rowCount: number;
  memory: CollectionMemory;
}

/** Result of a write: counts, primary keys written, and the write's hybrid timestamp (Session consistency). */
export interface WriteResult {
  count: number;
  ids: PrimaryKey[];
  timestamp: bigint;
}

/** Options shared by reads. */
export interface ReadOptions {
  partitionNames?: string[];
  consistencyLevel?: ConsistencyLevel;
  /** For `Session`: the client's last write timestamp. */
  sessionTs?: bigint;
  outputFields?: string[];
}

/** `entities/search`. */
export interface SearchRequest extends ReadOptions {
  collectionName: string;
  /**
   * Query vectors (`nq` of them), of the collection's vector type: FloatVector `number[]` or
   * `Float32Array` of `dim`; BinaryVector `number[]` of `dim / 8` bytes, `Uint8Array` or base64.
   */
  data: (number[] | Float32Array | Uint8Array | string)[];
  annsField?: string;
  filter?: string;
  /** Values of the filter's template placeholders `{name}` (Milvus `exprParams`; see {@link FilterParams}). */
  filterParams?: FilterParams;
  /** top-k, 1..16,384. */
  limit: number;
  offset?: number;
  /** Milvus `searchParams`: `{ metricType?, params?: { ef?, radius?, range_filter? } }`. */
  searchParams?: { metricType?: MetricType; params?: Record<string, unknown> };
  /**
   * Grouping search (Milvus "Grouping Search"): group hits by this scalar field (Bool, Int8–Int64
   * or VarChar); `limit` (and `offset`) then count groups, and each hit's `fields` carry its group value.
   */
  groupingField?: string;
  /** Hits per group of a grouping search, ≥ 1 (default 1); `(limit + offset) × groupSize` ≤ 16,384. */
  groupSize?: number;
  /**
   * Milvus `strictGroupSize`: true fills every group up to `groupSize` when the rows exist (exact
   * for exact segment searches); false (default, best effort) may leave groups short, cheaper.
   */
  strictGroupSize?: boolean;
}

/**
 * One page of a search iterator (a Shoal extension; see docs/api.md, "Search iterator"): one query
 * vector's hits in order of distance, `batchSize` at a time, every hit once, all pages in the
 * snapshot fixed by the first page. Without `cursor` it starts an iteration; with the previous
 * page's `cursor` it continues after that page's last hit.
 */
export interface SearchIteratorRequest extends Omit<SearchRequest, 'limit' | 'offset' | 'groupingField' | 'groupSize' | 'strictGroupSize' | 'consistencyLevel' | 'sessionTs'> {
  /** Hits per page, 1..16,384 (default {@link DEFAULT_ITERATOR_BATCH}). */
  batchSize?: number;
  /** Most hits over the whole iteration (default: no limit); only read from the first page's request. */
  limit?: number;
  /** The previous page's `cursor`, absent on the first page. */
  cursor?: string;
}

/** A page of a search iterator: its hits (best first) and the cursor of the next page, absent after the last. */
export interface SearchPage {
  hits: SearchHit[];
  cursor?: string;
}

/** One search hit: the primary key, the score (Milvus's `distance`) and the requested output fields. */
export interface SearchHit {
  id: PrimaryKey;
  distance: number;
  fields: Row;
}

/**
 * Values of filter template placeholders (Milvus "Filter Templating": `age > {min}` with
 * `exprParams: { min: 30 }`): placeholder name → a JSON value (number, `bigint` for Int64 beyond
 * 2^53, string, boolean, or a list of them). Checked against the filter when it is compiled; a
 * placeholder without a value is ParameterInvalid.
 */
export type FilterParams = Record<string, unknown>;

/** `entities/query`. A filter of `''` matches all rows (then `limit` is required, as in Milvus). */
export interface QueryRequest extends ReadOptions {
  collectionName: string;
  filter: string;
  filterParams?: FilterParams;
  limit?: number;
  offset?: number;
}

/**
 * One page of a query iterator (a Shoal extension; see docs/api.md, "Query iterator"). Without
 * `cursor` it starts an iteration: it fixes the snapshot (a fresh timestamp) and returns the
 * first `batchSize` matching rows in ascending primary-key order. With the `cursor` of the previous
 * page it continues after that page's last key, in the same snapshot: every matching row of the
 * snapshot is returned exactly once over the iteration, and no row written after it.
 */
export interface QueryIteratorRequest extends Omit<ReadOptions, 'consistencyLevel' | 'sessionTs'> {
  collectionName: string;
  /** Milvus filter expression (`''` or absent: every row). */
  filter?: string;
  filterParams?: FilterParams;
  /** Rows per page, 1..16,384 (default {@link DEFAULT_ITERATOR_BATCH}). */
  batchSize?: number;
  /** Most rows over the whole iteration (default: no limit); only read from the first page's request. */
  limit?: number;
  /** The previous page's `cursor`, absent on the first page. */
  cursor?: string;
}

/** Default `batchSize` of a query iterator (pymilvus's default batch size). */
export const DEFAULT_ITERATOR_BATCH = 1000;

/** A page of a query iterator: its rows (ascending primary keys) and the cursor of the next page, absent after the last. */
export interface QueryPage {
  rows: Row[];
  cursor?: string;
}

/** The node's API. See the file comment for conventions and errors. */
export interface ShoalService {
  /** Creates a collection (and its index and load state). Errors: 105 bad schema, 1100 bad parameter or existing name, 3000 unsupported feature. */
  createCollection(req: CreateCollectionRequest): Promise<void>;
  /** Schema, partitions, index and load state. Errors: 100 unknown collection. */
  describeCollection(collectionName: string): Promise<CollectionDescription>;
  /** Names of all collections, in creation order. */
  listCollections(): Promise<string[]>;
  /** True if the collection exists. */
  hasCollection(collectionName: string): Promise<boolean>;
  /** Drops a collection with its data, logs and objects. Errors: 100. */
  dropCollection(collectionName: string): Promise<void>;
  /** Serves reads and loads segment indexes into memory. Errors: 100, 700 no index. */
  loadCollection(collectionName: string): Promise<void>;
  /** Stops serving reads and drops indexes from memory; writes still work. Errors: 100. */
  releaseCollection(collectionName: string): Promise<void>;
  /** Load state and progress in percent of sealed rows whose index is in memory. Errors: 100. */
  getLoadState(collectionName: string): Promise<{ loadState: LoadState; loadProgress: number }>;
  /** Number of live rows, and the memory of the collection's segments and indexes. Errors: 100. */
  getCollectionStats(collectionName: string): Promise<CollectionStats>;
  /** Seals the growing segments and persists them to the object store. */
  flush(collectionName: string): Promise<void>;

  /** Creates a partition. Errors: 100, 1100 bad or existing name, or over 1024 partitions. */
  createPartition(collectionName: string, partitionName: string): Promise<void>;
  /** Partition names, `_default` first. Errors: 100. */
  listPartitions(collectionName: string): Promise<string[]>;
  /** True if the partition exists. Errors: 100. */
  hasPartition(collectionName: string, partitionName: string): Promise<boolean>;
  /** Deletes the partition's rows, then the partition. Errors: 100, 200, 1100 for `_default`. */
  dropPartition(collectionName: string, partitionName: string): Promise<void>;

  /** Creates indexes: at most one per field, vector or scalar (built in the background). Errors: 100, 702 a different index exists on the field, 1100 bad parameter, 3000 unsupported type. */
  createIndex(collectionName: string, indexParams: IndexParamInput[]): Promise<void>;
  /** Index parameters and build progress. Errors: 100, 700. */
  describeIndex(collectionName: string, indexName: string): Promise<IndexDescription>;
  /** Index names: the vector indexes in creation order, then the scalar ones. Errors: 100. */
  listIndexes(collectionName: string): Promise<string[]>;
  /** Drops the index (the collection must be released). Errors: 100, 700, 1100 while loaded. */
  dropIndex(collectionName: string, indexName: string): Promise<void>;

  /** Inserts rows, resolved once durable. Errors: 100, 200, 1100 bad row or existing primary key (nothing written). */
  insert(collectionName: string, rows: Row[], partitionName?: string): Promise<WriteResult>;
  /** Inserts rows, replacing rows with the same primary key, resolved once durable. Errors: as insert. */
  upsert(collectionName: string, rows: Row[], partitionName?: string): Promise<WriteResult>;
  /** Deletes by primary keys (`ids`) or by `filter` (exactly one of them). */
  delete(collectionName: string, by: { ids?: PrimaryKeyInput[]; filter?: string; filterParams?: FilterParams }, partitionName?: string): Promise<WriteResult>;
  /** Rows by primary key (missing keys are skipped). Errors: 100, 101 not loaded, 1100 bad key. */
  get(collectionName: string, ids: PrimaryKeyInput[], opts?: ReadOptions): Promise<Row[]>;
  /** Rows matching the filter; `outputFields: ['count(*)']` returns `[{ 'count(*)': n }]`. */
  query(req: QueryRequest): Promise<Row[]>;
  /**
   * One page of a query iterator (see {@link QueryIteratorRequest}). Errors: 100, 101, 1100 bad
   * filter, parameters or cursor (malformed, of another collection, or from a snapshot that cannot be served).
   */
  queryIterator(req: QueryIteratorRequest): Promise<QueryPage>;
  /** Per query vector, its hits best first; for a grouping search, group after group. */
  search(req: SearchRequest): Promise<SearchHit[][]>;
  /**
   * Hybrid search (see `hybrid-search.ts`): per query vector, the reranked fusion of several ANN
   * searches, `distance` = fused score. Errors: as search; 1100 bad reranker, mismatched query counts.
   */
  hybridSearch(req: HybridSearchRequest): Promise<SearchHit[][]>;
  /**
   * One page of a search iterator (see {@link SearchIteratorRequest}). Errors: as search, and 1100
   * for more than one query vector or a bad cursor (malformed, or of another collection).
   */
  searchIterator(req: SearchIteratorRequest): Promise<SearchPage>;
}
