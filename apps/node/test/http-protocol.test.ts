import { describe, expect, it } from 'vitest';
import { ShoalError } from '@shoal/actors';
import { createHttpServer } from '../src/http/index.ts';
import { UNSUPPORTED_PATHS } from '../src/http/unsupported.ts';
import { InMemoryServiceDouble } from './http-test-double.ts';
import { post, quick, setup } from './http-helpers.ts';

describe('REST v2 protocol: bodies, errors, paths', () => {
  it('malformed JSON, empty bodies, non-objects and out-of-range numbers answer 1801 with HTTP 200', async () => {
    const { app, service } = setup();
    const broken = await post(app, '/collections/create', '{"collectionName": "c", "dimension": 4');
    expect(broken.status).toBe(200);
    expect(broken.json.code).toBe(1801);
    expect(broken.json.message).toMatch(/not valid JSON/);
    expect((await post(app, '/collections/list', '')).json.code).toBe(1801);
    expect((await post(app, '/collections/list', '[1,2]')).json.code).toBe(1801);
    expect((await post(app, '/collections/create', '{"collectionName":"a","dimension":2,"x":[[1e400]]}')).json.code).toBe(1801);
    expect((await post(app, '/collections/create', '{"collectionName":"a","dimension":1e400}')).json.code).toBe(1801);
    expect(service.calls).toEqual([]);
  });

  it('reads the body as JSON whatever the Content-Type (the Milvus Node SDK sends text/plain)', async () => {
    const { app } = setup();
    for (const type of ['application/json', 'text/plain;charset=UTF-8', 'application/x-www-form-urlencoded']) {
      const res = await app.inject({ method: 'POST', url: '/v2/vectordb/collections/list', payload: '{}', headers: { 'content-type': type } });
      expect(JSON.parse(res.body), type).toEqual({ code: 0, data: [] });
    }
    const none = await app.inject({ method: 'POST', url: '/v2/vectordb/collections/list', payload: '{}' });
    expect(JSON.parse(none.body)).toEqual({ code: 0, data: [] });
  });

  it('unknown paths and other methods answer 404 "404 page not found" as Milvus (gin)', async () => {
    const { app } = setup();
    const unknown = await post(app, '/collections/teleport', {});
    expect(unknown.status).toBe(404);
    expect(unknown.text).toBe('404 page not found');
    const get = await app.inject({ method: 'GET', url: '/v2/vectordb/collections/list' });
    expect(get.statusCode).toBe(404);
  });

  it('every Milvus endpoint Shoal lacks answers 3000 "<path> is not supported yet by Shoal", never a success', async () => {
    const { app, service } = setup();
    expect(UNSUPPORTED_PATHS.length).toBeGreaterThan(40);
    for (const path of UNSUPPORTED_PATHS) {
      const r = await post(app, path, { collectionName: 'c', dbName: 'default' });
      expect(r.json, path).toEqual({ code: 3000, message: `/v2/vectordb${path} is not supported yet by Shoal` });
    }
    expect(service.calls).toEqual([]);
  });

  it('a database other than "default" answers 800, from the body or the DB-Name header', async () => {
    const { app, service } = setup();
    const other = await post(app, '/collections/list', { dbName: 'other' });
    expect(other.json.code).toBe(800);
    expect(other.json.message).toMatch(/other/);
    expect((await post(app, '/collections/create', quick('c', 2), { 'DB-Name': 'analytics' })).json.code).toBe(800);
    expect((await post(app, '/collections/list', { dbName: 'default' })).json).toEqual({ code: 0, data: [] });
    expect((await post(app, '/collections/list', { dbName: 7 })).json.code).toBe(1801);
    expect((await post(app, '/databases/list', {})).json).toEqual({ code: 0, data: ['default'] });
    expect(service.calls.map((c) => c.method)).toEqual(['listCollections']);
  });

  it('ShoalError keeps its code and message; any other error is 65535 with its message', async () => {
    const { app, service } = setup();
    await post(app, '/collections/create', quick('c', 2));
    const dup = await post(app, '/indexes/create', { collectionName: 'c', indexParams: [{ fieldName: 'vector', indexName: 'vector', metricType: 'L2' }] });
    expect(dup.json.code).toBe(702);
    service.failNext = new ShoalError(2, 'service unavailable: no leader');
    expect((await post(app, '/collections/list', {})).json).toEqual({ code: 2, message: 'service unavailable: no leader' });
    service.failNext = new TypeError('boom');
    expect((await post(app, '/collections/list', {})).json).toEqual({ code: 65535, message: 'boom' });
  });

  it('a body over the limit answers 1102; GET /healthz answers {status: "ok"}', async () => {
    const app = createHttpServer(new InMemoryServiceDouble(), { bodyLimitBytes: 1024 });
    const big = await post(app, '/collections/list', { pad: 'x'.repeat(2000) });
    expect(big.json.code).toBe(1102);
    const health = await app.inject({ method: 'GET', url: '/healthz' });
    expect(health.statusCode).toBe(200);
    expect(JSON.parse(health.body)).toEqual({ status: 'ok' });
  });
});

