/**
 * Parameter and result types of `ShoalClient`, following the Milvus RESTful API v2 bodies (and the
 * Milvus Node SDK's `HttpClient` types). Int64 values: integers within ±(2^53 − 1) arrive as
 * `number`, larger ones as `bigint` (exact); either may be sent. VarChar keys are strings.
 */

/** A primary key: Int64 (`number` or `bigint`, or a decimal string) or VarChar (`string`). */
export type PrimaryKey = number | bigint | string;
/**
 * An entity: field name → value. FloatVector: `number[]` or `Float32Array` of `dim` numbers.
 * BinaryVector (`dim` bits): in requests `number[]` or `Uint8Array` of `dim / 8` bytes, or a
 * base64 string; in answers a base64 string of the `dim / 8` bytes (as Milvus returns it).
 * Array: a JS array of the element type's values. A nullable field may be `null` or absent (it
 * then takes its default value, if any); in answers a null field is `null`. With the dynamic field
 * enabled, undeclared keys are stored and returned as top-level keys.
 */
export type Row = Record<string, unknown>;
/** Metrics Shoal implements: L2, IP, COSINE for FloatVector fields; HAMMING, JACCARD for BinaryVector fields. */
export type MetricType = 'L2' | 'IP' | 'COSINE' | 'HAMMING' | 'JACCARD';
/** Milvus consistency levels Shoal implements. */
export type ConsistencyLevel = 'Strong' | 'Session' | 'Bounded' | 'Eventually';
/** Field data types Shoal implements (Milvus names). */
export type DataType = 'Bool' | 'Int8' | 'Int16' | 'Int32' | 'Int64' | 'Float' | 'Double' | 'VarChar' | 'JSON' | 'Array' | 'FloatVector' | 'BinaryVector';
/** Element types of an Array field (every scalar type but JSON and Array). */
export type ArrayElementType = 'Bool' | 'Int8' | 'Int16' | 'Int32' | 'Int64' | 'Float' | 'Double' | 'VarChar';
/**
 * Index types Shoal accepts: FLAT, HNSW, IVF_* for FloatVector fields, BIN_FLAT, BIN_IVF_FLAT for
 * BinaryVector fields; `AUTOINDEX` = HNSW (M=16, efConstruction=200), or BIN_IVF_FLAT (nlist=128)
 * on a BinaryVector field.
 */
export type IndexType = 'AUTOINDEX' | 'FLAT' | 'HNSW' | 'IVF_FLAT' | 'IVF_SQ8' | 'IVF_PQ' | 'BIN_FLAT' | 'BIN_IVF_FLAT';
/** Milvus load states. */
export type LoadState = 'LoadStateNotExist' | 'LoadStateNotLoad' | 'LoadStateLoading' | 'LoadStateLoaded';

/** Parameters naming a collection. */
export interface CollectionParams { collectionName: string }

/** One field of a full schema (Milvus REST `FieldSchema`). */
export interface FieldSchemaInput {
  fieldName: string;
  dataType: DataType;
  isPrimary?: boolean;
  isPartitionKey?: boolean;
  /** For Array fields: the element type (required). */
  elementDataType?: ArrayElementType;
  /** True if rows may leave the field null (not for the primary key or vectors). */
  nullable?: boolean;
  /** Value stored when a row omits the field or gives null (scalar fields but JSON and Array; not the primary key). */
  defaultValue?: boolean | number | bigint | string;
  /**
   * `dim` for FloatVector (2..32,768) or BinaryVector (bits: a multiple of 8 in 8..32,768),
   * `max_length` for VarChar and Array-of-VarChar elements (1..65,535, UTF-8 bytes),
   * `max_capacity` for Array (1..4096 elements).
   */
  elementTypeParams?: { dim?: number; max_length?: number; max_capacity?: number };
  description?: string;
}

/** One index to build (Milvus REST `IndexParam`). */
export interface IndexParam {
  fieldName: string;
  indexName?: string;
  /** Default COSINE (FloatVector) or HAMMING (BinaryVector). */
  metricType?: MetricType;
  /** Default AUTOINDEX. */
  indexType?: IndexType;
  /** Build parameters, e.g. `{ M: 16, efConstruction: 200 }` for HNSW. */
  params?: Record<string, unknown>;
}

/**
 * `createCollection`: either the quick setup (`dimension` and friends) or a full `schema`.
 * Quick setup creates an AUTOINDEX index on the vector field and loads the collection.
 */
