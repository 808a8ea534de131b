import { describe, expect, it } from 'vitest';
import { testNode, randomVectors } from './helpers.ts';

const fields = [
  { name: 'id', dataType: 'Int64' as const, isPrimaryKey: true },
  { name: 'v', dataType: 'FloatVector' as const, dim: 6 },
];
const BIG = 1n << 62n;
const vecs = randomVectors(60, 6, 9);

describe('reads: offset, delete by ids, consistency, exact Int64', () => {
  it('applies offset after merging, deletes by ids, reads its own writes, filters exactly beyond 2^53', async () => {
    const { node } = await testNode(undefined, { segmentMaxRows: 25 }); // several sealed segments
    const s = node.service;
    await s.createCollection({ collectionName: 'r', fields, indexParams: [{ fieldName: 'v', metricType: 'L2', indexType: 'FLAT' }], consistencyLevel: 'Session' });
    await s.insert('r', vecs.map((v, i) => ({ id: BIG + BigInt(i), v })));
    // Session: the node's last write is visible at once, without Strong.
    expect(await s.query({ collectionName: 'r', filter: '', outputFields: ['count(*)'] })).toEqual([{ 'count(*)': 60 }]);

    const top = (await s.search({ collectionName: 'r', data: [vecs[0]], limit: 8 }))[0];
    const page = (await s.search({ collectionName: 'r', data: [vecs[0]], limit: 3, offset: 5 }))[0];
    expect(page.map((h) => h.id)).toEqual(top.slice(5, 8).map((h) => h.id));
    const all = await s.query({ collectionName: 'r', filter: `id >= ${BIG}`, limit: 60 });
    const mid = await s.query({ collectionName: 'r', filter: `id >= ${BIG}`, limit: 10, offset: 20 });
    expect(mid).toEqual(all.slice(20, 30));

    // 2^62 + 1 and 2^62 + 2 differ beyond double precision: the filter must tell them apart.
    expect(await s.query({ collectionName: 'r', filter: `id == ${BIG + 1n}`, limit: 5 })).toEqual([{ id: BIG + 1n }]);

    const del = await s.delete('r', { ids: [BIG + 1n, BIG + 2n, BIG + 999n] });
    expect(del.count).toBe(2);
    expect(await s.get('r', [BIG + 1n, BIG + 3n], { outputFields: ['id'] })).toEqual([{ id: BIG + 3n }]);
    await expect(s.delete('r', { ids: [BIG], filter: 'id > 0' })).rejects.toMatchObject({ code: 1100 });
    expect(await s.query({ collectionName: 'r', filter: '', outputFields: ['count(*)'], consistencyLevel: 'Strong' })).toEqual([{ 'count(*)': 58 }]);
    await node.close();
  });
});
