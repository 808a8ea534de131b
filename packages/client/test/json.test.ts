import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parseJson, toJson } from '../src/json.ts';

describe('client JSON with exact Int64', () => {
  it('parses integers beyond 2^53 to bigint and everything else to number', () => {
    expect(parseJson('{"id": 9007199254740993, "n": 12, "f": 0.12345678901234567891}')).toEqual({ id: 9007199254740993n, n: 12, f: 0.12345678901234568 });
    expect(parseJson('[-9223372036854775808, 1e300, 1234567890123456.5]')).toEqual([-9223372036854775808n, 1e300, 1234567890123456.5]);
  });

  it('writes bigints as plain integers and typed arrays as arrays', () => {
    expect(toJson({ id: 9223372036854775807n, v: new Float32Array([0.5, 1]) })).toBe('{"id":9223372036854775807,"v":[0.5,1]}');
  });

  it('round-trips any mix of safe numbers, big integers and strings', () => {
    const value = fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }), fc.string());
    fc.assert(fc.property(fc.array(value), (xs) => {
      // Safe integers come back as numbers; an integer beyond 2^53 comes back as a bigint, also when
      // it was a double written in plain digits (|x| < 1e21; larger doubles are written with an exponent).
      const expected = xs.map((x) => {
        if (typeof x === 'bigint') return Number.isSafeInteger(Number(x)) ? Number(x) : x;
        if (typeof x === 'number' && Number.isInteger(x) && !Number.isSafeInteger(x) && Math.abs(x) < 1e21) return BigInt(String(x));
        return Object.is(x, -0) ? 0 : x;
      });
      expect(parseJson(toJson(xs))).toEqual(expected);
    }));
  });
});
