/**
 * Multi-vector collections and hybrid search over REST v2 against a real in-process node (3 shards,
 * in-memory disk, inline index builds, sealed segments of 60 rows beside growing ones): a schema
 * with two FloatVector fields (L2, IP) and a BinaryVector field (HAMMING), one index per field,
 * load only once every field is indexed, search of each field by `annsField`, and
 * `entities/hybrid_search` with RRF and weighted rerankers equal to the fusion computed here by
 * brute force; bad requests answer clear errors.
 */
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestEnv } from '@shoal/actors/node';
import { ShoalClient } from '@shoal/client';
import type { ClientPlatform } from '@shoal/client';
import { InlineIndexBuilder } from '@shoal/ann';
import { startNode } from '@shoal/cluster';
import type { ShoalNode } from '@shoal/cluster';
import { LocalObjectStore } from '@shoal/shard';
import { createHttpServer } from '../src/http/index.ts';
import { post } from './http-helpers.ts';

const N = 300;
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}
const r = rng(7);
interface Row { id: number; tag: number; dense: number[]; img: number[]; bin: number[] }
const rows: Row[] = Array.from({ length: N }, (_, id) => ({
  id, tag: id % 20,
  dense: Array.from({ length: 4 }, () => r() * 2 - 1),
  img: Array.from({ length: 3 }, () => r() * 2 - 1),
  bin: Array.from({ length: 2 }, () => Math.floor(r() * 256)),
}));

const f = Math.fround;
const l2 = (a: number[], b: number[]) => a.reduce((acc, x, i) => acc + (f(x) - f(b[i])) ** 2, 0);
const ip = (a: number[], b: number[]) => a.reduce((acc, x, i) => acc + f(x) * f(b[i]), 0);
const popcount = (x: number) => { let c = 0; for (let v = x; v; v &= v - 1) c++; return c; };
const hamming = (a: number[], b: number[]) => a.reduce((acc, x, i) => acc + popcount(x ^ b[i]), 0);

type Field = 'dense' | 'img' | 'bin';
const score = (field: Field, q: number[], row: Row) => (field === 'dense' ? l2(q, row.dense) : field === 'img' ? ip(q, row.img) : hamming(q, row.bin));
/** Brute-force top-`limit` of one field (distances ascending, IP descending; ties by id) among rows passing `keep`. */
function top(field: Field, q: number[], limit: number, keep: (row: Row) => boolean = () => true): { id: number; s: number }[] {
  const sign = field === 'img' ? -1 : 1;
  return rows.filter(keep).map((row) => ({ id: row.id, s: score(field, q, row) })).sort((a, b) => sign * (a.s - b.s) || a.id - b.id).slice(0, limit);
}
/** RRF (Σ 1/(k + rank), rank from 1) over lists; best first, ties by id. */
function rrf(lists: { id: number }[][], k: number): { id: number; s: number }[] {
  const m = new Map<number, number>();
  for (const list of lists) list.forEach((h, i) => m.set(h.id, (m.get(h.id) ?? 0) + 1 / (k + i + 1)));
  return [...m].map(([id, s]) => ({ id, s })).sort((a, b) => b.s - a.s || a.id - b.id);
}
/** Milvus's normalization with norm_score (util.go getNormalizeFunc). */
const norm = (metric: string, s: number) => (metric === 'COSINE' ? (1 + s) / 2 : metric === 'IP' ? 0.5 + Math.atan(s) / Math.PI : 1 - (2 * Math.atan(s)) / Math.PI);

let node: ShoalNode;
let app: FastifyInstance;
type Hit = { id: number; distance: number } & Record<string, unknown>;
async function call(path: string, body: Record<string, unknown>): Promise<{ code: number; data: unknown; topks?: number[]; message?: string }> {
  const res = await post(app, path, body);
  return { code: res.json.code as number, data: res.json.data, topks: res.json.topks as number[] | undefined, message: res.json.message as string | undefined };
}
const hybrid = (body: Record<string, unknown>) => call('/entities/hybrid_search', { collectionName: 'multi', ...body });

