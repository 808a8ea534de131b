import { describe, expect, it } from 'vitest';
import { ErrorCode, ShoalError } from '@shoal/actors';
import type { Bitset } from '@shoal/ann';
import type { CollectionSchema, Column, DataType } from '../src/schema/types.ts';
import { compileFilter, evaluateFilter, evaluateRow, fieldsOf, type BoundExpr } from '../src/expr/index.ts';

const TWO53 = 2n ** 53n;
const MIN64 = -(2n ** 63n);
const MAX64 = 2n ** 63n - 1n;

/** Six rows; each field's column below. */
const columns: Record<string, Column> = {
  id: new BigInt64Array([TWO53, TWO53 + 1n, MIN64, MAX64, -1n, 0n]),
  b: new Uint8Array([1, 0, 1, 0, 0, 1]),
  i8: new Int8Array([-128, 127, 0, 5, -5, 1]),
  f: new Float32Array([0.1, 0.2, -0.5, 1e30, 0, -0]),
  d: new Float64Array([NaN, 1, -1, Infinity, -Infinity, 2.5]),
  s: ['', 'a', 'ab', 'b', '\uffff', '😀'],
};

const TYPES: Record<string, DataType> = { id: 'Int64', b: 'Bool', i8: 'Int8', f: 'Float', d: 'Double', s: 'VarChar' };

const schema: CollectionSchema = {
  name: 'things',
  description: '',
  enableDynamicField: false,
  fields: Object.entries(TYPES).map(([name, dataType], k) => ({
    fieldId: 100 + k, name, dataType, isPrimaryKey: name === 'id', autoId: false, ...(dataType === 'VarChar' ? { maxLength: 16 } : {}),
  })),
};

const NUM_ROWS = 6;
const source = { numRows: NUM_ROWS, column: (name: string) => columns[name] };

function rowsOf(b: Bitset): number[] {
  const out: number[] = [];
  b.forEach((i) => out.push(i));
  return out;
}

/** Row i as a client sees it (Bool as boolean, Int64 as bigint). */
function row(i: number): Record<string, unknown> {
  const r: Record<string, unknown> = {};
  for (const [name, col] of Object.entries(columns)) r[name] = name === 'b' ? col[i] === 1 : col[i];
  return r;
}

/** The passing rows by the column evaluator, checked against the row interpreter. */
function select(text: string): number[] {
  const expr = compileFilter(text, schema);
  const bits = evaluateFilter(expr, source);
  expect(bits.size).toBe(NUM_ROWS);
  const byRow = Array.from({ length: NUM_ROWS }, (_, i) => i).filter((i) => evaluateRow(expr, row(i)));
  expect(rowsOf(bits)).toEqual(byRow);
  return byRow;
}

