import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MemoryDisk } from '@shoal/actors';
import { createTestEnv } from '@shoal/actors/node';
import { InlineIndexBuilder } from '@shoal/ann';
import type { IndexSpec } from '@shoal/ann';
import {
  buildSchema, columnWidth, compileFilter, decodeBase64, LocalObjectStore, openShard, readValue, rowsToBatch, vectorField, vectorFields,
} from '../src/index.ts';
import type { Shard } from '../src/index.ts';
import { decodeColumn, encodeColumn } from '../src/storage/column-codec.ts';

const DIM = 32; // bits: 4 bytes per vector
const schema = buildSchema('bin', '', [
  { name: 'id', dataType: 'Int64', isPrimaryKey: true },
  { name: 'tag', dataType: 'Int32' },
  { name: 'bv', dataType: 'BinaryVector', dim: DIM },
], false);

/** Deterministic pseudo-random bytes. */
function bytesOf(n: number, seed: number): number[] {
  let s = seed >>> 0;
  return Array.from({ length: n }, () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s >>> 24; });
}

function codeOf(fn: () => unknown): number | undefined {
  try { fn(); } catch (e) { return (e as { code?: number }).code; }
  return undefined;
}

describe('BinaryVector schema', () => {
  it('dim is in bits: a multiple of 8 in [8, 32768]; the field is the vector field; a row is dim/8 bytes', () => {
    const f = vectorField(schema);
    expect(f).toMatchObject({ name: 'bv', dataType: 'BinaryVector', dim: DIM });
    expect(columnWidth(f)).toBe(4);
    for (const dim of [8, 128, 32_768]) {
      expect(buildSchema('ok', '', [{ name: 'id', dataType: 'Int64', isPrimaryKey: true }, { name: 'b', dataType: 'BinaryVector', dim }], false).fields[1].dim).toBe(dim);
    }
    for (const dim of [0, 4, 12, 7.5, 32_776, undefined]) {
      const fn = () => buildSchema('bad', '', [{ name: 'id', dataType: 'Int64', isPrimaryKey: true }, { name: 'b', dataType: 'BinaryVector', dim }], false);
      expect(codeOf(fn), `dim ${dim}`).toBe(105);
      expect(fn).toThrow(/multiple of 8 in \[8, 32768\]/);
    }
  });

  it('a collection has 1 to 10 vector fields, float or binary mixed', () => {
    const two = buildSchema('two', '', [
      { name: 'id', dataType: 'Int64', isPrimaryKey: true },
      { name: 'f', dataType: 'FloatVector', dim: 4 },
      { name: 'b', dataType: 'BinaryVector', dim: 8 },
    ], false);
    expect(vectorFields(two).map((f) => [f.name, f.dim])).toEqual([['f', 4], ['b', 8]]);
    const vectors = (n: number) => Array.from({ length: n }, (_, i) => ({ name: `v${i}`, dataType: 'FloatVector' as const, dim: 2 + i }));
    expect(vectorFields(buildSchema('ten', '', [{ name: 'id', dataType: 'Int64', isPrimaryKey: true }, ...vectors(10)], false))).toHaveLength(10);
    const eleven = () => buildSchema('eleven', '', [{ name: 'id', dataType: 'Int64', isPrimaryKey: true }, ...vectors(11)], false);
    expect(codeOf(eleven)).toBe(105);
    expect(eleven).toThrow(/has 11 vector fields .*at most 10 are allowed/);
    expect(() => buildSchema('none', '', [{ name: 'id', dataType: 'Int64', isPrimaryKey: true }], false)).toThrow(/FloatVector or BinaryVector/);
  });
});

