/**
 * Resolution of the operands of a filter's predicates (part of `bindFilter`): literals, template
 * placeholders (`{name}`, Milvus "Filter Templating"), field names — declared scalar fields, JSON
 * paths, Array fields and elements, the dynamic field `$meta` and undeclared names that mean
 * `$meta["name"]` (Milvus "Dynamic Field") — and arithmetic, which is folded when all its operands
 * are constants (Milvus `parser_visitor.go`: `VisitAddSub`, `VisitMulDivMod`, `VisitPower`).
 */
import { ErrorCode, ShoalError } from '@shoal/actors';
import { DYNAMIC_FIELD, type CollectionSchema, type FieldSchema } from '../schema/types.ts';
import type { ArithOp, Expr, FieldExpr } from './ast.ts';
import type { BoundExpr, BoundStep, FilterFieldType, PathRef, ValueExpr } from './bound.ts';
import { describeValue, type LiteralValue } from './coerce.ts';

/** An operand after resolution. */
export type Operand =
  | { kind: 'value'; value: LiteralValue; column: number }
  | { kind: 'list'; items: Operand[]; column: number }
  | { kind: 'field'; name: string; dataType: FilterFieldType; nullable: boolean; column: number }
  | { kind: 'ref'; ref: PathRef; label: string; nullable: boolean; column: number }
  | { kind: 'computed'; expr: ValueExpr; column: number }
  | { kind: 'predicate'; expr: BoundExpr; column: number };

/** Largest array index a path may use. */
const MAX_INDEX = 2 ** 31 - 1;

/**
 * A predicate that every value of `field` satisfies (`value` true) or none does: a `const`, or
 * when the field is `nullable` a `known` node, which stays unknown on null rows (`bound.ts`).
 */
export function decided(field: string, nullable: boolean, value: boolean): BoundExpr {
  return nullable ? { kind: 'known', field, value } : { kind: 'const', value };
}

/** Throws ShoalError(ParameterInvalid) with `message`. */
export function fail(message: string): never {
  throw new ShoalError(ErrorCode.ParameterInvalid, message);
}

/** How an operand reads in error messages. */
export function describeOperand(o: Operand): string {
  switch (o.kind) {
    case 'value': return describeValue(o.value);
    case 'field': return `field "${o.name}" (${o.dataType})`;
    case 'ref': return o.ref.fieldType === 'Array' && o.ref.path.length === 0
      ? `field "${o.label}" (Array of ${o.ref.elementType})` : o.ref.fieldType === 'Array'
        ? `the element ${o.label} (${o.ref.elementType})` : `the JSON value ${o.label}`;
    case 'computed': return 'a computed number';
    case 'list': return 'a list';
    case 'predicate': return 'a boolean expression';
  }
}

/** True if the field type holds numbers. */
export function isNumericType(t: FilterFieldType | undefined): boolean {
  return t !== undefined && t !== 'Bool' && t !== 'VarChar';
}

/** Resolves operands against one schema and one request's template parameters. */
export class OperandResolver {
  readonly schema: CollectionSchema;
  private readonly params: Readonly<Record<string, unknown>> | undefined;
  /** Binds a predicate operand (`not`, comparisons used as values); set by the binder. */
  private readonly predicate: (e: Expr) => BoundExpr;

  constructor(schema: CollectionSchema, params: Readonly<Record<string, unknown>> | undefined, predicate: (e: Expr) => BoundExpr) {
    this.schema = schema;
    this.params = params;
    this.predicate = predicate;
  }

