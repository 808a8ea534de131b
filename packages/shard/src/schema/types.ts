/**
 * Collection schema types, following Milvus's `schema.proto` (`CollectionSchema`, `FieldSchema`,
 * `DataType`) and the RESTful API v2 names (`fieldName`, `dataType`, `isPrimary`, `elementTypeParams`).
 */

/** Scalar and vector data types supported by Shoal (Milvus `DataType` names). */
export type DataType =
  | 'Bool' | 'Int8' | 'Int16' | 'Int32' | 'Int64' | 'Float' | 'Double' | 'VarChar' | 'JSON' | 'Array'
  | 'FloatVector' | 'BinaryVector';

/** Element types an `Array` field may hold (Milvus: every scalar type but JSON and Array). */
export type ArrayElementType = 'Bool' | 'Int8' | 'Int16' | 'Int32' | 'Int64' | 'Float' | 'Double' | 'VarChar';

/** Name of the dynamic field's column (Milvus's `$meta`): a JSON object per row of the undeclared keys. */
export const DYNAMIC_FIELD = '$meta';

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
  /** For `Array`: the element type (REST `elementDataType`). */
  elementType?: ArrayElementType;
  /** For `Array`: the most elements a row's array may hold, 1..4096 (REST `max_capacity`). */
  maxCapacity?: number;
  /**
   * True if rows may leave the field null (Milvus 2.5 `nullable`; not for the primary key, vectors
   * or the partition key). A null is kept in the batch's/segment's validity bitmap.
   */
  nullable?: boolean;
  /**
   * Value stored when an insert omits the field or gives null (Milvus 2.5 `defaultValue`), in the
   * field's value type (Int64 a `bigint`). Scalar fields other than JSON and Array only.
   */
  defaultValue?: boolean | number | bigint | string;
  description?: string;
}

/** Schema of a collection. */
export interface CollectionSchema {
  name: string;
  description: string;
  /** Fields in declaration order. Exactly one is the primary key, exactly one a vector (`FloatVector` or `BinaryVector`). */
  fields: FieldSchema[];
  /**
   * Milvus's `enableDynamicField`: rows may carry keys that are not declared fields; they are kept
   * per row as one JSON object in the column {@link DYNAMIC_FIELD} (`$meta`), filterable by name
   * (`color == "red"` ≡ `$meta["color"] == "red"`) and returned as top-level keys of output rows.
   */
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
 * - VarChar: `string[]`; JSON: `unknown[]` (parsed JSON values; integers beyond 2^53 as `bigint`);
 * - Array: `unknown[]`, one JS array per row of the element type's values (Int64 `bigint`,
 *   Bool `boolean`, other numbers `number`, VarChar `string`);
 * - the dynamic field `$meta`: `unknown[]` of one plain object per row (`{}` when it has no keys);
 * - a null of a nullable field: validity 0 (see {@link ColumnBatch.valid}); the column then holds
 *   the type's zero value (0, 0n, false, `''`, `null` for JSON, `[]` for Array) at that row;
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
  /**
   * Validity of the nullable fields: `valid[fieldName][i]` is 1 when row `i` has a value, 0 when
   * it is null; `numRows` long. Present for every nullable field of the schema (absent = all valid).
   */
  valid?: Record<string, Uint8Array>;
}
