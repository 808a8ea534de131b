/**
 * Filter templates (Milvus "Filter Templating": `exprParams`, also `filterParams`) over REST v2
 * against a real in-process node with 2 shards: placeholders bound to Int64 values beyond 2^53
 * (exact), strings and lists give the same rows as the literal filter on query, search and delete;
 * a missing placeholder, both names at once and a non-object answer errors before anything is done.
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

/** 2^60: keys around it differ beyond float64 precision. */
const BIG = 2n ** 60n;

let node: ShoalNode;
let app: FastifyInstance;

/** The rows: 40 small ids and 5 ids BIG..BIG+4, with `grp` = i mod 4 and `tag` = "t<i mod 3>". */
const ROWS = [
  ...Array.from({ length: 40 }, (_, i) => ({ id: BigInt(i), i })),
  ...Array.from({ length: 5 }, (_, j) => ({ id: BIG + BigInt(j), i: 40 + j })),
].map(({ id, i }) => ({ id, vector: [1, i / 10, 0, 0.5], grp: i % 4, tag: `t${i % 3}` }));

/** JSON with exact integers for the request bodies (bigints as plain integers). */
function body(obj: Record<string, unknown>): string {
  return JSON.stringify(obj, (_k, v: unknown) => (typeof v === 'bigint' ? (JSON as unknown as { rawJSON(t: string): unknown }).rawJSON(v.toString()) : v));
}

async function call(path: string, obj: Record<string, unknown>) {
  return post(app, path, body(obj), { 'Accept-Type-Allow-Int64': 'true' });
}

