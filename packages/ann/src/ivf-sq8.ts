/**
 * IVF_SQ8 (Milvus `IVF_SQ8`): an inverted file (`ivf-lists.ts`) whose lists hold 8-bit scalar
 * quantized vectors (`sq8.ts`, one byte per dimension, trained on a sample of the rows; vectors
 * are quantized directly, not as residuals). Scores are asymmetric: the float query against the
 * decoded codes, so they approximate the exact scores. COSINE works on unit-normalized rows and
 * queries (the score is then the inner product of the normalized query and the decoded row).
 *
 * Payload of its file (`format.ts`), little-endian: the lists part (`writeLists`), then `vmin` f32
 * `dim`, `step` f32 `dim`, then the codes, `count × dim` bytes in list order.
 */
import { SeededRandom } from '@shoal/actors';
import type { IndexFactory } from './factory.ts';
import { encodeIndexFile } from './format.ts';
import { buildInvertedLists, coarseMetric, listsBytes, normalizeRows, probeLists, readLists, writeLists } from './ivf-lists.ts';
import type { InvertedLists } from './ivf-lists.ts';
import { normalizeIvfParams, resolveNprobe } from './ivf-params.ts';
import { KMEANS_DEFAULTS, sampleRows } from './kmeans.ts';
import { bytesOf, PayloadReader } from './payload.ts';
import { resolveRange } from './range.ts';
import { encodeSq8, prepareSq8Query, sq8Dot, sq8L2, trainSq8 } from './sq8.ts';
import type { ScalarQuantizer } from './sq8.ts';
import { TopKHeaps } from './topk.ts';
import type { Bitset, BuildOptions, IndexSearchParams, IndexSpec, SearchResult, VectorIndex } from './types.ts';

/** An IVF_SQ8 index (see the module comment). */
export class IvfSq8Index implements VectorIndex {
  readonly spec: IndexSpec;
  readonly count: number;
  /** The inverted lists and coarse centroids. */
  readonly lists: InvertedLists;
  /** The trained per-dimension ranges. */
  readonly sq: ScalarQuantizer;
  /** `count × dim` codes in list order: position i encodes row `lists.rowIds[i]`. */
  readonly codes: Uint8Array;

  /** Wraps built or loaded parts (kept by reference). */
  constructor(spec: IndexSpec, count: number, lists: InvertedLists, sq: ScalarQuantizer, codes: Uint8Array) {
    this.spec = spec;
    this.count = count;
    this.lists = lists;
    this.sq = sq;
    this.codes = codes;
  }

  /**
   * Approximate top-k over the rows of the `params.nprobe` (default min(8, nlist)) nearest lists
   * (see `VectorIndex.search`), skipping rows whose `filter` bit is clear. With `params.radius` (and
   * `range_filter`), the best k of the probed rows whose (approximate) score lies in that window
   * (`resolveRange`). Throws ParameterInvalid for a bad shape, k, nprobe (allowed range [1, nlist])
   * or range window.
   */
  search(queries: Float32Array, nq: number, k: number, params?: IndexSearchParams, filter?: Bitset): SearchResult {
    const probe = probeLists(this.spec, this.count, this.lists, queries, nq, k, params, filter);
    const { nprobe, probes, filter: pass } = probe;
    const dim = this.spec.dim;
    const l2 = this.spec.metric === 'L2';
    const { offsets, rowIds } = this.lists;
    const { codes, sq } = this;
    const step = sq.step;
    const a = new Float64Array(dim);
    const heaps = new TopKHeaps(nq, k, probe.window);
    for (let q = 0; q < nq; q++) {
      const base = prepareSq8Query(sq, l2, probe.queries, q * dim, a);
      for (let p = 0; p < nprobe; p++) {
        const list = probes[q * nprobe + p];
        const stop = offsets[list + 1];
        for (let i = offsets[list]; i < stop; i++) {
          const id = rowIds[i];
          if (pass !== null && !pass.get(id)) continue;
          const key = l2 ? sq8L2(a, step, codes, i * dim) : -(base + sq8Dot(a, codes, i * dim));
          if (key <= heaps.threshold(q)) heaps.push(q, key, id);
        }
      }
    }
    const ids = new Int32Array(nq * k);
    const scores = new Float32Array(nq * k);
    heaps.drain(ids, scores, !l2);
    return { nq, k, ids, scores };
  }

  /** File bytes: header, lists, ranges, codes. */
  serialize(): Uint8Array {
    return encodeIndexFile(this.spec, this.count, [...writeLists(this.lists), bytesOf(this.sq.vmin), bytesOf(this.sq.step), this.codes]);
  }

  /** Bytes of the codes, ranges, centroids and lists. */
  memoryBytes(): number {
    return this.codes.byteLength + this.sq.vmin.byteLength + this.sq.step.byteLength + listsBytes(this.lists);
  }
}

/** The IVF_SQ8 entry of the index registry. */
export const ivfSq8Factory: IndexFactory = {
  type: 'IVF_SQ8',

  normalizeBuildParams(params: Record<string, unknown>) {
    return normalizeIvfParams('IVF_SQ8', params);
  },

  checkSearchParams(_k: number, params: IndexSearchParams | undefined, spec: IndexSpec) {
    resolveNprobe(spec, params);
    resolveRange(spec.metric, params);
  },

  /**
   * Trains the lists (seeded from `opts.seed`) and the ranges (on a sample of min(count, 256 ·
   * nlist) rows), then encodes every row in list order.
   */
  build(spec: IndexSpec, vectors: Float32Array, count: number, opts: BuildOptions) {
    const { dim, metric } = spec;
    const nlist = spec.params.nlist as number;
    const raw = vectors.subarray(0, count * dim);
    const rows = metric === 'COSINE' ? normalizeRows(raw, count, dim) : raw;
    const rng = new SeededRandom(opts.seed);
    const { lists } = buildInvertedLists('IVF_SQ8', rows, count, dim, nlist, coarseMetric(metric), rng.nextU32());
    const sampleSize = Math.min(count, KMEANS_DEFAULTS.maxPointsPerCentroid * nlist);
    const sq = trainSq8(sampleRows(rows, count, dim, sampleSize, rng), sampleSize, dim);
    const codes = new Uint8Array(count * dim);
    for (let i = 0; i < count; i++) encodeSq8(sq, rows, lists.rowIds[i] * dim, codes, i * dim);
    opts.onProgress?.(count, count);
    return new IvfSq8Index(spec, count, lists, sq, codes);
  },

  load(spec: IndexSpec, count: number, payload: Uint8Array) {
    const reader = new PayloadReader(payload, 'IVF_SQ8');
    const lists = readLists(reader, spec, count);
    const sq = { vmin: reader.f32(spec.dim), step: reader.f32(spec.dim) };
    const codes = reader.u8(count * spec.dim);
    reader.end();
    return new IvfSq8Index(spec, count, lists, sq, codes);
  },

  loadAsync(spec: IndexSpec, count: number, payload: Uint8Array) {
    return Promise.resolve(ivfSq8Factory.load(spec, count, payload));
  },
};
