/**
 * A shard of a collection with several vector fields: one index per field, built on sealed
 * segments, stored under `index/<fieldId>` (the first field's files keep the single-vector path),
 * loaded again after a restart, dropped per field; searches of each field (sealed indexed,
 * sealed exact and growing segments) equal brute force; memory and progress per field.
 */
import { describe, expect, it } from 'vitest';
import { MemoryDisk } from '@shoal/actors';
import { createTestEnv } from '@shoal/actors/node';
import { InlineIndexBuilder } from '@shoal/ann';
import type { IndexSpec } from '@shoal/ann';
import { annsField, buildSchema, LocalObjectStore, openShard, vectorFields } from '../src/index.ts';
import type { ColumnBatch, Shard } from '../src/index.ts';
import { indexKey } from '../src/segment/segment-io.ts';

const schema = buildSchema('mv', '', [
  { name: 'id', dataType: 'Int64', isPrimaryKey: true },
  { name: 'a', dataType: 'FloatVector', dim: 4 },
  { name: 'b', dataType: 'FloatVector', dim: 2 },
  { name: 'c', dataType: 'BinaryVector', dim: 8 },
], false);
const specA: IndexSpec = { type: 'HNSW', metric: 'L2', dim: 4, params: { M: 8, efConstruction: 64 } };
const specB: IndexSpec = { type: 'FLAT', metric: 'IP', dim: 2, params: {} };
const specC: IndexSpec = { type: 'BIN_FLAT', metric: 'HAMMING', dim: 8, params: {} };
const ROWS = 250;

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}
const r = rng(3);
const A = Float32Array.from({ length: ROWS * 4 }, () => r() * 2 - 1);
const B = Float32Array.from({ length: ROWS * 2 }, () => r() * 2 - 1);
const C = Uint8Array.from({ length: ROWS }, () => Math.floor(r() * 256));

function batch(from: number, n: number): ColumnBatch {
  return {
    numRows: n,
    columns: {
      id: BigInt64Array.from({ length: n }, (_, i) => BigInt(from + i)),
      a: A.slice(from * 4, (from + n) * 4), b: B.slice(from * 2, (from + n) * 2), c: C.slice(from, from + n),
    },
  };
}

async function open(disk: MemoryDisk, opts: { index?: IndexSpec | null; vectorIndexes?: Record<string, IndexSpec>; loaded?: boolean } = {}): Promise<Shard> {
  return openShard({
    env: createTestEnv({ disk }), store: new LocalObjectStore(disk), collectionId: 21n, shardNo: 0, schema,
    walDir: 'wal/21/0', indexBuilder: new InlineIndexBuilder(), index: opts.index ?? null, vectorIndexes: opts.vectorIndexes, loaded: opts.loaded ?? true, segmentMaxRows: 100,
  });
}

let ts = 0n;
const nextTs = () => (ts += 1n << 18n);

/** Brute-force ids of the `k` best rows of field `f` for query row `q` (ties by id). */
function truth(f: 'a' | 'b' | 'c', q: number, k: number): bigint[] {
  const pop = (x: number) => { let c = 0; for (let v = x; v; v &= v - 1) c++; return c; };
  const score = (i: number) => {
    if (f === 'a') { let d = 0; for (let j = 0; j < 4; j++) d += (A[q * 4 + j] - A[i * 4 + j]) ** 2; return d; }
    if (f === 'b') return -(B[q * 2] * B[i * 2] + B[q * 2 + 1] * B[i * 2 + 1]);
    return pop(C[q] ^ C[i]);
  };
  return Array.from({ length: ROWS }, (_, i) => i).sort((x, y) => score(x) - score(y) || x - y).slice(0, k).map(BigInt);
}

function search(shard: Shard, f: 'a' | 'b' | 'c', q: number, k: number): bigint[] {
  const field = annsField(schema, f);
  const queries = f === 'a' ? A.slice(q * 4, q * 4 + 4) : f === 'b' ? B.slice(q * 2, q * 2 + 2) : C.slice(q, q + 1);
  const metric = f === 'a' ? 'L2' : f === 'b' ? 'IP' : 'HAMMING';
  const [hits] = shard.search({ readTs: 1n << 62n, vectorField: field, queries, nq: 1, topk: k, metric, params: { ef: 250 } });
  return hits.map((h) => shard.primaryKeyOf(h) as bigint);
}

