/**
 * The inverted file shared by the IVF indexes (Sivic & Zisserman 2003's inverted file, as used for
 * ANN search by Jégou, Douze & Schmid, "Product quantization for nearest neighbor search", TPAMI
 * 2011, §IV "non-exhaustive search"): a coarse quantizer of `nlist` k-means centroids, and for each
 * centroid the list of rows assigned to it. A search probes the `nprobe` centroids nearest to the
 * query and scans only their lists.
 *
 * Coarse metric: L2 for `L2`; inner product (spherical k-means, as faiss's `IndexIVF` does for
 * METRIC_INNER_PRODUCT) for `IP`, and for `COSINE` on unit-normalized rows and queries.
 *
 * Payload part (`writeLists`/`readLists`), all little-endian: centroids f32 `nlist × dim`, list
 * offsets i32 `nlist + 1`, row ids i32 `count` (list by list, ascending within a list).
 */
import { ErrorCode, invalidParameter, ShoalError } from '@shoal/actors';
import { inverseNorm } from './distance.ts';
import { resolveNprobe } from './ivf-params.ts';
import { assignNearest, kmeans } from './kmeans.ts';
import type { KMeansMetric } from './kmeans.ts';
import { checkSearchShape } from './params.ts';
import type { PayloadReader } from './payload.ts';
import { bytesOf } from './payload.ts';
import { resolveRange } from './range.ts';
import type { RangeWindow } from './range.ts';
import { scanTopK } from './scan.ts';
import type { Bitset, IndexSearchParams, IndexSpec, IndexType, MetricType } from './types.ts';

/** Inverted lists over `count` rows: positions `[offsets[l], offsets[l+1])` of `rowIds` are list l's rows. */
export interface InvertedLists {
  nlist: number;
  dim: number;
  /** Metric of the coarse quantizer (see the module comment). */
  metric: KMeansMetric;
  /** `nlist × dim` floats: the coarse centroids. */
  centroids: Float32Array;
  /** `nlist + 1` ascending positions; offsets[0] = 0, offsets[nlist] = count. */
  offsets: Int32Array;
  /** `count` row ids, grouped by list, ascending within each list. */
  rowIds: Int32Array;
}

/** The coarse-quantizer metric of an index metric. */
export function coarseMetric(metric: MetricType): KMeansMetric {
  return metric === 'L2' ? 'L2' : 'IP';
}

/**
 * Rows of `block` (`count × dim` floats) scaled to unit L2 norm, as a new `Float32Array` (zero rows
 * stay zero): the space in which COSINE indexes cluster and quantize.
 */
export function normalizeRows(block: Float32Array, count: number, dim: number): Float32Array {
  const out = new Float32Array(count * dim);
  for (let r = 0; r < count; r++) {
    const off = r * dim;
    const inv = inverseNorm(block, off, dim);
    for (let d = 0; d < dim; d++) out[off + d] = block[off + d] * inv;
  }
  return out;
}

/**
 * Trains `nlist` coarse centroids with k-means (`kmeans.ts`, seeded by `seed`) on `rows` (`count ×
 * dim` floats, already normalized for COSINE) and files every row under its nearest centroid.
 * Returns the lists and each row's list number. Throws `ShoalError(ErrorCode.ParameterInvalid)`
 * if count < nlist.
 */
export function buildInvertedLists(type: IndexType, rows: Float32Array, count: number, dim: number, nlist: number, metric: KMeansMetric, seed: number): { lists: InvertedLists; assign: Int32Array } {
  if (count < nlist) throw invalidParameter(`${type} build needs at least nlist=${nlist} rows to train its coarse quantizer, got ${count} rows; lower nlist or index more rows`);
  const { centroids, assignment } = kmeans(rows, count, dim, nlist, { seed, metric });
  const assign = assignment ?? assignNearest(rows, count, dim, centroids, nlist, metric).assign;
  const { offsets, rowIds } = groupByList(assign, nlist);
  return { lists: { nlist, dim, metric, centroids, offsets, rowIds }, assign };
}

/**
 * Groups rows by list (a counting sort): given `assign` (the list number of each row, in [0, nlist)),
 * returns `offsets` (`nlist + 1` ascending positions) and `rowIds` (the rows, list by list,
 * ascending within a list).
 */
