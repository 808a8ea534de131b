/**
 * The search iterator (Shoal extension of `entities/search`: `iterator: true`, `batchSize`,
 * `cursor` → `nextCursor`) against a real in-process node with 3 shards, sealed and growing FLAT
 * segments: the pages concatenated equal one exact search for every hit (same order, each key
 * once), also when many hits share a distance across page boundaries; pages keep the first page's
 * snapshot; filters, range windows, `limit` over the iteration and VarChar keys work; bad requests
 * answer 1100.
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

const DIM = 4;
const N = 400;
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}
const r = rng(3);
/**
 * 400 vectors: 250 random ones, then 150 copies of 6 of them (distance ties: many hits share a
 * distance, so page boundaries fall inside runs of equal distances).
 */
const vecs: number[][] = Array.from({ length: 250 }, () => Array.from({ length: DIM }, () => r() * 2 - 1));
for (let i = 250; i < N; i++) vecs.push([...vecs[(i % 6) * 7]]);

let node: ShoalNode;
let app: FastifyInstance;

async function collection(name: string, pk: 'Int64' | 'VarChar', metricType: string, key: (i: number) => number | string, indexType = 'FLAT'): Promise<void> {
  const create = await post(app, '/collections/create', {
    collectionName: name,
    schema: {
      fields: [
        { fieldName: 'pk', dataType: pk, isPrimary: true, elementTypeParams: { max_length: 32 } }, { fieldName: 'n', dataType: 'Int32' },
        { fieldName: 'vector', dataType: 'FloatVector', elementTypeParams: { dim: String(DIM) } },
      ],
    },
    indexParams: [{ fieldName: 'vector', metricType, indexType, ...(indexType === 'HNSW' ? { params: { M: 16, efConstruction: 200 } } : {}) }],
    params: { consistencyLevel: 'Strong', shardsNum: 3 },
  });
  expect(create.json).toEqual({ code: 0, data: {} });
  const data = (from: number, to: number) => vecs.slice(from, to).map((vector, j) => ({ pk: key(from + j), n: from + j, vector }));
  expect((await post(app, '/entities/insert', { collectionName: name, data: data(0, 300) })).json.code).toBe(0);
  expect((await post(app, '/collections/flush', { collectionName: name })).json.code).toBe(0);
  expect((await post(app, '/entities/insert', { collectionName: name, data: data(300, N) })).json.code).toBe(0);
}

beforeAll(async () => {
  const env = createTestEnv();
  node = await startNode({ env, store: new LocalObjectStore(env.disk), indexBuilder: new InlineIndexBuilder(), segmentMaxRows: 70 });
  app = createHttpServer(node.service);
  await collection('l2', 'Int64', 'L2', (i) => i);
  await collection('ip', 'Int64', 'IP', (i) => i);
  await collection('str', 'VarChar', 'L2', (i) => `k"${i}\\'`);
  await collection('hnsw', 'Int64', 'COSINE', (i) => i, 'HNSW');
  await binaryTies('bits', 'Int64', (i) => i * 7919 % 3001);
  await binaryTies('bits_str', 'VarChar', (i) => `k\ud800${i % 2 === 0 ? '\udfff' : ''}${i}`);
}, 60_000);

/**
 * 3000 BinaryVector (dim 8) rows under HAMMING, 1500 at distance 1 from the query 0x00 (one bit
 * set) and 1500 at distance 2 (two bits), keys in no particular order: two runs of 1500 equal
 * distances, so most page boundaries fall inside a run.
 */
async function binaryTies(name: string, pk: 'Int64' | 'VarChar', key: (i: number) => number | string): Promise<void> {
  const create = await post(app, '/collections/create', {
    collectionName: name,
    schema: {
      fields: [
        { fieldName: 'pk', dataType: pk, isPrimary: true, elementTypeParams: { max_length: 32 } },
        { fieldName: 'bits', dataType: 'BinaryVector', elementTypeParams: { dim: '8' } },
      ],
    },
    indexParams: [{ fieldName: 'bits', metricType: 'HAMMING', indexType: 'BIN_FLAT' }],
    params: { consistencyLevel: 'Strong', shardsNum: 3 },
  });
  expect(create.json).toEqual({ code: 0, data: {} });
  const byte = (i: number) => (i < 1500 ? 1 << (i % 8) : (1 << (i % 8)) | (1 << ((i + 3) % 8)));
  const data = Array.from({ length: 3000 }, (_, i) => ({ pk: key(i), bits: [byte(i)] }));
  expect((await post(app, '/entities/insert', { collectionName: name, data: data.slice(0, 2000) })).json.code).toBe(0);
  expect((await post(app, '/collections/flush', { collectionName: name })).json.code).toBe(0);
  expect((await post(app, '/entities/insert', { collectionName: name, data: data.slice(2000) })).json.code).toBe(0);
}

