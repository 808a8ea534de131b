/**
 * Every filter operator and function of Milvus's expression language through REST v2 on a real
 * in-process node (docs/filters.md): rows in a sealed segment with scalar indexes (INVERTED on a
 * VarChar, STL_SORT on an Int64, BITMAP on an Array) and in a growing segment without, so each
 * filter runs on both paths. Expected ids are worked out by hand from the rows below.
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

const C = 'ops';
const MAX = '9223372036854775807';

/** Rows 1–4 (sealed, indexed), then rows 5–8 (growing); JSON text so that big integers stay exact. */
const SEALED = `[
  {"id": 1, "vec": [0, 1], "color": "red", "price": 10, "meta": {"a": {"b": 1}, "big": 9007199254740993}, "tags": ["x", "y"], "brand": "acme"},
  {"id": 2, "vec": [1, 1], "color": null, "meta": {"a": {"b": 2}}, "tags": [], "brand": "zeta"},
  {"id": 3, "vec": [2, 1], "color": "red_wine", "price": 30, "meta": {"a": {"b": "1"}, "list": [1, 2, 3]}, "tags": ["y"]},
  {"id": ${MAX}, "vec": [3, 1], "color": "blue", "price": 40, "meta": {}, "tags": ["z", "x", "y"], "brand": "acme"}
]`;
const GROWING = `[
  {"id": 5, "vec": [4, 1], "color": "Red", "price": 15, "meta": {"a": {"b": 1.0}}, "tags": ["x"]},
  {"id": 6, "vec": [5, 1], "color": null, "price": 20, "meta": {"list": [2]}, "tags": ["q"], "brand": "acme"},
  {"id": 7, "vec": [6, 1], "color": "blue", "price": -3, "meta": {"a": null}, "tags": []},
  {"id": 8, "vec": [7, 1], "color": "a%b", "price": 1000, "meta": {"a": {"b": 3}}, "tags": ["x", "x"], "brand": "zeta"}
]`;

/** [filter, expected ids, exprParams?] */
const CASES: [string, string[], Record<string, unknown>?][] = [
  ['price > 5 and color in ["red", "blue"]', ['1', MAX]],
  ['1 < price <= 30', ['1', '2', '3', '5', '6']],
  ['30 >= price > 1', ['1', '2', '3', '5', '6']],
  ['"a" <= color < "c"', [MAX, '7', '8']],
  ['price * 2 == 20', ['1']],
  ['price % 20 == 0', [MAX, '6', '8']],
  ['price - 10 < 0', ['2', '7']],
  ['2 ** 3 < price and price < 0x1F', ['1', '3', '5', '6']],
  ['meta["a"]["b"] + 1 == 3', ['2']],
  ['color like "red%"', ['1', '3']],
  ['color like "%e%"', ['1', '3', MAX, '5', '7']],
  ['color like "a_b"', ['8']],
  ['color is null', ['2', '6']],
  ['color IS NOT NULL and price < 12', ['1', '7']],
  ['not (color == "red")', ['3', MAX, '5', '7', '8']],
  ['color != "red"', ['3', MAX, '5', '7', '8']],
  ['not (price > 10 or color is null)', ['1', '7']],
  ['price > 10 && !(color in ["blue", "Red"])', ['3', '8']],
  ['meta["a"]["b"] == 1', ['1', '5']],
  ['meta["a"]["b"] != 1', ['2', '3', MAX, '6', '7', '8']],
  ['meta["big"] == 9007199254740993', ['1']],
  ['exists meta["list"]', ['3', '6']],
  ['json_contains(meta["list"], 2)', ['3', '6']],
  ['json_contains_all(meta["list"], [1, 3])', ['3']],
  ['JSON_CONTAINS_ANY(meta["list"], [3, 9])', ['3']],
  ['array_contains(tags, "x")', ['1', MAX, '5', '8']],
  ['array_contains_all(tags, ["x", "y"])', ['1', MAX]],
  ['array_contains_any(tags, ["z", "q"])', [MAX, '6']],
  ['array_length(tags) == 0', ['2', '7']],
  ['ARRAY_LENGTH(tags) >= 2', ['1', MAX, '8']],
  ['tags[0] == "x"', ['1', '5', '8']],
  ['brand == "acme"', ['1', MAX, '6']],
  ['$meta["brand"] == "zeta"', ['2', '8']],
  ['exists brand', ['1', '2', MAX, '6', '8']],
  ['price > 10 and not exists brand', ['3', '5']],
  [`id == ${MAX}`, [MAX]],
  ['id in {ids}', ['1', '3', '8'], { ids: [1, 3, 8] }],
  ['id not in [1, 2, 3, 5, 6, 7, 8]', [MAX]],
  ['price > {p} and color like {pat}', ['1', '3'], { p: 5, pat: 'red%' }],
  ['brand in {names} or {x} < price', ['2', MAX, '8'], { names: ['zeta'], x: 35 }],
];

