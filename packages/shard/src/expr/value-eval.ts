/**
 * Column evaluation of comparisons between computed values (`bound.ts` {@link ValueExpr}):
 * arithmetic over fields and JSON numbers, `array_length`, and field-to-field comparisons. Each
 * side is compiled once into a per-row reader; integer arithmetic stays in doubles while exact
 * (results within ±(2^53−1), division on int32-sized operands) and falls back to bigints, so the
 * answers are those of exact integer arithmetic (see `arithValues` in `operands.ts`).
 */
import { Bitset } from '@shoal/ann';
import type { ArithOp } from './ast.ts';
import type { BoundCompareValues, ValueExpr } from './bound.ts';
import type { EvalContext } from './eval-context.ts';
import { columnValues, compareColumns } from './arith-columns.ts';
import { pathReader } from './json-value.ts';
import { arithValues } from './operands.ts';
import { holds, orderValues } from './order.ts';
import { masked, type Tri } from './tri.ts';

/**
 * A row's value: a number, bigint, string or boolean; {@link NONE} for a JSON value that is
 * missing or not a number (or an arithmetic result over one); `undefined` for no value otherwise
 * (an Array element out of range, an integer division by zero).
 */
type Reader = (i: number) => unknown;

/**
 * The value of a JSON path that is missing or not a number: a comparison over it holds only for
 * `!=` (Milvus `BinaryArithRangeJSONCompareNotEqual`, as a plain JSON `!=`).
 */
const NONE: unique symbol = Symbol('none');

/** Whether a value expression is integer-typed: always, never, or by the JSON value found. */
type Integral = true | false | 'dynamic';

const INT32 = 2 ** 31;

/**
 * Evaluates `left op right` on every row: true/false where both sides have a value; where a JSON
 * value is missing or not a number, true for `!=` and false for the other operators; false where
 * an Array element is out of range or an integer is divided by zero; unknown where a field read
 * is null. `array_length` of a JSON value that is not an array (or missing) is 0 (Milvus
 * `BinaryArithRangeJONCompareArrayLength`).
 */
export function evaluateCompareValues(e: BoundCompareValues, ctx: EvalContext): Tri {
  const fields = new Set<string>();
  const n = ctx.n;
  const out = new Bitset(n);
  const lc = columnValues(e.left, ctx, fields);
  const rc = lc && columnValues(e.right, ctx, fields);
  if (lc !== undefined && rc !== undefined) {
    compareColumns(e.op, lc.data, rc.data, n, out);
  } else {
    fields.clear();
    compareRows(e, ctx, fields, out);
  }
  let valid: Bitset | null = null;
  for (const f of fields) {
    const v = ctx.valid(f);
    if (v !== null) valid = valid === null ? v.clone() : valid.and(v);
  }
  return masked(out, valid);
}

/** Sets `out` to the rows where `e` holds, reading row by row. */
function compareRows(e: BoundCompareValues, ctx: EvalContext, fields: Set<string>, out: Bitset): void {
  const left = compile(e.left, ctx, fields);
  const right = compile(e.right, ctx, fields);
  const n = ctx.n;
  const words = out.words;
  const op = e.op;
  const mask = ctx.mask;
  for (let w = 0, i = 0; i < n; w++) {
    const end = i + 32 < n ? i + 32 : n;
    if (mask !== null && mask[w] === 0) { i = end; continue; }
    let bits = 0;
    for (let b = 0; i < end; i++, b++) {
      const x = left.read(i);
      const y = right.read(i);
      if (x === NONE || y === NONE) {
        if (op === '!=') bits |= 1 << b;
      } else if (x !== undefined && y !== undefined && holds(op, orderValues(x, y))) {
        bits |= 1 << b;
      }
    }
    words[w] = bits;
  }
}

/** Compiles a value expression into a row reader, noting the fields it reads (for their nulls). */
function compile(v: ValueExpr, ctx: EvalContext, fields: Set<string>): { read: Reader; integral: Integral } {
  switch (v.kind) {
    case 'num': { const c = v.value; return { read: () => c, integral: typeof c === 'bigint' }; }
    case 'field': {
      fields.add(v.field);
      const col = ctx.columnOf(v.field, v.dataType);
      if (v.dataType === 'Bool') return { read: (i) => col[i] === 1, integral: false };
      const integral = v.dataType !== 'Float' && v.dataType !== 'Double' && v.dataType !== 'VarChar';
      return { read: (i) => col[i], integral };
    }
    case 'path': {
      fields.add(v.ref.field);
      const values = ctx.values(v.ref.field);
      const get = pathReader(v.ref.path);
      const other = v.ref.fieldType === 'JSON' ? NONE : undefined;
      return {
        read: (i) => { const x = get(values[i]); return typeof x === 'number' || typeof x === 'bigint' ? x : other; },
        integral: v.ref.fieldType === 'Array' ? v.ref.elementType !== 'Float' && v.ref.elementType !== 'Double' : 'dynamic',
      };
    }
    case 'length': {
      fields.add(v.ref.field);
      const values = ctx.values(v.ref.field);
      const get = pathReader(v.ref.path);
      return { read: (i) => { const x = get(values[i]); return Array.isArray(x) ? x.length : 0; }, integral: true };
    }
    case 'arith': {
      const l = compile(v.left, ctx, fields);
      const r = compile(v.right, ctx, fields);
      const op = v.op;
      const integral: Integral = op === '**' ? false
        : l.integral === false || r.integral === false ? false : l.integral === true && r.integral === true ? true : 'dynamic';
      const lr = l.read;
      const rr = r.read;
      const li = l.integral;
      const ri = r.integral;
      return {
        read: (i) => {
          const a = lr(i) as number | bigint | typeof NONE | undefined;
          const b = rr(i) as number | bigint | typeof NONE | undefined;
          if (a === NONE || b === NONE) return NONE;
          if (a === undefined || b === undefined) return undefined;
          return arith(op, a, isInt(a, li), b, isInt(b, ri));
        },
        integral,
      };
    }
  }
}

function isInt(x: number | bigint, integral: Integral): boolean {
  return typeof x === 'bigint' || integral === true || (integral === 'dynamic' && Number.isInteger(x));
}

/** One arithmetic step: integer semantics when both are integers (fast in doubles while exact). */
function arith(op: ArithOp, a: number | bigint, aInt: boolean, b: number | bigint, bInt: boolean): number | bigint | undefined {
  if (!aInt || !bInt || op === '**') return arithValues(op, Number(a), Number(b));
  if (typeof a === 'number' && typeof b === 'number') {
    switch (op) {
      case '+': case '-': case '*': {
        const r = op === '+' ? a + b : op === '-' ? a - b : a * b;
        if (Number.isSafeInteger(r)) return r;
        break;
      }
      case '/':
        if (b === 0) return undefined;
        if (a < INT32 && a > -INT32 && b < INT32 && b > -INT32) return Math.trunc(a / b);
        break;
      case '%':
        if (b === 0) return undefined;
        return a % b;
    }
  }
  const r = arithValues(op, BigInt(a), BigInt(b));
  return typeof r === 'bigint' && r <= BigInt(Number.MAX_SAFE_INTEGER) && r >= BigInt(Number.MIN_SAFE_INTEGER) ? Number(r) : r;
}