describe('REST v2 indexes and partitions', () => {
  it('indexes: create, list, describe (Milvus fields), drop', async () => {
    const { app, service } = setup();
    await post(app, '/collections/create', {
      collectionName: 'c', schema: { fields: [
        { fieldName: 'id', dataType: 'Int64', isPrimary: true }, { fieldName: 'v', dataType: 'FloatVector', elementTypeParams: { dim: 2 } }] },
    });
    const created = await post(app, '/indexes/create', {
      collectionName: 'c', indexParams: [{ fieldName: 'v', indexName: 'v_idx', metricType: 'IP', params: { index_type: 'HNSW', M: 8, efConstruction: '64' } }],
    });
    expect(created.json).toEqual({ code: 0, data: {} });
    expect(service.calls.at(-1)?.args[1]).toEqual([{ fieldName: 'v', indexName: 'v_idx', metricType: 'IP', indexType: 'HNSW', params: { M: 8, efConstruction: 64 } }]);
    expect((await post(app, '/indexes/list', { collectionName: 'c' })).json).toEqual({ code: 0, data: ['v_idx'] });
    expect((await post(app, '/indexes/describe', { collectionName: 'c', indexName: 'v_idx' })).json).toEqual({
      code: 0,
      data: [{
        indexName: 'v_idx', fieldName: 'v', indexType: 'HNSW', metricType: 'IP', totalRows: 0, pendingRows: 0,
        indexedRows: 0, indexState: 'Finished', failReason: '', params: { M: 8, efConstruction: 64 },
      }],
    });
    expect((await post(app, '/indexes/describe', { collectionName: 'c', indexName: 'nope' })).json.code).toBe(700);
    expect((await post(app, '/indexes/describe', { collectionName: 'c' })).json.code).toBe(1802);
    expect((await post(app, '/indexes/create', { collectionName: 'c', indexParams: [] })).json.code).toBe(1802);
    expect((await post(app, '/indexes/create', { collectionName: 'c', indexParams: [{ metricType: 'L2' }] })).json.code).toBe(1802);
    expect((await post(app, '/indexes/drop', { collectionName: 'c', indexName: 'v_idx' })).json).toEqual({ code: 0, data: {} });
    expect((await post(app, '/indexes/list', { collectionName: 'c' })).json.data).toEqual([]);
  });

  it('partitions: create, list, has, drop', async () => {
    const { app } = setup();
    await post(app, '/collections/create', quick('c', 2));
    expect((await post(app, '/partitions/create', { collectionName: 'c', partitionName: 'p1' })).json).toEqual({ code: 0, data: {} });
    expect((await post(app, '/partitions/list', { collectionName: 'c' })).json).toEqual({ code: 0, data: ['_default', 'p1'] });
    expect((await post(app, '/partitions/has', { collectionName: 'c', partitionName: 'p1' })).json).toEqual({ code: 0, data: { has: true } });
    expect((await post(app, '/partitions/drop', { collectionName: 'c', partitionName: 'p1' })).json).toEqual({ code: 0, data: {} });
    expect((await post(app, '/partitions/has', { collectionName: 'c', partitionName: 'p1' })).json.data).toEqual({ has: false });
    expect((await post(app, '/partitions/drop', { collectionName: 'c', partitionName: 'p1' })).json.code).toBe(200);
    expect((await post(app, '/partitions/create', { collectionName: 'c' })).json.code).toBe(1802);
  });
});
