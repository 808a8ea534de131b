/**
 * Properties of every float index type under every metric, on random small problems:
 * 1. When its search parameters make it exhaustive (IVF_*: nprobe = nlist; HNSW: ef ≥ n), the index
 *    returns FLAT's answer, with and without a filter bitset, for plain and range searches:
 *    - IVF_FLAT: exactly FLAT's answer (ids, scores, tie order) — same kernels, same arithmetic;
 *    - IVF_SQ8, IVF_PQ: exactly the brute-force answer over the scores the index defines (the
 *      asymmetric distance to the 8-bit codes; the ADC score of the residual codes), computed per
 *      row by `exact-reference.ts`. Comparing with FLAT over decoded vectors could not be exact:
 *      the index evaluates q − vmin − c·step (SQ8) or table sums (PQ) in another order than
 *      q − decode(c), so scores differ in the last bits and ties or window edges could flip;
 *    - HNSW: FLAT's answer up to float32 arithmetic (hnswlib computes distances in float32 and
 *      normalizes COSINE vectors in float32): same hit counts, scores rank by rank within 1e-5,
 *      every hit's exact score within 1e-5 of the reported one. With n ≤ 2M no level-0 neighbour
 *      list ever overflows, links stay symmetric and every row is reachable, so ef ≥ n is exhaustive.
 *      Range windows for HNSW are placed in gaps of the exact scores wider than that tolerance.
 * 2. `serialize → loadIndex → serialize` is byte-identical, and the loaded index answers the same.
 * (FLAT's own exactness against a naive reference is in flat.test.ts; here FLAT is checked against
 * the sorted reference with range windows whose bounds are actual scores, to pin the boundaries.)
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Bitset, buildIndex, loadIndex, resolveRange } from '../src/index.ts';
import type { IndexSearchParams, IndexSpec, IndexType, IvfPqIndex, IvfSq8Index, MetricType, VectorIndex } from '../src/index.ts';
import { allScores, boundBetween, exactScorer, expectSameUpToTol, pqScorer, referenceSearch, sq8Scorer } from './exact-reference.ts';
import type { Scorer } from './exact-reference.ts';

const METRICS: MetricType[] = ['L2', 'IP', 'COSINE'];
const TYPES: IndexType[] = ['FLAT', 'IVF_FLAT', 'IVF_SQ8', 'IVF_PQ', 'HNSW'];
const HNSW_M = 32;
const HNSW_TOL = 1e-5;

/**
 * Small integers and floats (ties, zero vectors and −0 are frequent). HNSW gets values in [−2, 2] on a
 * 1/250 grid: its float32 sums then stay within the tolerance, and no subnormal value meets hnswlib's
 * float32 normalization.
 */
function values(type: IndexType): fc.Arbitrary<number> {
  if (type === 'HNSW') return fc.integer({ min: -500, max: 500 }).map((i) => i / 250);
  return fc.oneof(fc.integer({ min: -4, max: 4 }), fc.float({ min: -100, max: 100, noNaN: true }));
}

/** A random problem for `type`: data, queries, k, build parameters, an optional filter and window. */
function problem(type: IndexType) {
  return fc
    .record({
      dim: fc.integer({ min: 1, max: 10 }), n: fc.integer({ min: 1, max: 2 * HNSW_M - 4 }), nq: fc.integer({ min: 1, max: 3 }),
      k: fc.integer({ min: 1, max: 12 }), nlist: fc.integer({ min: 1, max: 8 }), nbits: fc.integer({ min: 1, max: 3 }), mPick: fc.nat(),
      seed: fc.nat(), window: fc.constantFrom('none', 'radius', 'both'), a: fc.double({ min: 0, max: 1, noNaN: true }), b: fc.double({ min: 0, max: 1, noNaN: true }),
    })
    .chain((p) => {
      const n = type === 'IVF_PQ' ? Math.max(p.n, 1 << p.nbits) : p.n;
      const divisors = Array.from({ length: p.dim }, (_, i) => i + 1).filter((d) => p.dim % d === 0);
      return fc
        .record({
          base: fc.array(values(type), { minLength: n * p.dim, maxLength: n * p.dim }),
          queries: fc.array(values(type), { minLength: p.nq * p.dim, maxLength: p.nq * p.dim }),
          pass: fc.option(fc.array(fc.boolean(), { minLength: n, maxLength: n }), { nil: undefined }),
        })
        .map((data) => ({ ...p, ...data, n, nlist: Math.min(p.nlist, n), m: divisors[p.mPick % divisors.length] }));
    });
}

