/**
 * INVERTED scalar index (Milvus docs, "INVERTED": term → posting list of row ids; Milvus builds it
 * with Tantivy). Here the terms are a sorted dictionary with CSR posting lists
 * (`dictionary.ts`), so besides term lookups it answers ordered comparisons, ranges and (VarChar)
 * prefixes by binary search over the terms. On an Array field the terms are the elements and it
 * answers `array_contains` / `array_contains_any`.
 */
import type { Bitset } from '@shoal/ann';
import type { TermDictionary } from './dictionary.ts';
import { ALL_OPS, NO_OPS, lookupTerms } from './lookup.ts';
import type { Answers } from './lookup.ts';
import type { IndexPredicate, ScalarIndex } from './types.ts';

const SCALAR: Answers = { compare: ALL_OPS, in: true, range: true, prefix: true, arrayContains: false };
const ARRAY: Answers = { compare: NO_OPS, in: false, range: false, prefix: false, arrayContains: true };

/** An INVERTED index over one field of one segment (see the module comment). */
export class InvertedIndex implements ScalarIndex {
  readonly type = 'INVERTED' as const;
  readonly numRows: number;
  private readonly dict: TermDictionary;
  private readonly answers: Answers;

  /** @param dict the field's terms and postings; `isArray` for an Array field. */
  constructor(dict: TermDictionary, isArray: boolean) {
    this.dict = dict;
    this.numRows = dict.numRows;
    this.answers = isArray ? ARRAY : SCALAR;
  }

  /** See {@link ScalarIndex.lookup}. */
  lookup(pred: IndexPredicate): Bitset | undefined {
    return lookupTerms(this.dict, pred, this.answers, (from, to, out) => this.dict.setRows(from, to, out));
  }

  /** See {@link ScalarIndex.memoryBytes}. */
  memoryBytes(): number { return this.dict.memoryBytes(); }
}
