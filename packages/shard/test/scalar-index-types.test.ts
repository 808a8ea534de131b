/**
 * Unit tests of each scalar index type: what it answers, what it leaves to the scan
 * (`undefined`), nulls never matching, Array elements, prefixes, big Int64, the BITMAP
 * cardinality limit, and the type/field validation errors.
 */
import { describe, expect, it } from 'vitest';
import type { Bitset } from '@shoal/ann';
import type { FieldSchema } from '../src/schema/types.ts';
import { buildScalarIndex, validateScalarIndex } from '../src/scalar-index/build.ts';
import { BITMAP_CARDINALITY_LIMIT } from '../src/scalar-index/bitmap.ts';

const field = (dataType: FieldSchema['dataType'], extra: Partial<FieldSchema> = {}): FieldSchema =>
  ({ fieldId: 101, name: 'f', dataType, isPrimaryKey: false, autoId: false, ...extra });
const rows = (b: Bitset | undefined): number[] | undefined => {
  if (!b) return undefined;
  const out: number[] = [];
  b.forEach((i) => out.push(i));
  return out;
};
function codeOf(fn: () => unknown): { code?: number; message: string } {
  try { fn(); } catch (e) { return e as { code?: number; message: string }; }
  return { message: 'no error' };
}

describe('INVERTED', () => {
  const col = ['apple', 'banana', 'apricot', 'apple', 'cherry', ''];
  const valid = Uint8Array.of(1, 1, 1, 1, 0, 1);
  const idx = buildScalarIndex('INVERTED', field('VarChar', { nullable: true }), col, valid, 6);
  it('answers terms, in-lists, ranges, prefixes; nulls never match', () => {
    expect(rows(idx.lookup({ kind: 'compare', op: '==', value: 'apple' }))).toEqual([0, 3]);
    expect(rows(idx.lookup({ kind: 'compare', op: '!=', value: 'apple' }))).toEqual([1, 2, 5]);
    expect(rows(idx.lookup({ kind: 'compare', op: '>', value: 'b' }))).toEqual([1]);
    expect(rows(idx.lookup({ kind: 'in', values: ['cherry', 'banana'] }))).toEqual([1]);
    expect(rows(idx.lookup({ kind: 'range', lower: 'apple', lowerInclusive: false, upper: 'banana', upperInclusive: true }))).toEqual([1, 2]);
    expect(rows(idx.lookup({ kind: 'prefix', prefix: 'ap' }))).toEqual([0, 2, 3]);
    expect(rows(idx.lookup({ kind: 'prefix', prefix: '' }))).toEqual([0, 1, 2, 3, 5]);
    expect(idx.lookup({ kind: 'arrayContains', values: ['apple'] })).toBeUndefined();
    expect(idx.lookup({ kind: 'compare', op: '==', value: 3 })).toBeUndefined();
    expect(idx.numRows).toBe(6);
    expect(idx.memoryBytes()).toBeGreaterThan(0);
  });
  it('indexes Array elements for array_contains (a row once, however often it holds the value)', () => {
    const arr = buildScalarIndex('INVERTED', field('Array', { elementType: 'Int64', maxCapacity: 4 }), [[1n, 1n, 2n], [], [2n ** 60n], [3n]], Uint8Array.of(1, 1, 1, 0), 4);
    expect(rows(arr.lookup({ kind: 'arrayContains', values: [1n, 2n ** 60n] }))).toEqual([0, 2]);
    expect(rows(arr.lookup({ kind: 'arrayContains', values: [3n] }))).toEqual([]);
    expect(arr.lookup({ kind: 'compare', op: '==', value: 1n })).toBeUndefined();
  });
});

describe('STL_SORT', () => {
  it('answers comparisons exactly on Int64 beyond 2^53', () => {
    const big = 2n ** 53n;
    const idx = buildScalarIndex('STL_SORT', field('Int64'), BigInt64Array.of(big + 1n, big, -(2n ** 63n), big + 1n), undefined, 4);
    expect(rows(idx.lookup({ kind: 'compare', op: '==', value: big + 1n }))).toEqual([0, 3]);
    expect(rows(idx.lookup({ kind: 'compare', op: '<', value: big + 1n }))).toEqual([1, 2]);
    expect(rows(idx.lookup({ kind: 'in', values: [-(2n ** 63n), big] }))).toEqual([1, 2]);
    expect(rows(idx.lookup({ kind: 'range', lower: big, lowerInclusive: true, upper: big + 1n, upperInclusive: false }))).toEqual([1]);
    expect(idx.lookup({ kind: 'prefix', prefix: '1' })).toBeUndefined();
  });
  it('keeps NaN out of every match but !=', () => {
    const idx = buildScalarIndex('STL_SORT', field('Double'), Float64Array.of(Number.NaN, 1, -0), undefined, 3);
    expect(rows(idx.lookup({ kind: 'compare', op: '>=', value: -Infinity }))).toEqual([1, 2]);
    expect(rows(idx.lookup({ kind: 'compare', op: '==', value: 0 }))).toEqual([2]);
    expect(rows(idx.lookup({ kind: 'compare', op: '!=', value: 1 }))).toEqual([0, 2]);
  });
});