describe('evaluateFilter', () => {
  it('compares Int64 exactly beyond 2^53 and at the int64 limits', () => {
    expect(select('id == 9007199254740993')).toEqual([1]);
    expect(select('id == 9007199254740992')).toEqual([0]);
    expect(select('id > 9007199254740992')).toEqual([1, 3]);
    expect(select('id >= 9223372036854775807')).toEqual([3]);
    expect(select('id <= -9223372036854775808')).toEqual([2]);
    expect(select('id < 0')).toEqual([2, 4]);
    expect(select('id != 0')).toEqual([0, 1, 2, 3, 4]);
    expect(select('id > -1.5 and id < 0.5')).toEqual([4, 5]);
    expect(select('id in [9007199254740993, -9223372036854775808, 7, 0x0]')).toEqual([1, 2, 5]);
    expect(select('id not in [9007199254740993, 0]')).toEqual([0, 2, 3, 4]);
  });

  it('compares Int64 values beyond 2^53 exactly with literals just below 2^53 (read as doubles)', () => {
    // ids: 2^53, 2^53 + 1, −2^63, 2^63 − 1, −1, 0; 9007199254740991 = 2^53 − 1.
    expect(select('id > 9007199254740991')).toEqual([0, 1, 3]);
    expect(select('id >= 9007199254740991')).toEqual([0, 1, 3]);
    expect(select('id == 9007199254740991')).toEqual([]);
    expect(select('id <= 9007199254740991')).toEqual([2, 4, 5]);
    expect(select('id < -9007199254740991')).toEqual([2]);
    expect(select('id >= -1')).toEqual([0, 1, 3, 4, 5]);
    expect(select('id == -1')).toEqual([4]);
  });

  it('gets out-of-range literals right for small integer fields', () => {
    expect(select('i8 < 1000')).toEqual([0, 1, 2, 3, 4, 5]);
    expect(select('i8 > -1000')).toEqual([0, 1, 2, 3, 4, 5]);
    expect(select('i8 == 383')).toEqual([]);
    expect(select('i8 <= -128 or i8 >= 127')).toEqual([0, 1]);
    expect(select('i8 > 0.5 and i8 < 5.5')).toEqual([3, 5]);
    expect(select('-5 >= i8')).toEqual([0, 4]);
  });

  it('compares Float fields with literals rounded to float32', () => {
    expect(select('f == 0.1')).toEqual([0]);
    expect(select('f in [0.2, 1e30]')).toEqual([1, 3]);
    expect(select('f == 0')).toEqual([4, 5]);
    expect(select('f < 0')).toEqual([2]);
  });

  it('follows IEEE semantics for NaN and infinities in Double fields', () => {
    expect(select('d < 1e400')).toEqual([1, 2, 4, 5]);
    expect(select('d >= -1e400')).toEqual([1, 2, 3, 4, 5]);
    expect(select('d != 1')).toEqual([0, 2, 3, 4, 5]);
    expect(select('not (d < 2)')).toEqual([0, 3, 5]);
    expect(select('d in [1, 2.5]')).toEqual([1, 5]);
    expect(select('d not in [1, 2.5]')).toEqual([0, 2, 3, 4]);
  });

  it('orders strings by code point (UTF-8 byte order), with the empty string first', () => {
    expect(select('s < "a"')).toEqual([0]);
    expect(select('s >= "ab"')).toEqual([2, 3, 4, 5]);
    expect(select('s > "\\uffff"')).toEqual([5]);
    expect(select("s == ''")).toEqual([0]);
    expect(select('s in ["😀", "a", "zz"]')).toEqual([1, 5]);
    expect(select('s != "a"')).toEqual([0, 2, 3, 4, 5]);
  });

  it('compares Bool fields with ==, != and in', () => {
    expect(select('b == true')).toEqual([0, 2, 5]);
    expect(select('b != True')).toEqual([1, 3, 4]);
    expect(select('false == b')).toEqual([1, 3, 4]);
    expect(select('b in [FALSE]')).toEqual([1, 3, 4]);
    expect(select('b in [true, false]')).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('combines with and, or, not and constants', () => {
    expect(select('b == true and (i8 > 0 or s == "")')).toEqual([0, 5]);
    expect(select('!(b == true) || id < 0')).toEqual([1, 2, 3, 4]);
    expect(select('true')).toEqual([0, 1, 2, 3, 4, 5]);
    expect(select('false or i8 == 5')).toEqual([3]);
    expect(rowsOf(evaluateFilter(compileFilter('', schema), source))).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('reads only the first numRows values, across word boundaries', () => {
    const n = 70;
    const big = new Int32Array(100).map((_, i) => i);
    const expr = compileFilter('x >= 30 and x != 64', { ...schema, fields: [{ fieldId: 100, name: 'x', dataType: 'Int32', isPrimaryKey: true, autoId: false }] });
    const bits = evaluateFilter(expr, { numRows: n, column: () => big });
    expect(bits.size).toBe(n);
    expect(rowsOf(bits)).toEqual(Array.from({ length: 40 }, (_, i) => i + 30).filter((i) => i !== 64));
  });

  it('evaluates zero rows', () => {
    expect(evaluateFilter(compileFilter('i8 > 0', schema), { numRows: 0, column: (name) => columns[name] }).size).toBe(0);
  });

  it('rejects a column that does not fit its field type or is too short', () => {
    const expr = compileFilter('id > 0', schema);
    const wrong = { numRows: 2, column: () => new Float64Array(2) };
    expect(() => evaluateFilter(expr, wrong)).toThrow(ShoalError);
    try {
      evaluateFilter(expr, { numRows: 7, column: (name) => columns[name] });
      expect.unreachable();
    } catch (e) {
      expect((e as ShoalError).code).toBe(ErrorCode.ServiceInternal);
      expect((e as ShoalError).message).toContain('expected a BigInt64Array column of at least 7 values, got BigInt64Array of length 6');
    }
  });
});

describe('evaluateRow', () => {
  it('accepts Int64 values given as integral numbers and rounds Float values to float32', () => {
    const expr = compileFilter('id == 5 and f == 0.1', schema);
    expect(evaluateRow(expr, { id: 5, f: 0.1 })).toBe(true);
    expect(evaluateRow(expr, { id: 5n, f: 0.1 })).toBe(true);
    expect(evaluateRow(expr, { id: 6n, f: 0.1 })).toBe(false);
  });

  it('rejects a missing field or a value of the wrong type', () => {
    const expr = compileFilter('s == "a"', schema);
    expect(() => evaluateRow(expr, {})).toThrow('filter reads field "s" (VarChar), but the row has no value for it');
    expect(() => evaluateRow(expr, { s: 1 })).toThrow('but the row has a number for it');
    expect(() => evaluateRow(compileFilter('id == 1', schema), { id: 1.5 })).toThrow(ShoalError);
  });
});

describe('fieldsOf', () => {
  it('lists each field read once, in order of first appearance', () => {
    expect(fieldsOf(compileFilter('(s == "a" or id > 1) and not (s in ["b"]) and d < 2', schema))).toEqual(['s', 'id', 'd']);
  });

  it('is empty for constants, including comparisons folded away', () => {
    const folded: BoundExpr = compileFilter('i8 < 1000 or s == "x"', schema);
    expect(fieldsOf(folded)).toEqual([]);
    expect(fieldsOf(compileFilter('', schema))).toEqual([]);
  });
});
