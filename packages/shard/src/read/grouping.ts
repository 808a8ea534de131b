/**
 * Grouping search over a shard's segments (Milvus docs, "Grouping Search"; the segment operator
 * of Milvus's internal/core/src/exec/operator/groupby/SearchGroupByOperator.cpp): per query, the
 * best `limit` groups of rows sharing a value of a scalar field, each with its best `groupSize`
 * hits, the groups ordered by their best hit.
 *
 * Per segment, the candidates are walked in score order, as Milvus walks its index iterator: the
 * first `limit` distinct group values met become the segment's groups, later candidates only fill
 * them, up to `groupSize` each. The candidates come from the segment's search path (its ANN index
 * as planned, or an exact FLAT scan) asked for k = max(64, 2 × limit × groupSize) of them. A range
 * window (`radius`/`range_filter`) bounds the candidates.
 *
 * - `strict` (Milvus's `strict_group_size = true`): while the walk has not filled `limit` groups of
 *   `groupSize` and candidates remain, the search is repeated with k four times larger; an ANN
 *   index that returns fewer candidates than asked, or would be asked for an eighth of the passing
 *   rows or more, gives way to the exact scan of all passing rows (as does an exact search at
 *   once). So FLAT and growing segments are exact, and an index loses only what its own recall
 *   loses. Segment answers are merged by `mergeGroupedParts` (group-merge.ts), which names the
 *   groups a segment may hold more hits of; those are asked for again, restricted to them, so a
 *   shard's answer is its exact grouped top (for exact segment searches).
 * - not strict (Milvus's default, "best effort"): k grows only while fewer than `limit` groups are
 *   found; groups keep what the candidates walked hold, so a group may have fewer than `groupSize`
 *   hits though the segment has more rows of it, and the merge does not ask again. The groups
 *   chosen (by their best hit) are the same as with `strict`.
 */
import { ErrorCode, ShoalError, invalidParameter } from '@shoal/actors';
import { resolveRange, smallerIsBetter } from '@shoal/ann';
import type { Bitset, MetricType } from '@shoal/ann';
import type { Segment } from '../segment/segment.ts';
import type { CollectionSchema, DataType, FieldSchema } from '../schema/types.ts';
import { readValue } from '../schema/rows.ts';
import { columnWidth } from '../schema/vector.ts';
import { applyRefinement, mergeGroupedParts } from './group-merge.ts';
import type { GroupHitKeys, GroupValue, GroupedPart } from './group-merge.ts';
import { exactIndex, segmentSearch } from './search.ts';
import type { RowHit, SearchPlan } from './search.ts';
import { passingRows } from './snapshot.ts';

/** The data types a grouping search may group by (Milvus refuses Float, Double, JSON, Array and vectors). */
export const GROUPABLE_TYPES: readonly DataType[] = ['Bool', 'Int8', 'Int16', 'Int32', 'Int64', 'VarChar'];

/** The grouping of a search: the field, hits per group, and optionally the only group values wanted. */
export interface GroupBy {
  field: FieldSchema;
  /** Hits per group, ≥ 1 (Milvus `group_size`). */
  groupSize: number;
  /** Fill every group up to `groupSize` when the rows exist, exactly (Milvus `strict_group_size`; see the module comment). */
  strict: boolean;
  /** Only rows whose group value is in this set are searched (a merge's refinement); all when absent. */
  only?: ReadonlySet<GroupValue>;
}

/** A shard-level hit of a grouping search: a {@link RowHit} and its group value. */
export interface GroupedRowHit extends RowHit {
  group: GroupValue;
}

/**
 * The field named `name` of `schema`, checked to be groupable.
 * @throws ShoalError FieldNotFound for an unknown field; ParameterInvalid for a field of a type
 *   outside {@link GROUPABLE_TYPES}, naming its type and the allowed ones.
 */
export function groupingField(schema: CollectionSchema, name: string): FieldSchema {
  const f = schema.fields.find((x) => x.name === name);
  if (!f) throw new ShoalError(ErrorCode.FieldNotFound, `groupingField "${name}" does not exist in collection "${schema.name}"; fields: ${schema.fields.map((x) => x.name).join(', ')}`);
  if (!GROUPABLE_TYPES.includes(f.dataType)) {
    throw invalidParameter(`groupingField "${name}" is a ${f.dataType} field; a grouping search groups by a field of type ${GROUPABLE_TYPES.join(', ')} (as Milvus)`);
  }
  return f;
}

/** The order of shard-level hits under `metric`: score, then segment id, then row offset. */
export function rowHitKeys(metric: MetricType): GroupHitKeys<GroupedRowHit> {
  const sign = smallerIsBetter(metric) ? 1 : -1;
  return {
    score: (h) => h.score,
    group: (h) => h.group,
    compare: (a, b) => sign * (a.score - b.score) || a.segment.id - b.segment.id || a.offset - b.offset,
  };
}

/**
 * Grouping search of `segments` (see the module comment): per query of `plan`, its best
 * `plan.topk` groups of at most `groupBy.groupSize` hits, with the cutoff of `GroupedPart`.
 * @returns `plan.nq` answers.
 */