describe('TRIE', () => {
  it('answers terms and prefixes, leaves ordered comparisons to the scan', () => {
    const idx = buildScalarIndex('TRIE', field('VarChar'), ['ab', 'abc', 'b', '😀x', '\uffff'], undefined, 5);
    expect(rows(idx.lookup({ kind: 'prefix', prefix: 'ab' }))).toEqual([0, 1]);
    expect(rows(idx.lookup({ kind: 'prefix', prefix: '😀' }))).toEqual([3]);
    expect(rows(idx.lookup({ kind: 'in', values: ['b', 'zz'] }))).toEqual([2]);
    expect(rows(idx.lookup({ kind: 'compare', op: '!=', value: 'b' }))).toEqual([0, 1, 3, 4]);
    expect(idx.lookup({ kind: 'compare', op: '<', value: 'b' })).toBeUndefined();
    expect(idx.lookup({ kind: 'range', lower: 'a', lowerInclusive: true, upper: 'b', upperInclusive: true })).toBeUndefined();
  });
});

describe('BITMAP', () => {
  it('answers from one bitmap per value, Bool and Array fields too', () => {
    const b = buildScalarIndex('BITMAP', field('Bool', { nullable: true }), Uint8Array.of(1, 0, 1, 0), Uint8Array.of(1, 1, 0, 1), 4);
    expect(rows(b.lookup({ kind: 'compare', op: '==', value: true }))).toEqual([0]);
    expect(rows(b.lookup({ kind: 'compare', op: '!=', value: true }))).toEqual([1, 3]);
    const a = buildScalarIndex('BITMAP', field('Array', { elementType: 'VarChar', maxCapacity: 3 }), [['x', 'y'], ['y'], []], undefined, 3);
    expect(rows(a.lookup({ kind: 'arrayContains', values: ['y'] }))).toEqual([0, 1]);
    const i = buildScalarIndex('BITMAP', field('Int8'), Int8Array.of(3, 1, 2, 3), undefined, 4);
    expect(rows(i.lookup({ kind: 'range', lower: 1, lowerInclusive: false, upper: 3, upperInclusive: true }))).toEqual([0, 2, 3]);
  });
  it('refuses more distinct values than the cardinality limit', () => {
    const n = BITMAP_CARDINALITY_LIMIT + 1;
    const e = codeOf(() => buildScalarIndex('BITMAP', field('Int32'), Int32Array.from({ length: n }, (_, k) => k), undefined, n));
    expect(e.code).toBe(1100);
    expect(e.message).toMatch(/BITMAP index on field "f".*1001 distinct values.*INVERTED/);
  });
});

describe('validateScalarIndex', () => {
  it('names the type, the field and what is allowed', () => {
    expect(codeOf(() => validateScalarIndex('BITMAP', field('Double'))).message).toMatch(/BITMAP cannot index Double field "f"; BITMAP indexes Bool, Int8.*VarChar and Arrays of/);
    expect(codeOf(() => validateScalarIndex('BITMAP', field('Int64', { isPrimaryKey: true }))).message).toMatch(/primary key field "f"/);
    expect(codeOf(() => validateScalarIndex('TRIE', field('Int32'))).message).toMatch(/TRIE cannot index Int32 field "f"; TRIE indexes VarChar$/);
    expect(codeOf(() => validateScalarIndex('STL_SORT', field('Array', { elementType: 'Int32' }))).message).toMatch(/STL_SORT cannot index Array<Int32> field "f"/);
    expect(codeOf(() => validateScalarIndex('BITMAP', field('Array', { elementType: 'Float' }))).code).toBe(1100);
    expect(codeOf(() => validateScalarIndex('INVERTED', field('FloatVector', { dim: 4 }))).message).toMatch(/scalar index/);
    expect(codeOf(() => validateScalarIndex('INVERTED', field('JSON'))).code).toBe(3000);
    expect(codeOf(() => validateScalarIndex('INVERTED', field('Array', { elementType: 'Double' }))).message).toBe('no error');
  });
});
