/**
 * A deliberately simple reference interpreter of Milvus filters, written from docs/filters.md
 * ("Meaning") and Milvus's docs ("Basic Operators", "JSON Operators", "ARRAY Operators",
 * "Nullable & Default"), for property tests of the real engine. It evaluates the UNTYPED syntax
 * tree (`parseFilter`) directly on one row — no binder, no constant folding, no shared helpers
 * from `src/expr/` — giving `true`, `false` or `null` (unknown, Kleene logic).
 *
 * Rows are as clients see them: Bool `boolean`, Int8/16/32/Float/Double `number`, Int64 `bigint`,
 * VarChar `string`, JSON a parsed value (integers beyond 2^53 as `bigint`), Array a JS array
 * (Int64 elements `bigint`), `null` for a null, the dynamic keys in `$meta`.
 *
 * Rules (each from docs/filters.md): a literal compared with a typed field is converted to the
 * field's type (Float: nearest float32, Double: nearest double, integers: exact — so
 * `int8 < 1000` is true, `int32 == 1.5` false); Float values are stored as float32; arithmetic is
 * exact on integers (`/` truncates, `%` takes the dividend's sign), double otherwise, `**` always
 * double; JSON values compare with literals only when their types agree (a mismatch or a missing
 * value matches `!=` and `not in`, nothing else); a null field makes its predicate unknown.
 * Type errors throw {@link OracleError}.
 */
import type { Expr, FieldExpr } from '../../src/expr/ast.ts';
import { parseFilter } from '../../src/expr/parser.ts';
import type { CollectionSchema, FieldSchema } from '../../src/schema/types.ts';
import { compareNum, compareStrings, intDiv, intMod, likeMatch, type Num } from './values.ts';

/** A filter the oracle rejects (type error, unknown field, missing template…). */
export class OracleError extends Error {}

/** Three-valued truth: `null` is unknown. */
export type Truth = boolean | null;

type Lit = bigint | number | string | boolean;
type Scalar = 'Bool' | 'Int8' | 'Int16' | 'Int32' | 'Int64' | 'Float' | 'Double' | 'VarChar';

/** What an operand evaluates to on one row. */
type Val =
  | { k: 'lit'; v: Lit }
  | { k: 'list'; items: Val[] }
  | { k: 'field'; type: Scalar; v: Lit | null }
  | { k: 'json'; nullRoot: boolean; v: unknown } // v undefined: missing
  | { k: 'elem'; type: Scalar; nullRoot: boolean; v: Lit | undefined }
  | { k: 'array'; type: Scalar; v: Lit[] | null }
  // computed: 'null' read a null; 'none' read a missing / non-numeric JSON value (matches only `!=`);
  // 'void' read an Array element out of range or divided an integer by zero (matches nothing)
  | { k: 'num'; v: Num | 'null' | 'none' | 'void'; int: boolean }
  | { k: 'pred'; t: Truth };

const fail = (m: string): never => { throw new OracleError(m); };
const isNum = (v: unknown): v is Num => typeof v === 'bigint' || typeof v === 'number';
const NUMERIC = new Set(['Int8', 'Int16', 'Int32', 'Int64', 'Float', 'Double']);

/** Order of `a` and `b` for `op`; `undefined` order (NaN, mismatch) holds only `!=`. */
function holds(op: string, c: number | undefined): boolean {
  if (c === undefined) return op === '!=';
  return op === '==' ? c === 0 : op === '!=' ? c !== 0 : op === '<' ? c < 0 : op === '<=' ? c <= 0 : op === '>' ? c > 0 : c >= 0;
}

const MIRROR: Record<string, string> = { '==': '==', '!=': '!=', '<': '>', '<=': '>=', '>': '<', '>=': '<=' };

const and3 = (a: Truth, b: Truth): Truth => (a === false || b === false ? false : a === null || b === null ? null : true);
const or3 = (a: Truth, b: Truth): Truth => (a === true || b === true ? true : a === null || b === null ? null : false);
const not3 = (a: Truth): Truth => (a === null ? null : !a);

