import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { andCountWords, hammingWords, jaccardFromCounts, packRows, popcountWords, wordsPerRow } from '../src/index.ts';
import { popcount32, rowPopcounts } from '../src/binary-distance.ts';
import { bitAt, naiveDistance } from './bin-helpers.ts';

/** Two blocks of `rows` vectors of `bytes` bytes, optionally placed at an odd byte offset (unaligned). */
const blocks = fc
  .record({ bytes: fc.integer({ min: 1, max: 40 }), rows: fc.integer({ min: 1, max: 4 }), shift: fc.integer({ min: 0, max: 3 }) })
  .chain(({ bytes, rows, shift }) =>
    fc.record({
      bytes: fc.constant(bytes),
      rows: fc.constant(rows),
      shift: fc.constant(shift),
      a: fc.uint8Array({ minLength: rows * bytes, maxLength: rows * bytes }),
      // Sparse and dense rows too, so that all-zero vectors and near-equal ones occur.
      b: fc.oneof(fc.uint8Array({ minLength: rows * bytes, maxLength: rows * bytes }), fc.constant(new Uint8Array(rows * bytes)), fc.constant(new Uint8Array(rows * bytes).fill(255))),
    }),
  );

/** `data` copied into a fresh buffer at byte offset `shift` (so shift ≠ 0 is not 4-byte aligned). */
function at(data: Uint8Array, shift: number): Uint8Array {
  const buf = new Uint8Array(data.length + shift);
  buf.set(data, shift);
  return buf.subarray(shift);
}

describe('binary distance kernels', () => {
  it('popcount32 counts the set bits of any 32-bit value', () => {
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 31), max: 2 ** 32 - 1 }), (v) => {
        let naive = 0;
        for (let i = 0; i < 32; i++) naive += (v >>> i) & 1;
        expect(popcount32(v)).toBe(naive);
      }),
      { numRuns: 500 },
    );
  });

  it('Hamming, |a∧b|, popcounts and Jaccard over packed rows equal a bit-by-bit reference, aligned or not', () => {
    fc.assert(
      fc.property(blocks, ({ bytes, rows, shift, a, b }) => {
        const pa = packRows(at(a, shift), rows, bytes);
        const pb = packRows(at(b, 0), rows, bytes);
        const words = wordsPerRow(bytes);
        expect(pa.length).toBe(rows * words);
        const popsA = rowPopcounts(pa, rows, words);
        for (let x = 0; x < rows; x++) {
          let ones = 0;
          for (let i = 0; i < bytes * 8; i++) ones += bitAt(a, x, bytes, i);
          expect(popcountWords(pa, x * words, words)).toBe(ones);
          expect(popsA[x]).toBe(ones);
          for (let y = 0; y < rows; y++) {
            expect(hammingWords(pa, x * words, pb, y * words, words)).toBe(naiveDistance('HAMMING', a, x, b, y, bytes));
            let both = 0;
            for (let i = 0; i < bytes * 8; i++) both += bitAt(a, x, bytes, i) & bitAt(b, y, bytes, i);
            const inter = andCountWords(pa, x * words, pb, y * words, words);
            expect(inter).toBe(both);
            const jac = jaccardFromCounts(inter, popcountWords(pa, x * words, words), popcountWords(pb, y * words, words));
            expect(jac).toBe(naiveDistance('JACCARD', a, x, b, y, bytes));
          }
        }
      }),
      { numRuns: 300 },
    );
  });

  it('views aligned rows of a multiple of 4 bytes in place and copies the others zero-padded', () => {
    const data = new Uint8Array(64).map((_, i) => i * 37);
    const view = packRows(data.subarray(0, 32), 2, 16);
    expect(view.buffer).toBe(data.buffer);
    const unaligned = packRows(data.subarray(1, 33), 2, 16);
    expect(unaligned.buffer).not.toBe(data.buffer);
    expect(new Uint8Array(unaligned.buffer)).toEqual(data.subarray(1, 33));
    const padded = packRows(data.subarray(0, 6), 2, 3);
    expect(Array.from(new Uint8Array(padded.buffer))).toEqual([0, 37, 74, 0, 111, 148, 185, 0]);
  });

  it('Jaccard of two all-zero vectors is 0, of disjoint non-zero vectors 1', () => {
    expect(jaccardFromCounts(0, 0, 0)).toBe(0);
    expect(jaccardFromCounts(0, 3, 5)).toBe(1);
    expect(jaccardFromCounts(2, 2, 2)).toBe(0);
    expect(jaccardFromCounts(1, 2, 3)).toBe(Math.fround(3 / 4));
  });
});
