/**
 * HNSW through hnswlib-node 3 (Malkov & Yashunin, "Efficient and robust approximate nearest
 * neighbor search using Hierarchical Navigable Small World graphs", TPAMI 2018; the C++ hnswlib
 * that Milvus's knowhere also builds on). An adapter folder: hnswlib-node reads and writes index
 * files only by path, so serialize/load pass through a temporary file in `os.tmpdir()`, deleted
 * after use.
 *
 * Milvus conventions: hnswlib's `l2` space already yields the squared distance; its `ip` space
 * yields 1 − x·y and its `cosine` space 1 − cos (it normalises vectors on insert and query), so
 * scores are 1 − distance. hnswlib computes distances in float32, so IP/COSINE scores carry its
 * float32 rounding of 1 − s (absolute error ≈ 6e-8 near s = 0).
 *
 * Range search (`radius`/`range_filter`, `range.ts`): hnswlib has no range API, so a range search
 * asks hnswlib for the k' = max(k, ef) nearest rows and keeps those inside the window, best first;
 * while fewer than k of them are inside the window, all k' lie inside the far bound (so more rows
 * inside it may follow) and k' < the passing rows, it asks again with k' doubled. hnswlib searches
 * with ef' = max(ef, k'), so a round costs about as much as a top-k' search, and all rounds together
 * less than twice the last one: a window holding ≈ W rows nearer than the k-th row wanted costs like
 * a top-(W + k) search, at worst (a window admitting nearly every row, or a `range_filter`
 * excluding most of them) a search visiting the whole graph. With ef ≥ the row count every
 * reachable row is returned at once and the answer is exact.
 *
 * Labels are row offsets. Payload of its file (`format.ts`): hnswlib's own index file, verbatim.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import hnswlib from 'hnswlib-node';
import { ErrorCode, ShoalError } from '@shoal/actors';
import { Bitset as BitsetClass } from '../bitset.ts';
import type { IndexFactory } from '../factory.ts';
import { encodeIndexFile } from '../format.ts';
import { checkIntRange, checkSearchShape, INT_MAX, rejectUnknownKeys } from '../params.ts';
import { keyInRange, resolveRange } from '../range.ts';
import type { RangeWindow } from '../range.ts';
import { scanTopK } from '../scan.ts';
import type { Bitset, BuildOptions, IndexSearchParams, IndexSpec, SearchResult, VectorIndex } from '../types.ts';
import { inverseNorms } from '../distance.ts';

/** HNSW build parameter ranges and defaults (Milvus docs, "HNSW": M [2, 2048], efConstruction [1, int_max]). */
export const HNSW_LIMITS = { M: { min: 2, max: 2048, default: 16 }, efConstruction: { min: 1, max: INT_MAX, default: 200 } } as const;

/** Default search `ef` for top-k when none is given: max(k, 64) (knowhere's own default, k, recalls too little for small k). */
export const HNSW_DEFAULT_EF_FLOOR = 64;

/**
 * When a filter passes at most max(ef, k) rows, hnswlib's filtered search never collects ef
 * passing rows, so it cannot stop early: it visits the whole graph, calling the JS filter at every
 * node (measured ≈ 0.7–2.4 µs per indexed row). Scanning the passing rows exactly instead costs one
 * `getPoint` each (≈ 0.2 µs per dimension: it builds a JS array). The scan is chosen when
 * passing·dim ≤ this factor × count, i.e. when it is the cheaper of the two.
 */
export const HNSW_SCAN_FACTOR = 4;

/** True if a search passing `passing` of `count` rows is answered by scanning them (see `HNSW_SCAN_FACTOR`). */
export function scansPassingRows(passing: number, count: number, dim: number, ef: number, k: number): boolean {
  return passing <= Math.max(ef, k) && passing * dim <= HNSW_SCAN_FACTOR * count;
}

/** hnswlib space of each float metric (`validateIndexSpec` admits only these for HNSW). */
const SPACES: Readonly<Record<string, hnswlib.SpaceName>> = { L2: 'l2', IP: 'ip', COSINE: 'cosine' };

