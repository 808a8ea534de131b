/**
 * `@shoal/ann`: vector indexes and distance kernels (DESIGN.md, "Indexes"). One interface,
 * `VectorIndex`, for every index type; build with `buildIndex` (or an `IndexBuilder`), load with
 * `loadIndex`. Scores follow Milvus: L2 = squared distance (smaller closer), IP = inner product and
 * COSINE = cosine similarity (larger closer); for binary vectors (BIN_FLAT, BIN_IVF_FLAT over
 * `Uint8Array` rows of dim/8 bytes) HAMMING = differing bits and JACCARD = 1 − |a∧b|/|a∨b|
 * (smaller closer).
 */
export type {
  BuildOptions, BuildProgress, IndexBuildParams, IndexSearchParams, IndexSpec, IndexType, MetricType, SearchResult, VectorIndex,
  Bitset as BitsetView,
} from './types.ts';
export { Bitset } from './bitset.ts';
export { buildIndex, loadIndex, loadIndexAsync, minRowsToBuild, validateIndexSpec, validateSearchParams } from './api.ts';
export { InlineIndexBuilder } from './builder.ts';
export type { IndexBuilder } from './builder.ts';
export { INDEX_TYPES } from './registry.ts';
export { FlatIndex } from './flat.ts';
export { IvfFlatIndex } from './ivf-flat.ts';
export { IvfSq8Index } from './ivf-sq8.ts';
export { IvfPqIndex } from './ivf-pq.ts';
export { BinFlatIndex } from './bin-flat.ts';
export { BinIvfFlatIndex } from './bin-ivf-flat.ts';
export type { BinaryInvertedLists } from './bin-ivf-lists.ts';
export { isBinaryMetric, isBinaryIndexType, BINARY_METRIC_TYPES, BINARY_INDEX_TYPES } from './vector-kind.ts';
export { hammingWords, andCountWords, popcountWords, jaccardFromCounts, packRows, wordsPerRow } from './binary-distance.ts';
export { binaryScanTopK } from './binary-scan.ts';
export type { BinaryRows } from './binary-scan.ts';
export type { PqCodes, ProductQuantizer } from './pq.ts';
export type { InvertedLists } from './ivf-lists.ts';
export type { ScalarQuantizer } from './sq8.ts';
export { IVF_LIMITS } from './ivf-params.ts';
export { kmeans, KMEANS_DEFAULTS } from './kmeans.ts';
export type { KMeansMetric, KMeansOptions, KMeansResult } from './kmeans.ts';
export { HnswIndex, HNSW_LIMITS, HNSW_DEFAULT_EF_FLOOR } from './node/hnsw.ts';
export { l2Squared, innerProduct, inverseNorm, inverseNorms } from './distance.ts';
export { scanTopK } from './scan.ts';
export type { ScanBase } from './scan.ts';
export { TopKHeaps } from './topk.ts';
export { parseFvecs, parseIvecs } from './fvecs.ts';
export type { VecsFile } from './fvecs.ts';
export { INDEX_MAGIC, INDEX_FORMAT_VERSION } from './format.ts';
export { MAX_DIM } from './params.ts';
export { planFilteredSearch, HNSW_EXACT_SELECTIVITY } from './filter-plan.ts';
export type { FilteredSearchPlan } from './filter-plan.ts';
export { smallerIsBetter, betterScore } from './metric.ts';
export { resolveRange, keyInRange } from './range.ts';
export type { RangeWindow } from './range.ts';
