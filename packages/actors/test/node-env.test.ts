import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ActorSystem, LoopbackNetwork, MemoryDisk, SeededRandom } from '../src/index.ts';
import { NodeDisk, RealTimers, createNodeEnv, createTestEnv, realClock } from '../src/node/index.ts';

const dirs: string[] = [];
afterEach(async () => {
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

describe('real clock and timers', () => {
  it('reads wall time in ms since the epoch and a monotonic clock', () => {
    const before = Date.now();
    const now = realClock.nowMs();
    expect(now).toBeGreaterThanOrEqual(before);
    expect(now).toBeLessThanOrEqual(Date.now());
    const m1 = realClock.monotonicMs();
    const m2 = realClock.monotonicMs();
    expect(m2).toBeGreaterThanOrEqual(m1);
  });

  it('fires timers after their delay, in order, and not after clear', async () => {
    const timers = new RealTimers();
    const fired: string[] = [];
    const start = realClock.monotonicMs();
    timers.set(30, () => fired.push('30'));
    timers.set(5, () => fired.push('5'));
    const cleared = timers.set(10, () => fired.push('cleared'));
    timers.clear(cleared);
    timers.clear(cleared); // no-op
    await timers.sleep(50);
    expect(fired).toEqual(['5', '30']);
    expect(realClock.monotonicMs() - start).toBeGreaterThanOrEqual(45);
    expect(() => timers.set(-1, () => {})).toThrow(RangeError);
    expect(() => timers.set(Number.NaN, () => {})).toThrow(RangeError);
  });
});

describe('createNodeEnv', () => {
  it('wires a NodeDisk at dataDir, real time, a loopback network, and a seeded PRNG', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'shoal-env-'));
    dirs.push(dir);
    const env = createNodeEnv({ dataDir: dir, seed: 42, nodeId: 'n1' });
    expect(env.disk).toBeInstanceOf(NodeDisk);
    await env.disk.writeFileAtomic('hello', new Uint8Array([1, 2]));
    expect([...(await env.disk.readFile('hello'))]).toEqual([1, 2]);
    expect(env.network).toBeInstanceOf(LoopbackNetwork);
    expect(env.network.self).toBe('n1');
    expect(env.random.nextU32()).toBe(new SeededRandom(42).nextU32());
    expect(createNodeEnv({ dataDir: dir }).network.self).toBe('local');
    // Without a seed, two environments draw different sequences (seeded from the OS).
    expect(createNodeEnv({ dataDir: dir }).random.bytes(16)).not.toEqual(createNodeEnv({ dataDir: dir }).random.bytes(16));
  });
});

describe('createTestEnv', () => {
  it('gives a repeatable PRNG, an in-memory disk by default, and runs an actor system', async () => {
    const env = createTestEnv();
    expect(env.disk).toBeInstanceOf(MemoryDisk);
    expect(env.random.nextU32()).toBe(createTestEnv().random.nextU32());
    expect(createTestEnv({ seed: 3 }).random.nextU32()).toBe(new SeededRandom(3).nextU32());
    const disk = new MemoryDisk();
    expect(createTestEnv({ disk }).disk).toBe(disk);
    const system = new ActorSystem(env);
    system.spawn('a', () => ({ receive: (m: unknown) => m }));
    expect(await system.ask({ node: 'local', path: 'a' }, 'hi', 1000)).toBe('hi');
    await system.shutdown();
  });
});
