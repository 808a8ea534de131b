/**
 * The inverted file of BIN_IVF_FLAT: a coarse quantizer of `nlist` binary centroids and, per
 * centroid, the rows nearest to it by Hamming distance. It is the inverted file of `ivf-lists.ts`
 * over binary codes, as faiss's `IndexBinaryIVF` (faiss wiki, "Binary indexes") builds it.
 *
 * Training, after faiss's `IndexBinaryIVF::train` (a float k-means on the decoded codes, whose
 * centroids `real_to_binary` thresholds back to bits): a sample of at most
 * `maxPointsPerCentroid · nlist` rows (`KMEANS_DEFAULTS`) is unpacked to 0/1 floats and clustered by
 * the float k-means of `kmeans.ts` (squared L2, which on 0/1 vectors equals the Hamming distance;
 * `BINARY_KMEANS_ITERATIONS` Lloyd iterations);
 * each centroid is binarized by thresholding its coordinates at 0.5, so a bit is set iff more than
 * half of the cluster's points have it. Every row then goes to its nearest binary centroid by
 * Hamming distance, ties to the smaller centroid number, for either metric.
 *
 * Payload part (`writeBinaryLists`/`readBinaryLists`), little-endian 32-bit words: the packed
 * centroids `nlist × ⌈dim/32⌉` (`binary-distance.ts`), list offsets `nlist + 1`, row ids `count`
 * (list by list, ascending within a list).
 */
import { ErrorCode, invalidParameter, SeededRandom, ShoalError } from '@shoal/actors';
import { binaryScanTopK } from './binary-scan.ts';
import type { BinaryRows } from './binary-scan.ts';
import { groupByList, listsConsistent } from './ivf-lists.ts';
import { kmeans, KMEANS_DEFAULTS } from './kmeans.ts';
import type { PayloadReader } from './payload.ts';
import { bytesOf } from './payload.ts';
import type { IndexSpec } from './types.ts';

/** Lloyd iterations of the coarse k-means: 10, as faiss's `IndexBinaryIVF` sets `cp.niter` (float IVF uses 25). */
export const BINARY_KMEANS_ITERATIONS = 10;

/** Inverted lists over `count` binary rows: positions `[offsets[l], offsets[l+1])` of `rowIds` are list l's rows. */
export interface BinaryInvertedLists {
  nlist: number;
  /** The `nlist` packed binary centroids (no popcounts: the coarse metric is HAMMING). */
  centroids: BinaryRows;
  /** `nlist + 1` ascending positions; offsets[0] = 0, offsets[nlist] = count. */
  offsets: Int32Array;
  /** `count` row ids, grouped by list, ascending within each list. */
  rowIds: Int32Array;
}

/**
 * Trains `nlist` binary centroids of `dim` bits on `rows` (see the module comment), seeded by `seed`:
 * `nlist × rows.words` packed words. Throws `ShoalError(ErrorCode.ParameterInvalid)` if
 * rows.count < nlist.
 */
export function trainBinaryCentroids(rows: BinaryRows, dim: number, nlist: number, seed: number): Int32Array {
  const size = Math.min(rows.count, KMEANS_DEFAULTS.maxPointsPerCentroid * nlist);
  const chosen = sampleRowNumbers(rows.count, size, new SeededRandom(seed));
  const bytes = new Uint8Array(rows.data.buffer, rows.data.byteOffset, rows.data.byteLength);
  const rowStride = rows.words * 4;
  const train = new Float32Array(size * dim);
  for (let i = 0; i < size; i++) {
    const from = chosen[i] * rowStride;
    for (let b = 0; b < dim; b++) train[i * dim + b] = (bytes[from + (b >>> 3)] >>> (7 - (b & 7))) & 1;
  }
  const { centroids } = kmeans(train, size, dim, nlist, { seed, metric: 'L2', maxIterations: BINARY_KMEANS_ITERATIONS });
  const out = new Int32Array(nlist * rows.words);
  const outBytes = new Uint8Array(out.buffer);
  for (let c = 0; c < nlist; c++) {
    for (let b = 0; b < dim; b++) {
      if (centroids[c * dim + b] > 0.5) outBytes[c * rowStride + (b >>> 3)] |= 0x80 >>> (b & 7);
    }
  }
  return out;
}

/**
 * `size` (≤ n) distinct row numbers of 0..n−1 drawn uniformly without replacement from `rng` (a
 * partial Fisher–Yates shuffle, as `sampleRows` of `kmeans.ts`), ascending.
 */
function sampleRowNumbers(n: number, size: number, rng: SeededRandom): Int32Array {
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  if (size === n) return order;
  for (let i = 0; i < size; i++) {
    const j = i + rng.int(n - i);
    const t = order[i];
    order[i] = order[j];
    order[j] = t;
  }
  return order.subarray(0, size).sort();
}

/**
 * Trains the coarse quantizer of a BIN_IVF_FLAT index of `dim` bits on `rows` and files every row
 * under its nearest centroid (see the module comment). Throws `ShoalError(ErrorCode.ParameterInvalid)`
 * if rows.count < nlist.
 */
export function buildBinaryLists(rows: BinaryRows, dim: number, nlist: number, seed: number): BinaryInvertedLists {
  if (rows.count < nlist) throw invalidParameter(`BIN_IVF_FLAT build needs at least nlist=${nlist} rows to train its coarse quantizer, got ${rows.count} rows; lower nlist or index more rows`);
  const centroids: BinaryRows = { words: rows.words, count: nlist, data: trainBinaryCentroids(rows, dim, nlist, seed), pops: null };
  const { offsets, rowIds } = groupByList(assignBinary(centroids, rows), nlist);
  return { nlist, centroids, offsets, rowIds };
}

/** The nearest of `centroids` to each of `rows` by Hamming distance (ties → smaller centroid number). */
export function assignBinary(centroids: BinaryRows, rows: BinaryRows): Int32Array {
  return binaryScanTopK('HAMMING', centroids, rows, 1, null, null).ids;
}

/** The payload parts of `lists` (see the module comment). */
export function writeBinaryLists(lists: BinaryInvertedLists): Uint8Array[] {
  return [bytesOf(lists.centroids.data), bytesOf(lists.offsets), bytesOf(lists.rowIds)];
}

/**
 * Reads the lists part of a BIN_IVF_FLAT payload for `count` rows and checks its consistency
 * (offsets ascending from 0 to count, row ids in range); throws `ShoalError(ErrorCode.IoFailed)`
 * otherwise.
 */
export function readBinaryLists(reader: PayloadReader, spec: IndexSpec, count: number, words: number): BinaryInvertedLists {
  const nlist = spec.params.nlist as number;
  const centroids: BinaryRows = { words, count: nlist, data: reader.i32(nlist * words), pops: null };
  const offsets = reader.i32(nlist + 1);
  const rowIds = reader.i32(count);
  if (!listsConsistent(offsets, rowIds, nlist, count)) throw new ShoalError(ErrorCode.IoFailed, `${spec.type} index payload holds inconsistent inverted lists for ${count} rows and nlist=${nlist}`);
  return { nlist, centroids, offsets, rowIds };
}

/** Bytes held by `lists`. */
export function binaryListsBytes(lists: BinaryInvertedLists): number {
  return lists.centroids.data.byteLength + lists.offsets.byteLength + lists.rowIds.byteLength;
}
