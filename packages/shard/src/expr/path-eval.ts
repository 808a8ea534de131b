/**
 * Column loops for predicates on JSON paths, dynamic keys and Array fields/elements (Milvus
 * `UnaryExpr.cpp`, `TermExpr.cpp`, `ExistsExpr.cpp`, `NullExpr.cpp`, `JsonContainsExpr.cpp` on
 * JSON and ARRAY data). The path is resolved once into a reader (`pathReader`), and each predicate
 * into one value test built for its literal's type, so the loop walks each row's value without
 * allocating.
 */
import { Bitset } from '@shoal/ann';
import type { BoundContains, BoundExists, BoundIsNull, BoundLike, BoundPathCompare, BoundPathIn, JsonScalar } from './bound.ts';
import type { EvalContext } from './eval-context.ts';
import { isNumeric, jsonEquals, jsonOrder, pathReader } from './json-value.ts';
import { likeMatcher, type LikePlan } from './like.ts';
import { compareCodePoints, compareNumeric } from './order.ts';
import { masked, type Tri } from './tri.ts';

/** A predicate on one JS value. */
type Test = (v: unknown) => boolean;

/** Predicates whose target is a path. */
export type PathPredicate = BoundPathCompare | BoundPathIn | BoundLike | BoundExists | BoundIsNull | BoundContains;

/** Evaluates a path predicate over all rows; rows where the field is null are unknown (`is null`: true). */
export function evaluatePathPredicate(e: PathPredicate, ctx: EvalContext): Tri {
  const ref = e.ref;
  if (ref === undefined) throw new Error('evaluatePathPredicate: a predicate on a plain field');
  const values = ctx.values(ref.field);
  const valid = ctx.valid(ref.field);
  const read = pathReader(ref.path);
  if (e.kind === 'isNull') {
    const raw = scan(values, ctx.n, read, (v) => v === undefined || v === null, ctx.mask);
    return { t: valid === null ? raw : raw.or(valid.clone().not()), f: null };
  }
  return masked(arrayIndexed(e, ctx) ?? scan(values, ctx.n, read, testOf(e), ctx.mask), valid);
}

/**
 * `array_contains`/`array_contains_any` on a whole Array field by its scalar index (a private
 * copy of the answer), or `undefined` to scan.
 */
function arrayIndexed(e: Exclude<PathPredicate, BoundIsNull>, ctx: EvalContext): Bitset | undefined {
  if (e.kind !== 'contains' || e.mode === 'all' || e.ref.fieldType !== 'Array' || e.ref.path.length > 0) return undefined;
  const values = e.values as JsonScalar[];
  const hit = ctx.source.scalarIndex?.(e.ref.field)?.lookup({ kind: 'arrayContains', values });
  return hit !== undefined && hit.size === ctx.n ? hit.clone() : undefined;
}

function testOf(e: Exclude<PathPredicate, BoundIsNull>): Test {
  switch (e.kind) {
    case 'pathCompare': return compareTest(e.op, e.value);
    case 'pathIn': return memberTest(e.values);
    case 'like': { const m = likeMatcher(e.pattern); return (v) => typeof v === 'string' && m(v); }
    case 'exists': return (v) => v !== undefined;
    case 'contains': return containsTest(e.mode, e.values);
  }
}

/** The bits of rows whose value at the path passes `test` (words outside `mask` skipped, left 0). */
function scan(values: readonly unknown[], n: number, read: (root: unknown) => unknown, test: Test, mask: Uint32Array | null): Bitset {
  const out = new Bitset(n);
  const words = out.words;
  for (let w = 0, i = 0; i < n; w++) {
    const end = i + 32 < n ? i + 32 : n;
    if (mask !== null && mask[w] === 0) { i = end; continue; }
    let bits = 0;
    for (let b = 0; i < end; i++, b++) if (test(read(values[i]))) bits |= 1 << b;
    words[w] = bits;
  }
  return out;
}