/** A literal converted to a typed field's (or Array element's) value domain; throws on a type mismatch. */
function convert(type: Scalar, v: Lit, what: string): Lit {
  if (type === 'Bool') return typeof v === 'boolean' ? v : fail(`${what} is Bool, literal ${String(v)}`);
  if (type === 'VarChar') return typeof v === 'string' ? v : fail(`${what} is VarChar, literal ${String(v)}`);
  if (!isNum(v)) return fail(`${what} is ${type}, literal ${String(v)}`);
  if (type === 'Float') return Math.fround(Number(v));
  if (type === 'Double') return Number(v);
  return v; // integer fields compare exactly
}

/** Order of two values of one scalar kind (after conversion). */
function order(a: Lit, b: Lit): number | undefined {
  if (typeof a === 'string' && typeof b === 'string') return compareStrings(a, b);
  if (typeof a === 'boolean' && typeof b === 'boolean') return a === b ? 0 : 1;
  if (isNum(a) && isNum(b)) return compareNum(a, b);
  return undefined;
}

/** The order of a JSON value and a literal under the JSON typing rules; undefined when they do not compare. */
function jsonOrder(x: unknown, lit: Lit): number | undefined {
  if (typeof lit === 'string') return typeof x === 'string' ? compareStrings(x, lit) : undefined;
  if (typeof lit === 'boolean') return typeof x === 'boolean' ? (x === lit ? 0 : 1) : undefined;
  return isNum(x) ? compareNum(x, lit) : undefined;
}

/** Deep equality of a JSON value and a literal (a list literal equals an array element by element). */
function jsonEq(x: unknown, lit: unknown): boolean {
  if (Array.isArray(lit)) return Array.isArray(x) && x.length === lit.length && lit.every((l, i) => jsonEq(x[i], l));
  return jsonOrder(x, lit as Lit) === 0;
}

/** Evaluates filters of one schema with one set of template parameters. */
export class Oracle {
  private readonly schema: CollectionSchema;
  private readonly params: Readonly<Record<string, unknown>> | undefined;

  constructor(schema: CollectionSchema, params?: Readonly<Record<string, unknown>>) {
    this.schema = schema;
    this.params = params;
  }

  /**
   * The truth of filter `text` on `row`: true, false or null (unknown). Empty text is true.
   * @throws OracleError for a filter the docs say is an error; parse errors propagate from `parseFilter`.
   */
  evaluate(text: string, row: Record<string, unknown>): Truth {
    if (text.trim() === '') return true;
    return this.pred(parseFilter(text), row);
  }

  private pred(e: Expr, row: Record<string, unknown>): Truth {
    const v = this.val(e, row);
    if (v.k === 'pred') return v.t;
    if (v.k === 'lit' && typeof v.v === 'boolean') return v.v;
    return fail(`not a boolean expression: ${e.kind}`);
  }

  private val(e: Expr, row: Record<string, unknown>): Val {
    switch (e.kind) {
      case 'literal': return { k: 'lit', v: e.value };
      case 'template': return this.val(this.template(e.name), row);
      case 'array': return { k: 'list', items: e.items.map((i) => this.val(i, row)) };
      case 'field': return this.field(e, row);
      case 'unary': {
        if (e.op === 'not') return { k: 'pred', t: not3(this.pred(e.operand, row)) };
        const x = this.val(e.operand, row);
        if (x.k === 'lit' && isNum(x.v)) return { k: 'lit', v: e.op === '-' ? -x.v : x.v };
        const n = this.num(x);
        if (e.op === '+') return n;
        return this.arith('-', { k: 'num', v: 0n, int: true }, n);
      }
      case 'arith': {
        const a = this.val(e.left, row);
        const b = this.val(e.right, row);
        if ((e.op === '/' || e.op === '%') && b.k === 'lit' && (b.v === 0n || b.v === 0)) fail('division by a zero literal');
        if (a.k === 'lit' && b.k === 'lit') {
          const r = this.arith(e.op, this.num(a), this.num(b));
          return { k: 'lit', v: r.v as Num };
        }
        return this.arith(e.op, this.num(a), this.num(b));
      }
      case 'logical': {
        const a = this.pred(e.left, row);
        const b = this.pred(e.right, row);
        return { k: 'pred', t: e.op === 'and' ? and3(a, b) : or3(a, b) };
      }
      case 'compare': return { k: 'pred', t: this.compare(this.val(e.left, row), e.op, this.val(e.right, row)) };
      case 'range': {
        const x = this.val(e.operand, row);
        const lo = this.compare(this.val(e.lower, row), e.lowerOp, x);
        const hi = this.compare(x, e.upperOp, this.val(e.upper, row));
        return { k: 'pred', t: and3(lo, hi) };
      }
      case 'in': {
        const t = this.member(this.val(e.operand, row), this.val(e.list, row));
        return { k: 'pred', t: e.negated ? not3(t) : t };
      }
      case 'like': return { k: 'pred', t: this.like(this.val(e.operand, row), this.val(e.pattern, row)) };
      case 'isNull': {
        const x = this.val(e.operand, row);
        let t: boolean;
        if (x.k === 'field' || x.k === 'array') t = x.v === null;
        else if (x.k === 'json') t = x.nullRoot || x.v === undefined || x.v === null;
        else if (x.k === 'elem') t = x.nullRoot || x.v === undefined;
        else return fail('is null needs a field or path');
        return { k: 'pred', t: e.negated ? !t : t };
      }
      case 'exists': {
        const x = this.val(e.operand, row);
        if (x.k !== 'json') return fail('exists needs a JSON path');
        return { k: 'pred', t: x.nullRoot ? null : x.v !== undefined };
      }
      case 'call': return this.call(e.name, e.args.map((a) => this.val(a, row)));
    }
  }

