import { buildIndex, smallerIsBetter } from '@shoal/ann';
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
  /** Query vectors, `Float32Array` of `nq × dim`, row-major. */
  queries: Float32Array;
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

const flatCache = new WeakMap<Segment, { rows: number; index: VectorIndex }>();

/**
 * Searches every segment for the `topk` best visible rows passing the filter, per query, and
 * merges them (best first). Sealed segments with an index of the same metric use it (with the
 * filter bitset) unless at most {@link EXACT_SCAN_FRACTION} of their rows pass; other segments,
 * and selective filters, are searched exactly by brute force (DESIGN.md, "Data plane").
 * @returns `nq` lists of at most `topk` hits.
 */
export function searchSegments(segments: readonly Segment[], plan: SearchPlan): RowHit[][] {
  const perQuery: RowHit[][] = Array.from({ length: plan.nq }, () => []);
  for (const seg of segments) {
    if (seg.numRows === 0) continue;
    const rows = passingRows(seg, plan);
    if (rows.count() === 0) continue;
    const passing = rows.count();
    const index = segmentIndex(seg, plan, passing);
    const res = index.search(plan.queries, plan.nq, plan.topk, index === seg.index ? plan.params : {}, passing === seg.numRows ? undefined : rows);
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
 * Fraction of a segment's rows at or below which a filtered search scans the passing rows exactly
 * instead of searching the index: graph and list searches lose recall when few rows pass (the
 * well-known weakness of filtered ANN search), while an exact scan of that many rows is cheap.
 */
export const EXACT_SCAN_FRACTION = 0.02;

/** The index to search `seg` with: its ANN index, unless absent, of another metric, or the filter is selective. */
function segmentIndex(seg: Segment, plan: SearchPlan, passing: number): VectorIndex {
  if (seg.index && seg.index.spec.metric === plan.metric && passing > EXACT_SCAN_FRACTION * seg.numRows) return seg.index;
  const cached = flatCache.get(seg);
  if (cached && cached.rows === seg.numRows && cached.index.spec.metric === plan.metric) return cached.index;
  const dim = plan.vectorField.dim!;
  const vectors = seg.column(plan.vectorField.name) as Float32Array;
  const index = buildIndex({ type: 'FLAT', metric: plan.metric, dim, params: {} }, vectors, seg.numRows, { seed: 0 });
  flatCache.set(seg, { rows: seg.numRows, index });
  return index;
}
