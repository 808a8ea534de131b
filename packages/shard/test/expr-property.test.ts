/**
 * Property tests: random schemas, random data and random filter texts.
 * 1. Plain scalar fields: for every row, three answers must agree: the column evaluator
 *    (`evaluateFilter`), the row interpreter (`evaluateRow`), and an oracle written here from
 *    Milvus's semantics that evaluates the generated expression directly (exact integer
 *    comparison with the literal as written, Float literals rounded to float32, strings by code
 *    point, IEEE NaN).
 * 2. The whole language — nullable columns, JSON (nested objects, arrays, big Int64s), Array
 *    fields, the dynamic field, templates, arithmetic, ranges, field-to-field comparisons, like,
 *    exists, is null and the contains/length functions under and/or/not: the column evaluator
 *    must agree with the row interpreter, three-valued logic included.
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

// ---------------------------------------------------------------------------------------------
// The whole language: nullable columns, JSON (nested objects, arrays, big Int64s), Array fields,
// the dynamic field, templates, arithmetic, ranges, like, exists, is null and the functions.
// Here the column evaluator must agree with the row interpreter (three-valued logic included).
// ---------------------------------------------------------------------------------------------

type ElementType = 'Int32' | 'Int64' | 'Double' | 'VarChar' | 'Bool';
type Scalar = { name: string; type: FilterFieldType; nullable: boolean };
type World = {
  scalars: Scalar[];
  jsonNullable: boolean;
  arrType: ElementType;
  dynamic: boolean;
  n: number;
};

const BIGS = [2n ** 53n + 1n, -(2n ** 63n), 2n ** 63n - 1n];
const small = fc.integer({ min: -3, max: 3 });
const jsonScalarArb: fc.Arbitrary<unknown> = fc.oneof(
  small, fc.constantFrom(...BIGS), fc.constantFrom(0.5, -1.5, 2 ** 53, 3.25), fc.constantFrom('a', 'b', 'ab', '', '%', 'é'),
  fc.boolean(), fc.constant(null),
);
const jsonValueArb: fc.Arbitrary<unknown> = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof(
    { maxDepth: 3, depthIdentifier: 'json' },
    { arbitrary: jsonScalarArb, weight: 4 },
    { arbitrary: fc.array(tie('v'), { maxLength: 3 }), weight: 1 },
    { arbitrary: fc.dictionary(fc.constantFrom('a', 'b'), tie('v'), { maxKeys: 2 }), weight: 1 },
  ),
})).v;
const jsonRootArb = fc.dictionary(fc.constantFrom('a', 'b', 'c'), jsonValueArb, { maxKeys: 3 });

function elementArb(t: ElementType): fc.Arbitrary<unknown> {
  switch (t) {
    case 'Int32': return small;
    case 'Int64': return fc.oneof(small.map(BigInt), fc.constantFrom(...BIGS));
    case 'Double': return fc.constantFrom(0, 0.5, -1.5, 1, 2);
    case 'VarChar': return fc.constantFrom('a', 'b', 'ab', '');
    case 'Bool': return fc.boolean();
  }
}

/** A literal of any JSON scalar type, as value and text. */
const anyLitArb: fc.Arbitrary<Lit> = fc.oneof(
  small.map((v) => ({ value: BigInt(v), text: String(v) })),
  fc.constantFrom(...BIGS).map((v) => ({ value: v, text: String(v) })),
  fc.constantFrom(0.5, -1.5, 2 ** 53, 1.0).map(floatLit),
  fc.constantFrom('a', 'b', 'ab', '', 'é').chain(stringLit),
  fc.boolean().map((b) => ({ value: b, text: String(b) })),
);

function elementLitArb(t: ElementType): fc.Arbitrary<Lit> {
  switch (t) {
    case 'Int32': case 'Int64': return fc.oneof(small.map((v) => ({ value: BigInt(v), text: String(v) })), fc.constantFrom(...BIGS).map((v) => ({ value: v, text: String(v) })));
    case 'Double': return fc.constantFrom(0, 0.5, -1.5, 1, 2).map(floatLit);
    case 'VarChar': return fc.constantFrom('a', 'b', 'ab', '').chain(stringLit);
    case 'Bool': return fc.boolean().map((b) => ({ value: b, text: String(b) }));
  }
}

const PATHS = ['j', 'j["a"]', 'j["b"]', 'j["a"]["a"]', 'j["a"][0]', 'j["c"][1]'];
const likePatternArb = fc.array(fc.constantFrom('a', 'b', '%', '_', '\\\\%', 'é'), { maxLength: 4 }).map((a) => `"${a.join('')}"`);

