import { describe, expect, it } from 'vitest';
import { MAX_CARVED_BYTES, carveBytes, copyBytes, regionOf } from '../src/index.ts';

describe('byte slabs', () => {
  it('carves zero-filled, non-overlapping regions writable through the shared DataView', () => {
    const regions: Uint8Array[] = [];
    for (let i = 0; i < 20_000; i++) { // several slabs
      const n = 1 + (i % 97);
      const c = carveBytes(n);
      const r = regionOf(c, n);
      expect(r.byteLength).toBe(n);
      expect(r.every((b) => b === 0)).toBe(true);
      c.view.setUint8(c.offset, i & 0xff);
      r.fill(i & 0xff, 1);
      regions.push(r);
    }
    regions.forEach((r, i) => expect(r.every((b) => b === (i & 0xff))).toBe(true));
  });

  it('gives a large request a buffer of its own', () => {
    const c = carveBytes(MAX_CARVED_BYTES + 1);
    expect(c.offset).toBe(0);
    expect(c.bytes.byteLength).toBe(MAX_CARVED_BYTES + 1);
    expect(regionOf(c, MAX_CARVED_BYTES + 1)).toBe(c.bytes);
  });

  it('copyBytes returns an independent copy, small or large', () => {
    for (const n of [0, 5, 100, MAX_CARVED_BYTES + 10]) {
      const src = new Uint8Array(n).map((_, i) => i % 251);
      const copy = copyBytes(src);
      expect(copy).toEqual(src);
      if (n > 0) {
        src[0] = 250;
        expect(copy[0]).toBe(0);
      }
    }
  });
});
