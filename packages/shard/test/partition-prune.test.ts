/**
 * Partition pruning in `passingRows` (read/snapshot.ts): a segment holding none of a read's
 * partitions is skipped without reading a column, and the filter is evaluated only over the
 * visible rows (a row mask seeded from `visibleRows`). Checked against a brute-force answer (row
 * interpreter over every row, visibility by its definition) on random segments, partitions,
 * deletes, snapshots and filters.
 */
import { describe, expect, it } from 'vitest';
import { Bitset } from '@shoal/ann';
import { buildSchema } from '../src/schema/build.ts';
import { readValue, rowsToBatch } from '../src/schema/rows.ts';
import type { Column } from '../src/schema/types.ts';
import { GrowingSegment } from '../src/segment/growing.ts';
import { SealedSegment } from '../src/segment/sealed.ts';
import type { Segment } from '../src/segment/segment.ts';
import { partitionOverlap, segmentPartitions, visibleRows } from '../src/segment/segment.ts';
import { passingRows } from '../src/read/snapshot.ts';
import { compileFilter, evaluateFilter, evaluateRow } from '../src/expr/index.ts';
import type { BoundExpr, ColumnSource } from '../src/expr/index.ts';

const schema = buildSchema('pp', '', [
  { name: 'id', dataType: 'Int64', isPrimaryKey: true },
  { name: 'v', dataType: 'FloatVector', dim: 2 },
  { name: 'k', dataType: 'Int64' },
  { name: 'x', dataType: 'Int32' },
  { name: 's', dataType: 'VarChar', maxLength: 8, nullable: true },
  { name: 'j', dataType: 'JSON', nullable: true },
], false);

/** Deterministic pseudo-random numbers in [0, 1) (LCG). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

/** Filter atoms: typed-array kernels, strings, JSON paths, arithmetic, nulls. */
const ATOMS = [
  'k == 3', 'k in [1, 4, 6]', 'x < 40', 'x % 3 == 1', 'x + 5 > 60', 's like "a%"', 's == "ab"', 's is null',
  'j["a"] < 5', 'j["b"] == "y"', 'exists j["a"]', 'json_contains(j["arr"], 2)', 'array_length(j["arr"]) == 2',
];

function randomFilter(rand: () => number, depth: number): string {
  const atom = () => ATOMS[Math.floor(rand() * ATOMS.length)];
  if (depth === 0 || rand() < 0.3) return atom();
  const r = rand();
  if (r < 0.15) return `not (${randomFilter(rand, depth - 1)})`;
  return `(${randomFilter(rand, depth - 1)}) ${r < 0.6 ? 'and' : 'or'} (${randomFilter(rand, depth - 1)})`;
}

function randomRow(rand: () => number, i: number): Record<string, unknown> {
  const strs = ['ab', 'ac', 'b', 'a', ''];
  const j = rand() < 0.15 ? null : {
    ...(rand() < 0.8 ? { a: Math.floor(rand() * 10) } : {}),
    b: rand() < 0.5 ? 'y' : 'n',
    arr: Array.from({ length: Math.floor(rand() * 4) }, () => Math.floor(rand() * 4)),
  };
  return {
    id: i, v: [0, 0], k: Math.floor(rand() * 8), x: Math.floor(rand() * 100),
    s: rand() < 0.15 ? null : strs[Math.floor(rand() * strs.length)], j,
  };
}

/**
 * A segment of `n` rows appended in batches of up to `batch` rows, each batch's rows one random
 * partition of `partitions` and one timestamp (1, 2, …); sealed if `sealed`; if `deletes`, random
 * rows deleted at random timestamps.
 */
