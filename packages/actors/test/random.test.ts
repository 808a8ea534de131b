import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../src/index.ts';

describe('SeededRandom', () => {
  it('matches the reference xoshiro128** output (state 1, 2, 3, 4)', () => {
    // Output of https://prng.di.unimi.it/xoshiro128starstar.c compiled with gcc.
    const r = SeededRandom.fromState([1, 2, 3, 4]);
    const got = Array.from({ length: 8 }, () => r.nextU32());
    expect(got).toEqual([11520, 0, 5927040, 70819200, 2031721883, 1637235492, 1287239034, 3734860849]);
  });

  it('seeds through SplitMix64 like the reference (seed 42)', () => {
    // Reference: state words = low/high halves of two SplitMix64 outputs from x = 42.
    const r = new SeededRandom(42);
    expect(Array.from({ length: 5 }, () => r.nextU32())).toEqual([1776835114, 4165204688, 17111135, 2317295270, 2792088233]);
  });

  it('gives the same sequence for the same seed and different ones for different seeds', () => {
    fc.assert(
      fc.property(fc.oneof(fc.integer(), fc.string()), (seed) => {
        const a = new SeededRandom(seed);
        const b = new SeededRandom(seed);
        const xs = Array.from({ length: 16 }, () => a.nextU32());
        expect(Array.from({ length: 16 }, () => b.nextU32())).toEqual(xs);
      }),
    );
    const seqs = new Set(['a', 'b', 0, 1, -1, 'seed'].map((s) => new SeededRandom(s).nextU32()));
    expect(seqs.size).toBe(6);
  });

  it('keeps next() in [0, 1) and int(n) in [0, n)', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 1, max: 2 ** 53 }), (seed, n) => {
        const r = new SeededRandom(seed);
        for (let i = 0; i < 20; i++) {
          const x = r.next();
          expect(x >= 0 && x < 1).toBe(true);
          const k = r.int(n);
          expect(Number.isInteger(k) && k >= 0 && k < n).toBe(true);
        }
      }),
    );
  });

  it('int(n) is unbiased: every value of [0, 3) equally often, also for n not a power of two', () => {
    // With modulo bias, int(3 * 2^30) would favour the lowest 2^30 values by a third.
    const r = new SeededRandom(5);
    const n = 3 * 2 ** 30;
    const counts = [0, 0, 0];
    const draws = 60_000;
    for (let i = 0; i < draws; i++) counts[Math.floor(r.int(n) / 2 ** 30)]++;
    for (const c of counts) expect(Math.abs(c - draws / 3)).toBeLessThan(draws * 0.02);
  });

  it('bytes(n) returns n bytes, little-endian words of the sequence', () => {
    const a = new SeededRandom(9);
    const b = new SeededRandom(9);
    const bytes = a.bytes(7);
    expect(bytes.length).toBe(7);
    const w0 = b.nextU32();
    const w1 = b.nextU32();
    expect([...bytes]).toEqual([w0 & 255, (w0 >>> 8) & 255, (w0 >>> 16) & 255, w0 >>> 24, w1 & 255, (w1 >>> 8) & 255, (w1 >>> 16) & 255]);
    expect(a.bytes(0).length).toBe(0);
  });

  it('rejects bad arguments', () => {
    const r = new SeededRandom(1);
    expect(() => r.int(0)).toThrow(RangeError);
    expect(() => r.int(1.5)).toThrow(RangeError);
    expect(() => r.int(2 ** 53 + 2)).toThrow(RangeError);
    expect(() => r.bytes(-1)).toThrow(RangeError);
    expect(() => new SeededRandom(0.5)).toThrow(RangeError);
    expect(() => SeededRandom.fromState([0, 0, 0, 0])).toThrow(RangeError);
  });
});
