import { describe, expect, it } from 'vitest';
import { ShoalError } from '@shoal/actors';
import { testNode, randomVectors } from './helpers.ts';

const fields = [
  { name: 'id', dataType: 'Int64' as const, isPrimaryKey: true },
  { name: 'tag', dataType: 'Int32' as const },
  { name: 'title', dataType: 'VarChar' as const, maxLength: 64 },
  { name: 'vec', dataType: 'FloatVector' as const, dim: 8 },
];
const vectors = randomVectors(500, 8);
const rows = vectors.map((v, i) => ({ id: BigInt(i) + (1n << 60n), tag: i % 10, title: `t${i}`, vec: v }));

function bruteForce(q: number[], k: number, filter: (i: number) => boolean): bigint[] {
  return vectors.map((v, i) => ({ i, d: v.reduce((a, x, j) => a + (x - q[j]) ** 2, 0) }))
    .filter((x) => filter(x.i)).sort((a, b) => a.d - b.d).slice(0, k).map((x) => BigInt(x.i) + (1n << 60n));
}

describe('a single node end to end', () => {
  it('creates, inserts, indexes, searches with a filter, queries, deletes, and recovers after a restart', async () => {
    const { node, disk } = await testNode();
    const s = node.service;
    await s.createCollection({ collectionName: 'docs', fields });
    expect(await s.listCollections()).toEqual(['docs']);
    const w = await s.insert('docs', rows.slice(0, 300));
    expect(w.count).toBe(300);
    await s.flush('docs');
    await s.insert('docs', rows.slice(300));
    await s.createIndex('docs', [{ fieldName: 'vec', metricType: 'L2', indexType: 'HNSW', params: { M: 16, efConstruction: 100 } }]);
    await expect(s.search({ collectionName: 'docs', data: [vectors[0]], limit: 5 })).rejects.toThrow(/not loaded/);
    await s.loadCollection('docs');
    const q = vectors[7];
    const hits = await s.search({ collectionName: 'docs', data: [q], limit: 10, filter: 'tag == 3', outputFields: ['tag'], searchParams: { params: { ef: 500 } } });
    expect(hits[0].map((h) => h.id)).toEqual(bruteForce(q, 10, (i) => i % 10 === 3));
    expect(hits[0].every((h) => h.fields.tag === 3)).toBe(true);
    const count = await s.query({ collectionName: 'docs', filter: 'tag < 5', outputFields: ['count(*)'] });
    expect(count).toEqual([{ 'count(*)': 250 }]);
    const del = await s.delete('docs', { filter: 'tag == 3' });
    expect(del.count).toBe(50);
    await expect(s.insert('docs', [rows[1]])).rejects.toThrow(/already exists/);
    await s.upsert('docs', [{ ...rows[1], title: 'replaced' }]);
    await node.close();

    const again = (await testNode(disk)).node;
    const got = await again.service.get('docs', [rows[1].id, rows[3].id], { outputFields: ['title'] });
    expect(got).toEqual([{ id: rows[1].id, title: 'replaced' }]);
    const total = await again.service.query({ collectionName: 'docs', filter: '', outputFields: ['count(*)'] });
    expect(total).toEqual([{ 'count(*)': 450 }]);
    const after = await again.service.search({ collectionName: 'docs', data: [q], limit: 10, searchParams: { params: { ef: 500 } } });
    expect(after[0].map((h) => h.id)).toEqual(bruteForce(q, 10, (i) => i % 10 !== 3));
    await again.close();
  });

  it('rejects bad input with Milvus error codes and writes nothing', async () => {
    const { node } = await testNode();
    const s = node.service;
    await s.createCollection({ collectionName: 'c', fields });
    const bad = [rows[0], { ...rows[1], vec: [1, 2, 3] }];
    await expect(s.insert('c', bad)).rejects.toMatchObject({ code: 1100, message: expect.stringMatching(/row 1.*dimension 8.*length 3/) });
    await expect(s.insert('nope', rows)).rejects.toMatchObject({ code: 100 });
    await expect(s.insert('c', [{ ...rows[0], tag: 'x' }])).rejects.toBeInstanceOf(ShoalError);
    await expect(s.createIndex('c', [{ fieldName: 'vec', metricType: 'L2', indexType: 'DISKANN' as 'FLAT' }])).rejects.toMatchObject({ code: 3000 });
    await expect(s.createIndex('c', [{ fieldName: 'tag', metricType: 'L2', indexType: 'FLAT' }])).rejects.toMatchObject({ code: 1100, message: expect.stringMatching(/index type FLAT cannot index \w+ field "tag"; scalar fields take AUTOINDEX/) });
    await expect(s.createIndex('c', [{ fieldName: 'vec', metricType: 'L2', indexType: 'HNSW', params: { M: 1 } }])).rejects.toMatchObject({ code: 1100, message: expect.stringMatching(/M.*\[2, 2048\]/) });
    await s.createIndex('c', [{ fieldName: 'vec', metricType: 'L2', indexType: 'FLAT' }]);
    await s.loadCollection('c');
    expect(await s.query({ collectionName: 'c', filter: '', outputFields: ['count(*)'] })).toEqual([{ 'count(*)': 0 }]);
    await expect(s.query({ collectionName: 'c', filter: 'tag >', limit: 1 })).rejects.toMatchObject({ code: 1100 });
    await node.close();
  });
});
