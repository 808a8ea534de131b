/**
 * The simulated network: delivery of messages between simulated nodes on the virtual clock, with
 * loss, duplication, reordering by random delays, long-tail delays, symmetric and one-way
 * partitions and clogged links (DESIGN.md, "Testing"), every choice drawn from one seeded stream.
 */
import type { Network, NodeId, Random } from '@shoal/actors';
import { copyBytes } from '@shoal/actors';
import { chance, exponential } from './random-tree.ts';
import type { Scheduler } from './scheduler.ts';
import type { Trace } from './trace.ts';

/** Probabilities and delay distribution of the network; all rates in [0, 1], times in virtual ms. */
export interface NetworkFaults {
  /** Probability that a message is dropped. */
  lossRate: number;
  /** Probability that a delivered message is delivered a second time (with its own delay). */
  duplicateRate: number;
  /** Fixed part of every delay. */
  baseDelayMs: number;
  /** Mean of the exponential part of every delay (random delays reorder messages). */
  meanExtraDelayMs: number;
  /** Probability that a message takes the long tail: an extra exponential delay of mean `longTailMs`. */
  longTailRate: number;
  /** Mean of the long-tail extra delay. */
  longTailMs: number;
}

/** A network without faults: 1 ms base delay plus 0.5 ms mean jitter. */
export const CALM_NETWORK: NetworkFaults = {
  lossRate: 0, duplicateRate: 0, baseDelayMs: 1, meanExtraDelayMs: 0.5, longTailRate: 0, longTailMs: 0,
};

/** Counters of a {@link SimNetwork}. */
export interface NetworkStats {
  sent: number;
  delivered: number;
  /** Dropped by random loss. */
  lost: number;
  /** Dropped by a partition (at send or at delivery time). */
  blocked: number;
  /** Extra copies scheduled. */
  duplicated: number;
  /** Arrived at a node that was down or had no handler. */
  undeliverable: number;
}

/**
 * The network of a simulated cluster. Each node incarnation gets an endpoint ({@link
 * SimNetwork.attach}), which implements `Network`: `send` copies the bytes, decides loss and
 * delay, and schedules delivery; a partition is checked both when a message is sent and when it
 * arrives (a cut cable drops what is in flight too). A clogged link delays every message between
 * two nodes until the clog ends. {@link SimNetwork.detach} (a crash) makes the old endpoint inert.
 */
export class SimNetwork {
  readonly #scheduler: Scheduler;
  readonly #random: Random;
  readonly #trace: Trace;
  #faults: NetworkFaults;
  /** Blocked directed links, as `from>to`. */
  readonly #blocked = new Set<string>();
  /** Clogged directed links, `from>to` → virtual time the clog ends. */
  readonly #clogged = new Map<string, number>();
  readonly #endpoints = new Map<NodeId, SimEndpoint>();
  #nextMessage = 1;
  readonly #describe: ((bytes: Uint8Array) => string) | undefined;
  readonly stats: NetworkStats = { sent: 0, delivered: 0, lost: 0, blocked: 0, duplicated: 0, undeliverable: 0 };

  /**
   * @param describe renders a message's bytes for its `send` trace line (e.g. `app t3 i7 +2`).
   * @throws RangeError on invalid faults (see {@link SimNetwork.setFaults}).
   */
  constructor(scheduler: Scheduler, random: Random, trace: Trace, faults: NetworkFaults = CALM_NETWORK, describe?: (bytes: Uint8Array) => string) {
    this.#describe = describe;
    this.#scheduler = scheduler;
    this.#random = random;
    this.#trace = trace;
    this.#faults = validateFaults(faults);
  }

  /** The current fault parameters. */
  get faults(): NetworkFaults {
    return this.#faults;
  }

  /** Replaces the fault parameters. @throws RangeError if a rate is outside [0, 1] or a time is negative. */
  setFaults(faults: NetworkFaults): void {
    this.#faults = validateFaults(faults);
  }

  /** A fresh endpoint for (a new incarnation of) node `id`, replacing any previous one. */
  attach(id: NodeId): Network {
    this.#endpoints.get(id)?.kill();
    const ep = new SimEndpoint(this, id);
    this.#endpoints.set(id, ep);
    return ep;
  }

  /** Node `id` is down: its endpoint stops sending and receiving. */
  detach(id: NodeId): void {
    this.#endpoints.get(id)?.kill();
    this.#endpoints.delete(id);
  }

  /** Cuts every link between `a` and `b` in both directions (a symmetric partition). */
  partition(a: readonly NodeId[], b: readonly NodeId[]): void {
    for (const x of a) for (const y of b) if (x !== y) {
      this.#blocked.add(`${x}>${y}`);
      this.#blocked.add(`${y}>${x}`);
    }
    this.#trace.record(this.#scheduler.nowMs, '-', 'net-partition', `[${a.join(',')}] | [${b.join(',')}]`);
  }

  /** Cuts only the direction `from` → `to` (an asymmetric partition). */
  blockOneWay(from: NodeId, to: NodeId): void {
    this.#blocked.add(`${from}>${to}`);
    this.#trace.record(this.#scheduler.nowMs, '-', 'net-block', `${from}->${to}`);
  }

  /** Undoes {@link SimNetwork.partition} of the same groups: restores each of its links (even one another cut also covered). */
  unpartition(a: readonly NodeId[], b: readonly NodeId[]): void {
    for (const x of a) for (const y of b) {
      this.#blocked.delete(`${x}>${y}`);
      this.#blocked.delete(`${y}>${x}`);
    }
    this.#trace.record(this.#scheduler.nowMs, '-', 'net-unpartition', `[${a.join(',')}] | [${b.join(',')}]`);
  }

