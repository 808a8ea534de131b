import { ErrorCode, ShoalError, invalidParameter, notSupported } from '@shoal/actors';
import { validateIndexSpec } from '@shoal/ann';
import type { IndexBuildParams, IndexSpec, IndexType, MetricType } from '@shoal/ann';
import { SCALAR_INDEX_TYPES, fieldByName, isScalarIndexType, isVectorType, validateScalarIndex } from '@shoal/shard';
import type { ScalarIndexSpec, VectorType } from '@shoal/shard';
import { vectorIndexesOf } from './catalog.ts';
import type { CollectionMeta, IndexMeta, ScalarIndexMeta } from './catalog.ts';
import type { IndexParamInput } from './service.ts';

/** Index types a collection may use today (each only on its kind of vector field, see {@link VECTOR_INDEXING}). */
export const SERVED_TYPES: readonly string[] = ['AUTOINDEX', 'FLAT', 'HNSW', 'IVF_FLAT', 'IVF_SQ8', 'IVF_PQ', 'BIN_FLAT', 'BIN_IVF_FLAT'];

/** Metrics a FloatVector index may use. */
export const METRICS: readonly MetricType[] = ['L2', 'IP', 'COSINE'];

/**
 * Shoal's AUTOINDEX for a FloatVector field: HNSW with M = 16 and efConstruction = 200 — a graph
 * index with recall@10 ≥ 0.95 on common embedding sets at a moderate build cost (docs/api.md).
 */
export const AUTOINDEX = { type: 'HNSW' as IndexType, params: { M: 16, efConstruction: 200 } };

/**
 * What each vector data type may be indexed with: index types, metrics, the metric when a request
 * names none (Milvus: COSINE for float vectors, HAMMING for binary ones) and AUTOINDEX. AUTOINDEX on
 * a BinaryVector field is BIN_IVF_FLAT with nlist = 128 (segments with fewer rows than nlist are
 * searched exactly).
 */
export const VECTOR_INDEXING: Readonly<Record<VectorType, { types: readonly IndexType[]; metrics: readonly MetricType[]; defaultMetric: MetricType; auto: { type: IndexType; params: IndexBuildParams } }>> = {
  FloatVector: { types: ['FLAT', 'HNSW', 'IVF_FLAT', 'IVF_SQ8', 'IVF_PQ'], metrics: METRICS, defaultMetric: 'COSINE', auto: AUTOINDEX },
  BinaryVector: { types: ['BIN_FLAT', 'BIN_IVF_FLAT'], metrics: ['HAMMING', 'JACCARD'], defaultMetric: 'HAMMING', auto: { type: 'BIN_IVF_FLAT', params: { nlist: 128 } } },
};

/**
 * Resolves Milvus `indexParams` for a collection into an {@link IndexMeta}: the field must be a
 * vector field of the collection (scalar fields: {@link resolveScalarIndexParams}); the type AUTOINDEX or one of the
 * field's kind (FloatVector: FLAT, HNSW, IVF_FLAT, IVF_SQ8, IVF_PQ; BinaryVector: BIN_FLAT,
 * BIN_IVF_FLAT); the metric one of the field's kind (L2/IP/COSINE; HAMMING/JACCARD), by default
 * COSINE or HAMMING; the parameters valid for the type (numeric strings accepted, as Milvus does).
 * @throws ShoalError FieldNotFound; ParameterInvalid for a metric or index type of the other vector
 *   kind or a scalar index type (naming the field, the metric or type, and what is allowed), a bad
 *   parameter, or a scalar field;
 *   OperationNotSupported for index types Shoal lacks.
 */
