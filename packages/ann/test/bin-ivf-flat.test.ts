import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '@shoal/actors';
import { BinIvfFlatIndex, Bitset, buildIndex, minRowsToBuild, validateIndexSpec, validateSearchParams } from '../src/index.ts';
import type { IndexSpec, MetricType } from '../src/index.ts';
import { binaryProblem, clusteredBits, filterOf, naiveTopK, randomBits } from './bin-helpers.ts';
import { recallAtK, rejects } from './helpers.ts';

const P = ErrorCode.ParameterInvalid;
const spec = (metric: MetricType, params: Record<string, unknown>, dim = 64): IndexSpec => ({ type: 'BIN_IVF_FLAT', metric, dim, params: params as IndexSpec['params'] });

describe('BIN_IVF_FLAT', () => {
  for (const metric of ['HAMMING', 'JACCARD'] as const) {
    it(`with nprobe = nlist returns exactly BIN_FLAT's answer, filtered, ranged or not (${metric})`, () => {
      const problem = fc.record({ p: binaryProblem, nlist: fc.integer({ min: 1, max: 8 }), radius: fc.option(fc.integer({ min: 1, max: 40 }), { nil: undefined }) });
      fc.assert(
        fc.property(problem, ({ p, nlist: wanted, radius }) => {
          const nlist = Math.min(wanted, p.n);
          const filter = filterOf(p.pass);
          const dim = p.bytes * 8;
          // JACCARD distances lie in [0, 1]: scale the window there.
          const params = radius === undefined ? {} : { radius: metric === 'HAMMING' ? radius : radius / 40 };
          const flat = buildIndex({ type: 'BIN_FLAT', metric, dim, params: {} }, p.base, p.n, { seed: 0 });
          const ivf = buildIndex(spec(metric, { nlist }, dim), p.base, p.n, { seed: p.seed });
          expect(ivf.search(p.queries, p.nq, p.k, { ...params, nprobe: nlist }, filter)).toEqual(flat.search(p.queries, p.nq, p.k, params, filter));
        }),
        { numRuns: 120 },
      );
    });
  }

  it('reaches good recall at the default nprobe on clustered data, and more with more probes', () => {
    const bytes = 16;
    const n = 2000;
    const base = clusteredBits(n, bytes, 40, 0.2, 7, 1);
    const queries = clusteredBits(50, bytes, 40, 0.2, 8, 1);
    for (const metric of ['HAMMING', 'JACCARD'] as const) {
      const flat = buildIndex({ type: 'BIN_FLAT', metric, dim: bytes * 8, params: {} }, base, n, { seed: 0 });
      const truth = flat.search(queries, 50, 10);
      const ivf = buildIndex(spec(metric, { nlist: 32 }, bytes * 8), base, n, { seed: 3 });
      const r1 = recallAtK(ivf.search(queries, 50, 10, { nprobe: 1 }), truth.ids, 10, 10);
      const r8 = recallAtK(ivf.search(queries, 50, 10), truth.ids, 10, 10);
      expect(r1).toBeGreaterThan(0.5);
      expect(r8).toBeGreaterThan(0.95);
      expect(r8).toBeGreaterThanOrEqual(r1);
    }
  });

  it('filtered search returns only passing rows, best first, padding with −1', () => {
    const base = randomBits(500, 8, 5);
    const queries = randomBits(4, 8, 6);
    const ivf = buildIndex(spec('JACCARD', { nlist: 10 }), base, 500, { seed: 1 });
    const filter = new Bitset(500);
    for (let i = 0; i < 500; i += 97) filter.set(i);
    const res = ivf.search(queries, 4, 10, { nprobe: 10 }, filter);
    expect(res).toEqual(naiveTopK('JACCARD', base, 500, 8, queries, 4, 10, filter));
    expect(Array.from(res.ids.subarray(6, 10))).toEqual([-1, -1, -1, -1]);
  });

  it('is deterministic for a seed, needs nlist rows, and accounts its memory', () => {
    const base = randomBits(300, 3, 8);
    const s = spec('HAMMING', { nlist: 16 }, 24);
    const a = buildIndex(s, base, 300, { seed: 9 }) as BinIvfFlatIndex;
    const b = buildIndex(s, base, 300, { seed: 9 });
    expect(Buffer.from(a.serialize()).equals(Buffer.from(b.serialize()))).toBe(true);
    // 24-bit rows take one 32-bit word each; centroids one word each; offsets and row ids 4 bytes.
    expect(a.memoryBytes()).toBe(300 * 4 + 16 * 4 + 17 * 4 + 300 * 4);
    expect(a.lists.offsets[16]).toBe(300);
    const jac = buildIndex(spec('JACCARD', { nlist: 16 }, 24), base, 300, { seed: 9 });
    expect(jac.memoryBytes()).toBe(a.memoryBytes() + 300 * 4);
    expect(minRowsToBuild(validateIndexSpec(s))).toBe(16);
    expect(minRowsToBuild(validateIndexSpec(spec('HAMMING', {})))).toBe(128);
    rejects(() => buildIndex(s, base, 15, { seed: 1 }), P, /BIN_IVF_FLAT build needs at least nlist=16 rows to train its coarse quantizer, got 15 rows/);
  });

  it('validates nlist, nprobe and the query kind, naming the parameter and the allowed range', () => {
    expect(validateIndexSpec(spec('HAMMING', {})).params).toEqual({ nlist: 128 });
    rejects(() => validateIndexSpec(spec('HAMMING', { nlist: 0 })), P, /BIN_IVF_FLAT build parameter nlist=0 is out of range; allowed range \[1, 65536\]/);
    rejects(() => validateIndexSpec(spec('HAMMING', { nlist: 8, m: 2 })), P, /BIN_IVF_FLAT build parameter m=2 is not supported; allowed parameters: nlist/);
    rejects(() => validateSearchParams(spec('HAMMING', { nlist: 8 }), 10, { nprobe: 9 }), P, /BIN_IVF_FLAT search \(nlist=8\) parameter nprobe=9 is out of range; allowed range \[1, 8\]/);
    rejects(() => validateSearchParams(spec('JACCARD', { nlist: 8 }), 10, { radius: 0.2, range_filter: 0.5 }), P, /range_filter=0.5 must be less than radius=0.2 for metric JACCARD/);
    validateSearchParams(spec('JACCARD', { nlist: 8 }), 10, { nprobe: 8, radius: 0.5, range_filter: 0.2, ef: 5 });
    const ivf = buildIndex(spec('HAMMING', { nlist: 4 }), randomBits(20, 8, 1), 20, { seed: 0 });
    rejects(() => ivf.search(new Uint8Array(8), 1, 1, { nprobe: 5 }), P, /nprobe=5 is out of range; allowed range \[1, 4\]/);
    rejects(() => ivf.search(new Float32Array(64), 1, 1), P, /BIN_IVF_FLAT index expects binary query vectors \(Uint8Array of nq × dim\/8 bytes\), got Float32Array/);
  });
});
