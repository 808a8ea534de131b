/**
 * Segment pruning (DESIGN.md, "Data plane": pruning is a filter on segment statistics): decides
 * from a bound filter and a segment's min/max statistics (`segment/stats.ts`) whether any row of
 * the segment can pass, so that reads skip segments that cannot (as Milvus prunes sealed segments
 * by their field stats).
 *
 * It reasons with two questions per node — can it be true for some row, can it be false for some
 * row — so that `not` is exact: `not e` can be true iff `e` can be false. Any doubt answers "yes"
 * (a field without statistics, nulls or NaNs for "can be false", values of an unexpected type,
 * and every node kind other than const/known/compare/in/range/and/or/not), so pruning never drops a match.
 */
import type { BoundCompare, BoundExpr, BoundIn, BoundRange } from '../expr/bound.ts';
import { compareCodePoints } from '../expr/order.ts';
import type { FieldStats } from '../segment/stats.ts';

/** Statistics of a field of the segment at hand, `undefined` when it has none. */
export type StatsOf = (fieldName: string) => FieldStats | undefined;

/**
 * True if some row of the segment whose statistics `statsOf` gives may pass `expr`; false only
 * when no row can.
 */
export function segmentMayMatch(expr: BoundExpr, statsOf: StatsOf): boolean {
  return canBe(expr, true, statsOf);
}

/** Whether `e` may evaluate to `want` for some row. */
function canBe(e: BoundExpr, want: boolean, statsOf: StatsOf): boolean {
  switch (e.kind) {
    case 'const': case 'known': return e.value === want;
    case 'not': return canBe(e.child, !want, statsOf);
    case 'and': return want ? e.children.every((c) => canBe(c, true, statsOf)) : e.children.some((c) => canBe(c, false, statsOf));
    case 'or': return want ? e.children.some((c) => canBe(c, true, statsOf)) : e.children.every((c) => canBe(c, false, statsOf));
    case 'compare': return compareCanBe(e, want, statsOf(e.field));
    case 'in': return inCanBe(e, want, statsOf(e.field));
    case 'range': return rangeCanBe(e, want, statsOf(e.field));
    default: return true;
  }
}

/** `a` vs `b` (−, 0, +), or `undefined` when not comparable (different types, booleans, NaN). */
function cmp(a: unknown, b: unknown): number | undefined {
  if (typeof a === 'string' && typeof b === 'string') return compareCodePoints(a, b);
  if ((typeof a === 'number' || typeof a === 'bigint') && typeof a === typeof b) {
    if (a < (b as number)) return -1;
    if (a > (b as number)) return 1;
    return a === b ? 0 : undefined;
  }
  return undefined;
}

function compareCanBe(e: BoundCompare, want: boolean, s: FieldStats | undefined): boolean {
  if (!s) return true;
  if (s.min === undefined) {
    // No ordered value: every row is null (matches nothing) or NaN (matches only `!=`).
    return want ? e.op === '!=' && s.nanCount > 0 : true;
  }
  const lo = cmp(s.min, e.value);
  const hi = cmp(s.max, e.value);
  if (lo === undefined || hi === undefined) return true;
  if (!want && (s.nullCount > 0 || s.nanCount > 0)) return true;
  if (want && e.op === '!=' && s.nanCount > 0) return true;
  const allEqual = lo === 0 && hi === 0;
  switch (e.op) {
    case '==': return want ? lo <= 0 && hi >= 0 : !allEqual;
    case '!=': return want ? !allEqual : lo <= 0 && hi >= 0;
    case '<': return want ? lo < 0 : hi >= 0;
    case '<=': return want ? lo <= 0 : hi > 0;
    case '>': return want ? hi > 0 : lo <= 0;
    case '>=': return want ? hi >= 0 : lo < 0;
  }
}

function inCanBe(e: BoundIn, want: boolean, s: FieldStats | undefined): boolean {
  if (!s) return true;
  if (s.min === undefined) return !want;
  if (!want) {
    if (s.nullCount > 0 || s.nanCount > 0) return true;
    return !(cmp(s.min, s.max) === 0 && (e.values as unknown[]).some((v) => cmp(v, s.min) === 0));
  }
  return (e.values as unknown[]).some((v) => {
    const lo = cmp(s.min, v);
    const hi = cmp(s.max, v);
    return lo === undefined || hi === undefined || (lo <= 0 && hi >= 0);
  });
}

function rangeCanBe(e: BoundRange, want: boolean, s: FieldStats | undefined): boolean {
  if (!s) return true;
  if (s.min === undefined) return !want;
  const maxVsLower = cmp(s.max, e.lower);
  const minVsUpper = cmp(s.min, e.upper);
  const minVsLower = cmp(s.min, e.lower);
  const maxVsUpper = cmp(s.max, e.upper);
  if (maxVsLower === undefined || minVsUpper === undefined || minVsLower === undefined || maxVsUpper === undefined) return true;
  if (want) {
    // Some value in [min, max] may lie inside the range unless the two intervals are disjoint.
    return (e.lowerInclusive ? maxVsLower >= 0 : maxVsLower > 0) && (e.upperInclusive ? minVsUpper <= 0 : minVsUpper < 0);
  }
  if (s.nullCount > 0 || s.nanCount > 0) return true;
  // Every value passes only when [min, max] lies inside the range.
  const allInside = (e.lowerInclusive ? minVsLower >= 0 : minVsLower > 0) && (e.upperInclusive ? maxVsUpper <= 0 : maxVsUpper < 0);
  return !allInside;
}
