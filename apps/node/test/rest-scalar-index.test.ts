/**
 * Scalar indexes over REST v2 against a real in-process node with 2 shards and small segments:
 * `indexes/create` with Milvus's shape on scalar fields (INVERTED, STL_SORT, AUTOINDEX), builds on
 * the sealed segments (describe reaches Finished), queries through them give the rows the filter
 * names, list/describe/drop report and handle them, and bad combinations answer clear errors.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestEnv } from '@shoal/actors/node';
import { InlineIndexBuilder } from '@shoal/ann';
import { startNode } from '@shoal/cluster';
import type { ShoalNode } from '@shoal/cluster';
import { LocalObjectStore } from '@shoal/shard';
import { createHttpServer } from '../src/http/index.ts';
import { post } from './http-helpers.ts';

let node: ShoalNode;
let app: FastifyInstance;

const ROWS = Array.from({ length: 100 }, (_, i) => ({ id: i, vector: [1, i / 10, 0, 0.5], grp: i % 5, tag: `t${i % 7}`, score: i / 4 }));

async function call(path: string, obj: Record<string, unknown>) {
  return post(app, path, JSON.stringify(obj));
}

async function ok(path: string, obj: Record<string, unknown>): Promise<unknown> {
  const r = await call(path, obj);
  expect(r.json.code, `${path}: ${r.text.slice(0, 300)}`).toBe(0);
  return r.json.data;
}

async function queryIds(filter: string): Promise<number[]> {
  const data = await ok('/entities/query', { collectionName: 's', filter, outputFields: ['id'], limit: 1000 }) as { id: number }[];
  return data.map((r) => Number(r.id)).sort((a, b) => a - b);
}

async function describeIndex(indexName: string): Promise<Record<string, unknown>> {
  for (let i = 0; i < 200; i++) {
    const [d] = await ok('/indexes/describe', { collectionName: 's', indexName }) as Record<string, unknown>[];
    if (d.indexState === 'Finished') return d;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`index ${indexName} did not finish`);
}

beforeAll(async () => {
  const env = createTestEnv();
  node = await startNode({ env, store: new LocalObjectStore(env.disk), indexBuilder: new InlineIndexBuilder(), segmentMaxRows: 16 });
  app = createHttpServer(node.service);
  await ok('/collections/create', {
    collectionName: 's',
    schema: { fields: [
      { fieldName: 'id', dataType: 'Int64', isPrimary: true },
      { fieldName: 'vector', dataType: 'FloatVector', elementTypeParams: { dim: '4' } },
      { fieldName: 'grp', dataType: 'Int32' },
      { fieldName: 'tag', dataType: 'VarChar', elementTypeParams: { max_length: '8' } },
      { fieldName: 'score', dataType: 'Double' },
    ] },
    indexParams: [{ fieldName: 'vector', metricType: 'L2', indexType: 'FLAT' }, { fieldName: 'tag', indexName: 'tag_idx', indexType: 'INVERTED' }],
    params: { shardsNum: 2, consistencyLevel: 'Strong' },
  });
  await ok('/entities/insert', { collectionName: 's', data: ROWS });
  await ok('/collections/flush', { collectionName: 's' });
});

afterAll(async () => {
  await app?.close();
  await node?.close();
});

describe('scalar indexes over REST', () => {
  it('creates them, builds them on sealed segments and queries through them', async () => {
    await ok('/indexes/create', { collectionName: 's', indexParams: [{ fieldName: 'grp', indexType: 'STL_SORT' }, { fieldName: 'score' }] });
    expect(await ok('/indexes/list', { collectionName: 's' })).toEqual(['vector', 'tag_idx', 'grp', 'score']);
    const tag = await describeIndex('tag_idx');
    expect(tag).toMatchObject({ indexName: 'tag_idx', fieldName: 'tag', indexType: 'INVERTED', metricType: '', totalRows: 100, indexedRows: 100, pendingRows: 0 });
    expect(await describeIndex('grp')).toMatchObject({ indexType: 'STL_SORT', indexedRows: 100 });
    expect(await describeIndex('score')).toMatchObject({ indexType: 'INVERTED' });
    const expected = (f: (r: (typeof ROWS)[number]) => boolean) => ROWS.filter(f).map((r) => r.id);
    expect(await queryIds('tag == "t3"')).toEqual(expected((r) => r.tag === 't3'));
    expect(await queryIds('tag in ["t1", "t6"] and grp >= 3')).toEqual(expected((r) => (r.tag === 't1' || r.tag === 't6') && r.grp >= 3));
    expect(await queryIds('grp < 1 or score > 24')).toEqual(expected((r) => r.grp < 1 || r.score > 24));
    expect(await queryIds('tag like "t2%"')).toEqual(expected((r) => r.tag === 't2'));
    const desc = await ok('/collections/describe', { collectionName: 's' }) as { indexes: { indexName: string }[] };
    expect(desc.indexes.map((i) => i.indexName)).toEqual(['vector', 'tag_idx', 'grp', 'score']);
  });

  it('answers clear errors for bad combinations and duplicates', async () => {
    const bitmapDouble = await call('/indexes/create', { collectionName: 's', indexParams: [{ fieldName: 'score', indexName: 'b', indexType: 'BITMAP' }] });
    expect(bitmapDouble.json.code).toBe(1100);
    expect(bitmapDouble.json.message).toMatch(/BITMAP cannot index Double field "score"/);
    const trieInt = await call('/indexes/create', { collectionName: 's', indexParams: [{ fieldName: 'grp', indexName: 'x', indexType: 'TRIE' }] });
    expect(trieInt.json.message).toMatch(/TRIE cannot index Int32 field "grp"; TRIE indexes VarChar/);
    const second = await call('/indexes/create', { collectionName: 's', indexParams: [{ fieldName: 'tag', indexName: 'tag2', indexType: 'TRIE' }] });
    expect(second.json.message).toMatch(/field "tag" .* already has index "tag_idx" \(INVERTED\)/);
    const metric = await call('/indexes/create', { collectionName: 's', indexParams: [{ fieldName: 'grp', indexName: 'g2', metricType: 'L2', indexType: 'BITMAP' }] });
    expect(metric.json.message).toMatch(/metricType L2 does not apply/);
    const onVector = await call('/indexes/create', { collectionName: 's', indexParams: [{ fieldName: 'vector', indexType: 'INVERTED' }] });
    expect(onVector.json.message).toMatch(/INVERTED is a scalar index and cannot index FloatVector field "vector"/);
    const usedName = await call('/indexes/create', { collectionName: 's', indexParams: [{ fieldName: 'id', indexName: 'tag_idx', indexType: 'STL_SORT' }] });
    expect(usedName.json.message).toMatch(/index name "tag_idx" is already used/);
    // The same index again is a no-op.
    await ok('/indexes/create', { collectionName: 's', indexParams: [{ fieldName: 'tag', indexName: 'tag_idx', indexType: 'INVERTED' }] });
  });

  it('drops a scalar index once the collection is released', async () => {
    const loaded = await call('/indexes/drop', { collectionName: 's', indexName: 'grp' });
    expect(loaded.json.message).toMatch(/released|release/);
    await ok('/collections/release', { collectionName: 's' });
    await ok('/indexes/drop', { collectionName: 's', indexName: 'grp' });
    expect(await ok('/indexes/list', { collectionName: 's' })).toEqual(['vector', 'tag_idx', 'score']);
    const missing = await call('/indexes/describe', { collectionName: 's', indexName: 'grp' });
    expect(missing.json.code).not.toBe(0);
    await ok('/collections/load', { collectionName: 's' });
    expect(await queryIds('grp == 2 and tag == "t0"')).toEqual(ROWS.filter((r) => r.grp === 2 && r.tag === 't0').map((r) => r.id));
  });
});
