import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ActorSystem, ErrorCode, ShoalError, deferReply } from '../src/index.ts';
import type { Actor, ActorContext } from '../src/index.ts';
import { fakeEnv, flush } from './helpers/fake-env.ts';

/** Resolves when `release()` is called. */
function gate(): { promise: Promise<void>; release: () => void } {
  let release!: () => void;
  const promise = new Promise<void>((r) => (release = r));
  return { promise, release };
}

describe('mailbox', () => {
  it('hands messages to the actor one at a time, in send order, even with async handlers', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat(3), { minLength: 1, maxLength: 30 }), async (delays) => {
        const env = fakeEnv();
        const system = new ActorSystem(env);
        const seen: number[] = [];
        let inside = 0;
        let maxInside = 0;
        const ref = system.spawn<number>('a', () => ({
          async receive(i: number) {
            inside++;
            maxInside = Math.max(maxInside, inside);
            for (let k = 0; k < (delays[i] ?? 0); k++) await Promise.resolve();
            seen.push(i);
            inside--;
            return i * 2;
          },
        }));
        const replies = delays.map((_, i) => (i % 2 === 0 ? ref.ask<number>(i, 1000) : (ref.tell(i), undefined)));
        await ref.ask(delays.length, 1000); // FIFO: answered after every earlier message
        expect(seen).toEqual([...delays.keys(), delays.length]);
        expect(maxInside).toBe(1);
        for (const [i, r] of replies.entries()) if (r) expect(await r).toBe(i * 2);
        await system.shutdown();
      }),
      { numRuns: 50 },
    );
  });

  it('awaits start() before the first message and never calls receive concurrently with it', async () => {
    const env = fakeEnv();
    const system = new ActorSystem(env);
    const started = gate();
    const log: string[] = [];
    const ref = system.spawn('a', () => ({
      async start(ctx: ActorContext) {
        log.push(`start ${ctx.self.node}/${ctx.self.path}`);
        await started.promise;
        log.push('started');
      },
      receive(msg: unknown) {
        log.push(`msg ${String(msg)}`);
        return msg;
      },
    }));
    const reply = ref.ask('x', 1000);
    await flush();
    expect(log).toEqual(['start local/a']);
    started.release();
    expect(await reply).toBe('x');
    expect(log).toEqual(['start local/a', 'started', 'msg x']);
  });

  it('a deferred reply does not block the mailbox; the asker gets the value when it resolves', async () => {
    const env = fakeEnv();
    const system = new ActorSystem(env);
    const fsync = gate();
    const handled: string[] = [];
    const ref = system.spawn<string>('wal', () => ({
      receive(msg: string) {
        handled.push(msg);
        if (msg.startsWith('write')) return deferReply(fsync.promise.then(() => `${msg} durable`));
        return `${msg} done`;
      },
    }));
    const w1 = ref.ask<string>('write1', 1000);
    const w2 = ref.ask<string>('write2', 1000);
    const r = ref.ask<string>('read', 1000);
    let w1Settled = false;
    void w1.then(() => (w1Settled = true));
    expect(await r).toBe('read done'); // processed although both writes still wait for fsync
    expect(handled).toEqual(['write1', 'write2', 'read']);
    expect(w1Settled).toBe(false);
    fsync.release();
    expect(await w1).toBe('write1 durable');
    expect(await w2).toBe('write2 durable');
  });

  it('an async handler may return a deferred reply after doing work in order', async () => {
    const env = fakeEnv();
    const system = new ActorSystem(env);
    const later = gate();
    const ref = system.spawn('a', () => ({
      async receive(msg: unknown) {
        await Promise.resolve();
        return msg === 'slow' ? deferReply(later.promise.then(() => 'slow ok')) : 'fast ok';
      },
    }));
    const slow = ref.ask('slow', 1000);
    expect(await ref.ask('fast', 1000)).toBe('fast ok');
    later.release();
    expect(await slow).toBe('slow ok');
  });

  it('a ShoalError from a handler or a deferred reply goes to the asker unchanged; the actor keeps its state', async () => {
    const env = fakeEnv();
    const errors: unknown[] = [];
    const system = new ActorSystem(env, { onError: (_p, e) => errors.push(e) });
    const bad = new ShoalError(ErrorCode.ParameterInvalid, 'dim must be 128');
    let instances = 0;
    const ref = system.spawn('a', () => {
      instances++;
      let count = 0;
      return {
        receive(msg: unknown) {
          count++;
          if (msg === 'throw') throw bad;
          if (msg === 'defer') return deferReply(Promise.reject(bad));
          return count;
        },
      } satisfies Actor;
    });
    await expect(ref.ask('throw', 1000)).rejects.toBe(bad);
    await expect(ref.ask('defer', 1000)).rejects.toBe(bad);
    expect(await ref.ask('count', 1000)).toBe(3);
    expect(instances).toBe(1);
    expect(errors).toEqual([]);
    expect(system.stats().restarts.total).toBe(0);
  });

  it('stop() rejects queued messages, lets the current one finish, then calls stop(); the path can be reused', async () => {
    const env = fakeEnv();
    const system = new ActorSystem(env);
    const busy = gate();
    const log: string[] = [];
    const ref = system.spawn('a', () => ({
      async receive(msg: unknown) {
        log.push(`begin ${String(msg)}`);
        await busy.promise;
        log.push(`end ${String(msg)}`);
        return msg;
      },
      stop() {
        log.push('stop');
      },
    }));
    const first = ref.ask('1', 1000);
    const queued = ref.ask('2', 1000);
    await flush();
    const stopped = system.stop('a');
    await expect(queued).rejects.toMatchObject({ code: ErrorCode.ServiceUnavailable, message: 'actor "a" on node local is stopped' });
    await expect(ref.ask('3', 1000)).rejects.toMatchObject({ code: ErrorCode.ServiceUnavailable });
    expect(() => system.spawn('a', () => ({ receive: () => 0 }))).toThrow(/already exists at path "a"/);
    busy.release();
    await stopped;
    expect(await first).toBe('1');
    expect(log).toEqual(['begin 1', 'end 1', 'stop']);
    await expect(ref.ask('4', 1000)).rejects.toMatchObject({ message: 'no actor at path "a" on node local' });
    const again = system.spawn('a', () => ({ receive: () => 'new' }));
    expect(await again.ask('5', 1000)).toBe('new');
    expect(system.stats().actors).toBe(1);
  });

  it('shutdown() stops every actor and refuses new work', async () => {
    const env = fakeEnv();
    const system = new ActorSystem(env);
    const stopped: string[] = [];
    for (const p of ['a', 'b']) system.spawn(p, () => ({ receive: () => p, stop: () => void stopped.push(p) }));
    await flush();
    await system.shutdown();
    expect(stopped.sort()).toEqual(['a', 'b']);
    expect(system.stats().actors).toBe(0);
    await expect(system.ask({ node: 'local', path: 'a' }, 1, 100)).rejects.toMatchObject({ code: ErrorCode.ServiceUnavailable });
    expect(() => system.spawn('c', () => ({ receive: () => 0 }))).toThrow(ShoalError);
  });

  it('rejects an empty path, a duplicate path and a bad ask timeout', async () => {
    const system = new ActorSystem(fakeEnv());
    expect(() => system.spawn('', () => ({ receive: () => 0 }))).toThrow(/non-empty/);
    const ref = system.spawn('a', () => ({ receive: () => 0 }));
    expect(() => system.spawn('a', () => ({ receive: () => 0 }))).toThrow(ShoalError);
    await expect(ref.ask(1, 0)).rejects.toMatchObject({ code: ErrorCode.ParameterInvalid });
    await expect(ref.ask(1, Number.POSITIVE_INFINITY)).rejects.toMatchObject({ code: ErrorCode.ParameterInvalid });
  });
});