export function groupByList(assign: Int32Array, nlist: number): { offsets: Int32Array; rowIds: Int32Array } {
  const count = assign.length;
  const offsets = new Int32Array(nlist + 1);
  for (let r = 0; r < count; r++) offsets[assign[r] + 1]++;
  for (let l = 0; l < nlist; l++) offsets[l + 1] += offsets[l];
  const fill = offsets.slice(0, nlist);
  const rowIds = new Int32Array(count);
  for (let r = 0; r < count; r++) rowIds[fill[assign[r]]++] = r;
  return { offsets, rowIds };
}

/** True if `offsets` ascend from 0 to `count` over `nlist` lists and every row id lies in [0, count). */
export function listsConsistent(offsets: Int32Array, rowIds: Int32Array, nlist: number, count: number): boolean {
  let ok = offsets[0] === 0 && offsets[nlist] === count;
  for (let l = 0; ok && l < nlist; l++) ok = offsets[l] <= offsets[l + 1];
  for (let i = 0; ok && i < count; i++) ok = rowIds[i] >= 0 && rowIds[i] < count;
  return ok;
}

/** The payload parts of `lists` (see the module comment). */
export function writeLists(lists: InvertedLists): Uint8Array[] {
  return [bytesOf(lists.centroids), bytesOf(lists.offsets), bytesOf(lists.rowIds)];
}

/**
 * Reads the lists part of a payload for `count` rows and checks its consistency (offsets ascending
 * from 0 to count, row ids in range); throws `ShoalError(ErrorCode.IoFailed)` otherwise.
 */
export function readLists(reader: PayloadReader, spec: IndexSpec, count: number): InvertedLists {
  const nlist = spec.params.nlist as number;
  const centroids = reader.f32(nlist * spec.dim);
  const offsets = reader.i32(nlist + 1);
  const rowIds = reader.i32(count);
  if (!listsConsistent(offsets, rowIds, nlist, count)) throw new ShoalError(ErrorCode.IoFailed, `${spec.type} index payload holds inconsistent inverted lists for ${count} rows and nlist=${nlist}`);
  return { nlist, dim: spec.dim, metric: coarseMetric(spec.metric), centroids, offsets, rowIds };
}

/** What an IVF search needs once its arguments are validated. */
export interface IvfProbe {
  /** Lists probed per query. */
  nprobe: number;
  /** `nq × nprobe` list numbers, nearest centroid first. */
  probes: Int32Array;
  /** The queries in the coarse space: unit-normalized for COSINE, else the given array. */
  queries: Float32Array;
  /** The filter, or null. */
  filter: Bitset | null;
  /** The range window of a range search (scores of the probed rows outside it are dropped), or null. */
  window: RangeWindow | null;
}

/**
 * Validates an IVF search (shape, `k`, `nprobe` in [1, nlist], the range window `radius` /
 * `range_filter` (`resolveRange`), a filter of `count` bits — else a `RangeError`, a caller bug)
 * and finds the `nprobe` nearest lists of each query (batched `scanTopK` over the centroids).
 * Throws `ShoalError(ErrorCode.ParameterInvalid)`.
 */
export function probeLists(spec: IndexSpec, count: number, lists: InvertedLists, queries: Float32Array, nq: number, k: number, params: IndexSearchParams | undefined, filter: Bitset | undefined): IvfProbe {
  checkSearchShape(spec.dim, queries, nq, k);
  const nprobe = resolveNprobe(spec, params);
  const window = resolveRange(spec.metric, params);
  if (filter !== undefined && filter.size !== count) throw new RangeError(`filter has ${filter.size} bits, the index ${count} rows`);
  const coarseQueries = spec.metric === 'COSINE' ? normalizeRows(queries, nq, spec.dim) : queries;
  const base = { metric: lists.metric, dim: spec.dim, count: lists.nlist, vectors: lists.centroids, invNorms: null, rowIds: null };
  const probes = scanTopK(base, coarseQueries, nq, nprobe, null).ids;
  return { nprobe, probes, queries: coarseQueries, filter: filter ?? null, window };
}

/** Bytes held by `lists`. */
export function listsBytes(lists: InvertedLists): number {
  return lists.centroids.byteLength + lists.offsets.byteLength + lists.rowIds.byteLength;
}
