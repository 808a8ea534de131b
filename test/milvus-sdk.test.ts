/**
 * The official Milvus Node SDK's RESTful client (`HttpClient` of @zilliz/milvus2-sdk-node) against
 * a real `shoal start` process, on real data (2,000 siftsmall vectors, 128-d, L2):
 * create (full schema and quick setup) → insert → create HNSW index → flush → load → filtered
 * search (FLAT: top-10 equal to brute force; HNSW: high recall) → query / count(*) → get →
 * delete → describe / list / has → drop; and endpoints Shoal lacks answer 3000, never success.
 *
 * The SDK sends `Accept-Type-Allow-Int64: false`, so Int64 keys come back as decimal strings, as
 * from Milvus. Keys here are 2^40 + row number, so they are real 64-bit values.
 */
import { HttpClient } from '@zilliz/milvus2-sdk-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bruteForceL2, loadSiftsmall, recallAtK, row } from './helpers/datasets.ts';
import type { Siftsmall } from './helpers/datasets.ts';
import { ShoalProcess, sleep } from './helpers/node-process.ts';

const ROWS = 2_000;
const DIM = 128;
const BASE_ID = 2 ** 40;
const NQ = 20;
const CATEGORIES = 5;

/** The rows as the SDK gets them: id, category (Int32), label (VarChar), vector. */
function rows(sift: Siftsmall, from: number, to: number): Record<string, unknown>[] {
  return Array.from({ length: to - from }, (_, k) => {
    const i = from + k;
    return { id: BASE_ID + i, category: i % CATEGORIES, label: `L${i % 7}`, vector: row(sift.base.data, DIM, i) };
  });
}

/** Full-schema `createCollection` body (optionally with index params, which load it at once). */
function fullSchema(collectionName: string, indexParams?: unknown[]): Parameters<HttpClient['createCollection']>[0] {
  return {
    collectionName,
    schema: {
      autoID: false,
      fields: [
        { fieldName: 'id', dataType: 'Int64', isPrimary: true },
        { fieldName: 'category', dataType: 'Int32' },
        { fieldName: 'label', dataType: 'VarChar', elementTypeParams: { max_length: 16 } },
        { fieldName: 'vector', dataType: 'FloatVector', elementTypeParams: { dim: DIM } },
      ],
    },
    ...(indexParams ? { indexParams } : {}),
    params: { consistencyLevel: 'Strong' },
  } as Parameters<HttpClient['createCollection']>[0];
}

/** A search hit as the SDK returns it (one list per query when nq > 1). */
interface Hit {
  id: string;
  distance: number;
  category?: number;
  label?: string;
}

