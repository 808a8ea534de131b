/**
 * Binding of Milvus's filter functions (docs "JSON Operators", "ARRAY Operators"):
 * `json_contains(path, v)`, `json_contains_all(path, [..])`, `json_contains_any(path, [..])`, their
 * synonyms `array_contains`, `array_contains_all`, `array_contains_any`, on a JSON path, a dynamic
 * key or an Array field; and `array_length(f)`, a number to compare (`array_length(tags) == 3`).
 */
import type { CallExpr } from './ast.ts';
import type { BoundExpr, JsonLiteral, PathRef } from './bound.ts';
import { isComparable, toFloatingValue } from './coerce.ts';
import { decided, describeOperand, fail, type Operand } from './operands.ts';

/** Known functions: which `contains` mode they bind to, or `length`. */
const FUNCTIONS: Readonly<Record<string, 'one' | 'all' | 'any' | 'length'>> = {
  json_contains: 'one', array_contains: 'one',
  json_contains_all: 'all', array_contains_all: 'all',
  json_contains_any: 'any', array_contains_any: 'any',
  array_length: 'length',
};

/**
 * Binds a call. `contains` functions give a predicate operand, `array_length` a computed number.
 * @throws ShoalError(ParameterInvalid) for an unknown function, a wrong number of arguments, a
 *   first argument that is not a JSON path / dynamic key / Array field, or values that are not
 *   literals of the Array field's element type (naming the field, its type and the value).
 */
export function bindCall(e: CallExpr, operand: (i: number) => Operand): Operand {
  const what = FUNCTIONS[e.name];
  const where = `${e.name}(…) at column ${e.column}`;
  if (what === undefined) {
    return fail(`unknown function "${e.name}" at column ${e.column}; filters support ${Object.keys(FUNCTIONS).join(', ')}`);
  }
  const want = what === 'length' ? 1 : 2;
  if (e.args.length !== want) {
    return fail(`${where} takes ${want} argument${want === 1 ? '' : 's'}, but was given ${e.args.length}`);
  }
  const target = operand(0);
  if (target.kind !== 'ref' || (target.ref.fieldType === 'Array' && target.ref.path.length > 0)) {
    return fail(`${where} needs a JSON path, a dynamic key or an Array field as its first argument, but found ${describeOperand(target)}`);
  }
  if (what === 'length') return { kind: 'computed', expr: { kind: 'length', ref: target.ref }, column: e.column };
  const arg = operand(1);
  let values: JsonLiteral[];
  if (what === 'one') {
    values = [literalOf(arg, where)];
  } else {
    if (arg.kind !== 'list') return fail(`${where} needs a list [v1, v2, …] as its second argument, but found ${describeOperand(arg)}`);
    values = arg.items.map((i) => literalOf(i, where));
  }
  values = values.map((v) => checkElement(target.ref, target.label, v, where));
  const expr: BoundExpr = values.length === 0
    ? what === 'any' ? decided(target.ref.field, target.nullable, false) : { kind: 'contains', ref: target.ref, mode: 'all', values: [] }
    : { kind: 'contains', ref: target.ref, mode: what, values };
  return { kind: 'predicate', expr, column: e.column };
}

/** A literal operand (or list of them) as a JSON literal. */
function literalOf(o: Operand, where: string): JsonLiteral {
  if (o.kind === 'value') return o.value;
  if (o.kind === 'list') return o.items.map((i) => literalOf(i, where));
  return fail(`${where} compares with literal values, but found ${describeOperand(o)} at column ${o.column}`);
}

/**
 * Checks a value sought in an Array field against its element type and converts it as for a
 * plain field of that type (Float: nearest float32, Double: nearest double).
 */
function checkElement(ref: PathRef, label: string, v: JsonLiteral, where: string): JsonLiteral {
  const t = ref.elementType;
  if (ref.fieldType !== 'Array' || t === undefined) return v;
  if (Array.isArray(v) || !isComparable(t, v)) {
    const shown = Array.isArray(v) ? 'a list' : typeof v === 'string' ? `the string ${JSON.stringify(v)}` : `the ${typeof v === 'boolean' ? 'boolean' : 'number'} ${v}`;
    return fail(`${where}: field "${label}" is an Array of ${t}, which cannot hold ${shown}`);
  }
  return (t === 'Float' || t === 'Double') && (typeof v === 'number' || typeof v === 'bigint') ? toFloatingValue(t, v) : v;
}
