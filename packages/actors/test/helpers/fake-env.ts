import type { Clock, Env, Network, NodeId, TimerHandle, Timers } from '../../src/index.ts';
import { LoopbackNetwork, MemoryDisk, SeededRandom } from '../../src/index.ts';

/** Virtual time for tests: timers fire only inside `advance`, in due-time order. */
export class ManualTimers implements Timers, Clock {
  private now = 0;
  private nextId = 1;
  private readonly due = new Map<number, { at: number; fn: () => void }>();

  nowMs(): number {
    return this.now;
  }
  monotonicMs(): number {
    return this.now;
  }
  set(delayMs: number, fn: () => void): TimerHandle {
    const id = this.nextId++;
    this.due.set(id, { at: this.now + delayMs, fn });
    return { id };
  }
  clear(handle: TimerHandle): void {
    this.due.delete(handle.id);
  }
  sleep(delayMs: number): Promise<void> {
    return new Promise((resolve) => this.set(delayMs, resolve));
  }
  /** Number of timers not yet fired or cleared. */
  get pending(): number {
    return this.due.size;
  }
  /** Moves time forward by `ms`, firing due timers (and letting microtasks run after each). */
  async advance(ms: number): Promise<void> {
    const end = this.now + ms;
    for (;;) {
      let next: [number, { at: number; fn: () => void }] | undefined;
      for (const entry of this.due) if (entry[1].at <= end && (!next || entry[1].at < next[1].at)) next = entry;
      if (!next) break;
      this.due.delete(next[0]);
      this.now = next[1].at;
      next[1].fn();
      await flush();
    }
    this.now = end;
    await flush();
  }
}

/** Lets pending microtasks and promise chains run. */
export async function flush(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await Promise.resolve();
}

/** An Env with virtual time, a seeded PRNG, an in-memory disk and the given network. */
export function fakeEnv(network: Network = new LoopbackNetwork('local')): Env & { timers: ManualTimers } {
  const timers = new ManualTimers();
  return { clock: timers, timers, random: new SeededRandom(7), disk: new MemoryDisk(), network };
}

/**
 * An in-process network between several nodes for tests: delivery in a microtask, with links
 * that can be cut (messages silently dropped) and a log of every message sent.
 */
export class TestNetworks {
  private readonly handlers = new Map<NodeId, (from: NodeId, bytes: Uint8Array) => void>();
  private readonly cut = new Set<string>();
  readonly sent: { from: NodeId; to: NodeId; bytes: Uint8Array }[] = [];

  node(self: NodeId): Network {
    return {
      self,
      send: (to, bytes) => {
        this.sent.push({ from: self, to, bytes });
        if (this.cut.has(`${self}>${to}`)) return;
        const copy = bytes.slice();
        queueMicrotask(() => this.handlers.get(to)?.(self, copy));
      },
      onMessage: (handler) => {
        this.handlers.set(self, handler);
      },
    };
  }
  /** Drops messages from `from` to `to` (one direction). */
  cutLink(from: NodeId, to: NodeId): void {
    this.cut.add(`${from}>${to}`);
  }
  /** Delivers raw bytes to `to` as if sent by `from`. */
  inject(from: NodeId, to: NodeId, bytes: Uint8Array): void {
    this.handlers.get(to)?.(from, bytes);
  }
}
