/**
 * Property test: random schemas, random data and random filter texts. For every row, three
 * answers must agree: the column evaluator (`evaluateFilter`), the row interpreter
 * (`evaluateRow`), and an oracle written here from Milvus's semantics that evaluates the
 * generated expression directly (exact integer comparison with the literal as written, Float
 * literals rounded to float32, strings by code point, IEEE NaN).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CollectionSchema, Column } from '../src/schema/types.ts';
import { compileFilter, evaluateFilter, evaluateRow, type CompareOp, type FilterFieldType } from '../src/expr/index.ts';

type Value = boolean | number | bigint | string;
type Lit = { value: Value; text: string };
type Field = { name: string; type: FilterFieldType };
type Gen =
  | { kind: 'cmp'; field: Field; op: CompareOp; lit: Lit; flipped: boolean }
  | { kind: 'in'; field: Field; lits: Lit[]; negated: boolean }
  | { kind: 'and' | 'or'; left: Gen; right: Gen; symbol: boolean }
  | { kind: 'not'; child: Gen; symbol: boolean }
  | { kind: 'const'; lit: Lit };

const TYPES: FilterFieldType[] = ['Bool', 'Int8', 'Int16', 'Int32', 'Int64', 'Float', 'Double', 'VarChar'];
const INT_RANGE: Record<string, [bigint, bigint]> = {
  Int8: [-(2n ** 7n), 2n ** 7n - 1n], Int16: [-(2n ** 15n), 2n ** 15n - 1n],
  Int32: [-(2n ** 31n), 2n ** 31n - 1n], Int64: [-(2n ** 63n), 2n ** 63n - 1n],
};
const MIRROR: Record<CompareOp, CompareOp> = { '==': '==', '!=': '!=', '<': '>', '<=': '>=', '>': '<', '>=': '<=' };
const OPS: CompareOp[] = ['==', '!=', '<', '<=', '>', '>='];

const intArb = (t: string): fc.Arbitrary<bigint> => {
  const [lo, hi] = INT_RANGE[t];
  const edges = [lo, hi, 0n, -1n, 1n, ...(t === 'Int64' ? [2n ** 53n, 2n ** 53n + 1n, -(2n ** 53n) - 1n] : [])];
  return fc.oneof(fc.bigInt({ min: -3n, max: 3n }), fc.constantFrom(...edges), fc.bigInt({ min: lo, max: hi }));
};

const stringArb = fc.array(fc.constantFrom('a', 'b', 'é', '\uffff', '😀', '"', "'", '\\', '\n'), { maxLength: 3 }).map((a) => a.join(''));

/** A stored value of type t (ints as bigint here; converted when building columns and rows). */
function valueArb(t: FilterFieldType): fc.Arbitrary<Value> {
  switch (t) {
    case 'Bool': return fc.boolean();
    case 'Float': return fc.oneof(fc.float(), fc.integer({ min: -3, max: 3 }).map(Math.fround));
    case 'Double': return fc.oneof(fc.double(), fc.integer({ min: -3, max: 3 }), fc.constantFrom(2 ** 53, 0.5));
    case 'VarChar': return stringArb;
    default: return intArb(t);
  }
}

/** Renders a bigint in a random radix (decimal, hex, 0o octal, leading-0 octal, binary). */
const bigintLit = (v: bigint): fc.Arbitrary<Lit> => fc.constantFrom('d', 'x', 'o', '0', 'b').map((r) => {
  const sign = v < 0n ? '-' : '';
  const a = v < 0n ? -v : v;
  const body = r === 'd' ? a.toString() : r === 'x' ? `0x${a.toString(16)}` : r === 'o' ? `0o${a.toString(8)}`
    : r === 'b' ? `0b${a.toString(2)}` : a === 0n ? '0' : `0${a.toString(8)}`;
  return { value: v, text: sign + body };
});

/** Renders a number as a floating literal (never NaN; infinities as ±1e400). */
function floatLit(v: number): Lit {
  if (v === Infinity || v === -Infinity) return { value: v, text: v > 0 ? '1e400' : '-1e400' };
  const s = String(v);
  return { value: v, text: /[.e]/.test(s) ? s : `${s}.0` };
}

