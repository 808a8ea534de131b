/**
 * BITMAP scalar index (Milvus docs, "BITMAP": one bitmap per distinct value, for low-cardinality
 * Bool, integer, VarChar and Array fields; not Float/Double, not the primary key). A lookup ORs
 * the bitmaps of the matching values; the distinct values are kept sorted, so ordered
 * comparisons and ranges are answered as well.
 */
import { Bitset } from '@shoal/ann';
import { invalidParameter } from '@shoal/actors';
import type { TermDictionary } from './dictionary.ts';
import { ALL_OPS, NO_OPS, lookupTerms } from './lookup.ts';
import type { Answers } from './lookup.ts';
import type { IndexPredicate, ScalarIndex } from './types.ts';

/**
 * Most distinct values a BITMAP index takes per segment (each costs `numRows / 8` bytes);
 * Milvus's `bitmap_cardinality_limit` caps its BITMAP indexes the same way.
 */
export const BITMAP_CARDINALITY_LIMIT = 1000;

const SCALAR: Answers = { compare: ALL_OPS, in: true, range: true, prefix: true, arrayContains: false };
const ARRAY: Answers = { compare: NO_OPS, in: false, range: false, prefix: false, arrayContains: true };

/** A BITMAP index over one field of one segment (see the module comment). */
export class BitmapIndex implements ScalarIndex {
  readonly type = 'BITMAP' as const;
  readonly numRows: number;
  private readonly dict: TermDictionary;
  private readonly bitmaps: Bitset[];
  private readonly answers: Answers;

  /**
   * One bitmap per term of `dict` (`field` names the field in errors; `isArray` for an Array field).
   * @throws ShoalError ParameterInvalid if the segment has more than {@link BITMAP_CARDINALITY_LIMIT} distinct values.
   */
  constructor(dict: TermDictionary, field: string, isArray: boolean) {
    if (dict.size > BITMAP_CARDINALITY_LIMIT) {
      throw invalidParameter(`BITMAP index on field "${field}": a segment holds ${dict.size} distinct values, more than the ${BITMAP_CARDINALITY_LIMIT} a BITMAP index allows; use INVERTED for high-cardinality fields`);
    }
    this.dict = dict;
    this.numRows = dict.numRows;
    this.answers = isArray ? ARRAY : SCALAR;
    this.bitmaps = [];
    for (let k = 0; k < dict.size; k++) {
      const b = new Bitset(dict.numRows);
      dict.setRows(k, k + 1, b);
      this.bitmaps.push(b);
    }
  }

  /** See {@link ScalarIndex.lookup}. */
  lookup(pred: IndexPredicate): Bitset | undefined {
    return lookupTerms(this.dict, pred, this.answers, (from, to, out) => {
      for (let k = from; k < to; k++) out.or(this.bitmaps[k]);
    });
  }

  /** See {@link ScalarIndex.memoryBytes}. */
  memoryBytes(): number {
    return this.bitmaps.reduce((a, b) => a + b.words.byteLength, 0) + this.dict.memoryBytes();
  }
}
