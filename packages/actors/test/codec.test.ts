import fc from 'fast-check';
import { Unpackr, pack, unpack } from 'msgpackr';
import { describe, expect, it } from 'vitest';
import { decode, encode } from '../src/index.ts';

type TypedArray =
  | Int8Array | Uint8Array | Uint8ClampedArray | Int16Array | Uint16Array | Int32Array | Uint32Array
  | Float32Array | Float64Array | BigInt64Array | BigUint64Array;

function isTypedArray(v: unknown): v is TypedArray {
  return ArrayBuffer.isView(v) && !(v instanceof DataView);
}

function bytesOf(v: TypedArray): number[] {
  return [...new Uint8Array(v.buffer, v.byteOffset, v.byteLength)];
}

/** Exact structural equality: classes, typed-array bytes (NaN payloads, -0), bigint, key order. */
function expectSame(actual: unknown, expected: unknown, where = '$'): void {
  if (isTypedArray(expected)) {
    expect(isTypedArray(actual), where).toBe(true);
    expect((actual as TypedArray).constructor.name, where).toBe(expected.constructor.name);
    expect(bytesOf(actual as TypedArray), where).toEqual(bytesOf(expected));
  } else if (expected instanceof Map) {
    expect(actual, where).toBeInstanceOf(Map);
    const a = [...(actual as Map<unknown, unknown>)];
    const e = [...expected];
    expect(a.length, where).toBe(e.length);
    e.forEach(([k, v], i) => {
      expectSame(a[i][0], k, `${where}.key${i}`);
      expectSame(a[i][1], v, `${where}.get(${String(k)})`);
    });
  } else if (Array.isArray(expected)) {
    expect(Array.isArray(actual), where).toBe(true);
    expect((actual as unknown[]).length, where).toBe(expected.length);
    expected.forEach((v, i) => expectSame((actual as unknown[])[i], v, `${where}[${i}]`));
  } else if (typeof expected === 'object' && expected !== null) {
    expect(Object.getPrototypeOf(actual), where).toBe(Object.prototype);
    expect(Object.keys(actual as object), where).toEqual(Object.keys(expected));
    for (const [k, v] of Object.entries(expected)) expectSame((actual as Record<string, unknown>)[k], v, `${where}.${k}`);
  } else {
    expect(Object.is(actual, expected), `${where}: ${String(actual)} vs ${String(expected)}`).toBe(true);
  }
}

/** Copies `src` into a larger buffer at element offset `pad`, returning the view (non-zero byteOffset). */
function offsetView<T extends TypedArray>(src: T, pad: number): T {
  const ctor = src.constructor as new (buffer: ArrayBuffer, byteOffset: number, length: number) => T;
  const size = src.BYTES_PER_ELEMENT;
  const buffer = new ArrayBuffer((pad + src.length + 3) * size);
  const view = new ctor(buffer, pad * size, src.length);
  new Uint8Array(buffer, pad * size, src.byteLength).set(new Uint8Array(src.buffer, src.byteOffset, src.byteLength));
  return view;
}

const typedArray: fc.Arbitrary<TypedArray> = fc
  .tuple(
    fc.oneof(
      fc.int8Array(), fc.uint8Array(), fc.uint8ClampedArray(), fc.int16Array(), fc.uint16Array(),
      fc.int32Array(), fc.uint32Array(), fc.float32Array(), fc.float64Array(), fc.bigInt64Array(),
      fc.bigUint64Array(),
    ),
    fc.nat(5),
  )
  .map(([a, pad]) => offsetView(a as TypedArray, pad));

const key = fc.string().filter((k) => k !== '__proto__');
const scalar = fc.oneof(
  fc.constant(null),
  fc.constant(undefined),
  fc.boolean(),
  fc.string(),
  fc.integer(),
  fc.double().filter((x) => !Object.is(x, -0)), // -0 as a number decodes as 0 (documented)
  fc.bigInt({ min: -(1n << 200n), max: 1n << 200n }),
  fc.bigInt({ min: -(1n << 63n), max: (1n << 64n) - 1n }),
);
const { value } = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    typedArray,
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(key, tie('value'), { maxKeys: 5, noNullPrototype: true }),
    fc.array(fc.tuple(fc.oneof(fc.string(), fc.integer()), tie('value')), { maxLength: 4 }).map((es) => new Map(es)),
  ),
}));

