import { describe, expect, it } from 'vitest';
import { post, quick, setup } from './http-helpers.ts';

describe('REST v2 collections/create', () => {
  it('quick setup: Int64 "id", FloatVector "vector", COSINE AUTOINDEX, loaded, dynamic field on (as Milvus)', async () => {
    const { app, service } = setup();
    const r = await post(app, '/collections/create', quick('c1', 4));
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ code: 0, data: {} });
    expect(service.calls[0]).toEqual({
      method: 'createCollection',
      args: [{
        collectionName: 'c1',
        fields: [
          { name: 'id', dataType: 'Int64', isPrimaryKey: true, autoId: false },
          { name: 'vector', dataType: 'FloatVector', isPrimaryKey: false, dim: 4 },
        ],
        enableDynamicField: true,
        indexParams: [{ fieldName: 'vector', indexName: 'vector', metricType: 'COSINE', indexType: 'AUTOINDEX', params: {} }],
        load: true,
      }],
    });
    expect((await post(app, '/collections/get_load_state', { collectionName: 'c1' })).json)
      .toEqual({ code: 0, data: { loadState: 'LoadStateLoaded', loadProgress: 100 } });
  });

  it('quick setup: VarChar ids with params.max_length, custom names, metric, autoID (any key case)', async () => {
    const { app, service } = setup();
    const r = await post(app, '/collections/create', quick('c2', 8, {
      idType: 'VarChar', primaryFieldName: 'pk', vectorFieldName: 'emb', metricType: 'l2', autoId: true,
      params: { max_length: '64', shardsNum: 2, consistencyLevel: 'Strong' },
    }));
    expect(r.json.code).toBe(0);
    const req = service.calls[0].args[0] as Record<string, unknown>;
    expect(req.fields).toEqual([
      { name: 'pk', dataType: 'VarChar', isPrimaryKey: true, autoId: true, maxLength: 64 },
      { name: 'emb', dataType: 'FloatVector', isPrimaryKey: false, dim: 8 },
    ]);
    expect(req.indexParams).toEqual([{ fieldName: 'emb', indexName: 'emb', metricType: 'L2', indexType: 'AUTOINDEX', params: {} }]);
    expect(req.shardsNum).toBe(2);
    expect(req.consistencyLevel).toBe('Strong');
  });

  it('quick setup errors: no dimension (1100), VarChar without max_length (1100), bad idType (1100), wrong types (1801)', async () => {
    const { app, service } = setup();
    const noDim = await post(app, '/collections/create', { collectionName: 'c' });
    expect(noDim.json.code).toBe(1100);
    expect(noDim.json.message).toMatch(/dimension/);
    expect((await post(app, '/collections/create', quick('c', 4, { idType: 'VarChar' }))).json.code).toBe(1100);
    const badId = await post(app, '/collections/create', quick('c', 4, { idType: 'UUID' }));
    expect(badId.json.code).toBe(1100);
    expect(badId.json.message).toMatch(/Int64 or VarChar/);
    expect((await post(app, '/collections/create', quick('c', 4, { metricType: 'BM25' }))).json.code).toBe(3000);
    expect((await post(app, '/collections/create', quick('c', 4, { metricType: 'EUCLID' }))).json.code).toBe(1100);
    const wrong = await post(app, '/collections/create', { collectionName: 'c', dimension: '4' });
    expect(wrong.json.code).toBe(1801);
    expect(wrong.json.message).toMatch(/`dimension` must be an integer/);
    expect((await post(app, '/collections/create', { dimension: 4 })).json.code).toBe(1802);
    expect(service.calls).toEqual([]);
  });

  it('maps enableDynamicField: quick setup from params (default true, Go spellings), full schema from schema only', async () => {
    const { app, service } = setup();
    expect((await post(app, '/collections/create', quick('a', 4, { params: { enableDynamicField: 'True' } }))).json.code).toBe(0);
    expect((await post(app, '/collections/create', quick('c', 4, { params: { enableDynamicField: false } }))).json.code).toBe(0);
    expect((await post(app, '/collections/create', quick('d', 4, { params: { enableDynamicField: '0' } }))).json.code).toBe(0);
    const full = (name: string, schemaFlag: boolean | undefined) => ({
      collectionName: name, params: { enableDynamicField: true },
      schema: { enableDynamicField: schemaFlag, fields: [{ fieldName: 'id', dataType: 'Int64', isPrimary: true }] },
    });
    expect((await post(app, '/collections/create', full('b', true))).json.code).toBe(0);
    expect((await post(app, '/collections/create', full('e', undefined))).json.code).toBe(0);
    expect(service.calls.map((c) => (c.args[0] as { enableDynamicField: boolean }).enableDynamicField)).toEqual([true, false, false, true, false]);
    const bad = await post(app, '/collections/create', quick('f', 4, { params: { enableDynamicField: 'maybe' } }));
    expect(bad.json.code).toBe(1100);
    expect(bad.json.message).toMatch(/enableDynamicField.*a boolean/);
  });

  it('full schema: fields, elementTypeParams as strings or numbers, indexParams, params', async () => {
    const { app, service } = setup();
    const r = await post(app, '/collections/create', {
      collectionName: 'books', description: 'library',
      schema: {
        autoID: false,
        fields: [
          { fieldName: 'book_id', dataType: 'Int64', isPrimary: true },
          { fieldName: 'title', dataType: 'VarChar', elementTypeParams: { max_length: 200 } },
          { fieldName: 'year', dataType: 'Int32', isPartitionKey: true },
          { fieldName: 'emb', dataType: 'FloatVector', elementTypeParams: { dim: '8' } },
        ],
      },
      indexParams: [{ fieldName: 'emb', indexName: 'emb_idx', metricType: 'IP', indexType: 'HNSW', params: { M: '32', efConstruction: 100 } }],
      params: { partitionsNum: 8 },
    });
    expect(r.json).toEqual({ code: 0, data: {} });
    expect(service.calls[0].args[0]).toEqual({
      collectionName: 'books', description: 'library',
      fields: [
        { name: 'book_id', dataType: 'Int64', isPrimaryKey: true, autoId: false },
        { name: 'title', dataType: 'VarChar', isPrimaryKey: false, maxLength: 200 },
        { name: 'year', dataType: 'Int32', isPrimaryKey: false, isPartitionKey: true },
        { name: 'emb', dataType: 'FloatVector', isPrimaryKey: false, dim: 8 },
      ],
      enableDynamicField: false,
      indexParams: [{ fieldName: 'emb', indexName: 'emb_idx', metricType: 'IP', indexType: 'HNSW', params: { M: 32, efConstruction: 100 } }],
      numPartitions: 8,
      load: true,
    });
  });

  it('full schema without indexParams is created but not loaded (as Milvus)', async () => {
    const { app, service } = setup();
    await post(app, '/collections/create', {
      collectionName: 'n', schema: { fields: [
        { fieldName: 'id', dataType: 'Int64', isPrimary: true }, { fieldName: 'v', dataType: 'FloatVector', elementTypeParams: { dim: 2 } }] },
    });
    expect((service.calls[0].args[0] as { load: boolean }).load).toBe(false);
    expect((await post(app, '/collections/get_load_state', { collectionName: 'n' })).json).toEqual({ code: 0, data: { loadState: 'LoadStateNotLoad' } });
  });

  it('full schema errors: Milvus-only types (3000), unknown types (1100), missing names (1802), undeclared index field (1802)', async () => {
    const { app, service } = setup();
    const field = (f: Record<string, unknown>) => ({ collectionName: 'x', schema: { fields: [{ fieldName: 'id', dataType: 'Int64', isPrimary: true }, f] } });
    expect((await post(app, '/collections/create', field({ fieldName: 'b', dataType: 'Float16Vector' }))).json.code).toBe(3000);
    const unknown = await post(app, '/collections/create', field({ fieldName: 'b', dataType: 'Float64' }));
    expect(unknown.json.code).toBe(1100);
    expect(unknown.json.message).toMatch(/Float64.*FloatVector/);
    expect((await post(app, '/collections/create', field({ dataType: 'Int8' }))).json.code).toBe(1802);
    expect((await post(app, '/collections/create', field({ fieldName: 'a', dataType: 'Array', elementDataType: 'JSON' }))).json.code).toBe(1100);
    expect((await post(app, '/collections/create', field({ fieldName: 'a', dataType: 'Array' }))).json.code).toBe(1802);
    expect((await post(app, '/collections/create', field({ fieldName: 'v', dataType: 'FloatVector', elementTypeParams: { dim: 'x' } }))).json.code).toBe(1100);
    const idx = await post(app, '/collections/create', { ...field({ fieldName: 'v', dataType: 'FloatVector', elementTypeParams: { dim: 2 } }), indexParams: [{ fieldName: 'w', metricType: 'L2' }] });
    expect(idx.json.code).toBe(1802);
    expect(idx.json.message).toMatch(/`w`/);
    expect((await post(app, '/collections/create', { ...field({ fieldName: 'v', dataType: 'FloatVector', elementTypeParams: { dim: 2 } }), indexParams: [{ fieldName: 'v', indexType: 'DISKANN' }] })).json.code).toBe(3000);
    expect((await post(app, '/collections/create', quick('c', 4, { params: { ttlSeconds: 60 } }))).json.code).toBe(3000);
    expect((await post(app, '/collections/create', quick('c', 4, { params: { consistencyLevel: 'Sometimes' } }))).json.code).toBe(1100);
    expect(service.calls).toEqual([]);
  });
});

