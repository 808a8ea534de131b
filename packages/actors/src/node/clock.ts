import type { Clock, TimerHandle, Timers } from '../env.ts';

/**
 * The real clock of a node: wall time from `Date.now()` (ms since the Unix epoch), monotonic time
 * from `performance.now()` (ms, fractional, since process start).
 */
export const realClock: Clock = {
  nowMs: () => Date.now(),
  monotonicMs: () => performance.now(),
};

/**
 * Real one-shot timers on Node's `setTimeout`. Handles carry a per-instance counter id; a cleared
 * or fired handle is forgotten, so `clear` on it is a no-op.
 */
export class RealTimers implements Timers {
  private readonly active = new Map<number, ReturnType<typeof setTimeout>>();
  private nextId = 1;

  /**
   * Runs `fn` once after `delayMs` ms.
   * @throws RangeError if `delayMs` is negative or not finite.
   */
  set(delayMs: number, fn: () => void): TimerHandle {
    if (!(delayMs >= 0 && Number.isFinite(delayMs))) {
      throw new RangeError(`timer delay must be a finite number of ms ≥ 0, got ${delayMs}`);
    }
    const id = this.nextId++;
    this.active.set(
      id,
      setTimeout(() => {
        this.active.delete(id);
        fn();
      }, delayMs),
    );
    return { id };
  }

  /** Cancels the timer of `handle`; a no-op if it already ran or was cleared. */
  clear(handle: TimerHandle): void {
    const timeout = this.active.get(handle.id);
    if (timeout === undefined) return;
    clearTimeout(timeout);
    this.active.delete(handle.id);
  }

  /** Resolves after `delayMs` ms. @throws RangeError (synchronously) on a bad delay. */
  sleep(delayMs: number): Promise<void> {
    return new Promise((resolve) => {
      this.set(delayMs, resolve);
    });
  }
}
