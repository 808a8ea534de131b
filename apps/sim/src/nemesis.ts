/**
 * The fault schedule ("nemesis", after Jepsen): at exponentially distributed intervals it injects
 * one fault of an enabled kind — a symmetric partition, a one-way link cut, a clogged link, a
 * crash with a later restart, a wall-clock jump, a drift change — and undoes it after an
 * exponentially distributed duration. Every choice comes from the run's `nemesis` stream.
 */
import type { Random } from '@shoal/actors';
import type { SimCluster } from './cluster.ts';
import type { ScheduleFaults } from './faults.ts';
import { exponential, pick, uniform } from './random-tree.ts';
import type { EventHandle, Scheduler } from './scheduler.ts';
import type { SimNetwork } from './sim-network.ts';
import type { Trace } from './trace.ts';

/** Drives the fault schedule of one run. */
export class Nemesis {
  readonly #scheduler: Scheduler;
  readonly #random: Random;
  readonly #cluster: SimCluster;
  readonly #network: SimNetwork;
  readonly #trace: Trace;
  readonly #faults: ScheduleFaults;
  readonly #pending = new Set<EventHandle>();
  #stopped = false;

  constructor(scheduler: Scheduler, random: Random, cluster: SimCluster, network: SimNetwork, trace: Trace, faults: ScheduleFaults) {
    this.#scheduler = scheduler;
    this.#random = random;
    this.#cluster = cluster;
    this.#network = network;
    this.#trace = trace;
    this.#faults = faults;
  }

  /** Schedules the first fault (nothing happens if no kind is enabled). */
  start(): void {
    if (this.#faults.kinds.length > 0) this.#later(exponential(this.#random, this.#faults.meanIntervalMs), () => this.#inject());
  }

  /**
   * Stops injecting and undoes every fault now (the healing phase): pending fault and undo events
   * are cancelled, partitions and clogs removed, drift reset to 0, crashed machines restarted.
   * Wall-clock jumps stay: a real clock is not rewound either.
   */
  stopAndHeal(): void {
    this.#stopped = true;
    for (const ev of this.#pending) this.#scheduler.cancel(ev);
    this.#pending.clear();
    this.#network.heal();
    for (const id of this.#cluster.ids) {
      this.#cluster.clock(id).setDrift(0);
      if (!this.#cluster.isUp(id)) this.#cluster.restart(id);
    }
  }

  #later(delayMs: number, fn: () => void): void {
    const ev = this.#scheduler.after(delayMs, () => {
      this.#pending.delete(ev);
      if (!this.#stopped) fn();
    });
    this.#pending.add(ev);
  }

  #duration(): number {
    return exponential(this.#random, this.#faults.meanDurationMs);
  }

  #inject(): void {
    const r = this.#random;
    const ids = this.#cluster.ids;
    const now = this.#scheduler.nowMs;
    const kind = pick(r, this.#faults.kinds);
    switch (kind) {
      case 'partition': {
        const shuffled = shuffle(r, ids);
        const cut = 1 + r.int(Math.max(1, ids.length - 1));
        const a = shuffled.slice(0, cut);
        const b = shuffled.slice(cut);
        this.#network.partition(a, b);
        this.#later(this.#duration(), () => this.#network.unpartition(a, b));
        break;
      }
      case 'one-way': {
        const from = pick(r, ids);
        const to = pick(r, ids);
        if (from !== to) {
          this.#network.blockOneWay(from, to);
          this.#later(this.#duration(), () => this.#network.unblockOneWay(from, to));
        }
        break;
      }
      case 'clog': {
        const a = pick(r, ids);
        const b = pick(r, ids);
        if (a !== b) this.#network.clog(a, b, now + this.#duration());
        break;
      }
      case 'crash': {
        const id = pick(r, ids);
        if (this.#cluster.isUp(id)) {
          this.#cluster.crash(id);
          this.#later(this.#duration(), () => this.#cluster.restart(id));
        }
        break;
      }
      case 'clock-jump': {
        const id = pick(r, ids);
        const delta = uniform(r, -this.#faults.maxClockJumpMs, this.#faults.maxClockJumpMs);
        this.#cluster.clock(id).jump(delta);
        this.#trace.record(now, id, 'clock-jump', `${delta.toFixed(3)} ms`);
        break;
      }
      case 'drift': {
        const id = pick(r, ids);
        const ppm = uniform(r, -this.#faults.maxDriftPpm, this.#faults.maxDriftPpm);
        this.#cluster.clock(id).setDrift(ppm);
        this.#trace.record(now, id, 'clock-drift', `${ppm.toFixed(1)} ppm`);
        break;
      }
    }
    this.#later(exponential(r, this.#faults.meanIntervalMs), () => this.#inject());
  }
}

/** A Fisher–Yates shuffled copy of `items` (Knuth, TAOCP vol. 2, Algorithm P). */
function shuffle<T>(random: Random, items: readonly T[]): T[] {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = random.int(i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}
