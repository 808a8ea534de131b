import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { ShoalClient, ShoalClientError } from '@shoal/client';
// The client itself depends on nothing of the server; only this test drives a real REST server
// (over the REST layer's in-memory test double) to check the client end to end.
import { createHttpServer } from '../apps/node/src/http/index.ts';
import { FIRST_AUTO_ID, InMemoryServiceDouble } from '../apps/node/test/http-test-double.ts';

/** A started REST server over a fresh test double. */
async function startPeer(): Promise<{ app: FastifyInstance; service: InMemoryServiceDouble; url: string }> {
  const service = new InMemoryServiceDouble();
  const app = createHttpServer(service);
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return { app, service, url };
}

/** A URL on which nothing listens (connection refused). */
async function deadUrl(): Promise<string> {
  const s = createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', resolve));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

/** A raw HTTP server that answers every request with `status` (or never, when `status` is 0). */
async function oddServer(status: number): Promise<{ server: Server; url: string; hits: () => number }> {
  let hits = 0;
  const server = createServer((_req, res) => {
    hits++;
    if (status > 0) res.writeHead(status).end('unavailable');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits: () => hits };
}

describe('ShoalClient against a real REST server', () => {
  let peer: Awaited<ReturnType<typeof startPeer>>;
  let client: ShoalClient;
  beforeAll(async () => {
    peer = await startPeer();
    client = new ShoalClient({ address: peer.url.replace('http://', ''), timeoutMs: 5000 });
  });
  afterAll(async () => { await peer.app.close(); });

  it('collections, entities, search, indexes and partitions round-trip with typed results', async () => {
    await client.createCollection({ collectionName: 'c', dimension: 2, metricType: 'L2', autoID: true });
    expect(await client.listCollections()).toEqual(['c']);
    expect(await client.hasCollection({ collectionName: 'c' })).toBe(true);
    const d = await client.describeCollection({ collectionName: 'c' });
    expect(d.collectionID).toBe(449_000_000_000_000_001n);
    expect(d.fields.map((f) => f.name)).toEqual(['id', 'vector']);
    expect(await client.getLoadState({ collectionName: 'c' })).toEqual({ loadState: 'LoadStateLoaded', loadProgress: 100 });

    const ins = await client.insert({ collectionName: 'c', data: [{ vector: [0, 0] }, { vector: new Float32Array([1, 0]) }] });
    expect(ins).toEqual({ insertCount: 2, insertIds: [FIRST_AUTO_ID, FIRST_AUTO_ID + 1n] });
    const stats = await client.getCollectionStatistics({ collectionName: 'c' });
    expect(stats.rowCount).toBe(2);
    expect(stats.memory).toMatchObject({ totalBytes: expect.any(Number), segments: expect.any(Array) });
    expect(await client.get({ collectionName: 'c', id: FIRST_AUTO_ID + 1n })).toEqual([{ id: FIRST_AUTO_ID + 1n, vector: [1, 0] }]);
    expect(await client.query({ collectionName: 'c', filter: '', outputFields: ['count(*)'] })).toEqual([{ 'count(*)': 2 }]);

    const hits = await client.search({ collectionName: 'c', data: [[0, 0], [1, 0], [0.9, 0]], limit: 1 });
    expect(hits).toEqual([
      [{ id: FIRST_AUTO_ID, distance: 0 }],
      [{ id: FIRST_AUTO_ID + 1n, distance: 0 }],
      [{ id: FIRST_AUTO_ID + 1n, distance: 0.01 }],
    ]);
    expect(await client.search({ collectionName: 'c', data: [[0, 0], [1, 1]], filter: 'id in [5]' })).toEqual([[], []]);

    expect(await client.upsert({ collectionName: 'c', data: [{ id: FIRST_AUTO_ID, vector: [2, 2] }] })).toEqual({ upsertCount: 1, upsertIds: [FIRST_AUTO_ID] });
    expect(await client.delete({ collectionName: 'c', filter: `id in [${FIRST_AUTO_ID}]` })).toEqual({ deleteCount: 1 });

    await client.createIndex({ collectionName: 'c', indexParams: [{ fieldName: 'vector', indexName: 'flat', metricType: 'IP', indexType: 'FLAT' }] });
    expect(await client.listIndexes({ collectionName: 'c' })).toEqual(['vector', 'flat']);
    expect((await client.describeIndex({ collectionName: 'c', indexName: 'flat' }))[0]).toMatchObject({ indexType: 'FLAT', metricType: 'IP' });
    await client.dropIndex({ collectionName: 'c', indexName: 'flat' });

    await client.createPartition({ collectionName: 'c', partitionName: 'p' });
    expect(await client.listPartitions({ collectionName: 'c' })).toEqual(['_default', 'p']);
    expect(await client.hasPartition({ collectionName: 'c', partitionName: 'p' })).toBe(true);
    await client.dropPartition({ collectionName: 'c', partitionName: 'p' });

    await client.flush({ collectionName: 'c' });
    await client.releaseCollection({ collectionName: 'c' });
    await client.loadCollection({ collectionName: 'c' });
    await client.dropCollection({ collectionName: 'c' });
    expect(await client.listCollections()).toEqual([]);
  });

  it('server error codes are thrown as ShoalClientError { code, message }', async () => {
    const err = await client.describeCollection({ collectionName: 'ghost' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ShoalClientError);
    expect(err).toMatchObject({ code: 100, message: expect.stringMatching(/ghost/) });
    const sparse = { enableDynamicField: false, fields: [
      { fieldName: 'id', dataType: 'Int64', isPrimary: true }, { fieldName: 'v', dataType: 'SparseFloatVector' },
    ] };
    await expect(client.createCollection({ collectionName: 'x', schema: sparse } as never)).rejects.toMatchObject({ code: 3000 });
  });
});

describe('ShoalClient failover', () => {
  it('skips a dead URL, then keeps using the live peer', async () => {
    const peer = await startPeer();
    try {
      const client = new ShoalClient({ address: [await deadUrl(), peer.url], timeoutMs: 2000 });
      expect(await client.listCollections()).toEqual([]);
      await client.createCollection({ collectionName: 'f', dimension: 2 });
      expect(await client.hasCollection({ collectionName: 'f' })).toBe(true);
      expect(peer.service.calls.map((c) => c.method)).toEqual(['listCollections', 'createCollection', 'hasCollection']);
    } finally {
      await peer.app.close();
    }
  });

  it('fails over on a timeout and on HTTP 503, and remembers the peer that answered', async () => {
    const hanging = await oddServer(0);
    const unavailable = await oddServer(503);
    const peer = await startPeer();
    try {
      const client = new ShoalClient({ address: [hanging.url, unavailable.url, peer.url], timeoutMs: 300 });
      expect(await client.listCollections()).toEqual([]);
      expect([hanging.hits(), unavailable.hits()]).toEqual([1, 1]);
      expect(await client.listCollections()).toEqual([]);
      expect([hanging.hits(), unavailable.hits()]).toEqual([1, 1]);
    } finally {
      hanging.server.closeAllConnections();
      await new Promise<void>((resolve) => hanging.server.close(() => resolve()));
      await new Promise<void>((resolve) => unavailable.server.close(() => resolve()));
      await peer.app.close();
    }
  });

  it('does not retry an answer with a Milvus error code on another peer', async () => {
    const a = await startPeer();
    const b = await startPeer();
    try {
      const client = new ShoalClient({ address: [a.url, b.url] });
      await expect(client.dropCollection({ collectionName: 'nope' })).rejects.toMatchObject({ code: 100 });
      expect(a.service.calls.length).toBe(1);
      expect(b.service.calls.length).toBe(0);
    } finally {
      await a.app.close();
      await b.app.close();
    }
  });

  it('reports code 2 with every peer\'s reason when none can be reached; rejects bad options', async () => {
    const client = new ShoalClient({ address: [await deadUrl(), await deadUrl()], timeoutMs: 1000 });
    const err = await client.listCollections().catch((e: unknown) => e) as ShoalClientError;
    expect(err.code).toBe(2);
    expect(err.message).toMatch(/ECONNREFUSED.*ECONNREFUSED/);
    expect(() => new ShoalClient({ address: [] })).toThrow(ShoalClientError);
    expect(() => new ShoalClient({ address: 'x', timeoutMs: 0 })).toThrow(/timeoutMs/);
  });

  it('an answer that is not a Milvus REST answer is code 65535, not a failover', async () => {
    const peer = await startPeer();
    try {
      const client = new ShoalClient({ address: `${peer.url}/not-the-api` });
      await expect(client.listCollections()).rejects.toMatchObject({ code: 65535 });
    } finally {
      await peer.app.close();
    }
  });
});
