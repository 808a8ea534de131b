/**
 * Binds an untyped filter tree (`ast.ts`) to a collection schema, giving a {@link BoundExpr}:
 * resolves field names, checks operand types, converts literals to their field's type
 * (`coerce.ts`) and folds constants. The rules follow Milvus's plan parser
 * (`internal/parser/planparserv2/parser_visitor.go`): the filter and the operands of `and`, `or`,
 * `not` must be boolean expressions (a bare field, even a Bool one, is not); a comparison puts a
 * field on one side and a literal on the other; `in` takes a field and a list of literals.
 */
import { ErrorCode, ShoalError, notSupported } from '@shoal/actors';
import type { CollectionSchema } from '../schema/types.ts';
import type { CompareExpr, CompareOp, Expr, InExpr, LogicalExpr } from './ast.ts';
import type { BoundCompare, BoundExpr, BoundIn, FilterFieldType } from './bound.ts';
import {
  describeValue, isComparable, normalizeIntComparison, toFloatingValue, toIntMember, type LiteralValue,
} from './coerce.ts';
import { compareCodePoints, compareNumeric } from './order.ts';

/** An operand after binding: a literal (signs folded), a field, a list, or a boolean expression. */
type Operand =
  | { kind: 'value'; value: LiteralValue; column: number }
  | { kind: 'field'; name: string; dataType: FilterFieldType; column: number }
  | { kind: 'list'; items: Operand[]; column: number }
  | { kind: 'predicate'; expr: BoundExpr; column: number };

/** `a op b` ⇔ `b MIRROR[op] a`. */
const MIRROR: Readonly<Record<CompareOp, CompareOp>> = { '==': '==', '!=': '!=', '<': '>', '<=': '>=', '>': '<', '>=': '<=' };

const TRUE: BoundExpr = { kind: 'const', value: true };
const FALSE: BoundExpr = { kind: 'const', value: false };

/**
 * Resolves and type-checks a parsed filter against `schema`.
 * @returns the bound expression (see `bound.ts` for its invariants).
 * @throws ShoalError(ParameterInvalid) with the column of the offending node for: a field not in
 *   the schema (names the field and `schema.name`), a vector field, a literal whose type does not
 *   fit its field (names the field, its type and the literal's type), an ordering operator on a
 *   Bool field, a non-boolean filter or operand of `and`/`or`/`not`, a comparison without a field
 *   and a literal, or `in` without a field and a list.
 * @throws ShoalError(OperationNotSupported) for JSON fields and comparisons between two fields.
 */
export function bindFilter(expr: Expr, schema: CollectionSchema): BoundExpr {
  return new Binder(schema).predicate(expr, 'the filter');
}

/** `and` of `children`, flattened and folded (`true` dropped, any `false` wins). */
export function makeAnd(children: BoundExpr[]): BoundExpr {
  return makeJunction('and', children);
}

/** `or` of `children`, flattened and folded (`false` dropped, any `true` wins). */
export function makeOr(children: BoundExpr[]): BoundExpr {
  return makeJunction('or', children);
}

/** `not child`, folded (`not const`, `not not e`). */
export function makeNot(child: BoundExpr): BoundExpr {
  if (child.kind === 'const') return child.value ? FALSE : TRUE;
  if (child.kind === 'not') return child.child;
  return { kind: 'not', child };
}

function makeJunction(kind: 'and' | 'or', children: BoundExpr[]): BoundExpr {
  const absorbing = kind === 'or';
  const flat: BoundExpr[] = [];
  for (const c of children) {
    if (c.kind === 'const') {
      if (c.value === absorbing) return c;
    } else if (c.kind === kind) {
      flat.push(...c.children);
    } else {
      flat.push(c);
    }
  }
  if (flat.length === 0) return absorbing ? FALSE : TRUE;
  return flat.length === 1 ? flat[0] : { kind, children: flat };
}

function fail(message: string): never {
  throw new ShoalError(ErrorCode.ParameterInvalid, message);
}

class Binder {
  private readonly schema: CollectionSchema;

  constructor(schema: CollectionSchema) {
    this.schema = schema;
  }

