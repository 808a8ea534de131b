import { describe, expect, it } from 'vitest';
import { compileFilter, evaluateFilter } from '../src/expr/index.ts';
import { errorOf, rowsOf, schema, select } from './expr-fixture.ts';

describe('template parameters', () => {
  it('replaces {name} by the request parameter', () => {
    expect(select('age > {x}', { x: 20 })).toEqual([0, 3]);
    expect(select('name in {names}', { names: ['apple', 'cherry'] })).toEqual([0, 4]);
    expect(select('price == {p} or {flag}', { p: 10.5, flag: false })).toEqual([0]);
    expect(select('id == {big}', { big: 2n ** 63n - 1n })).toEqual([0]);
    expect(select('json_contains_any(meta["arr"], {v})', { v: [4, 3] })).toEqual([0, 1, 3]);
    expect(select('name like {p}', { p: 'b%' })).toEqual([1]);
  });

  it('names a missing parameter and rejects values that are not JSON scalars or arrays', () => {
    expect(errorOf('age > {x}', { y: 1 })).toContain('template parameter {x} at column 7 has no value in the request\'s parameters (given: y)');
    expect(errorOf('age > {x}')).toContain('template parameter {x} at column 7 has no value');
    expect(errorOf('age > {x}', { x: { a: 1 } })).toContain('template parameter {x} at column 7 is a object');
    expect(errorOf('age > {x}', { x: null })).toContain('template parameter {x} at column 7 is null');
  });
});

describe('arithmetic', () => {
  it('evaluates Milvus forms field op const cmp const', () => {
    expect(select('age % 2 == 0')).toEqual([0, 3, 4]);
    expect(select('age % 2 != 0')).toEqual([2, 5]);
    expect(select('not (age % 2 == 0)')).toEqual([2, 5]);
    expect(select('price * 2 > 100')).toEqual([4]);
    expect(select('age + 1 >= 31')).toEqual([0, 3]);
    expect(select('age / 2 == 8')).toEqual([2]);
    expect(select('age / 2 == -2')).toEqual([5]);
    expect(select('age % 3 == -2')).toEqual([5]);
    expect(select('-age > 0')).toEqual([5]);
    expect(select('meta["a"] * 2 == 5')).toEqual([1]);
  });

  it('is exact on Int64 beyond the int64 range', () => {
    expect(select('id * 2 == 18446744073709551614')).toEqual([0]);
    expect(select('id + 1 > 9223372036854775807')).toEqual([0]);
    expect(select('n - 1 == 9223372036854775806')).toEqual([4]);
  });

  it('is exact on Int64 columns whose values all fit in doubles, and on those that do not', () => {
    const small = { ...schema, fields: [{ fieldId: 100, name: 'x', dataType: 'Int64' as const, isPrimaryKey: true, autoId: false }] };
    const run = (text: string, values: bigint[]) =>
      rowsOf(evaluateFilter(compileFilter(text, small), { numRows: values.length, column: () => BigInt64Array.from(values) }));
    const fits = [1n, -7n, 2n ** 52n, 3n];
    expect(run('x + 1 == 4503599627370497', fits)).toEqual([2]);
    expect(run('x % 2 == 1', fits)).toEqual([0, 3]);
    expect(run('x % 2 == -1', fits)).toEqual([1]);
    expect(run('x / 2 == -3', fits)).toEqual([1]);
    expect(run('x * x == 20282409603651670423947251286016', fits)).toEqual([2]);
    const wide = [1n, 2n ** 53n + 1n, -(2n ** 63n)];
    expect(run('x % 2 == 1', wide)).toEqual([0, 1]);
    expect(run('x - 1 == 9007199254740992', wide)).toEqual([1]);
    expect(run('x - 1 < -9223372036854775808', wide)).toEqual([2]);
  });

  it('computes over several fields', () => {
    expect(select('age - price > 20')).toEqual([3]);
    expect(select('age * price + 1 < 0')).toEqual([3, 5]);
    expect(select('(age + 2) ** 2 == 1024')).toEqual([0]);
  });

  it('folds literal-only arithmetic', () => {
    expect(compileFilter('2 ** 10 == 1024', schema)).toEqual({ kind: 'const', value: true });
    expect(compileFilter('age > 7 / 2', schema)).toEqual({ kind: 'compare', field: 'age', dataType: 'Int32', op: '>=', value: 4 });
    expect(compileFilter('age > 7.0 / 2', schema)).toEqual({ kind: 'compare', field: 'age', dataType: 'Int32', op: '>=', value: 4 });
    expect(compileFilter('price < 1 - 3 * 2', schema)).toEqual({ kind: 'compare', field: 'price', dataType: 'Double', op: '<', value: -5 });
    expect(compileFilter('id == 9223372036854775806 + 1', schema)).toEqual({ kind: 'compare', field: 'id', dataType: 'Int64', op: '==', value: 2n ** 63n - 1n });
  });

  it('rejects division by zero and non-numbers', () => {
    expect(errorOf('age / 0 > 1')).toContain("'/' at column 5 divides by zero");
    expect(errorOf('age % 0 == 1')).toContain("'%' at column 5 divides by zero");
    expect(errorOf('1 / 0 == 1')).toContain("'/' at column 3 divides by zero");
    expect(errorOf('name + 1 == 2')).toContain("'+' at column 6 needs a number, but found field \"name\" (VarChar)");
    expect(errorOf('"a" * 2 == 2')).toContain("'*' at column 5 needs a number, but found the string \"a\"");
  });
});