  private template(name: string): Expr {
    if (this.params === undefined || !Object.hasOwn(this.params, name)) return fail(`template {${name}} has no value`);
    const toExpr = (v: unknown): Expr => {
      if (typeof v === 'number') return { kind: 'literal', value: Number.isInteger(v) ? BigInt(v) : v, column: 0 };
      if (typeof v === 'bigint' || typeof v === 'string' || typeof v === 'boolean') return { kind: 'literal', value: v, column: 0 };
      if (Array.isArray(v)) return { kind: 'array', items: v.map(toExpr), column: 0 };
      return fail(`template {${name}} has a bad value`);
    };
    return toExpr(this.params[name]);
  }

  private field(e: FieldExpr, row: Record<string, unknown>): Val {
    const f: FieldSchema | undefined = this.schema.fields.find((x) => x.name === e.name);
    if (f === undefined) {
      if (!this.schema.enableDynamicField) return fail(`unknown field ${e.name}`);
      const path = e.name === '$meta' ? e.path : [e.name, ...e.path];
      return { k: 'json', nullRoot: false, v: walk(row.$meta ?? {}, path) };
    }
    const raw = row[f.name] === undefined ? null : row[f.name];
    if (f.dataType === 'JSON') return { k: 'json', nullRoot: raw === null, v: raw === null ? null : walk(raw, e.path) };
    if (f.dataType === 'Array') {
      const type = f.elementType as Scalar;
      const arr = raw as Lit[] | null;
      const stored = arr === null ? null : arr.map((x) => (type === 'Float' ? Math.fround(x as number) : x));
      if (e.path.length === 0) return { k: 'array', type, v: stored };
      if (e.path.length > 1 || typeof e.path[0] !== 'bigint') return fail('an Array field takes one integer index');
      const i = e.path[0];
      return { k: 'elem', type, nullRoot: stored === null, v: stored === null || i >= BigInt(stored.length) ? undefined : stored[Number(i)] };
    }
    if (f.dataType === 'FloatVector' || f.dataType === 'BinaryVector') return fail('vector field');
    if (e.path.length > 0) return fail('path on a scalar field');
    const type = f.dataType as Scalar;
    if (raw === null) return { k: 'field', type, v: null };
    const v = type === 'Float' ? Math.fround(raw as number) : type === 'Int64' ? BigInt(raw as bigint) : raw as Lit;
    return { k: 'field', type, v };
  }

  /** A numeric operand as a computed number (integers exact, doubles otherwise). */
  private num(x: Val): Extract<Val, { k: 'num' }> {
    switch (x.k) {
      case 'lit': return isNum(x.v) ? { k: 'num', v: x.v, int: typeof x.v === 'bigint' } : fail('arithmetic on a non-number literal');
      case 'num': return x;
      case 'field': {
        if (!NUMERIC.has(x.type)) return fail('arithmetic on a non-numeric field');
        const int = x.type.startsWith('Int');
        return { k: 'num', v: x.v === null ? 'null' : int ? BigInt(x.v as Num) : (x.v as number), int };
      }
      case 'json': {
        if (x.nullRoot) return { k: 'num', v: 'null', int: false };
        if (typeof x.v === 'bigint') return { k: 'num', v: x.v, int: true };
        if (typeof x.v !== 'number') return { k: 'num', v: 'none', int: false };
        return Number.isInteger(x.v) ? { k: 'num', v: BigInt(x.v), int: true } : { k: 'num', v: x.v, int: false };
      }
      case 'elem': {
        if (!NUMERIC.has(x.type)) return fail('arithmetic on a non-numeric element');
        if (x.nullRoot) return { k: 'num', v: 'null', int: false };
        if (x.v === undefined) return { k: 'num', v: 'void', int: false };
        const int = x.type.startsWith('Int');
        return { k: 'num', v: int ? BigInt(x.v as Num) : (x.v as number), int };
      }
      default: return fail(`arithmetic on ${x.k}`);
    }
  }