async function ids(path: string, obj: Record<string, unknown>): Promise<bigint[]> {
  const r = await call(path, obj);
  expect(r.json.code, r.text.slice(0, 300)).toBe(0);
  return (r.json.data as { id: number | bigint }[]).map((x) => BigInt(x.id)).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

beforeAll(async () => {
  const env = createTestEnv();
  node = await startNode({ env, store: new LocalObjectStore(env.disk), indexBuilder: new InlineIndexBuilder(), segmentMaxRows: 16 });
  app = createHttpServer(node.service);
  const create = await call('/collections/create', {
    collectionName: 'f',
    schema: { fields: [
      { fieldName: 'id', dataType: 'Int64', isPrimary: true },
      { fieldName: 'vector', dataType: 'FloatVector', elementTypeParams: { dim: '4' } },
      { fieldName: 'grp', dataType: 'Int32' },
      { fieldName: 'tag', dataType: 'VarChar', elementTypeParams: { max_length: '8' } },
    ] },
    indexParams: [{ fieldName: 'vector', metricType: 'L2', indexType: 'FLAT' }],
    params: { shardsNum: 2, consistencyLevel: 'Strong' },
  });
  expect(create.json.code).toBe(0);
  expect((await call('/entities/insert', { collectionName: 'f', data: ROWS })).json.code).toBe(0);
});

afterAll(async () => {
  await app?.close();
  await node?.close();
});

const sorted = (xs: bigint[]) => [...xs].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
const where = (pred: (r: (typeof ROWS)[number]) => boolean) => sorted(ROWS.filter(pred).map((r) => r.id));

describe('REST v2 filter templates', () => {
  it('query: Int64 beyond 2^53 exactly, strings and lists, as the literal filter', async () => {
    const q = (filter: string, exprParams?: Record<string, unknown>, key = 'exprParams') =>
      ids('/entities/query', { collectionName: 'f', filter, ...(exprParams ? { [key]: exprParams } : {}), outputFields: ['id'], limit: 100 });
    expect(await q('id == {k}', { k: BIG + 3n })).toEqual([BIG + 3n]);
    expect(await q('id in {ks}', { ks: [BIG + 1n, BIG + 4n, 7] })).toEqual([7n, BIG + 1n, BIG + 4n]);
    expect(await q('id > {k}', { k: BIG + 2n })).toEqual([BIG + 3n, BIG + 4n]);
    expect(await q('tag == {t} and grp in {gs}', { t: 't1', gs: [0, 2] })).toEqual(where((r) => r.tag === 't1' && (r.grp === 0 || r.grp === 2)));
    expect(await q('tag == "t1" and grp in [0, 2]')).toEqual(await q('tag == {t} and grp in {gs}', { t: 't1', gs: [0, 2] }));
    expect(await q('grp == {g}', { g: 3 }, 'filterParams')).toEqual(where((r) => r.grp === 3));
    // A value is a literal, never filter text.
    expect(await q('tag == {t}', { t: 't1" or tag != "' })).toEqual([]);
  });

  it('query iterator and search take template values', async () => {
    const pages = await call('/entities/query', { collectionName: 'f', iterator: true, batchSize: 1000, filter: 'id >= {k}', exprParams: { k: BIG }, outputFields: ['id'] });
    expect(pages.json.code, pages.text).toBe(0);
    expect((pages.json.data as { id: bigint }[]).map((r) => BigInt(r.id))).toEqual([0n, 1n, 2n, 3n, 4n].map((j) => BIG + j));
    const hits = await ids('/entities/search', {
      collectionName: 'f', data: [[1, 0, 0, 0.5]], limit: 50, filter: 'tag == {t} or id == {k}', exprParams: { t: 't2', k: BIG + 1n },
    });
    expect(hits).toEqual(where((r) => r.tag === 't2' || r.id === BIG + 1n));
  });

  it('a missing placeholder, both names, or a non-object answer an error and change nothing', async () => {
    const missing = await call('/entities/query', { collectionName: 'f', filter: 'grp == {g} and tag == {t}', exprParams: { g: 1 }, limit: 10 });
    expect(missing.json.code).toBe(1100);
    expect(missing.json.message).toMatch(/\bt\b/);
    const noParams = await call('/entities/search', { collectionName: 'f', data: [[1, 0, 0, 0]], filter: 'grp == {g}' });
    expect(noParams.json.code).toBe(1100);
    const delMissing = await call('/entities/delete', { collectionName: 'f', filter: 'id in {ks}' });
    expect(delMissing.json.code).toBe(1100);
    const both = await call('/entities/query', { collectionName: 'f', filter: 'grp == {g}', exprParams: { g: 1 }, filterParams: { g: 2 }, limit: 10 });
    expect(both.json.code).toBe(1100);
    const notObject = await call('/entities/query', { collectionName: 'f', filter: 'grp == {g}', exprParams: [1], limit: 10 });
    expect(notObject.json.code).toBe(1801);
    const count = await call('/entities/query', { collectionName: 'f', filter: '', outputFields: ['count(*)'] });
    expect((count.json.data as { 'count(*)': number }[])[0]['count(*)']).toBe(ROWS.length);
  });

  it('a partition-key collection: template values that pin the key give the rows of the literal filter', async () => {
    const create = await call('/collections/create', {
      collectionName: 'pk',
      schema: { fields: [
        { fieldName: 'id', dataType: 'Int64', isPrimary: true },
        { fieldName: 'vector', dataType: 'FloatVector', elementTypeParams: { dim: '4' } },
        { fieldName: 'tag', dataType: 'VarChar', isPartitionKey: true, elementTypeParams: { max_length: '8' } },
      ] },
      indexParams: [{ fieldName: 'vector', metricType: 'L2', indexType: 'FLAT' }],
      params: { partitionsNum: 4, consistencyLevel: 'Strong' },
    });
    expect(create.json.code, create.text).toBe(0);
    expect((await call('/partitions/list', { collectionName: 'pk' })).json.data).toEqual(['_default_0', '_default_1', '_default_2', '_default_3']);
    const data = ROWS.map((r) => ({ id: r.id, vector: r.vector, tag: r.tag }));
    expect((await call('/entities/insert', { collectionName: 'pk', data })).json.code).toBe(0);
    const q = (filter: string, exprParams?: Record<string, unknown>) => ids('/entities/query', { collectionName: 'pk', filter, exprParams, outputFields: ['id'], limit: 100 });
    expect(await q('tag in {ts}', { ts: ['t0', 't2'] })).toEqual(where((r) => r.tag !== 't1'));
    expect(await q('tag == {t} and id >= {k}', { t: 't1', k: BIG })).toEqual(where((r) => r.tag === 't1' && r.id >= BIG));
    expect(await q('tag == "t1" and id >= 0')).toEqual(where((r) => r.tag === 't1'));
    const named = await call('/entities/insert', { collectionName: 'pk', partitionName: '_default_0', data: [{ id: 999, vector: [0, 0, 0, 0], tag: 't0' }] });
    expect(named.json.code).toBe(1100);
  });

  it('delete: template values select the rows, Int64 exactly', async () => {
    const del = await call('/entities/delete', { collectionName: 'f', filter: 'id in {ks} or tag == {t}', exprParams: { ks: [BIG, BIG + 2n], t: 't0' } });
    expect(del.json.code, del.text).toBe(0);
    const gone = ROWS.filter((r) => r.id === BIG || r.id === BIG + 2n || r.tag === 't0');
    expect((del.json.data as { deleteCount: number }).deleteCount).toBe(gone.length);
    const left = await ids('/entities/query', { collectionName: 'f', filter: 'id >= 0', outputFields: ['id'], limit: 100 });
    expect(left).toEqual(where((r) => !gone.includes(r)));
  });
});
