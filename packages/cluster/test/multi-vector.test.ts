/**
 * Multi-vector collections through the cluster: one index per vector field in the catalog (a
 * catalog written before multi-vector collections, with its single `index`, still reads), load
 * only once every vector field is indexed, per-field searches and hybrid search (nq > 1, one
 * snapshot) before and after a node restart.
 */
import { describe, expect, it } from 'vitest';
import type { IndexSpec } from '@shoal/ann';
import { buildSchema } from '@shoal/shard';
import { Catalog, checkAllIndexed, metricOf, vectorIndexesOf } from '../src/catalog.ts';
import type { CatalogState, IndexMeta } from '../src/catalog.ts';
import { randomVectors, testNode } from './helpers.ts';

const fields = [
  { name: 'id', dataType: 'Int64' as const, isPrimaryKey: true },
  { name: 'text', dataType: 'FloatVector' as const, dim: 6 },
  { name: 'image', dataType: 'FloatVector' as const, dim: 3 },
];
const text = randomVectors(200, 6, 5);
const image = randomVectors(200, 3, 9);
const rows = text.map((t, i) => ({ id: i, text: t, image: image[i] }));
const f = Math.fround;
const l2 = (a: number[], b: number[]) => a.reduce((s, x, i) => s + (f(x) - f(b[i])) ** 2, 0);
const cos = (a: number[], b: number[]) => {
  const dot = a.reduce((s, x, i) => s + f(x) * f(b[i]), 0);
  const n = (v: number[]) => Math.sqrt(v.reduce((s, x) => s + f(x) * f(x), 0));
  return dot / (n(a) * n(b));
};
const topText = (q: number[], k: number) => rows.map((r) => ({ id: r.id, s: l2(q, r.text) })).sort((a, b) => a.s - b.s || a.id - b.id).slice(0, k);
const topImage = (q: number[], k: number) => rows.map((r) => ({ id: r.id, s: cos(q, r.image) })).sort((a, b) => b.s - a.s || a.id - b.id).slice(0, k);
function rrf(lists: { id: number }[][], k = 60): number[] {
  const m = new Map<number, number>();
  for (const l of lists) l.forEach((h, i) => m.set(h.id, (m.get(h.id) ?? 0) + 1 / (k + i + 1)));
  return [...m].sort((a, b) => b[1] - a[1] || a[0] - b[0]).map(([id]) => id);
}

async function waitFor(cond: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 1000 && !(await cond()); i++) await new Promise((r) => setTimeout(r, 10));
  expect(await cond()).toBe(true);
}