export function resolveIndexParams(meta: CollectionMeta, input: IndexParamInput): IndexMeta {
  if (!input || typeof input !== 'object') throw invalidParameter('each indexParams entry must be an object with fieldName, metricType and indexType');
  const field = fieldByName(meta.schema, input.fieldName);
  if (!isVectorType(field.dataType)) throw invalidParameter(`field "${field.name}" is a scalar field: its index is resolved by resolveScalarIndexParams`);
  const kind = VECTOR_INDEXING[field.dataType];
  const requested = input.indexType ?? 'AUTOINDEX';
  if (isScalarIndexType(requested)) {
    throw invalidParameter(`index type ${requested} is a scalar index and cannot index ${field.dataType} field "${field.name}"; allowed: AUTOINDEX, ${kind.types.join(', ')}`);
  }
  if (!SERVED_TYPES.includes(requested)) {
    throw notSupported(`index type ${JSON.stringify(requested)} (supported: ${SERVED_TYPES.join(', ')})`);
  }
  if (requested !== 'AUTOINDEX' && !kind.types.includes(requested)) {
    throw invalidParameter(`index type ${requested} cannot index ${field.dataType} field "${field.name}"; allowed: AUTOINDEX, ${kind.types.join(', ')}`);
  }
  const metric = input.metricType ?? kind.defaultMetric;
  if (!kind.metrics.includes(metric)) {
    throw invalidParameter(`metricType ${JSON.stringify(metric)} is not valid for ${field.dataType} field "${field.name}" (index type ${requested}); allowed: ${kind.metrics.join(', ')}`);
  }
  const userParams = normalizeParams(input.params ?? {});
  const type = requested === 'AUTOINDEX' ? kind.auto.type : requested;
  const params: IndexBuildParams = requested === 'AUTOINDEX' ? { ...kind.auto.params } : userParams;
  const spec = validateIndexSpec({ type, metric, dim: field.dim!, params });
  return { indexName: input.indexName ?? field.name, fieldName: field.name, requestedType: requested, spec, params: userParams };
}

/**
 * Resolves Milvus `indexParams` on a scalar field into a {@link ScalarIndexMeta} (Milvus docs,
 * "Index Scalar Fields"): the type is INVERTED, STL_SORT, TRIE or BITMAP (AUTOINDEX or none =
 * INVERTED, as Milvus's scalar AUTOINDEX), valid for the field's type (see `validateScalarIndex`);
 * no metric and no build parameters; the name defaults to the field's.
 * @throws ShoalError FieldNotFound; ParameterInvalid for a vector index type, a metric, parameters,
 *   or a type the field cannot take (naming the field and what is allowed); OperationNotSupported
 *   for JSON fields.
 */
export function resolveScalarIndexParams(meta: CollectionMeta, input: IndexParamInput): ScalarIndexMeta {
  if (!input || typeof input !== 'object') throw invalidParameter('each indexParams entry must be an object with fieldName and indexType');
  const field = fieldByName(meta.schema, input.fieldName);
  const requested = input.indexType ?? 'AUTOINDEX';
  const type = requested === 'AUTOINDEX' ? 'INVERTED' : requested;
  if (!isScalarIndexType(type)) {
    throw invalidParameter(`index type ${requested} cannot index ${field.dataType} field "${field.name}"; scalar fields take AUTOINDEX (= INVERTED), ${SCALAR_INDEX_TYPES.join(', ')}`);
  }
  validateScalarIndex(type, field);
  if (input.metricType) throw invalidParameter(`metricType ${input.metricType} does not apply to the ${type} index on scalar field "${field.name}"; leave it out`);
  const params = Object.keys(normalizeParams(input.params ?? {}));
  if (params.length > 0) throw invalidParameter(`index type ${type} takes no params, got ${params.join(', ')} (field "${field.name}")`);
  return { indexName: input.indexName ?? field.name, fieldName: field.name, indexType: type, requestedType: requested === 'AUTOINDEX' ? 'AUTOINDEX' : type };
}

/**
 * Resolves a request's `indexParams`: entries on the vector field as {@link resolveIndexParams},
 * on scalar fields as {@link resolveScalarIndexParams}; every entry is checked before any is used.
 * @throws ShoalError as those, and ParameterInvalid for two entries on one field or with one name.
 */
export function splitIndexParams(meta: CollectionMeta, inputs: readonly IndexParamInput[]): { vector: IndexMeta[]; scalar: ScalarIndexMeta[] } {
  const vector: IndexMeta[] = [];
  const scalar: ScalarIndexMeta[] = [];
  for (const input of inputs) {
    const field = input && typeof input === 'object' ? fieldByName(meta.schema, input.fieldName) : null;
    if (field && !isVectorType(field.dataType)) scalar.push(resolveScalarIndexParams(meta, input));
    else vector.push(resolveIndexParams(meta, input));
  }
  const all = [...vector, ...scalar];
  for (let i = 0; i < all.length; i++) {
    for (let j = 0; j < i; j++) {
      if (all[i].fieldName === all[j].fieldName) throw invalidParameter(`indexParams has two entries for field "${all[i].fieldName}"; a field takes one index`);
      if (all[i].indexName === all[j].indexName) throw invalidParameter(`indexParams has two indexes named "${all[i].indexName}"; index names must be distinct`);
    }
  }
  return { vector, scalar };
}