  /** Resolves `e` (see {@link Operand}); `call` nodes go to `onCall`. */
  resolve(e: Expr, onCall: (e: Extract<Expr, { kind: 'call' }>) => Operand): Operand {
    switch (e.kind) {
      case 'literal': return { kind: 'value', value: e.value, column: e.column };
      case 'template': return this.resolve(this.substitute(e.name, e.column), onCall);
      case 'field': return this.field(e);
      case 'array': return { kind: 'list', items: e.items.map((i) => this.resolve(i, onCall)), column: e.column };
      case 'call': return onCall(e);
      case 'arith': return this.arith(e.op, this.resolve(e.left, onCall), this.resolve(e.right, onCall), e.column);
      case 'unary': {
        if (e.op === 'not') return { kind: 'predicate', expr: this.predicate(e), column: e.column };
        const inner = this.resolve(e.operand, onCall);
        if (inner.kind === 'value' && (typeof inner.value === 'bigint' || typeof inner.value === 'number')) {
          return e.op === '-' ? { kind: 'value', value: -inner.value, column: e.column } : inner;
        }
        const operand = this.numeric(inner, e.op, e.column);
        if (e.op === '+') return inner;
        return { kind: 'computed', expr: { kind: 'arith', op: '-', left: { kind: 'num', value: 0n }, right: operand }, column: e.column };
      }
      default: return { kind: 'predicate', expr: this.predicate(e), column: e.column };
    }
  }

  /**
   * The literal expression for template parameter `name`: numbers (integral ones as integers),
   * bigints, strings, booleans and (nested) arrays of them.
   * @throws ShoalError(ParameterInvalid) if the parameter is missing or of another type.
   */
  substitute(name: string, column: number): Expr {
    if (this.params === undefined || !Object.hasOwn(this.params, name)) {
      const given = this.params === undefined ? 'none were given' : `given: ${Object.keys(this.params).join(', ') || 'none'}`;
      return fail(`template parameter {${name}} at column ${column} has no value in the request's parameters (${given})`);
    }
    const toExpr = (v: unknown): Expr => {
      if (typeof v === 'number') {
        if (Number.isNaN(v)) fail(`template parameter {${name}} at column ${column} is NaN, which is not a value`);
        return { kind: 'literal', value: Number.isInteger(v) ? BigInt(v) : v, column };
      }
      if (typeof v === 'bigint' || typeof v === 'string' || typeof v === 'boolean') return { kind: 'literal', value: v, column };
      if (Array.isArray(v)) return { kind: 'array', items: v.map(toExpr), column };
      return fail(`template parameter {${name}} at column ${column} is ${v === null ? 'null' : `a ${typeof v}`}; ` +
        'parameters must be numbers, strings, booleans or arrays of them');
    };
    return toExpr(this.params[name]);
  }

  private field(e: FieldExpr): Operand {
    const schema = this.schema;
    const label = e.name + e.path.map((s) => `[${typeof s === 'string' ? JSON.stringify(s) : s}]`).join('');
    const steps = e.path.map((s) => this.step(s, label, e.column));
    const f: FieldSchema | undefined = schema.fields.find((x) => x.name === e.name);
    if (f === undefined) {
      if (!schema.enableDynamicField) {
        const names = schema.fields.map((x) => x.name).join(', ');
        return fail(`field "${e.name}" at column ${e.column} does not exist in collection "${schema.name}" (its fields: ${names})`);
      }
      const path = e.name === DYNAMIC_FIELD ? steps : [e.name, ...steps];
      return { kind: 'ref', ref: { field: DYNAMIC_FIELD, path, fieldType: 'JSON' }, label, nullable: false, column: e.column };
    }
    switch (f.dataType) {
      case 'JSON':
        return { kind: 'ref', ref: { field: f.name, path: steps, fieldType: 'JSON' }, label, nullable: f.nullable === true, column: e.column };
      case 'Array': {
        const elementType = f.elementType;
        if (elementType === undefined) return fail(`Array field "${f.name}" has no element type in the schema`);
        if (steps.length > 1 || (steps.length === 1 && typeof steps[0] !== 'number')) {
          return fail(`${label} at column ${e.column}: the Array field "${f.name}" takes one integer index, as in ${f.name}[0]`);
        }
        return { kind: 'ref', ref: { field: f.name, path: steps, fieldType: 'Array', elementType }, label, nullable: f.nullable === true, column: e.column };
      }
      case 'FloatVector': case 'BinaryVector':
        return fail(`field "${f.name}" at column ${e.column} is a ${f.dataType} field, which a filter cannot read; filter on scalar fields`);
      default:
        if (steps.length > 0) {
          return fail(`${label} at column ${e.column}: field "${f.name}" is ${f.dataType}, which has no keys or elements; ` +
            'paths apply to JSON and Array fields');
        }
        return { kind: 'field', name: f.name, dataType: f.dataType, nullable: f.nullable === true, column: e.column };
    }
  }

