/**
 * Array fields, nullable fields with default values and the dynamic field over REST v2 against a
 * real in-process node: create with these field options, describe, insert, query/get/search with
 * `*`, `$meta` and named dynamic keys, Int64 exactness (also with `Accept-Type-Allow-Int64: false`),
 * sealing, and the 1100 errors of bad rows (which write nothing).
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

const BIG = 9223372036854775807n;

let node: ShoalNode;
let app: FastifyInstance;
const env = createTestEnv();

/** Starts the node (again) over the same disk. */
async function start(): Promise<void> {
  node = await startNode({ env, store: new LocalObjectStore(env.disk), indexBuilder: new InlineIndexBuilder(), segmentMaxRows: 100 });
  app = createHttpServer(node.service);
}

beforeAll(start);

afterAll(async () => {
  await app?.close();
  await node?.close();
});

const create = {
  collectionName: 'sd',
  schema: {
    enableDynamicField: true,
    fields: [
      { fieldName: 'id', dataType: 'Int64', isPrimary: true },
      { fieldName: 'v', dataType: 'FloatVector', elementTypeParams: { dim: 2 } },
      { fieldName: 'tags', dataType: 'Array', elementDataType: 'Int64', elementTypeParams: { max_capacity: 3 } },
      { fieldName: 'names', dataType: 'Array', elementDataType: 'VarChar', elementTypeParams: { max_capacity: '2', max_length: 5 }, nullable: true },
      { fieldName: 'n', dataType: 'Int32', nullable: true },
      { fieldName: 'd', dataType: 'Int64', nullable: true, defaultValue: 7 },
      { fieldName: 'k', dataType: 'VarChar', elementTypeParams: { max_length: 4 }, defaultValue: 'kk' },
      { fieldName: 'f', dataType: 'Float', defaultValue: 0.1 },
    ],
  },
  indexParams: [{ fieldName: 'v', metricType: 'L2', indexType: 'FLAT' }],
  params: { consistencyLevel: 'Strong', shardsNum: 2 },
};

/** Rows as JSON text (so that an Int64 beyond 2^53 is sent exactly). */
const rowsText = `[
  {"id": 1, "v": [1, 0], "tags": [1, ${BIG}], "names": ["ab", "cd"], "n": 5, "d": 8, "k": "kx", "color": "red", "size": 12345678901234567890},
  {"id": 2, "v": [2, 0], "tags": [], "names": null, "n": null, "color": "blue", "extra": {"a": [1, null]}},
  {"id": 3, "v": [3, 0], "tags": [3], "d": null, "k": null}
]`;

const expected = [
  { id: 1, v: [1, 0], tags: [1, BIG], names: ['ab', 'cd'], n: 5, d: 8, k: 'kx', f: Math.fround(0.1), color: 'red', size: 12345678901234567890n },
  { id: 2, v: [2, 0], tags: [], names: null, n: null, d: 7, k: 'kk', f: Math.fround(0.1), color: 'blue', extra: { a: [1, null] } },
  { id: 3, v: [3, 0], tags: [3], names: null, n: null, d: 7, k: 'kk', f: Math.fround(0.1) },
];

async function queryAll(outputFields: string[], headers: Record<string, string> = {}): Promise<Record<string, unknown>[]> {
  const r = await post(app, '/entities/query', { collectionName: 'sd', filter: 'id > 0', outputFields }, headers);
  expect(r.json.code, r.text).toBe(0);
  return (r.json.data as Record<string, unknown>[]).sort((a, b) => Number(a.id) - Number(b.id));
}

