import { describe, expect, it } from 'vitest';
import { testNode, randomVectors } from './helpers.ts';

const fields = [
  { name: 'id', dataType: 'Int64' as const, isPrimaryKey: true },
  { name: 'v', dataType: 'FloatVector' as const, dim: 4 },
];

describe('concurrent index DDL', () => {
  it('two different createIndex at once: one wins, the other answers 702', async () => {
    const { node } = await testNode();
    const s = node.service;
    await s.createCollection({ collectionName: 'c', fields });
    const outcomes = await Promise.all([
      s.createIndex('c', [{ fieldName: 'v', metricType: 'L2', indexType: 'FLAT' }]).then(() => 'ok', (e: { code: number }) => e.code),
      s.createIndex('c', [{ fieldName: 'v', metricType: 'IP', indexType: 'FLAT' }]).then(() => 'ok', (e: { code: number }) => e.code),
    ]);
    expect(outcomes.sort()).toEqual([702, 'ok']);
    await node.close();
  });

  it('load racing dropIndex never leaves a loaded collection without an index', async () => {
    const { node } = await testNode();
    const s = node.service;
    await s.createCollection({ collectionName: 'c', fields, indexParams: [{ fieldName: 'v', metricType: 'L2', indexType: 'FLAT' }], load: false });
    await s.insert('c', randomVectors(3, 4).map((v, i) => ({ id: i, v })));
    await Promise.all([s.loadCollection('c').catch(() => undefined), s.dropIndex('c', 'v').catch(() => undefined)]);
    const d = await s.describeCollection('c');
    if (d.loadState !== 'LoadStateNotLoad') {
      expect(d.indexes.length).toBe(1);
      await s.search({ collectionName: 'c', data: [[0, 0, 0, 0]], limit: 1 });
    }
    await node.close();
  });
});
