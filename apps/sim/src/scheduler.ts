/**
 * The simulator's deterministic scheduler: a virtual clock and one event queue, run on the single
 * JS thread (DESIGN.md, "Testing"; the FoundationDB / TigerBeetle deterministic-simulation style).
 */

/** Handle of a scheduled event, for {@link Scheduler.cancel}; `id` is unique within its scheduler. */
export type EventHandle = { readonly id: number };

/**
 * One queued event (also its {@link EventHandle}, `id` being its insertion sequence): runs `fn`
 * at virtual time `timeMs`; ties broken by `id`. `done` once it ran or was cancelled.
 */
interface Entry {
  readonly timeMs: number;
  readonly id: number;
  readonly fn: () => void;
  done: boolean;
  /** The scheduler that queued it (a handle of another scheduler is not cancelled). */
  readonly owner: Scheduler;
}

/**
 * A virtual clock (ms, starting at 0, never real time) and a queue of events ordered by time,
 * then by insertion sequence, so that two events at the same instant run in the order they were
 * scheduled. {@link Scheduler.runUntil} runs one event at a time and lets every promise chain it
 * started settle (all microtasks drain) before the next event: async code in the nodes (a
 * `MemoryDisk` call, an awaited reply) therefore runs at the virtual instant of its event, and
 * the whole run is a pure function of the events and the seed.
 *
 * The queue is a binary min-heap (O(log n) per insert and pop).
 */
export class Scheduler {
  #now = 0;
  #seq = 0;
  #heap: Entry[] = [];
  /** Events queued and neither run nor cancelled. */
  #live = 0;

  /** Current virtual time in ms since the start of the run. */
  get nowMs(): number {
    return this.#now;
  }

  /** Number of events queued and not cancelled. */
  get pending(): number {
    return this.#live;
  }

  /**
   * Schedules `fn` at virtual time `timeMs`.
   * @throws RangeError if `timeMs` is not a finite number ≥ the current time.
   */
  at(timeMs: number, fn: () => void): EventHandle {
    if (!Number.isFinite(timeMs) || timeMs < this.#now) {
      throw new RangeError(`Scheduler.at: time must be a finite number ≥ now (${this.#now} ms), got ${timeMs}`);
    }
    const entry: Entry = { timeMs, id: this.#seq++, fn, done: false, owner: this };
    this.#push(entry);
    this.#live++;
    return entry;
  }

  /** Schedules `fn` `delayMs` (finite, ≥ 0) ms from now. @throws RangeError on a bad delay. */
  after(delayMs: number, fn: () => void): EventHandle {
    if (!Number.isFinite(delayMs) || delayMs < 0) throw new RangeError(`Scheduler.after: delay must be a finite number ≥ 0, got ${delayMs}`);
    return this.at(this.#now + delayMs, fn);
  }

  /** Cancels an event; a no-op if it already ran or was cancelled. */
  cancel(handle: EventHandle): void {
    const entry = handle as Entry;
    if (entry.owner !== this || entry.done) return;
    entry.done = true;
    this.#live--;
  }

  /**
   * Runs every event due at or before `endMs` in (time, sequence) order, draining microtasks after
   * each (through `process.nextTick`, without an event-loop turn; a real turn every {@link TURN_EVERY}
   * events and before settling), then advances the clock to `endMs`. Events scheduled while running are run too if due.
   * An exception thrown by an event propagates (the run stops there; the clock stays at its time).
   * `maxEvents` bounds the events this call may run: a system stuck in a message storm or a
   * busy loop (virtual time crawling) is reported instead of running for hours. Node reports an
   * unhandled promise rejection at the next real turn: at most {@link TURN_EVERY} events late, and
   * always before the returned promise settles.
   * @returns the number of events run.
   * @throws RangeError if `endMs` is before the current time; Error `event storm` once more than
   *   `maxEvents` events ran.
   */
  runUntil(endMs: number, maxEvents = Infinity): Promise<number> {
    if (!(endMs >= this.#now)) return Promise.reject(new RangeError(`Scheduler.runUntil: end ${endMs} ms is before now (${this.#now} ms)`));
    return new Promise<number>((resolve, reject) => {
      let ran = 0;
      const step = (): void => {
        try {
          for (;;) {
            const top = this.#heap[0];
            if (top === undefined || top.timeMs > endMs) {
              this.#now = endMs;
              setImmediate(() => resolve(ran));
              return;
            }
            if (ran >= maxEvents) throw new Error(`event storm: more than ${maxEvents} events before ${endMs} ms (livelock or message storm)`);
            this.#pop();
            if (top.done) continue;
            top.done = true;
            this.#live--;
            this.#now = top.timeMs;
            top.fn();
            ran++;
            break;
          }
        } catch (err) {
          setImmediate(() => reject(err));
          return;
        }
        if (ran % TURN_EVERY === 0) setImmediate(step);
        else queueMicrotask(stepAfterMicrotasks);
      };
      // Runs after the microtasks queued before it and puts `step` on Node's `process.nextTick`
      // queue, which Node runs only once V8's microtask queue is empty again
      // (`processTicksAndRejections`: ticks, then `runMicrotasks()` to exhaustion, repeat), so
      // `step` runs once every microtask the event queued, and every one those queued, has run,
      // without a turn of the event loop. Nothing else can run in between: simulated code has no
      // real I/O or real timers.
      const stepAfterMicrotasks = (): void => {
        process.nextTick(step);
      };
      setImmediate(step);
    });
  }

  #less(a: Entry, b: Entry): boolean {
    return a.timeMs < b.timeMs || (a.timeMs === b.timeMs && a.id < b.id);
  }

  #push(entry: Entry): void {
    const h = this.#heap;
    let i = h.length;
    h.push(entry);
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.#less(entry, h[p])) break;
      h[i] = h[p];
      i = p;
    }
    h[i] = entry;
  }

  #pop(): void {
    const h = this.#heap;
    const last = h.pop() as Entry;
    const n = h.length;
    if (n === 0) return;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const m = r < n && this.#less(h[r], h[l]) ? r : l;
      if (!this.#less(h[m], last)) break;
      h[i] = h[m];
      i = m;
    }
    h[i] = last;
  }
}

/**
 * Events run between two real event-loop turns: a turn lets Node report unhandled promise
 * rejections (`unhandledRejection` fires only when its tick queue is empty) and lets V8 run its
 * foreground tasks (incremental GC); one turn per 64 events costs little.
 */
const TURN_EVERY = 64;
