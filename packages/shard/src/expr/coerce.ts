/**
 * Conversion of filter literals to the value domain of the field they are compared with, as
 * Milvus's plan parser does (`castValue` in its package `internal/parser/planparserv2`): a number
 * compared with a Float field is first rounded to float32, with a Double field to float64;
 * integer fields compare exactly with integer literals of any size and numerically with
 * floating literals (`int_field > 1.5` means `int_field >= 2`).
 */
import type { CompareOp } from './ast.ts';
import type { FilterFieldType } from './bound.ts';

/** A literal as written in a filter (see `LiteralExpr` in `ast.ts`). */
export type LiteralValue = bigint | number | string | boolean;

/** Integer field types. */
export type IntType = 'Int8' | 'Int16' | 'Int32' | 'Int64';

/** Inclusive value range of each integer field type. */
const INT_RANGES: Readonly<Record<IntType, readonly [bigint, bigint]>> = {
  Int8: [-(2n ** 7n), 2n ** 7n - 1n],
  Int16: [-(2n ** 15n), 2n ** 15n - 1n],
  Int32: [-(2n ** 31n), 2n ** 31n - 1n],
  Int64: [-(2n ** 63n), 2n ** 63n - 1n],
};

/** How a literal reads in error messages: `the integer 5`, `the number 1.5`, `the string "a"`, `the boolean true`. */
export function describeValue(v: LiteralValue): string {
  switch (typeof v) {
    case 'bigint': return `the integer ${v}`;
    case 'number': return `the number ${v}`;
    case 'string': return `the string ${JSON.stringify(v)}`;
    default: return `the boolean ${v}`;
  }
}

/**
 * True if a literal may be compared with a field of type `t`: booleans with Bool, strings with
 * VarChar, integers and floating numbers with the numeric types.
 */
export function isComparable(t: FilterFieldType, v: LiteralValue): boolean {
  if (t === 'Bool') return typeof v === 'boolean';
  if (t === 'VarChar') return typeof v === 'string';
  return typeof v === 'bigint' || typeof v === 'number';
}

/** A numeric literal as a Float (nearest float32) or Double (nearest float64) field value. */
export function toFloatingValue(t: 'Float' | 'Double', v: bigint | number): number {
  const d = Number(v);
  return t === 'Float' ? Math.fround(d) : d;
}

/** An integer comparison after normalization: always true/false, or `field op n` with `n` in range. */
export type IntComparison = { always: boolean } | { op: '==' | '!=' | '<=' | '>='; n: bigint };

/**
 * Rewrites `field op v` for an integer field into an exact comparison with an integer `n` inside
 * the field's range, or into a constant when the range decides it: e.g. for Int8,
 * `< 1000` → always true, `> 1.5` → `>= 2`, `== 1.5` → always false, `< -Infinity` → always false.
 * `<` and `>` become `<=` and `>=`.
 */
export function normalizeIntComparison(t: IntType, op: CompareOp, v: bigint | number): IntComparison {
  let o: CompareOp = op;
  let n: bigint;
  if (typeof v === 'bigint') {
    n = v;
  } else if (Number.isNaN(v)) {
    return { always: op === '!=' };
  } else if (Number.isInteger(v)) {
    n = BigInt(v);
  } else {
    if (op === '==' || op === '!=') return { always: op === '!=' };
    if (v === Infinity) return { always: op === '<' || op === '<=' };
    if (v === -Infinity) return { always: op === '>' || op === '>=' };
    const below = op === '<' || op === '<=';
    o = below ? '<=' : '>=';
    n = BigInt(below ? Math.floor(v) : Math.ceil(v));
  }
  if (o === '<') { o = '<='; n -= 1n; }
  if (o === '>') { o = '>='; n += 1n; }
  const [lo, hi] = INT_RANGES[t];
  switch (o) {
    case '<=': return n >= hi ? { always: true } : n < lo ? { always: false } : { op: o, n };
    case '>=': return n <= lo ? { always: true } : n > hi ? { always: false } : { op: o, n };
    default: return n < lo || n > hi ? { always: o === '!=' } : { op: o, n };
  }
}

/**
 * A numeric `in`-list item as a value of integer type `t`, or `undefined` if no value of the
 * field can equal it (a fraction, ±Infinity, or outside the type's range).
 */
export function toIntMember(t: IntType, v: bigint | number): bigint | undefined {
  if (typeof v === 'number' && !Number.isInteger(v)) return undefined;
  const n = typeof v === 'bigint' ? v : BigInt(v);
  const [lo, hi] = INT_RANGES[t];
  return n < lo || n > hi ? undefined : n;
}
