/**
 * Option parsers shared by `shoal import` and `shoal bench` (commander argument parsers).
 */
import { InvalidArgumentError } from 'commander';
import type { MetricType } from '@shoal/client';

/** Metrics the CLI accepts (those Shoal implements). */
export const METRICS: readonly MetricType[] = ['L2', 'IP', 'COSINE'];

/** Parser of an integer option ≥ `min`; throws commander's `InvalidArgumentError` naming the option. */
export function intOption(name: string, min: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (value.trim() === '' || !Number.isSafeInteger(n) || n < min) {
      throw new InvalidArgumentError(`${name} must be an integer ≥ ${min}, got "${value}"`);
    }
    return n;
  };
}

/**
 * Parses a comma-separated list of positive integers (e.g. `16,32,64`). Throws
 * `InvalidArgumentError` on an empty list or any other entry.
 */
export function intListOption(name: string): (value: string) => number[] {
  return (value) => {
    const parts = value.split(',').map((p) => p.trim());
    const parse = intOption(name, 1);
    if (parts.length === 0 || parts.some((p) => p === '')) throw new InvalidArgumentError(`${name} must be a comma-separated list of positive integers, got "${value}"`);
    return parts.map(parse);
  };
}
