/**
 * Three-valued (Kleene) truth over a block of rows, as the column evaluator combines predicates:
 * `t` holds the rows where a predicate is true, `f` the rows where it is false; a row in neither
 * is unknown (a null value, Milvus 2.5 "Nullable & Default"). `f === null` means "every row not
 * in `t`" (no unknowns), the common case, which keeps `and`/`or`/`not` to one pass over `t`.
 * Operations may reuse and modify their arguments' bitsets.
 */
import { Bitset } from '@shoal/ann';

/** Rows where a predicate is true (`t`) and false (`f`, or `null` for the complement of `t`). */
export interface Tri {
  t: Bitset;
  f: Bitset | null;
}

/** Every row true (`value`) or every row false, over `n` rows. */
export function constTri(value: boolean, n: number): Tri {
  return { t: value ? Bitset.full(n) : new Bitset(n), f: null };
}

/** The false rows of `x`, materialised (may be `x.t` complemented in a new bitset). */
function falseRows(x: Tri): Bitset {
  return x.f ?? x.t.clone().not();
}

/** `not x`: true and false swap, unknown stays unknown. */
export function notTri(x: Tri): Tri {
  return x.f === null ? { t: x.t.not(), f: null } : { t: x.f, f: x.t };
}

/** `a and b`: true where both are true, false where either is false. */
export function andTri(a: Tri, b: Tri): Tri {
  if (a.f === null && b.f === null) return { t: a.t.and(b.t), f: null };
  const f = falseRows(a).or(falseRows(b));
  return { t: a.t.and(b.t), f };
}

/** `a or b`: true where either is true, false where both are false. */
export function orTri(a: Tri, b: Tri): Tri {
  if (a.f === null && b.f === null) return { t: a.t.or(b.t), f: null };
  const f = falseRows(a).and(falseRows(b));
  return { t: a.t.or(b.t), f };
}

/** True when no row can be true any more (so an `and` may stop). */
export function isAllFalse(x: Tri): boolean {
  if (x.f !== null) return false;
  const words = x.t.words;
  for (let w = 0; w < words.length; w++) if (words[w] !== 0) return false;
  return true;
}

/**
 * A predicate's result from `raw` (its test on every row's stored value) and the field's
 * validity (`null` = no nulls): rows with a null are unknown.
 */
export function masked(raw: Bitset, valid: Bitset | null): Tri {
  if (valid === null) return { t: raw, f: null };
  const f = raw.clone().not().and(valid);
  return { t: raw.and(valid), f };
}