/** Random filter text over the world's fields (every leaf a predicate). */
function textArb(w: World, depth: number): fc.Arbitrary<string> {
  const numeric = w.scalars.filter((s) => s.type !== 'Bool' && s.type !== 'VarChar');
  const varchars = w.scalars.filter((s) => s.type === 'VarChar');
  const paths = [...PATHS, ...(w.dynamic ? ['k1', '$meta["k2"]', 'k1["a"]'] : [])];
  const path = fc.constantFrom(...paths);
  const cmpOp = fc.constantFrom(...OPS);
  const ordered = (p: string, op: CompareOp, l: Lit) => (typeof l.value === 'boolean' && op !== '==' && op !== '!=' ? `${p} == ${l.text}` : `${p} ${op} ${l.text}`);
  const leaves: fc.Arbitrary<string>[] = [
    fc.tuple(path, cmpOp, anyLitArb).map(([p, op, l]) => ordered(p, op, l)),
    fc.tuple(path, fc.array(anyLitArb, { maxLength: 3 }), fc.boolean()).map(([p, ls, neg]) => `${p} ${neg ? 'not in' : 'in'} [${ls.map((l) => l.text).join(', ')}]`),
    fc.tuple(path, likePatternArb).map(([p, pat]) => `${p} like ${pat}`),
    path.filter((p) => p !== 'j').map((p) => `exists ${p}`),
    fc.tuple(fc.constantFrom(...paths, 'arr', ...w.scalars.map((s) => s.name)), fc.boolean()).map(([p, neg]) => `${p} is ${neg ? 'not ' : ''}null`),
    fc.tuple(fc.constantFrom('json_contains', 'array_contains'), path, anyLitArb).map(([f, p, l]) => `${f}(${p}, ${l.text})`),
    fc.tuple(fc.constantFrom('json_contains_all', 'json_contains_any'), path, fc.array(anyLitArb, { maxLength: 3 })).map(([f, p, ls]) => `${f}(${p}, [${ls.map((l) => l.text).join(', ')}])`),
    fc.tuple(fc.constantFrom('array_contains', 'array_contains_all', 'array_contains_any'), fc.array(elementLitArb(w.arrType), { minLength: 1, maxLength: 3 }))
      .map(([f, ls]) => (f === 'array_contains' ? `${f}(arr, ${ls[0].text})` : `${f}(arr, [${ls.map((l) => l.text).join(', ')}])`)),
    fc.tuple(fc.constantFrom('arr', 'j["a"]', 'j["c"]'), cmpOp, fc.integer({ min: 0, max: 3 })).map(([p, op, k]) => `array_length(${p}) ${op} ${k}`),
    fc.tuple(fc.integer({ min: 0, max: 3 }), cmpOp, elementLitArb(w.arrType)).map(([k, op, l]) => ordered(`arr[${k}]`, op, l)),
    fc.tuple(fc.constantFrom(...PATHS.slice(1)), fc.constantFrom('+', '-', '*', '/', '%'), fc.constantFrom(1, 2, 3), cmpOp, small)
      .map(([p, aop, k, op, c]) => `${p} ${aop} ${k} ${op} ${c}`),
  ];
  if (numeric.length > 0) {
    const nf = fc.constantFrom(...numeric.map((s) => s.name));
    leaves.push(
      fc.tuple(nf, fc.constantFrom('+', '-', '*', '/', '%', '**'), fc.constantFrom(1, 2, 3, -2, 0.5), cmpOp, small)
        .map(([f, aop, k, op, c]) => `${f} ${aop} ${k} ${op} ${c}`),
      fc.tuple(nf, fc.constantFrom('+', '-', '*'), nf, cmpOp, small).map(([a, aop, b, op, c]) => `${a} ${aop} ${b} ${op} ${c}`),
      fc.tuple(nf, cmpOp, nf).map(([a, op, b]) => `${a} ${op} ${b}`),
      fc.tuple(nf, small, small, fc.constantFrom('<', '<='), fc.constantFrom('<', '<=')).map(([f, a, b, o1, o2]) => `${a} ${o1} ${f} ${o2} ${b}`),
      fc.tuple(nf, cmpOp, small).map(([f, op, c]) => `${f} ${op} {p${c + 3}}`),
    );
  }
  if (varchars.length > 0) {
    const vf = fc.constantFrom(...varchars.map((s) => s.name));
    leaves.push(fc.tuple(vf, likePatternArb).map(([f, pat]) => `${f} like ${pat}`), fc.tuple(vf, cmpOp, vf).map(([a, op, b]) => `${a} ${op} ${b}`));
  }
  for (const s of w.scalars) {
    leaves.push(fc.tuple(fc.constantFrom(...(s.type === 'Bool' ? ['==', '!='] as CompareOp[] : OPS)), litArb(s.type, [])).map(([op, l]) => `${s.name} ${op} ${l.text}`));
  }
  const leaf = fc.oneof(...leaves);
  if (depth === 0) return leaf;
  const sub = textArb(w, depth - 1);
  return fc.oneof(
    { arbitrary: leaf, weight: 3 },
    { arbitrary: fc.tuple(sub, fc.constantFrom('and', 'or', '&&', '||'), sub).map(([a, op, b]) => `(${a}) ${op} (${b})`), weight: 3 },
    { arbitrary: sub.map((a) => `not (${a})`), weight: 1 },
  );
}