describe('BinaryVector rows', () => {
  it('accepts byte arrays, Uint8Array and base64 strings; reads back Uint8Array copies', () => {
    const rows = [
      { id: 1, tag: 0, bv: [0, 1, 254, 255] },
      { id: 2, tag: 0, bv: Uint8Array.from([9, 8, 7, 6]) },
      { id: 3, tag: 0, bv: Buffer.from([200, 100, 50, 25]).toString('base64') },
    ];
    const batch = rowsToBatch(schema, rows);
    expect(batch.columns.bv).toBeInstanceOf(Uint8Array);
    expect(Array.from(batch.columns.bv as Uint8Array)).toEqual([0, 1, 254, 255, 9, 8, 7, 6, 200, 100, 50, 25]);
    const f = vectorField(schema);
    const v = readValue(f, batch.columns.bv, 2) as Uint8Array;
    expect(v).toBeInstanceOf(Uint8Array);
    expect(Array.from(v)).toEqual([200, 100, 50, 25]);
    v[0] = 0;
    expect((batch.columns.bv as Uint8Array)[8]).toBe(200); // a copy
  });

  it('rejects a wrong byte count, values outside 0..255, non-integers and bad base64 with 1100 naming row, field and dim/8', () => {
    const bad: [unknown, RegExp][] = [
      [[1, 2, 3], /has 3 bytes; expected 4 bytes \(dim 32 bits \/ 8\)/],
      [[1, 2, 3, 4, 5], /has 5 bytes; expected 4 bytes/],
      [[1, 2, 3, 256], /byte 3 is 256; expected an integer in \[0, 255\]/],
      [[-1, 2, 3, 4], /byte 0 is -1/],
      [[1, 2.5, 3, 4], /byte 1 is 2\.5/],
      [[1, '2', 3, 4], /byte 1 is "2"/],
      [[1, 2, 3, 10n ** 20n], /byte 3 is 100000000000000000000/],
      ['AQID', /has 3 bytes \(base64\); expected 4 bytes/],
      ['not base64!', /not valid base64/],
      ['AQIDBA', /not valid base64/], // unpadded, as Go's StdEncoding rejects
      [{ a: 1 }, /is object; expected 4 bytes/],
      [Float32Array.from([1, 2, 3, 4]), /is object; expected 4 bytes/],
    ];
    for (const [value, message] of bad) {
      const fn = () => rowsToBatch(schema, [{ id: 1, tag: 0, bv: [0, 0, 0, 0] }, { id: 2, tag: 0, bv: value }]);
      expect(codeOf(fn), String(value)).toBe(1100);
      expect(fn).toThrow(/^row 1: binary vector field "bv" /);
      expect(fn).toThrow(message);
    }
  });

  it('base64 decoding is strict standard base64 with padding', () => {
    expect(Array.from(decodeBase64('AQIDBA==')!)).toEqual([1, 2, 3, 4]);
    expect(Array.from(decodeBase64('')!)).toEqual([]);
    for (const s of ['AQIDBA', 'AQID BA==', 'AQ-_', 'A===']) expect(decodeBase64(s), s).toBeNull();
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (b) => {
      expect(Array.from(decodeBase64(Buffer.from(b).toString('base64'))!)).toEqual(Array.from(b));
    }));
  });
});

describe('BinaryVector columns on disk', () => {
  it('round-trips numRows × dim/8 bytes and rejects a wrong length or dim', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 1, max: 8 }), (n, bytes) => {
      const col = Uint8Array.from(bytesOf(n * bytes, n * 31 + bytes));
      const back = decodeColumn('BinaryVector', encodeColumn('BinaryVector', col, n), n, bytes * 8);
      expect(back).toBeInstanceOf(Uint8Array);
      expect(Array.from(back as Uint8Array)).toEqual(Array.from(col));
    }));
    const enc = encodeColumn('BinaryVector', new Uint8Array(8), 2);
    expect(codeOf(() => decodeColumn('BinaryVector', enc, 2, 64))).toBe(1001);
    expect(codeOf(() => decodeColumn('BinaryVector', enc, 2, 12))).toBe(1100);
    expect(codeOf(() => encodeColumn('BinaryVector', new Uint8Array(7), 2))).toBe(1100);
    expect(codeOf(() => encodeColumn('BinaryVector', new Float32Array(8), 2))).toBe(1100);
  });
});

