import { describe, expect, it } from 'vitest';
import { FIRST_AUTO_ID } from './http-test-double.ts';
import { post, quick, setup } from './http-helpers.ts';

/** A loaded collection "c" (Int64 pk "id", 2-d vectors, L2) holding three rows with ids 1, 2 and 2^53 + 1. */
async function seeded() {
  const s = setup();
  await post(s.app, '/collections/create', quick('c', 2, { metricType: 'L2' }));
  const body = '{"collectionName":"c","data":[{"id":1,"vector":[0,0]},{"id":2,"vector":[1,0]},{"id":9007199254740993,"vector":[0.1,0.2]}]}';
  const r = await post(s.app, '/entities/insert', body);
  expect(r.json).toEqual({ code: 0, cost: 0, data: { insertCount: 3, insertIds: [1, 2, 9007199254740993n] } });
  return s;
}

describe('REST v2 entities: insert, upsert, delete', () => {
  it('insert returns exact Int64 ids: integers by default, strings with Accept-Type-Allow-Int64: false', async () => {
    const { app, service } = setup();
    await post(app, '/collections/create', quick('auto', 2, { autoID: true }));
    const rows = { collectionName: 'auto', data: [{ vector: [1, 2] }, { vector: [3, 4] }] };
    const a = await post(app, '/entities/insert', rows);
    expect(a.json).toEqual({ code: 0, cost: 0, data: { insertCount: 2, insertIds: [FIRST_AUTO_ID, FIRST_AUTO_ID + 1n] } });
    expect(a.text).toContain(`"insertIds":[${FIRST_AUTO_ID},${FIRST_AUTO_ID + 1n}]`);
    const b = await post(app, '/entities/insert', rows, { 'Accept-Type-Allow-Int64': 'false' });
    expect(b.json.data).toEqual({ insertCount: 2, insertIds: [String(FIRST_AUTO_ID + 2n), String(FIRST_AUTO_ID + 3n)] });
    expect(service.calls.find((c) => c.method === 'insert')?.args).toEqual(['auto', rows.data, undefined]);
  });

  it('an Int64 beyond 2^53 in a request reaches the service as an exact bigint and comes back exactly', async () => {
    const { app, service } = await seeded();
    const rows = service.calls.find((c) => c.method === 'insert')?.args[1] as Record<string, unknown>[];
    expect(rows[2].id).toBe(9007199254740993n);
    const got = await post(app, '/entities/get', '{"collectionName":"c","id":9007199254740993,"outputFields":["id"]}');
    expect(got.json).toEqual({ code: 0, cost: 0, data: [{ id: 9007199254740993n }] });
    const asString = await post(app, '/entities/get', { collectionName: 'c', id: ['9007199254740993'], outputFields: ['id'] }, { 'accept-type-allow-int64': 'false' });
    expect(asString.json.data).toEqual([{ id: '9007199254740993' }]);
  });

  it('insert/upsert data validation: 1802 missing, 1801 not an array, 1804 empty or not objects; nothing applied', async () => {
    const { app, service } = setup();
    await post(app, '/collections/create', quick('c', 2));
    expect((await post(app, '/entities/insert', { collectionName: 'c' })).json.code).toBe(1802);
    expect((await post(app, '/entities/insert', { collectionName: 'c', data: { id: 1 } })).json.code).toBe(1801);
    expect((await post(app, '/entities/upsert', { collectionName: 'c', data: [] })).json.code).toBe(1804);
    const notObj = await post(app, '/entities/insert', { collectionName: 'c', data: [{ id: 1, vector: [1, 1] }, 7] });
    expect(notObj.json.code).toBe(1804);
    expect(notObj.json.message).toMatch(/data\[1\]/);
    expect(service.calls.map((c) => c.method)).toEqual(['createCollection']);
  });

  it('upsert returns upsertCount/upsertIds; delete by filter returns deleteCount; partitionName is passed', async () => {
    const { app, service } = await seeded();
    const up = await post(app, '/entities/upsert', { collectionName: 'c', partitionName: '_default', data: [{ id: 2, vector: [5, 5] }] });
    expect(up.json).toEqual({ code: 0, cost: 0, data: { upsertCount: 1, upsertIds: [2] } });
    expect(service.calls.at(-1)?.args[2]).toBe('_default');
    const del = await post(app, '/entities/delete', { collectionName: 'c', filter: 'id in [1, 2]' });
    expect(del.json).toEqual({ code: 0, cost: 0, data: { deleteCount: 2 } });
    expect(service.calls.at(-1)).toEqual({ method: 'delete', args: ['c', { filter: 'id in [1, 2]' }, undefined] });
    expect((await post(app, '/entities/delete', { collectionName: 'c' })).json.code).toBe(1802);
    await post(app, '/entities/delete', { collectionName: 'c', filter: 'id in {ids}', exprParams: { ids: [1] } });
    expect(service.calls.at(-1)).toEqual({ method: 'delete', args: ['c', { filter: 'id in {ids}', filterParams: { ids: [1] } }, undefined] });
    expect((await post(app, '/collections/get_stats', { collectionName: 'c' })).json.data).toMatchObject({ rowCount: 1 });
  });
});

