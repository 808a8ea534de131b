/**
 * Column kernels of the filter evaluator: one tight loop per comparison over a typed array,
 * writing 32 rows at a time into the words of a `Bitset` (bit `i` = row `i` passes). They read
 * values straight from the column (no per-row objects or calls into closures); Int64 columns are
 * read as pairs of 32-bit halves so that no `bigint` is created per row.
 */
import type { Bitset } from '@shoal/ann';
import { compareCodePoints } from './order.ts';

/** Columns whose elements read as JS numbers: Bool (`Uint8Array` 0/1), Int8/16/32, Float, Double. */
export type NumberColumn = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

/** Comparison kernels compute one of these; the others are their complements (`not`). */
export type KernelOp = 'eq' | 'lt' | 'le' | 'gt' | 'ge';

/** True on little-endian hosts, where the low half of an int64 comes first in memory. */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
/** Index of the high / low 32-bit half within an int64's pair of Int32Array elements. */
const HI = LITTLE_ENDIAN ? 1 : 0;
const LO = 1 - HI;

/** Sets `out` (size n) to `col[i] op v` for the first `n` rows. NaNs satisfy none of the operators. */
export function compareNumbers(col: NumberColumn, n: number, op: KernelOp, v: number, out: Bitset): void {
  const words = out.words;
  for (let w = 0, i = 0; i < n; w++) {
    const end = i + 32 < n ? i + 32 : n;
    let bits = 0;
    switch (op) {
      case 'eq': for (let b = 0; i < end; i++, b++) bits |= +(col[i] === v) << b; break;
      case 'lt': for (let b = 0; i < end; i++, b++) bits |= +(col[i] < v) << b; break;
      case 'le': for (let b = 0; i < end; i++, b++) bits |= +(col[i] <= v) << b; break;
      case 'gt': for (let b = 0; i < end; i++, b++) bits |= +(col[i] > v) << b; break;
      case 'ge': for (let b = 0; i < end; i++, b++) bits |= +(col[i] >= v) << b; break;
    }
    words[w] = bits;
  }
}

/** Splits an int64 into its signed high and unsigned low 32-bit halves. */
function halvesOf(v: bigint): [number, number] {
  return [Number(BigInt.asIntN(32, v >> 32n)), Number(BigInt.asUintN(32, v))];
}

/** The int32 halves of the first `n` values of an Int64 column (a view, no copy). */
function int64Halves(col: BigInt64Array, n: number): Int32Array {
  return new Int32Array(col.buffer, col.byteOffset, n * 2);
}

/**
 * Sets `out` to `col[i] op v` for the first `n` rows of an Int64 column, exactly (any bigint in
 * the int64 range), comparing the signed high halves and then the unsigned low halves.
 */
