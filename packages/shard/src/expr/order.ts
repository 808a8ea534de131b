/**
 * Value orders shared by the binder and both evaluators, so that they cannot disagree.
 */
import type { CompareOp } from './ast.ts';

/**
 * Compares two strings by Unicode code point — the byte order of their UTF-8 encodings, which is
 * how Milvus compares VarChar values (`std::string` comparison). JavaScript's `<` compares UTF-16
 * code units instead, which differs when a character above U+FFFF meets one in U+E000..U+FFFF.
 * @returns a negative number if `a` sorts first, 0 if equal, a positive number otherwise.
 */
export function compareCodePoints(a: string, b: string): number {
  const n = a.length < b.length ? a.length : b.length;
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) {
      // Move surrogates (U+D800..U+DFFF, the halves of characters ≥ U+10000) above U+E000..U+FFFF.
      const fx = x < 0xd800 ? x : x >= 0xe000 ? x - 0x800 : x + 0x2000;
      const fy = y < 0xd800 ? y : y >= 0xe000 ? y - 0x800 : y + 0x2000;
      return fx - fy;
    }
  }
  return a.length - b.length;
}

/**
 * Compares two numeric values exactly, also across `bigint` and `number` (JavaScript's relational
 * operators compare a bigint with a number by their mathematical values).
 * @returns −1, 0 or 1; `undefined` if either is NaN (unordered).
 */
export function compareNumeric(a: bigint | number, b: bigint | number): -1 | 0 | 1 | undefined {
  if (a < b) return -1;
  if (a > b) return 1;
  if (typeof a === 'number' && Number.isNaN(a)) return undefined;
  if (typeof b === 'number' && Number.isNaN(b)) return undefined;
  return 0;
}

/** True when `op` holds for the order `c` (negative, 0, positive; `undefined` unordered). */
export function holds(op: CompareOp, c: number | undefined): boolean {
  if (c === undefined) return op === '!=';
  switch (op) {
    case '==': return c === 0;
    case '!=': return c !== 0;
    case '<': return c < 0;
    case '<=': return c <= 0;
    case '>': return c > 0;
    case '>=': return c >= 0;
  }
}

/** The order of two computed values of matching kinds; `undefined` when unordered (NaN). */
export function orderValues(a: unknown, b: unknown): number | undefined {
  if (typeof a === 'string') return compareCodePoints(a, b as string);
  if (typeof a === 'boolean') return a === b ? 0 : 1;
  const x = a as number | bigint;
  const y = b as number | bigint;
  return x < y ? -1 : x > y ? 1 : x == y ? 0 : undefined; // == is exact between a number and a bigint
}
