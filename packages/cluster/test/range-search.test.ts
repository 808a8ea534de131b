import { describe, expect, it } from 'vitest';
import type { MetricType } from '@shoal/ann';
import { testNode, randomVectors } from './helpers.ts';

const dim = 8;
const fields = [
  { name: 'id', dataType: 'Int64' as const, isPrimaryKey: true },
  { name: 'tag', dataType: 'Int32' as const },
  { name: 'v', dataType: 'FloatVector' as const, dim },
];
const vecs = randomVectors(400, dim, 9);

/** Milvus score of query `q` against row `v` (float32 inputs, float64 arithmetic): squared L2 or cosine. */
function score(metric: MetricType, q: number[], v: number[]): number {
  let l2 = 0;
  let dot = 0;
  let qq = 0;
  let vv = 0;
  for (let d = 0; d < dim; d++) {
    const a = Math.fround(q[d]);
    const b = Math.fround(v[d]);
    l2 += (a - b) ** 2;
    dot += a * b;
    qq += a * a;
    vv += b * b;
  }
  return metric === 'L2' ? l2 : dot / Math.sqrt(qq * vv);
}

/** A bound between the scores ranked ⌊f·n⌋ and next (best first), in a gap wide enough that rounding cannot move a row across it. */
function boundAt(metric: MetricType, scores: number[], f: number): number {
  const best = [...scores].sort((a, b) => (metric === 'L2' ? a - b : b - a));
  for (let i = Math.floor(f * best.length); i + 1 < best.length; i++) {
    if (Math.abs(best[i + 1] - best[i]) > 1e-4) return (best[i] + best[i + 1]) / 2;
  }
  throw new Error('no gap');
}

/** Brute-force range answer: rows passing `keep` with score in the window, best first, the first `limit` after `offset`. */
function bruteForce(metric: MetricType, q: number[], radius: number, rangeFilter: number, keep: (i: number) => boolean, limit: number, offset = 0): bigint[] {
  const inside = (s: number) => (metric === 'L2' ? rangeFilter <= s && s < radius : radius < s && s <= rangeFilter);
  return vecs.map((v, i) => ({ i, s: score(metric, q, v) }))
    .filter((x) => keep(x.i) && inside(x.s))
    .sort((a, b) => (metric === 'L2' ? a.s - b.s : b.s - a.s))
    .slice(offset, offset + limit).map((x) => BigInt(x.i));
}

async function waitFor(cond: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 1000 && !(await cond()); i++) await new Promise((r) => setTimeout(r, 10));
  expect(await cond()).toBe(true);
}

describe('range search over growing, sealed and indexed segments', () => {
  const cases = [
    // IVF_FLAT probing every list is exact; the 30-row sealed segment (< nlist) is searched by brute force.
    ['IVF_FLAT', { nlist: 64 }, { nprobe: 64 }],
    // HNSW with 2M ≥ rows per segment and ef ≥ every limit asked reaches every row.
    ['HNSW', { M: 64, efConstruction: 200 }, { ef: 400 }],
  ] as const;
  for (const metric of ['L2', 'COSINE'] as const) {
    for (const [indexType, build, exhaustive] of cases) {
      it(`${indexType}/${metric}: equals brute force over every row in the window (limit, offset, filter, string bounds)`, async () => {
        const { node } = await testNode(undefined, { segmentMaxRows: 100 });
        const s = node.service;
        await s.createCollection({ collectionName: 'c', fields, indexParams: [{ fieldName: 'v', metricType: metric, indexType, params: build }] });
        const rows = (from: number, to: number) => vecs.slice(from, to).map((v, j) => ({ id: BigInt(from + j), tag: (from + j) % 3, v }));
        for (const [from, to] of [[0, 100], [100, 200], [200, 300], [300, 330]]) await s.insert('c', rows(from, to));
        await s.flush('c'); // sealed: three of 100 rows and one of 30
        await waitFor(async () => (await s.describeIndex('c', 'v')).indexState === 'Finished');
        await waitFor(async () => (await s.getLoadState('c')).loadState === 'LoadStateLoaded');
        await s.insert('c', rows(330, 400)); // growing
        expect(await s.describeIndex('c', 'v')).toMatchObject({ totalRows: 330, indexedRows: 330 });

        for (const qi of [17, 250, 365]) {
          const q = vecs[qi].map((x) => x + 0.01);
          const scores = vecs.map((v) => score(metric, q, v));
          const radius = boundAt(metric, scores, 0.3);
          const rangeFilter = boundAt(metric, scores, 0.03); // leaves out the ≈ 12 nearest rows
          const search = (params: Record<string, unknown>, limit: number, extra: { offset?: number; filter?: string } = {}) =>
            s.search({ collectionName: 'c', data: [q], limit, ...extra, consistencyLevel: 'Strong', searchParams: { params: { ...exhaustive, ...params } } });
          const all = () => true;

          const top = await search({ radius, range_filter: rangeFilter }, 10);
          expect(top[0].map((h) => h.id)).toEqual(bruteForce(metric, q, radius, rangeFilter, all, 10));
          for (const h of top[0]) expect(h.distance).toBeCloseTo(score(metric, q, vecs[Number(h.id)]), 5);
          // More than the window holds: every row inside it, best first.
          const whole = await search({ radius, range_filter: rangeFilter }, 400);
          const truth = bruteForce(metric, q, radius, rangeFilter, all, 400);
          expect(truth.length).toBeGreaterThan(50);
          expect(truth.length).toBeLessThan(150);
          expect(whole[0].map((h) => h.id)).toEqual(truth);
          expect(truth.some((id) => id >= 330n)).toBe(true); // growing rows are in the answer
          // radius alone, numeric strings, offset and a filter.
          const noFilter = metric === 'L2' ? -Infinity : Infinity;
          const str = await search({ radius: String(radius) }, 5, { offset: 5, filter: 'tag != 1' });
          expect(str[0].map((h) => h.id)).toEqual(bruteForce(metric, q, radius, noFilter, (i) => i % 3 !== 1, 5, 5));
        }

        const q = vecs[0];
        const wrongOrder = metric === 'L2' ? { radius: 1, range_filter: 2 } : { radius: 0.5, range_filter: 0.2 };
        await expect(s.search({ collectionName: 'c', data: [q], limit: 5, searchParams: { params: wrongOrder } })).rejects.toMatchObject({ code: 1100 });
        await expect(s.search({ collectionName: 'c', data: [q], limit: 5, searchParams: { params: { radius: 'near' } } })).rejects.toMatchObject({ code: 1100, message: expect.stringMatching(/radius="near" is not a finite number/) });
        await expect(s.search({ collectionName: 'c', data: [q], limit: 5, searchParams: { params: { range_filter: 1 } } })).rejects.toMatchObject({ code: 1100, message: expect.stringMatching(/needs radius/) });
        await node.close();
      });
    }
  }
});