/**
 * Checks that scalar index `next` may be added to the collection: a field takes one index, and
 * index names are distinct within a collection. Creating the same index again is a no-op.
 * @returns true if an identical index exists (nothing to do).
 * @throws ShoalError IndexDuplicate naming the existing index.
 */
export function checkScalarIndexAdd(meta: CollectionMeta, next: ScalarIndexMeta): boolean {
  for (const cur of meta.scalarIndexes ?? []) {
    if (cur.fieldName === next.fieldName) {
      if (cur.indexName === next.indexName && cur.indexType === next.indexType) return true;
      throw new ShoalError(ErrorCode.IndexDuplicate, `at most one distinct index is allowed per field: field "${cur.fieldName}" of collection "${meta.name}" already has index "${cur.indexName}" (${cur.indexType}); drop it first`);
    }
    if (cur.indexName === next.indexName) throw duplicateName(meta, next.indexName, cur.fieldName);
  }
  const vectorNamed = vectorIndexesOf(meta).find((i) => i.indexName === next.indexName);
  if (vectorNamed) throw duplicateName(meta, next.indexName, vectorNamed.fieldName);
  return false;
}

function duplicateName(meta: CollectionMeta, name: string, field: string): ShoalError {
  return new ShoalError(ErrorCode.IndexDuplicate, `index name "${name}" is already used in collection "${meta.name}" by the index on field "${field}"; choose another indexName`);
}

/** The scalar indexes of a collection as the shards take them. */
export function scalarIndexSpecs(meta: CollectionMeta): ScalarIndexSpec[] {
  return (meta.scalarIndexes ?? []).map((i) => ({ fieldName: i.fieldName, type: i.indexType }));
}

/** Milvus clients send numbers as strings at times (`"M": "16"`): turn numeric strings into numbers. */
function normalizeParams(params: Record<string, unknown>): Record<string, unknown> {
  if (typeof params !== 'object' || params === null || Array.isArray(params)) throw invalidParameter('index params must be an object, e.g. { "M": 16, "efConstruction": 200 }');
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(params)) {
    if (k === 'metric_type' || k === 'index_type') continue; // some SDKs repeat them inside params
    out[k] = typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v;
  }
  return out;
}

/**
 * Checks that a new vector index may be created next to the existing ones: Milvus allows one index
 * per field and distinct index names; creating the same one again is a no-op, a different one on
 * the same field (or one named as another field's index) is an error.
 * @returns true if `next` is identical to the field's existing index (nothing to do).
 * @throws ShoalError IndexDuplicate naming the existing index.
 */
export function checkIndexReplace(meta: CollectionMeta, next: IndexMeta): boolean {
  const taken = [...(meta.scalarIndexes ?? []), ...vectorIndexesOf(meta)].find((i) => i.indexName === next.indexName && i.fieldName !== next.fieldName);
  if (taken) throw duplicateName(meta, next.indexName, taken.fieldName);
  const cur = vectorIndexesOf(meta).find((i) => i.fieldName === next.fieldName);
  if (!cur) return false;
  if (cur.indexName === next.indexName && JSON.stringify(cur.spec) === JSON.stringify(next.spec)) return true;
  throw new ShoalError(ErrorCode.IndexDuplicate, `at most one distinct index is allowed per field: collection "${meta.name}" already has index "${cur.indexName}" on "${cur.fieldName}" (${cur.spec.type}, ${cur.spec.metric}); drop it first`);
}

/** The vector indexes of a collection as the shards take them: spec by vector field name. */
export function vectorIndexSpecs(meta: CollectionMeta): Record<string, IndexSpec> {
  return Object.fromEntries(vectorIndexesOf(meta).map((i) => [i.fieldName, i.spec]));
}
