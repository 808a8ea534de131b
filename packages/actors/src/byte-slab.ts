/**
 * Small byte buffers carved out of shared slabs. In V8, a fresh small `Uint8Array` is allocated
 * on the JS heap, and the first access to its `.buffer` (a `DataView` over it, for instance) moves
 * it off-heap — about ten times the cost of encoding a Raft message or a log record into it. The
 * encoders on hot paths therefore write into a region of a 256 KiB slab instead: each caller gets
 * its own region (regions are never reused; a slab is garbage once every view into it is), and a
 * `DataView` over the whole slab that is created once per slab.
 *
 * A carved buffer is a view into a larger `ArrayBuffer`: read it through `byteOffset` and
 * `byteLength`, never through `.buffer` alone.
 */

/** Size of one slab in bytes. */
const SLAB_BYTES = 256 * 1024;
/** Requests larger than this (bytes) get a buffer of their own. */
export const MAX_CARVED_BYTES = SLAB_BYTES / 8;

let slab = new Uint8Array(SLAB_BYTES);
let slabView = new DataView(slab.buffer);
let used = 0;

/** A region of `length` bytes: `bytes[offset, offset + length)`, writable through `view` at the same offsets. */
export interface CarvedBytes {
  /** The whole slab (or, for a large request, a buffer of exactly `length` bytes). */
  readonly bytes: Uint8Array;
  /** A DataView over all of `bytes`. */
  readonly view: DataView;
  /** Where the region starts in `bytes`. */
  readonly offset: number;
}

/**
 * Reserves `length` (a non-negative integer) bytes, zero-filled. Requests over
 * {@link MAX_CARVED_BYTES} get a fresh buffer (`offset` 0). Use {@link regionOf} to get the region
 * as its own `Uint8Array`.
 */
export function carveBytes(length: number): CarvedBytes {
  if (length > MAX_CARVED_BYTES) {
    const bytes = new Uint8Array(length);
    return { bytes, view: new DataView(bytes.buffer), offset: 0 };
  }
  if (used + length > SLAB_BYTES) {
    slab = new Uint8Array(SLAB_BYTES);
    slabView = new DataView(slab.buffer);
    used = 0;
  }
  const offset = used;
  used += length;
  return { bytes: slab, view: slabView, offset };
}

/** The region of `c` that is `length` bytes long, as a `Uint8Array` view. */
export function regionOf(c: CarvedBytes, length: number): Uint8Array {
  return c.offset === 0 && c.bytes.byteLength === length ? c.bytes : c.bytes.subarray(c.offset, c.offset + length);
}

/** A private copy of `data` (a carved region for small data, a buffer of its own for large). */
export function copyBytes(data: Uint8Array): Uint8Array {
  const c = carveBytes(data.byteLength);
  c.bytes.set(data, c.offset);
  return regionOf(c, data.byteLength);
}
