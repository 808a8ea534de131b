/**
 * A node's simulated hardware clock and its timers on the virtual clock, with drift (a rate error
 * in parts per million) and wall-clock jumps (DESIGN.md, "Testing": clock skew).
 */
import type { Clock, TimerHandle, Timers } from '@shoal/actors';
import type { EventHandle, Scheduler } from './scheduler.ts';

/** Largest drift magnitude accepted, in ppm (±10 %: far beyond real quartz, enough to stress timeouts). */
export const MAX_DRIFT_PPM = 100_000;

/**
 * One node's clock. Local elapsed time runs at rate `1 + driftPpm / 1e6` of virtual time and is
 * continuous when the drift changes; `monotonicMs()` is that local elapsed time (never backwards);
 * `nowMs()` is `wallOriginMs + offsetMs + monotonicMs()`, where {@link SimClock.jump} moves
 * `offsetMs` (forwards or backwards, as NTP stepping a real clock would). The clock belongs to the
 * machine: it survives the node's crashes and restarts.
 */
export class SimClock implements Clock {
  readonly #scheduler: Scheduler;
  readonly #wallOriginMs: number;
  #offsetMs = 0;
  #rate = 1;
  /** Local time at virtual time `#baseVirtualMs`. */
  #baseLocalMs = 0;
  #baseVirtualMs = 0;

  /**
   * @param wallOriginMs wall time (ms since the epoch) at virtual time 0.
   * @param driftPpm initial drift, |drift| ≤ {@link MAX_DRIFT_PPM}.
   * @throws RangeError on a bad drift.
   */
  constructor(scheduler: Scheduler, wallOriginMs: number, driftPpm = 0) {
    this.#scheduler = scheduler;
    this.#wallOriginMs = wallOriginMs;
    this.setDrift(driftPpm);
  }

  /** Wall time in ms since the epoch (jumps with {@link SimClock.jump}). */
  nowMs(): number {
    return this.#wallOriginMs + this.#offsetMs + this.monotonicMs();
  }

  /** Local elapsed ms (drifting, never backwards). */
  monotonicMs(): number {
    return this.#baseLocalMs + (this.#scheduler.nowMs - this.#baseVirtualMs) * this.#rate;
  }

  /** Current drift rate multiplier (local ms per virtual ms). */
  get rate(): number {
    return this.#rate;
  }

  /** Changes the drift from now on, keeping local time continuous. @throws RangeError if |ppm| > {@link MAX_DRIFT_PPM}. */
  setDrift(driftPpm: number): void {
    if (!Number.isFinite(driftPpm) || Math.abs(driftPpm) > MAX_DRIFT_PPM) {
      throw new RangeError(`SimClock: drift must be within ±${MAX_DRIFT_PPM} ppm, got ${driftPpm}`);
    }
    this.#baseLocalMs = this.monotonicMs();
    this.#baseVirtualMs = this.#scheduler.nowMs;
    this.#rate = 1 + driftPpm / 1e6;
  }

  /** Steps the wall clock by `deltaMs` (may be negative); the monotonic clock is unaffected. */
  jump(deltaMs: number): void {
    this.#offsetMs += deltaMs;
  }

  /** Virtual ms that pass while this clock's local time advances by `localMs`. */
  toVirtualMs(localMs: number): number {
    return localMs / this.#rate;
  }
}

/**
 * The {@link Timers} of one node incarnation: delays are in the node's local (drifting) time and
 * run on the scheduler. {@link SimTimers.kill} cancels every pending timer (a crash): later `set`
 * calls are ignored and `sleep` never resolves, as nothing runs in a dead process.
 */
export class SimTimers implements Timers {
  readonly #scheduler: Scheduler;
  readonly #clock: SimClock;
  readonly #pending = new Map<number, EventHandle>();
  #nextId = 1;
  #dead = false;

  constructor(scheduler: Scheduler, clock: SimClock) {
    this.#scheduler = scheduler;
    this.#clock = clock;
  }

  /** Runs `fn` after `delayMs` local ms. @throws RangeError if `delayMs` is negative or not finite. */
  set(delayMs: number, fn: () => void): TimerHandle {
    if (!Number.isFinite(delayMs) || delayMs < 0) throw new RangeError(`Timers.set: delay must be a finite number ≥ 0, got ${delayMs}`);
    const id = this.#nextId++;
    if (this.#dead) return { id };
    const ev = this.#scheduler.after(this.#clock.toVirtualMs(delayMs), () => {
      this.#pending.delete(id);
      fn();
    });
    this.#pending.set(id, ev);
    return { id };
  }

  /** Cancels a timer; a no-op if it already ran or was cleared. */
  clear(handle: TimerHandle): void {
    const ev = this.#pending.get(handle.id);
    if (ev === undefined) return;
    this.#scheduler.cancel(ev);
    this.#pending.delete(handle.id);
  }

  /** Resolves after `delayMs` local ms (never, once killed). */
  sleep(delayMs: number): Promise<void> {
    return new Promise((resolve) => this.set(delayMs, resolve));
  }

  /** Cancels every pending timer and ignores future ones (the process died). */
  kill(): void {
    this.#dead = true;
    for (const ev of this.#pending.values()) this.#scheduler.cancel(ev);
    this.#pending.clear();
  }
}
