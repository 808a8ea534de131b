/**
 * fast-check generators for the filter-oracle property test: small random schemas (every scalar
 * type, nullable or not, a JSON field, an Array field of Int64/VarChar/Double, the dynamic field on
 * or off), client rows with edge values (integer type bounds, ±2^53±1, ±2^63 bounds, float32
 * rounding points, empty and non-BMP strings, nested JSON with big integers, empty arrays, nulls),
 * and filter TEXT from a type-directed grammar (literals on either side, chained ranges,
 * arithmetic, in/not in, like, is null, exists, json_/array_contains*, array_length, element
 * access, and/or/not, templates). A few leaves are deliberately ill-typed, to check that the
 * engine and the oracle reject the same filters.
 */
import fc from 'fast-check';
import type { CollectionSchema, FieldSchema } from '../../src/schema/types.ts';

/** Scalar field types the generator declares. */
export type ScalarType = 'Bool' | 'Int8' | 'Int16' | 'Int32' | 'Int64' | 'Float' | 'Double' | 'VarChar';
/** Element types of the generated Array field. */
export type ElemType = 'Int64' | 'VarChar' | 'Double' | 'Int32' | 'Float' | 'Bool';

/** One random collection: its scalars, the JSON field `j`, the Array field `arr`, the dynamic field. */
export interface World {
  scalars: { name: string; type: ScalarType; nullable: boolean; defaultValue?: unknown }[];
  jsonNullable: boolean;
  arrType: ElemType;
  arrNullable: boolean;
  dynamic: boolean;
}

const TYPES: ScalarType[] = ['Bool', 'Int8', 'Int16', 'Int32', 'Int64', 'Float', 'Double', 'VarChar'];
const RANGE: Record<string, [bigint, bigint]> = {
  Int8: [-128n, 127n], Int16: [-32768n, 32767n], Int32: [-(2n ** 31n), 2n ** 31n - 1n], Int64: [-(2n ** 63n), 2n ** 63n - 1n],
};
const P53 = 2n ** 53n;
/** The largest finite float32. */
const FLOAT32_MAX = 3.4028234663852886e38;
/** Integer literals near every type's edges and the double-precision limit. */
const INT_EDGES = [0n, 1n, -1n, 2n, 127n, 128n, -128n, -129n, 32767n, 32768n, -32769n, 2n ** 31n - 1n, 2n ** 31n, -(2n ** 31n) - 1n,
  P53 - 1n, P53, P53 + 1n, -P53 - 1n, 16777217n, 2n ** 63n - 1n, 2n ** 63n, -(2n ** 63n), -(2n ** 63n) - 1n];
/** Floating literals: fractions, float32 rounding points, tiny and huge values. */
const FLOAT_EDGES = [0.5, -0.5, 1.5, 0.1, -2.5, 1.0, 0.0, 16777217.0, 3.4028234663852886e38, 1e-46, 2 ** 53, 2 ** 63, 1e300, Infinity, -Infinity];
const STRINGS = ['', 'a', 'b', 'ab', 'é', '😀', '\uffff', '%', '_', 'a%b', '"', "'", '\\', 'a_b'];

/** A stored value of a scalar type, as a client sends it. */
function scalarValue(t: ScalarType): fc.Arbitrary<unknown> {
  switch (t) {
    case 'Bool': return fc.boolean();
    case 'VarChar': return fc.constantFrom(...STRINGS);
    case 'Double':
      return fc.oneof(fc.integer({ min: -3, max: 3 }), fc.constantFrom(...FLOAT_EDGES.filter(Number.isFinite)),
        fc.double({ noNaN: true, noDefaultInfinity: true }));
    case 'Float': // within float32 range: larger values are refused at insert
      return fc.oneof(fc.integer({ min: -3, max: 3 }), fc.constantFrom(...FLOAT_EDGES.filter((x) => Number.isFinite(Math.fround(x)))),
        fc.double({ noNaN: true, min: -FLOAT32_MAX, max: FLOAT32_MAX }));
    default: {
      const [lo, hi] = RANGE[t];
      const edges = INT_EDGES.filter((v) => v >= lo && v <= hi);
      const big = fc.oneof(fc.bigInt({ min: -3n, max: 3n }), fc.constantFrom(...edges), fc.bigInt({ min: lo, max: hi }));
      // Int64 as clients may send it: a bigint, a safe-integer number or a decimal string.
      const int64 = fc.tuple(big, fc.constantFrom('bigint', 'number', 'string'))
        .map(([v, as]) => (as === 'number' && v >= -(2n ** 53n) + 1n && v <= 2n ** 53n - 1n ? Number(v) : as === 'string' ? String(v) : v));
      return t === 'Int64' ? int64 : big.map(Number);
    }
  }
}

