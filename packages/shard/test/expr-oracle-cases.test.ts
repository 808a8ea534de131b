/**
 * The disagreements the independent oracle (`expr-oracle.property.test.ts`) found, one focused
 * case each: comparisons decided by the type on nullable fields stay unknown on null rows, empty
 * `in`/`contains_any` likewise, literals take an Array of Double's element type, `array_length`
 * of a non-array JSON value is 0, JSON arithmetic `!=` matches a missing value, an out-of-range
 * element matches no comparison, and an index never wraps an out-of-range Int64 literal.
 */
import { describe, expect, it } from 'vitest';
import type { CollectionSchema, FieldSchema } from '../src/schema/types.ts';
import { rowsToBatch } from '../src/schema/rows.ts';
import { buildScalarIndex } from '../src/scalar-index/build.ts';
import type { ScalarIndexType } from '../src/scalar-index/types.ts';
import { compileFilter, evaluateFilter, evaluateRow } from '../src/expr/index.ts';
import { segmentMayMatch } from '../src/read/prune.ts';
import { rowsOf, schema, select } from './expr-fixture.ts';

// The fixture: `age` (nullable Int32) is null in row 1, `meta` (nullable JSON) in row 2, `tags`
// (nullable Array of Int64) in row 5.

describe('predicates decided by the type on a nullable field', () => {
  it('leave a null row unknown, also under not (foldOnNullable)', () => {
    const all = [0, 2, 3, 4, 5];
    for (const f of ['age < 3000000000', 'age > -3000000000', 'age != 1.5', 'age not in [1.5]', 'not (age == 1.5)', 'age < {p}']) {
      expect(select(f, { p: 2 ** 40 }), f).toEqual(all);
    }
    for (const f of ['age == 1.5', 'not (age < 3000000000)', 'age in [1.5]', 'age > {p}']) {
      expect(select(f, { p: 2 ** 40 }), f).toEqual([]);
    }
    expect(compileFilter('age < 3000000000', schema)).toEqual({ kind: 'known', field: 'age', value: true });
    // A field that cannot be null still folds to a constant.
    expect(compileFilter('id < 2 ** 70', schema)).toEqual({ kind: 'const', value: true });
  });

  it('leave a null row unknown for an empty in list (emptyIn)', () => {
    expect(select('age not in []')).toEqual([0, 2, 3, 4, 5]);
    expect(select('not (meta["a"] in [])')).toEqual([0, 1, 3, 4, 5]);
    expect(select('tags[0] not in []')).toEqual([0, 1, 2, 3, 4]);
    expect(select('meta["a"] in []')).toEqual([]);
    // The dynamic field is never null.
    expect(compileFilter('color not in []', schema)).toEqual({ kind: 'const', value: true });
  });

  it('leave a null row unknown for an empty contains_any (emptyContainsAny)', () => {
    expect(select('not json_contains_any(meta, [])')).toEqual([0, 1, 3, 4, 5]);
    expect(select('not array_contains_any(tags, [])')).toEqual([0, 1, 2, 3, 4]);
    expect(select('array_contains_any(tags, [])')).toEqual([]);
  });

  it('are never pruned as always true or false while they can be unknown', () => {
    const e = compileFilter('age not in []', schema);
    expect(segmentMayMatch(e, () => undefined)).toBe(true);
    expect(segmentMayMatch(compileFilter('age in []', schema), () => undefined)).toBe(false);
  });
});

describe('JSON arithmetic and array_length (Milvus BinaryArithOpEvalRangeExpr)', () => {
  it('counts a JSON value that is not an array, or missing, as length 0 (arrayLengthOfNonArray)', () => {
    expect(select('array_length(meta["a"]) == 0')).toEqual([0, 1, 3, 4, 5]);
    expect(select('array_length(meta["zz"]) == 0')).toEqual([0, 1, 3, 4, 5]);
    expect(select('array_length(meta["arr"]) == 0')).toEqual([4, 5]);
    expect(select('array_length(meta["arr"]) > 0')).toEqual([0, 1, 3]);
    expect(select('not (array_length(meta["a"]) != 0)')).toEqual([0, 1, 3, 4, 5]);
  });

  it('matches a missing or non-numeric JSON value with != only (jsonArithNotEqual)', () => {
    expect(select('meta["a"] + 1 != 2')).toEqual([1, 3, 4, 5]);
    expect(select('meta["a"] + 1 == 2')).toEqual([0]);
    expect(select('meta["a"] * 2 < 100')).toEqual([0, 1]);
    expect(select('not (meta["a"] + 1 != 2)')).toEqual([0]);
    // An out-of-range Array element is no value: nothing matches, != included.
    expect(select('tags[2] + 1 != 4')).toEqual([]);
    expect(select('tags[2] + 1 != 5')).toEqual([0]);
    expect(select('tags[2] + 1 == 4')).toEqual([0]);
  });
});

