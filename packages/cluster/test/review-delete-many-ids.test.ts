import { describe, expect, it } from 'vitest';
import { testNode } from './helpers.ts';

const fields = [
  { name: 'id', dataType: 'Int64' as const, isPrimaryKey: true },
  { name: 'v', dataType: 'FloatVector' as const, dim: 2 },
];

describe('delete by many ids', () => {
  it('groups 100,000 ids by shard in linear time', async () => {
    const { node } = await testNode();
    const s = node.service;
    await s.createCollection({ collectionName: 'm', fields, shardsNum: 2 });
    await s.insert('m', [{ id: 3, v: [0, 0] }, { id: 4, v: [1, 1] }]);
    const ids = Array.from({ length: 100_000 }, (_, i) => i);
    expect((await s.delete('m', { ids })).count).toBe(2);
    await node.close();
  }, 5000);
});