function stringLit(v: string): fc.Arbitrary<Lit> {
  const single = `'${v.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n')}'`;
  return fc.constantFrom(JSON.stringify(v), single).map((text) => ({ value: v, text }));
}

/** A literal to compare with a field of type t, often one of the column's own values. */
function litArb(t: FilterFieldType, data: Value[]): fc.Arbitrary<Lit> {
  const fromData = data.length > 0 ? [fc.constantFrom(...data)] : [];
  switch (t) {
    case 'Bool': return fc.tuple(fc.boolean(), fc.constantFrom(0, 1, 2)).map(([b, k]) => {
      const text = [String(b), b ? 'True' : 'False', b ? 'TRUE' : 'FALSE'][k];
      return { value: b, text };
    });
    case 'VarChar': return fc.oneof(...fromData, stringArb).chain((v) => stringLit(v as string));
    case 'Float': case 'Double': {
      const nums = fc.oneof(...fromData, fc.double(), fc.integer({ min: -3, max: 3 })).filter((v) => !Number.isNaN(v));
      return fc.oneof(nums.map((v) => floatLit(v as number)), intArb('Int64').chain(bigintLit));
    }
    default: {
      const near = fc.oneof(...fromData, intArb('Int64'), fc.bigInt({ min: INT_RANGE[t][0] - 2n, max: INT_RANGE[t][1] + 2n }));
      // Fractions next to stored values, where rounding the wrong way would show.
      const base = fc.oneof(...fromData.map((a) => a.map(Number)), fc.integer({ min: -200, max: 200 }));
      const fraction = fc.tuple(base, fc.constantFrom(0, 0.5, -0.5, 0.25)).map(([i, f]) => floatLit(i + f));
      return fc.oneof(near.chain((v) => bigintLit(v as bigint)), fraction, fc.constantFrom(floatLit(Infinity), floatLit(-Infinity)));
    }
  }
}

function genArb(fields: Field[], data: Record<string, Value[]>, depth: number): fc.Arbitrary<Gen> {
  const leaf = fc.constantFrom(...fields).chain((field): fc.Arbitrary<Gen> => {
    const lit = litArb(field.type, data[field.name]);
    const ops = field.type === 'Bool' ? (['==', '!='] as CompareOp[]) : OPS;
    return fc.oneof(
      fc.record({ kind: fc.constant('cmp' as const), field: fc.constant(field), op: fc.constantFrom(...ops), lit, flipped: fc.boolean() }),
      fc.record({ kind: fc.constant('in' as const), field: fc.constant(field), lits: fc.array(lit, { maxLength: 4 }), negated: fc.boolean() }),
    );
  });
  if (depth === 0) return leaf;
  const sub = genArb(fields, data, depth - 1);
  return fc.oneof(
    { arbitrary: leaf, weight: 3 },
    { arbitrary: fc.record({ kind: fc.constantFrom('and' as const, 'or' as const), left: sub, right: sub, symbol: fc.boolean() }), weight: 3 },
    { arbitrary: fc.record({ kind: fc.constant('not' as const), child: sub, symbol: fc.boolean() }), weight: 1 },
    { arbitrary: fc.record({ kind: fc.constant('const' as const), lit: litArb('Bool', []) }), weight: 1 },
  );
}

function render(g: Gen): string {
  switch (g.kind) {
    case 'cmp': return g.flipped ? `${g.lit.text} ${MIRROR[g.op]} ${g.field.name}` : `${g.field.name} ${g.op} ${g.lit.text}`;
    case 'in': return `${g.field.name} ${g.negated ? 'not in' : 'in'} [${g.lits.map((l) => l.text).join(', ')}]`;
    case 'and': return `(${render(g.left)}) ${g.symbol ? '&&' : 'and'} (${render(g.right)})`;
    case 'or': return `(${render(g.left)}) ${g.symbol ? '||' : 'or'} (${render(g.right)})`;
    case 'not': return `${g.symbol ? '!' : 'not '}(${render(g.child)})`;
    case 'const': return g.lit.text;
  }
}

/** Code-point order, computed independently of the code under test. */
function codePointOrder(a: string, b: string): number {
  const x = Array.from(a, (c) => c.codePointAt(0) as number);
  const y = Array.from(b, (c) => c.codePointAt(0) as number);
  for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i] - y[i];
  return x.length - y.length;
}

