/**
 * `POST /v2/vectordb/collections/create` body → Shoal's `CreateCollectionRequest`, following
 * Milvus's `createCollection` in handler_v2.go:
 * - quick setup (no `schema.fields`): `dimension` (required), `metricType` (default COSINE),
 *   `idType` Int64 | VarChar (with `params.max_length`), `autoID`, `primaryFieldName` (default
 *   "id"), `vectorFieldName` (default "vector"); an AUTOINDEX index named after the vector field
 *   is created and the collection loaded; the dynamic field is on unless `params.enableDynamicField`
 *   is false (as in Milvus).
 * - full schema: `schema.fields` [{fieldName, dataType, isPrimary, isPartitionKey,
 *   elementDataType, nullable, defaultValue, elementTypeParams: {dim, max_length, max_capacity}}]
 *   (a BinaryVector's `dim` counts bits; `elementDataType` and `max_capacity` for Array fields),
 *   `schema.autoID`, `schema.enableDynamicField` (default false; `params.enableDynamicField` is not
 *   read here, as in Milvus), `indexParams`; the collection is loaded only when `indexParams` are
 *   given (as in Milvus).
 * - `params`: `shardsNum`, `partitionsNum`, `consistencyLevel`, `max_length`, `enableDynamicField`.
 */
import type { CreateCollectionRequest, FieldInput, IndexParamInput } from '@shoal/cluster';
import { ARRAY_ELEMENT_TYPES } from '@shoal/shard';
import type { ArrayElementType, DataType } from '@shoal/shard';
import { ErrorCode, ShoalError, notSupported } from '@shoal/actors';
import type { BodyReader } from './body.ts';
import { readConsistency } from './consistency.ts';
import { DEFAULT_METRIC, parseMetric, readIndexParams } from './index-params.ts';

/** Data types Shoal implements (Milvus names, case-sensitive as in Milvus). */
const SUPPORTED_TYPES: readonly DataType[] = ['Bool', 'Int8', 'Int16', 'Int32', 'Int64', 'Float', 'Double',
  'VarChar', 'JSON', 'Array', 'FloatVector', 'BinaryVector'];
/** Milvus data types that Shoal does not implement yet (3000, not 1100). */
const MILVUS_ONLY_TYPES = ['Float16Vector', 'BFloat16Vector', 'SparseFloatVector',
  'Int8Vector', 'Geometry', 'Timestamptz', 'ArrayOfVector', 'ArrayOfStruct', 'String', 'Text'];

/** Go's `strconv.ParseBool` spellings of true (Milvus reads `params` values with `%v`). */
const GO_TRUE = ['1', 't', 'T', 'TRUE', 'true', 'True'];

/** Go's `strconv.ParseBool` spellings of false. */
const GO_FALSE = ['0', 'f', 'F', 'FALSE', 'false', 'False'];

/**
 * Quick setup's `params.enableDynamicField` as Milvus reads it (`%v` → `strconv.ParseBool`):
 * absent → true (Milvus's `EnableDynamic` default); a boolean or a Go spelling of one; 1100 otherwise.
 */
function quickDynamicField(params: BodyReader | undefined): boolean {
  const v = params?.raw('enableDynamicField');
  if (v === undefined || v === null || v === true) return true;
  if (v === false) return false;
  if (typeof v === 'string' && GO_TRUE.includes(v)) return true;
  if (typeof v === 'string' && GO_FALSE.includes(v)) return false;
  throw params!.invalid('enableDynamicField', v, 'a boolean (true, false, or a Go spelling such as "True" or "0") is required');
}

/**
 * A positive integer given as a JSON number or a decimal string (Milvus reads `dim`, `max_length`,
 * `shardsNum`, `partitionsNum` with `%v`, so both are common). Throws 1100 otherwise.
 */
function positiveInt(body: BodyReader, key: string): number | undefined {
  const v = body.raw(key);
  if (v === undefined || v === null) return undefined;
  const n = typeof v === 'string' && /^\s*\d+\s*$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 1) {
    throw body.invalid(key, v, 'a positive integer (a JSON number or a decimal string) is required');
  }
  return n;
}

/** Rejects the Milvus field features Shoal lacks (clustering keys). */
function rejectUnsupportedFieldOptions(field: BodyReader, name: string): void {
  if (field.optBool('isClusteringKey') === true) throw notSupported(`clustering keys (field ${name})`);
}

/**
 * An Array field's `elementDataType` (Milvus `schemapb.DataType` names): required for Array, one
 * of the scalar types but JSON and Array (1100 otherwise; 1802 when absent).
 */
function readElementType(field: BodyReader): ArrayElementType {
  const name = field.optString('elementDataType');
  if (name === undefined || name === '') throw field.missing('elementDataType');
  const type = ARRAY_ELEMENT_TYPES.find((t) => t === name);
  if (!type) throw field.invalid('elementDataType', name, `the element type of an Array field is one of (case-sensitive) ${ARRAY_ELEMENT_TYPES.join(', ')}`);
  return type;
}

