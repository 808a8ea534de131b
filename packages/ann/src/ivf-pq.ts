/**
 * IVF_PQ (Milvus `IVF_PQ`): IVFADC of Jégou, Douze & Schmid 2011 (§IV): an inverted file
 * (`ivf-lists.ts`) whose lists hold product-quantization codes (`pq.ts`) of each row's residual,
 * i.e. the row minus its coarse centroid (faiss's default `by_residual`); the codebooks are trained
 * on the residuals. Scores are asymmetric (ADC):
 * - L2: ‖q − c − r‖² ≈ Σ_j ‖(q − c)_j − r̂_j‖², with one table per probed list (query residual);
 * - IP: q·(c + r) ≈ q·c + Σ_j q_j·r̂_j, with one table per query;
 * - COSINE: IP on unit-normalized rows and queries.
 * Memory: m bytes (nbits ≤ 8; 2m for nbits ≤ 16) and a 4-byte row id per row, plus the centroids
 * and codebooks: e.g. 20 bytes per 128-float SIFT row for m = 16 (1/25 of the raw 512 bytes).
 *
 * Payload of its file (`format.ts`), little-endian: the lists part (`writeLists`), the codebooks
 * f32 `m × 2^nbits × dim/m`, then the codes `count × m` (u8 for nbits ≤ 8, else u16) in list order.
 */
import { SeededRandom } from '@shoal/actors';
import type { IndexFactory } from './factory.ts';
import { encodeIndexFile } from './format.ts';
import { buildInvertedLists, coarseMetric, listsBytes, normalizeRows, probeLists, readLists, writeLists } from './ivf-lists.ts';
import type { InvertedLists } from './ivf-lists.ts';
import { normalizeIvfPqParams, resolveNprobe } from './ivf-params.ts';
import { bytesOf, PayloadReader } from './payload.ts';
import { resolveRange } from './range.ts';
import { encodePq, pqKs, pqLookup, pqTable, trainPq } from './pq.ts';
import type { PqCodes, ProductQuantizer } from './pq.ts';
import { innerProduct } from './distance.ts';
import { TopKHeaps } from './topk.ts';
import type { Bitset, BuildOptions, IndexSearchParams, IndexSpec, SearchResult, VectorIndex } from './types.ts';

/** An IVF_PQ index (see the module comment). */
export class IvfPqIndex implements VectorIndex {
  readonly spec: IndexSpec;
  readonly count: number;
  /** The inverted lists and coarse centroids. */
  readonly lists: InvertedLists;
  /** The trained residual product quantizer. */
  readonly pq: ProductQuantizer;
  /** `count × m` codes in list order: position i encodes row `lists.rowIds[i]`. */
  readonly codes: PqCodes;

  /** Wraps built or loaded parts (kept by reference). */
  constructor(spec: IndexSpec, count: number, lists: InvertedLists, pq: ProductQuantizer, codes: PqCodes) {
    this.spec = spec;
    this.count = count;
    this.lists = lists;
    this.pq = pq;
    this.codes = codes;
  }

  /**
   * Approximate top-k over the rows of the `params.nprobe` (default min(8, nlist)) nearest lists
   * (see `VectorIndex.search`), skipping rows whose `filter` bit is clear. Scores are the ADC
   * approximations; with `params.radius` (and `range_filter`) the window (`resolveRange`) applies to
   * them. Throws ParameterInvalid for a bad shape, k, nprobe (range [1, nlist]) or range window.
   */
  search(queries: Float32Array, nq: number, k: number, params?: IndexSearchParams, filter?: Bitset): SearchResult {
    const probe = probeLists(this.spec, this.count, this.lists, queries, nq, k, params, filter);
    const { nprobe, probes, filter: pass } = probe;
    const dim = this.spec.dim;
    const l2 = this.spec.metric === 'L2';
    const { offsets, rowIds, centroids } = this.lists;
    const { codes, pq } = this;
    const { m } = pq;
    const ks = pqKs(pq);
    const table = new Float64Array(m * ks);
    const residual = new Float64Array(dim);
    const heaps = new TopKHeaps(nq, k, probe.window);
    const qs = probe.queries;
    for (let q = 0; q < nq; q++) {
      const qOff = q * dim;
      if (!l2) pqTable(pq, qs, qOff, false, table);
      for (let p = 0; p < nprobe; p++) {
        const list = probes[q * nprobe + p];
        let base = 0;
        if (l2) {
          for (let d = 0; d < dim; d++) residual[d] = qs[qOff + d] - centroids[list * dim + d];
          pqTable(pq, residual, 0, true, table);
        } else base = innerProduct(qs, qOff, centroids, list * dim, dim);
        const stop = offsets[list + 1];
        for (let i = offsets[list]; i < stop; i++) {
          const id = rowIds[i];
          if (pass !== null && !pass.get(id)) continue;
          const v = pqLookup(table, codes, i * m, m, ks);
          const key = l2 ? v : -(base + v);
          if (key <= heaps.threshold(q)) heaps.push(q, key, id);
        }
      }
    }
    const ids = new Int32Array(nq * k);
    const scores = new Float32Array(nq * k);
    heaps.drain(ids, scores, !l2);
    return { nq, k, ids, scores };
  }

