/**
 * Property test: over random columns (duplicates, Int64 beyond 2^53, NaN, nulls) every scalar
 * index type that may index the field answers random compare / in / range / prefix predicates exactly as
 * the column scan does (minus the null rows, which never match an index lookup), and
 * `evaluateFilter` gives the same bitset with the indexes plugged into its `ColumnSource` as
 * without.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Bitset } from '@shoal/ann';
import { evaluateFilter } from '../src/expr/index.ts';
import type { BoundExpr, ColumnSource, CompareOp } from '../src/expr/index.ts';
import type { Column, FieldSchema } from '../src/schema/types.ts';
import { buildScalarIndex, validateScalarIndex } from '../src/scalar-index/build.ts';
import type { IndexPredicate, ScalarIndex, ScalarIndexType, ScalarValue } from '../src/scalar-index/types.ts';
import { compareCodePoints } from '../src/expr/order.ts';

type T = 'Bool' | 'Int32' | 'Int64' | 'Double' | 'VarChar';
const OPS: CompareOp[] = ['==', '!=', '<', '<=', '>', '>='];
const TYPES: ScalarIndexType[] = ['INVERTED', 'STL_SORT', 'TRIE', 'BITMAP'];

function valueArb(t: T): fc.Arbitrary<ScalarValue> {
  switch (t) {
    case 'Bool': return fc.boolean();
    case 'Int32': return fc.oneof(fc.integer({ min: -3, max: 3 }), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }));
    case 'Int64': return fc.oneof(fc.bigInt({ min: -3n, max: 3n }), fc.constantFrom(2n ** 53n, 2n ** 53n + 1n, -(2n ** 63n), 2n ** 63n - 1n), fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }));
    case 'Double': return fc.oneof(fc.integer({ min: -3, max: 3 }), fc.double(), fc.constant(Number.NaN));
    case 'VarChar': return fc.array(fc.constantFrom('a', 'b', 'é', '\uffff', '😀'), { maxLength: 3 }).map((a) => a.join(''));
  }
}

function toColumn(t: T, values: ScalarValue[]): Column {
  switch (t) {
    case 'Bool': return Uint8Array.from(values, (v) => (v ? 1 : 0));
    case 'Int32': return Int32Array.from(values as number[]);
    case 'Int64': return BigInt64Array.from(values as bigint[]);
    case 'Double': return Float64Array.from(values as number[]);
    case 'VarChar': return values as string[];
  }
}

function sortValues(t: T, vs: ScalarValue[]): ScalarValue[] {
  const distinct = [...new Set(vs)].filter((v) => !(typeof v === 'number' && Number.isNaN(v)));
  if (t === 'VarChar') return (distinct as string[]).sort(compareCodePoints);
  if (t === 'Bool') return (distinct as boolean[]).sort((a, b) => Number(a) - Number(b));
  return distinct.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** The bound expression the evaluator scans for `pred` on field `f` of type `t`. */
function boundOf(f: string, t: T, pred: IndexPredicate): BoundExpr {
  const cmp = (op: CompareOp, value: ScalarValue): BoundExpr => ({ kind: 'compare', field: f, dataType: t, op, value } as BoundExpr);
  switch (pred.kind) {
    case 'compare': return cmp(pred.op, pred.value);
    case 'in': return { kind: 'in', field: f, dataType: t, values: pred.values } as BoundExpr;
    case 'range': return { kind: 'range', field: f, dataType: t, lower: pred.lower, lowerInclusive: pred.lowerInclusive, upper: pred.upper, upperInclusive: pred.upperInclusive } as BoundExpr;
    case 'prefix': return { kind: 'like', field: f, pattern: `${pred.prefix}%` };
    default: throw new Error('not generated');
  }
}