  /**
   * Binds `e`, which must be a boolean expression; `context` names who needs it in messages,
   * `underNot` adds a hint about the precedence of `not`.
   */
  predicate(e: Expr, context: string, underNot = false): BoundExpr {
    switch (e.kind) {
      case 'logical': return this.logical(e);
      case 'compare': return this.compare(e);
      case 'in': return this.in(e);
      case 'unary':
        if (e.op === 'not') return makeNot(this.predicate(e.operand, `the operand of 'not' at column ${e.column}`, true));
        break;
      case 'literal':
        if (typeof e.value === 'boolean') return e.value ? TRUE : FALSE;
        break;
      default:
        break;
    }
    const found = this.operand(e);
    let hint = '';
    if (found.kind === 'field') {
      hint = found.dataType === 'Bool' ? `; to test a Bool field, write ${found.name} == true` : '';
      if (underNot) hint += "; 'not' binds tighter than comparisons, so write not (a > 1) rather than not a > 1";
    }
    return fail(`${context} must be a boolean expression (a comparison, in, and, or, not, true, false), ` +
      `but found ${this.describe(found)} at column ${found.column}${hint}`);
  }

  /** Binds `e` as an operand of a comparison or `in`. */
  private operand(e: Expr): Operand {
    switch (e.kind) {
      case 'literal':
        return { kind: 'value', value: e.value, column: e.column };
      case 'field':
        return { kind: 'field', name: e.name, dataType: this.fieldType(e.name, e.column), column: e.column };
      case 'array':
        return { kind: 'list', items: e.items.map((i) => this.operand(i)), column: e.column };
      case 'unary': {
        if (e.op === 'not') return { kind: 'predicate', expr: this.predicate(e, ''), column: e.column };
        const inner = this.operand(e.operand);
        if (inner.kind === 'value' && (typeof inner.value === 'bigint' || typeof inner.value === 'number')) {
          return { kind: 'value', value: e.op === '-' ? -inner.value : inner.value, column: e.column };
        }
        if (inner.kind === 'field') throw notSupported(`arithmetic on fields (${e.op}${inner.name} at column ${e.column})`);
        return fail(`'${e.op}' at column ${e.column} needs a number, but found ${this.describe(inner)}`);
      }
      default:
        return { kind: 'predicate', expr: this.predicate(e, ''), column: e.column };
    }
  }

  private fieldType(name: string, column: number): FilterFieldType {
    const field = this.schema.fields.find((f) => f.name === name);
    if (field === undefined) {
      const names = this.schema.fields.map((f) => f.name).join(', ');
      return fail(`field "${name}" at column ${column} does not exist in collection "${this.schema.name}" (its fields: ${names})`);
    }
    switch (field.dataType) {
      case 'JSON': case 'Array': throw notSupported(`filtering on the JSON field "${name}" (column ${column})`);
      case 'FloatVector': case 'BinaryVector': return fail(`field "${name}" at column ${column} is a ${field.dataType} field, which a filter cannot read; filter on scalar fields`);
      default: return field.dataType;
    }
  }

  private describe(o: Operand): string {
    switch (o.kind) {
      case 'value': return describeValue(o.value);
      case 'field': return `field "${o.name}" (${o.dataType})`;
      case 'list': return 'a list';
      case 'predicate': return 'a boolean expression';
    }
  }

  /** A chain of one logical operator, collected without recursing down its spine (long `or` chains). */
  private logical(e: LogicalExpr): BoundExpr {
    const children: BoundExpr[] = [];
    const stack: { expr: Expr; column: number }[] = [{ expr: e, column: e.column }];
    while (stack.length > 0) {
      const { expr, column } = stack.pop() as { expr: Expr; column: number };
      if (expr.kind === 'logical' && expr.op === e.op) {
        stack.push({ expr: expr.right, column: expr.column }, { expr: expr.left, column: expr.column });
      } else {
        children.push(this.predicate(expr, `the operand of '${e.op}' at column ${column}`));
      }
    }
    return e.op === 'and' ? makeAnd(children) : makeOr(children);
  }

  private compare(e: CompareExpr): BoundExpr {
    const left = this.operand(e.left);
    const right = this.operand(e.right);
    if (left.kind === 'field' && right.kind === 'value') return this.fieldCompare(left, e.op, right);
    if (left.kind === 'value' && right.kind === 'field') return this.fieldCompare(right, MIRROR[e.op], left);
    if (left.kind === 'value' && right.kind === 'value') return this.constCompare(e, left.value, right.value);
    if (left.kind === 'field' && right.kind === 'field') {
      throw notSupported(`comparing two fields (${left.name} ${e.op} ${right.name} at column ${e.column})`);
    }
    return fail(`'${e.op}' at column ${e.column} compares ${this.describe(left)} with ${this.describe(right)}; ` +
      'a comparison needs a field on one side and a literal value on the other');
  }

  private typeMismatch(field: { name: string; dataType: FilterFieldType }, value: Operand, where: string): never {
    return fail(`cannot compare field "${field.name}" of type ${field.dataType} with ${this.describe(value)} ${where}`);
  }

