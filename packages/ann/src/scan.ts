/**
 * Exact (brute-force) top-k search of a batch of queries over a block of vectors: the kernel of
 * the FLAT index and of filtered searches that touch few rows. Cost O(nq · n · dim); memory
 * O(nq · k) for the heaps, nothing per scanned vector.
 */
import { inverseNorm, innerProduct, l2Squared } from './distance.ts';
import type { RangeWindow } from './range.ts';
import { TopKHeaps } from './topk.ts';
import type { Bitset, MetricType, SearchResult } from './types.ts';

/** A block of `count` row-major vectors of `dim` floats to scan. */
export interface ScanBase {
  metric: MetricType;
  dim: number;
  count: number;
  /** `count × dim` floats, row-major. */
  vectors: Float32Array;
  /** For `COSINE`: 1/‖row‖ per row (0 for zero rows), see `inverseNorms`; otherwise null. */
  invNorms: Float64Array | null;
  /** If given, the id reported for block row i is `rowIds[i]` (a gathered subset); else i. */
  rowIds: Int32Array | null;
}

/** Rows per tile: a tile of about 256 KiB of vectors stays in L2 cache while every query scans it. */
function tileRows(dim: number): number {
  return Math.max(16, Math.floor(65536 / dim));
}

/**
 * Exact top-`k` of each of the `nq` queries (`nq × dim` floats, row-major) over `base`, keeping
 * only block rows whose bit is set in `filter` (bit index = block row) when a filter is given, and
 * with a range `window` (`resolveRange`) only rows whose reported (float32) score lies inside it.
 * Scores follow Milvus (L2 squared distance ascending; IP and COSINE similarity descending); equal
 * scores are ordered by smaller id. Fewer than k qualifying rows leave id −1 places (see
 * `TopKHeaps.drain`). Shapes are not checked here: callers validate them.
 */
export function scanTopK(base: ScanBase, queries: Float32Array, nq: number, k: number, filter: Bitset | null, window: RangeWindow | null = null): SearchResult {
  const heaps = new TopKHeaps(nq, k, window);
  const { dim, count, vectors, rowIds, metric } = base;
  const tile = tileRows(dim);
  const qInv = metric === 'COSINE' ? new Float64Array(nq) : null;
  if (qInv) for (let q = 0; q < nq; q++) qInv[q] = inverseNorm(queries, q * dim, dim);
  const invNorms = base.invNorms;
  for (let start = 0; start < count; start += tile) {
    const stop = Math.min(count, start + tile);
    for (let q = 0; q < nq; q++) {
      const qOff = q * dim;
      if (metric === 'L2') {
        for (let r = start; r < stop; r++) {
          if (filter !== null && !filter.get(r)) continue;
          const key = l2Squared(queries, qOff, vectors, r * dim, dim);
          if (key <= heaps.threshold(q)) heaps.push(q, key, rowIds === null ? r : rowIds[r]);
        }
      } else if (metric === 'IP') {
        for (let r = start; r < stop; r++) {
          if (filter !== null && !filter.get(r)) continue;
          const key = -innerProduct(queries, qOff, vectors, r * dim, dim);
          if (key <= heaps.threshold(q)) heaps.push(q, key, rowIds === null ? r : rowIds[r]);
        }
      } else {
        const qi = (qInv as Float64Array)[q];
        const norms = invNorms as Float64Array;
        for (let r = start; r < stop; r++) {
          if (filter !== null && !filter.get(r)) continue;
          const key = -(innerProduct(queries, qOff, vectors, r * dim, dim) * qi * norms[r]);
          if (key <= heaps.threshold(q)) heaps.push(q, key, rowIds === null ? r : rowIds[r]);
        }
      }
    }
  }
  const ids = new Int32Array(nq * k);
  const scores = new Float32Array(nq * k);
  heaps.drain(ids, scores, metric !== 'L2');
  return { nq, k, ids, scores };
}
