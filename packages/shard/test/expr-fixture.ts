/**
 * A six-row segment over every kind of filterable data — nullable scalars, a nullable JSON field,
 * Array fields, the dynamic field — and a `select` that evaluates a filter both column-wise and
 * row by row, checks that they agree, and returns the passing rows.
 */
import { expect } from 'vitest';
import { Bitset } from '@shoal/ann';
import { ErrorCode, ShoalError } from '@shoal/actors';
import type { CollectionSchema, Column, FieldSchema } from '../src/schema/types.ts';
import type { ScalarIndex } from '../src/scalar-index/types.ts';
import { compileFilter, evaluateFilter, evaluateRow, type ColumnSource } from '../src/expr/index.ts';

const field = (fieldId: number, name: string, extra: Partial<FieldSchema>): FieldSchema =>
  ({ fieldId, name, dataType: 'Int64', isPrimaryKey: false, autoId: false, ...extra });

export const schema: CollectionSchema = {
  name: 'shop',
  description: '',
  enableDynamicField: true,
  fields: [
    field(100, 'id', { isPrimaryKey: true }),
    field(101, 'age', { dataType: 'Int32', nullable: true }),
    field(102, 'price', { dataType: 'Double' }),
    field(103, 'name', { dataType: 'VarChar', maxLength: 32, nullable: true }),
    field(104, 'meta', { dataType: 'JSON', nullable: true }),
    field(105, 'tags', { dataType: 'Array', elementType: 'Int64', maxCapacity: 8, nullable: true }),
    field(106, 'words', { dataType: 'Array', elementType: 'VarChar', maxCapacity: 8, maxLength: 8 }),
    field(107, 'vec', { dataType: 'FloatVector', dim: 2 }),
  ],
};

const BIG = 9007199254740993n;

/** Rows as clients see them (null = a null value). */
export const rows: Record<string, unknown>[] = [
  { id: 2n ** 63n - 1n, age: 30, price: 10.5, name: 'apple', meta: { a: 1, b: { c: 'x' }, arr: [1, 2, 3], big: BIG }, tags: [1n, 2n, 3n], words: ['a', 'b'], $meta: { color: 'red', n: 5 } },
  { id: 1n, age: null, price: 20, name: 'banana', meta: { a: 2.5, arr: [4], s: 'hello' }, tags: [], words: ['c'], $meta: { color: 'blue' } },
  { id: 2n, age: 17, price: 0, name: null, meta: null, tags: [5n], words: [], $meta: {} },
  { id: 3n, age: 42, price: -1, name: 'a%b', meta: { a: '1', arr: [[1, 2], 3], big: 9007199254740992 }, tags: [2n, BIG], words: ['x_y'], $meta: { n: 5.5, color: null } },
  { id: 4n, age: 0, price: 100, name: 'cherry', meta: { a: true }, tags: [3n, 3n], words: ['a'], $meta: { n: 2n ** 63n - 1n } },
  { id: 5n, age: -5, price: 3, name: '', meta: {}, tags: null, words: ['b', 'a'], $meta: { color: 'red', nested: { k: [1, { z: 1 }] } } },
];

/** The segment's columns (nulls as the type's zero value) and validity. */
export const columns: Record<string, Column> = {
  id: BigInt64Array.from(rows, (r) => r.id as bigint),
  age: Int32Array.from(rows, (r) => (r.age ?? 0) as number),
  price: Float64Array.from(rows, (r) => r.price as number),
  name: rows.map((r) => (r.name ?? '') as string),
  meta: rows.map((r) => r.meta),
  tags: rows.map((r) => r.tags ?? []),
  words: rows.map((r) => r.words),
  $meta: rows.map((r) => r.$meta),
};

const valid: Record<string, Uint8Array> = Object.fromEntries(['age', 'name', 'meta', 'tags']
  .map((f) => [f, Uint8Array.from(rows, (r) => (r[f] === null ? 0 : 1))]));

/** A source over the segment, with optional scalar indexes. */
export function sourceOf(indexes: Record<string, ScalarIndex> = {}): ColumnSource {
  return {
    numRows: rows.length,
    column: (name) => columns[name],
    valid: (name) => valid[name],
    scalarIndex: (name) => indexes[name],
  };
}

/** The rows a bitset holds. */
export function rowsOf(b: Bitset): number[] {
  const out: number[] = [];
  b.forEach((i) => out.push(i));
  return out;
}

/** The passing rows by the column evaluator, checked against the row interpreter. */
export function select(text: string, params?: Record<string, unknown>, source: ColumnSource = sourceOf()): number[] {
  const expr = compileFilter(text, schema, params);
  const bits = evaluateFilter(expr, source);
  expect(bits.size).toBe(rows.length);
  const byRow = rows.map((_, i) => i).filter((i) => evaluateRow(expr, rows[i]));
  expect(rowsOf(bits)).toEqual(byRow);
  return byRow;
}

/** The ParameterInvalid message compiling `text` gives. */
export function errorOf(text: string, params?: Record<string, unknown>, s: CollectionSchema = schema): string {
  try {
    compileFilter(text, s, params);
  } catch (e) {
    expect(e).toBeInstanceOf(ShoalError);
    expect((e as ShoalError).code).toBe(ErrorCode.ParameterInvalid);
    return (e as ShoalError).message;
  }
  throw new Error(`expected ${text} to be rejected`);
}

/** A bitset of `rows.length` bits holding `set`. */
export function bitsOf(set: number[]): Bitset {
  const b = new Bitset(rows.length);
  for (const i of set) b.set(i);
  return b;
}
