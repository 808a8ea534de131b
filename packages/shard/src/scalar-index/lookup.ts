/**
 * Answers an {@link IndexPredicate} from a sorted term dictionary: each predicate becomes one or
 * more intervals of term positions, and the rows of those terms are set in a bitset. Shared by
 * the four index types, which differ in how they store the rows of a term interval (posting
 * lists, sorted pairs, bitmaps) and in which predicates they answer.
 */
import { Bitset } from '@shoal/ann';
import type { TermDictionary, TermRange } from './dictionary.ts';
import type { IndexPredicate } from './types.ts';

/** Predicate kinds (and, for `compare`, operators) an index type answers. */
export interface Answers {
  /** Comparison operators answered (`!=` as valid rows minus `==`). */
  compare: ReadonlySet<string>;
  in: boolean;
  range: boolean;
  prefix: boolean;
  arrayContains: boolean;
}

/** Sets in `out` the rows of the terms at positions `[from, to)`. */
export type SetTermRows = (from: number, to: number, out: Bitset) => void;

/**
 * The rows of `dict.numRows` matching `pred`, or `undefined` when `answers` excludes the
 * predicate or a value is not of the field's type. Null rows never match; `!=` matches the rows
 * with a value other than `value` (a NaN included, as in the column scan).
 */
export function lookupTerms(dict: TermDictionary, pred: IndexPredicate, answers: Answers, setRows: SetTermRows): Bitset | undefined {
  const n = dict.numRows;
  const ranges: TermRange[] = [];
  switch (pred.kind) {
    case 'compare': {
      if (!answers.compare.has(pred.op)) return undefined;
      const r = dict.compareRange(pred.op === '!=' ? '==' : pred.op, pred.value);
      if (!r) return undefined;
      if (pred.op === '!=') {
        const eq = new Bitset(n);
        setRows(r.from, r.to, eq);
        return eq.not().and(dict.valid);
      }
      ranges.push(r);
      break;
    }
    case 'in':
    case 'arrayContains': {
      if (!(pred.kind === 'in' ? answers.in : answers.arrayContains)) return undefined;
      for (const v of pred.values) {
        const r = dict.compareRange('==', v);
        if (!r) return undefined;
        ranges.push(r);
      }
      break;
    }
    case 'range': {
      if (!answers.range) return undefined;
      const r = dict.betweenRange(pred.lower, pred.lowerInclusive, pred.upper, pred.upperInclusive);
      if (!r) return undefined;
      ranges.push(r);
      break;
    }
    case 'prefix': {
      if (!answers.prefix) return undefined;
      const r = dict.prefixRange(pred.prefix);
      if (!r) return undefined;
      ranges.push(r);
      break;
    }
    default:
      return undefined;
  }
  const out = new Bitset(n);
  for (const r of ranges) if (r.to > r.from) setRows(r.from, r.to, out);
  return out;
}

/** Every comparison operator. */
export const ALL_OPS: ReadonlySet<string> = new Set(['==', '!=', '<', '<=', '>', '>=']);
/** Equality operators only. */
export const EQ_OPS: ReadonlySet<string> = new Set(['==', '!=']);
/** No comparison. */
export const NO_OPS: ReadonlySet<string> = new Set();
