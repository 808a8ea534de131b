import type { Bitset as BitsetView } from './types.ts';

/**
 * A fixed-size bitset over row offsets `0..size−1`, backed by a `Uint32Array` (bit `i` is bit
 * `i & 31` of word `i >>> 5`). Set = the row passes (the opposite of Milvus's internal
 * "filtered out" bitsets, chosen so that filters compose with plain `and`).
 */
export class Bitset implements BitsetView {
  /** Backing words; bits past `size` in the last word are always 0. */
  readonly words: Uint32Array;

  /** Number of bits. */
  readonly size: number;

  /** An all-clear bitset of `size` bits (size ≥ 0). */
  constructor(size: number) {
    this.size = size;
    if (!Number.isInteger(size) || size < 0) throw new RangeError(`Bitset size must be a non-negative integer, got ${size}`);
    this.words = new Uint32Array((size + 31) >>> 5);
  }

  /** A bitset of `size` bits, all set. */
  static full(size: number): Bitset {
    const b = new Bitset(size);
    b.words.fill(0xffffffff);
    b.trimTail();
    return b;
  }

  /** True if bit `i` is set. `i` out of range reads as false. */
  get(i: number): boolean {
    return i >= 0 && i < this.size && (this.words[i >>> 5] & (1 << (i & 31))) !== 0;
  }

  /** Sets bit `i` (0 ≤ i < size; out-of-range throws `RangeError`). */
  set(i: number): void {
    this.check(i);
    this.words[i >>> 5] |= 1 << (i & 31);
  }

  /** Clears bit `i` (0 ≤ i < size; out-of-range throws `RangeError`). */
  clear(i: number): void {
    this.check(i);
    this.words[i >>> 5] &= ~(1 << (i & 31));
  }

  /** In place: this = this AND other. Sizes must match. Returns this. */
  and(other: Bitset): this {
    this.sameSize(other);
    for (let w = 0; w < this.words.length; w++) this.words[w] &= other.words[w];
    return this;
  }

  /** In place: this = this OR other. Sizes must match. Returns this. */
  or(other: Bitset): this {
    this.sameSize(other);
    for (let w = 0; w < this.words.length; w++) this.words[w] |= other.words[w];
    return this;
  }

  /** In place: this = NOT this (within `size`). Returns this. */
  not(): this {
    for (let w = 0; w < this.words.length; w++) this.words[w] = ~this.words[w];
    this.trimTail();
    return this;
  }

  /** A copy of this bitset. */
  clone(): Bitset {
    const b = new Bitset(this.size);
    b.words.set(this.words);
    return b;
  }

  /** Number of set bits (population count). */
  count(): number {
    let n = 0;
    for (let w = 0; w < this.words.length; w++) {
      let v = this.words[w];
      v = v - ((v >>> 1) & 0x55555555);
      v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
      n += (((v + (v >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
    }
    return n;
  }

  /** Calls `fn` with each set bit's index, ascending. */
  forEach(fn: (i: number) => void): void {
    for (let w = 0; w < this.words.length; w++) {
      let v = this.words[w];
      while (v !== 0) {
        const t = v & -v;
        fn((w << 5) + (31 - Math.clz32(t)));
        v ^= t;
      }
    }
  }

  private trimTail(): void {
    const rem = this.size & 31;
    if (rem !== 0) this.words[this.words.length - 1] &= (1 << rem) - 1;
  }

  private check(i: number): void {
    if (!Number.isInteger(i) || i < 0 || i >= this.size) throw new RangeError(`bit ${i} out of range [0, ${this.size})`);
  }

  private sameSize(other: Bitset): void {
    if (other.size !== this.size) throw new RangeError(`bitset sizes differ: ${this.size} vs ${other.size}`);
  }
}