function zeroColumn(t: FilterFieldType, values: (Value | null)[]): Column {
  return toColumn(t, values.map((v) => v ?? (t === 'Bool' ? false : t === 'VarChar' ? '' : t === 'Int64' ? 0n : t === 'Float' || t === 'Double' ? 0 : 0n)));
}

const worldArb: fc.Arbitrary<World> = fc.record({
  scalars: fc.array(fc.tuple(fc.constantFrom(...TYPES), fc.boolean()), { minLength: 1, maxLength: 3 })
    .map((ts) => ts.map(([type, nullable], k) => ({ name: `f${k}`, type, nullable }))),
  jsonNullable: fc.boolean(),
  arrType: fc.constantFrom<ElementType>('Int32', 'Int64', 'Double', 'VarChar', 'Bool'),
  dynamic: fc.boolean(),
  n: fc.integer({ min: 0, max: 70 }),
});

const fullCaseArb = worldArb.chain((w) => {
  const row = fc.record({
    scalars: fc.tuple(...w.scalars.map((s) => (s.nullable ? fc.option(valueArb(s.type), { freq: 4 }) : valueArb(s.type)))),
    j: w.jsonNullable ? fc.option(jsonRootArb, { freq: 4 }) : jsonRootArb,
    arr: fc.option(fc.array(elementArb(w.arrType), { maxLength: 4 }), { freq: 4 }),
    meta: fc.dictionary(fc.constantFrom('k1', 'k2'), jsonValueArb, { maxKeys: 2 }),
  });
  return fc.tuple(fc.constant(w), fc.array(row, { minLength: w.n, maxLength: w.n }), textArb(w, 2));
});

describe('filters over the whole language: column evaluator = row interpreter', () => {
  it('agree on random schemas with nulls, JSON, Array fields, the dynamic field and templates', () => {
    fc.assert(fc.property(fullCaseArb, ([w, data, text]) => {
      const schema: CollectionSchema = {
        name: 'random', description: '', enableDynamicField: w.dynamic,
        fields: [
          ...w.scalars.map((s, k) => ({ fieldId: 100 + k, name: s.name, dataType: s.type, isPrimaryKey: false, autoId: false, nullable: s.nullable })),
          { fieldId: 90, name: 'j', dataType: 'JSON', isPrimaryKey: false, autoId: false, nullable: w.jsonNullable },
          { fieldId: 91, name: 'arr', dataType: 'Array', elementType: w.arrType, maxCapacity: 4, isPrimaryKey: false, autoId: false, nullable: true },
        ],
      };
      const params = Object.fromEntries([-3, -2, -1, 0, 1, 2, 3].map((c) => [`p${c + 3}`, c]));
      const bound = compileFilter(text, schema, params);
      const arrNull = (r: (typeof data)[number]) => r.arr === null;
      const columns: Record<string, Column> = {
        j: data.map((r) => r.j),
        arr: data.map((r) => r.arr ?? []),
        $meta: data.map((r) => r.meta),
      };
      const valid: Record<string, Uint8Array> = {
        arr: Uint8Array.from(data, (r) => (arrNull(r) ? 0 : 1)),
      };
      if (w.jsonNullable) valid.j = Uint8Array.from(data, (r) => (r.j === null ? 0 : 1));
      w.scalars.forEach((s, k) => {
        columns[s.name] = zeroColumn(s.type, data.map((r) => r.scalars[k] as Value | null));
        if (s.nullable) valid[s.name] = Uint8Array.from(data, (r) => (r.scalars[k] === null ? 0 : 1));
      });
      const bits = evaluateFilter(bound, { numRows: w.n, column: (name) => columns[name], valid: (name) => valid[name] });
      expect(bits.size).toBe(w.n);
      data.forEach((r, i) => {
        const row: Record<string, unknown> = { j: r.j, arr: r.arr, ...(w.dynamic ? { $meta: r.meta } : {}) };
        w.scalars.forEach((s, k) => { row[s.name] = r.scalars[k] === null ? null : rowValue(s.type, r.scalars[k] as Value); });
        const want = evaluateRow(bound, row);
        if (bits.get(i) !== want) throw new Error(`row ${i} of filter ${text}: column ${bits.get(i)}, row ${want}; row ${String(JSON.stringify(row, (_, v) => (typeof v === 'bigint' ? `${v}n` : v)))}`);
      });
    }), { numRuns: 1000 });
  }, 30_000);
});