let node: ShoalNode;
let app: FastifyInstance;

beforeAll(async () => {
  const env = createTestEnv();
  node = await startNode({ env, store: new LocalObjectStore(env.disk), indexBuilder: new InlineIndexBuilder() });
  app = createHttpServer(node.service);
  await ok('/collections/create', {
    collectionName: C,
    schema: {
      enableDynamicField: true,
      fields: [
        { fieldName: 'id', dataType: 'Int64', isPrimary: true },
        { fieldName: 'vec', dataType: 'FloatVector', elementTypeParams: { dim: 2 } },
        { fieldName: 'color', dataType: 'VarChar', elementTypeParams: { max_length: 32 }, nullable: true },
        { fieldName: 'price', dataType: 'Int64', defaultValue: 7 },
        { fieldName: 'meta', dataType: 'JSON' },
        { fieldName: 'tags', dataType: 'Array', elementDataType: 'VarChar', elementTypeParams: { max_capacity: 8, max_length: 8 } },
      ],
    },
    indexParams: [
      { fieldName: 'vec', metricType: 'L2', indexType: 'FLAT' },
      { fieldName: 'color', indexName: 'color_idx', indexType: 'INVERTED' },
      { fieldName: 'price', indexName: 'price_idx', indexType: 'STL_SORT' },
      { fieldName: 'tags', indexName: 'tags_idx', indexType: 'BITMAP' },
    ],
    params: { consistencyLevel: 'Strong' },
  });
  await ok('/entities/insert', `{"collectionName": "${C}", "data": ${SEALED}}`);
  await ok('/collections/flush', { collectionName: C });
  for (const index of ['color_idx', 'price_idx', 'tags_idx']) {
    await until(async () => {
      const d = await ok('/indexes/describe', { collectionName: C, indexName: index }) as { indexState: string }[];
      return d[0].indexState === 'Finished';
    });
  }
  await ok('/entities/insert', `{"collectionName": "${C}", "data": ${GROWING}}`);
});

afterAll(async () => {
  await app?.close();
  await node?.close();
});

async function ok(path: string, body: unknown): Promise<unknown> {
  const a = await post(app, path, body);
  expect(a.json.code, `${path}: ${a.text}`).toBe(0);
  return a.json.data;
}

async function until(cond: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The ids a query with `filter` returns, in ascending order of row number (ids as decimal strings). */
async function ids(filter: string, exprParams?: Record<string, unknown>): Promise<string[]> {
  const rows = await ok('/entities/query', { collectionName: C, filter, outputFields: ['id'], limit: 100, ...(exprParams ? { exprParams } : {}) }) as { id: unknown }[];
  const order = ['1', '2', '3', MAX, '5', '6', '7', '8'];
  return rows.map((r) => String(r.id)).sort((a, b) => order.indexOf(a) - order.indexOf(b));
}

describe('every filter operator through REST, on sealed (indexed) and growing segments', () => {
  it.each(CASES)('%s', async (filter, expected, params) => {
    expect(await ids(filter, params)).toEqual(expected);
  });

  it('filters a search the same way', async () => {
    const data = await ok('/entities/search', {
      collectionName: C, data: [[0, 1]], annsField: 'vec', limit: 10, filter: 'array_contains(tags, "x") and price < 100', outputFields: ['id'],
    }) as { id: unknown }[];
    expect(data.map((h) => String(h.id))).toEqual(['1', MAX, '5']);
  });

  it('counts and deletes by filter', async () => {
    expect(await ok('/entities/query', { collectionName: C, filter: 'color is not null', outputFields: ['count(*)'] })).toEqual([{ 'count(*)': 6 }]);
    expect(await ok('/entities/delete', { collectionName: C, filter: 'tags[0] == "q" or meta["a"]["b"] == 2' })).toEqual({ deleteCount: 2 });
    expect(await ids('brand == "acme" or color is null')).toEqual(['1', MAX]);
  });
});
