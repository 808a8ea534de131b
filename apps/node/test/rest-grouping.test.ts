/**
 * Grouping search over REST v2 against a real in-process node with 3 shards (the cluster router
 * over an in-memory disk, inline index builds, sealed segments of 60 rows and growing ones):
 * `groupingField`, `groupSize`, `strictGroupSize`, with `limit` counting groups, equal a
 * brute-force grouping of all rows (FLAT, and HNSW searched with ef above the row count), with
 * filters, partitions, offset, output fields and range windows; bad grouping answers 1100.
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
const N = 600;
/** Deterministic pseudo-random numbers in [0, 1). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}
const r = rng(11);
interface Row { id: number; g: number; name: string; flag: boolean; vector: number[] }
/** Rows with skewed groups: `g` in 0..29 with weight 1/(g+1), `name` = g mod 7, `flag` = g even. */
const rows: Row[] = Array.from({ length: N }, (_, id) => {
  const w = Array.from({ length: 30 }, (_, j) => 1 / (j + 1));
  let u = r() * w.reduce((a, b) => a + b, 0);
  let g = 0;
  while (g < 29 && u >= w[g]) u -= w[g++];
  return { id, g, name: `n${g % 7}`, flag: g % 2 === 0, vector: Array.from({ length: DIM }, () => r() * 2 - 1) };
});
/** Rows 500.. go to partition "p1". */
const inP1 = (id: number) => id >= 500;
/** Squared L2 distance of the float32 values (as stored), in float64. */
const l2 = (a: number[], b: number[]) => a.reduce((acc, x, i) => acc + (Math.fround(x) - Math.fround(b[i])) ** 2, 0);

/** Brute force: rows by (distance, id), the first `limit + offset` distinct groups, each with its first `groupSize` rows; the groups after `offset`. */
function bruteForce(q: number[], field: 'g' | 'name' | 'flag', limit: number, groupSize: number, opts: { keep?: (row: Row) => boolean; offset?: number } = {}): { id: number; group: unknown }[] {
  const order = rows.filter(opts.keep ?? (() => true)).map((row) => ({ row, d: l2(q, row.vector) })).sort((a, b) => a.d - b.d || a.row.id - b.row.id);
  const offset = opts.offset ?? 0;
  const groups = new Map<unknown, number[]>();
  for (const { row } of order) {
    const hits = groups.get(row[field]);
    if (hits) { if (hits.length < groupSize) hits.push(row.id); } else if (groups.size < limit + offset) groups.set(row[field], [row.id]);
  }
  return [...groups].slice(offset).flatMap(([group, ids]) => ids.map((id) => ({ id, group })));
}

let node: ShoalNode;
let app: FastifyInstance;

async function collection(name: string, index: Record<string, unknown>): Promise<void> {
  const create = await post(app, '/collections/create', {
    collectionName: name,
    schema: {
      fields: [
        { fieldName: 'id', dataType: 'Int64', isPrimary: true }, { fieldName: 'g', dataType: 'Int32' },
        { fieldName: 'name', dataType: 'VarChar', elementTypeParams: { max_length: 16 } }, { fieldName: 'flag', dataType: 'Bool' },
        { fieldName: 'x', dataType: 'Double' }, { fieldName: 'vector', dataType: 'FloatVector', elementTypeParams: { dim: String(DIM) } },
      ],
    },
    indexParams: [{ fieldName: 'vector', metricType: 'L2', ...index }],
    params: { consistencyLevel: 'Strong', shardsNum: 3 },
  });
  expect(create.json).toEqual({ code: 0, data: {} });
  expect((await post(app, '/partitions/create', { collectionName: name, partitionName: 'p1' })).json.code).toBe(0);
  const data = (from: number, to: number) => rows.slice(from, to).map((row) => ({ ...row, x: 0.5 }));
  expect((await post(app, '/entities/insert', { collectionName: name, data: data(0, 450) })).json.code).toBe(0);
  expect((await post(app, '/collections/flush', { collectionName: name })).json.code).toBe(0);
  for (let i = 0; i < 1000; i++) {
    const d = await post(app, '/indexes/describe', { collectionName: name, indexName: 'vector' });
    if ((d.json.data as { indexState: string }[])[0].indexState === 'Finished') break;
    await new Promise((res) => setTimeout(res, 10));
  }
  // Growing rows beside the sealed ones, some in partition p1.
  expect((await post(app, '/entities/insert', { collectionName: name, data: data(450, 500) })).json.code).toBe(0);
  expect((await post(app, '/entities/insert', { collectionName: name, partitionName: 'p1', data: data(500, N) })).json.code).toBe(0);
}

