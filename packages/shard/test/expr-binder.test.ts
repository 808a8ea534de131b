import { describe, expect, it } from 'vitest';
import { ErrorCode, ShoalError } from '@shoal/actors';
import type { CollectionSchema, DataType } from '../src/schema/types.ts';
import { bindFilter, compileFilter, parseFilter, type BoundExpr } from '../src/expr/index.ts';

const TYPES: [string, DataType][] = [
  ['id', 'Int64'], ['b', 'Bool'], ['i8', 'Int8'], ['i16', 'Int16'], ['i32', 'Int32'], ['i64', 'Int64'],
  ['f', 'Float'], ['d', 'Double'], ['s', 'VarChar'], ['meta', 'JSON'], ['vec', 'FloatVector'],
];

const schema: CollectionSchema = {
  name: 'books',
  description: '',
  enableDynamicField: false,
  fields: TYPES.map(([name, dataType], k) => ({
    fieldId: 100 + k, name, dataType, isPrimaryKey: name === 'id', autoId: false,
    ...(dataType === 'VarChar' ? { maxLength: 64 } : {}), ...(dataType === 'FloatVector' ? { dim: 4 } : {}),
  })),
};

const bind = (text: string): BoundExpr => bindFilter(parseFilter(text), schema);

function errorOf(fn: () => unknown): ShoalError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ShoalError);
    return e as ShoalError;
  }
  throw new Error('expected a ShoalError, nothing was thrown');
}

describe('bindFilter: comparisons', () => {
  it('puts the field on the left, mirroring the operator', () => {
    expect(bind('5 < d')).toEqual({ kind: 'compare', field: 'd', dataType: 'Double', op: '>', value: 5 });
    expect(bind('"x" <= s')).toEqual({ kind: 'compare', field: 's', dataType: 'VarChar', op: '>=', value: 'x' });
    expect(bind('true != b')).toEqual({ kind: 'compare', field: 'b', dataType: 'Bool', op: '!=', value: true });
  });

  it('keeps Int64 literals exact beyond 2^53', () => {
    expect(bind('i64 == 9007199254740993')).toEqual({ kind: 'compare', field: 'i64', dataType: 'Int64', op: '==', value: 9007199254740993n });
    expect(bind('id != -9223372036854775808')).toEqual({ kind: 'compare', field: 'id', dataType: 'Int64', op: '!=', value: -(2n ** 63n) });
  });

  it('turns < and > on integer fields into <= and >= with an integral bound', () => {
    expect(bind('i32 < 10')).toEqual({ kind: 'compare', field: 'i32', dataType: 'Int32', op: '<=', value: 9 });
    expect(bind('i64 > 1.5')).toEqual({ kind: 'compare', field: 'i64', dataType: 'Int64', op: '>=', value: 2n });
    expect(bind('i64 <= -1.5')).toEqual({ kind: 'compare', field: 'i64', dataType: 'Int64', op: '<=', value: -2n });
    expect(bind('i8 >= 2.0')).toEqual({ kind: 'compare', field: 'i8', dataType: 'Int8', op: '>=', value: 2 });
  });

  it('folds integer comparisons that the type range or a fraction decides', () => {
    const always = (text: string) => expect(bind(text)).toEqual({ kind: 'const', value: true });
    const never = (text: string) => expect(bind(text)).toEqual({ kind: 'const', value: false });
    always('i8 < 1000'); always('i8 <= 127'); always('i8 > -129'); always('i8 != 128'); always('i16 != 1.5');
    never('i8 > 127'); never('i8 < -128'); never('i8 == 1000'); never('i32 == 0.5'); never('i64 > 9223372036854775807');
    always('i64 < 1e300'); never('i64 < -1e300'); always('i64 >= -9223372036854775808');
    always('i32 < 1e400'); never('i32 > 1e400');
  });

  it('rounds numbers compared with a Float field to float32, as Milvus does', () => {
    expect(bind('f == 0.1')).toEqual({ kind: 'compare', field: 'f', dataType: 'Float', op: '==', value: Math.fround(0.1) });
    expect(bind('d == 0.1')).toEqual({ kind: 'compare', field: 'd', dataType: 'Double', op: '==', value: 0.1 });
    expect(bind('d > 9007199254740993')).toEqual({ kind: 'compare', field: 'd', dataType: 'Double', op: '>', value: 9007199254740992 });
  });

  it('folds comparisons between literals', () => {
    expect(bind('1 < 2')).toEqual({ kind: 'const', value: true });
    expect(bind('9007199254740993 == 9007199254740992.0')).toEqual({ kind: 'const', value: false });
    expect(bind('"b" > "a"')).toEqual({ kind: 'const', value: true });
    expect(bind('true != false')).toEqual({ kind: 'const', value: true });
  });
});