  private arith(op: string, a: Extract<Val, { k: 'num' }>, b: Extract<Val, { k: 'num' }>): Extract<Val, { k: 'num' }> {
    if (a.v === 'null' || b.v === 'null') return { k: 'num', v: 'null', int: false };
    if (a.v === 'none' || b.v === 'none') return { k: 'num', v: 'none', int: false };
    if (a.v === 'void' || b.v === 'void') return { k: 'num', v: 'void', int: false };
    if (a.int && b.int && op !== '**') {
      const x = a.v as bigint;
      const y = b.v as bigint;
      if ((op === '/' || op === '%') && y === 0n) return { k: 'num', v: 'void', int: true };
      const r = op === '+' ? x + y : op === '-' ? x - y : op === '*' ? x * y : op === '/' ? intDiv(x, y) : intMod(x, y);
      return { k: 'num', v: r, int: true };
    }
    const x = Number(a.v);
    const y = Number(b.v);
    const r = op === '+' ? x + y : op === '-' ? x - y : op === '*' ? x * y : op === '/' ? x / y : op === '%' ? x % y : x ** y;
    return { k: 'num', v: r, int: false };
  }

  private compare(l: Val, op: string, r: Val): Truth {
    if (l.k === 'lit' && r.k !== 'lit') return this.compare(r, MIRROR[op], l);
    if (l.k === 'pred' || r.k === 'pred' || l.k === 'list' || r.k === 'list') return fail('cannot compare a predicate or list');
    if (l.k === 'array' || r.k === 'array') return fail('cannot compare a whole Array field');
    if (r.k === 'lit') {
      const lit = r.v;
      if (typeof lit === 'boolean' && op !== '==' && op !== '!=') fail('booleans support == and != only');
      switch (l.k) {
        case 'lit': {
          if (typeof l.v !== typeof lit && !(isNum(l.v) && isNum(lit))) fail('literals of different types');
          return holds(op, order(l.v, lit));
        }
        case 'field': {
          const c = convert(l.type, lit, 'field');
          return l.v === null ? null : holds(op, order(l.v, c));
        }
        case 'json': return l.nullRoot ? null : holds(op, jsonOrder(l.v, lit));
        case 'elem': {
          const c = convert(l.type, lit, 'element');
          // docs/filters.md "Arrays": out of range, no match — `!=` included, as Milvus's
          // `UnaryArrayCompare` (UnaryExpr.h) sets false for every operator.
          return l.nullRoot ? null : l.v === undefined ? false : holds(op, order(l.v, c));
        }
        case 'num': return this.numCompare(l, op, this.num(r));
      }
    }
    // two computed sides
    if (l.k === 'field' && r.k === 'field' && (l.type === 'Bool' || l.type === 'VarChar' || r.type === 'Bool' || r.type === 'VarChar')) {
      if (l.type !== r.type) return fail('fields of different types');
      if (l.type === 'Bool' && op !== '==' && op !== '!=') fail('booleans support == and != only');
      return l.v === null || r.v === null ? null : holds(op, order(l.v, r.v));
    }
    return this.numCompare(this.num(l), op, this.num(r));
  }

  private numCompare(a: Extract<Val, { k: 'num' }>, op: string, b: Extract<Val, { k: 'num' }>): Truth {
    if (a.v === 'null' || b.v === 'null') return null;
    // Milvus BinaryArithOpEvalRangeExpr.cpp (`BinaryArithRangeJSONCompareNotEqual`): a JSON value
    // that is missing or not a number matches `!=` and nothing else, as for a plain path
    // comparison (docs/filters.md "JSON values").
    if (a.v === 'none' || b.v === 'none') return op === '!=';
    if (a.v === 'void' || b.v === 'void') return false;
    return holds(op, compareNum(a.v, b.v));
  }

