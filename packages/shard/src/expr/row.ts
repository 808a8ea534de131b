/**
 * Row-at-a-time reference interpreter of bound filters: the plain definition of what a filter
 * means, against which the column evaluator (`evaluate.ts`) is property-tested. Not for hot paths.
 *
 * Three-valued logic (Milvus 2.5 nulls): each predicate gives `true`, `false` or `null`
 * (unknown: it read a null field); `not null` is `null`; `and`/`or` follow Kleene's tables; a row
 * passes only when the filter is `true`.
 */
import { ErrorCode, ShoalError } from '@shoal/actors';
import type { BoundExpr, FilterFieldType, PathRef, ValueExpr } from './bound.ts';
import { jsonEquals, jsonOrder, walkPath } from './json-value.ts';
import { likeRegExp } from './like.ts';
import { arithValues } from './operands.ts';
import { compareCodePoints, compareNumeric, holds, orderValues } from './order.ts';

/** A truth value of three-valued logic; `null` is unknown. */
type Truth = boolean | null;

/**
 * Evaluates `expr` on one row given as field name → value, with values as clients see them
 * (`readValue` of `schema/rows.ts`): Bool `boolean`; Int8/16/32, Float, Double `number`;
 * Int64 `bigint` (an integral `number` is accepted too); VarChar `string`; JSON a parsed value
 * (integers beyond 2^53 as `bigint`); Array a JS array; the dynamic field `$meta` an object of the
 * row's undeclared keys; `null` for a null value of a nullable field. A Float value is rounded to
 * float32 first, as storing it in a Float column does.
 * @returns true if the row passes (the filter is true, not false or unknown).
 * @throws ShoalError(ParameterInvalid) if a field the filter reads is missing from `row` or has
 *   a value of the wrong JS type.
 */
export function evaluateRow(expr: BoundExpr, row: Record<string, unknown>): boolean {
  return truth(expr, row) === true;
}

function truth(expr: BoundExpr, row: Record<string, unknown>): Truth {
  switch (expr.kind) {
    case 'const': return expr.value;
    case 'known': return fieldOf(row, expr.field) === null ? null : expr.value;
    case 'not': { const v = truth(expr.child, row); return v === null ? null : !v; }
    case 'and': {
      let result: Truth = true;
      for (const c of expr.children) {
        const v = truth(c, row);
        if (v === false) return false;
        if (v === null) result = null;
      }
      return result;
    }
    case 'or': {
      let result: Truth = false;
      for (const c of expr.children) {
        const v = truth(c, row);
        if (v === true) return true;
        if (v === null) result = null;
      }
      return result;
    }
    case 'compare': {
      const x = rowValue(row, expr.field, expr.dataType);
      return x === null ? null : holds(expr.op, compareValues(x, expr.value));
    }
    case 'in': {
      const x = rowValue(row, expr.field, expr.dataType);
      return x === null ? null : (expr.values as (boolean | number | bigint | string)[]).some((v) => compareValues(x, v) === 0);
    }
    case 'range': {
      const x = rowValue(row, expr.field, expr.dataType);
      if (x === null) return null;
      const lo = compareValues(x, expr.lower);
      const hi = compareValues(x, expr.upper);
      return holds(expr.lowerInclusive ? '>=' : '>', lo) && holds(expr.upperInclusive ? '<=' : '<', hi);
    }
    case 'like': {
      if (expr.field !== undefined) {
        const x = rowValue(row, expr.field, 'VarChar');
        return x === null ? null : likeRegExp(expr.pattern).test(x as string);
      }
      if (fieldOf(row, expr.ref.field) === null) return null;
      const x = pathValue(row, expr.ref);
      return typeof x === 'string' && likeRegExp(expr.pattern).test(x);
    }
    case 'isNull': {
      if (expr.field !== undefined) return fieldOf(row, expr.field) === null;
      const x = pathValue(row, expr.ref);
      return x === null || x === undefined;
    }
    case 'exists': return fieldOf(row, expr.ref.field) === null ? null : pathValue(row, expr.ref) !== undefined;
    case 'pathCompare': case 'pathIn': {
      if (fieldOf(row, expr.ref.field) === null) return null;
      const x = pathValue(row, expr.ref);
      const values = expr.kind === 'pathIn' ? expr.values : [expr.value];
      if (expr.kind === 'pathCompare' && expr.op === '!=') return x !== undefined && jsonOrder(x, expr.value) !== 0;
      return values.some((v) => {
        const c = jsonOrder(x, v);
        return expr.kind === 'pathIn' ? c === 0 : c !== undefined && holds(expr.op, c);
      });
    }
    case 'contains': {
      if (fieldOf(row, expr.ref.field) === null) return null;
      const x = pathValue(row, expr.ref);
      if (!Array.isArray(x)) return false;
      const has = (lit: (typeof expr.values)[number]) => x.some((el) => jsonEquals(el, lit));
      return expr.mode === 'any' ? expr.values.some(has) : expr.values.every(has);
    }
    case 'compareValues': {
      const nulls: string[] = [];
      const a = computed(expr.left, row, nulls);
      const b = computed(expr.right, row, nulls);
      if (nulls.length > 0) return null;
      if (a === 'none' || b === 'none') return expr.op === '!=';
      return a !== undefined && b !== undefined && holds(expr.op, orderValues(a.value, b.value));
    }
  }
}

