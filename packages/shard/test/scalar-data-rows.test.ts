import { describe, expect, it } from 'vitest';
import { ErrorCode, ShoalError } from '@shoal/actors';
import { buildSchema, outputRow, rowsToBatch } from '../src/index.ts';
import type { Column, ColumnBatch, FieldInput } from '../src/index.ts';
import { decodeColumn, encodeColumn } from '../src/storage/column-codec.ts';

const base: FieldInput[] = [
  { name: 'id', dataType: 'Int64', isPrimaryKey: true },
  { name: 'v', dataType: 'FloatVector', dim: 2 },
];
const schema = buildSchema('s', '', [
  ...base,
  { name: 'tags', dataType: 'Array', elementType: 'Int64', maxCapacity: 3 },
  { name: 'names', dataType: 'Array', elementType: 'VarChar', maxCapacity: 2, maxLength: 3 },
  { name: 'fl', dataType: 'Array', elementType: 'Float', maxCapacity: 4 },
  { name: 'small', dataType: 'Array', elementType: 'Int8', maxCapacity: 4, nullable: true },
  { name: 'n', dataType: 'Int32', nullable: true },
  { name: 'd', dataType: 'Int64', nullable: true, defaultValue: '9007199254740993' },
  { name: 'k', dataType: 'VarChar', maxLength: 4, defaultValue: 'dflt' },
], true);

/** The message of the ShoalError `f` throws (and its code). */
function error(f: () => unknown): { code: number; message: string } {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ShoalError);
    return { code: (e as ShoalError).code, message: (e as Error).message };
  }
  throw new Error('expected an error');
}

function source(b: ColumnBatch) {
  return { column: (n: string): Column => b.columns[n], valid: (n: string) => b.valid?.[n] };
}

describe('schema: Array, nullable, defaultValue, dynamic field', () => {
  it('keeps the options, converts the default to the stored type and turns the dynamic field on', () => {
    expect(schema.enableDynamicField).toBe(true);
    const f = Object.fromEntries(schema.fields.map((x) => [x.name, x]));
    expect(f.tags).toMatchObject({ dataType: 'Array', elementType: 'Int64', maxCapacity: 3 });
    expect(f.names).toMatchObject({ elementType: 'VarChar', maxLength: 3 });
    expect(f.d).toMatchObject({ nullable: true, defaultValue: 9007199254740993n });
    expect(f.k.defaultValue).toBe('dflt');
    expect(f.k.nullable).toBeUndefined();
  });

  it.each([
    [{ name: 'a', dataType: 'Array', maxCapacity: 3 }, /elementDataType.*Bool, Int8/],
    [{ name: 'a', dataType: 'Array', elementType: 'JSON', maxCapacity: 3 }, /elementDataType/],
    [{ name: 'a', dataType: 'Array', elementType: 'Int8' }, /max_capacity in \[1, 4096\], got undefined/],
    [{ name: 'a', dataType: 'Array', elementType: 'Int8', maxCapacity: 4097 }, /max_capacity in \[1, 4096\]/],
    [{ name: 'a', dataType: 'Array', elementType: 'VarChar', maxCapacity: 2 }, /Array of VarChar needs max_length/],
    [{ name: 'a', dataType: 'Int8', maxCapacity: 2 }, /only to Array fields/],
    [{ name: 'w', dataType: 'FloatVector', dim: 2, nullable: true }, /vector fields cannot be nullable/],
    [{ name: 'p', dataType: 'Int64', isPartitionKey: true, nullable: true }, /partition key cannot be nullable/],
    [{ name: 'j', dataType: 'JSON', defaultValue: {} }, /JSON field cannot have a default value/],
    [{ name: 'a', dataType: 'Array', elementType: 'Int8', maxCapacity: 2, defaultValue: [1] }, /Array field cannot have a default value/],
    [{ name: 'b', dataType: 'Int8', defaultValue: 300 }, /default value 300 does not fit the Int8 field; expected an integer in \[-128, 127\]/],
    [{ name: 's', dataType: 'VarChar', maxLength: 2, defaultValue: 'abc' }, /at most max_length = 2 UTF-8 bytes/],
    [{ name: 'b', dataType: 'Bool', defaultValue: 'yes' }, /expected true or false/],
    [{ name: '$meta', dataType: 'JSON' }, /reserved for the dynamic field/],
  ])('rejects %j', (field, message) => {
    const e = error(() => buildSchema('s', '', [...base, field as FieldInput], false));
    expect(e.code).toBe(ErrorCode.CollectionIllegalSchema);
    expect(e.message).toMatch(message);
  });

  it('rejects a nullable primary key and a default on the primary key', () => {
    expect(error(() => buildSchema('s', '', [{ ...base[0], nullable: true }, base[1]], false)).message).toMatch(/primary key cannot be nullable/);
    expect(error(() => buildSchema('s', '', [{ ...base[0], defaultValue: 1 }, base[1]], false)).message).toMatch(/primary key cannot have a default value/);
  });
});

