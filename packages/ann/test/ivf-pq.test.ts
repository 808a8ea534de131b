import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ErrorCode, SeededRandom } from '@shoal/actors';
import { Bitset, buildIndex, IvfPqIndex, loadIndex, validateIndexSpec, validateSearchParams } from '../src/index.ts';
import type { IndexSpec, MetricType } from '../src/index.ts';
import { encodePq, pqTable, trainPq } from '../src/pq.ts';
import { randomVectors, recallAtK } from './helpers.ts';
import { rejects } from './helpers.ts';

const METRICS: MetricType[] = ['L2', 'IP', 'COSINE'];
const DIM = 16;
const N = 2000;
const base = randomVectors(N, DIM, 31);
const queries = randomVectors(40, DIM, 32);
const spec = (metric: MetricType, params: Record<string, unknown>, dim = DIM): IndexSpec => ({ type: 'IVF_PQ', metric, dim, params: params as IndexSpec['params'] });

describe('product quantizer', () => {
  it('encodes each sub-vector as its nearest sub-centroid, and ADC sums the table terms', () => {
    fc.assert(
      fc.property(fc.constantFrom(1, 2, 4), fc.integer({ min: 1, max: 3 }), fc.nat(), (m, nbits, seed) => {
        const dim = 4;
        const n = 40;
        const rows = randomVectors(n, dim, seed);
        const pq = trainPq(rows, n, dim, m, nbits, new SeededRandom(seed));
        const codes = encodePq(pq, rows, n);
        const ks = 1 << nbits;
        const dsub = dim / m;
        const table = new Float64Array(m * ks);
        for (let r = 0; r < n; r++) {
          pqTable(pq, rows, r * dim, true, table);
          let adc = 0;
          for (let j = 0; j < m; j++) {
            const own = table[j * ks + codes[r * m + j]];
            for (let c = 0; c < ks; c++) expect(own).toBeLessThanOrEqual(table[j * ks + c]);
            adc += own;
          }
          // The reconstruction error of row r is the ADC distance of the row to its own code.
          let direct = 0;
          for (let j = 0; j < m; j++) {
            for (let d = 0; d < dsub; d++) direct += (rows[r * dim + j * dsub + d] - pq.codebooks[(j * ks + codes[r * m + j]) * dsub + d]) ** 2;
          }
          expect(adc).toBeCloseTo(direct, 9);
        }
      }),
      { numRuns: 30 },
    );
  });
});

