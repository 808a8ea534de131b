import { describe, expect, it } from 'vitest';
import type { SearchHit } from '../src/index.ts';
import { testNode } from './helpers.ts';

const DIM = 64; // bits: 8 bytes per vector
const fields = [
  { name: 'id', dataType: 'Int64' as const, isPrimaryKey: true },
  { name: 'tag', dataType: 'Int32' as const },
  { name: 'bv', dataType: 'BinaryVector' as const, dim: DIM },
];

/** Deterministic pseudo-random byte vectors (`count` × `bytes`). */
function byteVectors(count: number, bytes: number, seed: number): number[][] {
  let s = seed >>> 0;
  return Array.from({ length: count }, () => Array.from({ length: bytes }, () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s >>> 24; }));
}

const vecs = byteVectors(400, DIM / 8, 11);
const rows = vecs.map((bv, i) => ({ id: BigInt(i), tag: i % 4, bv }));

function popcount(x: number): number {
  let n = 0;
  for (; x; x >>>= 1) n += x & 1;
  return n;
}
function hamming(a: number[], b: number[]): number {
  return a.reduce((d, x, i) => d + popcount(x ^ b[i]), 0);
}
function jaccard(a: number[], b: number[]): number {
  const and = a.reduce((n, x, i) => n + popcount(x & b[i]), 0);
  const or = a.reduce((n, x, i) => n + popcount(x | b[i]), 0);
  return or === 0 ? 0 : 1 - and / or;
}

/** Brute-force top-k `{ id, d }` among rows passing `keep`, ties by smaller id. */
function exact(q: number[], k: number, dist: (a: number[], b: number[]) => number, keep: (i: number) => boolean = () => true): { id: number; d: number }[] {
  return vecs.map((v, id) => ({ id, d: dist(v, q) })).filter((x) => keep(x.id)).sort((a, b) => a.d - b.d || a.id - b.id).slice(0, k);
}

/** Hits equal brute force up to ties: the same distances rank by rank, each id at its distance and passing `keep`. */
function expectExact(hits: SearchHit[], truth: { id: number; d: number }[], q: number[], dist: (a: number[], b: number[]) => number, keep: (i: number) => boolean = () => true): void {
  expect(hits.map((h) => h.distance)).toEqual(truth.map((t) => Math.fround(t.d)));
  expect(new Set(hits.map((h) => h.id)).size).toBe(hits.length);
  for (const h of hits) {
    expect(keep(Number(h.id))).toBe(true);
    expect(Math.fround(dist(vecs[Number(h.id)], q))).toBe(h.distance);
  }
}

async function waitFor(cond: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 1000 && !(await cond()); i++) await new Promise((r) => setTimeout(r, 10));
  expect(await cond()).toBe(true);
}

