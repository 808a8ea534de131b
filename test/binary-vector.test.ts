/**
 * BinaryVector fields end to end: the official Milvus Node SDK's RESTful client (`HttpClient` of
 * @zilliz/milvus2-sdk-node) against a real `shoal start` process. 2,000 random 256-bit vectors:
 * create → insert (byte arrays and base64, as Milvus accepts) → BIN_IVF_FLAT (HAMMING) index →
 * flush → load → filtered search equal to a brute-force Hamming top-10 (nprobe = nlist) → a
 * JACCARD collection with BIN_FLAT, exact too → query returns every vector byte for byte (base64,
 * as Milvus answers) → restart the node → the same answers; rows acknowledged before a kill -9 are
 * recovered.
 */
import { HttpClient } from '@zilliz/milvus2-sdk-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ShoalProcess, sleep } from './helpers/node-process.ts';
import { SeededRandom } from './helpers/random.ts';

const ROWS = 2_000;
const DIM = 256; // bits
const BYTES = DIM / 8;
const NLIST = 32;
const NQ = 20;
const K = 10;
const BASE_ID = 2 ** 40;
const TAGS = 5;

const random = new SeededRandom(20_240_601);
const vecs = Array.from({ length: ROWS }, () => Array.from({ length: BYTES }, () => random.int(0, 255)));
// Queries: half are perturbed base vectors (close neighbours exist), half fresh random vectors.
const queries = Array.from({ length: NQ }, (_, q) => (q % 2 === 0
  ? vecs[q * 37].map((b) => b ^ (1 << random.int(0, 7)) * (random.next() < 0.2 ? 1 : 0))
  : Array.from({ length: BYTES }, () => random.int(0, 255))));
const b64 = (v: number[]) => Buffer.from(v).toString('base64');

const POP = Uint8Array.from({ length: 256 }, (_, x) => { let n = 0; for (let y = x; y; y >>= 1) n += y & 1; return n; });
function hamming(a: number[], b: number[]): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d += POP[a[i] ^ b[i]];
  return d;
}
function jaccard(a: number[], b: number[]): number {
  let and = 0;
  let or = 0;
  for (let i = 0; i < a.length; i++) { and += POP[a[i] & b[i]]; or += POP[a[i] | b[i]]; }
  return or === 0 ? 0 : 1 - and / or;
}

/** A hit as the SDK returns it (`Accept-Type-Allow-Int64: false`: ids are decimal strings). */
interface Hit { id: string; distance: number; tag?: number; bv?: string }

/** Brute-force top-K `{ row, d }` of `q` among rows passing `keep`. */
function bruteForce(q: number[], dist: (a: number[], b: number[]) => number, keep: (i: number) => boolean): { row: number; d: number }[] {
  return vecs.map((v, row) => ({ row, d: dist(v, q) })).filter((x) => keep(x.row)).sort((a, b) => a.d - b.d || a.row - b.row).slice(0, K);
}

/** Top-K equal to brute force up to exact ties: same distance at every rank, each id distinct, passing, at its distance. */
function expectExact(hits: Hit[], q: number[], dist: (a: number[], b: number[]) => number, keep: (i: number) => boolean, where: string): void {
  const truth = bruteForce(q, dist, keep);
  expect(hits.length, where).toBe(K);
  expect(new Set(hits.map((h) => h.id)).size, `${where}: duplicate ids`).toBe(K);
  hits.forEach((h, r) => {
    const row = Number(h.id) - BASE_ID;
    expect(Math.abs(h.distance - truth[r].d), `${where} rank ${r}: distance`).toBeLessThanOrEqual(1e-6);
    expect(keep(row), `${where} rank ${r}: row ${row} does not pass the filter`).toBe(true);
    expect(Math.abs(dist(vecs[row], q) - h.distance), `${where} rank ${r}: row ${row} is not at its reported distance`).toBeLessThanOrEqual(1e-6);
  });
}

function schema(collectionName: string, indexParams?: unknown[]): Parameters<HttpClient['createCollection']>[0] {
  return {
    collectionName,
    schema: {
      autoID: false,
      fields: [
        { fieldName: 'id', dataType: 'Int64', isPrimary: true },
        { fieldName: 'tag', dataType: 'Int32' },
        { fieldName: 'bv', dataType: 'BinaryVector', elementTypeParams: { dim: DIM } },
      ],
    },
    ...(indexParams ? { indexParams } : {}),
    params: { consistencyLevel: 'Strong' },
  } as Parameters<HttpClient['createCollection']>[0];
}

