import { describe, expect, it } from 'vitest';
import type { Bitset } from '@shoal/ann';
import type { IndexPredicate, ScalarIndex } from '../src/scalar-index/types.ts';
import { compileFilter, evaluateFilter, fieldsOf } from '../src/expr/index.ts';
import { bitsOf, rowsOf, schema, select, sourceOf } from './expr-fixture.ts';

describe('nullable fields', () => {
  it('tests nulls with is null / is not null', () => {
    expect(select('age is null')).toEqual([1]);
    expect(select('age is not null')).toEqual([0, 2, 3, 4, 5]);
    expect(select('name is null')).toEqual([2]);
    expect(select('meta is null')).toEqual([2]);
    expect(select('meta["a"] is null')).toEqual([2, 5]);
    expect(select('meta["a"] is not null')).toEqual([0, 1, 3, 4]);
    expect(select('tags is null')).toEqual([5]);
    expect(select('tags is not null')).toEqual([0, 1, 2, 3, 4]);
    expect(compileFilter('price is null', schema)).toEqual({ kind: 'const', value: false });
  });

  it('makes a predicate on a null unknown: neither it nor its negation passes', () => {
    expect(select('age > 20')).toEqual([0, 3]);
    expect(select('not (age > 20)')).toEqual([2, 4, 5]);
    expect(select('age != 30')).toEqual([2, 3, 4, 5]);
    expect(select('age in [30, 17]')).toEqual([0, 2]);
    expect(select('age not in [30]')).toEqual([2, 3, 4, 5]);
    expect(select('name like "%"')).toEqual([0, 1, 3, 4, 5]);
    expect(select('not (meta["a"] == 1)')).toEqual([1, 3, 4, 5]);
    expect(select('not array_contains(tags, 1)')).toEqual([1, 2, 3, 4]);
    expect(select('not (age + 1 > 0)')).toEqual([5]);
  });

  it('combines unknowns with Kleene logic', () => {
    expect(select('age > 20 or age <= 20')).toEqual([0, 2, 3, 4, 5]);
    expect(select('age > 20 or name == "banana"')).toEqual([0, 1, 3]);
    expect(select('not (age > 20 and name == "x")')).toEqual([0, 1, 2, 3, 4, 5]);
    expect(select('not (age > 20 or name == "x")')).toEqual([4, 5]);
    expect(select('not (age > 20 or name == "x") or age is null')).toEqual([1, 4, 5]);
    expect(select('(age > 100 or name == "x") and false')).toEqual([]);
  });
});

/** An index that answers every predicate with `answer` and records what it was asked. */
function fakeIndex(answer: number[] | undefined, asked: IndexPredicate[]): ScalarIndex {
  return {
    type: 'INVERTED',
    numRows: 6,
    lookup: (pred): Bitset | undefined => { asked.push(pred); return answer === undefined ? undefined : bitsOf(answer); },
    memoryBytes: () => 0,
  };
}

describe('scalar indexes', () => {
  it('uses the index answer for compare, in, range, like-prefix and array_contains on plain fields', () => {
    const asked: IndexPredicate[] = [];
    // The index claims rows 3 and 4 (not what a scan gives), so the answer shows it was used.
    const source = sourceOf({ age: fakeIndex([3, 4], asked), name: fakeIndex([3, 4], asked), tags: fakeIndex([3, 4], asked) });
    const run = (text: string) => rowsOf(evaluateFilter(compileFilter(text, schema), source));
    expect(run('age > 20')).toEqual([3, 4]);
    expect(run('age in [1, 2]')).toEqual([3, 4]);
    expect(run('10 < age <= 30')).toEqual([3, 4]);
    expect(run('name like "ab%"')).toEqual([3, 4]);
    expect(run('array_contains_any(tags, [7, 8])')).toEqual([3, 4]);
    expect(run('not (age > 20)')).toEqual([0, 2, 5]);
    expect(asked).toEqual([
      { kind: 'compare', op: '>=', value: 21 },
      { kind: 'in', values: [1, 2] },
      { kind: 'range', lower: 11, lowerInclusive: true, upper: 30, upperInclusive: true },
      { kind: 'prefix', prefix: 'ab' },
      { kind: 'arrayContains', values: [7n, 8n] },
      { kind: 'compare', op: '>=', value: 21 },
    ]);
  });

  it('scans when the index cannot answer, and never asks it about JSON paths or arithmetic', () => {
    const asked: IndexPredicate[] = [];
    const source = sourceOf({ age: fakeIndex(undefined, asked), meta: fakeIndex([0], asked) });
    expect(rowsOf(evaluateFilter(compileFilter('age > 20', schema), source))).toEqual([0, 3]);
    expect(rowsOf(evaluateFilter(compileFilter('meta["a"] == 1 or age % 2 == 1', schema), source))).toEqual([0, 2]);
    expect(asked).toEqual([{ kind: 'compare', op: '>=', value: 21 }]);
  });
});

describe('fieldsOf', () => {
  it('lists the columns a filter reads: JSON fields, $meta, Array fields and arithmetic operands', () => {
    const e = compileFilter('color == "red" and meta["a"] > 1 and age + price > 1 and array_length(tags) > 0 and name like "a%" and exists n and words[0] is null', schema);
    expect(fieldsOf(e)).toEqual(['$meta', 'meta', 'age', 'price', 'tags', 'name', 'words']);
  });
});
