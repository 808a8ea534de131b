import type { Random } from './env.ts';

const TWO_POW_32 = 0x1_0000_0000;
const TWO_POW_53 = 2 ** 53;
const MASK_64 = (1n << 64n) - 1n;

/**
 * A fast seeded pseudo-random generator: xoshiro128** 1.1 by David Blackman and Sebastiano Vigna
 * (2018, https://prng.di.unimi.it/xoshiro128starstar.c), 128 bits of state, period 2^128 − 1.
 *
 * Seeding follows the authors' advice: the seed is expanded into the 128-bit state with
 * SplitMix64 (https://prng.di.unimi.it/splitmix64.c). A string seed is first hashed to 64 bits
 * with FNV-1a 64 (Fowler–Noll–Vo, http://www.isthe.com/chongo/tech/comp/fnv/) over its UTF-8
 * bytes. The same seed always gives the same sequence, on every platform: this is what makes a
 * simulation replay bit for bit (DESIGN.md, "The determinism rule"). Not cryptographically secure.
 */
export class SeededRandom implements Random {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  /**
   * @param seed a safe integer (e.g. a 32-bit seed; negative values are taken modulo 2^64) or any
   *   string.
   * @throws RangeError if a numeric seed is not a safe integer.
   */
  constructor(seed: number | string) {
    let x: bigint;
    if (typeof seed === 'string') {
      x = fnv1a64(seed);
    } else {
      if (!Number.isSafeInteger(seed)) {
        throw new RangeError(`SeededRandom: seed must be a safe integer or a string, got ${seed}`);
      }
      x = BigInt.asUintN(64, BigInt(seed));
    }
    const a = splitMix64((x + SPLITMIX_GAMMA) & MASK_64);
    const b = splitMix64((x + 2n * SPLITMIX_GAMMA) & MASK_64);
    this.s0 = Number(a & 0xffff_ffffn);
    this.s1 = Number(a >> 32n);
    this.s2 = Number(b & 0xffff_ffffn);
    this.s3 = Number(b >> 32n);
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1; // the all-zero state is a fixed point
  }

  /**
   * A generator with an explicit xoshiro128** state (four unsigned 32-bit words, not all zero),
   * e.g. to check against the reference implementation's output.
   * @throws RangeError if a word is not a 32-bit unsigned integer or all words are zero.
   */
  static fromState(state: readonly [number, number, number, number]): SeededRandom {
    for (const w of state) {
      if (!Number.isInteger(w) || w < 0 || w >= TWO_POW_32) {
        throw new RangeError(`SeededRandom.fromState: words must be unsigned 32-bit integers, got ${w}`);
      }
    }
    if (state.every((w) => w === 0)) throw new RangeError('SeededRandom.fromState: the state must not be all zero');
    const r = new SeededRandom(0);
    [r.s0, r.s1, r.s2, r.s3] = state;
    return r;
  }

  /** The next unsigned 32-bit integer of the xoshiro128** sequence. */
  nextU32(): number {
    const s1 = this.s1;
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** A float uniform in [0, 1) with 53 random bits (two draws). */
  next(): number {
    return this.next53() / TWO_POW_53;
  }

  /**
   * An integer uniform in [0, n) without modulo bias (rejection sampling).
   * @param n an integer with 1 ≤ n ≤ 2^53.
   * @throws RangeError otherwise.
   */
  int(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > TWO_POW_53) {
      throw new RangeError(`SeededRandom.int: n must be an integer in [1, 2^53], got ${n}`);
    }
    if (n <= TWO_POW_32) {
      // Accept draws below the largest multiple of n that fits in 2^32.
      const limit = TWO_POW_32 - (TWO_POW_32 % n);
      for (;;) {
        const x = this.nextU32();
        if (x < limit) return x % n;
      }
    }
    const limit = TWO_POW_53 - (TWO_POW_53 % n);
    for (;;) {
      const x = this.next53();
      if (x < limit) return x % n;
    }
  }

  /** `n` (≥ 0, integer) random bytes, four per 32-bit draw, little-endian. @throws RangeError on a bad `n`. */
  bytes(n: number): Uint8Array {
    if (!Number.isInteger(n) || n < 0) throw new RangeError(`SeededRandom.bytes: n must be an integer ≥ 0, got ${n}`);
    const out = new Uint8Array(n);
    let i = 0;
    for (; i + 4 <= n; i += 4) {
      const x = this.nextU32();
      out[i] = x & 0xff;
      out[i + 1] = (x >>> 8) & 0xff;
      out[i + 2] = (x >>> 16) & 0xff;
      out[i + 3] = x >>> 24;
    }
    if (i < n) {
      let x = this.nextU32();
      for (; i < n; i++, x >>>= 8) out[i] = x & 0xff;
    }
    return out;
  }

  /** A uniform integer in [0, 2^53) from the top 26 and 27 bits of two draws. */
  private next53(): number {
    const hi = this.nextU32() >>> 6;
    const lo = this.nextU32() >>> 5;
    return hi * 0x800_0000 + lo;
  }
}

const SPLITMIX_GAMMA = 0x9e37_79b9_7f4a_7c15n;

/** The SplitMix64 output function (Steele, Lea, Flood 2014), applied to state `z`. */
function splitMix64(z: bigint): bigint {
  z = ((z ^ (z >> 30n)) * 0xbf58_476d_1ce4_e5b9n) & MASK_64;
  z = ((z ^ (z >> 27n)) * 0x94d0_49bb_1331_11ebn) & MASK_64;
  return z ^ (z >> 31n);
}

/** FNV-1a 64-bit hash of the UTF-8 bytes of `s`. */
function fnv1a64(s: string): bigint {
  let h = 0xcbf2_9ce4_8422_2325n;
  for (const byte of new TextEncoder().encode(s)) {
    h = ((h ^ BigInt(byte)) * 0x100_0000_01b3n) & MASK_64;
  }
  return h;
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