describe('BinaryVector collections', () => {
  it('BIN_IVF_FLAT (HAMMING) on two shards: insert (bytes, base64, Uint8Array), flush, index, search = brute force, outputs, query, get, restart', async () => {
    const { node, disk } = await testNode(undefined, { segmentMaxRows: 60 });
    const s = node.service;
    await s.createCollection({
      collectionName: 'b', fields, shardsNum: 2, consistencyLevel: 'Strong',
      indexParams: [{ fieldName: 'bv', metricType: 'HAMMING', indexType: 'BIN_IVF_FLAT', params: { nlist: 16 } }],
    });
    const input = rows.map((r, i) => ({ ...r, bv: i % 3 === 0 ? r.bv : i % 3 === 1 ? Buffer.from(r.bv).toString('base64') : Uint8Array.from(r.bv) }));
    for (let from = 0; from < 400; from += 100) expect((await s.insert('b', input.slice(from, from + 100))).count).toBe(100);
    await s.flush('b');
    await waitFor(async () => (await s.describeIndex('b', 'bv')).indexState === 'Finished');
    expect(await s.describeIndex('b', 'bv')).toMatchObject({ indexType: 'BIN_IVF_FLAT', metricType: 'HAMMING', totalRows: 400, indexedRows: 400 });
    await waitFor(async () => (await s.getLoadState('b')).loadState === 'LoadStateLoaded');

    const search = (q: number[] | string, extra: object = {}) => s.search({ collectionName: 'b', data: [q], limit: 10, searchParams: { params: { nprobe: 16 } }, ...extra });
    for (const qi of [0, 123, 399]) {
      const q = vecs[qi];
      const [hits] = await search(q);
      expectExact(hits, exact(q, 10, hamming), q, hamming);
      expect(hits[0]).toMatchObject({ id: BigInt(qi), distance: 0 });
      const [filtered] = await search(Buffer.from(q).toString('base64'), { filter: 'tag in [1, 2]', outputFields: ['tag', 'bv'] });
      const keep = (i: number) => i % 4 === 1 || i % 4 === 2;
      expectExact(filtered, exact(q, 10, hamming, keep), q, hamming, keep);
      for (const h of filtered) {
        expect(h.fields.tag).toBe(Number(h.id) % 4);
        expect(h.fields.bv).toBeInstanceOf(Uint8Array);
        expect(Array.from(h.fields.bv as Uint8Array)).toEqual(vecs[Number(h.id)]);
      }
      const [paged] = await search(q, { limit: 5, offset: 5 });
      expect(paged.map((h) => h.distance)).toEqual(hits.slice(5).map((h) => h.distance));
    }
    const many = await s.search({ collectionName: 'b', data: [vecs[1], vecs[2]], limit: 3, searchParams: { metricType: 'HAMMING', params: { nprobe: 16 } } });
    expect(many.map((hs) => hs[0].id)).toEqual([1n, 2n]);

    const queried = await s.query({ collectionName: 'b', filter: 'id < 50', outputFields: ['bv'], limit: 100 });
    expect(queried.length).toBe(50);
    for (const r of queried) expect(Array.from(r.bv as Uint8Array)).toEqual(vecs[Number(r.id)]);
    const got = await s.get('b', [7, 300]);
    expect(new Map(got.map((r) => [r.id, Array.from(r.bv as Uint8Array)]))).toEqual(new Map([[7n, vecs[7]], [300n, vecs[300]]]));
    await node.close();

    const { node: again } = await testNode(disk, { segmentMaxRows: 60 });
    await waitFor(async () => (await again.service.getLoadState('b')).loadState === 'LoadStateLoaded');
    const [after] = await again.service.search({ collectionName: 'b', data: [vecs[123]], limit: 10, searchParams: { params: { nprobe: 16 } } });
    expectExact(after, exact(vecs[123], 10, hamming), vecs[123], hamming);
    await again.close();
  });

  it('BIN_FLAT (JACCARD) is exact; AUTOINDEX on a binary field is BIN_IVF_FLAT nlist 128 with HAMMING by default', async () => {
    const { node } = await testNode();
    const s = node.service;
    await s.createCollection({ collectionName: 'j', fields, consistencyLevel: 'Strong', indexParams: [{ fieldName: 'bv', metricType: 'JACCARD', indexType: 'BIN_FLAT' }] });
    await s.insert('j', rows);
    await s.flush('j');
    const q = vecs[42];
    const [hits] = await s.search({ collectionName: 'j', data: [q], limit: 8 });
    expectExact(hits, exact(q, 8, jaccard), q, jaccard);
    await expect(s.search({ collectionName: 'j', data: [q], limit: 8, searchParams: { metricType: 'HAMMING' } })).rejects.toMatchObject({ code: 1100 });

    await s.createCollection({ collectionName: 'a', fields, indexParams: [{ fieldName: 'bv' }] });
    expect(await s.describeIndex('a', 'bv')).toMatchObject({ indexType: 'BIN_IVF_FLAT', metricType: 'HAMMING', params: { nlist: 128 } });
    await node.close();
  });

  it('metric and index type must fit the vector kind; query vectors must be dim/8 bytes', async () => {
    const { node } = await testNode();
    const s = node.service;
    const floatFields = [{ name: 'id', dataType: 'Int64' as const, isPrimaryKey: true }, { name: 'v', dataType: 'FloatVector' as const, dim: 4 }];
    const bad: [typeof fields | typeof floatFields, object, RegExp][] = [
      [fields, { fieldName: 'bv', metricType: 'L2', indexType: 'BIN_FLAT' }, /metricType "L2" is not valid for BinaryVector field "bv" \(index type BIN_FLAT\); allowed: HAMMING, JACCARD/],
      [fields, { fieldName: 'bv', metricType: 'COSINE' }, /allowed: HAMMING, JACCARD/],
      [fields, { fieldName: 'bv', metricType: 'HAMMING', indexType: 'FLAT' }, /index type FLAT cannot index BinaryVector field "bv"; allowed: AUTOINDEX, BIN_FLAT, BIN_IVF_FLAT/],
      [fields, { fieldName: 'bv', metricType: 'HAMMING', indexType: 'HNSW' }, /cannot index BinaryVector/],
      [fields, { fieldName: 'bv', metricType: 'SUBSTRUCTURE', indexType: 'BIN_FLAT' }, /allowed: HAMMING, JACCARD/],
      [floatFields, { fieldName: 'v', metricType: 'HAMMING' }, /metricType "HAMMING" is not valid for FloatVector field "v" \(index type AUTOINDEX\); allowed: L2, IP, COSINE/],
      [floatFields, { fieldName: 'v', metricType: 'L2', indexType: 'BIN_IVF_FLAT' }, /index type BIN_IVF_FLAT cannot index FloatVector field "v"/],
      [fields, { fieldName: 'bv', metricType: 'HAMMING', indexType: 'BIN_IVF_FLAT', params: { nlist: 0 } }, /nlist/],
    ];
    for (const [f, index, message] of bad) {
      const p = s.createCollection({ collectionName: 'x', fields: f, indexParams: [index as never] });
      await expect(p, JSON.stringify(index)).rejects.toMatchObject({ code: 1100 });
      await expect(p).rejects.toThrow(message);
    }
    expect(await s.listCollections()).toEqual([]);

    await s.createCollection({ collectionName: 'b', fields, consistencyLevel: 'Strong', indexParams: [{ fieldName: 'bv', metricType: 'HAMMING', indexType: 'BIN_FLAT' }] });
    await s.insert('b', rows.slice(0, 10));
    const badQueries: [unknown, RegExp][] = [
      [[1, 2, 3], /search data\[0\] for binary vector field "bv" has 3 bytes; expected 8 bytes \(dim 64 bits \/ 8\)/],
      [[1, 2, 3, 4, 5, 6, 7, 256], /byte 7 is 256; expected an integer in \[0, 255\]/],
      [[1, 2, 3, 4, 5, 6, 7, 0.5], /byte 7 is 0\.5/],
      ['AQID', /has 3 bytes \(base64\)/],
      ['no base64', /not valid base64/],
    ];
    for (const [q, message] of badQueries) {
      const p = s.search({ collectionName: 'b', data: [q as number[]], limit: 1 });
      await expect(p, String(q)).rejects.toMatchObject({ code: 1100 });
      await expect(p).rejects.toThrow(message);
    }
    await expect(s.insert('b', [{ id: 99, tag: 0, bv: [1, 2] }])).rejects.toThrow(/row 0: binary vector field "bv" has 2 bytes; expected 8 bytes/);

    await s.createCollection({ collectionName: 'f', fields: floatFields, indexParams: [{ fieldName: 'v', metricType: 'L2', indexType: 'FLAT' }] });
    await expect(s.search({ collectionName: 'f', data: ['AAAAAA=='], limit: 1 })).rejects.toMatchObject({ code: 3000 });
    await node.close();
  });
});
