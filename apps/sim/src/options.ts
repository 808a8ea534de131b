/**
 * Parsers of the `shoal-sim` command line values: durations (`30s`), seeds and seed ranges
 * (`1..100`), positive integers, and the `--mutate` name check.
 */
import { invalidParameter } from '@shoal/actors';
import type { SystemUnderTest } from './system.ts';

const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/**
 * Parses a duration: a non-negative decimal number followed by `ms`, `s`, `m` or `h`
 * (`30s`, `1.5m`, `250ms`); a bare number means seconds. Returns milliseconds.
 * @throws ShoalError ParameterInvalid naming `option` and the accepted forms.
 */
export function parseDuration(option: string, text: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (m === null) throw invalidParameter(`${option} must be a duration such as 30s, 1.5m, 250ms or 2h, got ${JSON.stringify(text)}`);
  return Number(m[1]) * UNIT_MS[m[2] ?? 's'];
}

/** Parses a seed: a safe integer ≥ 0. @throws ShoalError ParameterInvalid naming `option`. */
export function parseSeed(option: string, text: string): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n)) throw invalidParameter(`${option} must be an integer in [0, 2^53), got ${JSON.stringify(text)}`);
  return n;
}

/** Parses `A..B` (inclusive, A ≤ B, both seeds) into `[A, B]`. @throws ShoalError ParameterInvalid. */
export function parseSeedRange(option: string, text: string): [number, number] {
  const parts = text.split('..');
  if (parts.length !== 2) throw invalidParameter(`${option} must be a range A..B of seeds, e.g. 1..100, got ${JSON.stringify(text)}`);
  const a = parseSeed(option, parts[0]);
  const b = parseSeed(option, parts[1]);
  if (a > b) throw invalidParameter(`${option}: the range ${text} is empty (A must be ≤ B)`);
  return [a, b];
}

/** Parses an integer in [1, max]. @throws ShoalError ParameterInvalid naming `option` and the range. */
export function parseIntInRange(option: string, text: string, max: number): number {
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || n < 1 || n > max) throw invalidParameter(`${option} must be an integer in [1, ${max}], got ${JSON.stringify(text)}`);
  return n;
}

/**
 * Checks a `--mutate` name against the system's known mutations.
 * @throws ShoalError ParameterInvalid listing the known names (or saying there are none).
 */
export function checkMutation(system: SystemUnderTest, name: string): string {
  if (system.mutations.includes(name)) return name;
  const known = system.mutations.length === 0 ? `${system.name} has no mutations` : `known mutations: ${system.mutations.join(', ')}`;
  throw invalidParameter(`--mutate: unknown mutation ${JSON.stringify(name)}; ${known}`);
}
