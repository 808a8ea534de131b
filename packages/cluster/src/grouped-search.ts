/**
 * Grouping search across shards (Milvus docs, "Grouping Search"; the proxy's
 * `reduceSearchResultDataWithGroupBy` in internal/proxy/search_reduce_util.go). Each shard answers
 * with its best `limit + offset` groups of at most `groupSize` hits (`Shard.searchGrouped`) and a
 * cutoff score; the router merges them by group value (`mergeGroupedParts`). With
 * `strictGroupSize` the shards' answers are exact for exact segment searches, and a chosen group
 * that a shard left out but may hold better hits of is asked for again from every shard, restricted
 * to such groups, so the answer is the exact grouped top whenever the segment searches are exact
 * (FLAT, growing segments), where Milvus's reduce may lose those hits. Without it (Milvus's
 * default, best effort) groups may hold fewer than `groupSize` hits though more rows exist. The answer lists the hits of the groups after the first `offset`
 * groups, group after group, each group's hits best first; every hit carries its group value in
 * `fields[groupingField]` (Milvus's REST answer does the same).
 */
import { invalidParameter } from '@shoal/actors';
import { smallerIsBetter } from '@shoal/ann';
import type { IndexSearchParams, MetricType } from '@shoal/ann';
import { applyRefinement, comparePrimaryKeys, groupingField, mergeGroupedParts } from '@shoal/shard';
import type { GroupHitKeys, GroupValue, GroupedPart } from '@shoal/shard';
import type { CollectionMeta } from './catalog.ts';
import type { RouterContext } from './router-context.ts';
import type { ReadParams, ShardMsg } from './shard-actor.ts';
import type { SearchHit, SearchRequest } from './service.ts';

/** Milvus's cap on `topk × group_size` of a grouping search (its top-k limit, 16,384). */
export const MAX_GROUPED_HITS = 16_384;

/** The parts of a search that `data.search` has validated and resolved. */
export interface ResolvedSearch {
  read: ReadParams;
  /** The vector field searched. */
  annsField: string;
  /** Query vectors, row-major (see `SearchPlan.queries`). */
  queries: Float32Array | Uint8Array;
  nq: number;
  metric: MetricType;
  params: IndexSearchParams;
  /** Groups wanted per query, after skipping `offset` groups. */
  limit: number;
  offset: number;
}

/**
 * A grouping search of `req` on `meta` (see the module comment); `s` is the rest of the search,
 * already validated. `s.read.outputFields` gets the grouping field added.
 * @returns per query vector, the hits of its groups, group after group.
 * @throws ShoalError FieldNotFound for an unknown `groupingField`; ParameterInvalid for a field of a
 *   type that cannot be grouped by, a `groupSize` that is not an integer ≥ 1, `strictGroupSize`
 *   not a boolean, or `(limit + offset) × groupSize` above {@link MAX_GROUPED_HITS}.
 */
export async function searchGrouped(ctx: RouterContext, meta: CollectionMeta, req: SearchRequest, s: ResolvedSearch): Promise<SearchHit[][]> {
  const field = groupingField(meta.schema, String(req.groupingField));
  const groupSize = req.groupSize ?? 1;
  if (typeof groupSize !== 'number' || !Number.isInteger(groupSize) || groupSize < 1) {
    throw invalidParameter(`groupSize must be an integer ≥ 1 (hits per group), got ${JSON.stringify(groupSize)}`);
  }
  if (req.strictGroupSize !== undefined && typeof req.strictGroupSize !== 'boolean') {
    throw invalidParameter(`strictGroupSize must be a boolean, got ${JSON.stringify(req.strictGroupSize)}`);
  }
  const topk = s.limit + s.offset;
  if (topk * groupSize > MAX_GROUPED_HITS) {
    throw invalidParameter(`(limit + offset) × groupSize must be at most ${MAX_GROUPED_HITS} for a grouping search, got ${topk} × ${groupSize}`);
  }
  if (!s.read.outputFields.includes(field.name)) s.read.outputFields.push(field.name);
  const keys = hitKeys(s.metric, field.name);
  const strict = req.strictGroupSize === true;
  const base = { t: 'searchGrouped', read: s.read, annsField: s.annsField, metric: s.metric, params: s.params, groupingField: field.name, groupSize, strict } as const;
  const parts = await ctx.shards.askAll<GroupedPart<SearchHit>[]>(meta, { ...base, queries: s.queries, nq: s.nq, topk } satisfies ShardMsg);
  const width = s.queries.length / s.nq;
  return Promise.all(Array.from({ length: s.nq }, async (_, q) => {
    const merged = mergeGroupedParts(parts.map((p) => p[q]), topk, groupSize, s.metric, keys);
    let answer: GroupedPart<SearchHit> = merged;
    if (strict && merged.incomplete.length > 0) {
      const only: GroupValue[] = merged.incomplete;
      const queries = s.queries.subarray(q * width, (q + 1) * width);
      const again = await ctx.shards.askAll<GroupedPart<SearchHit>[]>(meta, { ...base, queries, nq: 1, topk: only.length, only } satisfies ShardMsg);
      answer = applyRefinement(merged, mergeGroupedParts(again.map((p) => p[0]), only.length, groupSize, s.metric, keys), keys);
    }
    return answer.groups.slice(s.offset, s.offset + s.limit).flat();
  }));
}

/** How the merge reads a router-level hit: its distance, its group value `fields[field]`, and the order of `sortHits` (distance, then primary key). */
function hitKeys(metric: MetricType, field: string): GroupHitKeys<SearchHit> {
  const sign = smallerIsBetter(metric) ? 1 : -1;
  return {
    score: (h) => h.distance,
    group: (h) => h.fields[field] as GroupValue,
    compare: (a, b) => sign * (a.distance - b.distance) || comparePrimaryKeys(a.id, b.id),
  };
}
