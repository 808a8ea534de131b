import { describe, expect, it } from 'vitest';
import { testNode, randomVectors } from './helpers.ts';

const fields = [
  { name: 'id', dataType: 'Int64' as const, isPrimaryKey: true },
  { name: 'v', dataType: 'FloatVector' as const, dim: 4 },
];
const vecs = randomVectors(260, 4, 7);
const rows = (from: number, n: number) => Array.from({ length: n }, (_, i) => ({ id: from + i, v: vecs[from + i] }));

describe('collections/get_stats memory', () => {
  it('sums segments of every shard: raw bytes, loaded HNSW index bytes, partitions by name; describe index ends Finished', async () => {
    const { node } = await testNode();
    const s = node.service;
    await s.createCollection({
      collectionName: 'm', fields, shardsNum: 2,
      indexParams: [{ fieldName: 'v', metricType: 'L2', indexType: 'HNSW', params: { M: 8, efConstruction: 32 } }],
    });
    await s.createPartition('m', 'red');
    await s.insert('m', rows(0, 200));
    await s.insert('m', rows(200, 50), 'red');
    await s.flush('m');
    await waitFor(async () => (await s.describeIndex('m', 'v')).indexState === 'Finished' && (await s.getLoadState('m')).loadState === 'LoadStateLoaded');
    expect(await s.describeIndex('m', 'v')).toMatchObject({ indexedRows: 250, totalRows: 250, pendingIndexRows: 0 });
    await s.insert('m', rows(250, 10));

    const { rowCount, memory } = await s.getCollectionStats('m');
    expect(rowCount).toBe(260);
    const sealed = memory.segments.filter((x) => x.state === 'Sealed');
    const growing = memory.segments.filter((x) => x.state === 'Growing');
    expect(sealed.map((x) => x.shard).sort()).toEqual([0, 1]);
    expect(sealed.reduce((a, x) => a + x.rows, 0)).toBe(250);
    expect(growing.reduce((a, x) => a + x.rows, 0)).toBe(10);
    for (const x of sealed) {
      expect(x).toMatchObject({ indexType: 'HNSW', rawVectorBytes: x.rows * 16, partitions: ['_default', 'red'] });
      expect(x.indexBytes).toBeGreaterThan(0);
    }
    for (const x of growing) expect(x).toMatchObject({ indexType: null, indexBytes: 0, partitions: ['_default'] });
    expect(memory.rawVectorBytes).toBe(260 * 16);
    expect(memory.indexBytes).toBe(sealed.reduce((a, x) => a + x.indexBytes, 0));
    expect(memory.rawBytes).toBe(memory.segments.reduce((a, x) => a + x.rawBytes, 0));
    expect(memory.scalarIndexBytes).toBe(0);
    expect(memory.totalBytes).toBe(memory.rawBytes + memory.indexBytes);

    await s.dropPartition('m', 'red'); // its rows are deleted, its name gone
    const after = (await s.getCollectionStats('m')).memory.segments.filter((x) => x.state === 'Sealed');
    expect(after.map((x) => x.partitions)).toEqual([['_default'], ['_default']]);
    expect(after.reduce((a, x) => a + x.deletedRows, 0)).toBe(50);

    await s.releaseCollection('m');
    const released = await s.getCollectionStats('m');
    expect(released.memory.indexBytes).toBe(0);
    expect(released.memory.totalBytes).toBe(released.memory.rawBytes);
    await node.close();
  });
});

describe('collections/get_stats memory of scalar indexes', () => {
  it('reports each sealed segment\'s scalar indexes by field and adds them to the totals', async () => {
    const { node } = await testNode();
    const s = node.service;
    await s.createCollection({
      collectionName: 'sx', fields: [...fields, { name: 'n', dataType: 'Int32' as const }],
      indexParams: [
        { fieldName: 'v', metricType: 'L2', indexType: 'FLAT' },
        { fieldName: 'n', indexName: 'n_idx', indexType: 'INVERTED' },
      ],
    });
    await s.insert('sx', rows(0, 100).map((r, i) => ({ ...r, n: i % 7 })));
    await s.flush('sx');
    await waitFor(async () => (await s.getCollectionStats('sx')).memory.scalarIndexBytes > 0);
    const { memory } = await s.getCollectionStats('sx');
    const [seg] = memory.segments;
    expect(seg.scalarIndexes).toEqual([{ fieldName: 'n', indexType: 'INVERTED', indexBytes: seg.scalarIndexBytes }]);
    expect(memory.scalarIndexBytes).toBe(seg.scalarIndexBytes);
    expect(memory.totalBytes).toBe(memory.rawBytes + memory.indexBytes + memory.scalarIndexBytes);
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