const BIGS = [P53 + 1n, -(2n ** 63n), 2n ** 63n - 1n];
const jsonScalar: fc.Arbitrary<unknown> = fc.oneof(
  fc.integer({ min: -3, max: 3 }), fc.constantFrom(...BIGS), fc.constantFrom(0.5, -1.5, 2 ** 53, 3.25, 1e300),
  fc.constantFrom('a', 'b', 'ab', '', '%', 'é', '😀'), fc.boolean(), fc.constant(null),
);
const jsonValue: fc.Arbitrary<unknown> = fc.letrec<{ v: unknown }>((tie) => ({
  v: fc.oneof(
    { maxDepth: 3, depthIdentifier: 'json' },
    { arbitrary: jsonScalar, weight: 4 },
    { arbitrary: fc.array(tie('v'), { maxLength: 3 }), weight: 1 },
    { arbitrary: fc.dictionary(fc.constantFrom('a', 'b'), tie('v'), { maxKeys: 2 }), weight: 1 },
  ),
})).v;
const jsonRoot = fc.oneof(
  { arbitrary: fc.dictionary(fc.constantFrom('a', 'b', 'c'), jsonValue, { maxKeys: 3 }), weight: 5 },
  { arbitrary: jsonValue.filter((v) => v !== null), weight: 1 },
);

function elemValue(t: ElemType): fc.Arbitrary<unknown> {
  if (t === 'Int64') return fc.oneof(fc.bigInt({ min: -3n, max: 3n }), fc.constantFrom(...BIGS, P53));
  if (t === 'VarChar') return fc.constantFrom('a', 'b', 'ab', '', 'é');
  if (t === 'Int32') return fc.constantFrom(0, 1, -1, 2, 2 ** 31 - 1, -(2 ** 31));
  if (t === 'Bool') return fc.boolean();
  return fc.constantFrom(0, 0.5, -1.5, 1, 2, 2 ** 53, 0.1, 16777217);
}

/** A random world. */
export const worldArb: fc.Arbitrary<World> = fc.record({
  scalars: fc.array(fc.constantFrom(...TYPES), { minLength: 1, maxLength: 4 }).chain((ts) => fc.tuple(...ts.map((type, k) =>
    fc.record({ name: fc.constant(`f${k}`), type: fc.constant(type), nullable: fc.boolean(), defaultValue: fc.option(scalarValue(type), { freq: 4, nil: undefined }) })
      .map((s) => (s.defaultValue === undefined ? { name: s.name, type: s.type, nullable: s.nullable } : s))))),
  jsonNullable: fc.boolean(),
  arrType: fc.constantFrom<ElemType>('Int64', 'VarChar', 'Double', 'Int32', 'Float', 'Bool'),
  arrNullable: fc.boolean(),
  dynamic: fc.boolean(),
});

/** The collection schema of a world (an autoId primary key `id`, no vector: filters never read one). */
export function schemaOf(w: World): CollectionSchema {
  const field = (fieldId: number, name: string, extra: Partial<FieldSchema>): FieldSchema =>
    ({ fieldId, name, dataType: 'Int64', isPrimaryKey: false, autoId: false, ...extra });
  return {
    name: 'oracle', description: '', enableDynamicField: w.dynamic,
    fields: [
      field(100, 'id', { isPrimaryKey: true, autoId: true }),
      ...w.scalars.map((s, k) => field(101 + k, s.name, {
        dataType: s.type, nullable: s.nullable, ...(s.type === 'VarChar' ? { maxLength: 64 } : {}),
        ...(s.defaultValue === undefined ? {} : { defaultValue: (s.type === 'Int64' ? BigInt(s.defaultValue as bigint) : s.defaultValue) as FieldSchema['defaultValue'] }),
      })),
      field(90, 'j', { dataType: 'JSON', nullable: w.jsonNullable }),
      field(91, 'arr', { dataType: 'Array', elementType: w.arrType, maxCapacity: 8, maxLength: 16, nullable: w.arrNullable }),
    ],
  };
}

