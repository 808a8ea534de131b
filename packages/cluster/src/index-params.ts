import { ErrorCode, ShoalError, invalidParameter, notSupported } from '@shoal/actors';
import { validateIndexSpec } from '@shoal/ann';
import type { IndexBuildParams, IndexType, MetricType } from '@shoal/ann';
import { fieldByName, isVectorType } from '@shoal/shard';
import type { VectorType } from '@shoal/shard';
import type { CollectionMeta, IndexMeta } from './catalog.ts';
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
 * Resolves Milvus `indexParams` for a collection into an {@link IndexMeta}: the field must be the
 * collection's vector field (scalar indexes come with issue 4); the type AUTOINDEX or one of the
 * field's kind (FloatVector: FLAT, HNSW, IVF_FLAT, IVF_SQ8, IVF_PQ; BinaryVector: BIN_FLAT,
 * BIN_IVF_FLAT); the metric one of the field's kind (L2/IP/COSINE; HAMMING/JACCARD), by default
 * COSINE or HAMMING; the parameters valid for the type (numeric strings accepted, as Milvus does).
 * @throws ShoalError FieldNotFound; ParameterInvalid for a metric or index type of the other vector
 *   kind (naming the field, the metric or type, and what is allowed) or a bad parameter;
 *   OperationNotSupported for index types Shoal lacks.
 */
export function resolveIndexParams(meta: CollectionMeta, input: IndexParamInput): IndexMeta {
  if (!input || typeof input !== 'object') throw invalidParameter('each indexParams entry must be an object with fieldName, metricType and indexType');
  const field = fieldByName(meta.schema, input.fieldName);
  if (!isVectorType(field.dataType)) {
    throw notSupported(`scalar indexes (index on ${field.dataType} field "${field.name}")`);
  }
  const kind = VECTOR_INDEXING[field.dataType];
  const requested = input.indexType ?? 'AUTOINDEX';
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
 * Checks that a new index may be created next to the existing one: Milvus allows one index per
 * field; creating the same one again is a no-op, a different one is an error.
 * @returns true if `next` is identical to the existing index (nothing to do).
 */
export function checkIndexReplace(meta: CollectionMeta, next: IndexMeta): boolean {
  const cur = meta.index;
  if (!cur) return false;
  if (cur.fieldName === next.fieldName && cur.indexName === next.indexName && JSON.stringify(cur.spec) === JSON.stringify(next.spec)) return true;
  throw new ShoalError(ErrorCode.IndexDuplicate, `at most one distinct index is allowed per field: collection "${meta.name}" already has index "${cur.indexName}" on "${cur.fieldName}" (${cur.spec.type}, ${cur.spec.metric}); drop it first`);
}