function open(disk: MemoryDisk, index: IndexSpec | null = null): Promise<Shard> {
  return openShard({
    env: createTestEnv({ disk }), store: new LocalObjectStore(disk), collectionId: 9n, shardNo: 0, schema,
    walDir: 'wal/9/0', indexBuilder: new InlineIndexBuilder(), index, loaded: true, segmentMaxRows: 50,
  });
}

/** Every visible row's id → vector bytes. */
function contents(shard: Shard): Map<bigint, number[]> {
  const out = new Map<bigint, number[]>();
  const f = vectorField(schema);
  for (const ref of shard.query({ readTs: 1n << 62n }, 0, undefined)) {
    out.set(shard.primaryKeyOf(ref) as bigint, Array.from(readValue(f, ref.segment.column('bv'), ref.offset) as Uint8Array));
  }
  return out;
}

describe('BinaryVector in a shard', () => {
  it('growing and sealed segments keep the bytes exactly, across flush, restart and a crash', async () => {
    const disk = new MemoryDisk();
    const shard = await open(disk);
    const want = new Map<bigint, number[]>();
    const rows = Array.from({ length: 120 }, (_, i) => {
      const bv = bytesOf(4, i + 1);
      want.set(BigInt(i), bv);
      return { id: i, tag: i % 3, bv };
    });
    await shard.insert(rowsToBatch(schema, rows.slice(0, 70)), 1n << 18n, 1); // one sealed segment of 50 rows, 20 growing
    expect(contents(shard)).toEqual(new Map([...want].filter(([k]) => k < 70n)));
    await shard.flush();
    await shard.insert(rowsToBatch(schema, rows.slice(70)), 2n << 18n, 1);
    expect(contents(shard)).toEqual(want);
    await shard.close();

    const reopened = await open(disk); // sealed segments from the object store, the rest from the log
    expect(contents(reopened)).toEqual(want);
    const extra = { id: 500, tag: 0, bv: [1, 2, 3, 4] };
    await reopened.insert(rowsToBatch(schema, [extra]), 3n << 18n, 1);
    disk.crash();
    const recovered = await open(disk);
    expect(contents(recovered)).toEqual(new Map([...want, [500n, [1, 2, 3, 4]]]));
    await recovered.close();
  });
});

/** Hamming distance of two byte vectors. */
function hamming(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) { let x = a[i] ^ b[i]; while (x) { d += x & 1; x >>>= 1; } }
  return d;
}

/** Jaccard distance 1 − |a ∧ b| / |a ∨ b| (0 for two all-zero vectors), in float64. */
function jaccard(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let and = 0;
  let or = 0;
  for (let i = 0; i < a.length; i++) {
    for (let x = a[i] & b[i]; x; x >>>= 1) and += x & 1;
    for (let x = a[i] | b[i]; x; x >>>= 1) or += x & 1;
  }
  return or === 0 ? 0 : 1 - and / or;
}

