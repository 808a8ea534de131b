/**
 * Helpers shared by the MIT 6.824 lab test files (lab-2ab.test.ts, lab-2cd.test.ts): the
 * original's random commands and strings from a seeded source, and config.go's cleanup check.
 */
import { SeededRandom } from '@shoal/actors';
import { expect } from 'vitest';
import type { LabCluster } from './lab-harness.ts';

/** Random helpers of the original tests over one seeded stream. */
export function labRandom(seed: number): { rand: (k: number) => number; rcmd: () => string; randstring: (n: number) => string } {
  const rng = new SeededRandom(seed);
  /** rand.Int() % k. */
  const rand = (k: number): number => Math.floor(rng.next() * k);
  /** A random command, like rand.Int() in the original. */
  const rcmd = (): string => String(rand(1_000_000_000));
  const randstring = (n: number): string => {
    let s = '';
    while (s.length < n) s += rand(36 ** 6).toString(36);
    return s.slice(0, n);
  };
  return { rand, rcmd, randstring };
}

/** config.go cleanup: no applier saw a disagreement or an out-of-order apply. */
export function finish(cfg: LabCluster): void {
  expect(cfg.errors).toEqual([]);
}
