import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '@shoal/actors';
import { Bitset, buildIndex, IvfSq8Index, loadIndex, validateIndexSpec, validateSearchParams } from '../src/index.ts';
import type { IndexSpec, MetricType } from '../src/index.ts';
import { encodeSq8, trainSq8 } from '../src/sq8.ts';
import { randomVectors, recallAtK } from './helpers.ts';
import { rejects } from './helpers.ts';

const METRICS: MetricType[] = ['L2', 'IP', 'COSINE'];
const DIM = 16;
const N = 2000;
const base = randomVectors(N, DIM, 31);
const queries = randomVectors(40, DIM, 32);
const spec = (metric: MetricType, params: Record<string, unknown>): IndexSpec => ({ type: 'IVF_SQ8', metric, dim: DIM, params: params as IndexSpec['params'] });

describe('SQ8 quantizer', () => {
  it('decodes every training value within half a step, and clamps values outside the range', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 30 }), fc.nat(), (dim, n, seed) => {
        const rows = randomVectors(n, dim, seed).map((v) => v * 50);
        const sq = trainSq8(rows, n, dim);
        const codes = new Uint8Array(n * dim);
        for (let r = 0; r < n; r++) encodeSq8(sq, rows, r * dim, codes, r * dim);
        for (let i = 0; i < n * dim; i++) {
          const d = i % dim;
          const decoded = sq.vmin[d] + codes[i] * sq.step[d];
          expect(Math.abs(decoded - rows[i])).toBeLessThanOrEqual(sq.step[d] / 2 + 1e-4 * Math.max(1, Math.abs(rows[i])));
        }
        const outside = new Uint8Array(dim);
        encodeSq8(sq, new Float32Array(dim).fill(1e6), 0, outside, 0);
        expect(Array.from(outside)).toEqual(Array.from(sq.step, (s) => (s > 0 ? 255 : 0)));
      }),
      { numRuns: 50 },
    );
  });
});

describe('IVF_SQ8', () => {
  for (const metric of METRICS) {
    it(`${metric}: with nprobe = nlist reaches high recall@10 against FLAT`, () => {
      const flat = buildIndex({ type: 'FLAT', metric, dim: DIM, params: {} }, base, N, { seed: 0 });
      const truth = flat.search(queries, 40, 10);
      const sq8 = buildIndex(spec(metric, { nlist: 16 }), base, N, { seed: 3 });
      const res = sq8.search(queries, 40, 10, { nprobe: 16 });
      expect(recallAtK(res, truth.ids, 10, 10)).toBeGreaterThanOrEqual(0.95);
      // Scores approximate the exact ones for the rows returned.
      for (let i = 0; i < 40 * 10; i += 13) {
        const near = truth.ids.indexOf(res.ids[i], Math.floor(i / 10) * 10);
        if (near >= 0 && near < Math.floor(i / 10) * 10 + 10) expect(Math.abs(res.scores[i] - truth.scores[near])).toBeLessThan(metric === 'L2' ? 0.05 : 0.02);
      }
    });
  }

  it('filtered search returns only passing rows', () => {
    const sq8 = buildIndex(spec('L2', { nlist: 8 }), base, N, { seed: 1 });
    const filter = new Bitset(N);
    for (let i = 3; i < N; i += 50) filter.set(i);
    for (const nprobe of [1, 3, 8]) {
      const res = sq8.search(queries, 40, 20, { nprobe }, filter);
      for (const id of res.ids) expect(id === -1 || filter.get(id)).toBe(true);
    }
    const all = sq8.search(queries, 40, 50, { nprobe: 8 }, filter);
    expect(all.ids.filter((id) => id >= 0).length).toBe(40 * 40);
  });

  it('validates nlist and nprobe', () => {
    expect(validateIndexSpec(spec('IP', {})).params).toEqual({ nlist: 128 });
    rejects(() => validateIndexSpec(spec('IP', { nlist: 0 })), ErrorCode.ParameterInvalid, /^IVF_SQ8 build parameter nlist=0 is out of range; allowed range \[1, 65536\]$/);
    rejects(() => validateSearchParams(spec('IP', { nlist: 8 }), 10, { nprobe: 9 }), ErrorCode.ParameterInvalid, /IVF_SQ8 search \(nlist=8\) parameter nprobe=9 is out of range; allowed range \[1, 8\]/);
    rejects(() => buildIndex(spec('IP', {}), base, 100, { seed: 1 }), ErrorCode.ParameterInvalid, /IVF_SQ8 build needs at least nlist=128 rows/);
  });

  for (const metric of METRICS) {
    it(`${metric}: deterministic, a quarter of the vectors' memory, round-trips bit-identically, detects a flipped byte`, () => {
      const a = buildIndex(spec(metric, { nlist: 8 }), base, N, { seed: 5 });
      const bytes = a.serialize();
      expect(Buffer.from(buildIndex(spec(metric, { nlist: 8 }), base, N, { seed: 5 }).serialize()).equals(Buffer.from(bytes))).toBe(true);
      expect(a.memoryBytes()).toBe(N * DIM + 2 * DIM * 4 + 8 * DIM * 4 + 9 * 4 + N * 4);
      const loaded = loadIndex(bytes);
      expect(loaded).toBeInstanceOf(IvfSq8Index);
      expect(Buffer.from(loaded.serialize()).equals(Buffer.from(bytes))).toBe(true);
      expect(loaded.search(queries, 40, 10, { nprobe: 2 })).toEqual(a.search(queries, 40, 10, { nprobe: 2 }));
      const bad = bytes.slice();
      bad[bytes.length - 10] ^= 4;
      rejects(() => loadIndex(bad), ErrorCode.IoFailed, /CRC-32 mismatch/);
    });
  }
});