describe('REST v2 collections: describe, list, has, drop, load, release, stats, flush', () => {
  it('describe answers Milvus\'s shape with an exact collectionID', async () => {
    const { app } = setup();
    await post(app, '/collections/create', quick('c', 4));
    const r = await post(app, '/collections/describe', { collectionName: 'c' });
    expect(r.json).toEqual({
      code: 0, message: '',
      data: {
        collectionName: 'c', collectionID: 449_000_000_000_000_001n, description: '', autoId: false,
        fields: [
          { name: 'id', id: 100, type: 'Int64', primaryKey: true, partitionKey: false, clusteringKey: false, autoId: false, description: '', nullable: false },
          { name: 'vector', id: 101, type: 'FloatVector', primaryKey: false, partitionKey: false, clusteringKey: false, autoId: false, description: '', nullable: false, params: [{ key: 'dim', value: '4' }] },
        ],
        functions: [], aliases: [], indexes: [{ indexName: 'vector', fieldName: 'vector', metricType: 'COSINE' }],
        load: 'LoadStateLoaded', shardsNum: 1, partitionsNum: 0, consistencyLevel: 'Bounded', enableDynamicField: true, properties: [],
      },
    });
    expect(r.text).toContain('"collectionID":449000000000000001');
  });

  it('list, has, get_stats, release, load, flush, drop', async () => {
    const { app } = setup();
    await post(app, '/collections/create', quick('a', 2));
    await post(app, '/collections/create', quick('b', 2));
    expect((await post(app, '/collections/list', {})).json).toEqual({ code: 0, data: ['a', 'b'] });
    expect((await post(app, '/collections/has', { collectionName: 'a' })).json).toEqual({ code: 0, data: { has: true } });
    expect((await post(app, '/collections/has', { collectionName: 'z' })).json).toEqual({ code: 0, data: { has: false } });
    expect((await post(app, '/collections/get_stats', { collectionName: 'a' })).json).toEqual({
      code: 0, data: { rowCount: 0, memory: { totalBytes: 0, rawBytes: 0, rawVectorBytes: 0, indexBytes: 0, scalarIndexBytes: 0, segments: [] } },
    });
    expect((await post(app, '/collections/release', { collectionName: 'a' })).json).toEqual({ code: 0, data: {} });
    expect((await post(app, '/collections/get_load_state', { collectionName: 'a' })).json.data).toEqual({ loadState: 'LoadStateNotLoad' });
    expect((await post(app, '/collections/load', { collectionName: 'a' })).json).toEqual({ code: 0, data: {} });
    expect((await post(app, '/collections/flush', { collectionName: 'a' })).json).toEqual({ code: 0, data: {} });
    expect((await post(app, '/collections/drop', { collectionName: 'a' })).json).toEqual({ code: 0, data: {} });
    expect((await post(app, '/collections/list', {})).json.data).toEqual(['b']);
  });

  it('missing collections answer CollectionNotFound (100); load state of partitions is not supported', async () => {
    const { app } = setup();
    for (const path of ['/collections/describe', '/collections/drop', '/collections/get_load_state', '/collections/get_stats']) {
      const r = await post(app, path, { collectionName: 'ghost' });
      expect(r.json.code, path).toBe(100);
      expect(r.json.message, path).toMatch(/ghost/);
    }
    await post(app, '/collections/create', quick('c', 2));
    expect((await post(app, '/collections/get_load_state', { collectionName: 'c', partitionNames: ['p'] })).json.code).toBe(3000);
    expect((await post(app, '/collections/describe', {})).json.code).toBe(1802);
  });
});
