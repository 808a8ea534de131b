/**
 * FLAT: exact brute-force search over the vectors themselves (Milvus `FLAT`). Scores are exact up to
 * float64 accumulation of the float32 inputs, rounded to float32. For COSINE the reciprocal row
 * norms are precomputed at build time.
 *
 * Payload of its file (`format.ts`): for COSINE first `count` float64 reciprocal norms, then
 * `count × dim` float32 vectors (little-endian; the norms come first so both stay aligned).
 * Loading views both arrays in place when the payload is aligned (zero-copy), else copies.
 */
import { ErrorCode, ShoalError } from '@shoal/actors';
import { inverseNorms } from './distance.ts';
import type { IndexFactory } from './factory.ts';
import { encodeIndexFile } from './format.ts';
import { viewOrCopy } from './payload.ts';
import { checkSearchShape, rejectUnknownKeys } from './params.ts';
import { resolveRange } from './range.ts';
import type { RangeWindow } from './range.ts';
import { Bitset as BitsetClass } from './bitset.ts';
import { scanTopK } from './scan.ts';
import type { Bitset, BuildOptions, IndexSearchParams, IndexSpec, SearchResult, VectorIndex } from './types.ts';

/**
 * A filter passing at most 1/this of the rows is scanned by gathering the passing rows (one set bit
 * per word on average and below: walking the words beats testing every row's bit).
 */
const SPARSE_FILTER_RATIO = 32;

/** An exact index over a block of vectors (see the module comment). */
export class FlatIndex implements VectorIndex {
  readonly spec: IndexSpec;
  readonly count: number;
  /** The indexed rows, `count × dim` floats; a view of the caller's or the file's memory. */
  readonly vectors: Float32Array;
  /** 1/‖row‖ per row for COSINE (0 for a zero row), else null. */
  readonly invNorms: Float64Array | null;

  /**
   * Wraps `vectors` (exactly `count × spec.dim` floats, kept by reference: the caller must not change
   * them afterwards) and, for COSINE, their reciprocal norms (computed if not given).
   */
  constructor(spec: IndexSpec, count: number, vectors: Float32Array, invNorms: Float64Array | null) {
    this.spec = spec;
    this.count = count;
    this.vectors = vectors;
    this.invNorms = spec.metric === 'COSINE' ? (invNorms ?? inverseNorms(vectors, count, spec.dim)) : null;
  }

  /**
   * Exact top-k (see `VectorIndex.search`). FLAT's only search parameters are the range window
   * `radius`/`range_filter` (`resolveRange`, ParameterInvalid when invalid): with it, the best k of
   * the rows whose score lies inside the window.
   */
  search(queries: Float32Array, nq: number, k: number, params?: IndexSearchParams, filter?: Bitset): SearchResult {
    checkSearchShape(this.spec.dim, queries, nq, k);
    const { metric, dim } = this.spec;
    const window = resolveRange(metric, params);
    if (filter !== undefined && filter.size !== this.count) throw new RangeError(`filter has ${filter.size} bits, the index ${this.count} rows`);
    if (filter instanceof BitsetClass && filter.count() * SPARSE_FILTER_RATIO <= this.count) return this.scanPassing(queries, nq, k, filter, window);
    return scanTopK({ metric, dim, count: this.count, vectors: this.vectors, invNorms: this.invNorms, rowIds: null }, queries, nq, k, filter ?? null, window);
  }

  /**
   * The same answer as the full scan, for a sparse filter: the passing rows (found by walking the
   * bitset's words, not testing every bit) are gathered into a block and scanned with their row ids,
   * so the cost is that of the passing rows, not of every row.
   */
  private scanPassing(queries: Float32Array, nq: number, k: number, filter: BitsetClass, window: RangeWindow | null): SearchResult {
    const { metric, dim } = this.spec;
    const passing = filter.count();
    const vectors = new Float32Array(passing * dim);
    const rowIds = new Int32Array(passing);
    const invNorms = this.invNorms === null ? null : new Float64Array(passing);
    let n = 0;
    filter.forEach((row) => {
      vectors.set(this.vectors.subarray(row * dim, (row + 1) * dim), n * dim);
      if (invNorms !== null) invNorms[n] = (this.invNorms as Float64Array)[row];
      rowIds[n++] = row;
    });
    return scanTopK({ metric, dim, count: passing, vectors, invNorms, rowIds }, queries, nq, k, null, window);
  }

  /** File bytes: header, then (COSINE) the float64 reciprocal norms, then the float32 vectors. */
  serialize(): Uint8Array {
    const parts: Uint8Array[] = [];
    if (this.invNorms) parts.push(new Uint8Array(this.invNorms.buffer, this.invNorms.byteOffset, this.invNorms.byteLength));
    parts.push(new Uint8Array(this.vectors.buffer, this.vectors.byteOffset, this.vectors.byteLength));
    return encodeIndexFile(this.spec, this.count, parts);
  }

  /** Bytes of the vectors and norms (shared with the caller's block when built by reference). */
  memoryBytes(): number {
    return this.vectors.byteLength + (this.invNorms?.byteLength ?? 0);
  }
}

/** The FLAT entry of the index registry. */
export const flatFactory: IndexFactory = {
  type: 'FLAT',

  normalizeBuildParams(params: Record<string, unknown>) {
    rejectUnknownKeys('FLAT build', params, []);
    return {};
  },

  checkSearchParams(_k: number, params: IndexSearchParams | undefined, spec: IndexSpec) {
    resolveRange(spec.metric, params); // FLAT's only parameters; unknown names are ignored (see IndexSearchParams)
  },

  build(spec: IndexSpec, vectors: Float32Array, count: number, opts: BuildOptions) {
    const index = new FlatIndex(spec, count, vectors.subarray(0, count * spec.dim), null);
    opts.onProgress?.(count, count);
    return index;
  },

  load(spec: IndexSpec, count: number, payload: Uint8Array) {
    const normBytes = spec.metric === 'COSINE' ? count * 8 : 0;
    const expected = normBytes + count * spec.dim * 4;
    if (payload.byteLength !== expected) {
      throw new ShoalError(ErrorCode.IoFailed, `FLAT index payload has ${payload.byteLength} bytes, expected ${expected} for ${count} × ${spec.dim} ${spec.metric}`);
    }
    const invNorms = normBytes > 0 ? viewOrCopy(payload, 0, count, 8, (b, o, n) => new Float64Array(b, o, n)) : null;
    const vectors = viewOrCopy(payload, normBytes, count * spec.dim, 4, (b, o, n) => new Float32Array(b, o, n));
    return new FlatIndex(spec, count, vectors, invNorms);
  },

  loadAsync(spec: IndexSpec, count: number, payload: Uint8Array) {
    return Promise.resolve(flatFactory.load(spec, count, payload));
  },
};
