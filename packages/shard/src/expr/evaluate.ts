/**
 * Column-wise evaluation of a bound filter over a block of rows (a segment), giving the bitset of
 * passing rows (DESIGN.md, "Data plane": filters evaluate to a bitset per segment). Each
 * predicate on a plain field is answered by the field's scalar index when it has one, else by one
 * loop over its column (`kernels.ts`); JSON paths, Array elements and computed values by the
 * loops of `path-eval.ts` and `value-eval.ts`; `and`/`or`/`not` combine bitsets word by word.
 *
 * Logic is three-valued (see `bound.ts`): each node yields the bitset of rows where it is true and
 * the bitset where it is false (`tri.ts`); rows of a null value are in neither. The result is the
 * rows where the whole filter is true.
 */
import type { Bitset } from '@shoal/ann';
import type { Column } from '../schema/types.ts';
import type { IndexPredicate, ScalarIndex } from '../scalar-index/types.ts';
import type { BoundCompare, BoundExpr, BoundIn, BoundLike, BoundRange, FilterFieldType } from './bound.ts';
import {
  compareInt64, compareNumbers, compareStrings, MEMBER_TABLE_SPAN, memberInt64, memberNumbers, memberStrings, memberTable,
  type KernelOp, type NumberColumn,
} from './kernels.ts';
import { planLike } from './like.ts';
import { evaluatePathPredicate, scanStrings } from './path-eval.ts';
import { andTri, constTri, isAllFalse, masked, notTri, orTri, type Tri } from './tri.ts';
import { EvalContext } from './eval-context.ts';
import { evaluateCompareValues } from './value-eval.ts';

/**
 * Where a filter reads its data: `numRows` rows, and for each field the filter names its column
 * (the `Column` layout of `schema/types.ts`, at least `numRows` long).
 */
export interface ColumnSource {
  numRows: number;
  column(fieldName: string): Column;
  /** Validity bitmap of a nullable field (1 = has a value), `numRows` long; `undefined` = all valid. */
  valid?(fieldName: string): Uint8Array | undefined;
  /** A scalar index over the field (sealed segments), when one is built; see `scalar-index/types.ts`. */
  scalarIndex?(fieldName: string): ScalarIndex | undefined;
}

/** Kernel and complement for each comparison operator (`!=` is `not ==`, exact also for NaN). */
const KERNELS = {
  '==': ['eq', false], '!=': ['eq', true], '<': ['lt', false], '<=': ['le', false], '>': ['gt', false], '>=': ['ge', false],
} as const satisfies Record<string, readonly [KernelOp, boolean]>;

/**
 * Evaluates `expr` over the rows `0..source.numRows−1` of `source`, or only over the rows of
 * `rows` when given (e.g. a segment's visible rows, `segment.ts` `visibleRows`): per-row loops
 * (strings, JSON, Array values, arithmetic) then skip every 32-row word of `rows` that is 0
 * (`EvalContext.mask`); typed-array kernels and scalar indexes still answer all rows.
 * @returns a `Bitset` of `numRows` bits, bit `i` set when the filter is true for row `i` (not
 *   false, not unknown because of a null) and, when `rows` is given, row `i` is in `rows`.
 * @throws ShoalError(ServiceInternal) if a column the filter reads is not of its field's layout
 *   (e.g. not a `BigInt64Array` for Int64) or is shorter than `numRows`, or if `rows` is not
 *   `numRows` bits.
 */
export function evaluateFilter(expr: BoundExpr, source: ColumnSource, rows?: Bitset): Bitset {
  const ctx = new EvalContext(source, rows);
  const t = evaluateTri(expr, ctx).t;
  return rows === undefined ? t : t.and(rows);
}

function evaluateTri(expr: BoundExpr, ctx: EvalContext): Tri {
  switch (expr.kind) {
    case 'const': return constTri(expr.value, ctx.n);
    case 'known': return masked(constTri(expr.value, ctx.n).t, ctx.valid(expr.field));
    case 'not': return notTri(evaluateTri(expr.child, ctx));
    case 'and': {
      const children = planConjunction(expr.children, ctx);
      let acc = evaluateTri(children[0], ctx);
      const outer = ctx.mask;
      for (let k = 1; k < children.length && !isAllFalse(acc); k++) {
        if (acc.f === null) ctx.mask = outer === null ? acc.t.words : intersect(acc.t.words, outer);
        const next = evaluateTri(children[k], ctx);
        ctx.mask = outer;
        acc = andTri(acc, next);
      }
      return acc;
    }
    case 'or': {
      let acc = evaluateTri(expr.children[0], ctx);
      for (let k = 1; k < expr.children.length; k++) acc = orTri(acc, evaluateTri(expr.children[k], ctx));
      return acc;
    }
    case 'compare': return masked(indexed(ctx, expr.field, { kind: 'compare', op: expr.op, value: expr.value }) ?? compareColumn(expr, ctx), ctx.valid(expr.field));
    case 'in': return masked(indexed(ctx, expr.field, { kind: 'in', values: expr.values }) ?? memberColumn(expr, ctx), ctx.valid(expr.field));
    case 'range': return masked(rangeColumn(expr, ctx), ctx.valid(expr.field));
    case 'like':
      if (expr.field !== undefined) return masked(likeColumn(expr as BoundLike & { field: string }, ctx), ctx.valid(expr.field));
      return evaluatePathPredicate(expr, ctx);
    case 'isNull':
      if (expr.field !== undefined) {
        const valid = ctx.valid(expr.field);
        return { t: valid === null ? constTri(false, ctx.n).t : valid.clone().not(), f: null };
      }
      return evaluatePathPredicate(expr, ctx);
    case 'pathCompare': case 'pathIn': case 'exists': case 'contains':
      return evaluatePathPredicate(expr, ctx);
    case 'compareValues':
      return evaluateCompareValues(expr, ctx);
  }
}