describe('REST v2 entities: get and query', () => {
  it('get takes one id or an array; default outputFields is ["*"] (all fields)', async () => {
    const { app, service } = await seeded();
    const one = await post(app, '/entities/get', { collectionName: 'c', id: 2 });
    expect(one.json).toEqual({ code: 0, cost: 0, data: [{ id: 2, vector: [1, 0] }] });
    expect(service.calls.at(-1)).toEqual({ method: 'get', args: ['c', [2n], { outputFields: ['*'] }] });
    const many = await post(app, '/entities/get', { collectionName: 'c', id: [1, 2], outputFields: ['vector'], partitionNames: ['_default'] });
    expect(many.json.data).toEqual([{ id: 1, vector: [0, 0] }, { id: 2, vector: [1, 0] }]);
    expect((await post(app, '/entities/get', { collectionName: 'c' })).json.code).toBe(1802);
    expect((await post(app, '/entities/get', { collectionName: 'c', id: [1.5] })).json.code).toBe(1100);
  });

  it('query: default limit 100 and outputFields ["*"]; count(*) goes without a limit; float32 vectors print short', async () => {
    const { app, service } = await seeded();
    const q = await post(app, '/entities/query', { collectionName: 'c', filter: 'id in [9007199254740993]' });
    expect(q.json).toEqual({ code: 0, cost: 0, data: [{ id: 9007199254740993n, vector: [0.1, 0.2] }] });
    expect(service.calls.at(-1)?.args[0]).toEqual({ collectionName: 'c', filter: 'id in [9007199254740993]', outputFields: ['*'], limit: 100 });
    const count = await post(app, '/entities/query', { collectionName: 'c', filter: '', outputFields: ['count(*)'] });
    expect(count.json).toEqual({ code: 0, cost: 0, data: [{ 'count(*)': 3 }] });
    expect(service.calls.at(-1)?.args[0]).toEqual({ collectionName: 'c', filter: '', outputFields: ['count(*)'] });
    const page = await post(app, '/entities/query', { collectionName: 'c', limit: 1, offset: 1, outputFields: ['id'], consistencyLevel: 'Strong' });
    expect(page.json.data).toEqual([{ id: 2 }]);
    expect(service.calls.at(-1)?.args[0]).toEqual({ collectionName: 'c', filter: '', outputFields: ['id'], consistencyLevel: 'Strong', limit: 1, offset: 1 });
    expect((await post(app, '/entities/query', { collectionName: 'c', limit: 'ten' })).json.code).toBe(1801);
    expect((await post(app, '/entities/query', { collectionName: 'c', limit: -1 })).json.code).toBe(1100);
    expect((await post(app, '/entities/query', { collectionName: 'c', consistencyLevel: 'Weak' })).json.code).toBe(1100);
  });
});

describe('REST v2 entities/search', () => {
  it('nq = 2: one flat list with topks, rows { ...outputFields, id, distance }', async () => {
    const { app, service } = await seeded();
    const r = await post(app, '/entities/search', {
      collectionName: 'c', data: [[0, 0], [1, 0]], limit: 2, outputFields: ['vector'],
      searchParams: { metricType: 'L2', params: { ef: '64' } }, consistencyLevel: 'Eventually',
    });
    expect(r.json).toEqual({
      code: 0, cost: 0, topks: [2, 2],
      data: [
        { vector: [0, 0], id: 1, distance: 0 },
        { vector: [0.1, 0.2], id: 9007199254740993n, distance: 0.05 },
        { vector: [1, 0], id: 2, distance: 0 },
        { vector: [0.1, 0.2], id: 9007199254740993n, distance: 0.85 },
      ],
    });
    expect(service.calls.at(-1)?.args[0]).toEqual({
      collectionName: 'c', data: [[0, 0], [1, 0]], limit: 2, outputFields: ['vector'],
      consistencyLevel: 'Eventually', searchParams: { metricType: 'L2', params: { ef: 64 } },
    });
  });

  it('no hits: data [] without topks; default limit 100; filter, offset, annsField, partitionNames passed', async () => {
    const { app, service } = await seeded();
    const r = await post(app, '/entities/search', { collectionName: 'c', data: [[0, 0]], filter: 'id in [77]' });
    expect(r.json).toEqual({ code: 0, cost: 0, data: [] });
    await post(app, '/entities/search', { collectionName: 'c', data: [[0, 0]], annsField: 'vector', offset: 1, partitionNames: ['_default'] });
    expect(service.calls.at(-1)?.args[0]).toEqual({
      collectionName: 'c', data: [[0, 0]], limit: 100, offset: 1, annsField: 'vector', partitionNames: ['_default'],
    });
  });

  it('validation: 1802 missing data, 1801 malformed vectors, 1100 bad limit, 3000 Milvus-only options', async () => {
    const { app, service } = await seeded();
    const before = service.calls.length;
    expect((await post(app, '/entities/search', { collectionName: 'c' })).json.code).toBe(1802);
    expect((await post(app, '/entities/search', { collectionName: 'c', data: [] })).json.code).toBe(1801);
    const bad = await post(app, '/entities/search', { collectionName: 'c', data: [[0, 'x']] });
    expect(bad.json.code).toBe(1801);
    expect(bad.json.message).toMatch(/data\[0\]/);
    expect((await post(app, '/entities/search', { collectionName: 'c', data: [[0, 0]], limit: 0 })).json.code).toBe(1100);
    expect((await post(app, '/entities/search', { collectionName: 'c', data: ['some text'] })).json.code).toBe(3000);
    expect((await post(app, '/entities/search', { collectionName: 'c', data: [[0, 0]], groupingField: 'id', groupSize: 0 })).json.code).toBe(1100);
    expect((await post(app, '/entities/search', { collectionName: 'c', data: [[0, 0]], searchParams: { metricType: 'BM25' } })).json.code).toBe(3000);
    expect(service.calls.length).toBe(before);
  });
});
