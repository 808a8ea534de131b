/**
 * The simulator's tree of seeded random streams: every random choice of a run (network faults,
 * disk faults, the fault schedule, each node incarnation's `env.random`, the workload) draws from
 * its own stream, derived from the run seed and a path, so that one seed fixes the whole run and
 * an extra draw in one stream never shifts another.
 */
import { SeededRandom } from '@shoal/actors';
import type { Random } from '@shoal/actors';

/**
 * The stream at `path` below run seed `seed`: a `SeededRandom` (xoshiro128**, SplitMix64-seeded)
 * whose seed string is `shoal-sim/<seed>/<path joined by '/'>`, hashed by FNV-1a 64 inside
 * `SeededRandom`. Example: `deriveRandom(7, 'node', 'n2', 'incarnation', 1)`.
 * @throws RangeError if `seed` is not a safe integer.
 */
export function deriveRandom(seed: number, ...path: (string | number)[]): SeededRandom {
  if (!Number.isSafeInteger(seed)) throw new RangeError(`deriveRandom: seed must be a safe integer, got ${seed}`);
  return new SeededRandom(`shoal-sim/${seed}/${path.join('/')}`);
}

/** True with probability `p` (clamped to [0, 1]); draws once even for p = 0 or 1, so streams stay aligned. */
export function chance(random: Random, p: number): boolean {
  return random.next() < p;
}

/** A sample of the exponential distribution with mean `meanMs` (≥ 0) by inversion: −mean·ln(1 − u). */
export function exponential(random: Random, meanMs: number): number {
  return -meanMs * Math.log(1 - random.next());
}

/** A float uniform in [lo, hi). */
export function uniform(random: Random, lo: number, hi: number): number {
  return lo + (hi - lo) * random.next();
}

/** A uniformly chosen element of a non-empty array. @throws RangeError if it is empty. */
export function pick<T>(random: Random, items: readonly T[]): T {
  if (items.length === 0) throw new RangeError('pick: no items to choose from');
  return items[random.int(items.length)];
}