describe('BinaryVector search in a shard', () => {
  const N = 240;
  const vecs = Array.from({ length: N }, (_, i) => bytesOf(4, 1000 + i));
  const rows = vecs.map((bv, i) => ({ id: i, tag: i % 3, bv }));

  /** Checks `hits` (one query) against brute force under `dist`: same distances rank by rank, every id at its reported distance and passing `keep`. */
  function expectExact(shard: Shard, hits: { score: number; segment: unknown; offset: number }[], q: number[], k: number, dist: (a: number[], b: number[]) => number, keep: (i: number) => boolean): void {
    const truth = vecs.map((v, i) => ({ i, d: dist(v, q) })).filter((x) => keep(x.i)).sort((a, b) => a.d - b.d || a.i - b.i).slice(0, k);
    expect(hits.length).toBe(truth.length);
    const ids = hits.map((h) => Number(shard.primaryKeyOf(h as never)));
    expect(new Set(ids).size).toBe(ids.length);
    hits.forEach((h, r) => {
      expect(h.score).toBeCloseTo(truth[r].d, 6);
      expect(keep(ids[r])).toBe(true);
      expect(dist(vecs[ids[r]], q)).toBeCloseTo(h.score, 6);
    });
  }

  it('BIN_IVF_FLAT (HAMMING) over sealed segments, brute force over small and growing ones: nprobe = nlist is exact, with filters', async () => {
    const disk = new MemoryDisk();
    const spec: IndexSpec = { type: 'BIN_IVF_FLAT', metric: 'HAMMING', dim: DIM, params: { nlist: 8 } };
    const shard = await open(disk, spec);
    await shard.insert(rowsToBatch(schema, rows.slice(0, 205)), 1n << 18n, 1); // four sealed segments of 50, 5 growing
    await shard.flush(); // the 5 rows become a sealed segment too small to train (< nlist): searched exactly
    await shard.insert(rowsToBatch(schema, rows.slice(205)), 2n << 18n, 1); // 35 growing rows: brute force
    await shard.indexesIdle();
    expect(shard.indexProgress()).toMatchObject({ indexedRows: 205, loadedRows: 205, totalRows: 205 });
    for (const qi of [3, 77, 210]) {
      const q = vecs[qi];
      const queries = Uint8Array.from(q);
      const [all] = shard.search({ readTs: 1n << 62n, vectorField: vectorField(schema), queries, nq: 1, topk: 10, metric: 'HAMMING', params: { nprobe: 8 } });
      expectExact(shard, all, q, 10, hamming, () => true);
      expect(all[0].score).toBe(0);
      const filter = compileFilter('tag != 1', schema);
      const [some] = shard.search({ readTs: 1n << 62n, filter, vectorField: vectorField(schema), queries, nq: 1, topk: 10, metric: 'HAMMING', params: { nprobe: 8 } });
      expectExact(shard, some, q, 10, hamming, (i) => i % 3 !== 1);
    }
    // Range search: every hit in the window range_filter <= d < radius.
    const [ranged] = shard.search({ readTs: 1n << 62n, vectorField: vectorField(schema), queries: Uint8Array.from(vecs[5]), nq: 1, topk: 50, metric: 'HAMMING', params: { nprobe: 8, radius: 14, range_filter: 10 } });
    expect(ranged.length).toBeGreaterThan(0);
    for (const h of ranged) expect(h.score >= 10 && h.score < 14).toBe(true);
    expect(ranged.length).toBe(Math.min(50, vecs.filter((v) => { const d = hamming(v, vecs[5]); return d >= 10 && d < 14; }).length));
    await shard.close();
    // After a restart the index files are loaded and give the same answers.
    const again = await open(disk, spec);
    await again.indexesIdle();
    const [after] = again.search({ readTs: 1n << 62n, vectorField: vectorField(schema), queries: Uint8Array.from(vecs[77]), nq: 1, topk: 10, metric: 'HAMMING', params: { nprobe: 8 } });
    expectExact(again, after, vecs[77], 10, hamming, () => true);
    await again.close();
  });

  it('BIN_FLAT (JACCARD): exact distances in [0, 1], several queries at once', async () => {
    const disk = new MemoryDisk();
    const shard = await open(disk, { type: 'BIN_FLAT', metric: 'JACCARD', dim: DIM, params: {} });
    await shard.insert(rowsToBatch(schema, rows), 1n << 18n, 1);
    await shard.flush();
    await shard.indexesIdle();
    const qs = [vecs[0], vecs[100], [0, 0, 0, 0]];
    const res = shard.search({ readTs: 1n << 62n, vectorField: vectorField(schema), queries: Uint8Array.from(qs.flat()), nq: 3, topk: 7, metric: 'JACCARD', params: {} });
    qs.forEach((q, n) => expectExact(shard, res[n], q, 7, jaccard, () => true));
    expect(res[0][0].score).toBe(0);
    await shard.close();
  });

  it('float queries against a binary field are rejected with 1100', async () => {
    const shard = await open(new MemoryDisk());
    await shard.insert(rowsToBatch(schema, rows.slice(0, 10)), 1n << 18n, 1);
    expect(codeOf(() => shard.search({ readTs: 1n << 62n, vectorField: vectorField(schema), queries: new Float32Array(4), nq: 1, topk: 1, metric: 'HAMMING', params: {} }))).toBe(1100);
    await shard.close();
  });
});
