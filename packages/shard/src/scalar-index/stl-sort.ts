/**
 * STL_SORT scalar index (Milvus docs, "STL_SORT": numeric fields; segcore's `ScalarIndexSort`
 * keeps the (value, row id) pairs sorted by value and answers terms and ranges by binary search).
 * Here the pairs are two parallel arrays — `values` (sorted, with repeats) and `rows` — held as a
 * `TermDictionary` whose every "term" is one pair, so a comparison, `in` or range is one or a few
 * binary searches followed by setting the rows of a contiguous run of pairs.
 */
import type { Bitset } from '@shoal/ann';
import { TermDictionary } from './dictionary.ts';
import { ALL_OPS, lookupTerms } from './lookup.ts';
import type { Answers } from './lookup.ts';
import type { IndexPredicate, ScalarIndex } from './types.ts';

const ANSWERS: Answers = { compare: ALL_OPS, in: true, range: true, prefix: false, arrayContains: false };

/** An STL_SORT index over one numeric field of one segment (see the module comment). */
export class StlSortIndex implements ScalarIndex {
  readonly type = 'STL_SORT' as const;
  readonly numRows: number;
  private readonly pairs: TermDictionary;

  /** Expands a numeric field's term dictionary into sorted (value, row) pairs. */
  constructor(dict: TermDictionary) {
    const n = dict.rows.length;
    const values = dict.keys instanceof BigInt64Array ? new BigInt64Array(n) : new Float64Array(n);
    for (let k = 0; k < dict.size; k++) values.fill(dict.keys[k] as never, dict.offsets[k], dict.offsets[k + 1]);
    const identity = new Int32Array(n + 1);
    for (let i = 0; i <= n; i++) identity[i] = i;
    this.pairs = new TermDictionary(dict.kind, values, identity, dict.rows, dict.valid);
    this.numRows = dict.numRows;
  }

  /** See {@link ScalarIndex.lookup}. */
  lookup(pred: IndexPredicate): Bitset | undefined {
    return lookupTerms(this.pairs, pred, ANSWERS, (from, to, out) => this.pairs.setRows(from, to, out));
  }

  /** See {@link ScalarIndex.memoryBytes}. */
  memoryBytes(): number { return this.pairs.memoryBytes(); }
}
