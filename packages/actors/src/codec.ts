import { Packr } from 'msgpackr';

/**
 * The wire codec of Shoal: MessagePack (https://github.com/msgpack/msgpack/blob/master/spec.md)
 * through msgpackr with its extensions, used for every message between nodes (DESIGN.md, "Actors").
 *
 * Round-trips exactly:
 * - `null`, `undefined`, booleans, strings, numbers (except that `-0` decodes as `0`), arrays,
 *   plain objects (own enumerable string keys), `Map`s (decoded as `Map`, keys of any of these
 *   types), `Set`s, `Date`s;
 * - `bigint` in [−2^63, 2^64) as MessagePack int64/uint64, and larger ones through msgpackr's
 *   bigint extension (type 0x42); int64/uint64 values always decode as `bigint`, never as a
 *   rounded `number`;
 * - typed arrays (`Uint8Array`, `Int8Array`, `Uint8ClampedArray`, `Int16Array`, `Uint16Array`,
 *   `Int32Array`, `Uint32Array`, `Float32Array`, `Float64Array`, `BigInt64Array`,
 *   `BigUint64Array`) with their exact class and bytes (NaN payloads and `-0` included), also
 *   when they are views at an odd `byteOffset` into a larger buffer. A Node `Buffer` decodes as
 *   a plain `Uint8Array` with the same bytes.
 *
 * Not preserved: symbols cannot be encoded (encode throws); functions encode as `undefined`;
 * `Error`s come back as plain `Error`s with name and message only (send an error's code and
 * message as plain data instead); class instances come back as plain objects.
 *
 * STACK.md trap: msgpackr's default `pack()` turns typed arrays into bytes of a different layout
 * (a `Float32Array` comes back as a Buffer of other bytes); `moreTypes: true` fixes that.
 *
 * Decoded binary data never aliases the input bytes (`copyBuffers: true`), so a caller may reuse
 * its receive buffer. Objects are encoded with msgpackr's record extension; every record
 * structure is defined inside the message that uses it, so any two codec instances (e.g. on two
 * nodes) understand each other without shared state.
 */
const packr = new Packr({
  moreTypes: true,
  useBigIntExtension: true,
  int64AsType: 'bigint',
  copyBuffers: true,
});

/**
 * Encodes `value` to MessagePack bytes.
 *
 * The result is a view into a buffer that msgpackr allocated for several messages; it is never
 * overwritten by later calls.
 * @throws Error from msgpackr if `value` holds something it cannot encode (a symbol, …).
 */
export function encode(value: unknown): Uint8Array {
  const buf = packr.pack(value);
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

/**
 * Decodes bytes produced by {@link encode}.
 * @throws Error from msgpackr if `bytes` is not one complete MessagePack value (truncated or
 *   malformed input, or trailing bytes).
 */
export function decode(bytes: Uint8Array): unknown {
  return packr.unpack(bytes);
}
