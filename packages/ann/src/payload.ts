/**
 * Helpers for index-file payloads (`format.ts`) made of consecutive little-endian typed arrays.
 * Writers list the arrays' bytes in order; `PayloadReader` reads them back in the same order,
 * viewing each in place when its offset is aligned for its element size (zero-copy) and copying
 * otherwise. Writers order arrays by decreasing element size (f64, then f32/i32, then u16, then
 * u8) so every array stays aligned inside the 8-aligned payload.
 */
import { ErrorCode, ShoalError } from '@shoal/actors';

/** The bytes of a typed array (a view, no copy). */
export function bytesOf(a: Float64Array | Float32Array | Int32Array | Uint16Array | Uint8Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/**
 * A typed-array view of `payload[offset, offset + length·size)`, in place if its absolute byte
 * offset is a multiple of `size`, else over a copy of those bytes.
 */
export function viewOrCopy<T>(payload: Uint8Array, offset: number, length: number, size: number, make: (buf: ArrayBufferLike, off: number, len: number) => T): T {
  const byteOffset = payload.byteOffset + offset;
  if (byteOffset % size === 0) return make(payload.buffer, byteOffset, length);
  const copy = payload.slice(offset, offset + length * size);
  return make(copy.buffer, 0, length);
}

/**
 * Reads consecutive typed arrays from an index payload. Every read checks that the payload holds
 * enough bytes, and `end()` that none are left over; both throw `ShoalError(ErrorCode.IoFailed)`
 * naming the index type (`what`), since a mismatch means the file does not fit its header.
 */
export class PayloadReader {
  private readonly payload: Uint8Array;
  private readonly what: string;
  private at = 0;

  /** A reader at the start of `payload`; `what` names the index in error messages (e.g. "IVF_FLAT"). */
  constructor(payload: Uint8Array, what: string) {
    this.payload = payload;
    this.what = what;
  }

  /** The next `length` float64 values. */
  f64(length: number): Float64Array {
    return this.take(length, 8, (b, o, n) => new Float64Array(b, o, n));
  }

  /** The next `length` float32 values. */
  f32(length: number): Float32Array {
    return this.take(length, 4, (b, o, n) => new Float32Array(b, o, n));
  }

  /** The next `length` int32 values. */
  i32(length: number): Int32Array {
    return this.take(length, 4, (b, o, n) => new Int32Array(b, o, n));
  }

  /** The next `length` uint16 values. */
  u16(length: number): Uint16Array {
    return this.take(length, 2, (b, o, n) => new Uint16Array(b, o, n));
  }

  /** The next `length` bytes (a view). */
  u8(length: number): Uint8Array {
    return this.take(length, 1, (b, o, n) => new Uint8Array(b, o, n));
  }

  /** Throws IoFailed unless every payload byte has been read. */
  end(): void {
    if (this.at !== this.payload.byteLength) this.mismatch(`exactly ${this.at}`);
  }

  private take<T>(length: number, size: number, make: (buf: ArrayBufferLike, off: number, len: number) => T): T {
    const bytes = length * size;
    if (this.at + bytes > this.payload.byteLength) this.mismatch(`at least ${this.at + bytes}`);
    const out = viewOrCopy(this.payload, this.at, length, size, make);
    this.at += bytes;
    return out;
  }

  private mismatch(expected: string): never {
    throw new ShoalError(ErrorCode.IoFailed, `${this.what} index payload has ${this.payload.byteLength} bytes, expected ${expected} for its header's spec and count`);
  }
}
