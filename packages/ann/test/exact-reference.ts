/**
 * Brute-force references for the range-search and exhaustive-search tests of the float indexes.
 *
 * A `Scorer` gives the score an index type computes for (query, row) with the same float64
 * arithmetic, in the same order, as the index's own scan:
 * - FLAT, IVF_FLAT (and, as the exact answer HNSW approximates): the distance kernels of
 *   `distance.ts` (themselves checked against a naive loop in kernels.test.ts);
 * - IVF_SQ8: the asymmetric distance of the float query to the row's 8-bit code;
 * - IVF_PQ: the ADC score of the row's residual code, with the table of its own list's centroid.
 * `referenceSearch` then answers a search from those scores by sorting: per query, the rows that
 * pass the filter and whose reported (float32) score lies in the range window, by (key, row),
 * cut at k, padded with id −1 — the answer an exhaustive search must return exactly.
 */
import { expect } from 'vitest';
import { inverseNorm, innerProduct, keyInRange, l2Squared } from '../src/index.ts';
import type { BitsetView, IvfPqIndex, IvfSq8Index, MetricType, RangeWindow, SearchResult } from '../src/index.ts';
import { normalizeRows } from '../src/ivf-lists.ts';
import type { InvertedLists } from '../src/ivf-lists.ts';

/** Score of query `q` against row `row`, as an index of some type computes it. */
export type Scorer = (q: number, row: number) => number;

/** The exact score of FLAT (and IVF_FLAT): `base` and `queries` row-major, `dim` floats each. */
export function exactScorer(metric: MetricType, base: Float32Array, queries: Float32Array, dim: number): Scorer {
  return (q, row) => {
    if (metric === 'L2') return l2Squared(queries, q * dim, base, row * dim, dim);
    const ip = innerProduct(queries, q * dim, base, row * dim, dim);
    return metric === 'IP' ? ip : ip * inverseNorm(queries, q * dim, dim) * inverseNorm(base, row * dim, dim);
  };
}

/** Position of each row inside the lists (row `r` is at `pos[r]` of `lists.rowIds`), and its list. */
function positions(lists: InvertedLists): { pos: Int32Array; listOf: Int32Array } {
  const pos = new Int32Array(lists.rowIds.length);
  const listOf = new Int32Array(lists.rowIds.length);
  for (let l = 0; l < lists.nlist; l++) {
    for (let i = lists.offsets[l]; i < lists.offsets[l + 1]; i++) {
      pos[lists.rowIds[i]] = i;
      listOf[lists.rowIds[i]] = l;
    }
  }
  return { pos, listOf };
}

/** The asymmetric score of IVF_SQ8 (`sq8.ts`): the query (unit-normalized for COSINE) against the decoded code. */
export function sq8Scorer(index: IvfSq8Index, queries: Float32Array, nq: number): Scorer {
  const { dim, metric } = index.spec;
  const qs = metric === 'COSINE' ? normalizeRows(queries, nq, dim) : queries;
  const { vmin, step } = index.sq;
  const { pos } = positions(index.lists);
  return (q, row) => {
    const c = pos[row] * dim;
    let s = 0;
    if (metric === 'L2') {
      for (let d = 0; d < dim; d++) {
        const diff = (qs[q * dim + d] - vmin[d]) - index.codes[c + d] * step[d];
        s += diff * diff;
      }
      return s;
    }
    let shift = 0;
    for (let d = 0; d < dim; d++) shift += qs[q * dim + d] * vmin[d];
    for (let d = 0; d < dim; d++) s += (qs[q * dim + d] * step[d]) * index.codes[c + d];
    return shift + s;
  };
}

/**
 * The ADC score of IVF_PQ (`ivf-pq.ts`): L2 Σ_j ‖(q − c)_j − r̂_j‖² with c the row's list centroid;
 * IP q·c + Σ_j q_j·r̂_j; COSINE as IP on the unit-normalized query.
 */
export function pqScorer(index: IvfPqIndex, queries: Float32Array, nq: number): Scorer {
  const { dim, metric } = index.spec;
  const qs = metric === 'COSINE' ? normalizeRows(queries, nq, dim) : queries;
  const { m, codebooks } = index.pq;
  const ks = 1 << index.pq.nbits;
  const dsub = dim / m;
  const { centroids } = index.lists;
  const { pos, listOf } = positions(index.lists);
  const residual = new Float64Array(dim);
  return (q, row) => {
    const list = listOf[row];
    const l2 = metric === 'L2';
    for (let d = 0; d < dim; d++) residual[d] = qs[q * dim + d] - centroids[list * dim + d];
    let s = 0;
    for (let j = 0; j < m; j++) {
      const cOff = (j * ks + index.codes[pos[row] * m + j]) * dsub;
      let t = 0;
      for (let d = 0; d < dsub; d++) {
        if (l2) {
          const diff = residual[j * dsub + d] - codebooks[cOff + d];
          t += diff * diff;
        } else t += qs[q * dim + j * dsub + d] * codebooks[cOff + d];
      }
      s += t;
    }
    return l2 ? s : innerProduct(qs, q * dim, centroids, list * dim, dim) + s;
  };
}

