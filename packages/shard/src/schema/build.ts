import { ErrorCode, ShoalError, invalidParameter } from '@shoal/actors';
import type { ArrayElementType, CollectionSchema, DataType, FieldSchema } from './types.ts';
import { DYNAMIC_FIELD } from './types.ts';
import { isVectorType } from './vector.ts';
import { checkDefaultValue } from './defaults.ts';

/** A field definition before the collection exists (no field id yet). Names as in {@link FieldSchema}. */
export interface FieldInput {
  name: string;
  dataType: DataType;
  isPrimaryKey?: boolean;
  autoId?: boolean;
  maxLength?: number;
  dim?: number;
  isPartitionKey?: boolean;
  /** For `Array`: the element type. */
  elementType?: ArrayElementType;
  /** For `Array`: the most elements per row, 1..4096. */
  maxCapacity?: number;
  /** True if rows may leave the field null. */
  nullable?: boolean;
  /** Value stored when a row omits the field or gives null (a client value: Int64 as number, bigint or decimal string). */
  defaultValue?: unknown;
  description?: string;
}

/** The data types a field may have, for error messages. */
export const DATA_TYPES: readonly DataType[] = ['Bool', 'Int8', 'Int16', 'Int32', 'Int64', 'Float', 'Double', 'VarChar', 'JSON', 'Array', 'FloatVector', 'BinaryVector'];

/** The element types an Array field may have (Milvus: every scalar type but JSON and Array). */
export const ARRAY_ELEMENT_TYPES: readonly ArrayElementType[] = ['Bool', 'Int8', 'Int16', 'Int32', 'Int64', 'Float', 'Double', 'VarChar'];

/**
 * Limits from Milvus's documentation ("Limits"): names, dimension, VarChar length, field count.
 * A BinaryVector's dimension is in bits: a multiple of 8 in [minBinaryDim, maxDim] (Milvus's
 * `proxy.maxDimension` applies to the bit count).
 */
export const LIMITS = {
  nameMaxLength: 255,
  minDim: 2,
  minBinaryDim: 8,
  maxDim: 32_768,
  maxVarCharLength: 65_535,
  maxFields: 64,
  /** Vector fields per collection (Milvus `proxy.maxVectorFieldNum`, default 4; Shoal allows 10). */
  maxVectorFields: 10,
  maxArrayCapacity: 4096,
  firstFieldId: 100,
} as const;

const NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Checks a collection, partition, field or index name against Milvus's rules: 1–255 characters,
 * letters, digits and underscores, not starting with a digit; and not `__proto__` (reserved).
 * @param kind what is named, for the error message ("collection", "field" …).
 * @throws ShoalError ParameterInvalid naming the rule that was broken.
 */
export function validateName(kind: string, name: unknown): string {
  if (typeof name !== 'string' || name.length === 0) throw invalidParameter(`${kind} name must be a non-empty string, got ${JSON.stringify(name)}`);
  if (name.length > LIMITS.nameMaxLength) throw invalidParameter(`${kind} name "${name.slice(0, 40)}…" is ${name.length} characters; at most ${LIMITS.nameMaxLength} are allowed`);
  if (!NAME_RE.test(name)) throw invalidParameter(`${kind} name "${name}" is invalid: use letters, digits and underscores, not starting with a digit`);
  // msgpackr (the log and message codec) decodes an own key `__proto__` as `__proto_`, so names
  // that become object keys in log records and messages must not be it.
  if (name === '__proto__') throw invalidParameter(`${kind} name "__proto__" is reserved; choose another name`);
  return name;
}

/**
 * Builds and validates a collection schema, assigning field ids 100, 101, … in order (as Milvus does).
 * Rules: exactly one primary key of type Int64 or VarChar; `autoId` only on the primary key;
 * 1 to {@link LIMITS}.maxVectorFields (10) vector fields (Milvus "Multi-Vector Hybrid Search"), each
 * a FloatVector with dim in [2, 32768] or a BinaryVector with dim (bits) a multiple of 8 in [8, 32768]; VarChar needs `maxLength` in [1, 65535];
 * unique field names. At most one partition-key field (`isPartitionKey`), Int64 or VarChar, not the
 * primary key (Milvus "Use Partition Key").
 * Array (Milvus "Array Field"): `elementType` one of {@link ARRAY_ELEMENT_TYPES}, `maxCapacity` in
 * [1, 4096], VarChar elements need `maxLength`. `nullable` (Milvus "Nullable & Default") not on the
 * primary key, vectors or the partition key; `defaultValue` of the field's type (VarChar within
 * `maxLength`), not on JSON, Array, vectors or the primary key (`schema/defaults.ts`).
 * `enableDynamicField` keeps undeclared row keys in the `$meta` column, so `$meta` is a reserved
 * field name (Milvus `common.MetaFieldName`).
 * @throws ShoalError CollectionIllegalSchema / ParameterInvalid with what was wrong and where.
 */
