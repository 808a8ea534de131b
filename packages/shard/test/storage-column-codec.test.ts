import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ErrorCode, ShoalError } from '@shoal/actors';
import type { Column, DataType } from '../src/schema/types.ts';
import { decodeColumn, encodeColumn } from '../src/storage/column-codec.ts';
import { parseJson, stringifyJson } from '../src/storage/json-text.ts';

/** Encodes, then decodes from a copy at byte offset `shift` of a fresh buffer (0 = aligned). */
function roundTrip(type: DataType, column: Column, numRows: number, dim?: number, shift = 0): Column {
  const encoded = encodeColumn(type, column, numRows);
  const buf = new Uint8Array(encoded.byteLength + shift);
  buf.set(encoded, shift);
  return decodeColumn(type, buf.subarray(shift), numRows, dim);
}

function codeOf(fn: () => unknown): number {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(ShoalError);
    return (err as ShoalError).code;
  }
  throw new Error('expected a ShoalError');
}

const shift = fc.integer({ min: 0, max: 7 });
const int64 = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });

describe('column codec: fixed-width types', () => {
  const cases: Array<[DataType, fc.Arbitrary<Column>]> = [
    ['Bool', fc.array(fc.boolean()).map((a) => Uint8Array.from(a, Number))],
    ['Int8', fc.int8Array()],
    ['Int16', fc.int16Array()],
    ['Int32', fc.int32Array()],
    ['Int64', fc.array(int64).map((a) => BigInt64Array.from(a))],
    ['Float', fc.float32Array()],
    ['Double', fc.float64Array()],
  ];
  it.each(cases)('%s round-trips at any alignment', (type, arb) => {
    fc.assert(fc.property(arb, shift, (column, s) => {
      const n = (column as ArrayLike<unknown>).length;
      const got = roundTrip(type, column, n, undefined, s);
      expect(got.constructor).toBe(column.constructor);
      expect(got).toEqual(column);
    }));
  });

  it('Int64 keeps the extremes exactly', () => {
    const column = BigInt64Array.from([-(2n ** 63n), 2n ** 63n - 1n, 2n ** 53n + 1n, -1n, 0n]);
    expect(roundTrip('Int64', column, 5, undefined, 3)).toEqual(column);
  });

  it('FloatVector round-trips numRows × dim', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 10 }), fc.integer({ min: 1, max: 16 }), shift, (rows, dim, s) => {
      const column = Float32Array.from({ length: rows * dim }, (_, i) => Math.fround(i * 0.37 - 5));
      expect(roundTrip('FloatVector', column, rows, dim, s)).toEqual(column);
    }));
  });

  it('encodes as little-endian raw bytes and decodes aligned input without copying', () => {
    const column = Int32Array.from([1, -2, 0x01020304]);
    const encoded = encodeColumn('Int32', column, 3);
    expect([...encoded]).toEqual([1, 0, 0, 0, 0xfe, 0xff, 0xff, 0xff, 4, 3, 2, 1]);
    expect(encoded.buffer).toBe(column.buffer);
    const backing = new Uint8Array(20);
    backing.set(encoded, 8);
    const decoded = decodeColumn('Int32', backing.subarray(8), 3) as Int32Array;
    expect(decoded.buffer).toBe(backing.buffer);
    const unaligned = new Uint8Array(20);
    unaligned.set(encoded, 5);
    const copied = decodeColumn('Int32', unaligned.subarray(5, 17), 3) as Int32Array;
    expect(copied.buffer).not.toBe(unaligned.buffer);
    expect([...copied]).toEqual([1, -2, 0x01020304]);
  });

  it('rejects inconsistent lengths and types', () => {
    expect(codeOf(() => encodeColumn('Int32', Int32Array.from([1, 2]), 3))).toBe(ErrorCode.ParameterInvalid);
    expect(codeOf(() => encodeColumn('Int32', Float32Array.from([1, 2]), 2))).toBe(ErrorCode.ParameterInvalid);
    expect(codeOf(() => encodeColumn('Int8', Uint8Array.from([1, 2]), 2))).toBe(ErrorCode.ParameterInvalid);
    expect(codeOf(() => encodeColumn('Bool', Uint8Array.from([0, 2]), 2))).toBe(ErrorCode.ParameterInvalid);
    expect(codeOf(() => encodeColumn('FloatVector', new Float32Array(7), 2))).toBe(ErrorCode.ParameterInvalid);
    expect(codeOf(() => encodeColumn('FloatVector', new Float32Array(2), 0))).toBe(ErrorCode.ParameterInvalid);
    expect(codeOf(() => encodeColumn('Int32', new Int32Array(0), -1))).toBe(ErrorCode.ParameterInvalid);
    expect(codeOf(() => decodeColumn('Int64', new Uint8Array(12), 2))).toBe(ErrorCode.IoFailed);
    expect(codeOf(() => decodeColumn('Bool', Uint8Array.from([0, 7]), 2))).toBe(ErrorCode.IoFailed);
    expect(codeOf(() => decodeColumn('FloatVector', new Uint8Array(32), 2))).toBe(ErrorCode.ParameterInvalid);
    expect(codeOf(() => decodeColumn('FloatVector', new Uint8Array(32), 2, 3))).toBe(ErrorCode.IoFailed);
    expect(() => decodeColumn('Double', new Uint8Array(12), 2)).toThrow(/12 bytes stored, 16 expected for 2 rows/);
  });
});

