/**
 * The sorted term dictionary shared by the scalar indexes (`scalar-index/types.ts`): the distinct
 * values of one field of one segment in ascending order, each with the ascending list of the rows
 * holding it (a CSR posting list, as Milvus's INVERTED index keeps term → row ids). Nulls and
 * NaNs get no term: a null matches no predicate, a NaN only `!=` (which callers answer as "valid
 * and not equal"). Array fields contribute one entry per distinct element of each row.
 *
 * Orders: numbers (Bool as 0/1) as IEEE doubles (−0 and 0 are one term), Int64 exactly as signed
 * 64-bit integers, VarChar by Unicode code point (`compareCodePoints`, Milvus's `std::string`
 * order) — the orders of the column kernels (`expr/kernels.ts`), so answers agree bit for bit.
 */
import { Bitset } from '@shoal/ann';
import { compareCodePoints } from '../expr/order.ts';
import type { ScalarValue } from './types.ts';

/** How a field's values are held as terms: JS numbers (Bool as 0/1), int64 `bigint`s, or strings. */
export type KeyKind = 'number' | 'bool' | 'int64' | 'string';

/** Distinct sorted terms of a {@link KeyKind}: `Float64Array`, `BigInt64Array` or `string[]`. */
export type KeyArray = Float64Array | BigInt64Array | string[];

/** A half-open interval `[from, to)` of term positions. */
export interface TermRange {
  from: number;
  to: number;
}

/** True on little-endian hosts, where an int64's low 32-bit half comes first in memory. */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const HI = LITTLE_ENDIAN ? 1 : 0;
const LO = 1 - HI;
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * A field's terms and posting lists: term `k` (`keys[k]`) is held by the rows
 * `rows[offsets[k] .. offsets[k+1])`, ascending and distinct. `valid` marks the rows with a value
 * (not null), `numRows` bits.
 */
export class TermDictionary {
  readonly kind: KeyKind;
  readonly keys: KeyArray;
  readonly offsets: Int32Array;
  readonly rows: Int32Array;
  readonly valid: Bitset;
  readonly numRows: number;
  private readonly halves: Int32Array | null;

  /** Wires built parts; use {@link buildDictionary}. */
  constructor(kind: KeyKind, keys: KeyArray, offsets: Int32Array, rows: Int32Array, valid: Bitset) {
    this.kind = kind;
    this.keys = keys;
    this.offsets = offsets;
    this.rows = rows;
    this.valid = valid;
    this.numRows = valid.size;
    this.halves = keys instanceof BigInt64Array ? new Int32Array(keys.buffer, keys.byteOffset, keys.length * 2) : null;
  }

  /** Number of distinct terms. */
  get size(): number { return this.keys.length; }

  /**
   * `v` converted to this dictionary's term type, or `undefined` when it is not one (a string for
   * a numeric field, a fraction for Int64, …: the caller then leaves the predicate to the scan).
   * A Bool field takes only booleans (as 0/1), a numeric field only numbers and safe-integer
   * bigints (a boolean equals no number, as in the scan); an Int64 field bigints inside
   * [−2^63, 2^63−1] (one outside is left to the scan rather than wrapped) and safe-integer numbers.
   */
  normalize(v: ScalarValue): number | bigint | string | undefined {
    switch (this.kind) {
      case 'bool': return typeof v === 'boolean' ? (v ? 1 : 0) : undefined;
      case 'number':
        if (typeof v === 'number') return v;
        return typeof v === 'bigint' && v <= MAX_SAFE && v >= -MAX_SAFE ? Number(v) : undefined;
      case 'int64':
        if (typeof v === 'bigint') return v >= INT64_MIN && v <= INT64_MAX ? v : undefined;
        return typeof v === 'number' && Number.isSafeInteger(v) ? BigInt(v) : undefined;
      case 'string': return typeof v === 'string' ? v : undefined;
    }
  }

