/**
 * Binds an untyped filter tree (`ast.ts`) to a collection schema, giving a {@link BoundExpr}:
 * resolves names, paths and template parameters (`operands.ts`), checks operand types, converts
 * literals to their field's type (`coerce.ts`) and folds constants. The rules follow Milvus's plan
 * parser (`internal/parser/planparserv2/parser_visitor.go`): the filter and the operands of `and`,
 * `or`, `not` must be boolean expressions (a bare field, even a Bool one, is not); comparisons
 * take fields, JSON paths, Array elements and arithmetic on them against literals or each other;
 * `in` takes a field or path and a list of literals; ranges, `like`, `exists`, `is [not] null`
 * and the functions of `functions.ts` as in the Milvus docs.
 */
import type { CollectionSchema } from '../schema/types.ts';
import type { CompareExpr, CompareOp, Expr, InExpr, LikeExpr, LogicalExpr, RangeExpr } from './ast.ts';
import type { BoundExpr, BoundRange } from './bound.ts';
import { bindCall } from './functions.ts';
import { compareOperands, membership } from './compare-binder.ts';
import { describeOperand, fail, OperandResolver, type Operand } from './operands.ts';

const TRUE: BoundExpr = { kind: 'const', value: true };
const FALSE: BoundExpr = { kind: 'const', value: false };

/**
 * Resolves and type-checks a parsed filter against `schema`, replacing template placeholders
 * `{name}` by `params[name]` (numbers, bigints, strings, booleans, arrays of them).
 * @returns the bound expression (see `bound.ts` for its invariants).
 * @throws ShoalError(ParameterInvalid) with the column of the offending node for: a field not in
 *   the schema when the dynamic field is off (names the field and `schema.name`), a vector field,
 *   a literal whose type does not fit its field (names the field, its type and the literal's
 *   type), an ordering operator on a Bool field, a non-boolean filter or operand of `and`/`or`/
 *   `not`, a comparison or `in` of the wrong shape, a division by a zero constant, an unknown
 *   function or wrong arguments, a missing template parameter (named), a bad path.
 */
export function bindFilter(expr: Expr, schema: CollectionSchema, params?: Readonly<Record<string, unknown>>): BoundExpr {
  return new Binder(schema, params).predicate(expr, 'the filter');
}

/** `and` of `children`, flattened and folded (`true` dropped, any `false` wins). */
export function makeAnd(children: BoundExpr[]): BoundExpr {
  return makeJunction('and', children);
}

/** `or` of `children`, flattened and folded (`false` dropped, any `true` wins). */
export function makeOr(children: BoundExpr[]): BoundExpr {
  return makeJunction('or', children);
}

/** `not child`, folded (`not const`, `not known`, `not not e`: exact also in three-valued logic). */
export function makeNot(child: BoundExpr): BoundExpr {
  if (child.kind === 'const') return child.value ? FALSE : TRUE;
  if (child.kind === 'known') return { kind: 'known', field: child.field, value: !child.value };
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
  const kept = dropRedundantKnown(flat, !absorbing);
  if (kept.length === 0) return absorbing ? FALSE : TRUE;
  return kept.length === 1 ? kept[0] : { kind, children: kept };
}

/**
 * Drops from the operands of a junction each `known` node holding the junction's identity
 * (`true` under `and`, `false` under `or`) whose field another operand already makes unknown on
 * null rows (a comparison, `in`, range or `like` on that plain field, or a `known` of the other
 * value), and repeats of one: exact in three-valued logic, since that field's null rows stay
 * unknown through the other operand (`1000 < int32_field < 2e12` is one comparison).
 */
function dropRedundantKnown(children: BoundExpr[], identity: boolean): BoundExpr[] {
  if (!children.some((c) => c.kind === 'known')) return children;
  const covered = new Set<string>();
  for (const c of children) {
    const plain = c.kind === 'compare' || c.kind === 'in' || c.kind === 'range' || (c.kind === 'like' && c.field !== undefined);
    if (plain || (c.kind === 'known' && c.value !== identity)) covered.add(c.field as string);
  }
  return children.filter((c) => {
    if (c.kind !== 'known' || c.value !== identity) return true;
    if (covered.has(c.field)) return false;
    covered.add(c.field);
    return true;
  });
}

class Binder {
  private readonly resolver: OperandResolver;

