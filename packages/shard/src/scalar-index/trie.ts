/**
 * TRIE scalar index (Milvus docs, "TRIE": VarChar fields; Milvus uses a MARISA trie for term and
 * prefix lookups). Shoal's "trie" is a sorted array of the distinct strings (code-point order)
 * with posting lists: a term is found by binary search, and the strings with a given prefix are
 * one contiguous run of that array, found by binary search too — the lookups a trie gives, with
 * the same answers. It answers `==`, `!=`, `in` and `like "prefix%"`; ordered comparisons and
 * ranges are left to the scan (as Milvus's TRIE is meant for terms and prefixes).
 */
import type { Bitset } from '@shoal/ann';
import type { TermDictionary } from './dictionary.ts';
import { EQ_OPS, lookupTerms } from './lookup.ts';
import type { Answers } from './lookup.ts';
import type { IndexPredicate, ScalarIndex } from './types.ts';

const ANSWERS: Answers = { compare: EQ_OPS, in: true, range: false, prefix: true, arrayContains: false };

/** A TRIE index over one VarChar field of one segment (see the module comment). */
export class TrieIndex implements ScalarIndex {
  readonly type = 'TRIE' as const;
  readonly numRows: number;
  private readonly dict: TermDictionary;

  /** @param dict the VarChar field's terms and postings. */
  constructor(dict: TermDictionary) {
    this.dict = dict;
    this.numRows = dict.numRows;
  }

  /** See {@link ScalarIndex.lookup}. */
  lookup(pred: IndexPredicate): Bitset | undefined {
    return lookupTerms(this.dict, pred, ANSWERS, (from, to, out) => this.dict.setRows(from, to, out));
  }

  /** See {@link ScalarIndex.memoryBytes}. */
  memoryBytes(): number { return this.dict.memoryBytes(); }
}