  /** First term position whose term is ≥ `v` (`strict`: > `v`). `v` is a normalized, non-NaN value. */
  bound(v: number | bigint | string, strict: boolean): number {
    let lo = 0;
    let hi = this.keys.length;
    if (this.kind === 'number' || this.kind === 'bool') {
      const keys = this.keys as Float64Array;
      const x = v as number;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (strict ? keys[mid] <= x : keys[mid] < x) lo = mid + 1; else hi = mid;
      }
    } else if (this.kind === 'int64') {
      const x = v as bigint;
      return this.boundHalves(Number(BigInt.asIntN(32, x >> 32n)), Number(BigInt.asUintN(32, x)), strict);
    } else {
      const keys = this.keys as string[];
      const x = v as string;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        const c = compareCodePoints(keys[mid], x);
        if (strict ? c <= 0 : c < 0) lo = mid + 1; else hi = mid;
      }
    }
    return lo;
  }

  /**
   * `bound` for an Int64 term given as its signed high and unsigned low 32-bit halves (no bigint
   * arithmetic, for building over millions of rows).
   */
  boundHalves(xhi: number, xlo: number, strict: boolean): number {
    const h = this.halves!;
    let lo = 0;
    let hi = this.keys.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const khi = h[2 * mid + HI];
      const klo = h[2 * mid + LO] >>> 0;
      const below = khi < xhi || (khi === xhi && (strict ? klo <= xlo : klo < xlo));
      if (below) lo = mid + 1; else hi = mid;
    }
    return lo;
  }

  /**
   * The term positions matching `op v` for `==`, `<`, `<=`, `>`, `>=` (`!=` is answered by the
   * caller as valid rows minus `==`); `undefined` when `v` is not of this field's type. A NaN `v`
   * matches nothing.
   */
  compareRange(op: '==' | '<' | '<=' | '>' | '>=', raw: ScalarValue): TermRange | undefined {
    const v = this.normalize(raw);
    if (v === undefined) return undefined;
    const m = this.keys.length;
    if (typeof v === 'number' && Number.isNaN(v)) return { from: 0, to: 0 };
    switch (op) {
      case '==': return { from: this.bound(v, false), to: this.bound(v, true) };
      case '<': return { from: 0, to: this.bound(v, false) };
      case '<=': return { from: 0, to: this.bound(v, true) };
      case '>': return { from: this.bound(v, true), to: m };
      case '>=': return { from: this.bound(v, false), to: m };
    }
  }

  /** Term positions of `lower (<|<=) x (<|<=) upper`; `undefined` for values not of this type. */
  betweenRange(lower: ScalarValue, lowerInclusive: boolean, upper: ScalarValue, upperInclusive: boolean): TermRange | undefined {
    const lo = this.compareRange(lowerInclusive ? '>=' : '>', lower);
    const hi = this.compareRange(upperInclusive ? '<=' : '<', upper);
    if (!lo || !hi) return undefined;
    if (lo.from === lo.to || hi.from === hi.to) return { from: 0, to: 0 }; // a NaN bound, or nothing on one side
    return { from: lo.from, to: Math.max(lo.from, hi.to) };
  }

  /** Term positions of the strings starting with `prefix` (contiguous in code-point order); `undefined` unless VarChar. */
  prefixRange(prefix: string): TermRange | undefined {
    if (this.kind !== 'string' || typeof prefix !== 'string') return undefined;
    const keys = this.keys as string[];
    const from = this.bound(prefix, false);
    let to = from;
    while (to < keys.length && keys[to].startsWith(prefix)) to++;
    return { from, to };
  }

  /** Sets in `out` the rows of the terms in `[from, to)`. */
  setRows(from: number, to: number, out: Bitset): void {
    const words = out.words;
    const { offsets, rows } = this;
    for (let p = offsets[from], end = offsets[to]; p < end; p++) {
      const r = rows[p];
      words[r >>> 5] |= 1 << (r & 31);
    }
  }

  /** Heap bytes of the terms and postings (strings counted at 2 bytes per code unit + 16). */
  memoryBytes(): number {
    let keyBytes: number;
    if (this.keys instanceof Float64Array || this.keys instanceof BigInt64Array) keyBytes = this.keys.byteLength;
    else keyBytes = this.keys.reduce((a, s) => a + 16 + 2 * s.length, 0);
    return keyBytes + this.offsets.byteLength + this.rows.byteLength + this.valid.words.byteLength;
  }
}

/** The key kind of a scalar (or Array element) data type. */
export function keyKindOf(dataType: string): KeyKind {
  return dataType === 'Int64' ? 'int64' : dataType === 'VarChar' ? 'string' : dataType === 'Bool' ? 'bool' : 'number';
}

/**
 * Builds the dictionary of a column of `numRows` rows.
 * @param column the field's column (`schema/types.ts` layout); for an Array field, one JS array per row.
 * @param valid the validity bitmap (1 = value), or `undefined` when every row has one.
 * @param isArray true for an Array field (terms are the elements).
 */
