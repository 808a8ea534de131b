/**
 * Segment statistics and pruning: min/max ignore nulls and NaNs; `segmentMayMatch` never prunes a
 * segment with a passing row (property test against the evaluator over random data, nulls included);
 * it prunes what min/max rule out, through `not` too; `passingRows` skips a pruned sealed segment
 * without reading its columns.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluateFilter } from '../src/expr/index.ts';
import type { BoundExpr, CompareOp } from '../src/expr/index.ts';
import { buildSchema } from '../src/schema/build.ts';
import { computeStats, fieldStats } from '../src/segment/stats.ts';
import { GrowingSegment } from '../src/segment/growing.ts';
import { SealedSegment } from '../src/segment/sealed.ts';
import { segmentMayMatch } from '../src/read/prune.ts';
import { passingRows } from '../src/read/snapshot.ts';

const OPS: CompareOp[] = ['==', '!=', '<', '<=', '>', '>='];
const cmp = (op: CompareOp, value: number): BoundExpr => ({ kind: 'compare', field: 'x', dataType: 'Int32', op, value });

describe('segment statistics', () => {
  it('min/max skip nulls and NaNs, count them', () => {
    expect(computeStats(Float64Array.of(3, Number.NaN, -1, 7), Uint8Array.of(1, 1, 1, 0), 4, false)).toEqual({ min: -1, max: 3, nullCount: 1, nanCount: 1 });
    expect(computeStats(BigInt64Array.of(2n ** 62n, -5n), undefined, 2, false)).toEqual({ min: -5n, max: 2n ** 62n, nullCount: 0, nanCount: 0 });
    expect(computeStats(['b', '😀', '\uffff'], undefined, 3, true)).toMatchObject({ min: 'b', max: '😀' });
    expect(computeStats(Int32Array.of(1), Uint8Array.of(0), 1, false)).toEqual({ min: undefined, max: undefined, nullCount: 1, nanCount: 0 });
  });
});

describe('segmentMayMatch', () => {
  const stats = computeStats(Int32Array.of(10, 20, 15), undefined, 3, false);
  const of = () => stats;
  it('prunes comparisons and in-lists outside [min, max]', () => {
    expect(segmentMayMatch(cmp('>', 20), of)).toBe(false);
    expect(segmentMayMatch(cmp('>=', 20), of)).toBe(true);
    expect(segmentMayMatch(cmp('<', 10), of)).toBe(false);
    expect(segmentMayMatch(cmp('==', 5), of)).toBe(false);
    expect(segmentMayMatch({ kind: 'in', field: 'x', dataType: 'Int32', values: [1, 2, 30] }, of)).toBe(false);
    expect(segmentMayMatch({ kind: 'in', field: 'x', dataType: 'Int32', values: [1, 12] }, of)).toBe(true);
  });
  it('prunes ranges outside [min, max], and their negation when every value is inside', () => {
    const range = (lower: number, lowerInclusive: boolean, upper: number, upperInclusive: boolean): BoundExpr =>
      ({ kind: 'range', field: 'x', dataType: 'Int32', lower, lowerInclusive, upper, upperInclusive });
    expect(segmentMayMatch(range(20, false, 30, true), of)).toBe(false);
    expect(segmentMayMatch(range(20, true, 30, true), of)).toBe(true);
    expect(segmentMayMatch(range(0, true, 10, false), of)).toBe(false);
    expect(segmentMayMatch({ kind: 'not', child: range(10, true, 20, true) }, of)).toBe(false);
    expect(segmentMayMatch({ kind: 'not', child: range(10, false, 20, true) }, of)).toBe(true);
  });
  it('reasons through not/and/or', () => {
    expect(segmentMayMatch({ kind: 'not', child: cmp('>=', 10) }, of)).toBe(false);
    expect(segmentMayMatch({ kind: 'not', child: cmp('>', 10) }, of)).toBe(true);
    expect(segmentMayMatch({ kind: 'and', children: [cmp('>', 12), cmp('<', 5)] }, of)).toBe(false);
    expect(segmentMayMatch({ kind: 'or', children: [cmp('>', 99), cmp('<', 5)] }, of)).toBe(false);
    expect(segmentMayMatch({ kind: 'not', child: { kind: 'or', children: [cmp('>', 99), cmp('<', 5)] } }, of)).toBe(true);
  });
  it('stays conservative with nulls, NaNs, unknown fields and other node kinds', () => {
    const withNull = computeStats(Int32Array.of(10, 0), Uint8Array.of(1, 0), 2, false);
    expect(segmentMayMatch({ kind: 'not', child: cmp('==', 10) }, () => withNull)).toBe(true);
    expect(segmentMayMatch(cmp('==', 0), () => withNull)).toBe(false); // the null row holds 0 but never matches
    const nan = computeStats(Float64Array.of(Number.NaN), undefined, 1, false);
    const d = (op: CompareOp): BoundExpr => ({ kind: 'compare', field: 'x', dataType: 'Double', op, value: 1 });
    expect(segmentMayMatch(d('!='), () => nan)).toBe(true);
    expect(segmentMayMatch(d('=='), () => nan)).toBe(false);
    expect(segmentMayMatch(cmp('>', 99), () => undefined)).toBe(true);
    expect(segmentMayMatch({ kind: 'exists' } as unknown as BoundExpr, of)).toBe(true);
  });

  const exprArb: fc.Arbitrary<BoundExpr> = fc.letrec<{ e: BoundExpr }>((tie) => ({
    e: fc.oneof({ depthSize: 'small', withCrossShrink: true },
      fc.tuple(fc.constantFrom(...OPS), fc.integer({ min: -5, max: 25 })).map(([op, v]) => cmp(op, v)),
      fc.uniqueArray(fc.integer({ min: -5, max: 25 }), { minLength: 1, maxLength: 4 }).map((vs): BoundExpr => ({ kind: 'in', field: 'x', dataType: 'Int32', values: vs.sort((a, b) => a - b) })),
      fc.boolean().map((value): BoundExpr => ({ kind: 'const', value })),
      fc.tuple(fc.integer({ min: -5, max: 25 }), fc.integer({ min: 0, max: 10 }), fc.boolean(), fc.boolean())
        .map(([lower, w, li, ui]): BoundExpr => ({ kind: 'range', field: 'x', dataType: 'Int32', lower, lowerInclusive: li, upper: lower + w, upperInclusive: ui })),
      tie('e').map((child): BoundExpr => ({ kind: 'not', child })),
      fc.tuple(fc.constantFrom('and' as const, 'or' as const), fc.array(tie('e'), { minLength: 2, maxLength: 3 })).map(([kind, children]): BoundExpr => ({ kind, children })),
    ),
  })).e;

  it('never prunes a segment that has a passing row (property)', () => {
    const rowArb = fc.record({ value: fc.integer({ min: 0, max: 20 }), isNull: fc.boolean() });
    fc.assert(fc.property(fc.array(rowArb, { minLength: 1, maxLength: 20 }), fc.boolean(), exprArb, (rows, nullable, expr) => {
      const col = Int32Array.from(rows, (r) => (nullable && r.isNull ? 0 : r.value)); // a null holds 0
      const valid = nullable ? Uint8Array.from(rows, (r) => (r.isNull ? 0 : 1)) : undefined;
      const passing = evaluateFilter(expr, { numRows: col.length, column: () => col, valid: () => valid }).count();
      const stats = computeStats(col, valid, col.length, false);
      if (passing > 0) expect(segmentMayMatch(expr, () => stats)).toBe(true);
    }), { numRuns: 500 });
  });
});

describe('passingRows on a sealed segment', () => {
  it('returns an empty bitset for a pruned segment without reading its columns', () => {
    const schema = buildSchema('p', '', [
      { name: 'id', dataType: 'Int64', isPrimaryKey: true }, { name: 'x', dataType: 'Int32' }, { name: 'v', dataType: 'FloatVector', dim: 2 },
    ], false);
    const g = new GrowingSegment(1, schema);
    g.append({ numRows: 3, columns: { id: BigInt64Array.of(1n, 2n, 3n), x: Int32Array.of(10, 20, 15), v: new Float32Array(6) } }, 1n, 0, 1n);
    const seg = SealedSegment.fromGrowing(g);
    expect(fieldStats(seg, 'x')).toEqual({ min: 10, max: 20, nullCount: 0, nanCount: 0 });
    expect(fieldStats(g, 'x')).toBeUndefined();
    const hit = passingRows(seg, { readTs: 5n, filter: cmp('>=', 20) });
    expect(hit.count()).toBe(1);
    const column = seg.column.bind(seg);
    seg.column = (name: string) => { if (name === 'x') throw new Error('the column was read'); return column(name); };
    const miss = passingRows(seg, { readTs: 5n, filter: cmp('>', 20) });
    expect(miss.size).toBe(3);
    expect(miss.count()).toBe(0);
  });
});
