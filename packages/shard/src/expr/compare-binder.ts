/**
 * Binding of comparisons and `in` (part of `bindFilter`): `field op literal` on plain scalar
 * fields (literals converted to the field's type, `coerce.ts`), `path op literal` on JSON paths,
 * dynamic keys and Array elements (typed at run time, `json-value.ts`), literal-only comparisons
 * (folded), and comparisons of computed values — two fields (Milvus `CompareExpr`), arithmetic
 * (`BinaryArithOpEvalRangeExpr`, generalised), `array_length`.
 */
import type { CompareOp } from './ast.ts';
import type { BoundCompare, BoundExpr, BoundIn, JsonScalar, PathRef, ValueExpr } from './bound.ts';
import {
  describeValue, isComparable, normalizeIntComparison, toFloatingValue, toIntMember, type LiteralValue,
} from './coerce.ts';
import { decided, describeOperand, fail, isNumericType, type Operand } from './operands.ts';
import { compareCodePoints, compareNumeric } from './order.ts';

/** `a op b` ⇔ `b MIRROR[op] a`. */
const MIRROR: Readonly<Record<CompareOp, CompareOp>> = { '==': '==', '!=': '!=', '<': '>', '<=': '>=', '>': '<', '>=': '<=' };

const TRUE: BoundExpr = { kind: 'const', value: true };
const FALSE: BoundExpr = { kind: 'const', value: false };

type FieldOperand = Extract<Operand, { kind: 'field' }>;
type RefOperand = Extract<Operand, { kind: 'ref' }>;
type ValueOperand = Extract<Operand, { kind: 'value' }>;

/**
 * Binds `left op right` (the operator at `column`).
 * @throws ShoalError(ParameterInvalid) for operands of mismatched types (naming the field, its
 *   type and the operand), a whole Array field, lists, boolean expressions, or ordering on Bool.
 */
export function compareOperands(left: Operand, op: CompareOp, right: Operand, column: number): BoundExpr {
  if (left.kind === 'field' && right.kind === 'value') return fieldCompare(left, op, right);
  if (left.kind === 'value' && right.kind === 'field') return fieldCompare(right, MIRROR[op], left);
  if (left.kind === 'ref' && right.kind === 'value') return pathCompare(left, op, right);
  if (left.kind === 'value' && right.kind === 'ref') return pathCompare(right, MIRROR[op], left);
  if (left.kind === 'value' && right.kind === 'value') return constCompare(op, left.value, right.value, column);
  const computable = (o: Operand) => o.kind === 'field' || o.kind === 'ref' || o.kind === 'computed' || o.kind === 'value';
  if (computable(left) && computable(right)) return valuesCompare(left, op, right, column);
  return fail(`'${op}' at column ${column} compares ${describeOperand(left)} with ${describeOperand(right)}; ` +
    'a comparison needs a field, path or arithmetic on one side and a literal value or another field on the other');
}

/**
 * The values of a comparison of two computed sides: both numeric (fields, JSON paths, elements,
 * arithmetic, constants), both VarChar fields, or both Bool fields (`==`/`!=` only).
 */
function valuesCompare(left: Operand, op: CompareOp, right: Operand, column: number): BoundExpr {
  const mismatch = () => fail(`'${op}' at column ${column} cannot compare ${describeOperand(left)} with ${describeOperand(right)}`);
  if (left.kind === 'field' && right.kind === 'field' && (left.dataType === 'VarChar' || left.dataType === 'Bool')) {
    if (right.dataType !== left.dataType) return mismatch();
    if (left.dataType === 'Bool' && op !== '==' && op !== '!=') {
      return fail(`'${op}' at column ${column}: Bool fields support == and !=, not '${op}'`);
    }
    return { kind: 'compareValues', left: fieldValue(left), op, right: fieldValue(right) };
  }
  for (const side of [left, right]) {
    if (side.kind === 'ref' && side.ref.fieldType === 'Array' && side.ref.path.length === 0) return wholeArray(side);
    if (side.kind === 'field' && !isNumericType(side.dataType)) return mismatch();
    if (side.kind === 'ref' && side.ref.fieldType === 'Array' && !isNumericType(side.ref.elementType)) return mismatch();
    if (side.kind === 'value' && typeof side.value !== 'bigint' && typeof side.value !== 'number') return mismatch();
  }
  return { kind: 'compareValues', left: toValue(left), op, right: toValue(right) };
}

function fieldValue(f: FieldOperand): ValueExpr {
  return { kind: 'field', field: f.name, dataType: f.dataType };
}

/** A checked numeric operand as a value expression. */
function toValue(o: Operand): ValueExpr {
  switch (o.kind) {
    case 'value': return { kind: 'num', value: o.value as bigint | number };
    case 'field': return fieldValue(o);
    case 'ref': return { kind: 'path', ref: o.ref };
    case 'computed': return o.expr;
    default: return fail(`${describeOperand(o)} at column ${o.column} is not a number`);
  }
}