export function compareInt64(col: BigInt64Array, n: number, op: KernelOp, v: bigint, out: Bitset): void {
  const h = int64Halves(col, n);
  if (v <= MAX_SAFE && v >= -MAX_SAFE) {
    compareInt64AsDouble(h, n, op, Number(v), out);
    return;
  }
  const [vhi, vlo] = halvesOf(v);
  const words = out.words;
  for (let w = 0, i = 0; i < n; w++) {
    const end = i + 32 < n ? i + 32 : n;
    let bits = 0;
    switch (op) {
      case 'eq': for (let b = 0; i < end; i++, b++) if (h[2 * i + HI] === vhi && h[2 * i + LO] >>> 0 === vlo) bits |= 1 << b; break;
      case 'lt': for (let b = 0; i < end; i++, b++) {
        const hi = h[2 * i + HI];
        if (hi < vhi || (hi === vhi && h[2 * i + LO] >>> 0 < vlo)) bits |= 1 << b;
      } break;
      case 'le': for (let b = 0; i < end; i++, b++) {
        const hi = h[2 * i + HI];
        if (hi < vhi || (hi === vhi && h[2 * i + LO] >>> 0 <= vlo)) bits |= 1 << b;
      } break;
      case 'gt': for (let b = 0; i < end; i++, b++) {
        const hi = h[2 * i + HI];
        if (hi > vhi || (hi === vhi && h[2 * i + LO] >>> 0 > vlo)) bits |= 1 << b;
      } break;
      case 'ge': for (let b = 0; i < end; i++, b++) {
        const hi = h[2 * i + HI];
        if (hi > vhi || (hi === vhi && h[2 * i + LO] >>> 0 >= vlo)) bits |= 1 << b;
      } break;
    }
    words[w] = bits;
  }
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const TWO32 = 2 ** 32;

/**
 * `compareInt64` for a literal `v` with |v| < 2^53: each value is read as the double nearest to it
 * (`hi · 2^32 + lo`, one rounding). Rounding is monotonic and leaves integers below 2^53 exact, so
 * the double compares with `v` exactly as the int64 does.
 */
function compareInt64AsDouble(h: Int32Array, n: number, op: KernelOp, v: number, out: Bitset): void {
  const words = out.words;
  for (let w = 0, i = 0; i < n; w++) {
    const end = i + 32 < n ? i + 32 : n;
    let bits = 0;
    switch (op) {
      case 'eq': for (let b = 0; i < end; i++, b++) bits |= +(h[2 * i + HI] * TWO32 + (h[2 * i + LO] >>> 0) === v) << b; break;
      case 'lt': for (let b = 0; i < end; i++, b++) bits |= +(h[2 * i + HI] * TWO32 + (h[2 * i + LO] >>> 0) < v) << b; break;
      case 'le': for (let b = 0; i < end; i++, b++) bits |= +(h[2 * i + HI] * TWO32 + (h[2 * i + LO] >>> 0) <= v) << b; break;
      case 'gt': for (let b = 0; i < end; i++, b++) bits |= +(h[2 * i + HI] * TWO32 + (h[2 * i + LO] >>> 0) > v) << b; break;
      case 'ge': for (let b = 0; i < end; i++, b++) bits |= +(h[2 * i + HI] * TWO32 + (h[2 * i + LO] >>> 0) >= v) << b; break;
    }
    words[w] = bits;
  }
}

/**
 * The first `n` values of an Int64 column as doubles with their minimum and maximum, when every
 * one is within ±(2^53 − 1) (so exactly representable); `undefined` otherwise.
 */
export function int64AsDoubles(col: BigInt64Array, n: number): { values: Float64Array; min: number; max: number } | undefined {
  const h = int64Halves(col, n);
  const values = new Float64Array(n);
  let min = 0;
  let max = 0;
  for (let i = 0; i < n; i++) {
    const d = h[2 * i + HI] * TWO32 + (h[2 * i + LO] >>> 0);
    if (d > Number.MAX_SAFE_INTEGER || d < -Number.MAX_SAFE_INTEGER) return undefined;
    values[i] = d;
    if (i === 0 || d < min) min = d;
    if (i === 0 || d > max) max = d;
  }
  return { values, min, max };
}

/** Sets `out` to `col[i] op v` for the first `n` rows of a VarChar column, ordering by code point. */
export function compareStrings(col: readonly string[], n: number, op: KernelOp, v: string, out: Bitset): void {
  const words = out.words;
  for (let w = 0, i = 0; i < n; w++) {
    const end = i + 32 < n ? i + 32 : n;
    let bits = 0;
    if (op === 'eq') {
      for (let b = 0; i < end; i++, b++) if (col[i] === v) bits |= 1 << b;
    } else {
      for (let b = 0; i < end; i++, b++) {
        const c = compareCodePoints(col[i], v);
        const pass = op === 'lt' ? c < 0 : op === 'le' ? c <= 0 : op === 'gt' ? c > 0 : c >= 0;
        if (pass) bits |= 1 << b;
      }
    }
    words[w] = bits;
  }
}

/** Sets `out` to `col[i] ∈ sorted` (ascending, no NaN) for the first `n` rows, by binary search. */
export function memberNumbers(col: NumberColumn, n: number, sorted: Float64Array, out: Bitset): void {
  const words = out.words;
  const last = sorted.length - 1;
  for (let w = 0, i = 0; i < n; w++) {
    const end = i + 32 < n ? i + 32 : n;
    let bits = 0;
    for (let b = 0; i < end; i++, b++) {
      const x = col[i];
      let lo = 0;
      let hi = last;
      while (lo <= hi) {
        const mid = (lo + hi) >>> 1;
        const y = sorted[mid];
        if (y < x) lo = mid + 1;
        else if (y > x) hi = mid - 1;
        else { if (y === x) bits |= 1 << b; break; }
      }
    }
    words[w] = bits;
  }
}

/** Widest span of values (max − min + 1) for which {@link memberTable} builds a lookup table. */
export const MEMBER_TABLE_SPAN = 1 << 16;

/**
 * Sets `out` to `col[i] ∈ sorted` for the first `n` rows of an integer column (Bool, Int8/16/32)
 * whose sought values (ascending integers) span at most {@link MEMBER_TABLE_SPAN}: one bounds
 * check and one table load per row instead of a binary search.
 */
export function memberTable(col: Uint8Array | Int8Array | Int16Array | Int32Array, n: number, sorted: readonly number[], out: Bitset): void {
  const min = sorted[0];
  const span = sorted[sorted.length - 1] - min + 1;
  const table = new Uint8Array(span);
  for (const v of sorted) table[v - min] = 1;
  const words = out.words;
  for (let w = 0, i = 0; i < n; w++) {
    const end = i + 32 < n ? i + 32 : n;
    let bits = 0;
    for (let b = 0; i < end; i++, b++) {
      const d = col[i] - min;
      if (d >= 0 && d < span && table[d] === 1) bits |= 1 << b;
    }
    words[w] = bits;
  }
}

/**
 * Sets `out` to `col[i] ∈ sorted` for the first `n` rows of an Int64 column; `sorted` holds
 * distinct int64 values in ascending order.
 */
export function memberInt64(col: BigInt64Array, n: number, sorted: readonly bigint[], out: Bitset): void {
  const m = sorted.length;
  const his = new Int32Array(m);
  const los = new Uint32Array(m);
  for (let k = 0; k < m; k++) [his[k], los[k]] = halvesOf(sorted[k]);
  const h = int64Halves(col, n);
  const words = out.words;
  for (let w = 0, i = 0; i < n; w++) {
    const end = i + 32 < n ? i + 32 : n;
    let bits = 0;
    for (let b = 0; i < end; i++, b++) {
      const xhi = h[2 * i + HI];
      const xlo = h[2 * i + LO] >>> 0;
      let lo = 0;
      let hi = m - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >>> 1;
        const yhi = his[mid];
        const ylo = los[mid];
        if (yhi < xhi || (yhi === xhi && ylo < xlo)) lo = mid + 1;
        else if (yhi > xhi || ylo > xlo) hi = mid - 1;
        else { bits |= 1 << b; break; }
      }
    }
    words[w] = bits;
  }
}

/** Sets `out` to `col[i] ∈ set` for the first `n` rows of a VarChar column. */
export function memberStrings(col: readonly string[], n: number, set: ReadonlySet<string>, out: Bitset): void {
  const words = out.words;
  for (let w = 0, i = 0; i < n; w++) {
    const end = i + 32 < n ? i + 32 : n;
    let bits = 0;
    for (let b = 0; i < end; i++, b++) if (set.has(col[i])) bits |= 1 << b;
    words[w] = bits;
  }
}