  /** Undoes {@link SimNetwork.blockOneWay}. */
  unblockOneWay(from: NodeId, to: NodeId): void {
    this.#blocked.delete(`${from}>${to}`);
    this.#trace.record(this.#scheduler.nowMs, '-', 'net-unblock', `${from}->${to}`);
  }

  /** Delays every message between `a` and `b` (both ways) until virtual time `untilMs`. */
  clog(a: NodeId, b: NodeId, untilMs: number): void {
    this.#clogged.set(`${a}>${b}`, untilMs);
    this.#clogged.set(`${b}>${a}`, untilMs);
    this.#trace.record(this.#scheduler.nowMs, '-', 'net-clog', `${a}<->${b} until ${untilMs.toFixed(3)}`);
  }

  /** Removes every partition and clog. */
  heal(): void {
    this.#blocked.clear();
    this.#clogged.clear();
    this.#trace.record(this.#scheduler.nowMs, '-', 'net-heal', '');
  }

  /** True if messages from `from` to `to` are currently cut. */
  isBlocked(from: NodeId, to: NodeId): boolean {
    return this.#blocked.size !== 0 && this.#blocked.has(`${from}>${to}`);
  }

  /** Called by an endpoint: decides the fate of one message. */
  send(from: NodeId, to: NodeId, bytes: Uint8Array): void {
    const id = this.#nextMessage++;
    const now = this.#scheduler.nowMs;
    this.stats.sent++;
    this.#trace.record(now, from, 'send', `->${to} #${id} ${bytes.byteLength}B${this.#describe === undefined ? '' : ` ${this.#describe(bytes)}`}`);
    if (this.isBlocked(from, to)) {
      this.stats.blocked++;
      this.#trace.record(now, from, 'drop-partition', `->${to} #${id}`);
      return;
    }
    if (chance(this.#random, this.#faults.lossRate)) {
      this.stats.lost++;
      this.#trace.record(now, from, 'drop-loss', `->${to} #${id}`);
      return;
    }
    // each scheduled copy is handed over to its receiver as is: nothing else references it
    this.#schedule(from, to, id, copyBytes(bytes));
    if (chance(this.#random, this.#faults.duplicateRate)) {
      this.stats.duplicated++;
      this.#trace.record(now, from, 'duplicate', `->${to} #${id}`);
      this.#schedule(from, to, id, copyBytes(bytes));
    }
  }

  #schedule(from: NodeId, to: NodeId, id: number, bytes: Uint8Array): void {
    const f = this.#faults;
    let delay = f.baseDelayMs + exponential(this.#random, f.meanExtraDelayMs);
    if (chance(this.#random, f.longTailRate)) delay += exponential(this.#random, f.longTailMs);
    let at = this.#scheduler.nowMs + delay;
    const clogEnd = this.#clogged.size === 0 ? undefined : this.#clogged.get(`${from}>${to}`);
    if (clogEnd !== undefined && clogEnd > this.#scheduler.nowMs) at = Math.max(at, clogEnd + delay);
    this.#scheduler.at(at, () => this.#deliver(from, to, id, bytes));
  }

  #deliver(from: NodeId, to: NodeId, id: number, bytes: Uint8Array): void {
    const now = this.#scheduler.nowMs;
    if (this.isBlocked(from, to)) {
      this.stats.blocked++;
      this.#trace.record(now, to, 'drop-partition', `<-${from} #${id}`);
      return;
    }
    const ep = this.#endpoints.get(to);
    const handler = ep?.handler;
    if (handler === undefined) {
      this.stats.undeliverable++;
      this.#trace.record(now, to, 'drop-down', `<-${from} #${id}`);
      return;
    }
    this.stats.delivered++;
    this.#trace.record(now, to, 'recv', `<-${from} #${id}`);
    handler(from, bytes);
  }
}

/** One incarnation's view of the {@link SimNetwork}; inert once killed. */
class SimEndpoint implements Network {
  readonly self: NodeId;
  readonly #net: SimNetwork;
  handler: ((from: NodeId, bytes: Uint8Array) => void) | undefined;
  #dead = false;

  constructor(net: SimNetwork, self: NodeId) {
    this.#net = net;
    this.self = self;
  }

  /** Sends a copy of `bytes` to `to` (at most once delivery, unless the network duplicates it). */
  send(to: NodeId, bytes: Uint8Array): void {
    if (!this.#dead) this.#net.send(this.self, to, bytes);
  }

  /** Installs the handler for incoming messages. */
  onMessage(handler: (from: NodeId, bytes: Uint8Array) => void): void {
    if (!this.#dead) this.handler = handler;
  }

  /** The process died: stop sending and receiving. */
  kill(): void {
    this.#dead = true;
    this.handler = undefined;
  }
}

function validateFaults(f: NetworkFaults): NetworkFaults {
  for (const k of ['lossRate', 'duplicateRate', 'longTailRate'] as const) {
    if (!(f[k] >= 0 && f[k] <= 1)) throw new RangeError(`NetworkFaults.${k} must be in [0, 1], got ${f[k]}`);
  }
  for (const k of ['baseDelayMs', 'meanExtraDelayMs', 'longTailMs'] as const) {
    if (!(f[k] >= 0 && Number.isFinite(f[k]))) throw new RangeError(`NetworkFaults.${k} must be a finite number ≥ 0, got ${f[k]}`);
  }
  return { ...f };
}
