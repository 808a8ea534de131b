/**
 * Range search over REST v2 against a real in-process node (the cluster router over an in-memory
 * disk, inline index builds): `searchParams.params.radius` / `range_filter` (numbers or numeric
 * strings) reach every segment — indexed, sealed and growing — and the answer is Milvus's: of the
 * rows inside the window, the best `limit`, with `topks` counting them; bad windows answer 1100.
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
/** Deterministic pseudo-random vectors, values in [−1, 1) (distinct distances: no ties to order). */
function randomVectors(count: number, seed: number): number[][] {
  let s = seed >>> 0;
  return Array.from({ length: count }, () => Array.from({ length: DIM }, () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 2 ** 31 - 1; }));
}
const vecs = randomVectors(300, 5);
/** Squared L2 distance of the float32 values (as stored), in float64. */
const l2 = (a: number[], b: number[]) => a.reduce((acc, x, i) => acc + (Math.fround(x) - Math.fround(b[i])) ** 2, 0);

/** Brute force: ids of rows with range_filter <= d < radius, nearest first (ties by id), the first `limit`. */
function bruteForce(q: number[], radius: number, rangeFilter: number, limit: number): number[] {
  return vecs.map((v, i) => ({ i, d: l2(q, v) })).filter((x) => rangeFilter <= x.d && x.d < radius)
    .sort((a, b) => a.d - b.d || a.i - b.i).slice(0, limit).map((x) => x.i);
}

let node: ShoalNode;
let app: FastifyInstance;

beforeAll(async () => {
  const env = createTestEnv();
  node = await startNode({ env, store: new LocalObjectStore(env.disk), indexBuilder: new InlineIndexBuilder(), segmentMaxRows: 100 });
  app = createHttpServer(node.service);
  const create = await post(app, '/collections/create', {
    collectionName: 'r',
    schema: { fields: [{ fieldName: 'id', dataType: 'Int64', isPrimary: true }, { fieldName: 'vector', dataType: 'FloatVector', elementTypeParams: { dim: String(DIM) } }] },
    indexParams: [{ fieldName: 'vector', metricType: 'L2', indexType: 'IVF_FLAT', params: { nlist: '8' } }],
    params: { consistencyLevel: 'Strong' },
  });
  expect(create.json).toEqual({ code: 0, data: {} });
  const rows = (from: number, to: number) => vecs.slice(from, to).map((v, j) => ({ id: from + j, vector: v }));
  expect((await post(app, '/entities/insert', { collectionName: 'r', data: rows(0, 250) })).json.code).toBe(0);
  expect((await post(app, '/collections/flush', { collectionName: 'r' })).json.code).toBe(0);
  for (let i = 0; i < 500; i++) {
    const d = await post(app, '/indexes/describe', { collectionName: 'r', indexName: 'vector' });
    if ((d.json.data as { indexState: string }[])[0].indexState === 'Finished') break;
    await new Promise((r) => setTimeout(r, 10));
  }
  // Growing rows beside the sealed, indexed ones.
  expect((await post(app, '/entities/insert', { collectionName: 'r', data: rows(250, 300) })).json.code).toBe(0);
});

afterAll(async () => {
  await app?.close();
  await node?.close();
});

type Hit = { id: number; distance: number };

describe('REST v2 range search', () => {
  it('returns, per query, the best limit rows inside range_filter <= distance < radius, with topks', async () => {
    const qs = [vecs[3], vecs[280], [0, 0, 0, 0]];
    const radius = 1.5;
    const rangeFilter = 0.25;
    for (const params of [{ nprobe: 8, radius, range_filter: rangeFilter }, { nprobe: '8', radius: '1.5', range_filter: '0.25' }]) {
      const r = await post(app, '/entities/search', { collectionName: 'r', data: qs, limit: 7, searchParams: { metricType: 'L2', params } });
      expect(r.json.code).toBe(0);
      const truth = qs.map((q) => bruteForce(q, radius, rangeFilter, 7));
      expect(r.json.topks).toEqual(truth.map((t) => t.length));
      const hits = r.json.data as Hit[];
      expect(hits.map((h) => h.id)).toEqual(truth.flat());
      expect(hits.slice(0, truth[0].length).some((h) => h.id === 3)).toBe(false); // distance 0 < range_filter
      let at = 0;
      qs.forEach((q, i) => truth[i].forEach((id) => {
        expect(hits[at].distance).toBeCloseTo(l2(q, vecs[id]), 5);
        expect(hits[at].distance >= rangeFilter && hits[at].distance < radius).toBe(true);
        at++;
      }));
    }
    // radius alone: no near bound, so the growing row 280 itself (distance 0) comes first.
    const r = await post(app, '/entities/search', { collectionName: 'r', data: [vecs[280]], limit: 300, searchParams: { params: { nprobe: 8, radius: 0.5 } } });
    const ids = (r.json.data as Hit[]).map((h) => h.id);
    expect(ids[0]).toBe(280);
    expect(ids).toEqual(bruteForce(vecs[280], 0.5, -Infinity, 300));
    expect(ids.length).toBeLessThan(300);
  });

  it('a window with no row answers data [] without topks; bad windows answer 1100', async () => {
    const none = await post(app, '/entities/search', { collectionName: 'r', data: [vecs[0]], limit: 5, searchParams: { params: { radius: 0 } } });
    expect(none.json).toEqual({ code: 0, cost: 0, data: [] });
    const order = await post(app, '/entities/search', { collectionName: 'r', data: [vecs[0]], limit: 5, searchParams: { params: { radius: 1, range_filter: 2 } } });
    expect(order.json.code).toBe(1100);
    expect(order.json.message).toMatch(/range_filter=2 must be less than radius=1 for metric L2/);
    const alone = await post(app, '/entities/search', { collectionName: 'r', data: [vecs[0]], limit: 5, searchParams: { params: { range_filter: 2 } } });
    expect(alone.json.code).toBe(1100);
    expect(alone.json.message).toMatch(/needs radius/);
    const text = await post(app, '/entities/search', { collectionName: 'r', data: [vecs[0]], limit: 5, searchParams: { params: { radius: 'far' } } });
    expect(text.json.code).toBe(1100);
    expect(text.json.message).toMatch(/radius="far" is not a finite number/);
  });
});
