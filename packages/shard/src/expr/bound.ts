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
 *   `int32 == 1.5`, `x in []`), and logic over constants have been folded into `const` nodes,
 *   or into `known` nodes when the field is nullable (a null row stays unknown).
 * - `and`/`or` have at least two children, none of them a `const` or a node of the same kind.
 * - JSON paths, dynamic keys and Array elements are {@link PathRef}s, typed at run time by the
 *   value found (Milvus's JSON rules: see `json-value.ts`).
 *
 * Logic is three-valued, as in Milvus 2.5 with nullable fields: a predicate on a null value (a
 * row whose nullable field is null) is unknown; `not unknown` is unknown; `and`/`or` follow
 * Kleene's tables; a row passes only when the whole filter is true. A JSON path that is missing
 * or holds a value of another type is not unknown but false (so `!=`, bound as `not ==`, and
 * `not in` match it, as in Milvus).
 */
import type { ArithOp, CompareOp } from './ast.ts';

export type { CompareOp } from './ast.ts';

/** Scalar field types whose columns the comparison kernels read (Milvus names). */
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
 * A predicate decided by its field's type alone (`int8_field < 1000`, `x in []`,
 * `json_contains_any(j, [])`) on a nullable field: `value` on every row where `field` (a plain
 * field, or a whole JSON/Array field) has a value, unknown where it is null (Milvus 2.5: a
 * predicate on a null is unknown, also under `not`). On a field that cannot be null it is a
 * {@link BoundConst}.
 */
