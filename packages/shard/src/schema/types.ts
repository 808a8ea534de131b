/**
 * Collection schema types, following Milvus's `schema.proto` (`CollectionSchema`, `FieldSchema`,
 * `DataType`) and the RESTful API v2 names (`fieldName`, `dataType`, `isPrimary`, `elementTypeParams`).
 */

/** Scalar and vector data types supported by Shoal (Milvus `DataType` names). */
export type DataType =
  | 'Bool' | 'Int8' | 'Int16' | 'Int32' | 'Int64' | 'Float' | 'Double' | 'VarChar' | 'JSON'
  | 'FloatVector' | 'BinaryVector';

/** Vector data types: `FloatVector` (float32 elements) and `BinaryVector` (bits, packed into bytes). */
export type VectorType = 'FloatVector' | 'BinaryVector';

/** Scalar data types (everything but vectors). */
export type ScalarType = Exclude<DataType, VectorType>;

/** One field of a collection. */
export interface FieldSchema {
  /** Field id, unique within the collection, assigned at creation (100, 101, … as in Milvus). */
  fieldId: number;
  /** Name: 1–255 characters, letters, digits and `_`, not starting with a digit. */
  name: string;
  dataType: DataType;
  /** True for the primary key (exactly one field; `Int64` or `VarChar`). */
  isPrimaryKey: boolean;
  /** True if the system assigns primary keys (only on the primary key field). */
  autoId: boolean;
  /** For `VarChar`: the maximum length in UTF-8 bytes, 1..65,535. */
  maxLength?: number;
  /**
   * For `FloatVector`: the dimension, 2..32,768. For `BinaryVector`: the dimension in BITS, a
   * multiple of 8 in 8..32,768 (a vector is `dim / 8` bytes).
   */
  dim?: number;
  /** True for the partition-key field (rows hash into the collection's partitions by it). */
  isPartitionKey?: boolean;
  description?: string;
}

/** Schema of a collection. */
export interface CollectionSchema {
  name: string;
  description: string;
  /** Fields in declaration order. Exactly one is the primary key, exactly one a vector (`FloatVector` or `BinaryVector`). */
  fields: FieldSchema[];
  /** Milvus's `enableDynamicField`. Shoal rejects `true` until the dynamic field is built (issue 4). */
  enableDynamicField: boolean;
}

/**
 * A primary key value: Int64 keys are `bigint` (exact beyond 2^53), VarChar keys `string`.
 */
export type PrimaryKey = bigint | string;

/**
 * In-memory column of one field over `n` rows (DESIGN.md: columnar everywhere).
 * - Bool: `Uint8Array` (0/1); Int8/16/32: `Int8Array`/`Int16Array`/`Int32Array`;
 *   Int64: `BigInt64Array`; Float: `Float32Array`; Double: `Float64Array`;
 * - VarChar: `string[]`; JSON: `unknown[]` (parsed JSON values);
 * - FloatVector: `Float32Array` of `n × dim`, row-major;
 * - BinaryVector: `Uint8Array` of `n × dim / 8` bytes, row-major; bit `i` of a vector is bit
 *   `7 − i % 8` (most significant first) of its byte `⌊i / 8⌋`, as Milvus and numpy `packbits`.
 */
export type Column =
  | Uint8Array | Int8Array | Int16Array | Int32Array | BigInt64Array | Float32Array | Float64Array
  | string[] | unknown[];

/**
 * A batch of rows, column-wise: `columns[fieldName]` has `numRows` values (vectors: `numRows × dim`
 * floats, or `numRows × dim / 8` bytes for a BinaryVector).
 * Every non-autoID field of the schema is present.
 */
export interface ColumnBatch {
  numRows: number;
  columns: Record<string, Column>;
}
