import { describe, expect, it } from 'vitest';
import { MemoryDisk, ShoalError } from '@shoal/actors';
import { createTestEnv } from '@shoal/actors/node';
import { InlineIndexBuilder } from '@shoal/ann';
import type { IndexSearchParams, IndexSpec } from '@shoal/ann';
import { buildSchema, compileFilter, groupingField, LocalObjectStore, mergeGroupedParts, openShard, vectorField } from '../src/index.ts';
import type { ColumnBatch, GroupValue, Shard } from '../src/index.ts';

const DIM = 6;
const schema = buildSchema('grp', '', [
  { name: 'id', dataType: 'Int64', isPrimaryKey: true },
  { name: 'g', dataType: 'Int32' },
  { name: 'name', dataType: 'VarChar', maxLength: 16 },
  { name: 'flag', dataType: 'Bool' },
  { name: 'big', dataType: 'Int64' },
  { name: 'x', dataType: 'Float' },
  { name: 'ng', dataType: 'Int32', nullable: true },
  { name: 'v', dataType: 'FloatVector', dim: DIM },
], false);

/** A deterministic random stream in [0, 1). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

interface Data { ids: bigint[]; vectors: Float32Array[]; g: number[]; name: string[]; flag: boolean[]; big: bigint[]; ng: (number | null)[] }

/**
 * `n` rows with skewed group sizes (group j of 40 gets rows with probability ∝ 1/(j+1)), so that
 * groups are spread unevenly over the segments.
 */
function makeData(n: number, seed: number): Data {
  const r = rng(seed);
  const d: Data = { ids: [], vectors: [], g: [], name: [], flag: [], big: [], ng: [] };
  const weights = Array.from({ length: 40 }, (_, j) => 1 / (j + 1));
  const total = weights.reduce((a, b) => a + b, 0);
  for (let i = 0; i < n; i++) {
    let u = r() * total;
    let j = 0;
    while (j < 39 && u >= weights[j]) u -= weights[j++];
    d.ids.push(BigInt(i));
    d.vectors.push(Float32Array.from({ length: DIM }, () => r()));
    d.g.push(j);
    d.name.push(`n${j % 13}`);
    d.flag.push(j % 2 === 0);
    d.big.push(BigInt(j) * 10_000_000_000n);
    d.ng.push(j % 4 === 1 ? null : j % 9);
  }
  return d;
}

function batchOf(d: Data, from: number, to: number): ColumnBatch {
  const v = new Float32Array((to - from) * DIM);
  for (let i = from; i < to; i++) v.set(d.vectors[i], (i - from) * DIM);
  return {
    numRows: to - from,
    columns: {
      id: BigInt64Array.from(d.ids.slice(from, to)), g: Int32Array.from(d.g.slice(from, to)), name: d.name.slice(from, to),
      flag: Uint8Array.from(d.flag.slice(from, to), (b) => (b ? 1 : 0)), big: BigInt64Array.from(d.big.slice(from, to)),
      x: Float32Array.from({ length: to - from }, () => 0.5), ng: Int32Array.from(d.ng.slice(from, to), (x) => x ?? 0), v,
    },
    valid: { ng: Uint8Array.from(d.ng.slice(from, to), (x) => (x === null ? 0 : 1)) },
  };
}

/** A shard of `d` in segments of 150 rows (several sealed, one growing), with `index` on the sealed ones. */
async function shardOf(d: Data, index: IndexSpec | null): Promise<Shard> {
  const disk = new MemoryDisk();
  const shard = await openShard({
    env: createTestEnv({ disk }), store: new LocalObjectStore(disk), collectionId: 5n, shardNo: 0, schema,
    walDir: 'wal/5/0', indexBuilder: new InlineIndexBuilder(), index, loaded: true, segmentMaxRows: 150,
  });
  let ts = 0n;
  for (let i = 0; i < d.ids.length; i += 100) await shard.insert(batchOf(d, i, Math.min(d.ids.length, i + 100)), ++ts, 0);
  await shard.indexesIdle();
  return shard;
}

function l2(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return s;
}

/** Brute-force grouping: rows by (distance, id), the first `limit` distinct groups, each with its first `groupSize` rows. */
function bruteForce(d: Data, q: Float32Array, field: keyof Data, limit: number, groupSize: number, keep: (i: number) => boolean = () => true): [GroupValue, bigint][] {
  const order = d.ids.map((_, i) => i).filter(keep).map((i) => ({ i, dist: l2(q, d.vectors[i]) }));
  order.sort((a, b) => a.dist - b.dist || a.i - b.i);
  const groups = new Map<GroupValue, number[]>();
  for (const { i } of order) {
    const v = d[field][i] as GroupValue;
    const hits = groups.get(v);
    if (hits) { if (hits.length < groupSize) hits.push(i); } else if (groups.size < limit) groups.set(v, [i]);
  }
  return [...groups].flatMap(([v, rows]) => rows.map((i): [GroupValue, bigint] => [v, d.ids[i]]));
}

