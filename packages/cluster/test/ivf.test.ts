import { describe, expect, it } from 'vitest';
import { testNode, randomVectors } from './helpers.ts';

const dim = 8;
const fields = [
  { name: 'id', dataType: 'Int64' as const, isPrimaryKey: true },
  { name: 'tag', dataType: 'Int32' as const },
  { name: 'v', dataType: 'FloatVector' as const, dim },
];
const vecs = randomVectors(330, dim, 5);

function exactTop(q: number[], k: number, keep: (i: number) => boolean): bigint[] {
  return vecs.map((v, i) => ({ i, d: v.reduce((a, x, j) => a + (Math.fround(x) - Math.fround(q[j])) ** 2, 0) }))
    .filter((x) => keep(x.i)).sort((a, b) => a.d - b.d || a.i - b.i).slice(0, k).map((x) => BigInt(x.i));
}

async function waitFor(cond: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 1000 && !(await cond()); i++) await new Promise((r) => setTimeout(r, 10));
  expect(await cond()).toBe(true);
}

describe('IVF indexes on collections', () => {
  for (const [indexType, params] of [['IVF_FLAT', { nlist: 64 }], ['IVF_SQ8', { nlist: 64 }], ['IVF_PQ', { nlist: 4, m: 4, nbits: 6 }]] as const) {
    it(`${indexType}: segments too small to train are searched exactly; nprobe = nlist gives FLAT's answer (IVF_FLAT)`, async () => {
      const { node } = await testNode(undefined, { segmentMaxRows: 100 });
      const s = node.service;
      await s.createCollection({ collectionName: 'c', fields, indexParams: [{ fieldName: 'v', metricType: 'L2', indexType, params }] });
      for (const [from, to] of [[0, 100], [100, 200], [200, 300], [300, 330]]) {
        await s.insert('c', vecs.slice(from, to).map((v, j) => ({ id: BigInt(from + j), tag: (from + j) % 3, v })));
      }
      await s.flush('c'); // three sealed segments of 100 rows (indexed) and one of 30 (< 64 rows: brute force)
      await waitFor(async () => (await s.describeIndex('c', 'v')).indexState === 'Finished');
      expect(await s.describeIndex('c', 'v')).toMatchObject({ indexType, totalRows: 330, indexedRows: 330, pendingIndexRows: 0 });
      await waitFor(async () => (await s.getLoadState('c')).loadState === 'LoadStateLoaded');
      const q = vecs[17];
      const hits = await s.search({ collectionName: 'c', data: [q], limit: 10, filter: 'tag != 1', searchParams: { params: { nprobe: params.nlist } } });
      const truth = exactTop(q, 10, (i) => i % 3 !== 1);
      if (indexType === 'IVF_FLAT') expect(hits[0].map((h) => h.id)).toEqual(truth);
      else expect(hits[0].filter((h) => truth.includes(h.id as bigint)).length).toBeGreaterThanOrEqual(7);
      expect(hits[0].every((h) => Number(h.id) % 3 !== 1)).toBe(true);
      // A row of the 30-row segment is found exactly even when only one list is probed.
      const own = await s.search({ collectionName: 'c', data: [vecs[320]], limit: 1, searchParams: { params: { nprobe: 1 } } });
      expect(own[0][0]).toMatchObject({ id: 320n, distance: 0 });
      await expect(s.search({ collectionName: 'c', data: [q], limit: 10, searchParams: { params: { nprobe: params.nlist + 1 } } })).rejects.toMatchObject({ code: 1100 });
      await node.close();
    });
  }
});

describe('filtered search planner', () => {
  it('answers a selective filter exactly (planner) even where the index alone would miss', async () => {
    const { node } = await testNode();
    const s = node.service;
    const many = randomVectors(2000, dim, 11);
    await s.createCollection({ collectionName: 'f', fields, indexParams: [{ fieldName: 'v', metricType: 'L2', indexType: 'IVF_FLAT', params: { nlist: 64 } }] });
    await s.insert('f', many.map((v, i) => ({ id: BigInt(i), tag: i % 100, v })));
    await s.flush('f');
    await waitFor(async () => (await s.getLoadState('f')).loadState === 'LoadStateLoaded');
    for (let qi = 0; qi < 10; qi++) {
      const q = many[qi * 37];
      const hits = await s.search({ collectionName: 'f', data: [q], limit: 10, filter: 'tag == 7', searchParams: { params: { nprobe: 1 } } });
      const truth = many.map((v, i) => ({ i, d: v.reduce((a, x, j) => a + (Math.fround(x) - Math.fround(q[j])) ** 2, 0) }))
        .filter((x) => x.i % 100 === 7).sort((a, b) => a.d - b.d || a.i - b.i).slice(0, 10).map((x) => BigInt(x.i));
      expect(hits[0].map((h) => h.id)).toEqual(truth);
    }
    await node.close();
  });
});
