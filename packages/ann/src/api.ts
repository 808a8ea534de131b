/**
 * The entry points of `@shoal/ann`: validate specs and search parameters, build an index, load a
 * serialized one. They dispatch on `spec.type` through the registry (`registry.ts`).
 */
import { ErrorCode, ShoalError } from '@shoal/actors';
import { decodeIndexFile } from './format.ts';
import { checkIntRange, checkMetricAndDim, checkParamsObject, INT_MAX, show } from './params.ts';
import { indexFactory } from './registry.ts';
import type { BuildOptions, IndexSearchParams, IndexSpec, VectorIndex } from './types.ts';
import { checkVectorKind, isBinaryIndexType } from './vector-kind.ts';

/**
 * Validates an index spec and returns it normalized: the same type, metric and dim, and the build
 * parameters with every default filled in (e.g. HNSW `{ M: 16, efConstruction: 200 }`).
 * Throws `ShoalError(ErrorCode.ParameterInvalid)` naming the parameter, its value and what is
 * allowed (a metric not of the index type's vector kind — L2/IP/COSINE for float types,
 * HAMMING/JACCARD for BIN_* —, dim outside [1, 32768] or, for BIN_*, not a multiple of 8 in
 * [8, 32768], unknown or out-of-range build parameter), or `ErrorCode.IndexNotSupported` for a
 * Milvus index type or metric (SUBSTRUCTURE, SUPERSTRUCTURE) Shoal does not support.
 */
export function validateIndexSpec(spec: IndexSpec): IndexSpec {
  if (typeof spec !== 'object' || spec === null) throw new ShoalError(ErrorCode.ParameterInvalid, `index spec must be an object, got ${show(spec)}`);
  const factory = indexFactory(spec.type);
  checkMetricAndDim(spec);
  const params: unknown = spec.params ?? {};
  checkParamsObject(`${factory.type} build`, params);
  return { type: factory.type, metric: spec.metric, dim: spec.dim, params: factory.normalizeBuildParams(params, spec.dim) };
}

/**
 * Validates a search against an index of `spec`: `k` (Milvus `topk`) an integer ≥ 1 and the
 * search parameters of the index type (HNSW: `ef` in [k, 2³¹ − 1]; IVF_* and BIN_IVF_FLAT: `nprobe`
 * in [1, nlist]; every type: the range window `radius`/`range_filter`, `resolveRange`). Names the type does not know
 * are ignored (see `IndexSearchParams`). Throws `ShoalError(ErrorCode.ParameterInvalid)`.
 */
export function validateSearchParams(spec: IndexSpec, k: number, params?: IndexSearchParams): void {
  const factory = indexFactory(spec.type);
  checkIntRange('search', 'topk', k, 1, INT_MAX);
  if (params !== undefined) checkParamsObject(`${factory.type} search`, params);
  factory.checkSearchParams(k, params, spec);
}

/**
 * Builds an index of `spec` over rows 0..count−1 of `vectors`, row-major: for a float type a
 * `Float32Array` of at least `count × spec.dim` floats, for a binary type (BIN_*) a `Uint8Array`
 * of at least `count × spec.dim/8` bytes. Runs synchronously on the calling thread (use an
 * `IndexBuilder` to build off the request thread). FLAT keeps a reference to `vectors`, and
 * BIN_FLAT does when rows are a multiple of 4 bytes: do not change those rows afterwards.
 * `opts.seed` (integer in [0, 2³² − 1]) makes builds reproducible. Throws
 * `ShoalError(ErrorCode.ParameterInvalid)` on an invalid spec, count or seed, vectors of the other
 * kind, or too few floats (bytes).
 */
export function buildIndex(spec: IndexSpec, vectors: Float32Array | Uint8Array, count: number, opts: BuildOptions): VectorIndex {
  const normalized = validateIndexSpec(spec);
  checkIntRange('build', 'count', count, 0, INT_MAX);
  checkIntRange('build', 'seed', opts.seed, 0, 0xffffffff);
  const binary = isBinaryIndexType(normalized.type);
  checkVectorKind(normalized.type, binary, vectors, 'build');
  if (binary && vectors.length < count * (normalized.dim >>> 3)) {
    throw new ShoalError(ErrorCode.ParameterInvalid, `build vectors hold ${vectors.length} bytes, fewer than count × dim/8 = ${count} × ${normalized.dim >>> 3}`);
  }
  if (!binary && vectors.length < count * normalized.dim) {
    throw new ShoalError(ErrorCode.ParameterInvalid, `build vectors hold ${vectors.length} floats, fewer than count × dim = ${count} × ${normalized.dim}`);
  }
  return indexFactory(normalized.type).build(normalized, vectors, count, opts);
}

/**
 * The fewest rows an index of `spec` can be trained on: IVF types (IVF_FLAT, IVF_SQ8, IVF_PQ,
 * BIN_IVF_FLAT) need at least `nlist` rows (one per coarse centroid), IVF_PQ also `2^nbits` (one
 * per codebook entry); FLAT, BIN_FLAT and HNSW 0. Callers index smaller blocks by brute force
 * instead (exact). `spec` must be validated.
 */
export function minRowsToBuild(spec: IndexSpec): number {
  const nlist = spec.params.nlist ?? 0;
  return spec.type === 'IVF_PQ' ? Math.max(nlist, 2 ** (spec.params.nbits ?? 8)) : nlist;
}

/** Decodes the header of an index file and validates its spec; a bad spec is reported as a corrupt file. */
function openIndexFile(bytes: Uint8Array): { spec: IndexSpec; count: number; payload: Uint8Array } {
  const parts = decodeIndexFile(bytes);
  let spec: IndexSpec;
  try {
    spec = validateIndexSpec(parts.spec);
  } catch (err) {
    throw new ShoalError(ErrorCode.IoFailed, `index file header holds an invalid spec: ${(err as Error).message}`);
  }
  return { spec, count: parts.count, payload: parts.payload };
}

/**
 * Loads an index from the bytes of `VectorIndex.serialize()` (layout in `format.ts`), after
 * verifying its magic, CRC-32 and version. FLAT views the vectors inside `bytes` without copying
 * when they are 4-byte aligned (so `bytes` must not change afterwards). HNSW reads the bytes into
 * native memory (through a temporary file, synchronously: prefer `loadIndexAsync` on a request
 * thread). Throws `ShoalError(ErrorCode.IoFailed)` for a corrupt, truncated or foreign file.
 */
export function loadIndex(bytes: Uint8Array): VectorIndex {
  const { spec, count, payload } = openIndexFile(bytes);
  return indexFactory(spec.type).load(spec, count, payload);
}

/** As `loadIndex`, but HNSW's file I/O and parsing happen off the calling thread. Rejects with the same errors. */
export async function loadIndexAsync(bytes: Uint8Array): Promise<VectorIndex> {
  const { spec, count, payload } = openIndexFile(bytes);
  return indexFactory(spec.type).loadAsync(spec, count, payload);
}
