/**
 * The common result shape of every simulator checker: a checker is a pure function over a
 * recorded history or trace that either accepts it or names the first violation it found.
 */

/** The history or trace satisfies the property. */
export interface CheckPassed {
  readonly ok: true;
}

/**
 * The property does not hold, or (when `undecided` is true) the checker gave up before deciding.
 * `violation` is a precise human-readable explanation naming nodes, terms, indexes, keys and
 * operations; `details` carries machine-readable context for tooling (shape depends on checker).
 */
export interface CheckFailed {
  readonly ok: false;
  readonly violation: string;
  /** True when the checker ran out of its search budget: neither a pass nor a proven violation. */
  readonly undecided?: boolean;
  readonly details?: unknown;
}

/** Outcome of one checker run: {@link CheckPassed} or {@link CheckFailed}. */
export type CheckResult = CheckPassed | CheckFailed;

/** The shared passing result. */
export const PASSED: CheckPassed = { ok: true };
