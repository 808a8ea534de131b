/**
 * The query iterator (Shoal's extension of `POST /v2/vectordb/entities/query`: `iterator`,
 * `batchSize`, `cursor` → `nextCursor`) against a real in-process node with 2 shards and small
 * segments (sealed and growing rows): every row of the first page's snapshot comes back exactly
 * once, in ascending primary-key order across shards, however many rows there are, while another
 * writer keeps inserting and deleting; filters, template parameters, partitions, outputFields and
 * `limit` apply; bad cursors and options answer 1100.
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

const N = 100_000;
const INSERT_BATCH = 20_000;

let node: ShoalNode;
let app: FastifyInstance;

/** Rows `from..to-1`: id, a 4-d vector, `grp` = id mod 10, `tag` = "t<id mod 7>". */
function rows(from: number, to: number): Record<string, unknown>[] {
  return Array.from({ length: to - from }, (_, j) => {
    const id = from + j;
    return { id, vector: [id % 3, 1, (id % 5) / 5, 0.5], grp: id % 10, tag: `t${id % 7}` };
  });
}

async function ok(path: string, body: Record<string, unknown>): Promise<Record<string, unknown> & { data?: unknown }> {
  const r = await post(app, path, body);
  expect(r.json.code, `${path}: ${r.text.slice(0, 300)}`).toBe(0);
  return r.json;
}

/** Pages through a whole iteration; returns every page's rows. `between` runs after each page. */
async function iterate(body: Record<string, unknown>, between?: (page: number) => Promise<void>): Promise<Record<string, unknown>[][]> {
  const pages: Record<string, unknown>[][] = [];
  let cursor: string | undefined;
  do {
    const r = await ok('/entities/query', { ...body, iterator: true, ...(cursor ? { cursor } : {}) });
    pages.push(r.data as Record<string, unknown>[]);
    cursor = r.nextCursor as string | undefined;
    if (cursor !== undefined) expect(typeof cursor).toBe('string');
    if (between) await between(pages.length);
  } while (cursor !== undefined);
  return pages;
}

beforeAll(async () => {
  const env = createTestEnv();
  node = await startNode({ env, store: new LocalObjectStore(env.disk), indexBuilder: new InlineIndexBuilder(), segmentMaxRows: 30_000 });
  app = createHttpServer(node.service);
  await ok('/collections/create', {
    collectionName: 'it',
    schema: { fields: [
      { fieldName: 'id', dataType: 'Int64', isPrimary: true },
      { fieldName: 'vector', dataType: 'FloatVector', elementTypeParams: { dim: '4' } },
      { fieldName: 'grp', dataType: 'Int32' },
      { fieldName: 'tag', dataType: 'VarChar', elementTypeParams: { max_length: '8' } },
    ] },
    indexParams: [{ fieldName: 'vector', metricType: 'L2', indexType: 'FLAT' }],
    params: { shardsNum: 2, consistencyLevel: 'Strong' },
  });
  await ok('/partitions/create', { collectionName: 'it', partitionName: 'p1' });
  for (let from = 0; from < N; from += INSERT_BATCH) await ok('/entities/insert', { collectionName: 'it', data: rows(from, from + INSERT_BATCH) });
}, 120_000);

afterAll(async () => {
  await app?.close();
  await node?.close();
});