describe('rowsToBatch and outputRow', () => {
  const v = [0, 1];
  it('converts arrays per element, fills defaults and nulls, and keeps undeclared keys in $meta', () => {
    const b = rowsToBatch(schema, [
      { id: 1, v, tags: [1, '9223372036854775807', -5n], names: ['ab', 'é'], fl: [0.1, 2], small: [1, -2], n: 3, d: 4, k: 'x', color: 'red', big: 12345678901234567890n, gone: null },
      { id: 2, v, tags: [], names: [], fl: [], small: null, n: null, d: null },
    ]);
    expect(b.columns.tags).toEqual([[1n, 9223372036854775807n, -5n], []]);
    expect((b.columns.fl as number[][])[0]).toEqual([Math.fround(0.1), 2]);
    expect(b.valid).toEqual({ small: Uint8Array.of(1, 0), n: Uint8Array.of(1, 0), d: Uint8Array.of(1, 1) });
    expect(b.columns.small).toEqual([[1, -2], []]);
    expect(Array.from(b.columns.d as BigInt64Array)).toEqual([4n, 9007199254740993n]);
    expect(b.columns.k).toEqual(['x', 'dflt']);
    expect(b.columns.$meta).toEqual([{ color: 'red', big: 12345678901234567890n }, {}]);
    const all = [...schema.fields.map((f) => f.name), '$meta'];
    const r1 = outputRow(schema, source(b), 1, all);
    expect(r1).toMatchObject({ id: 2n, small: null, n: null, d: 9007199254740993n, k: 'dflt', tags: [] });
    expect(Object.keys(r1)).not.toContain('color');
    const r0 = outputRow(schema, source(b), 0, ['id', 'color', 'nope', 'n']);
    expect(r0).toEqual({ id: 1n, color: 'red', n: 3 });
    expect(outputRow(schema, source(b), 0, ['$meta'])).toEqual({ color: 'red', big: 12345678901234567890n });
  });

  it.each([
    [{ tags: [1, 2.5] }, /row 0: field "tags" \(Array of Int64\) element 1 got number 2.5; expected an integer in \[-9223372036854775808, 9223372036854775807\]/],
    [{ tags: [1, 2, 3, 4] }, /row 0: field "tags" \(Array of Int64\) has 4 elements; max_capacity is 3/],
    [{ tags: 'x' }, /row 0: field "tags" \(Array of Int64\) got the string "x"; expected an array of Int64 with at most 3 elements/],
    [{ names: ['abcd'] }, /row 0: field "names" \(Array of VarChar\) element 0 .*at most max_length = 3 UTF-8 bytes \(it is 4 bytes long\)/],
    [{ small: [200] }, /element 0 got number 200; expected an integer in \[-128, 127\]/],
    [{ tags: null }, /row 0: field "tags" \(Array of Int64\) is null; it is not nullable and has no default value/],
    [{ $meta: { a: 1 } }, /row 0: "\$meta" is the dynamic field of collection "s" and cannot be given/],
    [{ color: Number.NaN }, /row 0: dynamic field key "color" got number NaN; expected a JSON value/],
  ])('rejects %j with a message naming row, field and what is allowed', (patch, message) => {
    const row: Record<string, unknown> = { id: 1, v, tags: [1], names: [], fl: [], ...patch };
    const e = error(() => rowsToBatch(schema, [row]));
    expect(e.code).toBe(ErrorCode.ParameterInvalid);
    expect(e.message).toMatch(message);
  });

  it('rejects undeclared keys without the dynamic field', () => {
    const plain = buildSchema('p', '', base, false);
    expect(error(() => rowsToBatch(plain, [{ id: 1, v, color: 'red' }])).message).toMatch(/field "color" does not exist.*dynamic field is not enabled/);
  });
});