export function buildSchema(name: string, description: string, fields: FieldInput[], enableDynamicField: boolean): CollectionSchema {
  validateName('collection', name);
  if (!Array.isArray(fields) || fields.length === 0) throw illegal(`collection "${name}" needs fields: a primary key and a vector field (FloatVector or BinaryVector)`);
  if (fields.length > LIMITS.maxFields) throw illegal(`collection "${name}" has ${fields.length} fields; at most ${LIMITS.maxFields} are allowed`);
  const seen = new Set<string>();
  const out: FieldSchema[] = fields.map((f, i) => {
    const where = `field ${i} ("${f?.name}")`;
    if (f?.name === DYNAMIC_FIELD) throw illegal(`${where}: "${DYNAMIC_FIELD}" is reserved for the dynamic field; choose another field name`);
    validateName('field', f?.name);
    if (seen.has(f.name)) throw illegal(`duplicate field name "${f.name}"`);
    seen.add(f.name);
    if (!DATA_TYPES.includes(f.dataType)) throw illegal(`${where}: unknown dataType ${JSON.stringify(f.dataType)}; allowed: ${DATA_TYPES.join(', ')}`);
    const field: FieldSchema = {
      fieldId: LIMITS.firstFieldId + i,
      name: f.name,
      dataType: f.dataType,
      isPrimaryKey: f.isPrimaryKey === true,
      autoId: f.autoId === true,
      description: f.description ?? '',
    };
    if (f.dataType === 'VarChar' || (f.dataType === 'Array' && f.elementType === 'VarChar')) {
      if (!Number.isInteger(f.maxLength) || f.maxLength! < 1 || f.maxLength! > LIMITS.maxVarCharLength) {
        throw illegal(`${where}: ${f.dataType === 'Array' ? 'an Array of VarChar' : 'VarChar'} needs max_length in [1, ${LIMITS.maxVarCharLength}], got ${f.maxLength}`);
      }
      field.maxLength = f.maxLength;
    }
    if (f.dataType === 'Array') {
      if (!ARRAY_ELEMENT_TYPES.includes(f.elementType!)) {
        throw illegal(`${where}: an Array field needs elementDataType, one of ${ARRAY_ELEMENT_TYPES.join(', ')}; got ${JSON.stringify(f.elementType)}`);
      }
      if (!Number.isInteger(f.maxCapacity) || f.maxCapacity! < 1 || f.maxCapacity! > LIMITS.maxArrayCapacity) {
        throw illegal(`${where}: an Array field needs max_capacity in [1, ${LIMITS.maxArrayCapacity}], got ${f.maxCapacity}`);
      }
      field.elementType = f.elementType;
      field.maxCapacity = f.maxCapacity;
    } else if (f.elementType !== undefined || f.maxCapacity !== undefined) {
      throw illegal(`${where}: elementDataType and max_capacity apply only to Array fields, not ${f.dataType}`);
    }
    if (f.dataType === 'FloatVector') {
      if (!Number.isInteger(f.dim) || f.dim! < LIMITS.minDim || f.dim! > LIMITS.maxDim) {
        throw illegal(`${where}: FloatVector needs dim in [${LIMITS.minDim}, ${LIMITS.maxDim}], got ${f.dim}`);
      }
      field.dim = f.dim;
    }
    if (f.dataType === 'BinaryVector') {
      if (!Number.isInteger(f.dim) || f.dim! < LIMITS.minBinaryDim || f.dim! > LIMITS.maxDim || f.dim! % 8 !== 0) {
        throw illegal(`${where}: BinaryVector needs dim (in bits) a multiple of 8 in [${LIMITS.minBinaryDim}, ${LIMITS.maxDim}], got ${f.dim}`);
      }
      field.dim = f.dim;
    }
    if (field.autoId && !field.isPrimaryKey) throw illegal(`${where}: autoId is only allowed on the primary key field`);
    if (f.nullable === true) {
      if (field.isPrimaryKey) throw illegal(`${where}: the primary key cannot be nullable`);
      if (isVectorType(field.dataType)) throw illegal(`${where}: vector fields cannot be nullable`);
      if (f.isPartitionKey) throw illegal(`${where}: the partition key cannot be nullable`);
      field.nullable = true;
    }
    if (f.isPartitionKey) {
      if (field.isPrimaryKey) throw illegal(`${where}: the primary key cannot be the partition key`);
      if (field.dataType !== 'Int64' && field.dataType !== 'VarChar') throw illegal(`${where}: the partition key must be Int64 or VarChar, got ${field.dataType}`);
      field.isPartitionKey = true;
    }
    if (f.defaultValue !== undefined && f.defaultValue !== null) {
      if (field.isPrimaryKey) throw illegal(`${where}: the primary key cannot have a default value`);
      field.defaultValue = checkDefaultValue(field, f.defaultValue, (msg) => illegal(`${where}: ${msg}`));
    }
    return field;
  });
  const pks = out.filter((f) => f.isPrimaryKey);
  if (pks.length !== 1) throw illegal(`collection "${name}" must have exactly one primary key field, found ${pks.length}`);
  if (pks[0].dataType !== 'Int64' && pks[0].dataType !== 'VarChar') {
    throw illegal(`primary key "${pks[0].name}" must be Int64 or VarChar, got ${pks[0].dataType}`);
  }
  if (pks[0].autoId && pks[0].dataType !== 'Int64') throw illegal(`autoId needs an Int64 primary key; "${pks[0].name}" is ${pks[0].dataType}`);
  const keys = out.filter((f) => f.isPartitionKey);
  if (keys.length > 1) throw illegal(`collection "${name}" may have one partition-key field, found ${keys.length}: ${keys.map((f) => f.name).join(', ')}`);
  const vectors = out.filter((f) => isVectorType(f.dataType));
  if (vectors.length === 0) throw illegal(`collection "${name}" needs a vector field (FloatVector or BinaryVector)`);
  if (vectors.length > LIMITS.maxVectorFields) {
    throw illegal(`collection "${name}" has ${vectors.length} vector fields (${vectors.map((f) => f.name).join(', ')}); at most ${LIMITS.maxVectorFields} are allowed`);
  }
  return { name, description, fields: out, enableDynamicField: enableDynamicField === true };
}

