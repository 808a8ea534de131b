/**
 * `queryRowsAfter` (the query iterator's shard step) against a brute-force oracle: random Int64 and
 * VarChar keys spread over sealed and growing segments, deletes, partitions, filters (a cheap
 * kernel and a row-wise string one), every page size; keys unique as in a collection; the pages, chained by their last key, must
 * equal the sorted passing keys exactly.
 */
import { describe, expect, it } from 'vitest';
import { compileFilter } from '../src/expr/index.ts';
import { comparePrimaryKeys, queryRowsAfter } from '../src/read/query.ts';
import type { ReadScope } from '../src/read/snapshot.ts';
import { buildSchema } from '../src/schema/build.ts';
import type { PrimaryKey } from '../src/schema/types.ts';
import { GrowingSegment } from '../src/segment/growing.ts';
import { SealedSegment } from '../src/segment/sealed.ts';
import type { Segment } from '../src/segment/segment.ts';

/** A seeded LCG: the same data on every run. */
function rng(seed: number): () => number {
  let s = seed;
  return () => { s = (Math.imul(s, 1103515245) + 12345) & 0x7fffffff; return s; };
}

function build(varchar: boolean, seed: number): { segments: Segment[]; readTs: bigint } {
  const schema = buildSchema('q', '', [
    varchar ? { name: 'id', dataType: 'VarChar', isPrimaryKey: true, maxLength: 64 } : { name: 'id', dataType: 'Int64', isPrimaryKey: true },
    { name: 'x', dataType: 'Int32' }, { name: 's', dataType: 'VarChar', maxLength: 16 }, { name: 'v', dataType: 'FloatVector', dim: 2 },
  ], false);
  const r = rng(seed);
  const segments: Segment[] = [];
  const used = new Set<string>();
  const fresh = (make: () => PrimaryKey): PrimaryKey => {
    for (;;) { const pk = make(); if (!used.has(String(pk))) { used.add(String(pk)); return pk; } }
  };
  for (let k = 0; k < 5; k++) {
    const n = 150 + (r() % 200);
    const g = new GrowingSegment(k, schema);
    const ids = varchar ? Array.from({ length: n }, () => fresh(() => `k${r() % 100000}${k % 2 === 0 ? '\u00e9' : ''}`)) : BigInt64Array.from({ length: n }, () => fresh(() => BigInt(r() - 0x40000000) * 4096n) as bigint);
    const x = Int32Array.from({ length: n }, () => r() % 10);
    const s = Array.from({ length: n }, () => `s${r() % 4}`);
    g.append({ numRows: n, columns: { id: ids, x, s, v: new Float32Array(n * 2) } }, BigInt(10 + k), k % 2, BigInt(k + 1));
    for (let i = 0; i < n; i += 7) { g.deleteTs[i] = BigInt(20 + (i % 3) * 20); g.deletedRows++; }
    segments.push(k < 4 ? SealedSegment.fromGrowing(g) : g);
  }
  return { segments, readTs: 40n };
}

/** The keys a full scan gives: visible, in `partitions`, passing `pass`, sorted. */
function oracle(segments: Segment[], readTs: bigint, partitions: ReadonlySet<number> | undefined, pass: (x: number, s: string) => boolean): PrimaryKey[] {
  const out: PrimaryKey[] = [];
  for (const seg of segments) {
    const ids = seg.column('id') as ArrayLike<PrimaryKey>;
    const x = seg.column('x') as Int32Array;
    const s = seg.column('s') as string[];
    for (let i = 0; i < seg.numRows; i++) {
      if (seg.ts[i] > readTs || (seg.deleteTs[i] !== 0n && seg.deleteTs[i] <= readTs)) continue;
      if (partitions && !partitions.has(seg.partition[i])) continue;
      if (pass(x[i], s[i])) out.push(ids[i]);
    }
  }
  return out.sort(comparePrimaryKeys);
}

function pages(segments: Segment[], scope: ReadScope, limit: number): PrimaryKey[] {
  const out: PrimaryKey[] = [];
  let after: PrimaryKey | undefined;
  for (;;) {
    const page = queryRowsAfter(segments, scope, 'id', after, limit).map((r) => (r.segment.column('id') as ArrayLike<PrimaryKey>)[r.offset]);
    for (const pk of page) if (after !== undefined) expect(comparePrimaryKeys(pk, after)).toBeGreaterThan(0);
    out.push(...page);
    if (page.length < limit) return out;
    after = page[page.length - 1];
  }
}

describe('queryRowsAfter', () => {
  for (const varchar of [false, true]) {
    it(`pages over ${varchar ? 'VarChar' : 'Int64'} keys in random order equal a sorted full scan`, () => {
      const { segments, readTs } = build(varchar, varchar ? 7 : 3);
      const schema = segments[0].schema;
      const cases: { text: string; pass: (x: number, s: string) => boolean; partitions?: Set<number> }[] = [
        { text: '', pass: () => true },
        { text: 'x < 3', pass: (x) => x < 3 },
        { text: 's == "s1" or x == 9', pass: (x, s) => s === 's1' || x === 9, partitions: new Set([1]) },
        { text: 'x > 100', pass: () => false },
      ];
      for (const c of cases) {
        const scope: ReadScope = { readTs, filter: compileFilter(c.text, schema) };
        if (c.partitions) scope.partitions = c.partitions;
        const want = oracle(segments, readTs, c.partitions, c.pass);
        for (const limit of [1, 7, 100, 5000]) expect(pages(segments, scope, limit)).toEqual(want);
      }
    });
  }

  it('starts after a key that is not stored, and returns nothing after the largest', () => {
    const { segments, readTs } = build(false, 11);
    const scope: ReadScope = { readTs };
    const all = oracle(segments, readTs, undefined, () => true);
    const mid = (all[100] as bigint) + 1n;
    const got = queryRowsAfter(segments, scope, 'id', mid, 5).map((r) => (r.segment.column('id') as BigInt64Array)[r.offset]);
    expect(got).toEqual(all.slice(101, 106));
    expect(queryRowsAfter(segments, scope, 'id', all[all.length - 1], 5)).toEqual([]);
  });
});