export interface CreateCollectionParams extends CollectionParams {
  description?: string;
  /** Quick setup: vector dimension. */
  dimension?: number;
  /** Quick setup: metric (default COSINE). */
  metricType?: MetricType;
  /** Quick setup: primary key type (default Int64; VarChar needs `params.max_length`). */
  idType?: 'Int64' | 'VarChar';
  /** Quick setup: automatic primary keys. */
  autoID?: boolean;
  /** Quick setup: primary field name (default "id"). */
  primaryFieldName?: string;
  /** Quick setup: vector field name (default "vector"). */
  vectorFieldName?: string;
  /** Full schema; `enableDynamicField` keeps undeclared row keys (Milvus "Dynamic Field"). */
  schema?: { autoID?: boolean; enableDynamicField?: boolean; fields: FieldSchemaInput[] };
  /** Indexes to build; with a full schema the collection is loaded only when indexes are given. */
  indexParams?: IndexParam[];
  params?: { max_length?: number; shardsNum?: number; partitionsNum?: number; consistencyLevel?: ConsistencyLevel; enableDynamicField?: boolean };
}

/** A field as `describeCollection` reports it. */
export interface FieldDescription {
  name: string;
  id: number;
  type: DataType;
  primaryKey: boolean;
  partitionKey: boolean;
  autoId: boolean;
  description: string;
  nullable: boolean;
  /** The default value as Milvus writes its `ValueField`, e.g. `{ Data: { LongData: 5 } }`. */
  defaultValue?: { Data: Record<string, boolean | number | bigint | string> };
  /** Type parameters, e.g. `[{ key: 'dim', value: '128' }]` (`max_capacity` for Array fields). */
  params?: { key: string; value: string }[];
  /** For Array fields: the element type. */
  elementType?: ArrayElementType;
}

/** `describeCollection` result (Milvus REST shape). */
export interface CollectionDescription {
  collectionName: string;
  collectionID: number | bigint;
  description: string;
  autoId: boolean;
  fields: FieldDescription[];
  indexes: { indexName: string; fieldName: string; metricType: MetricType }[];
  load: LoadState;
  shardsNum: number;
  partitionsNum: number;
  consistencyLevel: ConsistencyLevel;
  enableDynamicField: boolean;
}

/** `describeIndex` result entry (Milvus REST shape). */
export interface IndexDescription {
  indexName: string;
  fieldName: string;
  indexType: string;
  metricType: MetricType;
  totalRows: number;
  pendingRows: number;
  indexedRows: number;
  /** 'Finished' | 'InProgress' | 'Failed' | 'None'. */
  indexState: string;
  failReason: string;
  params?: Record<string, unknown>;
}

/** Options shared by get, query and search. */
export interface ReadParams extends CollectionParams {
  outputFields?: string[];
  partitionNames?: string[];
  consistencyLevel?: ConsistencyLevel;
}

/** `insert` / `upsert` parameters. */
export interface WriteParams extends CollectionParams {
  data: Row[];
  partitionName?: string;
}

/** `query` parameters. `outputFields: ['count(*)']` counts the matching entities. */
export interface QueryParams extends ReadParams {
  /** Milvus boolean expression; `''` matches all (then `limit` applies, default 100). */
  filter?: string;
  limit?: number;
  offset?: number;
}

/** `search` parameters. */
export interface SearchParams extends ReadParams {
  /** Query vectors (nq of them): `dim` numbers each, or for a BinaryVector field `dim / 8` bytes or a base64 string. */
  data: (number[] | Float32Array | Uint8Array | string)[];
  annsField?: string;
  filter?: string;
  /** top-k, default 100. */
  limit?: number;
  offset?: number;
  searchParams?: { metricType?: MetricType; params?: Record<string, unknown> };
}

/** One search hit: the primary key as `id`, the score as `distance`, plus the output fields. */
export type SearchHit = Row & { id: PrimaryKey; distance: number };

/** One segment of `collections/get_stats`'s memory report (sizes in bytes). */
export interface SegmentMemoryReport {
  segmentId: number;
  /** Shard number (0-based). */
  shard: number;
  state: 'Growing' | 'Sealed';
  rows: number;
  deletedRows: number;
  /** Row data: every column plus the system columns. */
  rawBytes: number;
  /** The vector column's part of `rawBytes`. */
  rawVectorBytes: number;
  /** Type of the loaded ANN index, or null when the segment is searched by brute force. */
  indexType: string | null;
  /** Memory of the loaded vector indexes (0 when none). */
  indexBytes: number;
  /** Each loaded vector index, by vector field. */
  vectorIndexes: { fieldName: string; indexType: string; indexBytes: number }[];
  /** Memory of the segment's scalar indexes (0 when none). */
  scalarIndexBytes: number;
  /** Each scalar index of the segment, by field. */
  scalarIndexes: { fieldName: string; indexType: string; indexBytes: number }[];
  /** Partitions with rows in the segment. */
  partitions: string[];
}

/** `collections/get_stats`: Milvus's live row count and Shoal's memory report (bytes). */
export interface CollectionStatistics {
  rowCount: number;
  memory: {
    totalBytes: number; rawBytes: number; rawVectorBytes: number; indexBytes: number; scalarIndexBytes: number;
    segments: SegmentMemoryReport[];
  };
}