  constructor(schema: CollectionSchema, params: Readonly<Record<string, unknown>> | undefined) {
    this.resolver = new OperandResolver(schema, params, (e) => this.predicate(e, ''));
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
      case 'range': return this.range(e);
      case 'like': return this.like(e);
      case 'template': return this.predicate(this.resolver.substitute(e.name, e.column), context, underNot);
      case 'exists': {
        const o = this.operand(e.operand);
        if (o.kind !== 'ref' || o.ref.fieldType !== 'JSON') {
          return fail(`'exists' at column ${e.column} needs a JSON path or dynamic key, but found ${describeOperand(o)}`);
        }
        return { kind: 'exists', ref: o.ref };
      }
      case 'isNull': {
        const o = this.operand(e.operand);
        let node: BoundExpr;
        if (o.kind === 'field') node = o.nullable ? { kind: 'isNull', field: o.name } : FALSE;
        else if (o.kind === 'ref') node = o.ref.fieldType === 'Array' && o.ref.path.length === 0 ? { kind: 'isNull', field: o.ref.field } : { kind: 'isNull', ref: o.ref };
        else return fail(`'is ${e.negated ? 'not ' : ''}null' at column ${e.column} needs a field or path, but found ${describeOperand(o)}`);
        return e.negated ? makeNot(node) : node;
      }
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
    if (found.kind === 'predicate') return found.expr;
    if (found.kind === 'value' && typeof found.value === 'boolean') return found.value ? TRUE : FALSE;
    let hint = '';
    if (found.kind === 'field') {
      hint = found.dataType === 'Bool' ? `; to test a Bool field, write ${found.name} == true` : '';
      if (underNot) hint += "; 'not' binds tighter than comparisons, so write not (a > 1) rather than not a > 1";
    }
    return fail(`${context} must be a boolean expression (a comparison, in, like, exists, is null, a function, and, or, not, true, false), ` +
      `but found ${describeOperand(found)} at column ${found.column}${hint}`);
  }

  /** Binds `e` as an operand. */
  private operand(e: Expr): Operand {
    return this.resolver.resolve(e, (call) => bindCall(call, (i) => this.operand(call.args[i])));
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
    return compareOperands(this.operand(e.left), e.op, this.operand(e.right), e.column);
  }

  /**
   * `lower op1 x op2 upper` as `lower op1 x and x op2 upper`; on a plain numeric or VarChar field
   * the two are merged into one range node (which a scalar index answers in one lookup).
   */
  private range(e: RangeExpr): BoundExpr {
    const x = this.operand(e.operand);
    const low = compareOperands(this.operand(e.lower), e.lowerOp, x, e.column);
    const high = compareOperands(x, e.upperOp, this.operand(e.upper), e.column);
    const merged = mergeRange(low, high);
    return merged ?? makeAnd([low, high]);
  }

  private in(e: InExpr): BoundExpr {
    const keyword = e.negated ? "'not in'" : "'in'";
    const f = this.operand(e.operand);
    if (f.kind !== 'field' && f.kind !== 'ref') {
      return fail(`${keyword} at column ${e.column} needs a field or path on its left, but found ${describeOperand(f)}`);
    }
    const list = this.operand(e.list);
    if (list.kind !== 'list') return fail(`${keyword} at column ${e.column} needs a list [v1, v2, …] on its right, but found ${describeOperand(list)}`);
    const node = membership(f, list.items, `in the list of ${keyword} at column ${e.column}`);
    return e.negated ? makeNot(node) : node;
  }

  private like(e: LikeExpr): BoundExpr {
    const o = this.operand(e.operand);
    const p = this.operand(e.pattern);
    if (p.kind !== 'value' || typeof p.value !== 'string') {
      return fail(`'like' at column ${e.column} needs a string pattern on its right, but found ${describeOperand(p)}`);
    }
    if (o.kind === 'field' && o.dataType === 'VarChar') return { kind: 'like', field: o.name, pattern: p.value };
    if (o.kind === 'ref' && (o.ref.fieldType === 'JSON' || (o.ref.path.length === 1 && o.ref.elementType === 'VarChar'))) {
      return { kind: 'like', ref: o.ref, pattern: p.value };
    }
    return fail(`'like' at column ${e.column} needs a VarChar field or a JSON path, but found ${describeOperand(o)}`);
  }
}

/** `field ≥ a and field ≤ b` on one plain field as one {@link BoundRange}; `undefined` if not that shape. */
function mergeRange(low: BoundExpr, high: BoundExpr): BoundExpr | undefined {
  if (low.kind !== 'compare' || high.kind !== 'compare' || low.field !== high.field || low.dataType !== high.dataType) return undefined;
  const lowOps: readonly CompareOp[] = ['>', '>='];
  const highOps: readonly CompareOp[] = ['<', '<='];
  if (!lowOps.includes(low.op) || !highOps.includes(high.op) || low.dataType === 'Bool') return undefined;
  return {
    kind: 'range', field: low.field, dataType: low.dataType, lower: low.value, lowerInclusive: low.op === '>=',
    upper: high.value, upperInclusive: high.op === '<=',
  } as BoundRange;
}