  private step(s: string | bigint, label: string, column: number): BoundStep {
    if (typeof s === 'string') return s;
    if (s < 0n || s > BigInt(MAX_INDEX)) return fail(`${label} at column ${column}: index ${s} is out of range 0..${MAX_INDEX}`);
    return Number(s);
  }

  /** `left op right`, folded when both are numeric constants, else a computed value. */
  arith(op: ArithOp, left: Operand, right: Operand, column: number): Operand {
    if (left.kind === 'value' && right.kind === 'value') return { kind: 'value', value: foldArith(op, left.value, right.value, column), column };
    if (right.kind === 'value' && (op === '/' || op === '%') && (right.value === 0n || right.value === 0)) {
      return fail(`'${op}' at column ${column} divides by zero`);
    }
    return { kind: 'computed', expr: { kind: 'arith', op, left: this.numeric(left, op, column), right: this.numeric(right, op, column) }, column };
  }

  /** `o` as a numeric {@link ValueExpr}, or a clear error naming what it is instead. */
  numeric(o: Operand, op: string, column: number): ValueExpr {
    switch (o.kind) {
      case 'value':
        if (typeof o.value === 'bigint' || typeof o.value === 'number') return { kind: 'num', value: o.value };
        break;
      case 'field':
        if (isNumericType(o.dataType)) return { kind: 'field', field: o.name, dataType: o.dataType };
        break;
      case 'ref':
        if (o.ref.fieldType === 'JSON' || (o.ref.path.length === 1 && isNumericType(o.ref.elementType))) return { kind: 'path', ref: o.ref };
        break;
      case 'computed': return o.expr;
      default: break;
    }
    return fail(`'${op}' at column ${column} needs a number, but found ${describeOperand(o)}`);
  }
}

/**
 * Folds `a op b` over literals: integer ∘ integer exactly (`/` truncating, `%` with the dividend's
 * sign), anything with a floating operand in doubles, `**` always in doubles (Milvus `math.Pow`).
 * @throws ShoalError(ParameterInvalid) for non-numbers and for `/` or `%` by zero.
 */
export function foldArith(op: ArithOp, a: LiteralValue, b: LiteralValue, column: number): bigint | number {
  if ((typeof a !== 'bigint' && typeof a !== 'number') || (typeof b !== 'bigint' && typeof b !== 'number')) {
    return fail(`'${op}' at column ${column} needs a number, but found ${describeValue(typeof a === 'bigint' || typeof a === 'number' ? b : a)}`);
  }
  if ((op === '/' || op === '%') && (b === 0n || b === 0)) return fail(`'${op}' at column ${column} divides by zero`);
  const r = arithValues(op, a, b);
  return r as bigint | number;
}

/**
 * One arithmetic step on two numbers (see {@link ValueExpr}): exact on two bigints, doubles
 * otherwise; `undefined` for an integer division or remainder by zero.
 */
export function arithValues(op: ArithOp, a: bigint | number, b: bigint | number): bigint | number | undefined {
  if (typeof a === 'bigint' && typeof b === 'bigint' && op !== '**') {
    switch (op) {
      case '+': return a + b;
      case '-': return a - b;
      case '*': return a * b;
      case '/': return b === 0n ? undefined : a / b;
      case '%': return b === 0n ? undefined : a % b;
    }
  }
  const x = Number(a);
  const y = Number(b);
  switch (op) {
    case '+': return x + y;
    case '-': return x - y;
    case '*': return x * y;
    case '/': return x / y;
    case '%': return x % y;
    case '**': return x ** y;
  }
}
