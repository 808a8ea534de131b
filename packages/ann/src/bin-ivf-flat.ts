/**
 * BIN_IVF_FLAT (Milvus `BIN_IVF_FLAT`): an inverted file of binary vectors (`bin-ivf-lists.ts`)
 * whose lists hold the packed rows themselves. A search probes the `nprobe` lists whose centroids
 * are nearest to the query by Hamming distance and scores their rows exactly under HAMMING or
 * JACCARD with the very kernels of BIN_FLAT (`binary-scan.ts`), so with nprobe = nlist it returns
 * exactly BIN_FLAT's answer, scores and tie order (equal distances → smaller row id) included.
 * Filters and range windows are applied inside the lists. For JACCARD the row popcounts are
 * computed at build and load time (not stored).
 *
 * Payload of its file (`format.ts`), little-endian 32-bit words: the lists part
 * (`writeBinaryLists`), then the packed rows `count × ⌈dim/32⌉` in list order (position i holds
 * row `rowIds[i]`).
 */
import { wordsPerRow } from './binary-distance.ts';
import { binaryRows, binaryScanTopK, prepareBinarySearch, scanBinaryRows, withPopcounts } from './binary-scan.ts';
import type { BinaryRows } from './binary-scan.ts';
import { binaryListsBytes, buildBinaryLists, readBinaryLists, writeBinaryLists } from './bin-ivf-lists.ts';
import type { BinaryInvertedLists } from './bin-ivf-lists.ts';
import type { IndexFactory } from './factory.ts';
import { encodeIndexFile } from './format.ts';
import { normalizeIvfParams, resolveNprobe } from './ivf-params.ts';
import { bytesOf, PayloadReader } from './payload.ts';
import { resolveRange } from './range.ts';
import { TopKHeaps } from './topk.ts';
import type { Bitset, BuildOptions, IndexSearchParams, IndexSpec, SearchResult, VectorIndex } from './types.ts';

/** A BIN_IVF_FLAT index (see the module comment). */
export class BinIvfFlatIndex implements VectorIndex {
  readonly spec: IndexSpec;
  readonly count: number;
  /** The inverted lists and binary coarse centroids. */
  readonly lists: BinaryInvertedLists;
  /** The packed rows in list order (position i holds row `lists.rowIds[i]`), with JACCARD popcounts. */
  readonly rows: BinaryRows;

  /** Wraps built or loaded parts (kept by reference): `data` holds `count × ⌈dim/32⌉` words in list order. */
  constructor(spec: IndexSpec, count: number, lists: BinaryInvertedLists, data: Int32Array) {
    this.spec = spec;
    this.count = count;
    this.lists = lists;
    this.rows = withPopcounts(spec.metric, data, count, wordsPerRow(spec.dim >>> 3));
  }

  /**
   * Top-k of `queries` (`Uint8Array` of `nq × dim/8` bytes) over the rows of the `params.nprobe`
   * (default min(8, nlist)) lists nearest to each query, best (smallest distance) first, ties by
   * smaller row; with `params.radius` (and `range_filter`) only rows with
   * `range_filter <= distance < radius`. Rows whose `filter` bit is clear are skipped. Throws
   * ParameterInvalid for float queries, a bad shape, k, nprobe (allowed [1, nlist]) or range.
   */
  search(queries: Float32Array | Uint8Array, nq: number, k: number, params?: IndexSearchParams, filter?: Bitset): SearchResult {
    const s = prepareBinarySearch(this.spec, this.count, queries, nq, k, params, filter);
    const nprobe = resolveNprobe(this.spec, params);
    const { centroids, offsets, rowIds } = this.lists;
    const probes = binaryScanTopK('HAMMING', centroids, s.queries, nprobe, null, null).ids;
    const heaps = new TopKHeaps(nq, k);
    for (let q = 0; q < nq; q++) {
      for (let p = 0; p < nprobe; p++) {
        const list = probes[q * nprobe + p];
        scanBinaryRows(this.spec.metric, this.rows, s.queries, q, offsets[list], offsets[list + 1], rowIds, s.filter, s.window, heaps);
      }
    }
    const ids = new Int32Array(nq * k);
    const scores = new Float32Array(nq * k);
    heaps.drain(ids, scores, false);
    return { nq, k, ids, scores };
  }

  /** File bytes: header, lists, packed rows. */
  serialize(): Uint8Array {
    return encodeIndexFile(this.spec, this.count, [...writeBinaryLists(this.lists), bytesOf(this.rows.data)]);
  }

  /** Bytes of the packed rows, popcounts, centroids and lists. */
  memoryBytes(): number {
    return this.rows.data.byteLength + (this.rows.pops?.byteLength ?? 0) + binaryListsBytes(this.lists);
  }
}

/** The BIN_IVF_FLAT entry of the index registry. */
export const binIvfFlatFactory: IndexFactory = {
  type: 'BIN_IVF_FLAT',

  normalizeBuildParams(params: Record<string, unknown>) {
    return normalizeIvfParams('BIN_IVF_FLAT', params);
  },

  checkSearchParams(_k: number, params: IndexSearchParams | undefined, spec: IndexSpec) {
    resolveNprobe(spec, params);
    resolveRange(spec.metric, params);
  },

  /** Trains the lists on the rows, then copies the packed rows in list order. */
  build(spec: IndexSpec, vectors: Float32Array | Uint8Array, count: number, opts: BuildOptions) {
    const rowBytes = spec.dim >>> 3;
    const rows = binaryRows('HAMMING', (vectors as Uint8Array).subarray(0, count * rowBytes), count, rowBytes);
    const lists = buildBinaryLists(rows, spec.dim, spec.params.nlist as number, opts.seed);
    const words = rows.words;
    const ordered = new Int32Array(count * words);
    for (let i = 0; i < count; i++) {
      const row = lists.rowIds[i];
      ordered.set(rows.data.subarray(row * words, (row + 1) * words), i * words);
    }
    opts.onProgress?.(count, count);
    return new BinIvfFlatIndex(spec, count, lists, ordered);
  },

  load(spec: IndexSpec, count: number, payload: Uint8Array) {
    const reader = new PayloadReader(payload, 'BIN_IVF_FLAT');
    const words = wordsPerRow(spec.dim >>> 3);
    const lists = readBinaryLists(reader, spec, count, words);
    const data = reader.i32(count * words);
    reader.end();
    return new BinIvfFlatIndex(spec, count, lists, data);
  },

  loadAsync(spec: IndexSpec, count: number, payload: Uint8Array) {
    return Promise.resolve(binIvfFlatFactory.load(spec, count, payload));
  },
};