function randomSegment(rand: () => number, n: number, batch: number, partitions: number[], sealed: boolean, deletes = true): Segment {
  const g = new GrowingSegment(1, schema, 16);
  let ts = 0n;
  for (let at = 0; at < n; at += batch) {
    const m = Math.min(batch, n - at);
    const rows = Array.from({ length: m }, (_, r) => randomRow(rand, at + r));
    g.append(rowsToBatch(schema, rows), ++ts, partitions[Math.floor(rand() * partitions.length)], ts);
  }
  const seg: Segment = sealed ? SealedSegment.fromGrowing(g) : g;
  for (let i = 0; i < n && deletes; i++) {
    if (rand() < 0.1) {
      seg.deleteTs[i] = BigInt(1 + Math.floor(rand() * Number(ts + 1n)));
      seg.deletedRows++;
    }
  }
  return seg;
}

/** Row `i` of `seg` as the row interpreter reads it. */
function rowOf(seg: Segment, i: number): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (const f of schema.fields) if (f.name !== 'v') row[f.name] = readValue(f, seg.column(f.name), i, seg.valid(f.name));
  return row;
}

/** The rows a read sees, by definition: inserted and not deleted at `readTs`, in `partitions`, passing `filter`. */
function bruteForce(seg: Segment, readTs: bigint, partitions: ReadonlySet<number> | undefined, filter: BoundExpr | undefined): number[] {
  const out: number[] = [];
  for (let i = 0; i < seg.numRows; i++) {
    if (seg.ts[i] > readTs) continue;
    if (seg.deleteTs[i] !== 0n && seg.deleteTs[i] <= readTs) continue;
    if (partitions && !partitions.has(seg.partition[i])) continue;
    if (filter && !evaluateRow(filter, rowOf(seg, i))) continue;
    out.push(i);
  }
  return out;
}

const bits = (b: Bitset): number[] => {
  const out: number[] = [];
  b.forEach((i) => out.push(i));
  return out;
};