/** One `schema.fields[i]` entry → `FieldInput`. */
function readField(schema: BodyReader, index: number, value: unknown, autoId: boolean): FieldInput {
  const field = schema.element('fields', index, value);
  const name = field.requireString('fieldName');
  const typeName = field.requireString('dataType');
  const dataType = SUPPORTED_TYPES.find((t) => t === typeName);
  if (!dataType) {
    if (MILVUS_ONLY_TYPES.includes(typeName)) throw notSupported(`data type ${typeName} (field ${name})`);
    throw field.invalid('dataType', typeName,
      `data types are (case-sensitive) ${SUPPORTED_TYPES.join(', ')}`);
  }
  rejectUnsupportedFieldOptions(field, name);
  const isPrimaryKey = field.optBool('isPrimary') ?? false;
  const out: FieldInput = { name, dataType, isPrimaryKey };
  if (isPrimaryKey) out.autoId = autoId;
  if (field.optBool('isPartitionKey')) out.isPartitionKey = true;
  const description = field.optString('description');
  if (description) out.description = description;
  if (dataType === 'Array') out.elementType = readElementType(field);
  const nullable = field.optBool('nullable');
  if (nullable !== undefined) out.nullable = nullable;
  if (field.has('defaultValue')) out.defaultValue = field.raw('defaultValue');
  const typeParams = field.optObject('elementTypeParams');
  if (typeParams) {
    const dim = positiveInt(typeParams, 'dim');
    const maxLength = positiveInt(typeParams, 'max_length');
    const maxCapacity = positiveInt(typeParams, 'max_capacity');
    if (dim !== undefined) out.dim = dim;
    if (maxLength !== undefined) out.maxLength = maxLength;
    if (maxCapacity !== undefined) out.maxCapacity = maxCapacity;
  }
  return out;
}

/** Quick setup: the two fields and the AUTOINDEX index (see the file comment). */
function quickSetup(body: BodyReader, params: BodyReader | undefined): { fields: FieldInput[]; indexes: IndexParamInput[] } {
  const dimension = body.optInt32('dimension');
  if (dimension === undefined || dimension === 0) {
    throw new ShoalError(ErrorCode.ParameterInvalid,
      `invalid parameter: \`dimension\` is required for the quick setup of a collection (no \`schema.fields\` given) (in ${body.where})`);
  }
  if (dimension < 0) throw body.invalid('dimension', dimension, 'the dimension must be a positive integer');
  const idType = body.optString('idType') ?? '';
  const primary: FieldInput = {
    name: body.optString('primaryFieldName') || 'id',
    dataType: 'Int64',
    isPrimaryKey: true,
    autoId: body.optBool('autoID') ?? false,
  };
  if (idType === 'VarChar' || idType === 'Varchar') {
    primary.dataType = 'VarChar';
    const maxLength = params ? positiveInt(params, 'max_length') : undefined;
    if (maxLength === undefined) {
      throw new ShoalError(ErrorCode.ParameterInvalid,
        `invalid parameter: \`params.max_length\` is required when \`idType\` is VarChar (in ${body.where})`);
    }
    primary.maxLength = maxLength;
  } else if (!['', 'Int64', 'int64'].includes(idType)) {
    throw body.invalid('idType', idType, 'idType can only be Int64 or VarChar (default: Int64)');
  }
  const vectorName = body.optString('vectorFieldName') || 'vector';
  const metricName = body.optString('metricType') || DEFAULT_METRIC;
  const metricType = parseMetric(body, 'metricType', metricName);
  return {
    fields: [primary, { name: vectorName, dataType: 'FloatVector', isPrimaryKey: false, dim: dimension }],
    indexes: [{ fieldName: vectorName, indexName: vectorName, metricType, indexType: 'AUTOINDEX', params: {} }],
  };
}

/**
 * Maps a `collections/create` body to a `CreateCollectionRequest` (see the file comment).
 * Throws 1802 (missing `collectionName`, `fieldName`, `dataType`, or an index on an undeclared
 * field), 1801 (wrong JSON types), 1100 (bad values) and 3000 (Milvus features Shoal lacks, among
 * them functions, TTL, partition-key isolation). Field options (Array element types and
 * capacities, nullable, default values) are checked by `buildSchema` (1100-style
 * CollectionIllegalSchema errors naming the field).
 */
export function readCreateCollection(body: BodyReader): CreateCollectionRequest {
  const collectionName = body.requireString('collectionName');
  const params = body.optObject('params');
  const schema = body.optObject('schema');
  const fieldList = schema?.optArray('fields') ?? [];
  if ((schema?.optArray('functions') ?? []).length > 0) throw notSupported('schema functions');
  if (params?.has('ttlSeconds')) throw notSupported('collection TTL (params.ttlSeconds)');
  if (params?.has('partitionKeyIsolation')) throw notSupported('partition key isolation (params.partitionKeyIsolation)');

  let fields: FieldInput[];
  let indexParams: IndexParamInput[];
  let enableDynamicField: boolean;
  if (fieldList.length === 0) {
    ({ fields, indexes: indexParams } = quickSetup(body, params));
    enableDynamicField = quickDynamicField(params);
  } else {
    enableDynamicField = schema?.optBool('enableDynamicField') === true;
    const autoId = schema?.optBool('autoID') ?? false;
    fields = fieldList.map((f, i) => readField(schema as BodyReader, i, f, autoId));
    indexParams = readIndexParams(body, 'indexParams');
    for (const ip of indexParams) {
      if (!fields.some((f) => f.name === ip.fieldName)) {
        throw new ShoalError(ErrorCode.MissingRequiredParameters,
          `missing required parameters: index field \`${ip.fieldName}\` is not defined in the schema (in ${body.where}.indexParams)`);
      }
    }
  }
  const req: CreateCollectionRequest = {
    collectionName,
    fields,
    enableDynamicField,
    indexParams,
    load: indexParams.length > 0,
  };
  const description = body.optString('description');
  if (description) req.description = description;
  if (params) {
    const shardsNum = positiveInt(params, 'shardsNum');
    const numPartitions = positiveInt(params, 'partitionsNum');
    const consistencyLevel = readConsistency(params, 'consistencyLevel');
    if (shardsNum !== undefined) req.shardsNum = shardsNum;
    if (numPartitions !== undefined) req.numPartitions = numPartitions;
    if (consistencyLevel !== undefined) req.consistencyLevel = consistencyLevel;
  }
  return req;
}
