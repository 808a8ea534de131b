/**
 * Column-wise evaluation of a bound filter over a block of rows (a segment), giving the bitset of
 * passing rows (DESIGN.md, "Data plane": filters evaluate to a bitset per segment). Each
 * comparison is one loop over its column (`kernels.ts`); `and`/`or`/`not` combine bitsets word
 * by word.
 */
import { Bitset } from '@shoal/ann';
import { ErrorCode, ShoalError } from '@shoal/actors';
import type { Column } from '../schema/types.ts';
import type { ScalarIndex } from '../scalar-index/types.ts';
import type { BoundCompare, BoundExpr, BoundIn, FilterFieldType } from './bound.ts';
import {
  compareInt64, compareNumbers, compareStrings, memberInt64, memberNumbers, memberStrings,
  type KernelOp, type NumberColumn,
} from './kernels.ts';

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

/** The typed-array class (or `Array` for VarChar) each filterable field type is stored in. */
const COLUMN_CLASS: Readonly<Record<FilterFieldType, new (...args: never[]) => object>> = {
  Bool: Uint8Array, Int8: Int8Array, Int16: Int16Array, Int32: Int32Array, Int64: BigInt64Array,
  Float: Float32Array, Double: Float64Array, VarChar: Array,
};

/**
 * Evaluates `expr` over the rows `0..source.numRows−1` of `source`.
 * @returns a `Bitset` of `numRows` bits, bit `i` set when row `i` passes.
 * @throws ShoalError(ServiceInternal) if a column the filter reads is not of its field's layout
 *   (e.g. not a `BigInt64Array` for Int64) or is shorter than `numRows`.
 */
export function evaluateFilter(expr: BoundExpr, source: ColumnSource): Bitset {
  const n = source.numRows;
  switch (expr.kind) {
    case 'const':
      return expr.value ? Bitset.full(n) : new Bitset(n);
    case 'not':
      return evaluateFilter(expr.child, source).not();
    case 'and': {
      const acc = evaluateFilter(expr.children[0], source);
      for (let k = 1; k < expr.children.length && !isEmpty(acc); k++) acc.and(evaluateFilter(expr.children[k], source));
      return acc;
    }
    case 'or': {
      const acc = evaluateFilter(expr.children[0], source);
      for (let k = 1; k < expr.children.length; k++) acc.or(evaluateFilter(expr.children[k], source));
      return acc;
    }
    case 'compare':
      return compareColumn(expr, source);
    case 'in':
      return memberColumn(expr, source);
  }
}

function isEmpty(b: Bitset): boolean {
  const words = b.words;
  for (let w = 0; w < words.length; w++) if (words[w] !== 0) return false;
  return true;
}

/** The column of `field`, checked against the layout of `dataType` and the row count. */
function columnOf(source: ColumnSource, field: string, dataType: FilterFieldType): Column {
  const col = source.column(field);
  const expected = COLUMN_CLASS[dataType];
  const layoutOk = dataType === 'VarChar' ? Array.isArray(col) : col instanceof expected;
  if (!layoutOk || col.length < source.numRows) {
    throw new ShoalError(ErrorCode.ServiceInternal, `filter on field "${field}" (${dataType}) expected a ${expected.name} column of ` +
      `at least ${source.numRows} values, got ${col?.constructor?.name ?? typeof col} of length ${col?.length}`);
  }
  return col;
}

function compareColumn(e: BoundCompare, source: ColumnSource): Bitset {
  const n = source.numRows;
  const out = new Bitset(n);
  const [kernel, negate] = KERNELS[e.op];
  const col = columnOf(source, e.field, e.dataType);
  switch (e.dataType) {
    case 'Int64': compareInt64(col as BigInt64Array, n, kernel, e.value, out); break;
    case 'VarChar': compareStrings(col as string[], n, kernel, e.value, out); break;
    case 'Bool': compareNumbers(col as Uint8Array, n, kernel, e.value ? 1 : 0, out); break;
    default: compareNumbers(col as NumberColumn, n, kernel, e.value, out); break;
  }
  return negate ? out.not() : out;
}

function memberColumn(e: BoundIn, source: ColumnSource): Bitset {
  const n = source.numRows;
  const out = new Bitset(n);
  const col = columnOf(source, e.field, e.dataType);
  switch (e.dataType) {
    case 'Int64': memberInt64(col as BigInt64Array, n, e.values, out); break;
    case 'VarChar': memberStrings(col as string[], n, new Set(e.values), out); break;
    case 'Bool': memberNumbers(col as Uint8Array, n, Float64Array.from(e.values, (b) => (b ? 1 : 0)), out); break;
    default: memberNumbers(col as NumberColumn, n, Float64Array.from(e.values), out); break;
  }
  return out;
}