/** `a AND b`, word by word, in a new array (`b` is an enclosing mask, `a` an operand's true rows). */
function intersect(a: Uint32Array, b: Uint32Array): Uint32Array {
  const out = new Uint32Array(a.length);
  for (let w = 0; w < a.length; w++) out[w] = a[w] & b[w];
  return out;
}

/**
 * Cost classes of the operands of an `and`, cheapest first: answered by a scalar index (a few
 * posting lists), a typed-array kernel over one column, then per-row work (strings, JSON, Array
 * values, arithmetic, nested logic).
 */
const COST = { index: 0, kernel: 1, rowWise: 2 } as const;

function costOf(e: BoundExpr, ctx: EvalContext): number {
  switch (e.kind) {
    case 'compare': case 'in': case 'range': {
      if (ctx.source.scalarIndex?.(e.field) !== undefined) return COST.index;
      return e.dataType === 'VarChar' ? COST.rowWise : COST.kernel;
    }
    case 'isNull': return e.field !== undefined ? COST.kernel : COST.rowWise;
    case 'const': case 'known': return COST.index;
    default: return COST.rowWise;
  }
}

/**
 * The operands of an `and` in evaluation order (a stable sort by {@link costOf}): cheap operands
 * first, so that the costly per-row loops that follow only visit the rows still passing (see
 * `EvalContext.mask`). Reordering is sound because `and` is commutative also in three-valued logic.
 */
function planConjunction(children: readonly BoundExpr[], ctx: EvalContext): readonly BoundExpr[] {
  const ranked = children.map((e, i) => ({ e, i, c: costOf(e, ctx) }));
  ranked.sort((x, y) => x.c - y.c || x.i - y.i);
  return ranked.map((r) => r.e);
}

/** The rows matching `pred` by `field`'s scalar index (a private copy), or `undefined` to scan. */
function indexed(ctx: EvalContext, field: string, pred: IndexPredicate): Bitset | undefined {
  const hit = ctx.source.scalarIndex?.(field)?.lookup(pred);
  return hit !== undefined && hit.size === ctx.n ? hit.clone() : undefined;
}

function compareColumn(e: BoundCompare, ctx: EvalContext): Bitset {
  const n = ctx.n;
  const out = ctx.empty();
  const [kernel, negate] = KERNELS[e.op];
  const col = ctx.columnOf(e.field, e.dataType);
  switch (e.dataType) {
    case 'Int64': compareInt64(col as BigInt64Array, n, kernel, e.value, out); break;
    case 'VarChar': compareStrings(col as string[], n, kernel, e.value, out); break;
    case 'Bool': compareNumbers(col as Uint8Array, n, kernel, e.value ? 1 : 0, out); break;
    default: compareNumbers(col as NumberColumn, n, kernel, e.value, out); break;
  }
  return negate ? out.not() : out;
}

function memberColumn(e: BoundIn, ctx: EvalContext): Bitset {
  const n = ctx.n;
  const out = ctx.empty();
  const col = ctx.columnOf(e.field, e.dataType);
  switch (e.dataType) {
    case 'Int64': memberInt64(col as BigInt64Array, n, e.values, out); break;
    case 'VarChar': memberStrings(col as string[], n, new Set(e.values), out); break;
    case 'Bool': memberTable(col as Uint8Array, n, e.values.map((b) => (b ? 1 : 0)), out); break;
    case 'Int8': case 'Int16': case 'Int32': {
      const v = e.values;
      if (v[v.length - 1] - v[0] < MEMBER_TABLE_SPAN) memberTable(col as Int32Array, n, v, out);
      else memberNumbers(col as NumberColumn, n, Float64Array.from(v), out);
      break;
    }
    default: memberNumbers(col as NumberColumn, n, Float64Array.from(e.values), out); break;
  }
  return out;
}

/** A range by the index, else as the `and` of its two bounds' kernels. */
function rangeColumn(e: BoundRange, ctx: EvalContext): Bitset {
  const hit = indexed(ctx, e.field, {
    kind: 'range', lower: e.lower, lowerInclusive: e.lowerInclusive, upper: e.upper, upperInclusive: e.upperInclusive,
  });
  if (hit !== undefined) return hit;
  const bound = (op: BoundCompare['op'], value: number | bigint | string): BoundCompare =>
    ({ kind: 'compare', field: e.field, dataType: e.dataType, op, value }) as BoundCompare;
  return compareColumn(bound(e.lowerInclusive ? '>=' : '>', e.lower), ctx)
    .and(compareColumn(bound(e.upperInclusive ? '<=' : '<', e.upper), ctx));
}

/** `like` on a VarChar field: exact and prefix patterns by the index when it answers them. */
function likeColumn(e: BoundLike & { field: string }, ctx: EvalContext): Bitset {
  const plan = planLike(e.pattern);
  if (plan.kind === 'prefix' || plan.kind === 'exact') {
    const hit = indexed(ctx, e.field, plan.kind === 'prefix' ? { kind: 'prefix', prefix: plan.text } : { kind: 'compare', op: '==', value: plan.text });
    if (hit !== undefined) return hit;
  }
  return scanStrings(ctx.columnOf(e.field, 'VarChar' satisfies FilterFieldType) as string[], ctx.n, plan, ctx.mask);
}