export interface BoundKnown {
  kind: 'known';
  field: string;
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

/** Negation (three-valued: unknown stays unknown). */
export interface BoundNot {
  kind: 'not';
  child: BoundExpr;
}

/**
 * `lower (<|<=) field (<|<=) upper` on a plain numeric or VarChar field, the bounds converted to
 * the field's type as for {@link BoundCompare} (Milvus `BinaryRangeExpr`).
 */
export type BoundRange =
  | { kind: 'range'; field: string; dataType: NumberFieldType; lower: number; lowerInclusive: boolean; upper: number; upperInclusive: boolean }
  | { kind: 'range'; field: string; dataType: 'Int64'; lower: bigint; lowerInclusive: boolean; upper: bigint; upperInclusive: boolean }
  | { kind: 'range'; field: string; dataType: 'VarChar'; lower: string; lowerInclusive: boolean; upper: string; upperInclusive: boolean };

/** One resolved step of a path: an object key or an array index (≥ 0). */
export type BoundStep = string | number;

/**
 * A value inside a row's JSON or Array column: `field` is a JSON field, the dynamic field
 * `$meta`, or an Array field; `path` the keys/indexes to walk from the column's value (empty for
 * the whole value). A missing key, an index out of range or a step into a non-container gives
 * no value.
 */
export interface PathRef {
  field: string;
  path: BoundStep[];
  /** `Array` when `field` is an Array field (then `elementType` is its element type). */
  fieldType: 'JSON' | 'Array';
  elementType?: FilterFieldType;
}

/** A scalar a JSON value is compared with: Int64-exact integers are `bigint`, others `number`. */
export type JsonScalar = boolean | number | bigint | string;

/** A value `json_contains`/`array_contains` look for: a scalar or a (nested) list of scalars. */
export type JsonLiteral = JsonScalar | JsonLiteral[];

/**
 * `path op value` on a JSON path / dynamic key / Array element. Numbers compare numerically
 * across integer and floating values (exact with bigints), strings by code point, booleans only
 * with `==`/`!=`; a value of another type, or none, is false (Milvus `UnaryRangeExpr` on JSON).
 * On a JSON path `!=` is bound as `not ==` (so a missing value matches it); on an Array element
 * `!=` is this node, false where the index is out of range, as every operator there (Milvus
 * `UnaryArrayCompare`), and true for a NaN element.
 */
export interface BoundPathCompare {
  kind: 'pathCompare';
  ref: PathRef;
  op: CompareOp;
  value: JsonScalar;
}

/** `path in [values]` (values of any scalar types, without duplicates); `not in` is `not` over it. */
export interface BoundPathIn {
  kind: 'pathIn';
  ref: PathRef;
  values: JsonScalar[];
}

/**
 * `target like pattern` (`%` any run of characters, `_` one character, `\%`/`\_` literal; see
 * `like.ts`): on a plain VarChar field (`field`) or on the string value at a path (`ref`).
 */
export type BoundLike =
  | { kind: 'like'; field: string; ref?: undefined; pattern: string }
  | { kind: 'like'; field?: undefined; ref: PathRef; pattern: string };

/** `exists path`: the key/index is present (its value may be JSON null). */
export interface BoundExists {
  kind: 'exists';
  ref: PathRef;
}

/**
 * `field is null`: the row's nullable field is null; with a JSON path (non-empty `ref.path`, or a
 * JSON/dynamic field), also when the value there is missing or JSON `null`. Never unknown;
 * `is not null` is `not` over it.
 */
export type BoundIsNull =
  | { kind: 'isNull'; field: string; ref?: undefined }
  | { kind: 'isNull'; field?: undefined; ref: PathRef };

/**
 * `json_contains[_all|_any](path, v)` / `array_contains[_all|_any](field, v)`: the value at `ref`
 * is an array holding `values[0]` (`one`), every one of `values` (`all`), or at least one
 * (`any`). Elements equal a value under the JSON rules (numbers numerically, lists element-wise).
 */
export interface BoundContains {
  kind: 'contains';
  ref: PathRef;
  mode: 'one' | 'all' | 'any';
  values: JsonLiteral[];
}

/**
 * A numeric or scalar value computed per row, for comparisons that are not `field op literal`:
 * arithmetic (`price * 2 > 100`), `array_length(tags) == 3`, two fields (`a < b`).
 * - `num`: a constant (integer `bigint`, floating `number`);
 * - `field`: a plain scalar field (Bool/VarChar only directly under a comparison);
 * - `path`: the number at a JSON path (integral JSON numbers count as integers);
 * - `length`: the number of elements of the array at `ref` (0 for a JSON value that is not an
 *   array or is missing, as Milvus `BinaryArithRangeJONCompareArrayLength`);
 * - `arith`: `left op right`. Integer ∘ integer is exact integer arithmetic (`/` truncates, `%`
 *   takes the dividend's sign, as C++ and Milvus); any floating operand, and `**`, give a double.
 *   A null field read makes the row unknown; a JSON value that is missing or not a number makes
 *   the comparison true for `!=` and false otherwise; an Array element out of range or an integer
 *   division by zero makes it false.
 */
export type ValueExpr =
  | { kind: 'num'; value: number | bigint }
  | { kind: 'field'; field: string; dataType: FilterFieldType }
  | { kind: 'path'; ref: PathRef }
  | { kind: 'length'; ref: PathRef }
  | { kind: 'arith'; op: ArithOp; left: ValueExpr; right: ValueExpr };

/**
 * `left op right` over two computed values (Milvus `CompareExpr`, `BinaryArithOpEvalRangeExpr`):
 * numbers numerically (exact across integers and doubles), strings by code point, booleans with
 * `==`/`!=`. A row where either side reads a null is unknown; missing values as in {@link ValueExpr}.
 */
export interface BoundCompareValues {
  kind: 'compareValues';
  left: ValueExpr;
  op: CompareOp;
  right: ValueExpr;
}

/** A bound (schema-checked, typed) filter expression. */
export type BoundExpr =
  | BoundConst | BoundKnown | BoundCompare | BoundIn | BoundAnd | BoundOr | BoundNot | BoundRange
  | BoundPathCompare | BoundPathIn | BoundLike | BoundExists | BoundIsNull | BoundContains | BoundCompareValues;
