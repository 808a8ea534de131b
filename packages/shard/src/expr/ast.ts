/**
 * The untyped syntax tree of a Milvus filter expression, as produced by `parseFilter`
 * (grammar: Milvus `internal/parser/planparserv2/Plan.g4`). Nothing here knows the schema:
 * names are unresolved and literals keep the type they were written with. `bindFilter`
 * turns this tree into a typed `BoundExpr` (`bound.ts`).
 *
 * Every node carries `column`, the 1-based column (in Unicode code points) of the token that
 * identifies it in the source text, used in error messages: the operator of a binary node, the
 * opening token of a unary node, list or parenthesised group, the only token of a leaf.
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

/**
 * One step of a JSON path or element access: a string key (`meta["a"]`) or an integer index
 * (`arr[0]`, `meta["list"][2]`; a `bigint` as written, range-checked by the binder).
 */
export type PathStep = string | bigint;

/**
 * An identifier, optionally followed by element accesses (Plan.g4 `Identifier`, `JSONIdentifier`):
 * `age`, `meta["a"]["b"]`, `tags[0]`, `$meta["key"]`. `name` is resolved against the schema by
 * `bindFilter`: a declared field, the dynamic field itself (`$meta`), or — when the collection has
 * the dynamic field enabled — an undeclared name, which means the key `name` of `$meta`
 * (`color` ≡ `$meta["color"]`). `path` is empty for a bare identifier.
 */
export interface FieldExpr {
  kind: 'field';
  name: string;
  path: PathStep[];
  column: number;
}

/** Arithmetic operators (Plan.g4 `AddSub`, `MulDivMod`, `Power`). */
export type ArithOp = '+' | '-' | '*' | '/' | '%' | '**';

/** `left op right` for an arithmetic operator (left-associative, except `**`, right-associative). */
export interface ArithExpr {
  kind: 'arith';
  op: ArithOp;
  left: Expr;
  right: Expr;
  column: number;
}

/**
 * Milvus's range form `lower lowerOp operand upperOp upper` (Plan.g4 `Range`/`ReverseRange`),
 * normalized to ascending order: `1 < x <= 5` gives lower 1, lowerOp `<`, upperOp `<=`, upper 5;
 * `5 >= x > 1` gives the same node. `column` is the first operator's.
 */
export interface RangeExpr {
  kind: 'range';
  lower: Expr;
  lowerOp: '<' | '<=';
  operand: Expr;
  upperOp: '<' | '<=';
  upper: Expr;
  column: number;
}

/** `operand like pattern` (`%` any run, `_` one character; `\%`, `\_` literal). Column of `like`. */
export interface LikeExpr {
  kind: 'like';
  operand: Expr;
  pattern: Expr;
  column: number;
}

/** `exists operand` (Plan.g4 `Exists`): the JSON path / dynamic key is present. Column of `exists`. */
export interface ExistsExpr {
  kind: 'exists';
  operand: Expr;
  column: number;
}

/** `operand is null` or, with `negated`, `operand is not null`. Column of `is`. */
export interface IsNullExpr {
  kind: 'isNull';
  negated: boolean;
  operand: Expr;
  column: number;
}

/**
 * A function call `name(args…)`: `json_contains`, `json_contains_all`, `json_contains_any`,
 * `array_contains`, `array_contains_all`, `array_contains_any`, `array_length` (any case; `name` is
 * lower-cased). Unknown names are left to the binder to reject. Column of the name.
 */
export interface CallExpr {
  kind: 'call';
  name: string;
  args: Expr[];
  column: number;
}

/** A template placeholder `{name}`, replaced by the request's `exprParams`/`filterParams[name]` when bound. */
export interface TemplateExpr {
  kind: 'template';
  name: string;
  column: number;
}

/** `not e`, `-e`, `+e`. Binds tighter than every binary operator except `**` and `like`. */
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
export type Expr =
  | LiteralExpr | ArrayExpr | FieldExpr | UnaryExpr | LogicalExpr | CompareExpr | InExpr
  | ArithExpr | RangeExpr | LikeExpr | ExistsExpr | IsNullExpr | CallExpr | TemplateExpr;