describe('REST v2 Array, nullable, default and dynamic fields', () => {
  it('creates and describes the collection as Milvus reports it', async () => {
    expect((await post(app, '/collections/create', create)).json).toMatchObject({ code: 0 });
    const d = await post(app, '/collections/describe', { collectionName: 'sd' });
    const data = d.json.data as { enableDynamicField: boolean; fields: Record<string, unknown>[] };
    expect(data.enableDynamicField).toBe(true);
    const f = Object.fromEntries(data.fields.map((x) => [x.name, x]));
    expect(f.tags).toMatchObject({ type: 'Array', elementType: 'Int64', nullable: false, params: [{ key: 'max_capacity', value: '3' }] });
    expect(f.names).toMatchObject({ type: 'Array', elementType: 'VarChar', nullable: true, params: [{ key: 'max_length', value: '5' }, { key: 'max_capacity', value: '2' }] });
    expect(f.d).toMatchObject({ nullable: true, defaultValue: { Data: { LongData: 7 } } });
    expect(f.k).toMatchObject({ nullable: false, defaultValue: { Data: { StringData: 'kk' } } });
    expect(f.n).not.toHaveProperty('defaultValue');
    expect(f.f).toMatchObject({ defaultValue: { Data: { FloatData: 0.1 } } });
  });

  it('inserts and returns nulls, defaults, arrays and dynamic keys; then the same after sealing', async () => {
    const ins = await post(app, '/entities/insert', `{"collectionName": "sd", "data": ${rowsText}}`);
    expect(ins.json, ins.text).toMatchObject({ code: 0, data: { insertCount: 3 } });
    for (let round = 0; round < 2; round++) {
      const all = await queryAll(['*']);
      expect(all).toEqual(expected);
      expect(await queryAll(['color'])).toEqual([{ id: 1, color: 'red' }, { id: 2, color: 'blue' }, { id: 3 }]);
      expect(await queryAll(['$meta', 'n'])).toEqual([
        { id: 1, n: 5, color: 'red', size: 12345678901234567890n },
        { id: 2, n: null, color: 'blue', extra: { a: [1, null] } },
        { id: 3, n: null },
      ]);
      const strings = await queryAll(['tags', 'd'], { 'Accept-Type-Allow-Int64': 'false' });
      expect(strings[0]).toEqual({ id: '1', tags: ['1', String(BIG)], d: '8' });
      const got = await post(app, '/entities/get', { collectionName: 'sd', id: [2], outputFields: ['extra', 'names'] });
      expect(got.json.data).toEqual([{ id: 2, extra: { a: [1, null] }, names: null }]);
      const hits = await post(app, '/entities/search', { collectionName: 'sd', data: [[1, 0]], limit: 1, outputFields: ['*'] });
      expect(hits.json.data).toEqual([{ ...expected[0], distance: 0 }]);
      expect((await post(app, '/collections/flush', { collectionName: 'sd' })).json.code).toBe(0);
    }
  });

  it('filters on dynamic keys, nulls and arrays read the stored data (growing and sealed)', async () => {
    const ids = async (filter: string) => {
      const r = await post(app, '/entities/query', { collectionName: 'sd', filter, outputFields: ['id'] });
      expect(r.json.code, r.text).toBe(0);
      return (r.json.data as { id: number }[]).map((x) => x.id).sort();
    };
    expect(await ids('color == "red"')).toEqual([1]);
    expect(await ids('n is null')).toEqual([2, 3]);
    expect(await ids('names is not null')).toEqual([1]);
    expect(await ids('d == 7')).toEqual([2, 3]);
    expect(await ids(`array_contains(tags, ${BIG})`)).toEqual([1]);
    expect(await ids('exists extra')).toEqual([2]);
  });

  it('keeps everything, default values included, across a restart of the node', async () => {
    await post(app, '/entities/insert', { collectionName: 'sd', data: [{ id: 4, v: [4, 0], tags: [4], who: 'four' }] }); // in the log only
    await app.close();
    await node.close();
    await start();
    const all = await queryAll(['*']);
    expect(all).toEqual([...expected, { id: 4, v: [4, 0], tags: [4], names: null, n: null, d: 7, k: 'kk', f: Math.fround(0.1), who: 'four' }]);
    await post(app, '/entities/insert', { collectionName: 'sd', data: [{ id: 5, v: [5, 0], tags: [] }] });
    expect((await queryAll(['d', 'k'])).at(-1)).toEqual({ id: 5, d: 7, k: 'kk' });
    await post(app, '/entities/delete', { collectionName: 'sd', filter: 'id in [4, 5]' });
  });

  it.each([
    ['a wrong element type', { tags: [1, 'x'] }, /row 0: field "tags" \(Array of Int64\) element 1 got the string "x"; expected an integer/],
    ['too many elements', { tags: [1, 2, 3, 4] }, /row 0: field "tags" \(Array of Int64\) has 4 elements; max_capacity is 3/],
    ['a VarChar element too long', { tags: [], names: ['toolong'] }, /row 0: field "names" \(Array of VarChar\) element 0 .*max_length = 5/],
    ['null into a non-nullable field', { tags: null }, /row 0: field "tags" \(Array of Int64\) is null; it is not nullable and has no default value/],
    ['an explicit $meta key', { tags: [], $meta: { a: 1 } }, /row 0: "\$meta" is the dynamic field of collection "sd" and cannot be given/],
  ])('rejects %s with 1100 and writes nothing', async (_what, patch, message) => {
    const good = { id: 50, v: [0, 0], tags: [] };
    const r = await post(app, '/entities/insert', { collectionName: 'sd', data: [good, { id: 51, v: [0, 0], ...patch }] });
    expect(r.json.code, r.text).toBe(1100);
    expect(r.json.message).toMatch(new RegExp(message.source.replace('row 0', 'row 1')));
    const count = await post(app, '/entities/query', { collectionName: 'sd', filter: '', outputFields: ['count(*)'] });
    expect(count.json.data).toEqual([{ 'count(*)': 3 }]);
  });

  it('rejects bad field options at creation', async () => {
    const field = (f: Record<string, unknown>) => ({ collectionName: 'bad', schema: { fields: [create.schema.fields[0], create.schema.fields[1], f] } });
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ fieldName: 'a', dataType: 'Array', elementDataType: 'Int8' }, /max_capacity in \[1, 4096\]/],
      [{ fieldName: 'a', dataType: 'Array', elementDataType: 'VarChar', elementTypeParams: { max_capacity: 2 } }, /Array of VarChar needs max_length/],
      [{ fieldName: 'a', dataType: 'Int8', defaultValue: 1000 }, /default value 1000 does not fit the Int8 field/],
      [{ fieldName: 'a', dataType: 'JSON', defaultValue: '{}' }, /JSON field cannot have a default value/],
      [{ fieldName: '$meta', dataType: 'Int8' }, /reserved for the dynamic field|field name "\$meta" is invalid/],
    ];
    for (const [f, message] of cases) {
      const r = await post(app, '/collections/create', field(f));
      expect(r.json.code, r.text).not.toBe(0);
      expect(r.json.message).toMatch(message);
    }
    const pk = await post(app, '/collections/create', { collectionName: 'bad', schema: { fields: [{ ...create.schema.fields[0], nullable: true }, create.schema.fields[1]] } });
    expect(pk.json.message).toMatch(/primary key cannot be nullable/);
    expect((await post(app, '/collections/has', { collectionName: 'bad' })).json.data).toEqual({ has: false });
  });
});
