import { describe, expect, it } from 'vitest';
import { compileFilter, evaluateFilter } from '../src/expr/index.ts';
import { buildScalarIndex } from '../src/scalar-index/build.ts';
import type { ColumnSource } from '../src/expr/index.ts';
import { columns, rows, rowsOf, schema, sourceOf } from './expr-fixture.ts';

/** A source that records which columns the evaluator read. */
function spying(base: ColumnSource): { source: ColumnSource; read: string[] } {
  const read: string[] = [];
  return { read, source: { ...base, column: (name) => { read.push(name); return base.column(name); } } };
}

describe('conjunction planning', () => {
  const field = schema.fields.find((f) => f.name === 'price')!;
  const priceIndex = buildScalarIndex('INVERTED', field, columns.price, undefined, rows.length);

  it('evaluates an indexed operand first, so a JSON operand after a false one is never read', () => {
    const { source, read } = spying(sourceOf({ price: priceIndex }));
    const expr = compileFilter('meta["a"] == 1 and price == 12345', schema);
    expect(rowsOf(evaluateFilter(expr, source))).toEqual([]);
    expect(read).not.toContain('meta');
  });

  it('gives the same rows whatever the written order of the operands', () => {
    const source = sourceOf({ price: priceIndex });
    for (const [a, b] of [['meta["a"] == 1', 'price > 5'], ['name like "a%"', 'age > 10'], ['array_contains(tags, 3)', 'price < 50']]) {
      const ab = rowsOf(evaluateFilter(compileFilter(`${a} and ${b}`, schema), source));
      const ba = rowsOf(evaluateFilter(compileFilter(`${b} and ${a}`, schema), source));
      expect(ab).toEqual(ba);
    }
  });
});