describe('multi-vector collections in the cluster', () => {
  it('index per field, load, search each field and hybrid search with nq = 2, before and after a restart', async () => {
    const { node, disk } = await testNode(undefined, { segmentMaxRows: 70 });
    const s = node.service;
    await expect(s.createCollection({ collectionName: 'm', fields, load: true, indexParams: [{ fieldName: 'text', metricType: 'L2', indexType: 'FLAT' }] }))
      .rejects.toThrow(/create an index on vector field "image" before loading/);
    await s.createCollection({
      collectionName: 'm', fields, shardsNum: 2, consistencyLevel: 'Strong',
      indexParams: [{ fieldName: 'text', metricType: 'L2', indexType: 'HNSW', params: { M: 8, efConstruction: 100 } }, { fieldName: 'image', metricType: 'COSINE', indexType: 'FLAT' }],
    });
    await s.insert('m', rows.slice(0, 170));
    await s.flush('m');
    await s.insert('m', rows.slice(170));
    await waitFor(async () => (await s.getLoadState('m')).loadState === 'LoadStateLoaded');
    expect(await s.listIndexes('m')).toEqual(['text', 'image']);
    expect(await s.describeIndex('m', 'image')).toMatchObject({ fieldName: 'image', indexType: 'FLAT', metricType: 'COSINE' });

    const check = async (svc: typeof s) => {
      const qt = [text[3], randomVectors(1, 6, 77)[0]];
      const qi = [image[150], randomVectors(1, 3, 78)[0]];
      const byText = await svc.search({ collectionName: 'm', annsField: 'text', data: qt, limit: 8, searchParams: { params: { ef: 200 } } });
      expect(byText.map((hs) => hs.map((h) => Number(h.id)))).toEqual(qt.map((q) => topText(q, 8).map((t) => t.id)));
      const byImage = await svc.search({ collectionName: 'm', annsField: 'image', data: qi, limit: 8 });
      expect(byImage.map((hs) => hs.map((h) => Number(h.id)))).toEqual(qi.map((q) => topImage(q, 8).map((t) => t.id)));
      const fused = await svc.hybridSearch({
        collectionName: 'm', limit: 6, outputFields: ['image'],
        search: [{ annsField: 'text', data: qt, limit: 10, searchParams: { params: { ef: 200 } } }, { annsField: 'image', data: qi, limit: 10 }],
      });
      expect(fused.map((hs) => hs.map((h) => Number(h.id)))).toEqual([0, 1].map((q) => rrf([topText(qt[q], 10), topImage(qi[q], 10)]).slice(0, 6)));
      for (const h of fused.flat()) expect(Array.from(h.fields.image as Float32Array)).toEqual(image[Number(h.id)].map(f));
    };
    await check(s);
    await node.close();

    const { node: again } = await testNode(disk, { segmentMaxRows: 70 });
    await waitFor(async () => (await again.service.getLoadState('m')).loadState === 'LoadStateLoaded');
    for (const name of ['text', 'image']) expect(await again.service.describeIndex('m', name)).toMatchObject({ indexState: 'Finished', totalRows: 170, indexedRows: 170 });
    await check(again.service);
    // One snapshot taken at the request: an acknowledged write is seen at any consistency level; partitions scope every sub-search.
    await again.service.createPartition('m', 'p');
    await again.service.insert('m', [{ id: 1000, text: [9, 9, 9, 9, 9, 9], image: [0, 0, 1] }], 'p');
    const sub = (partitionNames?: string[]) => again.service.hybridSearch({
      collectionName: 'm', limit: 3, consistencyLevel: 'Eventually', ...(partitionNames ? { partitionNames } : {}),
      search: [{ annsField: 'text', data: [[9, 9, 9, 9, 9, 9]], limit: 3, searchParams: { params: { ef: 200 } } }, { annsField: 'image', data: [[0, 0, 1]], limit: 3 }],
    });
    expect((await sub())[0][0]).toMatchObject({ id: 1000n, distance: 2 / 61 });
    expect((await sub(['p']))[0].map((h) => h.id)).toEqual([1000n]);
    expect((await sub(['_default']))[0].map((h) => h.id)).not.toContain(1000n);
    await expect(again.service.dropIndex('m', 'image')).rejects.toThrow(/release it first/);
    await again.service.releaseCollection('m');
    await again.service.dropIndex('m', 'image');
    expect(await again.service.listIndexes('m')).toEqual(['text']);
    await expect(again.service.loadCollection('m')).rejects.toThrow(/vector field "image"/);
    await again.close();
  });

  it('reads a catalog entry of the single-vector era (`index`) and moves it into vectorIndexes', () => {
    const schema = buildSchema('old', '', [{ name: 'id', dataType: 'Int64', isPrimaryKey: true }, { name: 'v', dataType: 'FloatVector', dim: 2 }], false);
    const spec: IndexSpec = { type: 'FLAT', metric: 'IP', dim: 2, params: {} };
    const index: IndexMeta = { indexName: 'v', fieldName: 'v', requestedType: 'FLAT', spec, params: {} };
    const state: CatalogState = {
      formatVersion: 1, nextId: 3, tsoUpperMs: 0, autoIdUpper: '1',
      collections: [{ id: 1, name: 'old', description: '', schema, shardsNum: 1, partitions: [{ name: '_default', id: 2 }], index, loaded: true, consistencyLevel: 'Bounded', createdTimeMs: 0 }],
    };
    const catalog = new Catalog(JSON.parse(JSON.stringify(state)) as CatalogState);
    const meta = catalog.get('old');
    expect(vectorIndexesOf(meta)).toEqual([index]);
    expect(metricOf(meta, 'v')).toBe('IP');
    expect(() => checkAllIndexed(meta)).not.toThrow();
    catalog.apply({ op: 'setLoaded', collection: 'old', loaded: false });
    catalog.apply({ op: 'setIndex', collection: 'old', index: null });
    expect(vectorIndexesOf(catalog.get('old'))).toEqual([]);
    expect(catalog.get('old').index).toBeUndefined();
  });
});
