/**
 * BinaryVector fields over REST v2 against a real in-process node (the cluster router over an
 * in-memory disk, inline index builds): the wire encoding of binary vectors (byte arrays or
 * base64 in, base64 out, as Milvus), BIN_* indexes with HAMMING/JACCARD, and the error codes.
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

const DIM = 128; // bits: 16 bytes
const BYTES = DIM / 8;

/** Deterministic pseudo-random byte vectors. */
function byteVectors(count: number, seed: number): number[][] {
  let s = seed >>> 0;
  return Array.from({ length: count }, () => Array.from({ length: BYTES }, () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s >>> 24; }));
}
const vecs = byteVectors(300, 3);
const b64 = (v: number[]) => Buffer.from(v).toString('base64');
function hamming(a: number[], b: number[]): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) for (let x = a[i] ^ b[i]; x; x >>>= 1) d += x & 1;
  return d;
}

/** `collections/create` body with an Int64 key, an Int32 tag and a BinaryVector `bv`. */
function binarySchema(collectionName: string, indexParams?: unknown[], dim: unknown = String(DIM)): Record<string, unknown> {
  return {
    collectionName,
    schema: { fields: [
      { fieldName: 'id', dataType: 'Int64', isPrimary: true },
      { fieldName: 'tag', dataType: 'Int32' },
      { fieldName: 'bv', dataType: 'BinaryVector', elementTypeParams: { dim } },
    ] },
    ...(indexParams ? { indexParams } : {}),
    params: { consistencyLevel: 'Strong' },
  };
}

let node: ShoalNode;
let app: FastifyInstance;

beforeAll(async () => {
  const env = createTestEnv();
  node = await startNode({ env, store: new LocalObjectStore(env.disk), indexBuilder: new InlineIndexBuilder(), segmentMaxRows: 100 });
  app = createHttpServer(node.service);
});

afterAll(async () => {
  await app?.close();
  await node?.close();
});

