/**
 * Test helpers for binary vectors: random and clustered packed-bit data, and naive references that
 * read one bit at a time (most significant bit of each byte first, as the contract says).
 */
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
 * `n` vectors of `bytes` bytes around `clusters` random centres: row i copies centre i % clusters
 * and flips each bit with probability `flip`.
 */
export function clusteredBits(n: number, bytes: number, clusters: number, flip: number, seed: number): Uint8Array {
  const r = rng(seed);
  const centres = randomBits(clusters, bytes, seed + 1);
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