function wholeArray(o: RefOperand): never {
  return fail(`${describeOperand(o)} at column ${o.column} cannot be compared as a whole; use ` +
    `array_contains(${o.label}, v), array_length(${o.label}) or an element such as ${o.label}[0]`);
}

function typeMismatch(target: Operand, value: Operand, where: string): never {
  const what = target.kind === 'field' ? `field "${target.name}" of type ${target.dataType}` : describeOperand(target);
  return fail(`cannot compare ${what} with ${describeOperand(value)} ${where}`);
}

function fieldCompare(f: FieldOperand, op: CompareOp, v: ValueOperand): BoundExpr {
  const value = v.value;
  if (!isComparable(f.dataType, value)) typeMismatch(f, v, `at column ${v.column}`);
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
  if ('always' in r) return decided(field, f.nullable, r.always);
  const node: BoundCompare = t === 'Int64'
    ? { kind: 'compare', field, dataType: t, op: r.op, value: r.n }
    : { kind: 'compare', field, dataType: t, op: r.op, value: Number(r.n) };
  return node;
}

/**
 * A literal checked against a path's element type (Array fields) and converted to it as for a
 * plain field of that type: to the nearest float32 for Float, the nearest double for Double.
 */
function pathLiteral(target: RefOperand, v: Operand, where: string): JsonScalar {
  if (v.kind !== 'value') return typeMismatch(target, v, where);
  const t = target.ref.elementType;
  if (target.ref.fieldType === 'Array' && t !== undefined) {
    if (!isComparable(t, v.value)) typeMismatch(target, v, where);
    if (t === 'Float' || t === 'Double') return toFloatingValue(t, v.value as bigint | number);
  }
  return v.value;
}

function pathCompare(target: RefOperand, op: CompareOp, v: ValueOperand): BoundExpr {
  const ref: PathRef = target.ref;
  if (ref.fieldType === 'Array' && ref.path.length === 0) return wholeArray(target);
  const value = pathLiteral(target, v, `at column ${v.column}`);
  if (typeof value === 'boolean' && op !== '==' && op !== '!=') {
    return fail(`'${op}' at column ${v.column} cannot order ${describeValue(value)}; booleans support == and !=`);
  }
  if (op === '!=' && ref.fieldType === 'JSON') return { kind: 'not', child: { kind: 'pathCompare', ref, op: '==', value } };
  return { kind: 'pathCompare', ref, op, value };
}

function constCompare(op: CompareOp, a: LiteralValue, b: LiteralValue, column: number): BoundExpr {
  let order: number | undefined;
  if ((typeof a === 'bigint' || typeof a === 'number') && (typeof b === 'bigint' || typeof b === 'number')) {
    order = compareNumeric(a, b);
  } else if (typeof a === 'string' && typeof b === 'string') {
    order = compareCodePoints(a, b);
  } else if (typeof a === 'boolean' && typeof b === 'boolean' && (op === '==' || op === '!=')) {
    order = a === b ? 0 : 1;
  } else {
    return fail(`'${op}' at column ${column} cannot compare ${describeValue(a)} with ${describeValue(b)}`);
  }
  if (order === undefined) return op === '!=' ? TRUE : FALSE;
  const holds = { '==': order === 0, '!=': order !== 0, '<': order < 0, '<=': order <= 0, '>': order > 0, '>=': order >= 0 }[op];
  return holds ? TRUE : FALSE;
}

/**
 * `target in items`: on a plain field the values converted, deduplicated and sorted; on a path
 * the distinct scalar values. When none can match, `false` (unknown on a null row: `decided`).
 * @throws ShoalError(ParameterInvalid) for an item that is not a literal of a fitting type.
 */
export function membership(target: FieldOperand | RefOperand, items: Operand[], where: string): BoundExpr {
  if (target.kind === 'ref') {
    if (target.ref.fieldType === 'Array' && target.ref.path.length === 0) return wholeArray(target);
    const values = [...new Set(items.map((i) => pathLiteral(target, i, where)))];
    return values.length === 0 ? decided(target.ref.field, target.nullable, false) : { kind: 'pathIn', ref: target.ref, values };
  }
  for (const item of items) {
    if (item.kind !== 'value' || !isComparable(target.dataType, item.value)) typeMismatch(target, item, where);
  }
  return fieldMembership(target, items.map((i) => (i as ValueOperand).value));
}

function fieldMembership(target: FieldOperand, values: LiteralValue[]): BoundExpr {
  const field = target.name;
  const t = target.dataType;
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
  return node.values.length === 0 ? decided(field, target.nullable, false) : node;
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