beforeAll(async () => {
  const env = createTestEnv();
  node = await startNode({ env, store: new LocalObjectStore(env.disk), indexBuilder: new InlineIndexBuilder(), segmentMaxRows: 60 });
  app = createHttpServer(node.service);
}, 60_000);

afterAll(async () => {
  await app?.close();
  await node?.close();
});

describe('multi-vector collections over REST', () => {
  it('create with three vector fields, insert, index each field, load only when all are indexed', async () => {
    const create = await call('/collections/create', {
      collectionName: 'multi',
      schema: { fields: [
        { fieldName: 'id', dataType: 'Int64', isPrimary: true }, { fieldName: 'tag', dataType: 'Int32' },
        { fieldName: 'dense', dataType: 'FloatVector', elementTypeParams: { dim: '4' } },
        { fieldName: 'img', dataType: 'FloatVector', elementTypeParams: { dim: '3' } },
        { fieldName: 'bin', dataType: 'BinaryVector', elementTypeParams: { dim: '16' } },
      ] },
      params: { consistencyLevel: 'Strong', shardsNum: 3 },
    });
    expect(create.code, create.message).toBe(0);
    const missing = await call('/entities/insert', { collectionName: 'multi', data: [{ id: 9999, tag: 0, dense: [0, 0, 0, 0], img: [0, 0, 0] }] });
    expect(missing.code).not.toBe(0);
    expect(missing.message).toMatch(/bin/);
    expect((await call('/entities/insert', { collectionName: 'multi', data: rows.slice(0, 240) })).code).toBe(0);
    expect((await call('/collections/flush', { collectionName: 'multi' })).code).toBe(0);
    expect((await call('/entities/insert', { collectionName: 'multi', data: rows.slice(240) })).code).toBe(0);

    const first = await call('/indexes/create', { collectionName: 'multi', indexParams: [
      { fieldName: 'dense', indexName: 'dense_idx', metricType: 'L2', indexType: 'FLAT' },
      { fieldName: 'img', indexName: 'img_idx', metricType: 'IP', indexType: 'IVF_FLAT', params: { nlist: 4 } },
    ] });
    expect(first.code, first.message).toBe(0);
    const early = await call('/collections/load', { collectionName: 'multi' });
    expect(early.code).toBe(700);
    expect(early.message).toMatch(/"bin"/);
    expect((await call('/indexes/create', { collectionName: 'multi', indexParams: [{ fieldName: 'bin', indexName: 'bin_idx', metricType: 'HAMMING', indexType: 'BIN_FLAT' }] })).code).toBe(0);
    const again = await call('/indexes/create', { collectionName: 'multi', indexParams: [{ fieldName: 'dense', indexName: 'dense_idx', metricType: 'IP', indexType: 'FLAT' }] });
    expect(again.code).not.toBe(0);
    expect(again.message).toMatch(/at most one distinct index is allowed per field/);
    expect((await call('/indexes/list', { collectionName: 'multi' })).data).toEqual(['dense_idx', 'img_idx', 'bin_idx']);
    for (const [name, field, type] of [['dense_idx', 'dense', 'FLAT'], ['img_idx', 'img', 'IVF_FLAT'], ['bin_idx', 'bin', 'BIN_FLAT']]) {
      for (let i = 0; i < 500; i++) {
        const [d] = (await call('/indexes/describe', { collectionName: 'multi', indexName: name })).data as Record<string, unknown>[];
        expect(d).toMatchObject({ fieldName: field, indexType: type, totalRows: 240 });
        if (d.indexState === 'Finished') break;
        await new Promise((res) => setTimeout(res, 10));
      }
    }
    const load = await call('/collections/load', { collectionName: 'multi' });
    expect(load.code, load.message).toBe(0);
    const described = (await call('/collections/describe', { collectionName: 'multi' })).data as { indexes: { fieldName: string }[] };
    expect(described.indexes.map((i) => i.fieldName)).toEqual(['dense', 'img', 'bin']);
  });

  it('searches each vector field by annsField, equal to brute force', async () => {
    const q = { dense: rows[5].dense, img: [0.3, -0.2, 0.9], bin: rows[77].bin };
    for (const field of ['dense', 'img'] as const) {
      const res = await call('/entities/search', {
        collectionName: 'multi', annsField: field, data: [q[field]], limit: 10, outputFields: ['tag', field],
        searchParams: { params: { nprobe: 4 } },
      });
      expect(res.code, res.message).toBe(0);
      const hits = res.data as Hit[];
      expect(hits.map((h) => Number(h.id))).toEqual(top(field, q[field], 10).map((t) => t.id));
      for (const h of hits) {
        expect(h.distance).toBeCloseTo(score(field, q[field], rows[Number(h.id)]), 4);
        expect(h.tag).toBe(rows[Number(h.id)].tag);
        expect((h[field] as number[]).map(f)).toEqual(rows[Number(h.id)][field].map(f));
      }
    }
    const bin = await call('/entities/search', { collectionName: 'multi', annsField: 'bin', data: [q.bin], limit: 500, filter: 'tag == 3' });
    expect(bin.code, bin.message).toBe(0);
    const binHits = bin.data as Hit[];
    expect(binHits.map((h) => [Number(h.id), h.distance]).sort((a, b) => a[0] - b[0])).toEqual(top('bin', q.bin, 500, (row) => row.tag === 3).map((t) => [t.id, t.s]).sort((a, b) => a[0] - b[0]));
  });

  it('grouping search and the search iterator work on the field annsField names', async () => {
    const q = [0.1, -0.4, 0.8];
    const grouped = await call('/entities/search', {
      collectionName: 'multi', annsField: 'img', data: [q], limit: 4, groupingField: 'tag', groupSize: 2, strictGroupSize: true, searchParams: { params: { nprobe: 4 } },
    });
    expect(grouped.code, grouped.message).toBe(0);
    const groups = new Map<number, number[]>();
    for (const t of top('img', q, N)) {
      const g = rows[t.id].tag;
      const ids = groups.get(g);
      if (ids) { if (ids.length < 2) ids.push(t.id); } else if (groups.size < 4) groups.set(g, [t.id]);
    }
    expect((grouped.data as Hit[]).map((h) => Number(h.id))).toEqual([...groups.values()].flat());
    const seen: number[] = [];
    let cursor: string | undefined;
    do {
      const page = await post(app, '/entities/search', { collectionName: 'multi', annsField: 'dense', data: [rows[9].dense], iterator: true, batchSize: 7, limit: 30, ...(cursor ? { cursor } : {}) });
      expect(page.json.code).toBe(0);
      seen.push(...(page.json.data as Hit[]).map((h) => Number(h.id)));
      cursor = page.json.nextCursor as string | undefined;
    } while (cursor);
    expect(seen).toEqual(top('dense', rows[9].dense, 30).map((t) => t.id));
  });

  it('refuses a search without annsField (listing the vector fields) or with an unknown one', async () => {
    const none = await call('/entities/search', { collectionName: 'multi', data: [[0, 0, 0, 0]], limit: 3 });
    expect(none.code).toBe(1100);
    expect(none.message).toMatch(/annsField must name the one to search \(one of dense, img, bin\)/);
    const unknown = await call('/entities/search', { collectionName: 'multi', annsField: 'nope', data: [[0, 0, 0, 0]], limit: 3 });
    expect(unknown.code).toBe(1700);
    expect(unknown.message).toMatch(/annsField "nope" does not exist.*vector fields: dense, img, bin/);
    const scalar = await call('/entities/search', { collectionName: 'multi', annsField: 'tag', data: [[0, 0, 0, 0]], limit: 3 });
    expect(scalar.code).toBe(1100);
    const dim = await call('/entities/search', { collectionName: 'multi', annsField: 'img', data: [[0, 0, 0, 0]], limit: 3 });
    expect(dim.code).toBe(1100);
    expect(dim.message).toMatch(/"img" has dimension 3/);
  });
});

