/**
 * Column-at-a-time evaluation of computed comparisons whose operands are plain numeric fields and
 * small constants (`age % 2 == 0`, `price * 2 > 100`, `a < b`): each arithmetic node is one loop
 * writing a `Float64Array`. Integer nodes are only evaluated here when interval analysis — over
 * the field types' ranges, and for Int64 fields over the values actually present (all within
 * ±(2^53 − 1)) — proves every intermediate result stays within ±2^53 (and divisions within
 * int32), where doubles give the exact integer results (`/` truncated);
 * otherwise `compile` returns `undefined` and the caller uses the per-row evaluator.
 */
import type { Bitset } from '@shoal/ann';
import type { ArithOp } from './ast.ts';
import type { CompareOp, ValueExpr } from './bound.ts';
import type { EvalContext } from './eval-context.ts';
import { int64AsDoubles, type NumberColumn } from './kernels.ts';

/** A computed column (or a constant) with its static type and value bounds. */
interface Values {
  data: NumberColumn | number;
  int: boolean;
  lo: number;
  hi: number;
}

const SAFE = Number.MAX_SAFE_INTEGER;
const INT32 = 2 ** 31;
const INT_BOUNDS: Readonly<Record<string, [number, number]>> = {
  Int8: [-128, 127], Int16: [-32768, 32767], Int32: [-INT32, INT32 - 1],
};

/**
 * Computes `v` column-wise over `ctx.n` rows, adding the fields read to `fields`, or `undefined`
 * when `v` is outside this evaluator's exact domain (see the file comment).
 */
export function columnValues(v: ValueExpr, ctx: EvalContext, fields: Set<string>): Values | undefined {
  switch (v.kind) {
    case 'num': {
      const x = Number(v.value);
      if (typeof v.value === 'bigint' ? (x > INT32 || x < -INT32) : !Number.isFinite(x)) return undefined;
      return { data: x, int: typeof v.value === 'bigint', lo: x, hi: x };
    }
    case 'field': {
      if (v.dataType === 'Float' || v.dataType === 'Double') {
        fields.add(v.field);
        return { data: ctx.columnOf(v.field, v.dataType) as NumberColumn, int: false, lo: -Infinity, hi: Infinity };
      }
      if (v.dataType === 'Int64') {
        const d = int64AsDoubles(ctx.columnOf(v.field, 'Int64') as BigInt64Array, ctx.n);
        if (d === undefined) return undefined;
        fields.add(v.field);
        return { data: d.values, int: true, lo: d.min, hi: d.max };
      }
      const b = INT_BOUNDS[v.dataType];
      if (b === undefined) return undefined;
      fields.add(v.field);
      return { data: ctx.columnOf(v.field, v.dataType) as NumberColumn, int: true, lo: b[0], hi: b[1] };
    }
    case 'arith': {
      const l = columnValues(v.left, ctx, fields);
      const r = l && columnValues(v.right, ctx, fields);
      if (l === undefined || r === undefined) return undefined;
      if (!l.int || !r.int || v.op === '**') return { data: apply(v.op, l.data, r.data, ctx.n, false), int: false, lo: -Infinity, hi: Infinity };
      const bounds = intBounds(v.op, l, r);
      if (bounds === undefined) return undefined;
      return { data: apply(v.op, l.data, r.data, ctx.n, true), int: true, lo: bounds[0], hi: bounds[1] };
    }
    default:
      return undefined;
  }
}

/** Bounds of an integer `l op r`, or `undefined` when doubles might not be exact. */
function intBounds(op: ArithOp, l: Values, r: Values): [number, number] | undefined {
  let lo: number;
  let hi: number;
  const lm = Math.max(Math.abs(l.lo), Math.abs(l.hi));
  switch (op) {
    case '+': lo = l.lo + r.lo; hi = l.hi + r.hi; break;
    case '-': lo = l.lo - r.hi; hi = l.hi - r.lo; break;
    case '*': {
      const p = [l.lo * r.lo, l.lo * r.hi, l.hi * r.lo, l.hi * r.hi];
      lo = Math.min(...p); hi = Math.max(...p); break;
    }
    case '/': case '%':
      // Only by a non-zero constant (no row divides by zero), on int32-sized values (exact trunc).
      if (typeof r.data !== 'number' || r.data === 0 || lm > INT32) return undefined;
      lo = -lm; hi = lm; break;
    default: return undefined;
  }
  return Math.max(Math.abs(lo), Math.abs(hi)) <= SAFE ? [lo, hi] : undefined;
}

/** `a op b` elementwise over `n` rows (a constant stands for every row). */
function apply(op: ArithOp, a: NumberColumn | number, b: NumberColumn | number, n: number, int: boolean): NumberColumn | number {
  if (typeof a === 'number' && typeof b === 'number') return calc(op, a, b, int);
  const out = new Float64Array(n);
  if (typeof b === 'number') {
    const x = a as NumberColumn;
    switch (op) {
      case '+': for (let i = 0; i < n; i++) out[i] = x[i] + b; break;
      case '-': for (let i = 0; i < n; i++) out[i] = x[i] - b; break;
      case '*': for (let i = 0; i < n; i++) out[i] = x[i] * b; break;
      case '/': if (int) for (let i = 0; i < n; i++) out[i] = Math.trunc(x[i] / b); else for (let i = 0; i < n; i++) out[i] = x[i] / b; break;
      case '%': for (let i = 0; i < n; i++) out[i] = x[i] % b; break;
      case '**': for (let i = 0; i < n; i++) out[i] = x[i] ** b; break;
    }
    return out;
  }
  for (let i = 0; i < n; i++) out[i] = calc(op, typeof a === 'number' ? a : a[i], b[i], int);
  return out;
}

function calc(op: ArithOp, x: number, y: number, int: boolean): number {
  switch (op) {
    case '+': return x + y;
    case '-': return x - y;
    case '*': return x * y;
    case '/': return int ? Math.trunc(x / y) : x / y;
    case '%': return x % y;
    case '**': return x ** y;
  }
}

/** Sets `out` to `a[i] op b[i]` (constants for every row); NaN satisfies only `!=`. */
export function compareColumns(op: CompareOp, a: NumberColumn | number, b: NumberColumn | number, n: number, out: Bitset): void {
  const words = out.words;
  const at = (c: NumberColumn | number, i: number): number => (typeof c === 'number' ? c : c[i]);
  for (let w = 0, i = 0; i < n; w++) {
    const end = i + 32 < n ? i + 32 : n;
    let bits = 0;
    switch (op) {
      case '==': for (let k = 0; i < end; i++, k++) if (at(a, i) === at(b, i)) bits |= 1 << k; break;
      case '!=': for (let k = 0; i < end; i++, k++) if (!(at(a, i) === at(b, i))) bits |= 1 << k; break;
      case '<': for (let k = 0; i < end; i++, k++) if (at(a, i) < at(b, i)) bits |= 1 << k; break;
      case '<=': for (let k = 0; i < end; i++, k++) if (at(a, i) <= at(b, i)) bits |= 1 << k; break;
      case '>': for (let k = 0; i < end; i++, k++) if (at(a, i) > at(b, i)) bits |= 1 << k; break;
      case '>=': for (let k = 0; i < end; i++, k++) if (at(a, i) >= at(b, i)) bits |= 1 << k; break;
    }
    words[w] = bits;
  }
}
