import { describe, expect, it } from 'vitest';
import { deriveRandom } from '../src/random-tree.ts';
import { Scheduler } from '../src/scheduler.ts';
import { CALM_NETWORK, SimNetwork } from '../src/sim-network.ts';
import type { NetworkFaults } from '../src/sim-network.ts';
import { Trace } from '../src/trace.ts';

/** A network over nodes a, b, c recording what each receives as `from:payload`. */
function setup(faults: NetworkFaults = CALM_NETWORK, seed = 1) {
  const scheduler = new Scheduler();
  const trace = new Trace();
  const net = new SimNetwork(scheduler, deriveRandom(seed, 'network'), trace, faults);
  const got: Record<string, string[]> = { a: [], b: [], c: [] };
  const eps = Object.fromEntries(['a', 'b', 'c'].map((id) => {
    const ep = net.attach(id);
    ep.onMessage((from, bytes) => got[id].push(`${from}:${bytes[0]}`));
    return [id, ep];
  }));
  return { scheduler, trace, net, got, eps };
}

describe('SimNetwork', () => {
  it('loses and duplicates messages at the configured rates (statistically, over 20 000 messages)', async () => {
    const { scheduler, net, got, eps } = setup({ ...CALM_NETWORK, lossRate: 0.1, duplicateRate: 0.05 });
    const n = 20_000;
    for (let i = 0; i < n; i++) eps.a.send('b', new Uint8Array([i & 0xff]));
    await scheduler.runUntil(1000);
    const lossRate = net.stats.lost / n;
    const dupRate = net.stats.duplicated / (n - net.stats.lost);
    // 6 standard deviations: sqrt(p(1-p)/n) ≈ 0.0021 for p = 0.1 and 0.0016 for 0.05.
    expect(lossRate).toBeGreaterThan(0.1 - 0.013);
    expect(lossRate).toBeLessThan(0.1 + 0.013);
    expect(dupRate).toBeGreaterThan(0.05 - 0.01);
    expect(dupRate).toBeLessThan(0.05 + 0.01);
    expect(got.b).toHaveLength(n - net.stats.lost + net.stats.duplicated);
    expect(net.stats.delivered).toBe(got.b.length);
  });

  it('reorders messages through random delays and delivers private copies', async () => {
    const { scheduler, got, eps } = setup({ ...CALM_NETWORK, meanExtraDelayMs: 5 });
    const buf = new Uint8Array([0]);
    for (let i = 0; i < 50; i++) {
      buf[0] = i;
      eps.a.send('b', buf);
    }
    await scheduler.runUntil(1000);
    const order = got.b.map((m) => Number(m.split(':')[1]));
    expect(order.slice().sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(order).not.toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('gives each delivered copy of a duplicated message its own bytes', async () => {
    const scheduler = new Scheduler();
    const net = new SimNetwork(scheduler, deriveRandom(1, 'network'), new Trace(), { ...CALM_NETWORK, duplicateRate: 1 });
    net.attach('a');
    const seen: number[] = [];
    net.attach('b').onMessage((_from, bytes) => {
      seen.push(bytes[0]);
      bytes[0] = 99; // a receiver may reuse its buffer
    });
    net.send('a', 'b', new Uint8Array([7]));
    await scheduler.runUntil(100);
    expect(seen).toEqual([7, 7]);
  });

  it('cuts both directions in a symmetric partition, one direction in a one-way cut, and drops messages in flight', async () => {
    const { scheduler, net, got, eps } = setup();
    net.partition(['a'], ['b', 'c']);
    eps.a.send('b', new Uint8Array([1]));
    eps.b.send('a', new Uint8Array([2]));
    eps.b.send('c', new Uint8Array([3]));
    await scheduler.runUntil(100);
    expect(got).toEqual({ a: [], b: [], c: ['b:3'] });
    net.unpartition(['a'], ['b', 'c']);
    net.blockOneWay('a', 'b');
    eps.a.send('b', new Uint8Array([4]));
    eps.b.send('a', new Uint8Array([5]));
    await scheduler.runUntil(200);
    expect(got.a).toEqual(['b:5']);
    expect(got.b).toEqual([]);
    net.heal();
    eps.c.send('a', new Uint8Array([6]));
    net.partition(['a'], ['c']); // cut while the message is in flight
    await scheduler.runUntil(300);
    expect(got.a).toEqual(['b:5']);
    expect(net.stats.blocked).toBe(4);
  });

  it('holds messages on a clogged link until the clog ends', async () => {
    const { scheduler, net, got, eps } = setup();
    net.clog('a', 'b', 500);
    eps.a.send('b', new Uint8Array([1]));
    eps.a.send('c', new Uint8Array([2]));
    await scheduler.runUntil(499);
    expect(got.b).toEqual([]);
    expect(got.c).toEqual(['a:2']);
    await scheduler.runUntil(600);
    expect(got.b).toEqual(['a:1']);
  });

  it('does not deliver to a detached (crashed) node, and its old endpoint is inert', async () => {
    const { scheduler, net, got, eps } = setup();
    eps.a.send('b', new Uint8Array([1]));
    net.detach('b');
    eps.b.send('a', new Uint8Array([2]));
    await scheduler.runUntil(100);
    expect(got.b).toEqual([]);
    expect(got.a).toEqual([]);
    expect(net.stats.undeliverable).toBe(1);
  });

  it('replays the same deliveries for the same seed and differs for another', async () => {
    const run = async (seed: number) => {
      const { scheduler, trace, eps } = setup({ ...DEFAULT_LOSSY }, seed);
      for (let i = 0; i < 200; i++) eps[['a', 'b', 'c'][i % 3]].send(['b', 'c', 'a'][i % 3], new Uint8Array([i]));
      await scheduler.runUntil(5000);
      return trace.digest();
    };
    expect(await run(7)).toBe(await run(7));
    expect(await run(7)).not.toBe(await run(8));
  });

  it('rejects invalid fault parameters', () => {
    expect(() => setup({ ...CALM_NETWORK, lossRate: 1.5 })).toThrow(/lossRate/);
    expect(() => setup({ ...CALM_NETWORK, baseDelayMs: -1 })).toThrow(/baseDelayMs/);
  });
});

const DEFAULT_LOSSY: NetworkFaults = { lossRate: 0.1, duplicateRate: 0.1, baseDelayMs: 1, meanExtraDelayMs: 3, longTailRate: 0.1, longTailMs: 100 };
