/**
 * Milvus `indexParams` entries (REST v2 `IndexParam` in `request_v2.go`, converted as in
 * `convertToExtraParams` of `utils.go`) → Shoal's `IndexParamInput`, shared by
 * `collections/create` and `indexes/create`.
 */
import type { IndexParamInput } from '@shoal/cluster';
import { notSupported } from '@shoal/actors';
import type { BodyReader } from './body.ts';

/**
 * Metric types Shoal implements (Milvus names; case-insensitive on input, as in Milvus): L2, IP,
 * COSINE for FloatVector fields, HAMMING, JACCARD for BinaryVector fields (the router checks the
 * metric against the field and the index type).
 */
export const SUPPORTED_METRICS = ['L2', 'IP', 'COSINE', 'HAMMING', 'JACCARD'] as const;
/** Milvus metric types that Shoal does not implement yet (answered with 3000, not 1100). */
const MILVUS_ONLY_METRICS = ['BM25', 'MHJACCARD'];
/** Binary metrics that Milvus no longer offers for its binary indexes: answered 1100 (not a metric Shoal will add). */
const RETIRED_BINARY_METRICS = ['SUBSTRUCTURE', 'SUPERSTRUCTURE'];

/**
 * Index types Shoal accepts (`AUTOINDEX` = Shoal's choice, see docs/api.md): vector indexes, and
 * the scalar indexes INVERTED, STL_SORT, TRIE, BITMAP (the router checks the type against the field).
 */
export const SUPPORTED_INDEX_TYPES = ['AUTOINDEX', 'FLAT', 'HNSW', 'IVF_FLAT', 'IVF_SQ8', 'IVF_PQ', 'BIN_FLAT', 'BIN_IVF_FLAT',
  'INVERTED', 'STL_SORT', 'TRIE', 'BITMAP'] as const;
/** Milvus index types that Shoal does not implement yet (answered with 3000, not 1100). */
const MILVUS_ONLY_INDEX_TYPES = ['IVF_RABITQ', 'SCANN', 'DISKANN',
  'HNSW_SQ', 'HNSW_PQ', 'HNSW_PRQ', 'GPU_BRUTE_FORCE', 'GPU_IVF_FLAT', 'GPU_IVF_PQ', 'GPU_CAGRA',
  'SPARSE_INVERTED_INDEX', 'SPARSE_WAND', 'NGRAM', 'RTREE', 'HYBRID'];

/** Metric of the quick setup's FloatVector index when the request names none (Milvus's `DefaultMetricType`). */
export const DEFAULT_METRIC = 'COSINE';

/**
 * Validates a metric type name read from `key` of `body`: returns the upper-cased Shoal metric.
 * Throws 3000 for a Milvus metric Shoal lacks and 1100 for SUBSTRUCTURE/SUPERSTRUCTURE and unknown names.
 */
export function parseMetric(body: BodyReader, key: string, value: string): NonNullable<IndexParamInput['metricType']> {
  const upper = value.toUpperCase();
  const found = SUPPORTED_METRICS.find((m) => m === upper);
  if (found) return found;
  if (MILVUS_ONLY_METRICS.includes(upper)) throw notSupported(`metric type ${upper}`);
  if (RETIRED_BINARY_METRICS.includes(upper)) {
    throw body.invalid(key, value, `${upper} is not supported for binary vectors; their metric types are HAMMING and JACCARD`);
  }
  throw body.invalid(key, value, `metric types are ${SUPPORTED_METRICS.join(', ')}`);
}

/** Parses an index type name (case-insensitive); 3000 for Milvus-only types, 1100 for unknown names. */
function parseIndexType(body: BodyReader, key: string, value: string): NonNullable<IndexParamInput['indexType']> {
  const upper = value.toUpperCase();
  const found = SUPPORTED_INDEX_TYPES.find((t) => t === upper);
  if (found) return found;
  if (MILVUS_ONLY_INDEX_TYPES.includes(upper)) throw notSupported(`index type ${upper}`);
  throw body.invalid(key, value, `index types are ${SUPPORTED_INDEX_TYPES.join(', ')}`);
}

/**
 * A copy of a Milvus `params` object with numeric strings read as numbers (Milvus clients often
 * send `"M": "16"` or `"ef": "64"`) and the keys in `drop` removed.
 */
export function numericParams(params: Record<string, unknown> | undefined, drop: readonly string[] = []): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(params ?? {})) {
    if (drop.includes(k)) continue;
    out[k] = typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : v;
  }
  return out;
}

/**
 * Reads `body[key]` (an array of Milvus `IndexParam`) into `IndexParamInput[]`.
 * Each entry: `fieldName` (required), `indexName`, `metricType` (absent: the router's default for
 * the field's type, COSINE for FloatVector and HAMMING for BinaryVector, as Milvus; none for a
 * scalar field's INVERTED/STL_SORT/TRIE/BITMAP index), `indexType` or
 * `params.index_type` (default AUTOINDEX), `params`. Throws 1802/1801/1100/3000 (see body.ts).
 */
export function readIndexParams(body: BodyReader, key: string): IndexParamInput[] {
  const list = body.optArray(key) ?? [];
  return list.map((item, i) => {
    const entry = body.element(key, i, item);
    const params = entry.optObject('params');
    const metricName = entry.optString('metricType') || (params?.optString('metric_type') ?? '');
    const typeName = entry.optString('indexType') || (params?.optString('index_type') ?? '');
    const out: IndexParamInput = {
      fieldName: entry.requireString('fieldName'),
      indexType: typeName === '' ? 'AUTOINDEX' : parseIndexType(entry, 'indexType', typeName),
      params: numericParams(params?.obj, ['index_type', 'metric_type']),
    };
    if (metricName !== '') out.metricType = parseMetric(entry, 'metricType', metricName);
    const indexName = entry.optString('indexName');
    if (indexName) out.indexName = indexName;
    return out;
  });
}
