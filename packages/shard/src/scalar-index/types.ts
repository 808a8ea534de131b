/**
 * The contract between scalar indexes and the filter evaluator (DESIGN.md, "Data plane": scalar
 * indexes speed up selective predicates). A scalar index covers one scalar field of one sealed
 * segment and answers simple predicates on that field with the bitset of matching rows, exactly
 * as the column scan would (nulls never match; deleted rows are masked by the caller).
 *
 * Index types follow Milvus's scalar indexes (docs: "Index Scalar Fields"):
 * `INVERTED` (term → posting list, any scalar and Array element), `STL_SORT` (sorted values and
 * row ids, numeric fields: binary search for ranges and terms), `TRIE` (VarChar: terms and
 * prefixes), `BITMAP` (one bitmap per distinct value, low-cardinality fields).
 */
import type { Bitset } from '@shoal/ann';

/** Milvus scalar index type names accepted by `indexes/create`. */
export type ScalarIndexType = 'INVERTED' | 'STL_SORT' | 'TRIE' | 'BITMAP';

/** A value of a scalar field as the evaluator holds it (Int64 `bigint`, Bool `boolean`). */
export type ScalarValue = boolean | number | bigint | string;

/**
 * A predicate on one field that an index may answer. Values are already converted to the field's
 * type (see `expr/bound.ts`).
 * - `compare`: `field op value`;
 * - `in`: `field in values` (non-empty, sorted ascending, no duplicates);
 * - `range`: `lower (<|<=) field (<|<=) upper`;
 * - `prefix`: a VarChar field starting with `prefix` (`like "abc%"`);
 * - `arrayContains`: an Array field whose array holds at least one of `values` (`array_contains`,
 *   `array_contains_any`).
 */
export type IndexPredicate =
  | { kind: 'compare'; op: '==' | '!=' | '<' | '<=' | '>' | '>='; value: ScalarValue }
  | { kind: 'in'; values: ScalarValue[] }
  | { kind: 'range'; lower: ScalarValue; lowerInclusive: boolean; upper: ScalarValue; upperInclusive: boolean }
  | { kind: 'prefix'; prefix: string }
  | { kind: 'arrayContains'; values: ScalarValue[] };

/** A built scalar index over one field of one segment of `numRows` rows. */
export interface ScalarIndex {
  readonly type: ScalarIndexType;
  /** Rows covered (the segment's row count when built). */
  readonly numRows: number;
  /**
   * The rows matching `pred` as a `numRows`-bit bitset, or `undefined` when this index cannot
   * answer that kind of predicate (the evaluator then scans the column). Never approximate.
   */
  lookup(pred: IndexPredicate): Bitset | undefined;
  /** Heap bytes held by the index (approximate). */
  memoryBytes(): number;
}