describe('multi-vector shard', () => {
  it('annsField resolves the field, and is required with several vector fields', () => {
    expect(vectorFields(schema).map((f) => f.name)).toEqual(['a', 'b', 'c']);
    expect(annsField(schema, 'b').fieldId).toBe(102);
    expect(() => annsField(schema, undefined)).toThrow(/annsField must name the one to search \(one of a, b, c\)/);
    expect(() => annsField(schema, 'id')).toThrow(/is a Int64 field, not a vector field/);
    expect(() => annsField(schema, 'zz')).toThrow(/does not exist/);
  });

  it('builds, stores, reloads after a restart and drops one index per vector field', async () => {
    const disk = new MemoryDisk();
    const shard = await open(disk, { index: specA, vectorIndexes: { b: specB } });
    await shard.insert(batch(0, 200), nextTs(), 0); // two sealed segments of 100 rows
    await shard.insert(batch(200, 50), nextTs(), 0); // growing
    await shard.flush();
    await shard.indexesIdle();
    expect(shard.vectorIndexProgress()).toEqual([
      { fieldName: 'a', indexedRows: 250, loadedRows: 250, totalRows: 250, failReason: '' },
      { fieldName: 'b', indexedRows: 250, loadedRows: 250, totalRows: 250, failReason: '' },
      { fieldName: 'c', indexedRows: 0, loadedRows: 0, totalRows: 250, failReason: '' },
    ]);
    const store = new LocalObjectStore(disk);
    const sealedIds = shard.memory().filter((m) => m.state === 'Sealed').map((m) => m.segmentId);
    expect(sealedIds.length).toBeGreaterThan(0);
    for (const id of sealedIds) {
      expect(await store.exists(indexKey(21n, id, 101))).toBe(true); // the first field: the single-vector path
      expect(await store.exists(indexKey(21n, id, 102))).toBe(true);
      expect(await store.exists(indexKey(21n, id, 103))).toBe(false);
    }
    const mem = shard.memory().find((m) => m.state === 'Sealed')!;
    expect(mem.vectorIndexes.map((v) => [v.fieldName, v.indexType])).toEqual([['a', 'HNSW'], ['b', 'FLAT']]);
    expect(mem.indexBytes).toBe(mem.vectorIndexes.reduce((s, v) => s + v.indexBytes, 0));
    expect(mem.rawVectorBytes).toBe(mem.rows * (16 + 8 + 1));

    await shard.setIndex(specC, 'c');
    await shard.indexesIdle();
    expect(shard.indexProgress()).toMatchObject({ indexedRows: 250, loadedRows: 250, totalRows: 250 });
    for (const f of ['a', 'b', 'c'] as const) for (const q of [0, 120, 230]) expect(search(shard, f, q, 10), `${f} ${q}`).toEqual(truth(f, q, 10));
    await shard.close();

    const again = await open(disk, { vectorIndexes: { a: specA, b: specB, c: specC } });
    await again.indexesIdle();
    expect(again.vectorIndexProgress().map((p) => p.loadedRows)).toEqual([250, 250, 250]);
    expect(again.memory().find((m) => m.state === 'Sealed')!.vectorIndexes.map((v) => v.fieldName)).toEqual(['a', 'b', 'c']);
    for (const f of ['a', 'b', 'c'] as const) for (const q of [5, 150, 249]) expect(search(again, f, q, 7), `${f} ${q}`).toEqual(truth(f, q, 7));

    await again.setIndex(null, 'b');
    await again.indexesIdle();
    for (const id of sealedIds) {
      expect(await store.exists(indexKey(21n, id, 102))).toBe(false);
      expect(await store.exists(indexKey(21n, id, 101))).toBe(true);
    }
    expect(again.memory().find((m) => m.state === 'Sealed')!.vectorIndexes.map((v) => v.fieldName)).toEqual(['a', 'c']);
    expect(search(again, 'b', 42, 5)).toEqual(truth('b', 42, 5)); // exact search without an index
    expect(again.indexProgress()).toMatchObject({ loadedRows: 250 }); // the fields with an index
    await again.close();
  });
});