function grouped(shard: Shard, q: Float32Array, field: string, limit: number, groupSize: number, params: IndexSearchParams = {}, filter = '', strict = true): [GroupValue, bigint][] {
  const [part] = shard.searchGrouped({
    readTs: 1n << 62n, filter: filter ? compileFilter(filter, schema) : undefined, vectorField: vectorField(schema), queries: q, nq: 1, topk: limit, metric: 'L2', params,
  }, { field: groupingField(schema, field), groupSize, strict });
  return part.groups.flatMap((g) => g.map((h): [GroupValue, bigint] => [h.group, shard.primaryKeyOf(h) as bigint]));
}

describe('grouping search in a shard', () => {
  const data = makeData(1000, 7);
  const queries = Array.from({ length: 12 }, (_, i) => data.vectors[(i * 83) % 1000].map((x, j) => x + ((i + j) % 3) * 0.01));

  it('equals a brute-force grouping over FLAT segments, for Int32, VarChar, Bool, Int64 and nullable fields and several group sizes', async () => {
    const shard = await shardOf(data, null);
    for (const q of queries) {
      expect(grouped(shard, q, 'g', 5, 3)).toEqual(bruteForce(data, q, 'g', 5, 3));
      expect(grouped(shard, q, 'g', 10, 1)).toEqual(bruteForce(data, q, 'g', 10, 1));
      expect(grouped(shard, q, 'name', 4, 6)).toEqual(bruteForce(data, q, 'name', 4, 6));
      expect(grouped(shard, q, 'flag', 5, 4)).toEqual(bruteForce(data, q, 'flag', 5, 4));
      expect(grouped(shard, q, 'big', 3, 8)).toEqual(bruteForce(data, q, 'big', 3, 8));
      expect(grouped(shard, q, 'ng', 6, 4)).toEqual(bruteForce(data, q, 'ng', 6, 4)); // nulls are one group
    }
    expect(queries.some((q) => grouped(shard, q, 'ng', 6, 4).some(([v]) => v === null))).toBe(true);
    await shard.close();
  });

  it('returns the whole of a group smaller than groupSize, and fewer groups than limit when there are fewer', async () => {
    const shard = await shardOf(data, null);
    const q = queries[0];
    const res = grouped(shard, q, 'flag', 10, 2000);
    expect(res).toEqual(bruteForce(data, q, 'flag', 10, 2000));
    expect(res.length).toBe(1000);
    expect(new Set(res.map(([v]) => v)).size).toBe(2);
    await shard.close();
  });

  it('applies the filter and the range window before grouping', async () => {
    const shard = await shardOf(data, null);
    for (const q of queries.slice(0, 4)) {
      expect(grouped(shard, q, 'g', 6, 2, {}, 'id > 300 and g != 0')).toEqual(bruteForce(data, q, 'g', 6, 2, (i) => i > 300 && data.g[i] !== 0));
      const radius = 0.4;
      const rangeFilter = 0.1;
      const inWindow = (i: number) => { const x = Math.fround(l2(q, data.vectors[i])); return x >= rangeFilter && x < radius; };
      expect(grouped(shard, q, 'g', 6, 3, { radius, range_filter: rangeFilter })).toEqual(bruteForce(data, q, 'g', 6, 3, inWindow));
    }
    await shard.close();
  });

  it('equals the brute-force grouping over HNSW segments searched with a large ef', async () => {
    const shard = await shardOf(data, { type: 'HNSW', metric: 'L2', dim: DIM, params: { M: 16, efConstruction: 200 } });
    expect(shard.indexProgress().indexedRows).toBeGreaterThan(0);
    for (const q of queries) {
      expect(grouped(shard, q, 'g', 5, 3, { ef: 1000 })).toEqual(bruteForce(data, q, 'g', 5, 3));
      expect(grouped(shard, q, 'name', 3, 10, { ef: 1000 })).toEqual(bruteForce(data, q, 'name', 3, 10));
    }
    await shard.close();
  });

  it('without strict, chooses the same groups in the same order, each led by its best hit, with at most groupSize hits from the group, best first', async () => {
    const shard = await shardOf(data, null);
    let short = 0;
    for (const q of queries) {
      const loose = grouped(shard, q, 'g', 6, 5, {}, '', false);
      const exact = bruteForce(data, q, 'g', 6, 5);
      const groupsOf = (hits: [GroupValue, bigint][]) => [...new Set(hits.map(([v]) => v))];
      expect(groupsOf(loose)).toEqual(groupsOf(exact));
      for (const v of groupsOf(exact)) {
        const mine = loose.filter(([g]) => g === v).map(([, id]) => id);
        const all = exact.filter(([g]) => g === v).map(([, id]) => id);
        expect(mine[0]).toBe(all[0]);
        expect(mine.length).toBeLessThanOrEqual(5);
        const rank = (id: bigint) => l2(q, data.vectors[Number(id)]);
        for (let i = 1; i < mine.length; i++) expect(rank(mine[i])).toBeGreaterThanOrEqual(rank(mine[i - 1]));
        expect(mine.every((id) => data.g[Number(id)] === v)).toBe(true);
        if (mine.length < all.length) short++;
      }
    }
    expect(short).toBeGreaterThan(0); // best effort leaves some groups short that strict fills
    await shard.close();
  });

  it('refuses a field that cannot be grouped by, naming it and the allowed types', () => {
    expect(() => groupingField(schema, 'x')).toThrowError(/groupingField "x" is a Float field.*Bool, Int8, Int16, Int32, Int64, VarChar/);
    expect(() => groupingField(schema, 'v')).toThrowError(ShoalError);
    expect(() => groupingField(schema, 'nope')).toThrowError(/does not exist/);
  });
});

