/**
 * Filter expressions (DESIGN.md, "Data plane"): Milvus's boolean expression language, parsed
 * (`parseFilter`) into an untyped tree, bound to a schema (`bindFilter`) into a typed
 * `BoundExpr`, and evaluated column-wise into a bitset per segment (`evaluateFilter`) or
 * row-wise (`evaluateRow`).
 *
 * Supported so far: integer (decimal, hex, octal, binary), floating, boolean, string and list
 * literals; `== != < <= > >=` between a field and a literal; `in`/`not in`; `and`/`&&`,
 * `or`/`||`, `not`/`!`, parentheses; fields of type Bool, Int8/16/32/64, Float, Double, VarChar.
 * The rest of Milvus's grammar is rejected with OperationNotSupported.
 */
import { ShoalError } from '@shoal/actors';
import type { CollectionSchema } from '../schema/types.ts';
import { bindFilter } from './binder.ts';
import type { BoundExpr } from './bound.ts';
import { parseFilter } from './parser.ts';
import { quoteFilter } from './syntax-error.ts';

export type {
  ArrayExpr, CompareExpr, CompareOp, Expr, FieldExpr, InExpr, LiteralExpr, LogicalExpr, LogicalOp, UnaryExpr, UnaryOp,
} from './ast.ts';
export type {
  BoundAnd, BoundCompare, BoundConst, BoundExpr, BoundIn, BoundNot, BoundOr, FilterFieldType, NumberFieldType, SmallIntType,
} from './bound.ts';
export { parseFilter, MAX_FILTER_DEPTH } from './parser.ts';
export { bindFilter } from './binder.ts';
export { evaluateFilter } from './evaluate.ts';
export type { ColumnSource } from './evaluate.ts';
export { evaluateRow } from './row.ts';

/**
 * Parses and binds `text` against `schema` in one step. Empty or whitespace-only text means "all
 * rows" (a constant-true expression), as an empty Milvus filter does.
 * @throws ShoalError(ParameterInvalid) for a syntax error (see `parseFilter`) or a binding error
 *   (see `bindFilter`; its message is prefixed with `invalid filter "<text>": `).
 * @throws ShoalError(OperationNotSupported) for Milvus filter features Shoal does not have yet.
 */
export function compileFilter(text: string, schema: CollectionSchema): BoundExpr {
  if (text.trim() === '') return { kind: 'const', value: true };
  const expr = parseFilter(text);
  try {
    return bindFilter(expr, schema);
  } catch (e) {
    if (e instanceof ShoalError) throw new ShoalError(e.code, `invalid filter ${quoteFilter(text)}: ${e.message}`);
    throw e;
  }
}

/**
 * The names of the fields `expr` reads, each once, in order of first appearance (the columns to
 * load before `evaluateFilter`). Empty for a constant expression.
 */
export function fieldsOf(expr: BoundExpr): string[] {
  const seen = new Set<string>();
  const stack: BoundExpr[] = [expr];
  while (stack.length > 0) {
    const e = stack.pop() as BoundExpr;
    switch (e.kind) {
      case 'compare': case 'in': seen.add(e.field); break;
      case 'not': stack.push(e.child); break;
      case 'and': case 'or': for (let k = e.children.length - 1; k >= 0; k--) stack.push(e.children[k]); break;
      case 'const': break;
    }
  }
  return [...seen];
}