/**
 * The answer of a top-`k` search of `nq` queries over rows 0..count−1 scored by `score`: per query
 * the rows passing `filter` whose float32 score lies in `window` (null: every row), best first
 * (ties → smaller row), scores as `TopKHeaps.drain` reports them, padded with −1 and the worst score.
 */
export function referenceSearch(metric: MetricType, score: Scorer, count: number, nq: number, k: number, window: RangeWindow | null, filter?: BitsetView): SearchResult {
  const sign = metric === 'L2' ? 1 : -1;
  const ids = new Int32Array(nq * k).fill(-1);
  const scores = new Float32Array(nq * k).fill(sign * Infinity);
  for (let q = 0; q < nq; q++) {
    const rows: { key: number; row: number }[] = [];
    for (let row = 0; row < count; row++) {
      if (filter && !filter.get(row)) continue;
      const key = sign * score(q, row);
      if (window === null || keyInRange(window, Math.fround(key))) rows.push({ key, row });
    }
    rows.sort((a, b) => a.key - b.key || a.row - b.row);
    rows.slice(0, k).forEach(({ key, row }, i) => {
      ids[q * k + i] = row;
      scores[q * k + i] = sign === 1 ? key : 0 - key;
    });
  }
  return { nq, k, ids, scores };
}

/**
 * A bound between two groups of `values` for a range window that no value lies near: the midpoint
 * of the first gap wider than 2·`margin`·max(1, |v|) at or after the value of rank ⌊fraction · n⌋
 * (values sorted ascending); past the largest value when there is no such gap.
 */
export function boundBetween(values: number[], fraction: number, margin: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  for (let i = Math.min(sorted.length - 1, Math.floor(fraction * sorted.length)); i + 1 < sorted.length; i++) {
    const gap = sorted[i + 1] - sorted[i];
    if (gap > 2 * margin * Math.max(1, Math.abs(sorted[i]))) return (sorted[i] + sorted[i + 1]) / 2;
  }
  return sorted[sorted.length - 1] + 1;
}

/** Every score of `nq` queries against rows 0..count−1 (for choosing windows). */
export function allScores(score: Scorer, count: number, nq: number): number[] {
  const out: number[] = [];
  for (let q = 0; q < nq; q++) for (let row = 0; row < count; row++) out.push(score(q, row));
  return out;
}

/**
 * Checks an approximate-arithmetic answer (HNSW computes in float32) against the reference: per
 * query the same number of hits, scores rank by rank within `tol` (relative to max(1, |s|)), and
 * each hit a distinct row passing `filter`, whose exact score is within `tol` of the one reported.
 * Rows may swap places only where their scores are that close.
 */
export function expectSameUpToTol(res: SearchResult, ref: SearchResult, exact: Scorer, tol: number, filter?: BitsetView): void {
  const close = (a: number, b: number) => Math.abs(a - b) <= tol * Math.max(1, Math.abs(b));
  expect(res.k).toBe(ref.k);
  expect(res.nq).toBe(ref.nq);
  for (let q = 0; q < ref.nq; q++) {
    const seen = new Set<number>();
    for (let i = 0; i < ref.k; i++) {
      const at = q * ref.k + i;
      if (ref.ids[at] === -1) {
        expect(res.ids[at], `query ${q} rank ${i}`).toBe(-1);
        expect(res.scores[at]).toBe(ref.scores[at]);
        continue;
      }
      const id = res.ids[at];
      expect(id, `query ${q} rank ${i}`).toBeGreaterThanOrEqual(0);
      expect(seen.has(id)).toBe(false);
      seen.add(id);
      if (filter) expect(filter.get(id)).toBe(true);
      if (!close(res.scores[at], ref.scores[at])) expect.fail(`query ${q} rank ${i}: score ${res.scores[at]}, reference ${ref.scores[at]}`);
      if (!close(res.scores[at], exact(q, id))) expect.fail(`query ${q} rank ${i}: row ${id} reported ${res.scores[at]}, exact ${exact(q, id)}`);
    }
  }
}
