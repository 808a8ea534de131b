import { buildIndex, planFilteredSearch, smallerIsBetter } from '@shoal/ann';
import type { IndexSearchParams, MetricType, VectorIndex } from '@shoal/ann';
import type { Segment } from '../segment/segment.ts';
import type { FieldSchema } from '../schema/types.ts';
import { passingRows } from './snapshot.ts';
import type { ReadScope } from './snapshot.ts';

/** One hit of a shard-level search: the row's segment and offset, and its score. */
export interface RowHit {
  segment: Segment;
  offset: number;
  score: number;
}

/** A vector search over a shard's segments. */
export interface SearchPlan extends ReadScope {
  vectorField: FieldSchema;
  /** Query vectors, row-major: `Float32Array` of `nq × dim`, or for a BinaryVector field `Uint8Array` of `nq × dim / 8`. */
  queries: Float32Array | Uint8Array;
  nq: number;
  /** Number of best hits wanted per query (Milvus `limit + offset`). */
  topk: number;
  metric: MetricType;
  params: IndexSearchParams;
}

/** Sorts hits best first under `metric` (distances ascending, similarities descending). */
export function sortHits(metric: MetricType, hits: RowHit[]): RowHit[] {
  return hits.sort(smallerIsBetter(metric) ? (a, b) => a.score - b.score : (a, b) => b.score - a.score);
}

/** Exact indexes per segment, by vector field name. */
const flatCache = new WeakMap<Segment, Map<string, { rows: number; index: VectorIndex }>>();

/**
 * Searches `plan.vectorField` of every segment for the `topk` best visible rows passing the filter, per query, and
 * merges them (best first). Sealed segments with an index of the same metric use it with the
 * filter bitset, as `planFilteredSearch` (@shoal/ann) decides — it widens IVF probes for filters
 * and picks an exact scan of the passing rows where that keeps recall and costs less; other
 * segments are searched exactly by brute force (DESIGN.md, "Data plane"). Every path gets the
 * caller's parameters (FLAT ignores `ef`/`nprobe`; range-search bounds apply everywhere).
 * @returns `nq` lists of at most `topk` hits.
 */
export function searchSegments(segments: readonly Segment[], plan: SearchPlan): RowHit[][] {
  const perQuery: RowHit[][] = Array.from({ length: plan.nq }, () => []);
  for (const seg of segments) {
    if (seg.numRows === 0) continue;
    const rows = passingRows(seg, plan);
    if (rows.count() === 0) continue;
    const passing = rows.count();
    const { index, params } = segmentSearch(seg, plan, passing, plan.topk);
    const res = index.search(plan.queries, plan.nq, plan.topk, params, passing === seg.numRows ? undefined : rows);
    for (let q = 0; q < plan.nq; q++) {
      const out = perQuery[q];
      for (let j = 0; j < res.k; j++) {
        const id = res.ids[q * res.k + j];
        if (id < 0) break;
        out.push({ segment: seg, offset: id, score: res.scores[q * res.k + j] });
      }
    }
  }
  return perQuery.map((hits) => sortHits(plan.metric, hits).slice(0, plan.topk));
}

/**
 * The index to search `seg` for the top-`k` with, and its parameters: the segment's ANN index of
 * `plan.vectorField` as planned for `passing` rows of `seg.numRows` passing (`exact: false`), else an exact FLAT
 * (`exact: true`).
 */
export function segmentSearch(seg: Segment, plan: SearchPlan, passing: number, k: number): { index: VectorIndex; params: IndexSearchParams; exact: boolean } {
  const own = seg.vectorIndexes.get(plan.vectorField.name);
  if (own && own.spec.metric === plan.metric && own.count === seg.numRows) {
    const planned = planFilteredSearch(own.spec, own.count, passing, k, plan.params);
    if (!planned.exact) return { index: own, params: planned.params, exact: own.spec.type === 'FLAT' || own.spec.type === 'BIN_FLAT' };
  }
  return { index: exactIndex(seg, plan), params: plan.params, exact: true };
}

/**
 * A FLAT index over the segment's vectors of `plan.vectorField` — BIN_FLAT over the bytes of a BinaryVector field —
 * cached per segment and field while its row count is unchanged.
 */
export function exactIndex(seg: Segment, plan: SearchPlan): VectorIndex {
  let perField = flatCache.get(seg);
  if (!perField) flatCache.set(seg, (perField = new Map()));
  const cached = perField.get(plan.vectorField.name);
  if (cached && cached.rows === seg.numRows && cached.index.spec.metric === plan.metric) return cached.index;
  const dim = plan.vectorField.dim!;
  const vectors = seg.column(plan.vectorField.name) as Float32Array | Uint8Array;
  const type = plan.vectorField.dataType === 'BinaryVector' ? 'BIN_FLAT' : 'FLAT';
  const index = buildIndex({ type, metric: plan.metric, dim, params: {} }, vectors, seg.numRows, { seed: 0 });
  perField.set(plan.vectorField.name, { rows: seg.numRows, index });
  return index;
}