/**
 * Sets the bits of the strings of a VarChar column matching a `like` plan (equality, prefix,
 * suffix, substring or regular expression); words outside `mask` are skipped (left 0).
 */
export function scanStrings(col: readonly string[], n: number, plan: LikePlan, mask: Uint32Array | null): Bitset {
  const out = new Bitset(n);
  const words = out.words;
  const fill = (test: (s: string) => boolean): void => {
    for (let w = 0, i = 0; i < n; w++) {
      const end = i + 32 < n ? i + 32 : n;
      if (mask !== null && mask[w] === 0) { i = end; continue; }
      let bits = 0;
      for (let b = 0; i < end; i++, b++) if (test(col[i])) bits |= 1 << b;
      words[w] = bits;
    }
  };
  switch (plan.kind) {
    case 'exact': { const t = plan.text; fill((s) => s === t); break; }
    case 'prefix': { const t = plan.text; fill((s) => s.startsWith(t)); break; }
    case 'suffix': { const t = plan.text; fill((s) => s.endsWith(t)); break; }
    case 'infix': { const t = plan.text; fill((s) => s.includes(t)); break; }
    case 'regex': { const r = plan.regex; fill((s) => r.test(s)); break; }
  }
  return out;
}

/** `v op lit` under the JSON rules (see `json-value.ts`), specialised by the literal's type. */
function compareTest(op: BoundPathCompare['op'], lit: JsonScalar): Test {
  // `!=` reaches here only for Array elements: any present element of another value (NaN too).
  if (op === '!=') return (v) => v !== undefined && jsonOrder(v, lit) !== 0;
  if (typeof lit === 'string') {
    if (op === '==') return (v) => v === lit;
    const pass = op === '<' ? (c: number) => c < 0 : op === '<=' ? (c: number) => c <= 0 : op === '>' ? (c: number) => c > 0 : (c: number) => c >= 0;
    return (v) => typeof v === 'string' && pass(compareCodePoints(v, lit));
  }
  if (typeof lit === 'boolean') return (v) => v === lit;
  // JS compares a number with a bigint by their mathematical values, exactly.
  switch (op) {
    case '==': return (v) => isNumeric(v) && v == lit; // == is exact between a number and a bigint
    case '<': return (v) => isNumeric(v) && v < lit;
    case '<=': return (v) => isNumeric(v) && v <= lit;
    case '>': return (v) => isNumeric(v) && v > lit;
    case '>=': return (v) => isNumeric(v) && v >= lit;
  }
}

/** `v in values`: strings and booleans by sets, numbers by a set of doubles and one of integers. */
function memberTest(values: readonly JsonScalar[]): Test {
  const strings = new Set<string>();
  const bools = new Set<boolean>();
  const doubles = new Set<number>();
  const ints = new Set<bigint>();
  for (const x of values) {
    if (typeof x === 'string') strings.add(x);
    else if (typeof x === 'boolean') bools.add(x);
    else {
      if (typeof x === 'number') doubles.add(x);
      else if (compareNumeric(Number(x), x) === 0) doubles.add(Number(x));
      if (typeof x === 'bigint') ints.add(x);
      else if (Number.isInteger(x)) ints.add(BigInt(x));
    }
  }
  return (v) => {
    switch (typeof v) {
      case 'string': return strings.has(v);
      case 'number': return doubles.has(v);
      case 'bigint': return ints.has(v);
      case 'boolean': return bools.has(v);
      default: return false;
    }
  };
}

/** `v` is an array holding the value (`one`), all of `values` (`all`) or any of them (`any`). */
function containsTest(mode: BoundContains['mode'], values: readonly BoundContains['values'][number][]): Test {
  const has = (arr: readonly unknown[], lit: BoundContains['values'][number]): boolean => {
    for (let k = 0; k < arr.length; k++) if (jsonEquals(arr[k], lit)) return true;
    return false;
  };
  if (mode === 'any') return (v) => Array.isArray(v) && values.some((lit) => has(v, lit));
  return (v) => Array.isArray(v) && values.every((lit) => has(v, lit));
}