describe('Array elements', () => {
  it('match no comparison out of range, != included; not in does match (elementNotEqual)', () => {
    expect(select('tags[0] != 1')).toEqual([2, 3, 4]);
    expect(select('tags[0] == 1')).toEqual([0]);
    expect(select('not (tags[0] == 1)')).toEqual([1, 2, 3, 4]);
    expect(select('tags[0] not in [1]')).toEqual([1, 2, 3, 4]);
    expect(select('words[0] != "a"')).toEqual([1, 3, 5]);
  });

  const f = (fieldId: number, name: string, extra: Partial<FieldSchema>): FieldSchema =>
    ({ fieldId, name, dataType: 'Int64', isPrimaryKey: false, autoId: false, ...extra });

  /** Passing rows of `text` over `rows` of a one-Array schema, by scan and by each index type given. */
  function run(elementType: 'Double' | 'Int64', rows: unknown[][], text: string, types: ScalarIndexType[]): number[][] {
    const s: CollectionSchema = {
      name: 'c', description: '', enableDynamicField: false,
      fields: [f(100, 'id', { isPrimaryKey: true }), f(101, 'arr', { dataType: 'Array', elementType, maxCapacity: 4 }),
        f(102, 'v', { dataType: 'FloatVector', dim: 1 })],
    };
    const data = rows.map((arr, i) => ({ id: BigInt(i), arr, v: [0] }));
    const batch = rowsToBatch(s, data);
    const expr = compileFilter(text, s);
    const arrField = s.fields[1];
    const answers: number[][] = [];
    for (const type of [undefined, ...types]) {
      const index = type === undefined ? undefined : buildScalarIndex(type, arrField, batch.columns.arr, undefined, batch.numRows);
      answers.push(rowsOf(evaluateFilter(expr, {
        numRows: batch.numRows, column: (n) => batch.columns[n], scalarIndex: (n) => (n === 'arr' ? index : undefined),
      })));
    }
    answers.push(data.flatMap((r, i) => (evaluateRow(expr, r) ? [i] : [])));
    return answers;
  }

  it('take the element type: a literal is converted to double for an Array of Double (bigIntOnDoubleElement)', () => {
    const rows = [[9007199254740992], [1]];
    for (const text of ['array_contains(arr, 9007199254740993)', 'arr[0] == 9007199254740993', 'arr[0] in [9007199254740993]',
      'array_contains_any(arr, [9007199254740993])']) {
      for (const got of run('Double', rows, text, ['INVERTED'])) expect(got, text).toEqual([0]);
    }
  });

  it('never wrap an Int64 literal out of range in an index (int64OverflowInArrayIndex)', () => {
    const rows = [[-(2n ** 63n)], [2n ** 63n - 1n], [0n]];
    for (const text of ['array_contains(arr, 9223372036854775808)', 'array_contains(arr, -9223372036854775809)',
      'array_contains_any(arr, [9223372036854775808, -9223372036854775809])']) {
      for (const got of run('Int64', rows, text, ['INVERTED', 'BITMAP'])) expect(got, text).toEqual([]);
    }
    for (const got of run('Int64', rows, 'array_contains_any(arr, [9223372036854775808, 0])', ['INVERTED', 'BITMAP'])) {
      expect(got).toEqual([2]);
    }
  });
});

describe('known nodes in and/or', () => {
  it('drop when another operand on the field is unknown on its null rows anyway', () => {
    expect(compileFilter('1000 < age < 3000000000', schema)).toEqual({ kind: 'compare', field: 'age', dataType: 'Int32', op: '>=', value: 1001 });
    expect(compileFilter('age < 3000000000 or age == 1.5', schema)).toEqual({ kind: 'known', field: 'age', value: true });
    expect(compileFilter('age == 1.5 or age > 5', schema)).toEqual({ kind: 'compare', field: 'age', dataType: 'Int32', op: '>=', value: 6 });
    expect(select('age < 3000000000 and price > 5')).toEqual([0, 4]);
    expect(select('age == 1.5 or price > 5')).toEqual([0, 1, 4]);
    expect(select('age == 1.5 or name == "x"')).toEqual([]);
    expect(select('not (age == 1.5 or name == "x")')).toEqual([0, 3, 4, 5]);
  });
});
