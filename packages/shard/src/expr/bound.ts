/**
 * The typed form of a filter expression, produced by `bindFilter` from the untyped tree of
 * `ast.ts` and a collection schema, and read by the evaluators (`evaluateFilter` column-wise,
 * `evaluateRow` row-wise). Fields are resolved and every literal has been converted to its
 * field's type, so evaluation needs no type checks:
 *
 * - Bool: `boolean`; Int8/Int16/Int32: an integer `number` inside the type's range;
 *   Int64: a `bigint` inside [−2^63, 2^63−1]; Float: a `number` equal to its float32 rounding
 *   (`Math.fround(v) === v`, or ±Infinity); Double: a `number`; VarChar: a `string`.
 * - Comparisons that no value of the field can satisfy, or every value does (`int8 < 1000`,
 *   `int32 == 1.5`), and logic over constants have been folded into `const` nodes.
 * - `and`/`or` have at least two children, none of them a `const` or a node of the same kind.
 */
import type { CompareOp } from './ast.ts';

export type { CompareOp } from './ast.ts';

/** Field types a filter can read so far (Milvus names; JSON and vectors cannot be filtered). */
export type FilterFieldType = 'Bool' | 'Int8' | 'Int16' | 'Int32' | 'Int64' | 'Float' | 'Double' | 'VarChar';

/** Integer field types whose values are JS numbers. */
export type SmallIntType = 'Int8' | 'Int16' | 'Int32';

/** Field types whose values (and bound literals) are JS numbers. */
export type NumberFieldType = SmallIntType | 'Float' | 'Double';

/** A constant: the whole filter, or a part of it, is always true or always false. */
export interface BoundConst {
  kind: 'const';
  value: boolean;
}

/**
 * `field op value` with the field on the left (a literal written on the left has been moved to
 * the right and the operator mirrored). Strings compare by Unicode code point, which is the
 * byte order of their UTF-8 encoding (as Milvus compares `std::string`s); numbers as IEEE
 * doubles (a NaN stored in a Float/Double field satisfies only `!=`).
 */
export type BoundCompare =
  | { kind: 'compare'; field: string; dataType: 'Bool'; op: '==' | '!='; value: boolean }
  | { kind: 'compare'; field: string; dataType: NumberFieldType; op: CompareOp; value: number }
  | { kind: 'compare'; field: string; dataType: 'Int64'; op: CompareOp; value: bigint }
  | { kind: 'compare'; field: string; dataType: 'VarChar'; op: CompareOp; value: string };

/**
 * `field in [values]`: `values` is non-empty, without duplicates, sorted ascending (numbers and
 * bigints numerically, strings by code point, `false` before `true`). `field not in […]` is
 * bound as `not` over this node.
 */
export type BoundIn =
  | { kind: 'in'; field: string; dataType: 'Bool'; values: boolean[] }
  | { kind: 'in'; field: string; dataType: NumberFieldType; values: number[] }
  | { kind: 'in'; field: string; dataType: 'Int64'; values: bigint[] }
  | { kind: 'in'; field: string; dataType: 'VarChar'; values: string[] };

/** Conjunction of two or more children. */
export interface BoundAnd {
  kind: 'and';
  children: BoundExpr[];
}

/** Disjunction of two or more children. */
export interface BoundOr {
  kind: 'or';
  children: BoundExpr[];
}

/** Negation. */
export interface BoundNot {
  kind: 'not';
  child: BoundExpr;
}

/** A bound (schema-checked, typed) filter expression. */
export type BoundExpr = BoundConst | BoundCompare | BoundIn | BoundAnd | BoundOr | BoundNot;