export function buildDictionary(kind: KeyKind, column: ArrayLike<unknown>, valid: Uint8Array | undefined, numRows: number, isArray: boolean): TermDictionary {
  const validBits = new Bitset(numRows);
  // 1. entries: (row, value) pairs in row order, nulls and NaNs left out.
  const entryRows: number[] = [];
  const entryValues: unknown[] = [];
  const numeric = (kind === 'number' || kind === 'bool') && !isArray ? new Float64Array(numRows) : null;
  const int64Column = kind === 'int64' && !isArray && column instanceof BigInt64Array ? column : null;
  let count = 0;
  for (let r = 0; r < numRows; r++) {
    if (valid && valid[r] === 0) continue;
    validBits.words[r >>> 5] |= 1 << (r & 31);
    if (isArray) {
      const arr = column[r] as readonly unknown[] | null | undefined;
      if (!arr) continue;
      for (const e of arr) {
        const v = typeof e === 'boolean' ? (e ? 1 : 0) : e;
        if (typeof v === 'number' && Number.isNaN(v)) continue;
        entryRows.push(r);
        entryValues.push(v);
      }
    } else if (int64Column) {
      entryRows.push(r);
    } else if (numeric) {
      const v = Number(column[r]);
      if (Number.isNaN(v)) continue;
      numeric[count] = v;
      entryRows.push(r);
      count++;
    } else {
      entryRows.push(r);
      entryValues.push(column[r]);
    }
  }
  const n = entryRows.length;
  const values: ArrayLike<unknown> = numeric ? numeric.subarray(0, n) : entryValues;
  // 2. distinct sorted terms and each entry's term position.
  const termOf = new Int32Array(n);
  let keys: KeyArray;
  if (kind === 'string') {
    const ids = new Map<string, number>();
    for (let i = 0; i < n; i++) {
      const s = values[i] as string;
      let id = ids.get(s);
      if (id === undefined) { id = ids.size; ids.set(s, id); }
      termOf[i] = id;
    }
    const distinct = [...ids.keys()];
    const order = distinct.map((_, i) => i).sort((a, b) => compareCodePoints(distinct[a], distinct[b]));
    const rank = new Int32Array(order.length);
    for (let k = 0; k < order.length; k++) rank[order[k]] = k;
    for (let i = 0; i < n; i++) termOf[i] = rank[termOf[i]];
    keys = order.map((i) => distinct[i]);
  } else if (int64Column) {
    keys = int64Terms(int64Column, entryRows, validBits, termOf);
  } else {
    const sorted = kind === 'int64' ? BigInt64Array.from(values as ArrayLike<bigint>).sort() : Float64Array.from(values as ArrayLike<number>).sort();
    keys = distinctSorted(sorted);
    const dict = new TermDictionary(kind, keys, new Int32Array(1), new Int32Array(0), validBits);
    for (let i = 0; i < n; i++) termOf[i] = dict.bound(values[i] as number | bigint, false);
  }
  // 3. postings by counting sort (rows stay ascending); an Array row counts once per term.
  const m = keys.length;
  const offsets = new Int32Array(m + 1);
  const lastRow = new Int32Array(m).fill(-1);
  const keep = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const k = termOf[i];
    if (lastRow[k] === entryRows[i]) continue;
    lastRow[k] = entryRows[i];
    keep[i] = 1;
    offsets[k + 1]++;
  }
  for (let k = 0; k < m; k++) offsets[k + 1] += offsets[k];
  const rows = new Int32Array(offsets[m]);
  const fill = offsets.slice(0, m);
  for (let i = 0; i < n; i++) if (keep[i]) rows[fill[termOf[i]]++] = entryRows[i];
  return new TermDictionary(kind, keys, offsets, rows, validBits);
}

/**
 * The distinct sorted values of the rows `entryRows` of an Int64 column, and (into `termOf`) each
 * entry's term position — copying and comparing 32-bit halves, with no bigint per row.
 */
function int64Terms(col: BigInt64Array, entryRows: readonly number[], validBits: Bitset, termOf: Int32Array): BigInt64Array {
  const n = entryRows.length;
  const ch = new Int32Array(col.buffer, col.byteOffset, col.length * 2);
  const sorted = new BigInt64Array(n);
  const sh = new Int32Array(sorted.buffer);
  for (let i = 0; i < n; i++) {
    const r = entryRows[i];
    sh[2 * i] = ch[2 * r];
    sh[2 * i + 1] = ch[2 * r + 1];
  }
  sorted.sort();
  let m = 0;
  for (let i = 0; i < n; i++) {
    if (m > 0 && sh[2 * i] === sh[2 * (m - 1)] && sh[2 * i + 1] === sh[2 * (m - 1) + 1]) continue;
    sh[2 * m] = sh[2 * i];
    sh[2 * m + 1] = sh[2 * i + 1];
    m++;
  }
  const keys = sorted.slice(0, m);
  const dict = new TermDictionary('int64', keys, new Int32Array(1), new Int32Array(0), validBits);
  for (let i = 0; i < n; i++) {
    const r = entryRows[i];
    termOf[i] = dict.boundHalves(ch[2 * r + HI], ch[2 * r + LO] >>> 0, false);
  }
  return keys;
}

/** The distinct values of an ascending typed array (−0 and 0 count as one). */
function distinctSorted<T extends Float64Array | BigInt64Array>(sorted: T): T {
  let m = 0;
  for (let i = 0; i < sorted.length; i++) if (i === 0 || sorted[i] !== sorted[m - 1]) sorted[m++] = sorted[i];
  return sorted.slice(0, m) as T;
}
