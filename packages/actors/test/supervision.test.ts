import { describe, expect, it } from 'vitest';
import { ActorSystem, ErrorCode, ShoalError, deferReply } from '../src/index.ts';
import type { Actor, ActorContext } from '../src/index.ts';
import { fakeEnv, flush } from './helpers/fake-env.ts';

/** A counter actor whose durable state is a file; it recovers the count in start(). */
class Counter implements Actor {
  count = 0;
  static instances = 0;
  static stops = 0;
  constructor() {
    Counter.instances++;
  }
  async start(ctx: ActorContext): Promise<void> {
    if (await ctx.env.disk.exists('count')) {
      this.count = Number(new TextDecoder().decode(await ctx.env.disk.readFile('count')));
    }
  }
  async receive(msg: unknown, ctx: ActorContext): Promise<unknown> {
    if (msg === 'crash') throw new Error('disk on fire');
    if (msg === 'crash-later') return deferReply(Promise.reject(new TypeError('fsync failed')));
    if (msg === 'get') return this.count;
    this.count++;
    await ctx.env.disk.writeFileAtomic('count', new TextEncoder().encode(String(this.count)));
    return this.count;
  }
  stop(): void {
    Counter.stops++;
  }
}

function setup() {
  Counter.instances = 0;
  Counter.stops = 0;
  const env = fakeEnv();
  const errors: [string, unknown][] = [];
  const system = new ActorSystem(env, { onError: (path, err) => errors.push([path, err]) });
  return { env, system, errors, ref: system.spawn('counter', () => new Counter()) };
}

describe('supervision', () => {
  it('restarts a crashed actor from its durable state, counts and reports the crash', async () => {
    const { system, errors, ref } = setup();
    expect(await ref.ask('inc', 1000)).toBe(1);
    expect(await ref.ask('inc', 1000)).toBe(2);
    const crash = ref.ask('crash', 1000);
    const after = ref.ask('get', 1000); // queued behind the crash: handled by the new instance
    await expect(crash).rejects.toMatchObject({
      code: ErrorCode.ServiceInternal,
      message: 'actor "counter" on node local crashed while handling the message (disk on fire); it is being restarted',
    });
    await expect(crash).rejects.toBeInstanceOf(ShoalError);
    expect(((await crash.catch((e: Error) => e)) as Error).cause).toBeInstanceOf(Error);
    expect(await after).toBe(2); // recovered in start()
    expect(Counter.instances).toBe(2);
    expect(Counter.stops).toBe(1); // the crashed instance was stopped
    expect(errors.map(([p, e]) => [p, (e as Error).message])).toEqual([['counter', 'disk on fire']]);
    expect(system.stats().restarts).toEqual({ total: 1, byPath: { counter: 1 } });
    expect(await ref.ask('inc', 1000)).toBe(3);
  });

  it('a deferred reply failing with a non-ShoalError crashes the actor too', async () => {
    const { system, errors, ref } = setup();
    await ref.ask('inc', 1000);
    await expect(ref.ask('crash-later', 1000)).rejects.toMatchObject({ code: ErrorCode.ServiceInternal });
    expect(await ref.ask('get', 1000)).toBe(1);
    expect(Counter.instances).toBe(2);
    expect(errors.map(([, e]) => e)).toEqual([new TypeError('fsync failed')]);
    expect(system.stats().restarts.byPath.counter).toBe(1);
  });

  it('a crash on a tell is supervised the same way', async () => {
    const { system, errors, ref } = setup();
    ref.tell('crash');
    expect(await ref.ask('get', 1000)).toBe(0);
    expect(errors).toHaveLength(1);
    expect(system.stats().restarts.total).toBe(1);
  });

  it('retries a failing start() with backoff, rejecting messages meanwhile, then recovers', async () => {
    const env = fakeEnv();
    const errors: unknown[] = [];
    const system = new ActorSystem(env, { onError: (_p, e) => errors.push(e), restartBackoff: { minMs: 10, maxMs: 25 } });
    let failures = 3;
    let stops = 0;
    const ref = system.spawn('flaky', () => ({
      start() {
        if (failures-- > 0) throw new Error(`disk not mounted (${failures} left)`);
      },
      receive: () => 'up',
      stop: () => void stops++,
    }));
    const queued = ref.ask('early', 1000);
    await expect(queued).rejects.toMatchObject({ code: ErrorCode.ServiceUnavailable });
    await expect(queued).rejects.toThrow(/actor "flaky" on node local is unavailable: its start failed \(disk not mounted \(2 left\)\); the next restart is within 10 ms/);
    await expect(ref.ask('during backoff', 1000)).rejects.toMatchObject({ code: ErrorCode.ServiceUnavailable });
    await env.timers.advance(10); // 2nd attempt fails → 20 ms
    expect(errors).toHaveLength(2);
    await env.timers.advance(19);
    expect(errors).toHaveLength(2);
    await env.timers.advance(1); // 3rd attempt fails → 25 ms (max)
    expect(errors).toHaveLength(3);
    await env.timers.advance(25); // 4th attempt succeeds
    expect(await ref.ask('now', 1000)).toBe('up');
    expect(system.stats().restarts.total).toBe(3);
    expect(stops).toBe(3); // each failed instance was stopped
  });

  it('stop() during backoff cancels the retry', async () => {
    const env = fakeEnv();
    const system = new ActorSystem(env);
    let starts = 0;
    system.spawn('x', () => ({
      start() {
        starts++;
        throw new Error('no');
      },
      receive: () => 0,
    }));
    await flush();
    await system.stop('x');
    await env.timers.advance(10_000);
    expect(starts).toBe(1);
    expect(env.timers.pending).toBe(0);
  });

  it('a factory that throws in spawn surfaces to the caller and registers nothing', () => {
    const system = new ActorSystem(fakeEnv());
    expect(() => system.spawn('x', () => {
      throw new Error('bad config');
    })).toThrow('bad config');
    expect(system.stats().actors).toBe(0);
  });
});