describe('hybrid_search over REST', () => {
  const qd = [rows[10].dense, rows[200].dense];
  const qi = [[0.5, 0.5, -0.1], rows[260].img];

  it('RRF: Σ 1/(k + rank) over the sub-searches, per query vector, with offset and output fields', async () => {
    for (const k of [60, 5.5]) {
      const res = await hybrid({
        search: [
          { annsField: 'dense', data: qd, limit: 15 },
          { annsField: 'img', data: qi, limit: 12, filter: 'tag < 15', params: { nprobe: 4 } },
        ],
        rerank: { strategy: 'rrf', params: { k } }, limit: 8, offset: 2, outputFields: ['tag'],
      });
      expect(res.code, res.message).toBe(0);
      const hits = res.data as Hit[];
      const truth = [0, 1].map((q) => rrf([top('dense', qd[q], 15), top('img', qi[q], 12, (row) => row.tag < 15)], k).slice(2, 10));
      expect(res.topks).toEqual(truth.map((t) => t.length));
      expect(hits.map((h) => Number(h.id))).toEqual(truth.flat().map((t) => t.id));
      hits.forEach((h, i) => {
        expect(h.distance).toBeCloseTo(truth.flat()[i].s, 6);
        expect(h.tag).toBe(rows[Number(h.id)].tag);
      });
    }
    const byDefault = await hybrid({ search: [{ annsField: 'dense', data: [qd[0]], limit: 5 }, { annsField: 'dense', data: [qd[1]], limit: 5 }], limit: 10 });
    expect(byDefault.code, byDefault.message).toBe(0);
    expect((byDefault.data as Hit[]).map((h) => Number(h.id))).toEqual(rrf([top('dense', qd[0], 5), top('dense', qd[1], 5)], 60).slice(0, 10).map((t) => t.id));
  });

  it('weighted with norm_score: Σ w·norm(score) over L2, IP and HAMMING, descending', async () => {
    const qb = rows[33].bin;
    const weights = [0.2, 0.7, 0.5];
    const res = await hybrid({
      search: [
        { annsField: 'dense', data: [qd[0]], limit: 20 },
        { annsField: 'img', data: [qi[0]], limit: 20, metricType: 'IP', params: { nprobe: 4 } },
        { annsField: 'bin', data: [qb], limit: 100, filter: 'tag in [1, 2]' },
      ],
      rerank: { strategy: 'weighted', params: { weights, norm_score: true } }, limit: 12,
    });
    expect(res.code, res.message).toBe(0);
    const lists = [top('dense', qd[0], 20), top('img', qi[0], 20), top('bin', qb, 100, (row) => row.tag === 1 || row.tag === 2)];
    const metrics = ['L2', 'IP', 'HAMMING'];
    const m = new Map<number, number>();
    lists.forEach((list, i) => list.forEach((h) => m.set(h.id, (m.get(h.id) ?? 0) + weights[i] * norm(metrics[i], h.s))));
    const truth = [...m].map(([id, s]) => ({ id, s })).sort((a, b) => b.s - a.s || a.id - b.id).slice(0, 12);
    const hits = res.data as Hit[];
    expect(hits.map((h) => h.distance)).toEqual([...hits.map((h) => h.distance)].sort((a, b) => b - a));
    hits.forEach((h, i) => expect(h.distance).toBeCloseTo(truth[i].s, 5));
    expect(new Set(hits.map((h) => Number(h.id)))).toEqual(new Set(truth.map((t) => t.id)));
  });

  it('weighted without norm_score: mixed metrics turn distances into 1 − 2·atan(d)/π; distances only stay raw, smallest first', async () => {
    const mixed = await hybrid({
      search: [{ annsField: 'dense', data: [qd[1]], limit: 10 }, { annsField: 'img', data: [qi[1]], limit: 10, params: { nprobe: 4 } }],
      rerank: { strategy: 'weighted', params: { weights: [1, 0.5] } }, limit: 5,
    });
    expect(mixed.code, mixed.message).toBe(0);
    const m = new Map<number, number>();
    top('dense', qd[1], 10).forEach((h) => m.set(h.id, (m.get(h.id) ?? 0) + 1 - (2 * Math.atan(h.s)) / Math.PI));
    top('img', qi[1], 10).forEach((h) => m.set(h.id, (m.get(h.id) ?? 0) + 0.5 * h.s));
    const truth = [...m].map(([id, s]) => ({ id, s })).sort((a, b) => b.s - a.s || a.id - b.id).slice(0, 5);
    (mixed.data as Hit[]).forEach((h, i) => {
      expect(Number(h.id)).toBe(truth[i].id);
      expect(h.distance).toBeCloseTo(truth[i].s, 5);
    });
    const l2only = await hybrid({
      search: [{ annsField: 'dense', data: [qd[0]], limit: 6 }, { annsField: 'dense', data: [qd[1]], limit: 6 }],
      rerank: { strategy: 'weighted', params: { weights: [0.5, 1] } }, limit: 4,
    });
    expect(l2only.code, l2only.message).toBe(0);
    const sums = new Map<number, number>();
    top('dense', qd[0], 6).forEach((h) => sums.set(h.id, (sums.get(h.id) ?? 0) + 0.5 * h.s));
    top('dense', qd[1], 6).forEach((h) => sums.set(h.id, (sums.get(h.id) ?? 0) + h.s));
    const asc = [...sums].map(([id, s]) => ({ id, s })).sort((a, b) => a.s - b.s || a.id - b.id).slice(0, 4);
    expect((l2only.data as Hit[]).map((h) => Number(h.id))).toEqual(asc.map((t) => t.id));
  });

  it('client.hybridSearch returns one list of fused hits per query vector', async () => {
    const platform: ClientPlatform = {
      nowMs: () => 0,
      async fetch(url, init) {
        const res = await app.inject({ method: 'POST', url: new URL(url).pathname, payload: String(init.body), headers: { 'content-type': 'application/json' } });
        return new Response(res.body, { status: res.statusCode });
      },
    };
    const client = new ShoalClient({ address: 'node:1', platform });
    const perQuery = await client.hybridSearch({
      collectionName: 'multi', limit: 5, outputFields: ['tag'],
      search: [{ annsField: 'dense', data: qd, limit: 10 }, { annsField: 'img', data: qi, limit: 10, params: { nprobe: 4 } }],
      rerank: { strategy: 'rrf', params: { k: 20 } },
    });
    expect(perQuery.map((hits) => hits.map((h) => Number(h.id)))).toEqual([0, 1].map((q) => rrf([top('dense', qd[q], 10), top('img', qi[q], 10)], 20).slice(0, 5).map((t) => t.id)));
    for (const h of perQuery.flat()) expect(h.tag).toBe(rows[Number(h.id)].tag);
  });

  it('refuses bad requests with clear errors', async () => {
    const two = [{ annsField: 'dense', data: [qd[0]], limit: 5 }, { annsField: 'img', data: [qi[0]], limit: 5 }];
    const cases: [Record<string, unknown>, number, RegExp][] = [
      [{ search: two, rerank: { strategy: 'weighted', params: { weights: [0.5] } } }, 1100, /one weight per search request: 2 search requests, 1 weights/],
      [{ search: two, rerank: { strategy: 'weighted', params: { weights: [0.5, 1.5] } } }, 1100, /weights\[1\] must be a number in \[0, 1\]/],
      [{ search: two, rerank: { strategy: 'rrf', params: { k: 0 } } }, 1100, /k of the rrf ranker must be a number in \(0, 16384\)/],
      [{ search: two, rerank: { strategy: 'rrf', params: { k: 16384 } } }, 1100, /\(0, 16384\)/],
      [{ search: two, rerank: { strategy: 'max' } }, 1100, /strategy "max" is not supported; allowed: rrf, weighted/],
      [{ search: [two[0], { annsField: 'img', data: qi, limit: 5 }] }, 1100, /same number of query vectors: search\[0\] has 1, search\[1\] has 2/],
      [{ search: [{ data: [qd[0]], limit: 5 }] }, 1100, /annsField must name the one to search/],
      [{ search: [{ annsField: 'nope', data: [qd[0]], limit: 5 }] }, 1700, /annsField "nope" does not exist/],
      [{ search: two, groupingField: 'tag' }, 3000, /grouping .* not supported/],
      [{ search: [] }, 1100, /non-empty `search` list/],
    ];
    for (const [body, code, message] of cases) {
      const res = await hybrid({ limit: 5, ...body });
      expect(res.code, JSON.stringify(body)).toBe(code);
      expect(res.message).toMatch(message);
    }
  });
});
