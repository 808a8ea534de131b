import { describe, expect, it } from 'vitest';
import { testNode, randomVectors } from './helpers.ts';

const fields = [
  { name: 'id', dataType: 'Int64' as const, isPrimaryKey: true },
  { name: 'v', dataType: 'FloatVector' as const, dim: 4 },
];

describe('dropPartition racing an insert into it', () => {
  it('leaves no row of the dropped partition behind, and its keys may be inserted again', async () => {
    const { node } = await testNode();
    const s = node.service;
    await s.createCollection({ collectionName: 'p', fields, indexParams: [{ fieldName: 'v', metricType: 'L2', indexType: 'FLAT' }] });
    await s.createPartition('p', 'part');
    const [a, b] = randomVectors(2, 4);
    await s.insert('p', [{ id: 1, v: a }], 'part');
    const dropping = s.dropPartition('p', 'part');
    const inserting = s.insert('p', [{ id: 2, v: b }], 'part').then(() => 'inserted', (e: { code: number }) => e.code);
    await dropping;
    const outcome = await inserting;
    // Either the insert failed (partition gone), or its row went with the partition.
    const rows = await s.query({ collectionName: 'p', filter: 'id > 0', consistencyLevel: 'Strong' });
    expect({ outcome, rows }).toMatchObject({ rows: [] });
    await s.createPartition('p', 'part');
    await s.insert('p', [{ id: 2, v: b }], 'part');
    await node.close();
  });
});