describe('IVF_PQ', () => {
  for (const metric of METRICS) {
    it(`${metric}: with nprobe = nlist reaches high recall@10 against FLAT`, () => {
      const flat = buildIndex({ type: 'FLAT', metric, dim: DIM, params: {} }, base, N, { seed: 0 });
      const truth = flat.search(queries, 40, 10);
      const pq = buildIndex(spec(metric, { nlist: 16, m: 16, nbits: 5 }), base, N, { seed: 3 });
      expect(recallAtK(pq.search(queries, 40, 10, { nprobe: 16 }), truth.ids, 10, 10)).toBeGreaterThanOrEqual(0.85);
    });
  }

  it('filtered search returns only passing rows', () => {
    const pq = buildIndex(spec('IP', { nlist: 8, m: 8, nbits: 4 }), base, N, { seed: 1 });
    const filter = new Bitset(N);
    for (let i = 7; i < N; i += 40) filter.set(i);
    for (const nprobe of [1, 4, 8]) {
      const res = pq.search(queries, 40, 20, { nprobe }, filter);
      for (const id of res.ids) expect(id === -1 || filter.get(id)).toBe(true);
    }
    const all = pq.search(queries, 40, 60, { nprobe: 8 }, filter);
    expect(all.ids.filter((id) => id >= 0).length).toBe(40 * 50);
  });

  it('validates m, nbits, nlist and nprobe, naming the parameter and what is allowed', () => {
    const P = ErrorCode.ParameterInvalid;
    expect(validateIndexSpec(spec('L2', { m: 4 })).params).toEqual({ nlist: 128, m: 4, nbits: 8 });
    expect(validateIndexSpec(spec('L2', { m: 16, nbits: 16, nlist: 65536 })).params).toEqual({ nlist: 65536, m: 16, nbits: 16 });
    rejects(() => validateIndexSpec(spec('L2', {})), P, /IVF_PQ build parameter m is required: the number of sub-quantizers, a divisor of dim=16/);
    rejects(() => validateIndexSpec(spec('L2', { m: 3 })), P, /^IVF_PQ build parameter m=3 does not divide dim=16/);
    rejects(() => validateIndexSpec(spec('L2', { m: 0 })), P, /m=0 is out of range; allowed range \[1, 65536\]/);
    rejects(() => validateIndexSpec(spec('L2', { m: 4, nbits: 17 })), P, /^IVF_PQ build parameter nbits=17 is out of range; allowed range \[1, 16\]$/);
    rejects(() => validateIndexSpec(spec('L2', { m: 4, nbits: 0 })), P, /nbits=0 is out of range/);
    rejects(() => validateIndexSpec(spec('L2', { m: 4, M: 16 })), P, /IVF_PQ build parameter M=16 is not supported; allowed parameters: nlist, m, nbits/);
    rejects(() => validateSearchParams(spec('L2', { m: 4, nlist: 32 }), 10, { nprobe: 33 }), P, /IVF_PQ search \(nlist=32\) parameter nprobe=33 is out of range; allowed range \[1, 32\]/);
    rejects(() => buildIndex(spec('L2', { m: 4, nlist: 4, nbits: 8 }), base, 200, { seed: 1 }), P, /IVF_PQ build needs at least 2\^nbits = 256 rows to train its codebooks \(nbits=8\), got 200 rows/);
  });

  it('holds m bytes and a row id per row beside the centroids and codebooks (no raw vectors)', () => {
    const pq = buildIndex(spec('L2', { nlist: 8, m: 4, nbits: 6 }), base, N, { seed: 2 }) as IvfPqIndex;
    expect(pq.codes).toBeInstanceOf(Uint8Array);
    expect(pq.memoryBytes()).toBe(N * 4 + 64 * DIM * 4 + 8 * DIM * 4 + 9 * 4 + N * 4);
    expect(pq.memoryBytes() * 4).toBeLessThan(N * DIM * 4);
  });

  for (const [metric, nbits] of [['L2', 4], ['IP', 9], ['COSINE', 3]] as const) {
    it(`${metric}, nbits=${nbits}: deterministic, round-trips bit-identically, detects a flipped byte`, () => {
      const rows = base.subarray(0, 600 * 8);
      const s = spec(metric, { nlist: 6, m: 4, nbits }, 8);
      const q = queries.subarray(0, 5 * 8);
      const a = buildIndex(s, rows, 600, { seed: 5 }) as IvfPqIndex;
      expect(a.codes).toBeInstanceOf(nbits > 8 ? Uint16Array : Uint8Array);
      const bytes = a.serialize();
      expect(Buffer.from(buildIndex(s, rows, 600, { seed: 5 }).serialize()).equals(Buffer.from(bytes))).toBe(true);
      const loaded = loadIndex(bytes);
      expect(loaded).toBeInstanceOf(IvfPqIndex);
      expect(Buffer.from(loaded.serialize()).equals(Buffer.from(bytes))).toBe(true);
      expect(loaded.search(q, 5, 10, { nprobe: 3 })).toEqual(a.search(q, 5, 10, { nprobe: 3 }));
      const bad = bytes.slice();
      bad[bytes.length - 7] ^= 0x80;
      rejects(() => loadIndex(bad), ErrorCode.IoFailed, /CRC-32 mismatch/);
    });
  }
});