/** Milvus's order of stored value x and literal v for a field of type t; undefined if unordered. */
function order(t: FilterFieldType, x: Value, v: Value): number | undefined {
  if (t === 'Bool') return x === v ? 0 : 1;
  if (t === 'VarChar') return codePointOrder(x as string, v as string);
  let l = v as number | bigint;
  if (t === 'Float') l = Math.fround(Number(l));
  if (t === 'Double') l = Number(l);
  const a = x as number | bigint;
  if (a < l) return -1;
  if (a > l) return 1;
  return a === l || (typeof a !== typeof l && !Number.isNaN(a) && !Number.isNaN(l)) ? 0 : undefined;
}

function oracle(g: Gen, data: Record<string, Value[]>, i: number): boolean {
  switch (g.kind) {
    case 'cmp': {
      const o = order(g.field.type, data[g.field.name][i], g.lit.value);
      if (o === undefined) return g.op === '!=';
      return { '==': o === 0, '!=': o !== 0, '<': o < 0, '<=': o <= 0, '>': o > 0, '>=': o >= 0 }[g.op];
    }
    case 'in': return g.lits.some((l) => order(g.field.type, data[g.field.name][i], l.value) === 0) !== g.negated;
    case 'and': return oracle(g.left, data, i) && oracle(g.right, data, i);
    case 'or': return oracle(g.left, data, i) || oracle(g.right, data, i);
    case 'not': return !oracle(g.child, data, i);
    case 'const': return g.lit.value as boolean;
  }
}

function toColumn(t: FilterFieldType, values: Value[]): Column {
  switch (t) {
    case 'Bool': return Uint8Array.from(values, (v) => (v ? 1 : 0));
    case 'Int8': return Int8Array.from(values, Number);
    case 'Int16': return Int16Array.from(values, Number);
    case 'Int32': return Int32Array.from(values, Number);
    case 'Int64': return BigInt64Array.from(values as bigint[]);
    case 'Float': return Float32Array.from(values as number[]);
    case 'Double': return Float64Array.from(values as number[]);
    case 'VarChar': return values as string[];
  }
}

/** A row as clients see it: small ints as numbers, Int64 as bigint. */
function rowValue(t: FilterFieldType, v: Value): Value {
  return typeof v === 'bigint' && t !== 'Int64' ? Number(v) : v;
}

const caseArb = fc.tuple(fc.array(fc.constantFrom(...TYPES), { minLength: 1, maxLength: 4 }), fc.integer({ min: 0, max: 75 }))
  .chain(([types, n]) => {
    const fields = types.map((type, k) => ({ name: `f${k}`, type }));
    return fc.tuple(...fields.map((f) => fc.array(valueArb(f.type), { minLength: n, maxLength: n }))).chain((cols) => {
      const data: Record<string, Value[]> = Object.fromEntries(fields.map((f, k) => [f.name, cols[k]]));
      return genArb(fields, data, 3).map((gen) => ({ fields, data, n, gen }));
    });
  });

describe('filters: column evaluator = row interpreter = oracle', () => {
  it('agree on random schemas, data and expressions', () => {
    fc.assert(fc.property(caseArb, ({ fields, data, n, gen }) => {
      const schema: CollectionSchema = {
        name: 'random', description: '', enableDynamicField: false,
        fields: fields.map((f, k) => ({ fieldId: 100 + k, name: f.name, dataType: f.type, isPrimaryKey: false, autoId: false })),
      };
      const text = render(gen);
      const bound = compileFilter(text, schema);
      const columns = Object.fromEntries(fields.map((f) => [f.name, toColumn(f.type, data[f.name])]));
      const bits = evaluateFilter(bound, { numRows: n, column: (name) => columns[name] });
      expect(bits.size).toBe(n);
      for (let i = 0; i < n; i++) {
        const row = Object.fromEntries(fields.map((f) => [f.name, rowValue(f.type, data[f.name][i])]));
        const want = oracle(gen, data, i);
        if (bits.get(i) !== want || evaluateRow(bound, row) !== want) {
          throw new Error(`row ${i} of filter ${text}: oracle ${want}, column ${bits.get(i)}, row ${evaluateRow(bound, row)}`);
        }
      }
    }), { numRuns: 400 });
  });
});
