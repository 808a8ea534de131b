/**
 * The two kinds of vectors an index holds (Milvus `FloatVector` and `BinaryVector` fields):
 * - float: `Float32Array` rows of `dim` floats; metrics L2, IP, COSINE; index types FLAT, HNSW,
 *   IVF_FLAT, IVF_SQ8, IVF_PQ;
 * - binary: `Uint8Array` rows of `dim / 8` bytes (`dim` counts bits, a multiple of 8; bit i is bit
 *   7 − i % 8 of byte ⌊i / 8⌋, most significant first, as Milvus and numpy's `packbits`); metrics
 *   HAMMING, JACCARD; index types BIN_FLAT, BIN_IVF_FLAT.
 * This module says which kind a metric or index type belongs to and checks that arrays handed to
 * `buildIndex` and `VectorIndex.search` are of the kind of their index.
 */
import { invalidParameter } from '@shoal/actors';
import type { IndexSpec, IndexType, MetricType } from './types.ts';

/** The metrics of binary vectors (Milvus `metric_type`), both distances (smaller is better). */
export const BINARY_METRIC_TYPES: readonly MetricType[] = ['HAMMING', 'JACCARD'];

/** The index types of binary vectors. */
export const BINARY_INDEX_TYPES: readonly IndexType[] = ['BIN_FLAT', 'BIN_IVF_FLAT'];

/** Milvus metrics of binary vectors that Shoal does not compute (yet). */
export const MILVUS_ONLY_BINARY_METRICS: readonly string[] = ['SUBSTRUCTURE', 'SUPERSTRUCTURE'];

/** True if `metric` is a metric of binary vectors (HAMMING, JACCARD). */
export function isBinaryMetric(metric: MetricType): boolean {
  return metric === 'HAMMING' || metric === 'JACCARD';
}

/** True if `type` indexes binary vectors (BIN_FLAT, BIN_IVF_FLAT). */
export function isBinaryIndexType(type: IndexType): boolean {
  return type === 'BIN_FLAT' || type === 'BIN_IVF_FLAT';
}

/** Array elements per vector of an index of `spec`: `dim` floats, or `dim / 8` bytes for binary types. */
export function rowLength(spec: IndexSpec): number {
  return isBinaryIndexType(spec.type) ? spec.dim >>> 3 : spec.dim;
}

/**
 * Throws `ShoalError(ErrorCode.ParameterInvalid)` unless `vectors` is of the given kind — a
 * `Uint8Array` of packed bits if `binary`, else a `Float32Array` — saying e.g. "BIN_FLAT index
 * expects binary query vectors (Uint8Array of nq × dim/8 bytes), got Float32Array". `index` names
 * the index (its type, or "float" where only the kind is known); `role` says which vectors:
 * `'build'` (`count` rows) or `'query'` (`nq` rows).
 */
export function checkVectorKind(index: string, binary: boolean, vectors: unknown, role: 'build' | 'query'): void {
  const rows = role === 'build' ? 'count' : 'nq';
  if (binary) {
    if (vectors instanceof Uint8Array) return;
    throw invalidParameter(`${index} index expects binary ${role} vectors (Uint8Array of ${rows} × dim/8 bytes), got ${kindName(vectors)}`);
  }
  if (vectors instanceof Float32Array) return;
  throw invalidParameter(`${index} index expects float ${role} vectors (Float32Array of ${rows} × dim floats), got ${kindName(vectors)}`);
}

/** The constructor name of `value` for an error message ("Uint8Array", "Float32Array", "null" …). */
function kindName(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  const name = (value as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === 'string' ? name : typeof value;
}