afterAll(async () => {
  await app?.close();
  await node?.close();
});

type Hit = { pk?: unknown; id: number | string; distance: number; n?: number };

/** Every page of an iteration: the hits of each page, and the request bodies sent. */
async function iterate(body: Record<string, unknown>, between?: () => Promise<void>): Promise<{ pages: Hit[][]; bodies: Record<string, unknown>[] }> {
  const pages: Hit[][] = [];
  const bodies: Record<string, unknown>[] = [];
  let cursor: string | undefined;
  for (let i = 0; i < 1000; i++) {
    const req = { ...body, iterator: true, ...(cursor ? { cursor } : {}) };
    bodies.push(req);
    const res = await post(app, '/entities/search', req);
    expect(res.json.code, JSON.stringify(res.json)).toBe(0);
    pages.push(res.json.data as Hit[]);
    cursor = res.json.nextCursor as string | undefined;
    if (!cursor) return { pages, bodies };
    await between?.();
  }
  throw new Error('iteration did not end');
}

async function exact(body: Record<string, unknown>, limit: number): Promise<Hit[]> {
  const res = await post(app, '/entities/search', { ...body, limit });
  expect(res.json.code).toBe(0);
  return res.json.data as Hit[];
}

describe('REST search iterator', () => {
  it('pages concatenated equal one exact search: same order, every key once, ties split across pages (L2 and IP)', async () => {
    for (const collectionName of ['l2', 'ip']) {
      for (const batchSize of [1, 7, 64, 1000]) {
        const body = { collectionName, data: [vecs[7]], outputFields: ['n'] };
        const { pages } = await iterate({ ...body, batchSize });
        const all = pages.flat();
        const truth = await exact(body, N);
        expect(truth.length).toBe(N);
        expect(all.map((h) => h.id)).toEqual(truth.map((h) => h.id));
        expect(all.map((h) => h.distance)).toEqual(truth.map((h) => h.distance));
        expect(new Set(all.map((h) => h.id)).size).toBe(N);
        for (const p of pages.slice(0, -1)) expect(p.length).toBe(batchSize);
      }
    }
  });

  it('pages of HNSW segments searched with ef above their row count equal the exhaustive search (COSINE)', async () => {
    for (let i = 0; i < 1000; i++) {
      const d = await post(app, '/indexes/describe', { collectionName: 'hnsw', indexName: 'vector' });
      if ((d.json.data as { indexState: string }[])[0].indexState === 'Finished') break;
      await new Promise((res) => setTimeout(res, 10));
    }
    const body = { collectionName: 'hnsw', data: [vecs[28]], searchParams: { params: { ef: 500 } } };
    const { pages } = await iterate({ ...body, batchSize: 16 });
    const truth = await exact(body, N);
    const all = pages.flat();
    // Each key once, all of them; the scores of one row may differ in their last float32 bits
    // between HNSW's graph search and its exact scan of few passing rows, so rows of (nearly) equal
    // score may swap places: the sequence of scores is the exhaustive one within the tolerance.
    expect(all.length).toBe(N);
    expect(new Set(all.map((h) => h.id))).toEqual(new Set(truth.map((h) => h.id)));
    all.forEach((h, i) => expect(Math.abs(h.distance - truth[i].distance)).toBeLessThanOrEqual(1e-5));
  });

  it('keeps the first page\'s snapshot: rows inserted or deleted during the iteration do not change it', async () => {
    const body = { collectionName: 'l2', data: [vecs[14]], batchSize: 50 };
    const truth = await exact({ collectionName: 'l2', data: [vecs[14]] }, N);
    let added = 0;
    const { pages } = await iterate(body, async () => {
      expect((await post(app, '/entities/insert', { collectionName: 'l2', data: [{ pk: 10_000 + added, n: 0, vector: vecs[14] }] })).json.code).toBe(0);
      expect((await post(app, '/entities/delete', { collectionName: 'l2', filter: `pk == ${added}` })).json.code).toBe(0);
      added++;
    });
    expect(added).toBeGreaterThan(3);
    expect(pages.flat().map((h) => h.id)).toEqual(truth.map((h) => h.id));
    const now = await exact({ collectionName: 'l2', data: [vecs[14]], filter: 'pk >= 10000' }, 100);
    expect(now.map((h) => h.distance)).toEqual(Array(added).fill(0)); // the new rows are there now, at distance 0
  });

  it('applies the filter and the range window, stops after limit hits, and quotes VarChar keys', async () => {
    const filtered = { collectionName: 'l2', data: [vecs[21]], filter: 'n % 3 != 0', searchParams: { params: { radius: 2.5, range_filter: 0.05 } } };
    const { pages } = await iterate({ ...filtered, batchSize: 9 });
    const truth = await exact(filtered, N);
    expect(truth.length).toBeGreaterThan(20);
    expect(truth.length).toBeLessThan(N);
    expect(pages.flat().map((h) => h.id)).toEqual(truth.map((h) => h.id));
    const limited = await iterate({ collectionName: 'l2', data: [vecs[21]], batchSize: 7, limit: 20 });
    expect(limited.pages.map((p) => p.length)).toEqual([7, 7, 6]);
    expect(limited.pages.flat().map((h) => h.id)).toEqual((await exact({ collectionName: 'l2', data: [vecs[21]] }, 20)).map((h) => h.id));
    const str = await iterate({ collectionName: 'str', data: [vecs[0]], batchSize: 13 });
    const strTruth = await exact({ collectionName: 'str', data: [vecs[0]] }, N);
    expect(str.pages.flat().map((h) => h.id)).toEqual(strTruth.map((h) => h.id));
    expect(new Set(str.pages.flat().map((h) => h.id)).size).toBe(N);
  });

  it('pages runs of equal distances by primary key with a cursor of bounded size (BinaryVector HAMMING, 2 × 1500 ties)', async () => {
    for (const collectionName of ['bits', 'bits_str']) {
      const body = { collectionName, data: [[0]], annsField: 'bits' };
      const { pages, bodies } = await iterate({ ...body, batchSize: 100 });
      const truth = await exact(body, 3000);
      expect(truth.length).toBe(3000);
      expect(new Set(truth.map((h) => h.distance))).toEqual(new Set([1, 2]));
      const all = pages.flat();
      expect(all.map((h) => h.id)).toEqual(truth.map((h) => h.id));
      expect(all.map((h) => h.distance)).toEqual(truth.map((h) => h.distance));
      expect(new Set(all.map((h) => h.id)).size).toBe(3000);
      const sizes = bodies.slice(1).map((b) => (b.cursor as string).length);
      expect(sizes.length).toBe(30);
      // At most MAX_TIE_KEYS (100) keys listed, then the run pages by key alone: the cursor does not grow with the run.
      expect(Math.max(...sizes)).toBeLessThan(3000);
      expect(Math.max(...sizes.slice(3, 14), ...sizes.slice(18))).toBeLessThan(200);
    }
    // The caller's template parameters pass through, even under the names the iterator's own would take.
    const filtered = { collectionName: 'bits', data: [[0]], annsField: 'bits', filter: 'pk >= {shoal_iterator_after}', exprParams: { shoal_iterator_after: 1000 } };
    const { pages } = await iterate({ ...filtered, batchSize: 64 });
    const truth = await exact(filtered, 3000);
    expect(truth.length).toBeGreaterThan(1000);
    expect(pages.flat().map((h) => h.id)).toEqual(truth.map((h) => h.id));
  });

  it('answers 1100 for two query vectors, offset, grouping, a bad batch size, and a malformed or foreign cursor', async () => {
    const ask = async (body: Record<string, unknown>) => (await post(app, '/entities/search', { collectionName: 'l2', data: [vecs[0]], iterator: true, ...body })).json;
    expect((await ask({ data: [vecs[0], vecs[1]] })).code).toBe(1100);
    expect((await ask({ offset: 3 })).code).toBe(1100);
    expect((await ask({ groupingField: 'n' })).code).toBe(1100);
    expect((await ask({ batchSize: 0 })).code).toBe(1100);
    expect((await ask({ batchSize: 20_000 })).code).toBe(1100);
    const bad = await ask({ cursor: 'not a cursor!' });
    expect(bad.code).toBe(1100);
    expect(bad.message).toMatch(/malformed search iterator cursor/);
    const first = await ask({ batchSize: 2 });
    const foreign = await post(app, '/entities/search', { collectionName: 'ip', data: [vecs[0]], cursor: first.nextCursor });
    expect(foreign.json.code).toBe(1100);
    expect(foreign.json.message).toMatch(/another collection/);
  });
});
