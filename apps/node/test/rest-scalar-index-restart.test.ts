/**
 * Scalar indexes survive a node restart: the catalog keeps them, and the restarted shards rebuild
 * them from the sealed segments' columns (they are not stored), so `indexes/describe` reaches
 * Finished again and queries answer the same rows.
 */
import { describe, expect, it } from 'vitest';
import { MemoryDisk } from '@shoal/actors';
import { createTestEnv } from '@shoal/actors/node';
import { InlineIndexBuilder } from '@shoal/ann';
import { startNode } from '@shoal/cluster';
import type { ShoalNode } from '@shoal/cluster';
import { LocalObjectStore } from '@shoal/shard';
import { createHttpServer } from '../src/http/index.ts';
import { post } from './http-helpers.ts';

const ROWS = Array.from({ length: 60 }, (_, i) => ({ id: i, vector: [1, i / 10], tag: `t${i % 6}` }));

async function start(disk: MemoryDisk): Promise<{ node: ShoalNode; call: (path: string, body: object) => Promise<unknown> }> {
  const env = createTestEnv({ disk });
  const node = await startNode({ env, store: new LocalObjectStore(env.disk), indexBuilder: new InlineIndexBuilder(), segmentMaxRows: 16 });
  const app = createHttpServer(node.service);
  const call = async (path: string, body: object): Promise<unknown> => {
    const r = await post(app, path, JSON.stringify(body));
    expect(r.json.code, `${path}: ${r.text.slice(0, 300)}`).toBe(0);
    return r.json.data;
  };
  return { node, call };
}

async function finished(call: (path: string, body: object) => Promise<unknown>): Promise<Record<string, unknown>> {
  for (let i = 0; i < 200; i++) {
    const [d] = await call('/indexes/describe', { collectionName: 'r', indexName: 'tag' }) as Record<string, unknown>[];
    if (d.indexState === 'Finished') return d;
    await new Promise((res) => setTimeout(res, 10));
  }
  throw new Error('the tag index did not finish');
}

describe('scalar indexes across a restart', () => {
  it('are rebuilt from the columns and answer the same', async () => {
    const disk = new MemoryDisk();
    const first = await start(disk);
    await first.call('/collections/create', {
      collectionName: 'r',
      schema: { fields: [
        { fieldName: 'id', dataType: 'Int64', isPrimary: true },
        { fieldName: 'vector', dataType: 'FloatVector', elementTypeParams: { dim: '2' } },
        { fieldName: 'tag', dataType: 'VarChar', elementTypeParams: { max_length: '8' } },
      ] },
      indexParams: [{ fieldName: 'vector', metricType: 'L2', indexType: 'FLAT' }, { fieldName: 'tag', indexType: 'TRIE' }],
      params: { consistencyLevel: 'Strong' },
    });
    await first.call('/entities/insert', { collectionName: 'r', data: ROWS });
    await first.call('/collections/flush', { collectionName: 'r' });
    expect(await finished(first.call)).toMatchObject({ indexType: 'TRIE', indexedRows: 60, totalRows: 60 });
    await first.node.close();

    const again = await start(disk);
    expect(await again.call('/indexes/list', { collectionName: 'r' })).toEqual(['vector', 'tag']);
    expect(await finished(again.call)).toMatchObject({ indexType: 'TRIE', indexedRows: 60, totalRows: 60, pendingRows: 0 });
    const rows = await again.call('/entities/query', { collectionName: 'r', filter: 'tag in ["t1", "t4"]', outputFields: ['id'], limit: 100 }) as { id: number }[];
    expect(rows.map((r) => Number(r.id)).sort((a, b) => a - b)).toEqual(ROWS.filter((r) => r.tag === 't1' || r.tag === 't4').map((r) => r.id));
    await again.node.close();
  });
});
