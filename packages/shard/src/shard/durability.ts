/**
 * Tracks which writes of a shard are durable (their log record fsync'd), in log order, and lets
 * readers wait for the *serviceable timestamp* (DESIGN.md, "Timestamps and consistency") to pass
 * their guarantee timestamp: every write at or below it durable.
 */
export class DurabilityTracker {
  private readonly pending: { ts: bigint; lsn: bigint; done: boolean }[] = [];
  private durableLsn = 0n;
  private failure: unknown = null;
  private waiters: { ready: () => boolean; resolve: () => void; reject: (e: unknown) => void }[] = [];

  /**
   * Registers the write at `ts` with log position `lsn`, durable when `appended` resolves.
   * Returns a promise that settles like `appended`.
   */
  track(ts: bigint, lsn: bigint, appended: Promise<unknown>): Promise<void> {
    const entry = { ts, lsn, done: false };
    this.pending.push(entry);
    return appended.then(
      () => { entry.done = true; this.settle(); },
      (err: unknown) => { this.failure ??= err; this.settle(); throw err; },
    );
  }

  /**
   * The serviceable timestamp given the current time `nowTs`: just below the oldest write not yet
   * durable, or `nowTs` if every write is durable.
   */
  serviceableTs(nowTs: bigint): bigint {
    if (this.pending.length === 0) return nowTs;
    const below = this.pending[0].ts - 1n;
    return below < nowTs ? below : nowTs;
  }

  /** Resolves when no pending write has a timestamp ≤ `ts`; rejects if the log failed first. */
  waitTs(ts: bigint): Promise<void> {
    return this.wait(() => this.pending.length === 0 || this.pending[0].ts > ts);
  }

  /** Resolves when every record with log position ≤ `lsn` is durable. */
  waitLsn(lsn: bigint): Promise<void> {
    return this.wait(() => this.durableLsn >= lsn || (this.pending.length === 0 || this.pending[0].lsn > lsn));
  }

  /** Resolves when nothing is pending. */
  drain(): Promise<void> {
    return this.wait(() => this.pending.length === 0).catch(() => undefined);
  }

  private wait(ready: () => boolean): Promise<void> {
    if (ready()) return Promise.resolve();
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => this.waiters.push({ ready, resolve, reject }));
  }

  private settle(): void {
    while (this.pending.length > 0 && this.pending[0].done) this.durableLsn = this.pending.shift()!.lsn;
    const still: typeof this.waiters = [];
    for (const w of this.waiters) {
      if (w.ready()) w.resolve();
      else if (this.failure) w.reject(this.failure);
      else still.push(w);
    }
    this.waiters = still;
  }
}