  private fieldCompare(f: Extract<Operand, { kind: 'field' }>, op: CompareOp, v: Extract<Operand, { kind: 'value' }>): BoundExpr {
    const value = v.value;
    if (!isComparable(f.dataType, value)) this.typeMismatch(f, v, `at column ${v.column}`);
    const t = f.dataType;
    const field = f.name;
    if (t === 'Bool') {
      if (op !== '==' && op !== '!=') fail(`field "${field}" at column ${f.column} is a Bool field, which supports ==, != and in, not '${op}'`);
      return { kind: 'compare', field, dataType: t, op, value: value as boolean };
    }
    if (t === 'VarChar') return { kind: 'compare', field, dataType: t, op, value: value as string };
    const numeric = value as bigint | number;
    if (t === 'Float' || t === 'Double') return { kind: 'compare', field, dataType: t, op, value: toFloatingValue(t, numeric) };
    const r = normalizeIntComparison(t, op, numeric);
    if ('always' in r) return r.always ? TRUE : FALSE;
    const node: BoundCompare = t === 'Int64'
      ? { kind: 'compare', field, dataType: t, op: r.op, value: r.n }
      : { kind: 'compare', field, dataType: t, op: r.op, value: Number(r.n) };
    return node;
  }

  private constCompare(e: CompareExpr, a: LiteralValue, b: LiteralValue): BoundExpr {
    let order: number | undefined;
    if ((typeof a === 'bigint' || typeof a === 'number') && (typeof b === 'bigint' || typeof b === 'number')) {
      order = compareNumeric(a, b);
    } else if (typeof a === 'string' && typeof b === 'string') {
      order = compareCodePoints(a, b);
    } else if (typeof a === 'boolean' && typeof b === 'boolean' && (e.op === '==' || e.op === '!=')) {
      order = a === b ? 0 : 1;
    } else {
      return fail(`'${e.op}' at column ${e.column} cannot compare ${describeValue(a)} with ${describeValue(b)}`);
    }
    if (order === undefined) return e.op === '!=' ? TRUE : FALSE;
    const holds = { '==': order === 0, '!=': order !== 0, '<': order < 0, '<=': order <= 0, '>': order > 0, '>=': order >= 0 }[e.op];
    return holds ? TRUE : FALSE;
  }

  private in(e: InExpr): BoundExpr {
    const keyword = e.negated ? "'not in'" : "'in'";
    const f = this.operand(e.operand);
    if (f.kind !== 'field') return fail(`${keyword} at column ${e.column} needs a field on its left, but found ${this.describe(f)}`);
    const list = this.operand(e.list);
    if (list.kind !== 'list') return fail(`${keyword} at column ${e.column} needs a list [v1, v2, …] on its right, but found ${this.describe(list)}`);
    for (const item of list.items) {
      if (item.kind !== 'value' || !isComparable(f.dataType, item.value)) {
        this.typeMismatch(f, item, `in the list of ${keyword} at column ${e.column}`);
      }
    }
    const values = list.items.map((i) => (i as Extract<Operand, { kind: 'value' }>).value);
    const node = membership(f.name, f.dataType, values);
    return e.negated ? makeNot(node) : node;
  }
}

/** `field in values` with the values converted, deduplicated and sorted; `false` when none can match. */
function membership(field: string, t: FilterFieldType, values: LiteralValue[]): BoundExpr {
  let node: BoundIn;
  if (t === 'Bool') {
    node = { kind: 'in', field, dataType: t, values: [false, true].filter((b) => values.includes(b)) };
  } else if (t === 'VarChar') {
    node = { kind: 'in', field, dataType: t, values: distinct((values as string[]).slice().sort(compareCodePoints)) };
  } else if (t === 'Float' || t === 'Double') {
    const nums = (values as (bigint | number)[]).map((v) => toFloatingValue(t, v));
    node = { kind: 'in', field, dataType: t, values: distinct(nums.sort((x, y) => x - y)) };
  } else {
    const ints: bigint[] = [];
    for (const v of values as (bigint | number)[]) {
      const n = toIntMember(t, v);
      if (n !== undefined) ints.push(n);
    }
    const sorted = distinct(ints.sort((x, y) => (x < y ? -1 : x > y ? 1 : 0)));
    node = t === 'Int64'
      ? { kind: 'in', field, dataType: t, values: sorted }
      : { kind: 'in', field, dataType: t, values: sorted.map(Number) };
  }
  return node.values.length === 0 ? FALSE : node;
}

/** Drops adjacent duplicates of a sorted array (in place) and returns it. */
function distinct<T>(sorted: T[]): T[] {
  let n = 0;
  for (let i = 0; i < sorted.length; i++) {
    if (i === 0 || sorted[i] !== sorted[n - 1]) sorted[n++] = sorted[i];
  }
  sorted.length = n;
  return sorted;
}