describe('bindFilter: in, logic and folding', () => {
  it('sorts, deduplicates and converts in-lists, dropping items that cannot match', () => {
    expect(bind('i8 in [3, 1, 3, 2.5, 300, -1]')).toEqual({ kind: 'in', field: 'i8', dataType: 'Int8', values: [-1, 1, 3] });
    expect(bind('i64 in [2, 9007199254740993, -1]')).toEqual({ kind: 'in', field: 'i64', dataType: 'Int64', values: [-1n, 2n, 9007199254740993n] });
    expect(bind('s in ["b", "a", "b", ""]')).toEqual({ kind: 'in', field: 's', dataType: 'VarChar', values: ['', 'a', 'b'] });
    expect(bind('b in [true, false, true]')).toEqual({ kind: 'in', field: 'b', dataType: 'Bool', values: [false, true] });
    expect(bind('f in [0.1]')).toEqual({ kind: 'in', field: 'f', dataType: 'Float', values: [Math.fround(0.1)] });
  });

  it('binds an in-list that nothing can match as false, and not in as its negation', () => {
    expect(bind('i8 in []')).toEqual({ kind: 'const', value: false });
    expect(bind('i8 in [1000, 0.5]')).toEqual({ kind: 'const', value: false });
    expect(bind('i8 not in []')).toEqual({ kind: 'const', value: true });
    expect(bind('s not in ["a"]')).toEqual({ kind: 'not', child: { kind: 'in', field: 's', dataType: 'VarChar', values: ['a'] } });
  });

  it('flattens and folds and/or/not', () => {
    const x = { kind: 'compare', field: 'd', dataType: 'Double', op: '>', value: 1 };
    const y = { kind: 'compare', field: 's', dataType: 'VarChar', op: '==', value: 'a' };
    const z = { kind: 'compare', field: 'b', dataType: 'Bool', op: '==', value: true };
    expect(bind('d > 1 and (s == "a" and b == true)')).toEqual({ kind: 'and', children: [x, y, z] });
    expect(bind('d > 1 or s == "a" or b == true')).toEqual({ kind: 'or', children: [x, y, z] });
    expect(bind('d > 1 and true')).toEqual(x);
    expect(bind('d > 1 and i8 > 127')).toEqual({ kind: 'const', value: false });
    expect(bind('d > 1 or i8 < 1000')).toEqual({ kind: 'const', value: true });
    expect(bind('not not (d > 1)')).toEqual(x);
    expect(bind('not (d > 1)')).toEqual({ kind: 'not', child: x });
    expect(bind('not true')).toEqual({ kind: 'const', value: false });
  });

  it('binds a long chain of or without deep recursion', () => {
    const text = Array.from({ length: 20_000 }, (_, i) => `i64 == ${i}`).join(' or ');
    const e = bind(text);
    expect(e.kind === 'or' && e.children.length).toBe(20_000);
  });
});