beforeAll(async () => {
  const env = createTestEnv();
  node = await startNode({ env, store: new LocalObjectStore(env.disk), indexBuilder: new InlineIndexBuilder(), segmentMaxRows: 60 });
  app = createHttpServer(node.service);
  await collection('flat', { indexType: 'FLAT' });
  await collection('hnsw', { indexType: 'HNSW', params: { M: 16, efConstruction: 200 } });
}, 60_000);

afterAll(async () => {
  await app?.close();
  await node?.close();
});

type Hit = { id: number; distance: number } & Record<string, unknown>;
const queries = [rows[3].vector, rows[480].vector, rows[555].vector, [0, 0, 0, 0], [0.5, -0.5, 0.25, 0.1]];

async function search(body: Record<string, unknown>): Promise<{ code: number; hits: Hit[]; topks?: number[]; message?: string }> {
  const res = await post(app, '/entities/search', { searchParams: { metricType: 'L2' }, strictGroupSize: true, ...body });
  return { code: res.json.code as number, hits: (res.json.data ?? []) as Hit[], topks: res.json.topks as number[] | undefined, message: res.json.message as string | undefined };
}

describe('REST v2 grouping search', () => {
  it('equals a brute-force grouping over 3 shards of sealed and growing FLAT segments, group after group, each hit carrying its group value', async () => {
    for (const [field, limit, groupSize] of [['g', 5, 3], ['g', 12, 1], ['name', 4, 5], ['flag', 3, 10]] as const) {
      const res = await search({ collectionName: 'flat', data: queries, limit, groupingField: field, groupSize });
      expect(res.code).toBe(0);
      const truth = queries.map((q) => bruteForce(q, field, limit, groupSize));
      expect(res.topks).toEqual(truth.map((t) => t.length));
      expect(res.hits.map((h) => ({ id: h.id, group: h[field] }))).toEqual(truth.flat());
    }
    const fewer = await search({ collectionName: 'flat', data: [queries[0]], limit: 10, groupingField: 'flag', groupSize: 2 });
    expect(new Set(fewer.hits.map((h) => h.flag))).toEqual(new Set([true, false]));
    expect(fewer.hits.length).toBe(4);
  });

  it('returns the distances of the hits, and the output fields asked for beside the group value', async () => {
    const res = await search({ collectionName: 'flat', data: [queries[1]], limit: 3, groupingField: 'name', groupSize: 2, outputFields: ['g'] });
    expect(res.code).toBe(0);
    for (const h of res.hits) {
      expect(Object.keys(h).sort()).toEqual(['distance', 'g', 'id', 'name']);
      expect(h.g).toBe(rows[h.id].g);
      expect(h.distance).toBeCloseTo(l2(queries[1], rows[h.id].vector), 5);
    }
  });

  it('applies filters, partitions, offset (in groups) and range windows', async () => {
    const q = queries[2];
    const filtered = await search({ collectionName: 'flat', data: [q], limit: 6, groupingField: 'g', groupSize: 2, filter: 'id > 100 and g != 0' });
    expect(filtered.hits.map((h) => h.id)).toEqual(bruteForce(q, 'g', 6, 2, { keep: (row) => row.id > 100 && row.g !== 0 }).map((h) => h.id));
    const part = await search({ collectionName: 'flat', data: [q], limit: 4, groupingField: 'g', groupSize: 3, partitionNames: ['p1'] });
    expect(part.hits.map((h) => h.id)).toEqual(bruteForce(q, 'g', 4, 3, { keep: (row) => inP1(row.id) }).map((h) => h.id));
    const offset = await search({ collectionName: 'flat', data: [q], limit: 3, offset: 2, groupingField: 'g', groupSize: 2 });
    expect(offset.hits.map((h) => h.id)).toEqual(bruteForce(q, 'g', 3, 2, { offset: 2 }).map((h) => h.id));
    const window = { radius: 1.2, range_filter: 0.3 };
    const ranged = await search({ collectionName: 'flat', data: [q], limit: 5, groupingField: 'g', groupSize: 3, searchParams: { metricType: 'L2', params: window } });
    const inWindow = (row: Row) => { const d = l2(q, row.vector); return d >= window.range_filter && d < window.radius; };
    expect(ranged.hits.map((h) => h.id)).toEqual(bruteForce(q, 'g', 5, 3, { keep: inWindow }).map((h) => h.id));
    expect(ranged.hits.length).toBeGreaterThan(0);
  });

  it('equals the brute-force grouping on HNSW segments searched with ef above the row count', async () => {
    const res = await search({ collectionName: 'hnsw', data: queries, limit: 5, groupingField: 'g', groupSize: 3, searchParams: { metricType: 'L2', params: { ef: 1000 } } });
    expect(res.code).toBe(0);
    expect(res.hits.map((h) => h.id)).toEqual(queries.flatMap((q) => bruteForce(q, 'g', 5, 3).map((h) => h.id)));
  });

  it('without strictGroupSize (Milvus\'s default, best effort) chooses the same groups, each led by its best hit', async () => {
    for (const collectionName of ['flat', 'hnsw']) {
      const res = await search({ collectionName, data: queries, limit: 5, groupingField: 'g', groupSize: 4, strictGroupSize: false, searchParams: { metricType: 'L2', params: { ef: 1000 } } });
      expect(res.code).toBe(0);
      let at = 0;
      for (const q of queries) {
        const truth = bruteForce(q, 'g', 5, 4);
        const groups = [...new Set(truth.map((h) => h.group))];
        for (const g of groups) {
          const mine: Hit[] = [];
          while (at < res.hits.length && res.hits[at].g === g) mine.push(res.hits[at++]);
          expect(mine.length).toBeGreaterThan(0);
          expect(mine.length).toBeLessThanOrEqual(4);
          expect(mine[0].id).toBe(truth.find((h) => h.group === g)!.id);
          expect(mine.every((h) => rows[h.id].g === g)).toBe(true);
        }
      }
      expect(at).toBe(res.hits.length);
    }
  });

  it('refuses fields that cannot be grouped by, bad group sizes and too many hits, with 1100 (unknown fields with FieldNotFound)', async () => {
    const bad = async (extra: Record<string, unknown>) => search({ collectionName: 'flat', data: [queries[0]], limit: 5, ...extra });
    const float = await bad({ groupingField: 'x' });
    expect(float.code).toBe(1100);
    expect(float.message).toMatch(/groupingField "x" is a Double field.*Bool, Int8, Int16, Int32, Int64, VarChar/);
    expect((await bad({ groupingField: 'vector' })).code).toBe(1100);
    const unknown = await bad({ groupingField: 'nope' });
    expect(unknown.code).toBe(1700);
    expect(unknown.message).toMatch(/groupingField "nope" does not exist/);
    expect((await bad({ groupingField: 'g', groupSize: 0 })).code).toBe(1100);
    expect((await bad({ groupSize: 3 })).code).toBe(1100);
    expect((await bad({ groupingField: 'g', groupSize: 'x' })).code).toBe(1801);
    const tooMany = await bad({ groupingField: 'g', limit: 100, groupSize: 200 });
    expect(tooMany.code).toBe(1100);
    expect(tooMany.message).toMatch(/16384/);
  });
});
