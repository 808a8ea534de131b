/**
 * Exact value helpers of the filter oracle (`interpreter.ts`), written independently of
 * `src/expr/`: numbers are integers (`bigint`) or doubles (`number`) and compare exactly across
 * the two (a finite double is a dyadic rational); strings compare by Unicode code point (the
 * byte order of UTF-8, docs/filters.md "Types"); `like` patterns are matched by a small
 * backtracking matcher over code points (docs/filters.md "Pattern": `%` any run, `_` one
 * character, `\` makes the next character literal).
 */

/** A number of the oracle: `bigint` for integers, `number` for doubles (NaN and ±Infinity possible). */
export type Num = bigint | number;

/**
 * Exact order of two numbers: −1, 0, 1, or `undefined` when either is NaN.
 * A bigint `b` and a double `d` compare as mathematical values.
 */
export function compareNum(a: Num, b: Num): -1 | 0 | 1 | undefined {
  if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'number' && typeof b === 'number') {
    if (Number.isNaN(a) || Number.isNaN(b)) return undefined;
    return a < b ? -1 : a > b ? 1 : 0;
  }
  if (typeof a === 'number') {
    const r = compareNum(b, a);
    return r === undefined ? undefined : r === 0 ? 0 : r === 1 ? -1 : 1;
  }
  const big = a as bigint;
  const d = b as number;
  if (Number.isNaN(d)) return undefined;
  if (d === Infinity) return -1;
  if (d === -Infinity) return 1;
  const f = Math.floor(d);
  const fb = BigInt(f);
  if (big < fb) return -1;
  if (big > fb) return 1;
  return d === f ? 0 : -1; // big == floor(d) < d when d has a fraction
}

/** Code-point order of two strings: negative, 0 or positive. */
export function compareStrings(a: string, b: string): number {
  const x = Array.from(a, (c) => c.codePointAt(0) as number);
  const y = Array.from(b, (c) => c.codePointAt(0) as number);
  for (let i = 0; i < x.length && i < y.length; i++) if (x[i] !== y[i]) return x[i] - y[i];
  return x.length - y.length;
}

/** True when `s` matches the `like` pattern `p` (whole string; `_` is one code point). */
export function likeMatch(s: string, p: string): boolean {
  type Tok = { any: boolean; one: boolean; ch: string };
  const pc = Array.from(p);
  const toks: Tok[] = [];
  for (let k = 0; k < pc.length; k++) {
    if (pc[k] === '\\' && k + 1 < pc.length) toks.push({ any: false, one: false, ch: pc[++k] });
    else if (pc[k] === '%') toks.push({ any: true, one: false, ch: '' });
    else if (pc[k] === '_') toks.push({ any: false, one: true, ch: '' });
    else toks.push({ any: false, one: false, ch: pc[k] });
  }
  const sc = Array.from(s);
  // memo[i][j]: tokens from i match characters from j
  const memo = new Map<number, boolean>();
  const go = (i: number, j: number): boolean => {
    const key = i * (sc.length + 1) + j;
    const seen = memo.get(key);
    if (seen !== undefined) return seen;
    let r: boolean;
    if (i === toks.length) r = j === sc.length;
    else if (toks[i].any) r = go(i + 1, j) || (j < sc.length && go(i, j + 1));
    else if (j === sc.length) r = false;
    else r = (toks[i].one || toks[i].ch === sc[j]) && go(i + 1, j + 1);
    memo.set(key, r);
    return r;
  };
  return go(0, 0);
}

/** Truncating integer division (toward zero), as docs/filters.md says for `/` on integers. */
export function intDiv(a: bigint, b: bigint): bigint {
  const q = (a < 0n ? -a : a) / (b < 0n ? -b : b);
  return (a < 0n) !== (b < 0n) ? -q : q;
}

/** Remainder with the dividend's sign: `a − b·intDiv(a, b)`. */
export function intMod(a: bigint, b: bigint): bigint {
  return a - b * intDiv(a, b);
}