/** The primary key field of a schema. */
export function primaryField(schema: CollectionSchema): FieldSchema {
  return schema.fields.find((f) => f.isPrimaryKey)!;
}

/** The first vector field of a schema (FloatVector or BinaryVector); the only one in a single-vector collection. */
export function vectorField(schema: CollectionSchema): FieldSchema {
  return schema.fields.find((f) => isVectorType(f.dataType))!;
}

/** Every vector field of a schema, in field order (1 to {@link LIMITS}.maxVectorFields). */
export function vectorFields(schema: CollectionSchema): FieldSchema[] {
  return schema.fields.filter((f) => isVectorType(f.dataType));
}

/**
 * The vector field a search reads (Milvus `annsField`): the field called `name`, or without a name
 * the collection's only vector field.
 * @throws ShoalError ParameterInvalid if `name` is missing while the collection has several vector
 *   fields, or names a field that is not a vector field (listing the vector fields); FieldNotFound
 *   for an unknown name.
 */
export function annsField(schema: CollectionSchema, name: string | undefined): FieldSchema {
  const vectors = vectorFields(schema);
  const list = vectors.map((f) => f.name).join(', ');
  if (name === undefined || name === '') {
    if (vectors.length === 1) return vectors[0];
    throw invalidParameter(`collection "${schema.name}" has ${vectors.length} vector fields: annsField must name the one to search (one of ${list})`);
  }
  const f = schema.fields.find((x) => x.name === name);
  if (!f) throw new ShoalError(ErrorCode.FieldNotFound, `annsField "${name}" does not exist in collection "${schema.name}"; vector fields: ${list}`);
  if (!isVectorType(f.dataType)) throw invalidParameter(`annsField "${name}" is a ${f.dataType} field, not a vector field; vector fields of collection "${schema.name}": ${list}`);
  return f;
}

/**
 * The field called `name`.
 * @throws ShoalError FieldNotFound naming the field and the collection.
 */
export function fieldByName(schema: CollectionSchema, name: string): FieldSchema {
  const f = schema.fields.find((x) => x.name === name);
  if (!f) throw new ShoalError(ErrorCode.FieldNotFound, `field "${name}" does not exist in collection "${schema.name}"; fields: ${schema.fields.map((x) => x.name).join(', ')}`);
  return f;
}

function illegal(message: string): ShoalError {
  return new ShoalError(ErrorCode.CollectionIllegalSchema, message);
}