  private member(x: Val, list: Val): Truth {
    if (list.k !== 'list') return fail('in needs a list');
    const lits = list.items.map((i) => (i.k === 'lit' ? i.v : fail('in-list items must be literals')));
    switch (x.k) {
      case 'field': {
        const cs = lits.map((l) => convert(x.type, l, 'field'));
        return x.v === null ? null : cs.some((c) => order(x.v as Lit, c) === 0);
      }
      case 'json': return x.nullRoot ? null : lits.some((l) => jsonOrder(x.v, l) === 0);
      case 'elem': {
        const cs = lits.map((l) => convert(x.type, l, 'element'));
        return x.nullRoot ? null : x.v !== undefined && cs.some((c) => order(x.v as Lit, c) === 0);
      }
      default: return fail('in needs a field or path');
    }
  }

  private like(x: Val, p: Val): Truth {
    if (p.k !== 'lit' || typeof p.v !== 'string') return fail('like needs a string pattern');
    const pat = p.v;
    if (x.k === 'field' && x.type === 'VarChar') return x.v === null ? null : likeMatch(x.v as string, pat);
    if (x.k === 'json') return x.nullRoot ? null : typeof x.v === 'string' && likeMatch(x.v, pat);
    if (x.k === 'elem' && x.type === 'VarChar') return x.nullRoot ? null : typeof x.v === 'string' && likeMatch(x.v, pat);
    return fail('like needs a VarChar field or JSON path');
  }

  private call(name: string, args: Val[]): Val {
    const mode = ({ json_contains: 'one', array_contains: 'one', json_contains_all: 'all', array_contains_all: 'all',
      json_contains_any: 'any', array_contains_any: 'any', array_length: 'length' } as Record<string, string>)[name];
    if (mode === undefined) return fail(`unknown function ${name}`);
    if (args.length !== (mode === 'length' ? 1 : 2)) return fail(`${name}: wrong argument count`);
    const t = args[0];
    if (t.k !== 'json' && t.k !== 'array') return fail(`${name} needs a JSON path or Array field`);
    const value: unknown = t.k === 'json' ? (t.nullRoot ? null : t.v) : t.v;
    const isNullRoot = t.k === 'json' ? t.nullRoot : t.v === null;
    if (mode === 'length') {
      if (isNullRoot) return { k: 'num', v: 'null', int: true };
      // Milvus (`BinaryArithRangeJONCompareArrayLength`): a path that is not an array has length 0.
      return { k: 'num', v: BigInt(Array.isArray(value) ? value.length : 0), int: true };
    }
    const litOf = (v: Val): unknown => (v.k === 'lit' ? v.v : v.k === 'list' ? v.items.map(litOf) : fail(`${name} takes literals`));
    let wanted: unknown[];
    if (mode === 'one') wanted = [litOf(args[1])];
    else if (args[1].k !== 'list') return fail(`${name} needs a list`);
    else wanted = litOf(args[1]) as unknown[];
    let has: (el: unknown, w: unknown) => boolean = jsonEq;
    if (t.k === 'array') {
      const type = t.type;
      const cs = wanted.map((w) => (Array.isArray(w) ? fail('an Array element cannot be a list') : convert(type, w as Lit, 'element')));
      wanted = cs;
      has = (el, w) => order(el as Lit, w as Lit) === 0;
    }
    if (isNullRoot) return { k: 'pred', t: null };
    if (!Array.isArray(value)) return { k: 'pred', t: false };
    const found = (w: unknown) => value.some((el) => has(el, w));
    return { k: 'pred', t: mode === 'any' ? wanted.some(found) : wanted.every(found) };
  }
}

/** The value at `path` in a JSON value: `undefined` when a key is missing, an index out of range, or a step meets a non-container. */
function walk(root: unknown, path: readonly (string | bigint)[]): unknown {
  let v = root;
  for (const s of path) {
    if (typeof s === 'bigint') {
      if (!Array.isArray(v) || s >= BigInt(v.length)) return undefined;
      v = v[Number(s)];
    } else {
      if (v === null || typeof v !== 'object' || Array.isArray(v) || !Object.hasOwn(v, s)) return undefined;
      v = (v as Record<string, unknown>)[s];
    }
  }
  return v;
}
