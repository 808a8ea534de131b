/**
 * BIN_FLAT (Milvus `BIN_FLAT`): exact brute-force search of binary vectors under HAMMING or
 * JACCARD (`binary-scan.ts`), with filters and range windows. Rows are kept packed in 32-bit words
 * (`binary-distance.ts`): a view of the caller's bytes when each row is a multiple of 4 bytes and
 * the bytes are 4-byte aligned, else a zero-padded copy. For JACCARD the row popcounts are computed
 * at build and load time (not stored).
 *
 * Payload of its file (`format.ts`): `count × ⌈dim/32⌉` 32-bit words, the packed rows (the byte image
 * of each row, zero-padded to a multiple of 4 bytes). Loading views them in place when aligned.
 */
import { packRows, wordsPerRow } from './binary-distance.ts';
import { binaryScanTopK, prepareBinarySearch, withPopcounts } from './binary-scan.ts';
import type { BinaryRows } from './binary-scan.ts';
import type { IndexFactory } from './factory.ts';
import { encodeIndexFile } from './format.ts';
import { rejectUnknownKeys } from './params.ts';
import { bytesOf, PayloadReader } from './payload.ts';
import { resolveRange } from './range.ts';
import type { Bitset, BuildOptions, IndexSearchParams, IndexSpec, SearchResult, VectorIndex } from './types.ts';

/** An exact index over a block of binary vectors (see the module comment). */
export class BinFlatIndex implements VectorIndex {
  readonly spec: IndexSpec;
  readonly count: number;
  /** The packed rows (and, for JACCARD, their popcounts). */
  readonly rows: BinaryRows;

  /** Wraps `data`, `count × ⌈dim/32⌉` packed words (kept by reference), computing JACCARD popcounts. */
  constructor(spec: IndexSpec, count: number, data: Int32Array) {
    this.spec = spec;
    this.count = count;
    this.rows = withPopcounts(spec.metric, data, count, wordsPerRow(spec.dim >>> 3));
  }

  /**
   * Exact top-k of `queries` (`Uint8Array` of `nq × dim/8` bytes), best (smallest distance) first,
   * ties by smaller row; with `params.radius` (and `range_filter`) only rows with
   * `range_filter <= distance < radius`. Rows whose `filter` bit is clear are skipped. Throws
   * ParameterInvalid for float queries, a bad shape, k or range (see `prepareBinarySearch`).
   */
  search(queries: Float32Array | Uint8Array, nq: number, k: number, params?: IndexSearchParams, filter?: Bitset): SearchResult {
    const s = prepareBinarySearch(this.spec, this.count, queries, nq, k, params, filter);
    return binaryScanTopK(this.spec.metric, this.rows, s.queries, k, s.filter, s.window);
  }

  /** File bytes: header, then the packed rows. */
  serialize(): Uint8Array {
    return encodeIndexFile(this.spec, this.count, [bytesOf(this.rows.data)]);
  }

  /** Bytes of the packed rows (shared with the caller's block when viewed) and popcounts. */
  memoryBytes(): number {
    return this.rows.data.byteLength + (this.rows.pops?.byteLength ?? 0);
  }
}

/** The BIN_FLAT entry of the index registry. */
export const binFlatFactory: IndexFactory = {
  type: 'BIN_FLAT',

  normalizeBuildParams(params: Record<string, unknown>) {
    rejectUnknownKeys('BIN_FLAT build', params, []);
    return {};
  },

  checkSearchParams(_k: number, params: IndexSearchParams | undefined, spec: IndexSpec) {
    resolveRange(spec.metric, params);
  },

  build(spec: IndexSpec, vectors: Float32Array | Uint8Array, count: number, opts: BuildOptions) {
    const rowBytes = spec.dim >>> 3;
    const index = new BinFlatIndex(spec, count, packRows((vectors as Uint8Array).subarray(0, count * rowBytes), count, rowBytes));
    opts.onProgress?.(count, count);
    return index;
  },

  load(spec: IndexSpec, count: number, payload: Uint8Array) {
    const reader = new PayloadReader(payload, 'BIN_FLAT');
    const data = reader.i32(count * wordsPerRow(spec.dim >>> 3));
    reader.end();
    return new BinFlatIndex(spec, count, data);
  },

  loadAsync(spec: IndexSpec, count: number, payload: Uint8Array) {
    return Promise.resolve(binFlatFactory.load(spec, count, payload));
  },
};