describe('bindFilter: errors', () => {
  it('names an unknown field and the collection', () => {
    const e = errorOf(() => bind('d > 1 and nope == 2'));
    expect(e.code).toBe(ErrorCode.ParameterInvalid);
    expect(e.message).toContain('field "nope" at column 11 does not exist in collection "books"');
  });

  it.each([
    ['i64 == "7"', 'cannot compare field "i64" of type Int64 with the string "7" at column 8'],
    ['s > 1', 'cannot compare field "s" of type VarChar with the integer 1 at column 5'],
    ['b == 1', 'cannot compare field "b" of type Bool with the integer 1 at column 6'],
    ['d != true', 'cannot compare field "d" of type Double with the boolean true at column 6'],
    ['i8 in [1, "x"]', `cannot compare field "i8" of type Int8 with the string "x" in the list of 'in' at column 4`],
    ['s not in ["a", 1.5]', `cannot compare field "s" of type VarChar with the number 1.5 in the list of 'not in' at column 3`],
    ['i8 in [[1]]', `cannot compare field "i8" of type Int8 with a list in the list of 'in' at column 4`],
  ])('%j is a type error: %s', (text, message) => {
    const e = errorOf(() => bind(text));
    expect(e.code).toBe(ErrorCode.ParameterInvalid);
    expect(e.message).toBe(message);
  });

  it.each([
    ['b < true', `field "b" at column 1 is a Bool field, which supports ==, != and in, not '<'`],
    ['i8', 'the filter must be a boolean expression'],
    ['b', 'to test a Bool field, write b == true'],
    ['5', 'but found the integer 5 at column 1'],
    ['"x"', 'but found the string "x" at column 1'],
    ['not i8 > 1', "'not' binds tighter than comparisons"],
    ['d > 1 and s', `the operand of 'and' at column 7 must be a boolean expression`],
    ['s or d > 1', `the operand of 'or' at column 3 must be a boolean expression`],
    ['vec == 1', 'field "vec" at column 1 is a FloatVector field, which a filter cannot read'],
    ['1 in [1]', "'in' at column 3 needs a field or path on its left, but found the integer 1"],
    ['i8 in 1', "'in' at column 4 needs a list [v1, v2, …] on its right, but found the integer 1"],
    ['i8 == [1]', "'==' at column 4 compares field \"i8\" (Int8) with a list"],
    ['(d > 1) == true', "'==' at column 9 compares a boolean expression with the boolean true"],
    ['-"a" == s', "'-' at column 1 needs a number, but found the string \"a\""],
    ['"a" < 1', "'<' at column 5 cannot compare the string \"a\" with the integer 1"],
    ['true < false', "'<' at column 6 cannot compare the boolean true with the boolean false"],
  ])('%j is rejected: %s', (text, message) => {
    const e = errorOf(() => bind(text));
    expect(e.code).toBe(ErrorCode.ParameterInvalid);
    expect(e.message).toContain(message);
  });

  it('binds JSON fields, comparisons of two fields and arithmetic on fields, which used to be unsupported', () => {
    expect(bind('meta == 1')).toEqual({ kind: 'pathCompare', ref: { field: 'meta', path: [], fieldType: 'JSON' }, op: '==', value: 1n });
    expect(bind('d > i8')).toEqual({
      kind: 'compareValues', left: { kind: 'field', field: 'd', dataType: 'Double' }, op: '>', right: { kind: 'field', field: 'i8', dataType: 'Int8' },
    });
    expect(bind('-d < 1')).toEqual({
      kind: 'compareValues', op: '<', right: { kind: 'num', value: 1n },
      left: { kind: 'arith', op: '-', left: { kind: 'num', value: 0n }, right: { kind: 'field', field: 'd', dataType: 'Double' } },
    });
  });
});

describe('compileFilter', () => {
  it('treats empty or whitespace-only text as all rows', () => {
    expect(compileFilter('', schema)).toEqual({ kind: 'const', value: true });
    expect(compileFilter(' \n\t ', schema)).toEqual({ kind: 'const', value: true });
  });

  it('prefixes binding errors with the filter text and keeps their code', () => {
    const e = errorOf(() => compileFilter('x > 1', schema));
    expect(e.code).toBe(ErrorCode.ParameterInvalid);
    expect(e.message).toMatch(/^invalid filter "x > 1": field "x" at column 1 does not exist in collection "books"/);
    expect(errorOf(() => compileFilter('meta > true', schema)).code).toBe(ErrorCode.ParameterInvalid);
  });

  it('passes syntax errors through unchanged', () => {
    expect(errorOf(() => compileFilter('age > and x', schema)).message)
      .toBe(`cannot parse filter "age > and x": at column 7 found 'and', expected a value`);
  });
});
