/**
 * IVF_FLAT (Milvus `IVF_FLAT`): an inverted file (`ivf-lists.ts`) whose lists hold the full float32
 * vectors. A search probes the `nprobe` nearest lists and scores their rows exactly, with the very
 * kernels and arithmetic of FLAT (`scan.ts`), so with nprobe = nlist it returns exactly FLAT's
 * answer, scores and tie order (equal scores → smaller row id) included. Filtered rows are skipped
 * inside the lists. For COSINE the reciprocal row norms are stored, as FLAT does.
 *
 * Payload of its file (`format.ts`), little-endian: for COSINE `count` float64 reciprocal norms (in
 * list order), then the lists part (`writeLists`), then `count × dim` float32 vectors in list order
 * (position i holds row `rowIds[i]`).
 */
import { inverseNorm, innerProduct, l2Squared } from './distance.ts';
import type { IndexFactory } from './factory.ts';
import { encodeIndexFile } from './format.ts';
import { buildInvertedLists, coarseMetric, listsBytes, normalizeRows, probeLists, readLists, writeLists } from './ivf-lists.ts';
import type { InvertedLists } from './ivf-lists.ts';
import { normalizeIvfParams, resolveNprobe } from './ivf-params.ts';
import { bytesOf, PayloadReader } from './payload.ts';
import { resolveRange } from './range.ts';
import { TopKHeaps } from './topk.ts';
import type { Bitset, BuildOptions, IndexSearchParams, IndexSpec, SearchResult, VectorIndex } from './types.ts';

/** An IVF_FLAT index (see the module comment). */
export class IvfFlatIndex implements VectorIndex {
  readonly spec: IndexSpec;
  readonly count: number;
  /** The inverted lists and coarse centroids. */
  readonly lists: InvertedLists;
  /** `count × dim` floats in list order: position i holds row `lists.rowIds[i]`. */
  readonly vectors: Float32Array;
  /** For COSINE, 1/‖row‖ per position (0 for a zero row); else null. */
  readonly invNorms: Float64Array | null;

  /** Wraps built or loaded parts (kept by reference). */
  constructor(spec: IndexSpec, count: number, lists: InvertedLists, vectors: Float32Array, invNorms: Float64Array | null) {
    this.spec = spec;
    this.count = count;
    this.lists = lists;
    this.vectors = vectors;
    this.invNorms = invNorms;
  }

  /**
   * Top-k over the rows of the `params.nprobe` (default min(8, nlist)) lists nearest to each query
   * (see `VectorIndex.search`); rows whose `filter` bit is clear are skipped. With `params.radius`
   * (and `range_filter`), the best k of the probed rows whose score lies in that window
   * (`resolveRange`). Throws ParameterInvalid for a bad shape, k, nprobe (allowed range [1, nlist])
   * or range window.
   */
  search(queries: Float32Array, nq: number, k: number, params?: IndexSearchParams, filter?: Bitset): SearchResult {
    const { nprobe, probes, filter: pass, window } = probeLists(this.spec, this.count, this.lists, queries, nq, k, params, filter);
    const { metric, dim } = this.spec;
    const { offsets, rowIds } = this.lists;
    const vectors = this.vectors;
    const norms = this.invNorms;
    const heaps = new TopKHeaps(nq, k, window);
    for (let q = 0; q < nq; q++) {
      const qOff = q * dim;
      const qi = metric === 'COSINE' ? inverseNorm(queries, qOff, dim) : 1;
      for (let p = 0; p < nprobe; p++) {
        const list = probes[q * nprobe + p];
        const stop = offsets[list + 1];
        for (let i = offsets[list]; i < stop; i++) {
          const id = rowIds[i];
          if (pass !== null && !pass.get(id)) continue;
          let key: number;
          if (metric === 'L2') key = l2Squared(queries, qOff, vectors, i * dim, dim);
          else if (metric === 'IP') key = -innerProduct(queries, qOff, vectors, i * dim, dim);
          else key = -(innerProduct(queries, qOff, vectors, i * dim, dim) * qi * (norms as Float64Array)[i]);
          if (key <= heaps.threshold(q)) heaps.push(q, key, id);
        }
      }
    }
    const ids = new Int32Array(nq * k);
    const scores = new Float32Array(nq * k);
    heaps.drain(ids, scores, metric !== 'L2');
    return { nq, k, ids, scores };
  }

  /** File bytes: header, (COSINE) norms, lists, vectors. */
  serialize(): Uint8Array {
    const parts = this.invNorms ? [bytesOf(this.invNorms)] : [];
    parts.push(...writeLists(this.lists), bytesOf(this.vectors));
    return encodeIndexFile(this.spec, this.count, parts);
  }

  /** Bytes of the vectors, norms, centroids and lists. */
  memoryBytes(): number {
    return this.vectors.byteLength + (this.invNorms?.byteLength ?? 0) + listsBytes(this.lists);
  }
}

/** The IVF_FLAT entry of the index registry. */
export const ivfFlatFactory: IndexFactory = {
  type: 'IVF_FLAT',

  normalizeBuildParams(params: Record<string, unknown>) {
    return normalizeIvfParams('IVF_FLAT', params);
  },

  checkSearchParams(_k: number, params: IndexSearchParams | undefined, spec: IndexSpec) {
    resolveNprobe(spec, params);
    resolveRange(spec.metric, params);
  },

  /** Trains the lists on the rows (normalized for COSINE), then copies the vectors in list order. */
  build(spec: IndexSpec, vectors: Float32Array, count: number, opts: BuildOptions) {
    const { dim, metric } = spec;
    const rows = vectors.subarray(0, count * dim);
    const coarseRows = metric === 'COSINE' ? normalizeRows(rows, count, dim) : rows;
    const { lists } = buildInvertedLists('IVF_FLAT', coarseRows, count, dim, spec.params.nlist as number, coarseMetric(metric), opts.seed);
    const ordered = new Float32Array(count * dim);
    const invNorms = metric === 'COSINE' ? new Float64Array(count) : null;
    for (let i = 0; i < count; i++) {
      const row = lists.rowIds[i];
      ordered.set(rows.subarray(row * dim, (row + 1) * dim), i * dim);
      if (invNorms) invNorms[i] = inverseNorm(rows, row * dim, dim);
    }
    opts.onProgress?.(count, count);
    return new IvfFlatIndex(spec, count, lists, ordered, invNorms);
  },

  load(spec: IndexSpec, count: number, payload: Uint8Array) {
    const reader = new PayloadReader(payload, 'IVF_FLAT');
    const invNorms = spec.metric === 'COSINE' ? reader.f64(count) : null;
    const lists = readLists(reader, spec, count);
    const vectors = reader.f32(count * spec.dim);
    reader.end();
    return new IvfFlatIndex(spec, count, lists, vectors, invNorms);
  },

  loadAsync(spec: IndexSpec, count: number, payload: Uint8Array) {
    return Promise.resolve(ivfFlatFactory.load(spec, count, payload));
  },
};