describe('REST v2 BinaryVector', () => {
  it('create, insert (byte arrays and base64), flush, search (bytes and base64 queries), query and get answer base64 vectors', async () => {
    const create = await post(app, '/collections/create', binarySchema('b', [{ fieldName: 'bv', metricType: 'HAMMING', indexType: 'BIN_IVF_FLAT', params: { nlist: '8' } }]));
    expect(create.json).toEqual({ code: 0, data: {} });
    const desc = await post(app, '/collections/describe', { collectionName: 'b' });
    const fields = (desc.json.data as { fields: { name: string; type: string; params?: unknown }[] }).fields;
    expect(fields[2]).toMatchObject({ name: 'bv', type: 'BinaryVector', params: [{ key: 'dim', value: '128' }] });

    const data = vecs.map((v, i) => ({ id: i, tag: i % 2, bv: i % 2 === 0 ? v : b64(v) }));
    const ins = await post(app, '/entities/insert', { collectionName: 'b', data });
    expect(ins.json).toMatchObject({ code: 0, data: { insertCount: 300 } });
    expect((await post(app, '/collections/flush', { collectionName: 'b' })).json.code).toBe(0);
    for (let i = 0; i < 200; i++) {
      const d = await post(app, '/indexes/describe', { collectionName: 'b', indexName: 'bv' });
      if ((d.json.data as { indexState: string }[])[0].indexState === 'Finished') break;
      await new Promise((r) => setTimeout(r, 10));
    }
    const idx = await post(app, '/indexes/describe', { collectionName: 'b', indexName: 'bv' });
    expect((idx.json.data as unknown[])[0]).toMatchObject({ indexType: 'BIN_IVF_FLAT', metricType: 'HAMMING', indexState: 'Finished', totalRows: 300, params: { nlist: 8 } });

    const q = vecs[11];
    const search = await post(app, '/entities/search', {
      collectionName: 'b', data: [q, b64(vecs[12])], limit: 5, outputFields: ['bv', 'tag'], filter: 'tag == 1',
      searchParams: { metricType: 'HAMMING', params: { nprobe: 8 } },
    });
    expect(search.json.code).toBe(0);
    expect(search.json.topks).toEqual([5, 5]);
    const hits = search.json.data as { id: number; distance: number; bv: string; tag: number }[];
    expect(hits[0]).toEqual({ id: 11, distance: 0, bv: b64(vecs[11]), tag: 1 });
    for (const [n, h] of hits.entries()) {
      const query = n < 5 ? q : vecs[12];
      expect(h.bv).toBe(b64(vecs[h.id]));
      expect(h.tag).toBe(1);
      expect(h.distance).toBe(hamming(vecs[h.id], query));
    }
    const truth = (query: number[]) => vecs.map((v, i) => ({ i, d: hamming(v, query) })).filter((x) => x.i % 2 === 1).sort((a, b) => a.d - b.d).slice(0, 5).map((x) => x.d);
    expect(hits.slice(0, 5).map((h) => h.distance)).toEqual(truth(q));
    expect(hits.slice(5).map((h) => h.distance)).toEqual(truth(vecs[12])); // id 12 has tag 0: filtered out

    const query = await post(app, '/entities/query', { collectionName: 'b', filter: 'id in [0, 1, 299]', outputFields: ['bv'] });
    expect(query.json.code).toBe(0);
    const got = new Map((query.json.data as { id: number; bv: string }[]).map((r) => [r.id, r.bv]));
    expect(got).toEqual(new Map([[0, b64(vecs[0])], [1, b64(vecs[1])], [299, b64(vecs[299])]]));
    for (const [id, text] of got) expect(Array.from(Buffer.from(text, 'base64'))).toEqual(vecs[id]);
    const get = await post(app, '/entities/get', { collectionName: 'b', id: [7] });
    expect(get.json.data).toEqual([{ id: 7, tag: 1, bv: b64(vecs[7]) }]);
  });

  it('AUTOINDEX without a metric is BIN_IVF_FLAT (nlist 128) with HAMMING; JACCARD on BIN_FLAT', async () => {
    expect((await post(app, '/collections/create', binarySchema('auto', [{ fieldName: 'bv' }]))).json.code).toBe(0);
    const idx = await post(app, '/indexes/describe', { collectionName: 'auto', indexName: 'bv' });
    expect((idx.json.data as unknown[])[0]).toMatchObject({ indexType: 'BIN_IVF_FLAT', metricType: 'HAMMING', params: { nlist: 128 } });

    expect((await post(app, '/collections/create', binarySchema('jac', [{ fieldName: 'bv', metricType: 'jaccard', indexType: 'BIN_FLAT' }]))).json.code).toBe(0);
    await post(app, '/entities/insert', { collectionName: 'jac', data: [{ id: 1, tag: 0, bv: Array(BYTES).fill(0b11110000) }, { id: 2, tag: 0, bv: Array(BYTES).fill(0) }] });
    const res = await post(app, '/entities/search', { collectionName: 'jac', data: [Array(BYTES).fill(0b11000000)], limit: 2 });
    expect(res.json.data).toEqual([{ id: 1, distance: 0.5 }, { id: 2, distance: 1 }]);
  });

  it('errors: byte count, byte values and base64 (1100), dim not a multiple of 8 (105), metric and index type of the other kind (1100), BM25 (3000), text queries (3000)', async () => {
    await post(app, '/collections/create', binarySchema('e', [{ fieldName: 'bv', metricType: 'HAMMING', indexType: 'BIN_FLAT' }]));
    const insert = (bv: unknown) => post(app, '/entities/insert', { collectionName: 'e', data: [{ id: 1, tag: 0, bv: vecs[0] }, { id: 2, tag: 0, bv }] });
    for (const [bv, message] of [
      [vecs[0].slice(1), /row 1: binary vector field "bv" has 15 bytes; expected 16 bytes \(dim 128 bits \/ 8\)/],
      [[...vecs[0].slice(1), 256], /byte 15 is 256; expected an integer in \[0, 255\]/],
      [[...vecs[0].slice(1), 1.5], /byte 15 is 1\.5/],
      [b64(vecs[0].slice(2)), /has 14 bytes \(base64\)/],
      ['%%%', /not valid base64/],
    ] as const) {
      const r = await insert(bv);
      expect(r.json.code, String(bv)).toBe(1100);
      expect(r.json.message).toMatch(message);
    }
    expect((await post(app, '/entities/query', { collectionName: 'e', filter: '', outputFields: ['count(*)'] })).json.data).toEqual([{ 'count(*)': 0 }]);

    const search = (data: unknown[], extra: object = {}) => post(app, '/entities/search', { collectionName: 'e', data, limit: 1, ...extra });
    const short = await search([vecs[0].slice(4)]);
    expect(short.json.code).toBe(1100);
    expect(short.json.message).toMatch(/search data\[0\] for binary vector field "bv" has 12 bytes; expected 16 bytes/);
    expect((await search(['some text'])).json.code).toBe(3000);
    expect((await search([vecs[0]], { searchParams: { metricType: 'JACCARD' } })).json.code).toBe(1100);

    expect((await post(app, '/collections/create', binarySchema('d12', undefined, 12))).json.code).toBe(105);
    for (const [index, code] of [
      [{ fieldName: 'bv', metricType: 'L2', indexType: 'BIN_FLAT' }, 1100],
      [{ fieldName: 'bv', metricType: 'HAMMING', indexType: 'HNSW' }, 1100],
      [{ fieldName: 'bv', metricType: 'SUBSTRUCTURE', indexType: 'BIN_FLAT' }, 1100],
      [{ fieldName: 'bv', metricType: 'BM25' }, 3000],
    ] as const) {
      const r = await post(app, '/collections/create', binarySchema('x', [index]));
      expect(r.json.code, JSON.stringify(index)).toBe(code);
    }
    const floatHamming = await post(app, '/collections/create', { collectionName: 'fh', dimension: 4, metricType: 'HAMMING' });
    expect(floatHamming.json.code).toBe(1100);
    expect(floatHamming.json.message).toMatch(/HAMMING.*FloatVector field "vector".*allowed: L2, IP, COSINE/);
  });
});