describe('partition pruning in passingRows', () => {
  it('gives the brute-force answer on random segments, partitions, deletes, snapshots and filters', () => {
    const rand = lcg(20261206);
    const PARTS = [3, 9, 12, 700];
    let nonEmpty = 0;
    for (let round = 0; round < 24; round++) {
      const n = 1 + Math.floor(rand() * 400);
      const batch = [1, 7, 40, 400][round % 4]; // from one partition per row to one per segment
      const held = PARTS.filter(() => rand() < 0.7);
      const seg = randomSegment(rand, n, batch, held.length > 0 ? held : [9], round % 2 === 0, round % 3 !== 0);
      const maxTs = Number(seg.maxTs);
      for (let q = 0; q < 12; q++) {
        const readTs = BigInt(q % 3 === 0 ? maxTs + 1 : Math.floor(rand() * (maxTs + 1)));
        const partitions = q % 4 === 0 ? undefined : new Set(PARTS.filter(() => rand() < 0.4));
        const filter = q % 5 === 0 ? undefined : compileFilter(randomFilter(rand, 3), schema);
        const expected = bruteForce(seg, readTs, partitions, filter);
        if (expected.length > 0) nonEmpty++;
        expect(bits(passingRows(seg, { readTs, partitions, filter })), `round ${round}, query ${q}`).toEqual(expected);
      }
    }
    expect(nonEmpty).toBeGreaterThan(50); // the cases are not trivially empty
  });

  it('evaluateFilter with a row mask equals the unmasked answer and-ed with the mask', () => {
    const rand = lcg(77);
    const seg = randomSegment(rand, 300, 5, [1], true);
    const source: ColumnSource = { numRows: seg.numRows, column: (f) => seg.column(f), valid: (f) => seg.valid(f) };
    for (let q = 0; q < 60; q++) {
      const filter = compileFilter(randomFilter(rand, 3), schema);
      const mask = new Bitset(seg.numRows);
      const density = [0.01, 0.1, 0.5, 1][q % 4];
      for (let i = 0; i < seg.numRows; i++) if (rand() < density) mask.set(i);
      const expected = evaluateFilter(filter, source).and(mask);
      expect(bits(evaluateFilter(filter, source, mask)), `query ${q}`).toEqual(bits(expected));
    }
  });

  it('reads no column, validity or index of a segment holding only other partitions', () => {
    const rand = lcg(5);
    const seg = randomSegment(rand, 200, 10, [4, 5], true);
    const read: string[] = [];
    const spied = new Proxy(seg, {
      get(target, prop, receiver) {
        if (prop === 'column' || prop === 'valid') return (name: string) => { read.push(`${String(prop)}:${name}`); return target[prop](name); };
        if (prop === 'scalarIndexes') read.push('scalarIndexes');
        return Reflect.get(target, prop, receiver);
      },
    });
    // `x < 90` would make a sealed segment compute min/max statistics of `x` (read its column).
    const filter = compileFilter('x < 90 and j["a"] < 5 and s like "a%" and x + 1 > 3', schema);
    expect(passingRows(spied, { readTs: 1000n, partitions: new Set([6, 7]), filter }).count()).toBe(0);
    expect(read).toEqual([]);
    // The same segment read in a partition it holds does read the columns (the spy works).
    expect(passingRows(spied, { readTs: 1000n, partitions: new Set([4]), filter }).count()).toBe(bruteForce(seg, 1000n, new Set([4]), filter).length);
    expect(read).toContain('column:j');
  });

  it('per-row loops skip the 32-row blocks that hold no visible row', () => {
    // 256 rows: rows 0..63 in partition 1, 64..255 in partition 2; read partition 1 only.
    const g = new GrowingSegment(2, schema, 16);
    const rows = Array.from({ length: 256 }, (_, i) => ({ ...randomRow(lcg(i), i), j: { a: i % 10 } }));
    g.append(rowsToBatch(schema, rows.slice(0, 64)), 1n, 1, 1n);
    g.append(rowsToBatch(schema, rows.slice(64)), 1n, 2, 2n);
    const touched = new Set<number>();
    const jCol = g.column('j') as unknown[];
    const spiedJ = new Proxy(jCol, {
      get(target, prop, receiver) {
        if (typeof prop === 'string' && /^\d+$/.test(prop)) touched.add(Number(prop));
        return Reflect.get(target, prop, receiver);
      },
    });
    const seg = new Proxy(g, {
      get(target, prop, receiver) {
        if (prop === 'column') return (name: string): Column => (name === 'j' ? spiedJ : target.column(name));
        return Reflect.get(target, prop, receiver);
      },
    });
    const filter = compileFilter('j["a"] < 5', schema);
    expect(bits(passingRows(seg, { readTs: 5n, partitions: new Set([1]), filter }))).toEqual(bruteForce(g, 5n, new Set([1]), filter));
    expect(touched.size).toBeGreaterThan(0);
    expect([...touched].every((i) => i < 64)).toBe(true);
  });

  it('keeps a growing segment\'s partition set up to date as rows are appended', () => {
    const g = new GrowingSegment(3, schema, 4);
    const batch = (n: number, at: number) => rowsToBatch(schema, Array.from({ length: n }, (_, i) => randomRow(lcg(at + i), at + i)));
    expect([...segmentPartitions(g)]).toEqual([]);
    g.append(batch(5, 0), 1n, 8, 1n);
    expect([...segmentPartitions(g)].sort()).toEqual([8]);
    expect(partitionOverlap(g, new Set([9]))).toBe('none');
    expect(passingRows(g, { readTs: 9n, partitions: new Set([9]) }).count()).toBe(0);
    g.append(batch(3, 5), 2n, 9, 2n);
    expect([...segmentPartitions(g)].sort()).toEqual([8, 9]);
    expect(partitionOverlap(g, new Set([9]))).toBe('some');
    expect(partitionOverlap(g, new Set([8, 9, 10]))).toBe('all');
    expect(bits(passingRows(g, { readTs: 9n, partitions: new Set([9]) }))).toEqual([5, 6, 7]);
    expect(bits(visibleRows(g, 1n, new Set([8, 9])))).toEqual([0, 1, 2, 3, 4]);
  });
});