describe('mergeGroupedParts', () => {
  type H = { g: string; s: number; id: number };
  const keys = { score: (h: H) => h.s, group: (h: H) => h.g, compare: (a: H, b: H) => a.s - b.s || a.id - b.id };

  it('keeps the best groupSize hits per group and the best limit groups, and names a group a unit may hold more of', () => {
    const a = { groups: [[{ g: 'x', s: 1, id: 1 }, { g: 'x', s: 5, id: 2 }], [{ g: 'y', s: 2, id: 3 }]], cutoff: 3 };
    const b = { groups: [[{ g: 'y', s: 1.5, id: 4 }], [{ g: 'z', s: 4, id: 5 }]], cutoff: null };
    const m = mergeGroupedParts([a, b], 2, 2, 'L2', keys);
    expect(m.groups.map((g) => g.map((h) => h.id))).toEqual([[1, 2], [4, 3]]);
    // x's second hit (5) is worse than b's… b has no cutoff (complete), so x is complete; y is full (2 hits, worst 2 < a's cutoff 3).
    expect(m.incomplete).toEqual([]);
    expect(m.cutoff).toBe(3);
    const c = { groups: [[{ g: 'z', s: 0.5, id: 6 }]], cutoff: 0.9 };
    const m2 = mergeGroupedParts([a, c], 2, 2, 'L2', keys);
    // z (0.5) and x (1) are the groups; c left x out with cutoff 0.9, not beaten by x's hits 1 and 5.
    expect(m2.groups.map((g) => g[0].g)).toEqual(['z', 'x']);
    expect(m2.incomplete).toEqual(['z', 'x']);
  });
});

describe('grouping search over binary vectors', () => {
  it('equals a brute-force grouping under HAMMING, ties broken by key as the search orders them', async () => {
    const bin = buildSchema('bin', '', [
      { name: 'id', dataType: 'Int64', isPrimaryKey: true }, { name: 'g', dataType: 'Int16' }, { name: 'b', dataType: 'BinaryVector', dim: 16 },
    ], false);
    const r = rng(5);
    const n = 500;
    const bytes = Uint8Array.from({ length: n * 2 }, () => Math.floor(r() * 256));
    const g = Int16Array.from({ length: n }, () => Math.floor(r() * 25));
    const disk = new MemoryDisk();
    const shard = await openShard({
      env: createTestEnv({ disk }), store: new LocalObjectStore(disk), collectionId: 6n, shardNo: 0, schema: bin,
      walDir: 'wal/6/0', indexBuilder: new InlineIndexBuilder(), index: null, loaded: true, segmentMaxRows: 120,
    });
    for (let i = 0; i < n; i += 100) {
      await shard.insert({ numRows: 100, columns: { id: BigInt64Array.from({ length: 100 }, (_, j) => BigInt(i + j)), g: g.slice(i, i + 100), b: bytes.slice(2 * i, 2 * i + 200) } }, BigInt(i + 1), 0);
    }
    const popcount = (x: number) => { let c = 0; for (; x; x &= x - 1) c++; return c; };
    for (const qi of [0, 77, 301]) {
      const q = bytes.slice(2 * qi, 2 * qi + 2);
      const order = Array.from({ length: n }, (_, i) => ({ i, d: popcount(q[0] ^ bytes[2 * i]) + popcount(q[1] ^ bytes[2 * i + 1]) })).sort((a, b) => a.d - b.d || a.i - b.i);
      const groups = new Map<number, number[]>();
      for (const { i } of order) {
        const hits = groups.get(g[i]);
        if (hits) { if (hits.length < 4) hits.push(i); } else if (groups.size < 5) groups.set(g[i], [i]);
      }
      const [part] = shard.searchGrouped({ readTs: 1n << 62n, vectorField: vectorField(bin), queries: q, nq: 1, topk: 5, metric: 'HAMMING', params: {} }, { field: groupingField(bin, 'g'), groupSize: 4, strict: true });
      expect(part.groups.flatMap((grp) => grp.map((h) => Number(shard.primaryKeyOf(h))))).toEqual([...groups.values()].flat());
    }
    await shard.close();
  });
});