describe('comparisons between fields', () => {
  it('compares numeric fields of different types exactly, and VarChar fields', () => {
    expect(select('age > price')).toEqual([0, 2, 3]);
    expect(select('price <= age')).toEqual([0, 2, 3]);
    expect(select('name == name')).toEqual([0, 1, 3, 4, 5]);
    expect(select('id > age')).toEqual([0, 4, 5]);
  });

  it('rejects fields of incompatible types', () => {
    expect(errorOf('age < name')).toContain("'<' at column 5 cannot compare field \"age\" (Int32) with field \"name\" (VarChar)");
  });
});

describe('ranges', () => {
  it('evaluates chained comparisons on numbers, strings and computed values', () => {
    expect(select('10 < age <= 30')).toEqual([0, 2]);
    expect(select('30 >= age > 10')).toEqual([0, 2]);
    expect(select('"a" <= name < "b"')).toEqual([0, 3]);
    expect(select('1 < meta["a"] <= 2.5')).toEqual([1]);
    expect(select('not (10 < age <= 30)')).toEqual([3, 4, 5]);
  });

  it('binds a range on a plain field as one node with converted bounds', () => {
    expect(compileFilter('10 < age <= 30.5', schema)).toEqual({
      kind: 'range', field: 'age', dataType: 'Int32', lower: 11, lowerInclusive: true, upper: 30, upperInclusive: true,
    });
    expect(compileFilter('1 < price < 2', schema)).toEqual({
      kind: 'range', field: 'price', dataType: 'Double', lower: 1, lowerInclusive: false, upper: 2, upperInclusive: false,
    });
    expect(compileFilter('1000 < age < 2000000000000', schema)).toEqual({ kind: 'compare', field: 'age', dataType: 'Int32', op: '>=', value: 1001 });
  });
});

describe('like', () => {
  it('matches prefixes, suffixes, infixes, _ and escaped wildcards', () => {
    expect(select('name like "a%"')).toEqual([0, 3]);
    expect(select('name like "%e"')).toEqual([0]);
    expect(select('name like "%an%"')).toEqual([1]);
    expect(select('name like "a\\\\%b"')).toEqual([3]);
    expect(select('name like "a\\\\%%"')).toEqual([3]);
    expect(select('name like "_pple"')).toEqual([0]);
    expect(select('name like "%"')).toEqual([0, 1, 3, 4, 5]);
    expect(select('name like ""')).toEqual([5]);
    expect(select('name like "b%a%a"')).toEqual([1]);
    expect(select('words[0] like "x\\\\_y"')).toEqual([3]);
    expect(select('not (name like "a%")')).toEqual([1, 4, 5]);
  });

  it('needs a VarChar field or JSON path and a string pattern', () => {
    expect(errorOf('age like "a%"')).toContain("'like' at column 5 needs a VarChar field or a JSON path, but found field \"age\" (Int32)");
    expect(errorOf('name like {p}', { p: 5 })).toContain("'like' at column 6 needs a string pattern on its right, but found the integer 5");
  });
});

describe('functions', () => {
  it('rejects unknown functions and wrong argument counts or kinds', () => {
    expect(errorOf('foo(age) == 1')).toContain('unknown function "foo" at column 1; filters support json_contains');
    expect(errorOf('array_length(tags, 1) == 1')).toContain('array_length(…) at column 1 takes 1 argument, but was given 2');
    expect(errorOf('json_contains(meta["arr"])')).toContain('json_contains(…) at column 1 takes 2 arguments, but was given 1');
    expect(errorOf('json_contains(age, 1)')).toContain('needs a JSON path, a dynamic key or an Array field as its first argument, but found field "age" (Int32)');
    expect(errorOf('array_length(tags)')).toContain('the filter must be a boolean expression');
  });
});