describe('official Milvus Node SDK (HttpClient) against shoal start', () => {
  let node: ShoalProcess;
  let client: HttpClient;
  let sift: Siftsmall;

  beforeAll(async () => {
    sift = loadSiftsmall();
    node = await ShoalProcess.start({ args: ['--index-workers', '1'] });
    client = new HttpClient({ endpoint: node.url, timeout: 60_000 });
  });

  afterAll(async () => {
    await node?.dispose();
  });

  /** Inserts the ROWS rows in batches of 500 and checks each answer. */
  async function insertAll(collectionName: string): Promise<void> {
    for (let from = 0; from < ROWS; from += 500) {
      const res = await client.insert({ collectionName, data: rows(sift, from, from + 500) });
      expect(res.code, res.message).toBe(0);
      expect(res.data.insertCount).toBe(500);
      expect(res.data.insertIds).toEqual(Array.from({ length: 500 }, (_, k) => String(BASE_ID + from + k)));
    }
  }

  /** Searches the first NQ siftsmall queries under `filter`; returns hits per query. */
  async function searchQueries(collectionName: string, filter: string, params: Record<string, unknown> = {}): Promise<Hit[][]> {
    const data = Array.from({ length: NQ }, (_, q) => row(sift.query.data, DIM, q));
    const res = await client.search({
      collectionName, data, annsField: 'vector', filter, limit: 10, outputFields: ['category', 'label'],
      searchParams: { metricType: 'L2', params },
    } as Parameters<HttpClient['search']>[0]);
    expect(res.code, res.message).toBe(0);
    expect(res.topks).toEqual(Array(NQ).fill(10));
    return res.data as unknown as Hit[][];
  }

  /** Brute-force top-10 row numbers (and distances) of the first NQ queries among rows passing `keep`. */
  function exact(keep: (i: number) => boolean): { id: number; distance: number }[][] {
    const candidates = Array.from({ length: ROWS }, (_, i) => i).filter(keep);
    return Array.from({ length: NQ }, (_, q) => bruteForceL2(sift.base.data, DIM, candidates, sift.query.data.subarray(q * DIM, (q + 1) * DIM), 10));
  }

  /**
   * Asserts top-10 equal to brute force up to exact ties: at each rank the returned distance is the
   * true one, and a returned id other than the brute-force one is a row that passes the filter
   * and lies at exactly that distance from the query.
   */
  function expectExactTop10(hits: Hit[][], truth: { id: number; distance: number }[][], keep: (i: number) => boolean): void {
    for (let q = 0; q < NQ; q++) {
      expect(hits[q].length).toBe(10);
      expect(new Set(hits[q].map((h) => h.id)).size, `query ${q}: duplicate ids`).toBe(10);
      const query = sift.query.data.subarray(q * DIM, (q + 1) * DIM);
      for (let r = 0; r < 10; r++) {
        const got = hits[q][r];
        const want = truth[q][r];
        const tol = 1e-5 * Math.max(1, want.distance);
        expect(Math.abs(got.distance - want.distance), `query ${q} rank ${r}: distance`).toBeLessThanOrEqual(tol);
        const rowNo = Number(got.id) - BASE_ID;
        if (rowNo !== want.id) {
          expect(keep(rowNo), `query ${q} rank ${r}: row ${rowNo} does not pass the filter`).toBe(true);
          const own = bruteForceL2(sift.base.data, DIM, [rowNo], query, 1)[0].distance;
          expect(Math.abs(own - want.distance), `query ${q} rank ${r}: row ${rowNo} instead of ${want.id} without a tie`).toBeLessThanOrEqual(tol);
        }
      }
    }
  }

  it('full schema, FLAT index at creation: filtered search equals brute force (growing, then sealed)', async () => {
    const name = 'sift_flat';
    const created = await client.createCollection(fullSchema(name, [{ fieldName: 'vector', indexName: 'vector', metricType: 'L2', params: { index_type: 'FLAT' } }]));
    expect(created).toEqual({ code: 0, data: {} });
    const state = await client.getCollectionLoadState({ collectionName: name });
    expect(state.data.loadState).toBe('LoadStateLoaded');
    await insertAll(name);
    const filter = 'label in ["L1", "L2"] and category != 0';
    const keep = (i: number) => (i % 7 === 1 || i % 7 === 2) && i % CATEGORIES !== 0;
    const truth = exact(keep);
    const growing = await searchQueries(name, filter);
    expectExactTop10(growing, truth, keep);
    for (const hit of growing.flat()) {
      expect(['L1', 'L2']).toContain(hit.label);
      expect(hit.category).not.toBe(0);
      expect(typeof hit.id).toBe('string');
    }
    expect((await client.flushCollection({ collectionName: name })).code).toBe(0);
    expectExactTop10(await searchQueries(name, filter), truth, keep);
    expect((await client.dropCollection({ collectionName: name })).code).toBe(0);
  });

  it('full schema → insert → HNSW (M 16, efConstruction 200) → flush → load → search, query, get, delete, describe, drop', async () => {
    const name = 'sift_hnsw';
    expect(await client.createCollection(fullSchema(name))).toEqual({ code: 0, data: {} });
    expect((await client.getCollectionLoadState({ collectionName: name })).data.loadState).toBe('LoadStateNotLoad');
    await insertAll(name);

    const indexed = await client.createIndex({
      collectionName: name,
      indexParams: [{ fieldName: 'vector', indexName: 'vec_hnsw', metricType: 'L2', params: { index_type: 'HNSW', M: '16', efConstruction: '200' } }],
    });
    expect(indexed).toEqual({ code: 0, data: {} });
    expect(await client.flushCollection({ collectionName: name })).toEqual({ code: 0, data: {} });
    expect(await client.loadCollection({ collectionName: name })).toEqual({ code: 0, data: {} });
    let load = await client.getCollectionLoadState({ collectionName: name });
    for (let i = 0; i < 600 && load.data.loadState !== 'LoadStateLoaded'; i++) {
      await sleep(100);
      load = await client.getCollectionLoadState({ collectionName: name });
    }
    expect(load.data).toEqual({ loadState: 'LoadStateLoaded', loadProgress: 100 });
    let idx = await client.describeIndex({ collectionName: name, indexName: 'vec_hnsw' });
    for (let i = 0; i < 600 && idx.data[0].indexState !== 'Finished'; i++) {
      await sleep(100);
      idx = await client.describeIndex({ collectionName: name, indexName: 'vec_hnsw' });
    }
    expect(idx.code).toBe(0);
    expect(idx.data[0]).toMatchObject({ indexName: 'vec_hnsw', fieldName: 'vector', indexType: 'HNSW', metricType: 'L2', indexState: 'Finished', totalRows: ROWS, indexedRows: ROWS, pendingRows: 0 });
    expect((await client.listIndexes({ collectionName: name })).data).toEqual(['vec_hnsw']);

    // Filtered HNSW search: recall@10 against brute force over the rows that pass the filter.
    const hits = await searchQueries(name, 'category == 2', { ef: 64 });
    for (const hit of hits.flat()) expect(hit.category).toBe(2);
    const truth = exact((i) => i % CATEGORIES === 2);
    const recall = recallAtK(hits.map((h) => h.map((x) => Number(x.id) - BASE_ID)), truth.map((t) => t.map((x) => x.id)), 10);
    console.log(`[sdk] HNSW filtered search recall@10 (category == 2, ef 64, ${NQ} queries): ${recall.toFixed(3)}`);
    expect(recall).toBeGreaterThanOrEqual(0.95);

    // query with a filter, count(*), get.
    const q = await client.query({ collectionName: name, filter: `category == 1 and id < ${BASE_ID + 50}`, outputFields: ['id', 'label'], limit: 100 });
    expect(q.code).toBe(0);
    const expectedIds = Array.from({ length: 50 }, (_, i) => i).filter((i) => i % CATEGORIES === 1);
    expect(q.data.map((r) => r.id).sort()).toEqual(expectedIds.map((i) => String(BASE_ID + i)).sort());
    expect(q.data.find((r) => r.id === String(BASE_ID + 6))).toEqual({ id: String(BASE_ID + 6), label: 'L6' });
    const count = await client.query({ collectionName: name, filter: 'category == 1', outputFields: ['count(*)'] });
    expect(count).toMatchObject({ code: 0, data: [{ 'count(*)': ROWS / CATEGORIES }] });
    const got = await client.get({ collectionName: name, id: [BASE_ID + 7, BASE_ID + 1999], outputFields: ['id', 'category', 'vector'] });
    expect(got.code).toBe(0);
    const byId = new Map(got.data.map((r) => [r.id as string, r]));
    expect(byId.get(String(BASE_ID + 7))).toEqual({ id: String(BASE_ID + 7), category: 2, vector: row(sift.base.data, DIM, 7) });
    expect(byId.get(String(BASE_ID + 1999))?.vector).toEqual(row(sift.base.data, DIM, 1999));

    // delete by filter: the rows are gone from count, query and search.
    const del = await client.delete({ collectionName: name, filter: 'category == 2' });
    expect(del.code, del.message).toBe(0);
    const after = await client.query({ collectionName: name, filter: '', outputFields: ['count(*)'] });
    expect(after.data).toEqual([{ 'count(*)': ROWS - ROWS / CATEGORIES }]);
    const none = await client.search({ collectionName: name, data: [row(sift.query.data, DIM, 0)], filter: 'category == 2', limit: 10, outputFields: ['id'] });
    expect(none).toMatchObject({ code: 0, data: [] });

    // describe / list / has / stats.
    const d = await client.describeCollection({ collectionName: name });
    expect(d.code).toBe(0);
    expect(d.data).toMatchObject({ collectionName: name, load: 'LoadStateLoaded', shardsNum: 1, enableDynamicField: false, autoId: false });
    expect(d.data.fields.map((f) => [(f as unknown as { name: string }).name, f.type, f.primaryKey])).toEqual([
      ['id', 'Int64', true], ['category', 'Int32', false], ['label', 'VarChar', false], ['vector', 'FloatVector', false],
    ]);
    expect(d.data.indexes).toEqual([{ indexName: 'vec_hnsw', fieldName: 'vector', metricType: 'L2' }]);
    expect((await client.listCollections()).data).toContain(name);
    expect(await client.hasCollection({ dbName: 'default', collectionName: name })).toEqual({ code: 0, data: { has: true } });
    expect(await client.releaseCollection({ collectionName: name })).toEqual({ code: 0, data: {} });
    expect((await client.getCollectionLoadState({ collectionName: name })).data.loadState).toBe('LoadStateNotLoad');
    expect(await client.dropCollection({ collectionName: name })).toEqual({ code: 0, data: {} });
    expect(await client.hasCollection({ dbName: 'default', collectionName: name })).toEqual({ code: 0, data: { has: false } });
    expect((await client.listCollections()).data).not.toContain(name);
    const gone = await client.describeCollection({ collectionName: name });
    expect(gone.code).toBe(100);
    expect(gone.message).toContain(name);
  });

  it('quick setup: id + vector, loaded at once; Int64 keys beyond 2^53 stay exact as strings', async () => {
    const name = 'sift_quick';
    expect(await client.createCollection({ collectionName: name, dimension: DIM, metricType: 'L2' })).toEqual({ code: 0, data: {} });
    const d = await client.describeCollection({ collectionName: name });
    expect(d.data.fields.map((f) => [(f as unknown as { name: string }).name, f.type])).toEqual([['id', 'Int64'], ['vector', 'FloatVector']]);
    expect(d.data.load).toBe('LoadStateLoaded');
    const data: Record<string, unknown>[] = Array.from({ length: 200 }, (_, i) => ({ id: i, vector: row(sift.base.data, DIM, i) }));
    const big = '9007199254740993'; // 2^53 + 1: not representable as a JS number
    data.push({ id: big, vector: row(sift.base.data, DIM, 500) });
    const ins = await client.insert({ collectionName: name, data });
    expect(ins.code, ins.message).toBe(0);
    expect(ins.data.insertCount).toBe(201);
    expect((ins.data.insertIds as string[]).at(-1)).toBe(big);
    const got = await client.get({ collectionName: name, id: big as unknown as string[], outputFields: ['id'] });
    expect(got).toMatchObject({ code: 0, data: [{ id: big }] });
    const res = await client.search({ collectionName: name, data: [row(sift.base.data, DIM, 500)], limit: 3, outputFields: [] });
    expect(res.code).toBe(0);
    expect((res.data as unknown as Hit[])[0]).toEqual({ id: big, distance: 0 });
    const dup = await client.insert({ collectionName: name, data: [{ id: big, vector: row(sift.base.data, DIM, 1) }] });
    expect(dup.code).toBe(1100);
    expect(dup.message).toContain('9007199254740993');
    expect((await client.dropCollection({ collectionName: name })).code).toBe(0);
  });

  it('SDK endpoints Shoal lacks answer 3000 "not supported", never a fake success', async () => {
    const answers = [
      await client.listAliases({}),
      await client.createAlias({ collectionName: 'x', aliasName: 'y' }),
      await client.listUsers(),
      await client.createUser({ userName: 'alice', password: 'secret-password' }),
      await client.listRoles(),
      await client.renameCollection({ collectionName: 'x', newCollectionName: 'y' }),
    ];
    for (const a of answers) {
      expect(a.code, JSON.stringify(a)).toBe(3000);
      expect(a.message).toMatch(/not supported/);
    }
    expect((await fetch(`${node.url}/healthz`)).status).toBe(200);
  });
});
