/**
 * The untyped syntax tree of a Milvus filter expression, as produced by `parseFilter`
 * (grammar: Milvus `internal/parser/planparserv2/Plan.g4`). Nothing here knows the schema:
 * names are unresolved and literals keep the type they were written with. `bindFilter`
 * turns this tree into a typed `BoundExpr` (`bound.ts`).
 *
 * Every node carries `column`, the 1-based column (in Unicode code points) of the token that
 * identifies it in the source text, used in error messages: the operator of a binary node, the
 * opening token of a unary node, list or parenthesised group, the only token of a leaf.
 *
 * Grows with the grammar: arithmetic, `like`, JSON paths, `exists`, function calls, `is null`,
 * templates and ranges become further `kind`s of {@link Expr}.
 */

/** Comparison operators (`Relational` and `Equality` in Plan.g4). */
export type CompareOp = '==' | '!=' | '<' | '<=' | '>' | '>=';

/** Boolean connectives (`LogicalAnd`, `LogicalOr`). `&&`/`AND` parse as `and`, `||`/`OR` as `or`. */
export type LogicalOp = 'and' | 'or';

/** Prefix operators (`Unary`): `not` (also `!`, `NOT`) and the signs `-`, `+`. */
export type UnaryOp = 'not' | '-' | '+';

/**
 * A literal constant. `value` is a `bigint` for integer literals (decimal, `0x` hex, `0o` or
 * leading-`0` octal, `0b` binary; exact at any size), a `number` for floating literals (also
 * `1.0`: the JS type, not the value, tells the two apart), a `string` for quoted strings
 * (escapes decoded) and a `boolean` for `true`/`True`/`TRUE`/`false`/`False`/`FALSE`.
 */
export interface LiteralExpr {
  kind: 'literal';
  value: bigint | number | string | boolean;
  column: number;
}

/** A bracketed list `[a, b, …]` (the right side of `in`); items are unbound expressions. */
export interface ArrayExpr {
  kind: 'array';
  items: Expr[];
  column: number;
}

/** A bare identifier: a field name, resolved against the schema by `bindFilter`. */
export interface FieldExpr {
  kind: 'field';
  name: string;
  column: number;
}

/** `not e`, `-e`, `+e`. Binds tighter than every binary operator supported so far. */
export interface UnaryExpr {
  kind: 'unary';
  op: UnaryOp;
  operand: Expr;
  column: number;
}

/** `left and right`, `left or right` (left-associative; `and` binds tighter than `or`). */
export interface LogicalExpr {
  kind: 'logical';
  op: LogicalOp;
  left: Expr;
  right: Expr;
  column: number;
}

/** `left op right` for one of the six comparison operators. */
export interface CompareExpr {
  kind: 'compare';
  op: CompareOp;
  left: Expr;
  right: Expr;
  column: number;
}

/** `operand in list` or, with `negated`, `operand not in list` (Plan.g4 `Term`). */
export interface InExpr {
  kind: 'in';
  negated: boolean;
  operand: Expr;
  list: Expr;
  column: number;
}

/** Any node of the untyped filter syntax tree. */
export type Expr = LiteralExpr | ArrayExpr | FieldExpr | UnaryExpr | LogicalExpr | CompareExpr | InExpr;
