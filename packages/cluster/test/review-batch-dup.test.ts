import { describe, expect, it } from 'vitest';
import { shardOf } from '../src/sharding.ts';
import { testNode, randomVectors } from './helpers.ts';

const fields = [
  { name: 'id', dataType: 'Int64' as const, isPrimaryKey: true },
  { name: 'v', dataType: 'FloatVector' as const, dim: 4 },
];

describe('a batch that repeats a primary key (shardsNum > 1)', () => {
  it('is rejected with 1100 and writes nothing, on any shard', async () => {
    const { node } = await testNode();
    const s = node.service;
    await s.createCollection({ collectionName: 'd', fields, shardsNum: 2, indexParams: [{ fieldName: 'v', metricType: 'L2', indexType: 'FLAT' }] });
    let other = 2n;
    while (shardOf(other, 2) === shardOf(1n, 2)) other++;
    const [a, b, c] = randomVectors(3, 4);
    await expect(s.insert('d', [{ id: 1, v: a }, { id: 1, v: b }, { id: other, v: c }])).rejects.toMatchObject({ code: 1100 });
    await expect(s.upsert('d', [{ id: other, v: a }, { id: 1, v: b }, { id: 1, v: c }])).rejects.toMatchObject({ code: 1100 });
    expect(await s.query({ collectionName: 'd', filter: '', outputFields: ['count(*)'], consistencyLevel: 'Strong' })).toEqual([{ 'count(*)': 0 }]);
    await node.close();
  });
});