  /** File bytes: header, lists, codebooks, codes. */
  serialize(): Uint8Array {
    return encodeIndexFile(this.spec, this.count, [...writeLists(this.lists), bytesOf(this.pq.codebooks), bytesOf(this.codes)]);
  }

  /** Bytes of the codes, codebooks, centroids and lists (no raw vectors are kept). */
  memoryBytes(): number {
    return this.codes.byteLength + this.pq.codebooks.byteLength + listsBytes(this.lists);
  }
}

/** The IVF_PQ entry of the index registry. */
export const ivfPqFactory: IndexFactory = {
  type: 'IVF_PQ',

  normalizeBuildParams(params: Record<string, unknown>, dim: number) {
    return normalizeIvfPqParams(params, dim);
  },

  checkSearchParams(_k: number, params: IndexSearchParams | undefined, spec: IndexSpec) {
    resolveNprobe(spec, params);
    resolveRange(spec.metric, params);
  },

  /**
   * Trains the lists, then the codebooks on the rows' residuals (k-means per sub-space, seeds drawn
   * from `opts.seed`), then encodes every residual in list order. Throws ParameterInvalid if
   * count < nlist or count < 2^nbits.
   */
  build(spec: IndexSpec, vectors: Float32Array, count: number, opts: BuildOptions) {
    const { dim, metric } = spec;
    const { nlist, m, nbits } = spec.params as { nlist: number; m: number; nbits: number };
    const raw = vectors.subarray(0, count * dim);
    const rows = metric === 'COSINE' ? normalizeRows(raw, count, dim) : raw;
    const rng = new SeededRandom(opts.seed);
    const { lists, assign } = buildInvertedLists('IVF_PQ', rows, count, dim, nlist, coarseMetric(metric), rng.nextU32());
    // Residuals in list order, so that codes come out in list order too.
    const residuals = new Float32Array(count * dim);
    for (let i = 0; i < count; i++) {
      const row = lists.rowIds[i];
      const cOff = assign[row] * dim;
      for (let d = 0; d < dim; d++) residuals[i * dim + d] = rows[row * dim + d] - lists.centroids[cOff + d];
    }
    const pq = trainPq(residuals, count, dim, m, nbits, rng);
    const codes = encodePq(pq, residuals, count);
    opts.onProgress?.(count, count);
    return new IvfPqIndex(spec, count, lists, pq, codes);
  },

  load(spec: IndexSpec, count: number, payload: Uint8Array) {
    const { m, nbits } = spec.params as { m: number; nbits: number };
    const reader = new PayloadReader(payload, 'IVF_PQ');
    const lists = readLists(reader, spec, count);
    const codebooks = reader.f32((1 << nbits) * spec.dim);
    const codes = nbits <= 8 ? reader.u8(count * m) : reader.u16(count * m);
    reader.end();
    return new IvfPqIndex(spec, count, lists, { dim: spec.dim, m, nbits, codebooks }, codes);
  },

  loadAsync(spec: IndexSpec, count: number, payload: Uint8Array) {
    return Promise.resolve(ivfPqFactory.load(spec, count, payload));
  },
};