/**
 * A computed value: integers as bigint (`int`), doubles as number, or a string/boolean;
 * `'none'` for a JSON value that is missing or not a number (a comparison holds only for `!=`);
 * `undefined` for no value (an Array element out of range, an integer division by zero).
 */
type Computed = { value: unknown; int: boolean } | 'none' | undefined;

/** The value of `v` on `row` (`undefined` for none); the names of null fields read go to `nulls`. */
function computed(v: ValueExpr, row: Record<string, unknown>, nulls: string[]): Computed {
  switch (v.kind) {
    case 'num': return { value: v.value, int: typeof v.value === 'bigint' };
    case 'field': {
      const x = rowValue(row, v.field, v.dataType);
      if (x === null) { nulls.push(v.field); return undefined; }
      const int = v.dataType.startsWith('Int');
      return { value: int ? BigInt(x as number | bigint) : x, int };
    }
    case 'path': case 'length': {
      if (fieldOf(row, v.ref.field) === null) { nulls.push(v.ref.field); return undefined; }
      const x = walkPath(fieldOf(row, v.ref.field), v.ref.path);
      if (v.kind === 'length') return { value: BigInt(Array.isArray(x) ? x.length : 0), int: true };
      if (typeof x === 'bigint') return { value: x, int: true };
      if (typeof x !== 'number') return v.ref.fieldType === 'JSON' ? 'none' : undefined;
      const int = v.ref.fieldType === 'Array' ? v.ref.elementType !== 'Float' && v.ref.elementType !== 'Double' : Number.isInteger(x);
      return { value: int ? BigInt(x) : x, int };
    }
    case 'arith': {
      const a = computed(v.left, row, nulls);
      const b = computed(v.right, row, nulls);
      if (a === 'none' || b === 'none') return 'none';
      if (a === undefined || b === undefined) return undefined;
      const x = a.value as number | bigint;
      const y = b.value as number | bigint;
      const int = a.int && b.int && v.op !== '**';
      const r = int ? arithValues(v.op, x, y) : arithValues(v.op, Number(x), Number(y));
      return r === undefined ? undefined : { value: r, int };
    }
  }
}

/** Order of two values of one field type; `undefined` when unordered (a NaN). */
function compareValues(a: boolean | number | bigint | string, b: boolean | number | bigint | string): number | undefined {
  if (typeof a === 'string') return compareCodePoints(a, b as string);
  if (typeof a === 'boolean') return a === b ? 0 : a ? 1 : -1;
  return compareNumeric(a, b as number | bigint);
}

/** The raw value of `field` in `row` (`null` for a null). */
function fieldOf(row: Record<string, unknown>, field: string): unknown {
  const v = Object.hasOwn(row, field) ? row[field] : undefined;
  if (v === undefined) throw new ShoalError(ErrorCode.ParameterInvalid, `filter reads field "${field}", but the row has no value for it`);
  return v;
}

/** The value at `ref` in `row`: `undefined` if missing, `null` if JSON null or the field is null. */
function pathValue(row: Record<string, unknown>, ref: PathRef): unknown {
  const root = fieldOf(row, ref.field);
  return root === null ? null : walkPath(root, ref.path);
}

/** The value of a plain `field` in `row`, checked and normalized for `dataType`; `null` for a null. */
function rowValue(row: Record<string, unknown>, field: string, dataType: FilterFieldType): boolean | number | bigint | string | null {
  const v = Object.hasOwn(row, field) ? row[field] : undefined;
  if (v === null) return null;
  switch (dataType) {
    case 'Bool': if (typeof v === 'boolean') return v; break;
    case 'VarChar': if (typeof v === 'string') return v; break;
    case 'Int64':
      if (typeof v === 'bigint') return v;
      if (typeof v === 'number' && Number.isInteger(v)) return BigInt(v);
      break;
    case 'Float': if (typeof v === 'number') return Math.fround(v); break;
    default: if (typeof v === 'number') return v; break;
  }
  const found = v === undefined ? 'no value' : `a ${typeof v}`;
  throw new ShoalError(ErrorCode.ParameterInvalid, `filter reads field "${field}" (${dataType}), but the row has ${found} for it`);
}
