/**
 * Row-at-a-time reference interpreter of bound filters: the plain definition of what a filter
 * means, against which the column evaluator (`evaluate.ts`) is property-tested. Not for hot paths.
 */
import { ErrorCode, ShoalError } from '@shoal/actors';
import type { BoundExpr, FilterFieldType } from './bound.ts';
import { compareCodePoints, compareNumeric } from './order.ts';

/**
 * Evaluates `expr` on one row given as field name → value, with values as clients see them
 * (`readValue` of `schema/rows.ts`): Bool `boolean`; Int8/16/32, Float, Double `number`;
 * Int64 `bigint` (an integral `number` is accepted too); VarChar `string`. A Float value is
 * rounded to float32 first, as storing it in a Float column does.
 * @returns true if the row passes.
 * @throws ShoalError(ParameterInvalid) if a field the filter reads is missing from `row` or has
 *   a value of the wrong JS type.
 */
export function evaluateRow(expr: BoundExpr, row: Record<string, unknown>): boolean {
  switch (expr.kind) {
    case 'const': return expr.value;
    case 'not': return !evaluateRow(expr.child, row);
    case 'and': return expr.children.every((c) => evaluateRow(c, row));
    case 'or': return expr.children.some((c) => evaluateRow(c, row));
    case 'compare': {
      const order = compareValues(rowValue(row, expr.field, expr.dataType), expr.value);
      if (order === undefined) return expr.op === '!=';
      switch (expr.op) {
        case '==': return order === 0;
        case '!=': return order !== 0;
        case '<': return order < 0;
        case '<=': return order <= 0;
        case '>': return order > 0;
        case '>=': return order >= 0;
      }
      break;
    }
    case 'in': {
      const x = rowValue(row, expr.field, expr.dataType);
      return (expr.values as (boolean | number | bigint | string)[]).some((v) => compareValues(x, v) === 0);
    }
  }
}

/** Order of two values of one field type; `undefined` when unordered (a NaN). */
function compareValues(a: boolean | number | bigint | string, b: boolean | number | bigint | string): number | undefined {
  if (typeof a === 'string') return compareCodePoints(a, b as string);
  if (typeof a === 'boolean') return a === b ? 0 : a ? 1 : -1;
  return compareNumeric(a, b as number | bigint);
}

/** The value of `field` in `row`, checked and normalized for `dataType`. */
function rowValue(row: Record<string, unknown>, field: string, dataType: FilterFieldType): boolean | number | bigint | string {
  const v = Object.hasOwn(row, field) ? row[field] : undefined;
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
