import { ErrorCode, ShoalError, invalidParameter, notSupported } from '@shoal/actors';
import { validateIndexSpec } from '@shoal/ann';
import type { IndexBuildParams, IndexType, MetricType } from '@shoal/ann';
import { fieldByName, vectorField } from '@shoal/shard';
import type { CollectionMeta, IndexMeta } from './catalog.ts';
import type { IndexParamInput } from './service.ts';

/** Index types a collection may use today. */
export const SERVED_TYPES: readonly string[] = ['AUTOINDEX', 'FLAT', 'HNSW', 'IVF_FLAT', 'IVF_SQ8', 'IVF_PQ'];

/** Metrics a FloatVector index may use. */
export const METRICS: readonly MetricType[] = ['L2', 'IP', 'COSINE'];

/**
 * Shoal's AUTOINDEX: HNSW with M = 16 and efConstruction = 200 — a graph index with recall@10
 * ≥ 0.95 on common embedding sets at a moderate build cost (docs/api.md). Issue 3 may refine it.
 */
export const AUTOINDEX = { type: 'HNSW' as IndexType, params: { M: 16, efConstruction: 200 } };

/**
 * Resolves Milvus `indexParams` for a collection into an {@link IndexMeta}: the field must be the
 * collection's vector field (scalar indexes come with issue 4), the metric one of L2/IP/COSINE,
 * the type FLAT, HNSW or AUTOINDEX, the parameters valid for the type (numeric strings accepted,
 * as Milvus does).
 * @throws ShoalError FieldNotFound, ParameterInvalid, or OperationNotSupported saying what and why.
 */
export function resolveIndexParams(meta: CollectionMeta, input: IndexParamInput): IndexMeta {
  if (!input || typeof input !== 'object') throw invalidParameter('each indexParams entry must be an object with fieldName, metricType and indexType');
  const field = fieldByName(meta.schema, input.fieldName);
  if (field.dataType !== 'FloatVector') {
    throw notSupported(`scalar indexes (index on ${field.dataType} field "${field.name}")`);
  }
  if (!METRICS.includes(input.metricType)) {
    throw invalidParameter(`metricType ${JSON.stringify(input.metricType)} is not valid for a FloatVector index; allowed: ${METRICS.join(', ')}`);
  }
  const requested = input.indexType ?? 'AUTOINDEX';
  if (!SERVED_TYPES.includes(requested)) {
    throw notSupported(`index type ${JSON.stringify(requested)} (supported: ${SERVED_TYPES.join(', ')})`);
  }
  const userParams = normalizeParams(input.params ?? {});
  const type = requested === 'AUTOINDEX' ? AUTOINDEX.type : requested;
  const params: IndexBuildParams = requested === 'AUTOINDEX' ? { ...AUTOINDEX.params } : userParams;
  const spec = validateIndexSpec({ type, metric: input.metricType, dim: vectorField(meta.schema).dim!, params });
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
