import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '@shoal/actors';
import { BinFlatIndex, Bitset, buildIndex, isBinaryIndexType, isBinaryMetric, minRowsToBuild, validateIndexSpec, validateSearchParams } from '../src/index.ts';
import type { IndexSpec, MetricType } from '../src/index.ts';
import { binaryProblem, filterOf, naiveTopK, randomBits } from './bin-helpers.ts';
import { rejects } from './helpers.ts';

const METRICS = ['HAMMING', 'JACCARD'] as const;
const P = ErrorCode.ParameterInvalid;

const spec = (metric: MetricType, dim: number): IndexSpec => ({ type: 'BIN_FLAT', metric, dim, params: {} });

describe('BIN_FLAT', () => {
  for (const metric of METRICS) {
    it(`equals a naive exact top-k, ties by smaller id, with and without filter (${metric})`, () => {
      fc.assert(
        fc.property(binaryProblem, (p) => {
          const filter = filterOf(p.pass);
          const index = buildIndex(spec(metric, p.bytes * 8), p.base, p.n, { seed: 0 });
          expect(index.search(p.queries, p.nq, p.k, undefined, filter)).toEqual(naiveTopK(metric, p.base, p.n, p.bytes, p.queries, p.nq, p.k, filter));
        }),
        { numRuns: 150 },
      );
    });
  }

  it('range search returns the best ≤ k rows with range_filter <= distance < radius', () => {
    const windows = fc.oneof(
      fc.record({ metric: fc.constant('HAMMING' as const), radius: fc.integer({ min: 1, max: 40 }), rf: fc.option(fc.integer({ min: -1, max: 39 }), { nil: undefined }) }),
      fc.record({ metric: fc.constant('JACCARD' as const), radius: fc.double({ min: 0.01, max: 1.01, noNaN: true }), rf: fc.option(fc.double({ min: -0.1, max: 1, noNaN: true }), { nil: undefined }) }),
    );
    fc.assert(
      fc.property(binaryProblem, windows, (p, w) => {
        fc.pre(w.rf === undefined || w.rf < w.radius);
        const filter = filterOf(p.pass);
        const index = buildIndex(spec(w.metric, p.bytes * 8), p.base, p.n, { seed: 0 });
        const params = w.rf === undefined ? { radius: w.radius } : { radius: w.radius, range_filter: w.rf };
        const expected = naiveTopK(w.metric, p.base, p.n, p.bytes, p.queries, p.nq, p.k, filter, { near: w.rf ?? -Infinity, far: w.radius });
        expect(index.search(p.queries, p.nq, p.k, params, filter)).toEqual(expected);
      }),
      { numRuns: 200 },
    );
  });

  it('range window edges: radius excluded, range_filter included', () => {
    // Rows at Hamming distance 0, 1, 2, 3, 4 from the zero query.
    const base = Uint8Array.from([0b0000_0000, 0b1000_0000, 0b1100_0000, 0b1110_0000, 0b1111_0000]);
    const index = buildIndex(spec('HAMMING', 8), base, 5, { seed: 0 });
    const q = new Uint8Array(1);
    const res = index.search(q, 1, 5, { radius: 3, range_filter: 1 });
    expect(Array.from(res.ids)).toEqual([1, 2, -1, -1, -1]);
    expect(Array.from(res.scores)).toEqual([1, 2, Infinity, Infinity, Infinity]);
    rejects(() => index.search(q, 1, 5, { radius: 2, range_filter: 2 }), P, /range_filter=2 must be less than radius=2 for metric HAMMING/);
    rejects(() => validateSearchParams(spec('JACCARD', 8), 3, { range_filter: 0.5 }), P, /range_filter=0.5 needs radius/);
  });

  it('JACCARD scores are float32 in [0, 1]; two all-zero vectors are at distance 0', () => {
    const base = Uint8Array.from([0, 0, 0xff, 0, 0xf0, 0x0f]);
    const index = buildIndex(spec('JACCARD', 16), base, 3, { seed: 0 });
    const res = index.search(Uint8Array.from([0, 0, 0xff, 0xff]), 2, 3);
    expect(Array.from(res.ids)).toEqual([0, 1, 2, 1, 2, 0]);
    expect(Array.from(res.scores)).toEqual([0, 1, 1, Math.fround(0.5), Math.fround(0.5), 1]);
  });

  it('keeps aligned rows by reference and reports its memory', () => {
    const base = randomBits(10, 16, 1);
    const index = buildIndex(spec('JACCARD', 128), base, 10, { seed: 0 }) as BinFlatIndex;
    expect(index.rows.data.buffer).toBe(base.buffer);
    expect(index.memoryBytes()).toBe(10 * 16 + 10 * 4);
    const odd = buildIndex(spec('HAMMING', 24), randomBits(10, 3, 2), 10, { seed: 0 }) as BinFlatIndex;
    expect(odd.memoryBytes()).toBe(10 * 4);
    expect(minRowsToBuild(validateIndexSpec(spec('HAMMING', 8)))).toBe(0);
  });

  it('classifies metrics and index types by vector kind', () => {
    expect(METRICS.every(isBinaryMetric)).toBe(true);
    expect((['L2', 'IP', 'COSINE'] as const).some(isBinaryMetric)).toBe(false);
    expect(isBinaryIndexType('BIN_FLAT') && isBinaryIndexType('BIN_IVF_FLAT')).toBe(true);
    expect((['FLAT', 'HNSW', 'IVF_FLAT', 'IVF_SQ8', 'IVF_PQ'] as const).some(isBinaryIndexType)).toBe(false);
  });

  it('rejects metrics of the other vector kind, naming the metric, the index type and the allowed metrics', () => {
    rejects(() => validateIndexSpec(spec('L2', 64)), P, /metric_type="L2" is not supported for binary vectors; allowed: HAMMING, JACCARD for index_type=BIN_FLAT/);
    rejects(() => validateIndexSpec({ type: 'BIN_IVF_FLAT', metric: 'COSINE', dim: 64, params: {} }), P, /metric_type="COSINE" .* allowed: HAMMING, JACCARD for index_type=BIN_IVF_FLAT/);
    rejects(() => validateIndexSpec({ type: 'FLAT', metric: 'JACCARD', dim: 64, params: {} }), P, /metric_type="JACCARD" is not supported for float vectors; allowed: L2, IP, COSINE for index_type=FLAT/);
    rejects(() => validateIndexSpec({ type: 'IVF_FLAT', metric: 'HAMMING', dim: 64, params: {} }), P, /allowed: L2, IP, COSINE for index_type=IVF_FLAT/);
    rejects(() => validateIndexSpec(spec('SUBSTRUCTURE' as MetricType, 64)), ErrorCode.IndexNotSupported, /metric_type="SUBSTRUCTURE" is not supported yet by Shoal; allowed for binary vectors: HAMMING, JACCARD/);
    rejects(() => validateIndexSpec({ type: 'FLAT', metric: 'SUPERSTRUCTURE' as MetricType, dim: 64, params: {} }), P, /not supported for float vectors/);
  });

  it('rejects a binary dim that is not a multiple of 8 in [8, 32768], naming the dim and the rule', () => {
    for (const dim of [0, 4, 12, 32776, 8.5, '64']) {
      rejects(() => validateIndexSpec(spec('HAMMING', dim as number)), P, /BIN_FLAT index parameter dim=.* is invalid: a binary vector's dim counts bits; allowed a multiple of 8 in \[8, 32768\]/);
    }
    expect(validateIndexSpec(spec('HAMMING', 32768)).dim).toBe(32768);
    expect(validateIndexSpec(spec('JACCARD', 8)).dim).toBe(8);
    rejects(() => validateIndexSpec({ ...spec('HAMMING', 64), params: { nlist: 4 } as IndexSpec['params'] }), P, /BIN_FLAT build parameter nlist=4 is not supported; allowed parameters: none/);
  });

  it('rejects vectors of the other kind and wrong lengths with ParameterInvalid', () => {
    const base = randomBits(4, 8, 3);
    const index = buildIndex(spec('HAMMING', 64), base, 4, { seed: 0 });
    rejects(() => index.search(new Float32Array(64), 1, 1), P, /BIN_FLAT index expects binary query vectors \(Uint8Array of nq × dim\/8 bytes\), got Float32Array/);
    rejects(() => index.search(new Uint8Array(9), 1, 1), P, /search vectors hold 9 bytes, expected nq × dim\/8 = 1 × 8 = 8 \(dim=64 bits\)/);
    rejects(() => index.search(new Uint8Array(8), 1, 0), P, /topk=0 is out of range/);
    rejects(() => buildIndex(spec('HAMMING', 64), new Float32Array(32), 4, { seed: 0 }), P, /BIN_FLAT index expects binary build vectors \(Uint8Array of count × dim\/8 bytes\), got Float32Array/);
    rejects(() => buildIndex(spec('HAMMING', 64), base, 5, { seed: 0 }), P, /build vectors hold 32 bytes, fewer than count × dim\/8 = 5 × 8/);
    const flat = buildIndex({ type: 'FLAT', metric: 'L2', dim: 2, params: {} }, new Float32Array(4), 2, { seed: 0 });
    rejects(() => flat.search(new Uint8Array(2), 1, 1), P, /float index expects float query vectors \(Float32Array of nq × dim floats\), got Uint8Array/);
    rejects(() => buildIndex({ type: 'HNSW', metric: 'L2', dim: 2, params: {} }, new Uint8Array(4), 2, { seed: 0 }), P, /HNSW index expects float build vectors \(Float32Array of count × dim floats\), got Uint8Array/);
    expect(() => index.search(new Uint8Array(8), 1, 1, undefined, new Bitset(3))).toThrow(RangeError);
  });
});

describe('BIN_FLAT JACCARD range window on the reported float32 score', () => {
  it('a score equal to radius is out and one equal to range_filter is in, as for the float types', () => {
    // Query 11100000 against row 10000000: 1 − 1/3, whose float32 lies above the float64 value.
    const rows = new Uint8Array([0b10000000, 0b11100000]);
    const index = buildIndex({ type: 'BIN_FLAT', metric: 'JACCARD', dim: 8, params: {} }, rows, 2, { seed: 0 });
    const query = new Uint8Array([0b11100000]);
    const score = Math.fround(1 - 1 / 3);
    expect(score).toBeGreaterThan(1 - 1 / 3);
    const plain = index.search(query, 1, 2);
    expect(Array.from(plain.ids)).toEqual([1, 0]);
    expect(plain.scores[1]).toBe(score);
    expect(Array.from(index.search(query, 1, 2, { radius: score }).ids)).toEqual([1, -1]);
    expect(Array.from(index.search(query, 1, 2, { radius: 1, range_filter: score }).ids)).toEqual([0, -1]);
  });
});