describe('column codec: VarChar', () => {
  it('round-trips unicode and empty strings at any alignment', () => {
    const str = fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' }), fc.constant(''));
    fc.assert(fc.property(fc.array(str), shift, (values, s) => {
      expect(roundTrip('VarChar', values, values.length, undefined, s)).toEqual(values);
    }));
  });

  it('stores offsets then UTF-8 bytes', () => {
    const encoded = encodeColumn('VarChar', ['a', '', 'é😀', '\uFEFFx'], 4);
    const view = new DataView(encoded.buffer, encoded.byteOffset, encoded.byteLength);
    expect([0, 1, 2, 3, 4].map((i) => view.getUint32(4 * i, true))).toEqual([0, 1, 1, 7, 11]);
    expect(new TextDecoder().decode(encoded.subarray(20, 21))).toBe('a');
    expect(decodeColumn('VarChar', encoded, 4)).toEqual(['a', '', 'é😀', '\uFEFFx']);
  });

  it('replaces a lone surrogate with U+FFFD, as TextEncoder does', () => {
    expect(roundTrip('VarChar', ['a\uD800b'], 1)).toEqual(['a\uFFFDb']);
  });

  it('rejects non-strings, wrong counts and corrupt offsets or UTF-8', () => {
    expect(codeOf(() => encodeColumn('VarChar', ['a', 1] as unknown[], 2))).toBe(ErrorCode.ParameterInvalid);
    expect(codeOf(() => encodeColumn('VarChar', ['a'], 2))).toBe(ErrorCode.ParameterInvalid);
    expect(codeOf(() => encodeColumn('VarChar', new Uint8Array(2), 2))).toBe(ErrorCode.ParameterInvalid);
    const good = encodeColumn('VarChar', ['ab', 'cd'], 2);
    expect(codeOf(() => decodeColumn('VarChar', good, 3))).toBe(ErrorCode.IoFailed);
    expect(codeOf(() => decodeColumn('VarChar', good.subarray(0, good.byteLength - 1), 2))).toBe(ErrorCode.IoFailed);
    const swapped = good.slice();
    new DataView(swapped.buffer).setUint32(4, 3, true); // offsets [0, 3, 4]: still consistent
    expect(decodeColumn('VarChar', swapped, 2)).toEqual(['abc', 'd']);
    new DataView(swapped.buffer).setUint32(4, 5, true);
    expect(() => decodeColumn('VarChar', swapped, 2)).toThrow(/offset 2 \(4\) is smaller than offset 1 \(5\)/);
    const badUtf8 = good.slice();
    badUtf8[12] = 0xff;
    expect(() => decodeColumn('VarChar', badUtf8, 2)).toThrow(/row 0 is not valid UTF-8/);
    expect(codeOf(() => decodeColumn('VarChar', new Uint8Array(3), 0))).toBe(ErrorCode.IoFailed);
  });
});

describe('column codec: JSON', () => {
  /** What a JSON value reads back as: bigints inside ±(2^53 − 1) become numbers, -0 becomes 0; everything else is unchanged. */
  function normalize(v: unknown): unknown {
    if (typeof v === 'bigint') return v >= -(2n ** 53n - 1n) && v <= 2n ** 53n - 1n ? Number(v) : v;
    if (typeof v === 'number') return Object.is(v, -0) ? 0 : v;
    if (Array.isArray(v)) return v.map(normalize);
    if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, normalize(x)]));
    return v;
  }
  const jsonWithBigints: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
    value: fc.oneof({ depthSize: 'small' },
      fc.constant(null), fc.boolean(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.string({ unit: 'binary' }), int64,
      fc.bigInt({ min: -(2n ** 80n), max: 2n ** 80n }),
      fc.array(tie('value'), { maxLength: 4 }),
      fc.dictionary(fc.string(), tie('value'), { maxKeys: 4 })),
  })).value;

  it('round-trips JSON values, with integers beyond 2^53 exact as bigint', () => {
    fc.assert(fc.property(fc.array(jsonWithBigints, { maxLength: 8 }), shift, (values, s) => {
      expect(roundTrip('JSON', values, values.length, undefined, s)).toEqual(values.map(normalize));
    }));
  });

  it('writes bigints as exact JSON integers and reads them back', () => {
    const value = { id: 12345678901234567890n, small: 7n, list: [-(2n ** 63n), 2n ** 53n, 2n ** 53n - 1n], f: 1.5, big: 1e300, n: 1e20, s: '9007199254740993' };
    const text = stringifyJson(value);
    expect(text).toBe('{"id":12345678901234567890,"small":7,"list":[-9223372036854775808,9007199254740992,9007199254740991],"f":1.5,"big":1e+300,"n":100000000000000000000.0,"s":"9007199254740993"}');
    expect(parseJson(text as string)).toEqual({ id: 12345678901234567890n, small: 7, list: [-(2n ** 63n), 2n ** 53n, 9007199254740991], f: 1.5, big: 1e300, n: 1e20, s: '9007199254740993' });
    expect(stringifyJson([2 ** 60, -(2 ** 53)])).toBe('[1152921504606847000.0,-9007199254740992.0]');
    expect(parseJson('[1152921504606847000.0,-9007199254740992.0]')).toEqual([2 ** 60, -(2 ** 53)]);
    expect(roundTrip('JSON', [value, null, 'x', 3, []], 5)).toEqual([parseJson(text as string), null, 'x', 3, []]);
  });

  it('rejects values JSON cannot represent', () => {
    expect(codeOf(() => encodeColumn('JSON', [undefined], 1))).toBe(ErrorCode.ParameterInvalid);
    expect(codeOf(() => encodeColumn('JSON', [() => 1], 1))).toBe(ErrorCode.ParameterInvalid);
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    expect(() => encodeColumn('JSON', [circular], 1)).toThrow(/row 0 cannot be serialized as JSON/);
    const notJson = encodeColumn('VarChar', ['{"a":'], 1);
    expect(codeOf(() => decodeColumn('JSON', notJson, 1))).toBe(ErrorCode.IoFailed);
  });
});
