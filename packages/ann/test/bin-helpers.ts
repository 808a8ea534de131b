/**
 * Test helpers for binary vectors: random and clustered packed-bit data, and naive references that
 * read one bit at a time (most significant bit of each byte first, as the contract says).
 */
import fc from 'fast-check';
import { Bitset } from '../src/index.ts';
import type { BitsetView, SearchResult } from '../src/index.ts';
import { rng } from './helpers.ts';

/** `n` random vectors of `bytes` bytes each, from `seed`. */
export function randomBits(n: number, bytes: number, seed: number): Uint8Array {
  const r = rng(seed);
  const out = new Uint8Array(n * bytes);
  for (let i = 0; i < out.length; i++) out[i] = Math.floor(r() * 256);
  return out;
}

/**
 * `n` vectors of `bytes` bytes around `clusters` random centres (drawn from `centreSeed`): row i
 * copies centre i % clusters and flips each bit with probability `flip` (drawn from `seed`).
 */
export function clusteredBits(n: number, bytes: number, clusters: number, flip: number, seed: number, centreSeed: number): Uint8Array {
  const r = rng(seed);
  const centres = randomBits(clusters, bytes, centreSeed);
  const out = new Uint8Array(n * bytes);
  for (let i = 0; i < n; i++) {
    const c = i % clusters;
    for (let b = 0; b < bytes; b++) {
      let v = centres[c * bytes + b];
      for (let bit = 0; bit < 8; bit++) if (r() < flip) v ^= 1 << bit;
      out[i * bytes + b] = v;
    }
  }
  return out;
}

/** Bit `i` of the vector of `bytes` bytes at row `row` of `a` (bit i = bit 7 − i % 8 of byte ⌊i/8⌋). */
export function bitAt(a: Uint8Array, row: number, bytes: number, i: number): number {
  return (a[row * bytes + (i >> 3)] >> (7 - (i % 8))) & 1;
}

/** The Milvus distance of row `qa` of `a` and row `rb` of `b`, one bit at a time. */
export function naiveDistance(metric: 'HAMMING' | 'JACCARD', a: Uint8Array, qa: number, b: Uint8Array, rb: number, bytes: number): number {
  let diff = 0;
  let both = 0;
  let either = 0;
  for (let i = 0; i < bytes * 8; i++) {
    const x = bitAt(a, qa, bytes, i);
    const y = bitAt(b, rb, bytes, i);
    if (x !== y) diff++;
    if (x && y) both++;
    if (x || y) either++;
  }
  if (metric === 'HAMMING') return diff;
  return either === 0 ? 0 : Math.fround((either - both) / either);
}

/**
 * Naive exact top-k (a full sort by (distance, id)) of each query over the rows passing `filter` and
 * the window `near <= distance < far`; padded with id −1 and score +Infinity, like `SearchResult`.
 */
export function naiveTopK(metric: 'HAMMING' | 'JACCARD', base: Uint8Array, count: number, bytes: number, queries: Uint8Array, nq: number, k: number, filter?: BitsetView, window?: { near: number; far: number }): SearchResult {
  const ids = new Int32Array(nq * k).fill(-1);
  const scores = new Float32Array(nq * k).fill(Infinity);
  for (let q = 0; q < nq; q++) {
    const hits: { id: number; d: number }[] = [];
    for (let r = 0; r < count; r++) {
      if (filter && !filter.get(r)) continue;
      const d = naiveDistance(metric, queries, q, base, r, bytes);
      if (window && !(d >= window.near && d < window.far)) continue;
      hits.push({ id: r, d });
    }
    hits.sort((x, y) => x.d - y.d || x.id - y.id);
    hits.slice(0, k).forEach((h, i) => {
      ids[q * k + i] = h.id;
      scores[q * k + i] = h.d;
    });
  }
  return { nq, k, ids, scores };
}

/** A binary search problem: few bytes and few distinct byte values, so exact ties are common. */
export const binaryProblem = fc
  .record({ bytes: fc.integer({ min: 1, max: 9 }), n: fc.integer({ min: 1, max: 50 }), nq: fc.integer({ min: 1, max: 3 }), k: fc.integer({ min: 1, max: 12 }) })
  .chain(({ bytes, n, nq, k }) => {
    const byte = fc.oneof(fc.constantFrom(0, 1, 3, 128, 255), fc.integer({ min: 0, max: 255 }));
    return fc.record({
      bytes: fc.constant(bytes),
      n: fc.constant(n),
      nq: fc.constant(nq),
      k: fc.constant(k),
      base: fc.array(byte, { minLength: n * bytes, maxLength: n * bytes }).map((a) => Uint8Array.from(a)),
      queries: fc.array(byte, { minLength: nq * bytes, maxLength: nq * bytes }).map((a) => Uint8Array.from(a)),
      pass: fc.option(fc.array(fc.boolean(), { minLength: n, maxLength: n }), { nil: undefined }),
      seed: fc.nat(),
    });
  });

/** The filter bitset of a problem's `pass` flags. */
export function filterOf(pass: boolean[] | undefined): Bitset | undefined {
  if (pass === undefined) return undefined;
  const f = new Bitset(pass.length);
  pass.forEach((b, i) => b && f.set(i));
  return f;
}