/** Rows between two progress reports of a build. */
const PROGRESS_EVERY = 4096;

/** The search `ef` for top-`k`: `params.ef` validated to [k, 2³¹ − 1], else max(k, 64). Throws ParameterInvalid. */
export function resolveEf(k: number, params: IndexSearchParams | undefined): number {
  const ef = params?.ef;
  if (ef === undefined) return Math.max(k, HNSW_DEFAULT_EF_FLOOR);
  return checkIntRange(`HNSW search (topk=${k})`, 'ef', ef, k, INT_MAX);
}

/** Copies row `row` of `block` into the plain array `out` (hnswlib-node accepts only `number[]`). */
function fillPoint(out: number[], block: Float32Array, row: number, dim: number): void {
  const off = row * dim;
  for (let i = 0; i < dim; i++) out[i] = block[off + i];
}

/** Runs `fn` with a path in a fresh private temporary directory, removed afterwards. */
function withTempPath<T>(fn: (path: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'shoal-hnsw-'));
  try {
    return fn(join(dir, 'index.bin'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** An HNSW graph index held by hnswlib (native memory). */
export class HnswIndex implements VectorIndex {
  readonly spec: IndexSpec;
  readonly count: number;
  private readonly native: hnswlib.HierarchicalNSW;
  private readonly point: number[];
  private currentEf = -1;

  /** Wraps a built or loaded hnswlib index of `count` rows labelled 0..count−1. */
  constructor(spec: IndexSpec, count: number, native: hnswlib.HierarchicalNSW) {
    this.spec = spec;
    this.count = count;
    this.native = native;
    this.point = new Array<number>(spec.dim).fill(0);
  }

  /**
   * Approximate top-k (see `VectorIndex.search`) with `params.ef` (default max(k, 64)). k above the
   * number of (passing) rows yields fewer results, padded with id −1. A filter is applied inside
   * hnswlib's graph search (its filter callback), except that a filter passing very few rows is
   * answered exactly by a scan of those rows (`scansPassingRows`). With `params.radius` (and
   * `range_filter`), the best k rows found inside that window (`resolveRange`; see the module comment
   * for the strategy and its cost). Throws ParameterInvalid for a bad shape, k, ef or range window.
   */
  search(queries: Float32Array, nq: number, k: number, params?: IndexSearchParams, filter?: Bitset): SearchResult {
    const dim = this.spec.dim;
    checkSearchShape(dim, queries, nq, k);
    const ef = resolveEf(k, params);
    const window = resolveRange(this.spec.metric, params);
    if (filter !== undefined && filter.size !== this.count) throw new RangeError(`filter has ${filter.size} bits, the index ${this.count} rows`);
    let passing = this.count;
    let accept: ((label: number) => boolean) | undefined;
    if (filter !== undefined) {
      passing = countPassing(filter);
      if (scansPassingRows(passing, this.count, dim, ef, k)) return this.scanPassing(queries, nq, k, filter, passing, window);
      if (passing < this.count) accept = acceptFunction(filter);
    }
    if (ef !== this.currentEf) {
      this.native.setEf(ef);
      this.currentEf = ef;
    }
    if (window !== null) return this.searchRange(queries, nq, k, ef, window, passing, accept);
    const ids = new Int32Array(nq * k);
    const scores = new Float32Array(nq * k);
    const l2 = this.spec.metric === 'L2';
    const pad = l2 ? Infinity : -Infinity;
    const kk = Math.min(k, passing);
    const point = this.point;
    for (let q = 0; q < nq; q++) {
      fillPoint(point, queries, q, dim);
      const res = this.native.searchKnn(point, kk, accept);
      const neighbors = res.neighbors;
      const distances = res.distances;
      const n = neighbors.length;
      const base = q * k;
      for (let i = 0; i < n; i++) {
        ids[base + i] = neighbors[i];
        scores[base + i] = l2 ? distances[i] : 1 - distances[i];
      }
      for (let i = n; i < k; i++) {
        ids[base + i] = -1;
        scores[base + i] = pad;
      }
    }
    return { nq, k, ids, scores };
  }

  /**
   * Range search (see the module comment): per query, rounds of `searchKnn` for k' = max(k, ef)
   * rows, k' doubling (up to `passing`) while fewer than k results lie in `window`, hnswlib
   * returned all k' asked for and the farthest of them is still inside the far bound.
   */
  private searchRange(queries: Float32Array, nq: number, k: number, ef: number, window: RangeWindow, passing: number, accept: ((label: number) => boolean) | undefined): SearchResult {
    const dim = this.spec.dim;
    const l2 = this.spec.metric === 'L2';
    const ids = new Int32Array(nq * k);
    const scores = new Float32Array(nq * k);
    const pad = l2 ? Infinity : -Infinity;
    const point = this.point;
    for (let q = 0; q < nq; q++) {
      fillPoint(point, queries, q, dim);
      const base = q * k;
      let want = Math.min(Math.max(k, ef), passing);
      let found = 0;
      while (want > 0) {
        const { neighbors, distances } = this.native.searchKnn(point, want, accept);
        const n = neighbors.length;
        found = 0; // each round rewrites the places from the start
        let lastKey = Infinity;
        for (let i = 0; i < n; i++) {
          const score = Math.fround(l2 ? distances[i] : 1 - distances[i]);
          lastKey = window.sign * score;
          if (found < k && keyInRange(window, lastKey)) {
            ids[base + found] = neighbors[i];
            scores[base + found++] = score;
          }
        }
        if (found >= k || n < want || want >= passing || !(lastKey < window.farKey)) break;
        want = Math.min(2 * want, passing);
      }
      for (let i = found; i < k; i++) {
        ids[base + i] = -1;
        scores[base + i] = pad;
      }
    }
    return { nq, k, ids, scores };
  }

  /** Exact search over the `passing` rows of `filter`, reading their vectors back from hnswlib, within `window` if given. */
  private scanPassing(queries: Float32Array, nq: number, k: number, filter: Bitset, passing: number, window: RangeWindow | null): SearchResult {
    const dim = this.spec.dim;
    const vectors = new Float32Array(passing * dim);
    const rowIds = new Int32Array(passing);
    let n = 0;
    forEachPassing(filter, (row) => {
      vectors.set(this.native.getPoint(row), n * dim);
      rowIds[n++] = row;
    });
    const metric = this.spec.metric;
    const invNorms = metric === 'COSINE' ? inverseNorms(vectors, passing, dim) : null;
    return scanTopK({ metric, dim, count: passing, vectors, invNorms, rowIds }, queries, nq, k, null, window);
  }

  /** File bytes: the header, then hnswlib's index file. */
  serialize(): Uint8Array {
    const native = withTempPath((path) => {
      this.native.writeIndexSync(path);
      return readFileSync(path);
    });
    return encodeIndexFile(this.spec, this.count, [native]);
  }

  /**
   * hnswlib's memory, estimated from its layout: per row the vector, the level-0 links (2M + 1
   * u32), the label, level and lock, the label map entry, and on average 1/(M − 1) upper levels
   * of M + 1 u32 each.
   */
  memoryBytes(): number {
    const M = this.spec.params.M ?? HNSW_LIMITS.M.default;
    const perRow = this.spec.dim * 4 + (2 * M + 1) * 4 + 8 + 4 + 40 + 8 + 32 + ((M + 1) * 4) / (M - 1);
    return Math.round(Math.max(1, this.count) * perRow);
  }
}

/** Number of set bits of `filter` (word popcount for the concrete `Bitset`, else bit by bit). */
function countPassing(filter: Bitset): number {
  if (filter instanceof BitsetClass) return filter.count();
  let n = 0;
  for (let i = 0; i < filter.size; i++) if (filter.get(i)) n++;
  return n;
}

/** Calls `fn` with each passing row, ascending. */
function forEachPassing(filter: Bitset, fn: (row: number) => void): void {
  if (filter instanceof BitsetClass) return filter.forEach(fn);
  for (let i = 0; i < filter.size; i++) if (filter.get(i)) fn(i);
}

/** The per-label callback hnswlib calls during a filtered search (reads the words directly when it can). */
function acceptFunction(filter: Bitset): (label: number) => boolean {
  if (filter instanceof BitsetClass) {
    const words = filter.words;
    return (label) => (words[label >>> 5] & (1 << (label & 31))) !== 0;
  }
  return (label) => filter.get(label);
}

/** The error for an hnswlib file that hnswlib cannot read. */
function unreadable(err: unknown): ShoalError {
  return new ShoalError(ErrorCode.IoFailed, `HNSW index payload is not a readable hnswlib index: ${(err as Error).message}`);
}

/** Checks what hnswlib loaded against the file header; throws IoFailed on a mismatch. */
function checkLoaded(spec: IndexSpec, count: number, native: hnswlib.HierarchicalNSW): HnswIndex {
  const dim = native.getNumDimensions();
  const loaded = native.getCurrentCount();
  if (dim !== spec.dim || loaded !== count) {
    throw new ShoalError(ErrorCode.IoFailed, `HNSW index payload holds ${loaded} × ${dim} vectors, the header announces ${count} × ${spec.dim}`);
  }
  return new HnswIndex(spec, count, native);
}

/** The HNSW entry of the index registry. */
export const hnswFactory: IndexFactory = {
  type: 'HNSW',

  normalizeBuildParams(params: Record<string, unknown>) {
    rejectUnknownKeys('HNSW build', params, ['M', 'efConstruction']);
    const { M, efConstruction } = HNSW_LIMITS;
    return {
      M: params.M === undefined ? M.default : checkIntRange('HNSW build', 'M', params.M, M.min, M.max),
      efConstruction: params.efConstruction === undefined
        ? efConstruction.default
        : checkIntRange('HNSW build', 'efConstruction', params.efConstruction, efConstruction.min, efConstruction.max),
    };
  },

  checkSearchParams(k: number, params: IndexSearchParams | undefined, spec: IndexSpec) {
    resolveEf(k, params);
    resolveRange(spec.metric, params);
  },

  build(spec: IndexSpec, vectors: Float32Array, count: number, opts: BuildOptions) {
    const native = new hnswlib.HierarchicalNSW(SPACES[spec.metric], spec.dim);
    native.initIndex(Math.max(1, count), spec.params.M, spec.params.efConstruction, opts.seed);
    const point = new Array<number>(spec.dim).fill(0);
    for (let row = 0; row < count; row++) {
      fillPoint(point, vectors, row, spec.dim);
      native.addPoint(point, row);
      if (opts.onProgress && (row + 1) % PROGRESS_EVERY === 0 && row + 1 < count) opts.onProgress(row + 1, count);
    }
    opts.onProgress?.(count, count);
    return new HnswIndex(spec, count, native);
  },

  load(spec: IndexSpec, count: number, payload: Uint8Array) {
    const native = new hnswlib.HierarchicalNSW(SPACES[spec.metric], spec.dim);
    withTempPath((path) => {
      writeFileSync(path, payload);
      try {
        native.readIndexSync(path);
      } catch (err) {
        throw unreadable(err);
      }
    });
    return checkLoaded(spec, count, native);
  },

  async loadAsync(spec: IndexSpec, count: number, payload: Uint8Array) {
    const native = new hnswlib.HierarchicalNSW(SPACES[spec.metric], spec.dim);
    const dir = await mkdtemp(join(tmpdir(), 'shoal-hnsw-'));
    try {
      const path = join(dir, 'index.bin');
      await writeFile(path, payload);
      await native.readIndex(path).catch((err: unknown) => {
        throw unreadable(err);
      });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    return checkLoaded(spec, count, native);
  },
};
