/**
 * Merging grouped search answers (Milvus "Grouping Search"; Milvus's proxy
 * `reduceSearchResultDataWithGroupBy` in internal/proxy/search_reduce_util.go): the answers of
 * several units (segments of a shard, shards of a collection) for one query are merged by group
 * value, keeping each group's best `groupSize` hits and the best `limit` groups, ordered by their
 * best hit.
 *
 * Exactness. A unit reports its own best `limit` groups, each with its best `groupSize` hits,
 * and a `cutoff`: a score that no hit of a group it left out beats. The merged top groups are then
 * exact (a group among the best `limit` of the union is among the best `limit` of the unit holding
 * its best hit), but a chosen group may have hits in a unit that left it out. Milvus accepts that
 * loss; here the merge reports such groups as `incomplete` (a unit without the group has a cutoff
 * that is not beaten by the group's `groupSize`-th hit so far), and the caller asks the units again
 * for those groups only, which every unit then reports in full.
 */
import { smallerIsBetter } from '@shoal/ann';
import type { MetricType } from '@shoal/ann';

/**
 * A group value: the grouping field's value as `readValue` gives it — `boolean` (Bool), `number`
 * (Int8/16/32), `bigint` (Int64), `string` (VarChar), `null` (a null value of a nullable field).
 */
export type GroupValue = boolean | number | bigint | string | null;

/** One unit's grouped answer to one query. */
export interface GroupedPart<H> {
  /** Groups ordered by their best hit (best first), each group's hits best first (1..groupSize of them). */
  groups: H[][];
  /**
   * A score that no hit of a group missing from `groups` beats (it may equal it); null when the
   * unit reported every group it has.
   */
  cutoff: number | null;
}

/** How the merge reads a hit: its score, its group value, and the total order of hits. */
export interface GroupHitKeys<H> {
  score(h: H): number;
  group(h: H): GroupValue;
  /** Negative when `a` is better than `b` (score first, then a tie-breaker), positive when worse. */
  compare(a: H, b: H): number;
}

/** The merged answer: a {@link GroupedPart} of the union, and the chosen groups some unit may hold more hits of. */
export interface MergedGroups<H> extends GroupedPart<H> {
  /** Group values (of `groups`) to ask the units for again, restricted to these groups; empty when exact. */
  incomplete: GroupValue[];
}

/**
 * Merges `parts` (one unit each) into the best `limit` groups of at most `groupSize` hits each;
 * see the module comment. Scores are better when smaller for distance metrics, larger for
 * similarities (`smallerIsBetter(metric)`).
 */
export function mergeGroupedParts<H>(parts: readonly GroupedPart<H>[], limit: number, groupSize: number, metric: MetricType, keys: GroupHitKeys<H>): MergedGroups<H> {
  const sign = smallerIsBetter(metric) ? 1 : -1;
  const byGroup = new Map<GroupValue, H[]>();
  for (const p of parts) {
    for (const g of p.groups) {
      const v = keys.group(g[0]);
      const hits = byGroup.get(v);
      if (hits) hits.push(...g);
      else byGroup.set(v, [...g]);
    }
  }
  const all = [...byGroup.values()].map((hits) => hits.sort(keys.compare).slice(0, groupSize));
  all.sort((a, b) => keys.compare(a[0], b[0]));
  const groups = all.slice(0, limit);
  let cutoff: number | null = all.length > limit ? keys.score(all[limit][0]) : null;
  for (const p of parts) {
    if (p.cutoff !== null && (cutoff === null || sign * p.cutoff < sign * cutoff)) cutoff = p.cutoff;
  }
  const incomplete: GroupValue[] = [];
  const reported = parts.map((p) => new Set(p.groups.map((g) => keys.group(g[0]))));
  for (const g of groups) {
    const v = keys.group(g[0]);
    const worst = sign * keys.score(g[g.length - 1]);
    const missing = parts.some((p, i) => p.cutoff !== null && !reported[i].has(v) && (g.length < groupSize || !(worst < sign * p.cutoff)));
    if (missing) incomplete.push(v);
  }
  return { groups, cutoff, incomplete };
}

/**
 * Replaces the hits of the groups a refinement answered (`refined`: the merged answer of the units
 * asked again for the `incomplete` groups only) and re-orders the groups by their best hit.
 */
export function applyRefinement<H>(merged: GroupedPart<H>, refined: GroupedPart<H>, keys: GroupHitKeys<H>): GroupedPart<H> {
  const better = new Map<GroupValue, H[]>(refined.groups.map((g) => [keys.group(g[0]), g]));
  const groups = merged.groups.map((g) => better.get(keys.group(g[0])) ?? g);
  groups.sort((a, b) => keys.compare(a[0], b[0]));
  return { groups, cutoff: merged.cutoff };
}