describe('BinaryVector collections through the official Milvus SDK (HttpClient) against shoal start', () => {
  let node: ShoalProcess;
  let client: HttpClient;

  beforeAll(async () => {
    node = await ShoalProcess.start({ args: ['--index-workers', '1'] });
    client = new HttpClient({ endpoint: node.url, timeout: 60_000 });
  });

  afterAll(async () => {
    await node?.dispose();
  });

  async function insertAll(collectionName: string): Promise<void> {
    for (let from = 0; from < ROWS; from += 500) {
      // Odd batches send base64 strings, even ones byte arrays: Milvus accepts both for a []byte.
      const data = Array.from({ length: 500 }, (_, k) => {
        const i = from + k;
        return { id: BASE_ID + i, tag: i % TAGS, bv: (from / 500) % 2 === 1 ? b64(vecs[i]) : vecs[i] };
      });
      const res = await client.insert({ collectionName, data });
      expect(res.code, res.message).toBe(0);
      expect(res.data.insertCount).toBe(500);
    }
  }

  async function waitLoadedAndIndexed(collectionName: string, indexName: string): Promise<void> {
    let load = await client.getCollectionLoadState({ collectionName });
    let idx = await client.describeIndex({ collectionName, indexName });
    for (let i = 0; i < 600 && (load.data.loadState !== 'LoadStateLoaded' || idx.data[0].indexState !== 'Finished'); i++) {
      await sleep(100);
      load = await client.getCollectionLoadState({ collectionName });
      idx = await client.describeIndex({ collectionName, indexName });
    }
    expect(load.data.loadState).toBe('LoadStateLoaded');
    expect(idx.data[0]).toMatchObject({ indexState: 'Finished', totalRows: ROWS, indexedRows: ROWS });
  }

  async function search(collectionName: string, metricType: string, params: Record<string, unknown>, filter = '', outputFields: string[] = ['tag']): Promise<Hit[][]> {
    const res = await client.search({
      collectionName, data: queries, annsField: 'bv', filter, limit: K, outputFields, searchParams: { metricType, params },
    } as unknown as Parameters<HttpClient['search']>[0]);
    expect(res.code, res.message).toBe(0);
    expect(res.topks).toEqual(Array(NQ).fill(K));
    return res.data as unknown as Hit[][];
  }

  /** Every row of a collection (id → bytes), decoded from the base64 the query answers with. */
  async function allVectors(collectionName: string): Promise<Map<number, number[]>> {
    const res = await client.query({ collectionName, filter: `id >= ${BASE_ID}`, outputFields: ['id', 'bv'], limit: ROWS });
    expect(res.code, res.message).toBe(0);
    return new Map(res.data.map((r) => [Number(r.id) - BASE_ID, Array.from(Buffer.from(r.bv as string, 'base64'))]));
  }

  let hamBefore: Hit[][];
  let jacBefore: Hit[][];
  let rowsBefore: Map<number, number[]>;
  const keepTag = (i: number) => i % TAGS !== 2;

  it('HAMMING with BIN_IVF_FLAT: insert → index → flush → load → filtered search equals brute force at nprobe = nlist', async () => {
    expect(await client.createCollection(schema('bin_ham'))).toEqual({ code: 0, data: {} });
    const described = await client.describeCollection({ collectionName: 'bin_ham' });
    // Shoal answers Milvus's describe shape ({ name, type, params }), which the SDK's typings do not declare.
    const fields = described.data.fields as unknown as { name: string }[];
    expect(fields.find((f) => f.name === 'bv')).toMatchObject({ type: 'BinaryVector', params: [{ key: 'dim', value: String(DIM) }] });
    await insertAll('bin_ham');
    const indexed = await client.createIndex({
      collectionName: 'bin_ham',
      indexParams: [{ fieldName: 'bv', indexName: 'bv_ivf', metricType: 'HAMMING', params: { index_type: 'BIN_IVF_FLAT', nlist: String(NLIST) } }],
    } as unknown as Parameters<HttpClient['createIndex']>[0]);
    expect(indexed).toEqual({ code: 0, data: {} });
    expect(await client.flushCollection({ collectionName: 'bin_ham' })).toEqual({ code: 0, data: {} });
    expect(await client.loadCollection({ collectionName: 'bin_ham' })).toEqual({ code: 0, data: {} });
    await waitLoadedAndIndexed('bin_ham', 'bv_ivf');
    const idx = await client.describeIndex({ collectionName: 'bin_ham', indexName: 'bv_ivf' });
    expect(idx.data[0]).toMatchObject({ indexType: 'BIN_IVF_FLAT', metricType: 'HAMMING', params: { nlist: NLIST } });

    hamBefore = await search('bin_ham', 'HAMMING', { nprobe: NLIST }, 'tag != 2');
    hamBefore.forEach((hits, q) => {
      expectExact(hits, queries[q], hamming, keepTag, `HAMMING query ${q}`);
      for (const h of hits) expect(h.tag).toBe((Number(h.id) - BASE_ID) % TAGS);
    });
    // The IVF index answers these searches: probing one list of 32 misses true neighbours.
    const oneList = await search('bin_ham', 'HAMMING', { nprobe: 1 }, 'tag != 2');
    const exactAtOne = oneList.filter((hits, q) => hits.map((h) => h.distance).join() === bruteForce(queries[q], hamming, keepTag).map((t) => t.d).join()).length;
    expect(exactAtOne).toBeLessThan(NQ);
    // The vector field as an output field comes back as base64, as from Milvus.
    const withVectors = await search('bin_ham', 'HAMMING', { nprobe: NLIST }, '', ['bv']);
    for (const h of withVectors.flat()) expect(h.bv).toBe(b64(vecs[Number(h.id) - BASE_ID]));
    expect(withVectors[0][0].distance).toBe(hamming(vecs[0], queries[0]));
    // A query vector of the wrong size is rejected with the expected byte count.
    const bad = await client.search({ collectionName: 'bin_ham', data: [queries[0].slice(1)], limit: K } as unknown as Parameters<HttpClient['search']>[0]);
    expect(bad.code).toBe(1100);
    expect(bad.message).toMatch(/has 31 bytes; expected 32 bytes \(dim 256 bits \/ 8\)/);
  });

  it('JACCARD with BIN_FLAT is exact; query returns every vector byte for byte', async () => {
    const created = await client.createCollection(schema('bin_jac', [{ fieldName: 'bv', indexName: 'bv_flat', metricType: 'JACCARD', indexType: 'BIN_FLAT' }]));
    expect(created).toEqual({ code: 0, data: {} });
    await insertAll('bin_jac');
    expect(await client.flushCollection({ collectionName: 'bin_jac' })).toEqual({ code: 0, data: {} });
    await waitLoadedAndIndexed('bin_jac', 'bv_flat');
    jacBefore = await search('bin_jac', 'JACCARD', {});
    jacBefore.forEach((hits, q) => expectExact(hits, queries[q], jaccard, () => true, `JACCARD query ${q}`));
    rowsBefore = await allVectors('bin_jac');
    expect(rowsBefore.size).toBe(ROWS);
    for (let i = 0; i < ROWS; i++) expect(rowsBefore.get(i), `row ${i}`).toEqual(vecs[i]);
    expect(await allVectors('bin_ham')).toEqual(rowsBefore);
  });

  it('after a restart: the same search answers and the same vectors', async () => {
    await node.restart();
    client = new HttpClient({ endpoint: node.url, timeout: 60_000 });
    await waitLoadedAndIndexed('bin_ham', 'bv_ivf');
    await waitLoadedAndIndexed('bin_jac', 'bv_flat');
    expect(await search('bin_ham', 'HAMMING', { nprobe: NLIST }, 'tag != 2')).toEqual(hamBefore);
    expect(await search('bin_jac', 'JACCARD', {})).toEqual(jacBefore);
    expect(await allVectors('bin_jac')).toEqual(rowsBefore);
    expect(await allVectors('bin_ham')).toEqual(rowsBefore);
  });

  it('acknowledged binary rows survive kill -9 (recovered from the write-ahead log)', async () => {
    const extra = Array.from({ length: 50 }, (_, k) => ({ id: BASE_ID + ROWS + k, tag: 0, bv: vecs[k].map((b) => 255 - b) }));
    const res = await client.insert({ collectionName: 'bin_jac', data: extra });
    expect(res.code, res.message).toBe(0);
    await node.kill('SIGKILL');
    await node.restart();
    client = new HttpClient({ endpoint: node.url, timeout: 60_000 });
    await waitLoadedAndIndexed('bin_jac', 'bv_flat');
    const got = await client.query({ collectionName: 'bin_jac', filter: `id >= ${BASE_ID + ROWS}`, outputFields: ['id', 'bv'], limit: 100 });
    expect(got.code, got.message).toBe(0);
    expect(new Map(got.data.map((r) => [Number(r.id), r.bv]))).toEqual(new Map(extra.map((r) => [r.id, b64(r.bv)])));
    const [hit] = (await client.search({ collectionName: 'bin_jac', data: [extra[7].bv], limit: 1 } as unknown as Parameters<HttpClient['search']>[0])).data as unknown as Hit[];
    expect(hit).toMatchObject({ id: String(BASE_ID + ROWS + 7), distance: 0 });
  });
});