describe('Array column codec', () => {
  it('restores element types exactly: Int64 as bigint even when small, Float as stored', () => {
    const col = [[1n, -2n, 9223372036854775807n], [], [0n]];
    const back = decodeColumn('Array', encodeColumn('Array', col, 3), 3, undefined, 'Int64') as unknown[][];
    expect(back).toEqual(col);
    expect(typeof back[2][0]).toBe('bigint');
    const floats = [[Math.fround(0.1), Math.fround(1e-7), 3]];
    expect(decodeColumn('Array', encodeColumn('Array', floats, 1), 1, undefined, 'Float')).toEqual(floats);
    expect(decodeColumn('Array', encodeColumn('Array', [['a', 'é'], []], 2), 2, undefined, 'VarChar')).toEqual([['a', 'é'], []]);
  });

  it('needs the element type and rejects a stored row that is not an array', () => {
    const bytes = encodeColumn('Array', [[1]], 1);
    expect(() => decodeColumn('Array', bytes, 1)).toThrow(/needs its element type/);
    expect(() => decodeColumn('Array', encodeColumn('JSON', [{ a: 1 }], 1), 1, undefined, 'Int8')).toThrow(/row 0 is stored as Object, expected an array/);
    expect(() => decodeColumn('Array', encodeColumn('JSON', [[1.5]], 1), 1, undefined, 'Int64')).toThrow(/holds 1.5 where an Int64 element/);
  });
});

describe('values that could not be stored exactly are refused', () => {
  const withJson = buildSchema('j', '', [...base, { name: 'j', dataType: 'JSON' }, { name: 'f', dataType: 'Float' }], true);
  const row = (extra: Record<string, unknown>) => ({ id: 1n, v: [0, 0], j: {}, f: 0, ...extra });

  it('a "__proto__" key (the log codec would rename it): in JSON values, as a dynamic key, as a name', () => {
    const nested = JSON.parse('{"a": {"__proto__": {"x": 1}}}') as unknown;
    expect(error(() => rowsToBatch(withJson, [row({ j: nested })])).message).toMatch(/row 0: field "j".*no object key "__proto__"/);
    const dyn = JSON.parse('{"id": 1, "v": [0, 0], "j": {}, "f": 0, "__proto__": 5}') as unknown;
    expect(error(() => rowsToBatch(withJson, [dyn])).message).toMatch(/row 0: the key "__proto__" is reserved/);
    const inDyn = JSON.parse('{"id": 1, "v": [0, 0], "j": {}, "f": 0, "meta": {"__proto__": 1}}') as unknown;
    expect(error(() => rowsToBatch(withJson, [inDyn])).message).toMatch(/dynamic field key "meta".*no object key "__proto__"/);
    expect(error(() => buildSchema('p', '', [...base, { name: '__proto__', dataType: 'Int32' }], false)).message).toMatch(/"__proto__" is reserved/);
  });

  it('Float values beyond float32 range (they would become infinity), scalar, element, default or vector element', () => {
    expect(error(() => rowsToBatch(withJson, [row({ f: 1e40 })])).message).toMatch(/field "f".*float32 range/);
    expect(rowsToBatch(withJson, [row({ f: 3.4028235e38 })]).columns.f[0]).toBe(3.4028234663852886e38);
    expect(error(() => rowsToBatch(schema, [{ id: 1n, v: [0, 0], tags: [], names: [], fl: [1, 1e40] }])).message).toMatch(/"fl".*element 1.*float32 range/);
    expect(error(() => buildSchema('d', '', [...base, { name: 'g', dataType: 'Float', defaultValue: 1e40 }], false)).message).toMatch(/float32 range/);
    expect(error(() => rowsToBatch(withJson, [row({ v: [0, -1e39] })])).message).toMatch(/"v" element 1.*float32 range/);
  });
});