describe('codec', () => {
  it('round-trips nested values exactly (objects, arrays, Maps, strings, null, numbers, bigint, typed arrays)', () => {
    fc.assert(fc.property(value, (v) => expectSame(decode(encode(v)), v)), { numRuns: 500 });
  });

  it('round-trips every typed array class at any offset into a larger buffer', () => {
    fc.assert(fc.property(typedArray, (a) => expectSame(decode(encode(a)), a)), { numRuns: 500 });
  });

  it('round-trips Float32Array views at odd byte offsets inside a message (the STACK.md trap)', () => {
    fc.assert(
      fc.property(fc.float32Array({ minLength: 1 }), fc.nat(7), (f, pad) => {
        const bytes = new Uint8Array(pad + f.byteLength);
        bytes.set(new Uint8Array(f.buffer, f.byteOffset, f.byteLength), pad);
        const odd = new Uint8Array(bytes.buffer, pad, f.byteLength); // a Uint8Array at an odd offset
        const msg = { vectors: f, raw: odd };
        const out = decode(encode(msg)) as typeof msg;
        expectSame(out, msg);
        expect(out.vectors).toBeInstanceOf(Float32Array);
      }),
    );
  });

  it('avoids the trap of msgpackr’s default pack(), which does not give back a Float32Array', () => {
    const f = new Float32Array([0.5, -1, 3]);
    expect(unpack(pack(f))).not.toBeInstanceOf(Float32Array);
    expectSame(decode(encode(f)), f);
  });

  it('keeps Int64 values beyond 2^53 exact as bigint, and large numbers as numbers', () => {
    const v = { a: 2n ** 62n + 1n, b: -(2n ** 63n), c: 2n ** 64n - 1n, d: 2n ** 100n + 7n, e: 5n, n: 2 ** 60, m: -(2 ** 40) };
    expectSame(decode(encode(v)), v);
    fc.assert(fc.property(fc.bigInt({ min: -(1n << 63n), max: (1n << 64n) - 1n }), (b) => {
      expect(decode(encode(b))).toBe(b);
    }));
  });

  it('decodes -0 as 0 for plain numbers (documented), but keeps -0 inside Float64Array', () => {
    expect(Object.is(decode(encode(-0)), 0)).toBe(true);
    expect(Object.is((decode(encode(new Float64Array([-0]))) as Float64Array)[0], -0)).toBe(true);
  });

  it('returns decoded binary data that does not alias the input bytes', () => {
    const bytes = encode({ u8: new Uint8Array([1, 2, 3]), f: new Float32Array([1.5]), buf: Buffer.from([4, 5]) });
    const out = decode(bytes) as { u8: Uint8Array; f: Float32Array; buf: Uint8Array };
    bytes.fill(0);
    expect([...out.u8]).toEqual([1, 2, 3]);
    expect([...out.f]).toEqual([1.5]);
    expect([...out.buf]).toEqual([4, 5]);
  });

  it('writes self-contained messages: a separate decoder (another node) reads them in any order', () => {
    encode({ x: 0, y: 'warm up the record structures' });
    const a = encode({ x: 1, y: 'a' });
    const b = encode({ x: 2, y: 'b', z: new Map([[1, 2n]]) });
    const other = new Unpackr({ moreTypes: true, int64AsType: 'bigint' });
    expect(other.unpack(b)).toEqual({ x: 2, y: 'b', z: new Map([[1, 2n]]) });
    expect(other.unpack(a)).toEqual({ x: 1, y: 'a' });
  });

  it('rejects truncated and trailing-garbage input', () => {
    const bytes = encode({ hello: 'world', n: [1, 2, 3] });
    expect(() => decode(bytes.subarray(0, bytes.length - 1))).toThrow();
    const longer = new Uint8Array(bytes.length + 1);
    longer.set(bytes);
    expect(() => decode(longer)).toThrow();
  });
});
