/**
 * The hybrid search rerankers (rerank.ts) against Milvus's definitions: RRF Σ 1/(k + rank) with
 * rank from 1; weighted Σ w·n(score) with Milvus's normalizations (util.go `getNormalizeFunc`);
 * order and tie-breaking as Milvus's `newIDScores`; parameter errors.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { fuse, normalizeScore, parseRanker } from '../src/rerank.ts';

describe('parseRanker', () => {
  it('defaults to RRF k = 60 and reads numeric strings', () => {
    expect(parseRanker(undefined, 3)).toEqual({ strategy: 'rrf', k: 60 });
    expect(parseRanker({ strategy: 'RRF', params: {} }, 1)).toEqual({ strategy: 'rrf', k: 60 });
    expect(parseRanker({ strategy: 'rrf', params: { k: '10' } }, 1)).toEqual({ strategy: 'rrf', k: 10 });
    expect(parseRanker({ strategy: 'weighted', params: { weights: ['0.5', 1], norm_score: 'true' } }, 2)).toEqual({ strategy: 'weighted', weights: [0.5, 1], normScore: true });
  });

  it('refuses k outside (0, 16384), bad weights, a wrong weight count and unknown strategies', () => {
    for (const k of [0, -1, 16384, 'x', null]) expect(() => parseRanker({ strategy: 'rrf', params: { k } }, 1), String(k)).toThrow(/\(0, 16384\)/);
    expect(() => parseRanker({ strategy: 'weighted', params: { weights: [0.1] } }, 2)).toThrow(/2 search requests, 1 weights/);
    expect(() => parseRanker({ strategy: 'weighted', params: { weights: [-0.1, 1] } }, 2)).toThrow(/weights\[0\] must be a number in \[0, 1\]/);
    expect(() => parseRanker({ strategy: 'weighted', params: {} }, 2)).toThrow(/must be an array/);
    expect(() => parseRanker({ strategy: 'weighted', params: { weights: [1], norm_score: 3 } }, 1)).toThrow(/norm_score must be true or false/);
    expect(() => parseRanker({ strategy: 'decay' }, 1)).toThrow(/"decay" is not supported; allowed: rrf, weighted/);
    expect(() => parseRanker({ strategy: 'rrf', params: { k: 60, weights: [1, 1] } }, 2)).toThrow(/weights for the rrf ranker .*not supported yet/);
  });
});

describe('normalizeScore', () => {
  it('follows Milvus getNormalizeFunc', () => {
    expect(normalizeScore('COSINE', 0.5, true, false)).toBeCloseTo(0.75, 12);
    expect(normalizeScore('IP', 1, true, false)).toBeCloseTo(0.75, 12); // 1/2 + atan(1)/π
    expect(normalizeScore('L2', 1, true, false)).toBeCloseTo(0.5, 12); // 1 − 2·atan(1)/π
    expect(normalizeScore('HAMMING', 0, true, false)).toBe(1);
    expect(normalizeScore('L2', 3, false, false)).toBe(3);
    expect(normalizeScore('IP', 3, false, true)).toBe(3);
    expect(normalizeScore('L2', 1, false, true)).toBeCloseTo(0.5, 12);
  });

  it('maps every score into [0, 1], larger better, when normalizing', () => {
    fc.assert(fc.property(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.double({ min: -1e6, max: 1e6, noNaN: true }), (a, b) => {
      for (const m of ['IP', 'L2', 'COSINE'] as const) {
        const [x, y] = m === 'COSINE' ? [Math.tanh(a), Math.tanh(b)] : m === 'L2' ? [Math.abs(a), Math.abs(b)] : [a, b];
        const nx = normalizeScore(m, x, true, false);
        expect(nx).toBeGreaterThanOrEqual(0);
        expect(nx).toBeLessThanOrEqual(1);
        const better = m === 'L2' ? x < y : x > y;
        if (better) expect(nx).toBeGreaterThanOrEqual(normalizeScore(m, y, true, false));
      }
    }));
  });
});

describe('fuse', () => {
  it('RRF: Σ 1/(k + rank), rank from 1, ties by ascending primary key', () => {
    const out = fuse({ strategy: 'rrf', k: 10 }, [[{ id: 5n, distance: 0.1 }, { id: 7n, distance: 0.2 }], [{ id: 7n, distance: 9 }, { id: 3n, distance: 8 }]], ['L2', 'IP']);
    expect(out).toEqual([{ id: 7n, distance: 1 / 12 + 1 / 11 }, { id: 5n, distance: 1 / 11 }, { id: 3n, distance: 1 / 12 }]);
    const ties = fuse({ strategy: 'rrf', k: 60 }, [[{ id: 'b', distance: 1 }], [{ id: 'a', distance: 1 }]], ['L2', 'L2']);
    expect(ties.map((h) => h.id)).toEqual(['a', 'b']);
  });

  it('weighted: Σ w·n(score); distances only without normalization keep smaller first', () => {
    const lists = [[{ id: 1n, distance: 1 }, { id: 2n, distance: 2 }], [{ id: 2n, distance: 0.5 }]];
    const raw = fuse({ strategy: 'weighted', weights: [1, 0.5], normScore: false }, lists, ['L2', 'L2']);
    expect(raw).toEqual([{ id: 1n, distance: 1 }, { id: 2n, distance: 2.25 }]);
    const normed = fuse({ strategy: 'weighted', weights: [1, 0.5], normScore: true }, lists, ['L2', 'L2']);
    const n = (d: number) => 1 - (2 * Math.atan(d)) / Math.PI;
    expect(normed.map((h) => h.id)).toEqual([2n, 1n]);
    expect(normed[0].distance).toBeCloseTo(n(2) + 0.5 * n(0.5), 12);
    const mixed = fuse({ strategy: 'weighted', weights: [1, 1], normScore: false }, [[{ id: 1n, distance: 1 }], [{ id: 2n, distance: 0.9 }]], ['L2', 'IP']);
    expect(mixed).toEqual([{ id: 2n, distance: 0.9 }, { id: 1n, distance: n(1) }]);
  });
});