type Problem = ReturnType<typeof problem> extends fc.Arbitrary<infer T> ? T : never;

function specOf(type: IndexType, metric: MetricType, p: Problem): IndexSpec {
  const params: Record<string, IndexSpec['params']> = {
    FLAT: {}, IVF_FLAT: { nlist: p.nlist }, IVF_SQ8: { nlist: p.nlist }, IVF_PQ: { nlist: p.nlist, m: p.m, nbits: p.nbits },
    HNSW: { M: HNSW_M, efConstruction: 100 },
  };
  return { type, metric, dim: p.dim, params: params[type] };
}

/** Parameters that make a search of `index` exhaustive. */
function exhaustiveParams(index: VectorIndex, p: Problem): IndexSearchParams {
  if (index.spec.type === 'HNSW') return { ef: Math.max(p.n, p.k) };
  return index.spec.type.startsWith('IVF') ? { nprobe: p.nlist } : {};
}

/**
 * A window from two drawn quantiles of the scores: exact types put the bounds on actual reported
 * scores (so the inclusive/exclusive edges are exercised); HNSW puts them in gaps of the exact scores.
 */
function windowOf(type: IndexType, metric: MetricType, p: Problem, scores: number[]): IndexSearchParams {
  if (p.window === 'none') return {};
  const pick = (f: number) => {
    if (type === 'HNSW') return boundBetween(scores, f, HNSW_TOL);
    const sorted = scores.map((s) => Math.fround(s)).sort((x, y) => x - y);
    return sorted[Math.min(sorted.length - 1, Math.floor(f * sorted.length))];
  };
  const x = pick(p.a);
  const y = pick(p.b);
  const [lo, hi] = x < y ? [x, y] : [y, x];
  const radius = metric === 'L2' ? hi : lo;
  if (p.window === 'radius' || lo === hi) return { radius };
  return { radius, range_filter: metric === 'L2' ? lo : hi };
}

function scorerOf(index: VectorIndex, base: Float32Array, queries: Float32Array, p: Problem): Scorer {
  if (index.spec.type === 'IVF_SQ8') return sq8Scorer(index as IvfSq8Index, queries, p.nq);
  if (index.spec.type === 'IVF_PQ') return pqScorer(index as IvfPqIndex, queries, p.nq);
  return exactScorer(index.spec.metric, base, queries, p.dim);
}

describe('exhaustive search returns the exact answer, and index files round-trip', () => {
  for (const type of TYPES) {
    for (const metric of METRICS) {
      it(`${type}/${metric}`, () => {
        fc.assert(
          fc.property(problem(type), (p) => {
            const base = Float32Array.from(p.base);
            const queries = Float32Array.from(p.queries);
            let filter: Bitset | undefined;
            if (p.pass) {
              filter = new Bitset(p.n);
              p.pass.forEach((bit, i) => bit && filter!.set(i));
            }
            const index = buildIndex(specOf(type, metric, p), base, p.n, { seed: p.seed });
            const score = scorerOf(index, base, queries, p);
            const window = windowOf(type, metric, p, allScores(score, p.n, p.nq));
            const params = { ...exhaustiveParams(index, p), ...window };
            const res = index.search(queries, p.nq, p.k, params, filter);
            if (type === 'IVF_FLAT' || type === 'HNSW') {
              const flat = buildIndex({ type: 'FLAT', metric, dim: p.dim, params: {} }, base, p.n, { seed: 0 }).search(queries, p.nq, p.k, window, filter);
              if (type === 'IVF_FLAT') expect(res).toEqual(flat);
              else expectSameUpToTol(res, flat, score, HNSW_TOL, filter);
            } else {
              expect(res).toEqual(referenceSearch(metric, score, p.n, p.nq, p.k, resolveRange(metric, window), filter));
            }
            const bytes = index.serialize();
            const loaded = loadIndex(bytes);
            expect(Buffer.from(loaded.serialize()).equals(Buffer.from(bytes))).toBe(true);
            expect(loaded.search(queries, p.nq, p.k, params, filter)).toEqual(res);
          }),
          { numRuns: type === 'HNSW' ? 40 : 60 },
        );
      });
    }
  }
});