describe('REST v2 query iterator', () => {
  it('returns each of 100,000 rows of the snapshot exactly once, in key order, while inserts and deletes go on', async () => {
    let nextId = 1_000_000;
    let deleted = 0;
    let writing = true;
    /** Another writer, concurrent with the iteration from its first page on: inserts new rows, deletes old ones. */
    const write = async () => {
      while (writing) {
        await ok('/entities/insert', { collectionName: 'it', data: rows(nextId, nextId + 500) });
        nextId += 500;
        await ok('/entities/delete', { collectionName: 'it', filter: `id in [${deleted}, ${deleted + 1}]` });
        deleted += 2;
        await new Promise((r) => setTimeout(r, 1));
      }
    };
    let writer: Promise<void> | undefined;
    let writesSeen = 0;
    const pages = await iterate({ collectionName: 'it', batchSize: 7_000, outputFields: ['grp'] }, async (page) => {
      if (page === 1) writer = write();
      // Between pages, also write in the iterator's own flow (so every page follows new writes).
      await ok('/entities/insert', { collectionName: 'it', data: rows(2_000_000 + writesSeen * 10, 2_000_000 + writesSeen * 10 + 10) });
      writesSeen++;
    });
    writing = false;
    await writer;
    expect(nextId).toBeGreaterThan(1_000_000);
    expect(deleted).toBeGreaterThan(0);
    expect(pages.length).toBe(Math.ceil(N / 7_000));
    expect(pages.slice(0, -1).every((p) => p.length === 7_000)).toBe(true);
    const ids = pages.flat().map((r) => Number(r.id));
    expect(ids.length).toBe(N);
    for (let i = 0; i < N; i++) if (ids[i] !== i) throw new Error(`row ${i} of the iteration has id ${ids[i]}`);
    expect(pages[0][5]).toEqual({ id: 5, grp: 5 });
    // A new iteration sees the writes made meanwhile.
    const count = await ok('/entities/query', { collectionName: 'it', filter: '', outputFields: ['count(*)'] });
    expect((count.data as { 'count(*)': number }[])[0]['count(*)']).toBe(N - deleted + (nextId - 1_000_000) + writesSeen * 10);
    // Put the deleted rows back for the other tests.
    await ok('/entities/upsert', { collectionName: 'it', data: rows(0, deleted) });
    await ok('/entities/delete', { collectionName: 'it', filter: 'id >= 1000000' });
  }, 240_000);

  it('applies the filter, template parameters, outputFields, partitions and the overall limit', async () => {
    await ok('/entities/insert', { collectionName: 'it', partitionName: 'p1', data: rows(500_000, 500_100) });
    const pages = await iterate({ collectionName: 'it', filter: 'grp == {g} and id < {max}', exprParams: { g: 3, max: 40_000 }, batchSize: 999, outputFields: ['tag'] });
    const got = pages.flat();
    const want = rows(0, 40_000).filter((r) => r.grp === 3).map((r) => ({ id: r.id, tag: r.tag }));
    expect(got).toEqual(want);
    expect(pages.length).toBe(Math.ceil(want.length / 999) + (want.length % 999 === 0 ? 1 : 0));

    const inP1 = (await iterate({ collectionName: 'it', partitionNames: ['p1'], batchSize: 30, outputFields: ['grp'] })).flat();
    expect(inP1.map((r) => r.id)).toEqual(rows(500_000, 500_100).map((r) => r.id));

    const limited = await iterate({ collectionName: 'it', filter: 'tag == "t1"', batchSize: 40, limit: 100, outputFields: ['id'] });
    expect(limited.map((p) => p.length)).toEqual([40, 40, 20]);
    expect(limited.flat()).toEqual(rows(0, 1_000).filter((r) => r.tag === 't1').slice(0, 100).map((r) => ({ id: r.id })));

    const none = await ok('/entities/query', { collectionName: 'it', iterator: true, filter: 'grp > 100' });
    expect(none.data).toEqual([]);
    expect(none.nextCursor).toBeUndefined();
    await ok('/entities/delete', { collectionName: 'it', filter: 'id >= 500000' });
  }, 60_000);

  it('answers 1100 for a malformed or foreign cursor and for options an iterator does not take', async () => {
    const bad = async (body: Record<string, unknown>, pattern: RegExp) => {
      const r = await post(app, '/entities/query', { collectionName: 'it', ...body });
      expect(r.json.code, r.text).toBe(1100);
      expect(r.json.message).toMatch(pattern);
    };
    await bad({ cursor: 'not a cursor!' }, /malformed query iterator cursor/);
    await bad({ cursor: Buffer.from('{"v":1}').toString('base64url') }, /malformed query iterator cursor/);
    await bad({ cursor: Buffer.from('hello').toString('base64url') }, /malformed query iterator cursor/);
    await bad({ iterator: true, offset: 5 }, /offset/);
    await bad({ iterator: true, batchSize: 0 }, /batchSize/);
    await bad({ iterator: true, outputFields: ['count(*)'] }, /count\(\*\)/);
    await bad({ iterator: true, filter: 'grp == {g}' }, /g/);

    const first = await ok('/entities/query', { collectionName: 'it', iterator: true, batchSize: 2 });
    const cursor = first.nextCursor as string;
    await ok('/collections/create', { collectionName: 'other', dimension: 4 });
    const foreign = await post(app, '/entities/query', { collectionName: 'other', cursor });
    expect(foreign.json.code).toBe(1100);
    expect(foreign.json.message).toMatch(/another collection/);
    // The same cursor continues on its own collection, after the first page.
    const second = await ok('/entities/query', { collectionName: 'it', cursor, batchSize: 2 });
    expect((second.data as { id: number }[]).map((r) => r.id)).toEqual([2, 3]);
  });
});
