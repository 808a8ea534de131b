/**
 * Filter expressions (DESIGN.md, "Data plane"): Milvus's boolean expression language, parsed
 * (`parseFilter`) into an untyped tree, bound to a schema (`bindFilter`) into a typed
 * `BoundExpr`, and evaluated column-wise into a bitset per segment (`evaluateFilter`) or
 * row-wise (`evaluateRow`), with Milvus 2.5's three-valued logic for nulls.
 *
 * Supported: integer (decimal, hex, octal, binary), floating, boolean, string and list literals;
 * template placeholders `{name}` (Milvus "Filter Templating"); `== != < <= > >=` between a field,
 * JSON path, Array element or arithmetic (`+ - * / % **`, exact on integers, constants folded)
 * and a literal or another field; chained ranges `a < x <= b`; `in`/`not in`; `like` (`%`, `_`,
 * `\%`, `\_`); `and`/`&&`, `or`/`||`, `not`/`!`, parentheses; `is null`/`is not null`;
 * JSON paths `meta["a"][0]`, the dynamic field (`$meta["k"]` or an undeclared name `k`),
 * `exists`, `json_contains[_all|_any]`, `array_contains[_all|_any]`, `array_length`; fields of
 * type Bool, Int8/16/32/64, Float, Double, VarChar, JSON, Array, nullable or not. Bitwise
 * operators and `=~`/`!~` are rejected with OperationNotSupported by the parser.
 */
import { ShoalError } from '@shoal/actors';
import type { CollectionSchema } from '../schema/types.ts';
import { bindFilter } from './binder.ts';
import type { BoundExpr, ValueExpr } from './bound.ts';
import { parseFilter } from './parser.ts';
import { quoteFilter } from './syntax-error.ts';

export type {
  ArithExpr, ArithOp, ArrayExpr, CallExpr, CompareExpr, CompareOp, ExistsExpr, Expr, FieldExpr, InExpr, IsNullExpr, LikeExpr,
  LiteralExpr, LogicalExpr, LogicalOp, PathStep, RangeExpr, TemplateExpr, UnaryExpr, UnaryOp,
} from './ast.ts';
export type {
  BoundAnd, BoundCompare, BoundCompareValues, BoundConst, BoundContains, BoundExists, BoundExpr, BoundIn, BoundIsNull, BoundLike,
  BoundNot, BoundOr, BoundPathCompare, BoundPathIn, BoundRange, BoundStep, FilterFieldType, JsonLiteral, JsonScalar,
  NumberFieldType, PathRef, SmallIntType, ValueExpr,
} from './bound.ts';
export { parseFilter, MAX_FILTER_DEPTH } from './parser.ts';
export { bindFilter } from './binder.ts';
export { evaluateFilter } from './evaluate.ts';
export type { ColumnSource } from './evaluate.ts';
export { evaluateRow } from './row.ts';

/**
 * Parses and binds `text` against `schema` in one step, template placeholders `{name}` taking their
 * values from `params` (Milvus `exprParams`). Empty or whitespace-only text means "all
 * rows" (a constant-true expression), as an empty Milvus filter does.
 * @throws ShoalError(ParameterInvalid) for a syntax error (see `parseFilter`) or a binding error
 *   (see `bindFilter`; its message is prefixed with `invalid filter "<text>": `).
 * @throws ShoalError(OperationNotSupported) for Milvus filter features Shoal does not have yet.
 */
export function compileFilter(text: string, schema: CollectionSchema, params?: Readonly<Record<string, unknown>>): BoundExpr {
  if (text.trim() === '') return { kind: 'const', value: true };
  const expr = parseFilter(text);
  try {
    return bindFilter(expr, schema, params);
  } catch (e) {
    if (e instanceof ShoalError) throw new ShoalError(e.code, `invalid filter ${quoteFilter(text)}: ${e.message}`);
    throw e;
  }
}

/**
 * The names of the columns `expr` reads, each once, in order of first appearance (the columns to
 * load before `evaluateFilter`): plain fields by name, JSON paths by their JSON field, dynamic
 * keys by `$meta`, Array elements by their Array field. Empty for a constant expression.
 */
export function fieldsOf(expr: BoundExpr): string[] {
  const seen = new Set<string>();
  const stack: BoundExpr[] = [expr];
  const values = (v: ValueExpr): void => {
    switch (v.kind) {
      case 'field': seen.add(v.field); break;
      case 'path': case 'length': seen.add(v.ref.field); break;
      case 'arith': values(v.left); values(v.right); break;
      case 'num': break;
    }
  };
  while (stack.length > 0) {
    const e = stack.pop() as BoundExpr;
    switch (e.kind) {
      case 'compare': case 'in': case 'range': case 'known': seen.add(e.field); break;
      case 'like': case 'isNull': seen.add(e.field ?? e.ref.field); break;
      case 'pathCompare': case 'pathIn': case 'exists': case 'contains': seen.add(e.ref.field); break;
      case 'compareValues': values(e.left); values(e.right); break;
      case 'not': stack.push(e.child); break;
      case 'and': case 'or': for (let k = e.children.length - 1; k >= 0; k--) stack.push(e.children[k]); break;
      case 'const': break;
    }
  }
  return [...seen];
}