export function searchSegmentsGrouped(segments: readonly Segment[], plan: SearchPlan, groupBy: GroupBy): GroupedPart<GroupedRowHit>[] {
  const keys = rowHitKeys(plan.metric);
  const out: GroupedPart<GroupedRowHit>[] = [];
  for (let q = 0; q < plan.nq; q++) {
    const parts = segments.map((seg) => walkSegment(seg, plan, q, groupBy, plan.topk));
    const merged = mergeGroupedParts(parts, plan.topk, groupBy.groupSize, plan.metric, keys);
    if (merged.incomplete.length === 0 || groupBy.only || !groupBy.strict) {
      out.push({ groups: merged.groups, cutoff: merged.cutoff });
      continue;
    }
    const only = new Set(merged.incomplete);
    const again = segments.map((seg) => walkSegment(seg, plan, q, { ...groupBy, only }, only.size));
    const refined = mergeGroupedParts(again, only.size, groupBy.groupSize, plan.metric, keys);
    out.push(applyRefinement(merged, refined, keys));
  }
  return out;
}

/** Collects the groups of one segment's walk (see the module comment). */
class GroupWalk {
  readonly groups = new Map<GroupValue, GroupedRowHit[]>();
  /** Score of the first candidate left out because `limit` other groups were already chosen. */
  firstExcluded: number | null = null;
  private full = 0;
  private readonly limit: number;
  private readonly groupSize: number;

  constructor(limit: number, groupSize: number) {
    this.limit = limit;
    this.groupSize = groupSize;
  }

  /** Takes the next candidate (in score order); true once `limit` groups hold `groupSize` hits each. */
  push(hit: GroupedRowHit): boolean {
    const hits = this.groups.get(hit.group);
    if (!hits) {
      if (this.groups.size >= this.limit) this.firstExcluded ??= hit.score;
      else {
        this.groups.set(hit.group, [hit]);
        if (this.groupSize === 1) this.full++;
      }
    } else if (hits.length < this.groupSize) {
      hits.push(hit);
      if (hits.length === this.groupSize) this.full++;
    }
    return this.full === this.limit;
  }

  /** The walk's answer; `lastScore`: the score of the last candidate walked when the walk stopped early, else null. */
  result(lastScore: number | null): GroupedPart<GroupedRowHit> {
    return { groups: [...this.groups.values()], cutoff: this.firstExcluded ?? lastScore };
  }
}

/** One segment's grouped answer to query `q`: its best `limit` groups (see the module comment). */
function walkSegment(seg: Segment, plan: SearchPlan, q: number, groupBy: GroupBy, limit: number): GroupedPart<GroupedRowHit> {
  if (seg.numRows === 0) return { groups: [], cutoff: null };
  const name = groupBy.field.name;
  const col = seg.column(name);
  const valid = seg.valid(name);
  const groupOf = (row: number) => readValue(groupBy.field, col, row, valid) as GroupValue;
  const rows = passingRows(seg, plan);
  if (groupBy.only) restrict(rows, groupBy.only, groupOf);
  const passing = rows.count();
  if (passing === 0) return { groups: [], cutoff: null };
  const width = columnWidth(plan.vectorField);
  const query = plan.queries.subarray(q * width, (q + 1) * width);
  const filter = passing === seg.numRows ? undefined : rows;
  const windowed = resolveRange(plan.metric, plan.params) !== null;
  const keys = rowHitKeys(plan.metric);
  let k = Math.min(passing, Math.max(64, 2 * limit * groupBy.groupSize));
  let forceExact = false;
  for (;;) {
    const s = forceExact ? { index: exactIndex(seg, plan), params: plan.params, exact: true } : segmentSearch(seg, plan, passing, k);
    const params = s.index.spec.type === 'HNSW' && typeof s.params.ef === 'number' && s.params.ef < k ? { ...s.params, ef: k } : s.params;
    const res = s.index.search(query, 1, k, params, filter);
    const candidates: GroupedRowHit[] = [];
    for (let j = 0; j < res.k && res.ids[j] >= 0; j++) {
      candidates.push({ segment: seg, offset: res.ids[j], score: res.scores[j], group: groupOf(res.ids[j]) });
    }
    candidates.sort(keys.compare);
    const walk = new GroupWalk(limit, groupBy.groupSize);
    for (const c of candidates) {
      if (walk.push(c)) return walk.result(c.score);
    }
    const short = candidates.length < k;
    if (k >= passing || (short && (s.exact || windowed))) return walk.result(null);
    if (!groupBy.strict && walk.groups.size === limit) return walk.result(candidates[candidates.length - 1].score);
    if (short || s.exact) forceExact = true;
    k = Math.min(passing, 4 * k);
    if (!s.exact && 8 * k > passing) forceExact = true;
    if (forceExact) k = passing;
  }
}

/** Clears the bits of the rows whose group value is not in `only`. */
function restrict(rows: Bitset, only: ReadonlySet<GroupValue>, groupOf: (row: number) => GroupValue): void {
  rows.forEach((i) => {
    if (!only.has(groupOf(i))) rows.clear(i);
  });
}