function predArb(t: T, data: ScalarValue[]): fc.Arbitrary<IndexPredicate> {
  const lit = data.length > 0 ? fc.oneof(fc.constantFrom(...data), valueArb(t)) : valueArb(t);
  const ops = t === 'Bool' ? (['==', '!='] as const) : OPS;
  const preds: fc.Arbitrary<IndexPredicate>[] = [
    fc.record({ op: fc.constantFrom(...ops), value: lit }).map(({ op, value }) => ({ kind: 'compare', op, value }) as IndexPredicate),
    fc.array(lit, { minLength: 1, maxLength: 10 }).map((vs) => sortValues(t, vs)).filter((vs) => vs.length > 0).map((values) => ({ kind: 'in', values }) as IndexPredicate),
  ];
  if (t !== 'Bool') {
    preds.push(fc.tuple(lit, lit, fc.boolean(), fc.boolean()).map(([a, b, li, ui]) => {
      const [lower, upper] = sortValues(t, [a, b]).length === 2 ? sortValues(t, [a, b]) : [a, b];
      return { kind: 'range', lower, lowerInclusive: li, upper, upperInclusive: ui } as IndexPredicate;
    }));
  }
  if (t === 'VarChar') {
    preds.push(fc.oneof(...(data.length > 0 ? [fc.constantFrom(...(data as string[]))] : []), valueArb(t) as fc.Arbitrary<string>)
      .chain((v) => fc.nat({ max: (v as string).length }).map((k) => ({ kind: 'prefix', prefix: (v as string).slice(0, k) }) as IndexPredicate)));
  }
  return fc.oneof(...preds);
}

const bits = (b: Bitset): number[] => { const out: number[] = []; b.forEach((i) => out.push(i)); return out; };

const caseArb = fc.constantFrom<T>('Bool', 'Int32', 'Int64', 'Double', 'VarChar').chain((t) =>
  fc.tuple(fc.array(valueArb(t), { maxLength: 80 }), fc.boolean()).chain(([raw, nullable]) => {
    // Duplicates on purpose: draw rows from a small pool half of the time.
    const values = raw.length > 4 && raw.length % 2 === 0 ? raw.map((_, i) => raw[i % 4]) : raw;
    return fc.record({
      t: fc.constant(t), values: fc.constant(values),
      valid: nullable ? fc.array(fc.boolean(), { minLength: values.length, maxLength: values.length }) : fc.constant(undefined),
      preds: fc.array(predArb(t, values), { minLength: 1, maxLength: 6 }),
    });
  }));

describe('scalar indexes agree with the column scan', () => {
  it('every applicable index type, random predicates', () => {
    fc.assert(fc.property(caseArb, ({ t, values, valid, preds }) => {
      const n = values.length;
      const field: FieldSchema = { fieldId: 101, name: 'f', dataType: t, isPrimaryKey: false, autoId: false, nullable: valid !== undefined };
      const column = toColumn(t, values);
      const validBytes = valid ? Uint8Array.from(valid, (v) => (v ? 1 : 0)) : undefined;
      const indexes: ScalarIndex[] = [];
      for (const type of TYPES) {
        try { validateScalarIndex(type, field); } catch { continue; }
        indexes.push(buildScalarIndex(type, field, column, validBytes, n));
      }
      const plain: ColumnSource = { numRows: n, column: () => column, valid: () => validBytes };
      for (const pred of preds) {
        const expr = boundOf('f', t, pred);
        const scan = evaluateFilter(expr, plain);
        const expected = bits(scan).filter((i) => !validBytes || validBytes[i] === 1);
        for (const index of indexes) {
          const got = index.lookup(pred);
          if (got === undefined) {
            expect(index.type === 'TRIE' && (pred.kind === 'range' || (pred.kind === 'compare' && pred.op !== '==' && pred.op !== '!='))).toBe(true);
            continue;
          }
          expect(got.size).toBe(n);
          expect(bits(got), `${index.type} ${JSON.stringify(pred, (_, v) => (typeof v === 'bigint' ? `${v}n` : v))}`).toEqual(expected);
          const withIndex: ColumnSource = { ...plain, scalarIndex: () => index };
          for (const e of [expr, { kind: 'not', child: expr } as BoundExpr]) {
            expect(bits(evaluateFilter(e, withIndex))).toEqual(bits(evaluateFilter(e, plain)));
          }
        }
      }
    }), { numRuns: 400 });
  });
});