/** Client rows of a world: declared fields (null or absent where nullable) and dynamic keys `k1`, `k2` at the top level. */
export function rowsArb(w: World, n: number): fc.Arbitrary<Record<string, unknown>[]> {
  const orNull = (a: fc.Arbitrary<unknown>, nullable: boolean) =>
    (nullable ? fc.oneof({ arbitrary: a, weight: 4 }, { arbitrary: fc.constantFrom(null, undefined), weight: 1 }) : a);
  const row = fc.record({
    scalars: fc.tuple(...w.scalars.map((s) => orNull(scalarValue(s.type), s.nullable || s.defaultValue !== undefined))),
    j: orNull(jsonRoot, w.jsonNullable),
    arr: orNull(fc.array(elemValue(w.arrType), { maxLength: 4 }), w.arrNullable),
    k1: fc.option(jsonValue, { freq: 3, nil: undefined }),
    k2: fc.option(jsonValue, { freq: 3, nil: undefined }),
  });
  return fc.array(row, { minLength: n, maxLength: n }).map((rs) => rs.map((r) => {
    const out: Record<string, unknown> = {};
    w.scalars.forEach((s, k) => { if (r.scalars[k] !== undefined) out[s.name] = r.scalars[k]; });
    if (r.j !== undefined) out.j = r.j;
    if (r.arr !== undefined) out.arr = r.arr;
    if (w.dynamic) {
      if (r.k1 !== undefined) out.k1 = r.k1;
      if (r.k2 !== undefined) out.k2 = r.k2;
    }
    return out;
  }));
}

/**
 * The row the oracle reads: every declared field (its default value when absent or null, else
 * null; Milvus "Nullable & Default"), `$meta` the non-null dynamic keys.
 */
export function oracleRow(w: World, client: Record<string, unknown>): Record<string, unknown> {
  const row: Record<string, unknown> = {};
  for (const s of w.scalars) row[s.name] = client[s.name] ?? s.defaultValue ?? null;
  row.j = client.j ?? null;
  row.arr = client.arr ?? null;
  const meta: Record<string, unknown> = {};
  for (const k of ['k1', 'k2']) if (client[k] !== undefined && client[k] !== null) meta[k] = client[k];
  row.$meta = meta;
  return row;
}

/** A bigint as a literal in a random radix (decimal, hex, `0o`, leading-0 octal, binary). */
export function intText(v: bigint): fc.Arbitrary<string> {
  const sign = v < 0n ? '-' : '';
  const a = v < 0n ? -v : v;
  return fc.constantFrom(
    a.toString(), `0x${a.toString(16)}`, `0X${a.toString(16).toUpperCase()}`, `0o${a.toString(8)}`, a === 0n ? '0' : `0${a.toString(8)}`, `0b${a.toString(2)}`,
  ).map((b) => sign + b);
}

/** A double as a floating literal (always with `.` or an exponent; ±Infinity as ±1e400). */
export function floatText(v: number): string {
  if (!Number.isFinite(v)) return v > 0 ? '1e400' : '-1e400';
  const s = String(v);
  return /[.e]/.test(s) ? s : `${s}.0`;
}

/** A string as a double- or single-quoted literal (escapes for quotes, backslashes). */
export function stringText(v: string): fc.Arbitrary<string> {
  const esc = v.replace(/\\/g, '\\\\');
  return fc.constantFrom(`"${esc.replace(/"/g, '\\"')}"`, `'${esc.replace(/'/g, "\\'")}'`);
}

/** A numeric literal: an edge integer, a small one, or an edge/random double. */
export const numText: fc.Arbitrary<string> = fc.oneof(
  fc.oneof(fc.bigInt({ min: -5n, max: 5n }), fc.constantFrom(...INT_EDGES)).chain(intText),
  fc.oneof(fc.constantFrom(...FLOAT_EDGES), fc.double({ noNaN: true, min: -1e6, max: 1e6 })).map(floatText),
);
const boolText = fc.constantFrom('true', 'false', 'True', 'FALSE');
/** A literal of any scalar type. */
export const anyText: fc.Arbitrary<string> = fc.oneof(numText, fc.constantFrom(...STRINGS).chain(stringText), boolText);

/** A literal that fits a field or element of type t, often one of `pool` (values seen in the data). */
export function litText(t: ScalarType, pool: unknown[]): fc.Arbitrary<string> {
  const fromPool = pool.filter((v) => (t === 'Bool' ? typeof v === 'boolean' : t === 'VarChar' ? typeof v === 'string' : typeof v === 'number' || typeof v === 'bigint'));
  const seen = fromPool.length === 0 ? [] : [fc.constantFrom(...fromPool).chain((v) => (typeof v === 'bigint' ? intText(v)
    : typeof v === 'number' ? fc.constant(Number.isInteger(v) && Math.abs(v) < 2 ** 53 ? String(v) : floatText(v))
      : typeof v === 'string' ? stringText(v) : fc.constant(String(v))))];
  if (t === 'Bool') return boolText;
  if (t === 'VarChar') return fc.oneof(...seen, fc.constantFrom(...STRINGS).chain(stringText));
  return fc.oneof(...seen, numText);
}
