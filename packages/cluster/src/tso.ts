import type { Clock } from '@shoal/actors';

/** Bits of the logical counter in a hybrid timestamp (Milvus TSO: `physicalMs << 18 | logical`). */
export const LOGICAL_BITS = 18n;
const LOGICAL_MAX = (1 << 18) - 1;

/** Composes a hybrid timestamp from wall-clock ms and a logical counter (0 ≤ logical < 2^18). */
export function composeTs(physicalMs: number, logical = 0): bigint {
  return (BigInt(Math.floor(physicalMs)) << LOGICAL_BITS) | BigInt(logical);
}

/** The wall-clock ms part of a hybrid timestamp. */
export function physicalMs(ts: bigint): number {
  return Number(ts >> LOGICAL_BITS);
}

/**
 * The timestamp oracle (DESIGN.md, "Timestamps and consistency"): issues strictly increasing
 * 64-bit hybrid timestamps `physicalMs << 18 | logical`. Timestamps are issued only below a
 * persisted upper bound (the window): before going past it, the oracle persists a new bound
 * `now + windowMs`, so after a restart (or, later, a leader change) it starts above every
 * timestamp it could have issued, even if the wall clock went backwards.
 */
export class TimestampOracle {
  private readonly clock: Clock;
  private readonly persistUpperMs: (ms: number) => Promise<void>;
  private readonly windowMs: number;
  private upperMs: number;
  private lastPhysical: number;
  private lastLogical = -1;
  private extending: Promise<void> | null = null;

  /**
   * @param clock wall clock.
   * @param persistedUpperMs the bound persisted before the restart (0 for a new cluster).
   * @param persistUpperMs durably records a new bound (ms) before it is used.
   * @param windowMs how far ahead of the clock each persisted bound is (default 3000 ms).
   */
  constructor(clock: Clock, persistedUpperMs: number, persistUpperMs: (ms: number) => Promise<void>, windowMs = 3000) {
    this.clock = clock;
    this.persistUpperMs = persistUpperMs;
    this.windowMs = windowMs;
    this.upperMs = persistedUpperMs;
    this.lastPhysical = persistedUpperMs; // everything at or below it may have been issued before
  }

  /** A new timestamp, greater than every one issued before (including before a restart). */
  async next(): Promise<bigint> {
    for (;;) {
      const ts = this.tryNext();
      if (ts !== null) return ts;
      this.extending ??= this.extend().finally(() => { this.extending = null; });
      await this.extending;
    }
  }

  private tryNext(): bigint | null {
    const now = Math.floor(this.clock.nowMs());
    let physical = Math.max(now, this.lastPhysical);
    let logical = physical === this.lastPhysical ? this.lastLogical + 1 : 0;
    if (logical > LOGICAL_MAX) { physical += 1; logical = 0; }
    if (physical >= this.upperMs) return null;
    this.lastPhysical = physical;
    this.lastLogical = logical;
    return composeTs(physical, logical);
  }

  private async extend(): Promise<void> {
    const upper = Math.max(Math.floor(this.clock.nowMs()), this.lastPhysical + 1) + this.windowMs;
    await this.persistUpperMs(upper);
    this.upperMs = upper;
  }
}
