import { describe, expect, it } from 'vitest';
import { testNode, randomVectors } from './helpers.ts';

const fields = [
  { name: 'pk', dataType: 'VarChar' as const, isPrimaryKey: true, maxLength: 16 },
  { name: 'n', dataType: 'Int64' as const },
  { name: 'v', dataType: 'FloatVector' as const, dim: 4 },
];
const vecs = randomVectors(40, 4, 3);
const row = (i: number) => ({ pk: `k${i}`, n: BigInt(i), v: vecs[i] });

describe('partitions, load/release and index states', () => {
  it('inserts into and searches within named partitions; dropping a partition deletes its rows', async () => {
    const { node } = await testNode();
    const s = node.service;
    await s.createCollection({ collectionName: 'p', fields, indexParams: [{ fieldName: 'v', metricType: 'L2', indexType: 'FLAT' }] });
    await s.createPartition('p', 'red');
    await expect(s.createPartition('p', 'red')).rejects.toMatchObject({ code: 1100 });
    expect(await s.listPartitions('p')).toEqual(['_default', 'red']);
    expect(await s.hasPartition('p', 'red')).toBe(true);
    await s.insert('p', Array.from({ length: 20 }, (_, i) => row(i)), 'red');
    await s.insert('p', Array.from({ length: 20 }, (_, i) => row(i + 20)));
    await expect(s.insert('p', [row(39)], 'nope')).rejects.toMatchObject({ code: 200 });
    const inRed = await s.search({ collectionName: 'p', data: [vecs[25]], limit: 40, partitionNames: ['red'], consistencyLevel: 'Strong' });
    expect(inRed[0]).toHaveLength(20);
    expect(inRed[0].every((h) => Number((h.id as string).slice(1)) < 20)).toBe(true);
    const all = await s.search({ collectionName: 'p', data: [vecs[25]], limit: 1, consistencyLevel: 'Strong' });
    expect(all[0][0].id).toBe('k25'); // L2: a stored vector is its own nearest neighbour
    await expect(s.dropPartition('p', '_default')).rejects.toMatchObject({ code: 1100 });
    await s.dropPartition('p', 'red');
    expect(await s.query({ collectionName: 'p', filter: '', outputFields: ['count(*)'], consistencyLevel: 'Strong' })).toEqual([{ 'count(*)': 20 }]);
    await s.insert('p', [row(3)]); // its key is free again
    expect(await s.get('p', ['k3'])).toEqual([{ pk: 'k3', n: 3n, v: new Float32Array(vecs[3]) }]);
    await node.close();
  });

  it('serves reads only while loaded; release keeps writes working; index states follow the sealed rows', async () => {
    const { node } = await testNode();
    const s = node.service;
    await s.createCollection({ collectionName: 'l', fields });
    await s.insert('l', Array.from({ length: 30 }, (_, i) => row(i)));
    await expect(s.loadCollection('l')).rejects.toMatchObject({ code: 700 });
    await s.createIndex('l', [{ fieldName: 'v', metricType: 'L2', indexType: 'HNSW', params: { M: 8, efConstruction: 40 } }]);
    await s.createIndex('l', [{ fieldName: 'v', metricType: 'L2', indexType: 'HNSW', params: { M: 8, efConstruction: 40 } }]); // same again: no-op
    await expect(s.createIndex('l', [{ fieldName: 'v', metricType: 'L2', indexType: 'FLAT' }])).rejects.toMatchObject({ code: 702 });
    expect(await s.describeIndex('l', 'v')).toMatchObject({ indexType: 'HNSW', totalRows: 0, indexedRows: 0, indexState: 'Finished' });
    await s.flush('l');
    await waitFor(async () => (await s.describeIndex('l', 'v')).indexState === 'Finished' && (await s.describeIndex('l', 'v')).indexedRows === 30);
    expect(await s.getLoadState('l')).toEqual({ loadState: 'LoadStateNotLoad', loadProgress: 0 });
    await s.loadCollection('l');
    await waitFor(async () => (await s.getLoadState('l')).loadState === 'LoadStateLoaded');
    await expect(s.search({ collectionName: 'l', data: [vecs[0]], limit: 3, searchParams: { metricType: 'IP' } })).rejects.toMatchObject({ code: 1100 });
    await expect(s.dropIndex('l', 'v')).rejects.toMatchObject({ code: 1100 });
    await s.releaseCollection('l');
    await expect(s.query({ collectionName: 'l', filter: 'n > 1', limit: 5 })).rejects.toMatchObject({ code: 101 });
    await s.insert('l', [row(30)]);
    await s.dropIndex('l', 'v');
    expect(await s.listIndexes('l')).toEqual([]);
    const stats = await s.getCollectionStats('l');
    expect(stats).toMatchObject({ rowCount: 31, memory: { rawVectorBytes: 31 * 4 * 4, indexBytes: 0 } }); // released: no index in memory
    expect(stats.memory.segments).toMatchObject([
      { shard: 0, state: 'Sealed', rows: 30, partitions: ['_default'], rawVectorBytes: 30 * 16, indexType: null, indexBytes: 0 },
      { shard: 0, state: 'Growing', rows: 1, partitions: ['_default'], rawVectorBytes: 16, indexType: null, indexBytes: 0 },
    ]);
    expect(stats.memory.totalBytes).toBe(stats.memory.segments.reduce((a, x) => a + x.rawBytes, 0));
    await s.dropCollection('l');
    expect(await s.hasCollection('l')).toBe(false);
    await node.close();
  });
});

async function waitFor(cond: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > until) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}
