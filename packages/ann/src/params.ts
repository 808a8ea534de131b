/**
 * Validation of index parameters, with the ranges Milvus documents, and of search call shapes.
 * Every failure is a `ShoalError(ErrorCode.ParameterInvalid)` naming the parameter, the value given
 * and what is allowed, as Milvus's `merr.WrapErrParameterInvalid` messages do.
 */
import { ErrorCode, invalidParameter, ShoalError } from '@shoal/actors';
import type { IndexSpec, MetricType } from './types.ts';
import { BINARY_METRIC_TYPES, checkVectorKind, isBinaryIndexType, MILVUS_ONLY_BINARY_METRICS } from './vector-kind.ts';

/** Largest vector dimension Milvus accepts (`proxy.maxDimension`, default 32768). */
export const MAX_DIM = 32768;

/** The metrics of float vectors (Milvus `metric_type`). */
export const METRIC_TYPES: readonly MetricType[] = ['L2', 'IP', 'COSINE'];

/** Largest value of a Milvus integer index parameter (`int_max` in its docs: 2³¹ − 1). */
export const INT_MAX = 2147483647;

/** Renders a user-supplied value for an error message (strings quoted, objects as JSON). */
export function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || value === null || value === undefined) return String(value);
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

/**
 * Returns `value` if it is an integer in [min, max]; otherwise throws ParameterInvalid saying
 * "`<where>` parameter `<name>`=<value> …, allowed range [min, max]".
 */
export function checkIntRange(where: string, name: string, value: unknown, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw invalidParameter(`${where} parameter ${name}=${show(value)} is not an integer; allowed range [${min}, ${max}]`);
  }
  if (value < min || value > max) {
    throw invalidParameter(`${where} parameter ${name}=${value} is out of range; allowed range [${min}, ${max}]`);
  }
  return value;
}

/**
 * Throws ParameterInvalid if `params` (a plain object) has a key outside `allowed`, naming the key,
 * its value and the allowed keys.
 */
export function rejectUnknownKeys(where: string, params: object, allowed: readonly string[]): void {
  for (const [key, value] of Object.entries(params)) {
    if (!allowed.includes(key)) {
      const list = allowed.length === 0 ? 'none' : allowed.join(', ');
      throw invalidParameter(`${where} parameter ${key}=${show(value)} is not supported; allowed parameters: ${list}`);
    }
  }
}

/** Throws ParameterInvalid unless `params` is a plain object (not null, not an array). */
export function checkParamsObject(where: string, params: unknown): asserts params is Record<string, unknown> {
  if (typeof params !== 'object' || params === null || Array.isArray(params)) {
    throw invalidParameter(`${where} parameters must be an object of name → value, got ${show(params)}`);
  }
}

/**
 * Validates the parts of an `IndexSpec` common to all index types of a vector kind (`spec.type` must
 * be a known type): for float types `metric` one of L2, IP, COSINE and `dim` an integer in
 * [1, 32768]; for binary types (BIN_*) `metric` HAMMING or JACCARD and `dim` (bits) a multiple of 8
 * in [8, 32768]. Throws ParameterInvalid naming the metric, the index type and the allowed metrics
 * (or the dim and its allowed range), and IndexNotSupported for Milvus's SUBSTRUCTURE and
 * SUPERSTRUCTURE on binary types.
 */
export function checkMetricAndDim(spec: IndexSpec): void {
  const binary = isBinaryIndexType(spec.type);
  const allowed = binary ? BINARY_METRIC_TYPES : METRIC_TYPES;
  if (!allowed.includes(spec.metric)) {
    const kind = binary ? 'binary' : 'float';
    if (binary && MILVUS_ONLY_BINARY_METRICS.includes(spec.metric)) {
      throw new ShoalError(ErrorCode.IndexNotSupported, `metric_type=${show(spec.metric)} is not supported yet by Shoal; allowed for binary vectors: ${allowed.join(', ')}`);
    }
    throw invalidParameter(`metric_type=${show(spec.metric)} is not supported for ${kind} vectors; allowed: ${allowed.join(', ')} for index_type=${spec.type}`);
  }
  if (!binary) {
    checkIntRange('index', 'dim', spec.dim, 1, MAX_DIM);
    return;
  }
  const dim: unknown = spec.dim;
  if (typeof dim !== 'number' || !Number.isInteger(dim) || dim < 8 || dim > MAX_DIM || dim % 8 !== 0) {
    throw invalidParameter(`${spec.type} index parameter dim=${show(dim)} is invalid: a binary vector's dim counts bits; allowed a multiple of 8 in [8, ${MAX_DIM}]`);
  }
}

/**
 * Validates a search call of a float index: `queries` a `Float32Array` (else ParameterInvalid "float
 * index expects float query vectors …"), `k` an integer ≥ 1, `nq` an integer ≥ 0 and
 * `queries.length` equal to `nq × dim`. Throws ParameterInvalid otherwise (a query of the wrong
 * dimension is a user error in Milvus too).
 */
export function checkSearchShape(dim: number, queries: Float32Array | Uint8Array, nq: number, k: number): asserts queries is Float32Array {
  checkVectorKind('float', false, queries, 'query');
  checkIntRange('search', 'topk', k, 1, INT_MAX);
  checkIntRange('search', 'nq', nq, 0, INT_MAX);
  if (queries.length !== nq * dim) {
    throw invalidParameter(`search vectors hold ${queries.length} floats, expected nq × dim = ${nq} × ${dim} = ${nq * dim}`);
  }
}
