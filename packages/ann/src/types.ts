/**
 * The one interface of every vector index (DESIGN.md, "Indexes"). Conventions follow Milvus:
 * - `L2` reports the **squared** Euclidean distance; smaller is closer.
 * - `IP` reports the inner product; larger is closer.
 * - `COSINE` reports the cosine similarity in [-1, 1]; larger is closer.
 * - `HAMMING` (binary vectors) reports the number of differing bits; smaller is closer.
 * - `JACCARD` (binary vectors) reports 1 − |a ∧ b| / |a ∨ b| in [0, 1] (0 when both vectors are
 *   all zero); smaller is closer.
 *
 * Float vector fields use FLAT, HNSW, IVF_FLAT, IVF_SQ8, IVF_PQ with L2/IP/COSINE over `Float32Array`
 * rows of `dim` floats; binary vector fields use BIN_FLAT, BIN_IVF_FLAT with HAMMING/JACCARD over
 * `Uint8Array` rows of `dim / 8` bytes (`dim` counts bits; bit i of a vector is bit 7 − i % 8 of
 * byte ⌊i / 8⌋, most significant first, as Milvus and numpy's `packbits`).
 */

/** Metric (Milvus `metric_type`): L2, IP, COSINE for float vectors; HAMMING, JACCARD for binary vectors. */
export type MetricType = 'L2' | 'IP' | 'COSINE' | 'HAMMING' | 'JACCARD';

/** Index type (Milvus `index_type`): BIN_FLAT and BIN_IVF_FLAT index binary vectors, the others float vectors. */
export type IndexType = 'FLAT' | 'HNSW' | 'IVF_FLAT' | 'IVF_SQ8' | 'IVF_PQ' | 'BIN_FLAT' | 'BIN_IVF_FLAT';

/**
 * Build parameters (Milvus names; integers). FLAT and BIN_FLAT take none. HNSW: `M` in [2, 2048]
 * (default 16), `efConstruction` in [1, 2147483647] (default 200). IVF_FLAT, IVF_SQ8, IVF_PQ,
 * BIN_IVF_FLAT: `nlist` in [1, 65536] (default 128); IVF_PQ also `m` (required, a divisor of dim)
 * and `nbits` in [1, 16] (default 8). Unknown names are rejected (`validateIndexSpec`).
 */
export interface IndexBuildParams {
  M?: number;
  efConstruction?: number;
  nlist?: number;
  m?: number;
  nbits?: number;
}

/**
 * Search parameters (Milvus names). Every type takes the range window `radius`/`range_filter`
 * (numbers, see `range.ts`); FLAT and BIN_FLAT nothing else. The integers: HNSW `ef` in
 * [k, 2147483647] (default max(k, 64)). IVF_FLAT, IVF_SQ8, IVF_PQ, BIN_IVF_FLAT: `nprobe` in
 * [1, nlist] (default min(8, nlist)). Names an index type does not know are ignored, as Milvus does (clients
 * commonly send e.g. `nprobe` whatever the index), so one set of parameters can be passed to the
 * indexed and the brute-force-searched segments of a collection alike.
 */
export interface IndexSearchParams {
  ef?: number;
  nprobe?: number;
  /** Range search (every index type): the far bound of the score window, see `range.ts`. */
  radius?: number;
  /** Range search: the near bound of the score window (needs `radius`), see `range.ts`. */
  range_filter?: number;
}

/**
 * What to build: type, metric and parameters for vectors of `dim` float32s (float index types) or of
 * `dim` bits, i.e. `dim / 8` bytes (binary index types BIN_FLAT, BIN_IVF_FLAT; dim a multiple of 8).
 */
export interface IndexSpec {
  type: IndexType;
  metric: MetricType;
  dim: number;
  params: IndexBuildParams;
}

/**
 * Top-k results of a batch of `nq` queries: row `q` occupies `[q·k, (q+1)·k)`.
 * `ids` are row offsets in the indexed block (−1 where fewer than k rows qualified),
 * `scores` the metric's values (see the file comment), best first.
 */
export interface SearchResult {
  nq: number;
  k: number;
  ids: Int32Array;
  scores: Float32Array;
}

/**
 * A vector index over a block of `count` vectors (row offsets 0..count−1).
 */
export interface VectorIndex {
  readonly spec: IndexSpec;
  /** Number of indexed vectors. */
  readonly count: number;
  /**
   * Searches `queries` for the `k` best rows each: a `Float32Array` of `nq × dim` floats for a float
   * index, a `Uint8Array` of `nq × dim/8` bytes for a binary one (row-major either way).
   * `filter`, if given, is a bitset over rows where a set bit means the row may be returned;
   * its size must be `count` (else `RangeError`: a caller bug, not a user error).
   * Throws `ShoalError(ErrorCode.ParameterInvalid)` on queries of the other kind, a wrong query
   * length, k < 1 or an invalid search parameter (see `validateSearchParams`).
   */
  search(queries: Float32Array | Uint8Array, nq: number, k: number, params?: IndexSearchParams, filter?: Bitset): SearchResult;
  /**
   * Serializes to a self-describing, versioned byte string with a CRC-32 (layout in `format.ts`;
   * read back by `loadIndex`). Deterministic: `serialize(load(serialize(x)))` equals `serialize(x)`.
   */
  serialize(): Uint8Array;
  /** Memory held by the index in bytes (approximate, excluding the JS object overhead). */
  memoryBytes(): number;
}

/** A fixed-size bitset over row offsets; bit i set = row i passes. Backed by a `Uint32Array`. */
export interface Bitset {
  readonly size: number;
  get(i: number): boolean;
}

/** Called during a build with the number of rows indexed so far and the total (both counts of rows). */
export type BuildProgress = (indexedRows: number, totalRows: number) => void;

/** Options of `buildIndex`. */
export interface BuildOptions {
  /**
   * Seed of the build's randomness (HNSW level assignment), an integer in [0, 2³² − 1]. Equal
   * seeds, specs and vectors give bit-identical indexes.
   */
  seed: number;
  /** Optional progress callback, called every few thousand rows and once at the end. */
  onProgress?: BuildProgress;
}
