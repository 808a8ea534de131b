import { describe, expect, it } from 'vitest';
import { ActorSystem, ErrorCode, ShoalError, deferReply } from '../src/index.ts';
import { fakeEnv, flush } from './helpers/fake-env.ts';

describe('ask', () => {
  it('rejects with ServiceUnavailable naming the path and the timeout when no reply comes in time', async () => {
    const env = fakeEnv();
    const system = new ActorSystem(env);
    const ref = system.spawn('shard/7/0', () => ({ receive: () => deferReply(new Promise(() => {})) }));
    const reply = ref.ask('hello', 250);
    let error: unknown;
    reply.catch((e: unknown) => (error = e));
    await env.timers.advance(249);
    expect(error).toBeUndefined();
    await env.timers.advance(1);
    expect(error).toBeInstanceOf(ShoalError);
    expect(error).toMatchObject({
      code: ErrorCode.ServiceUnavailable,
      message: 'ask to actor "shard/7/0" on node local timed out after 250 ms',
    });
  });

  it('clears its timer once the reply arrives, and a late reply after a timeout is ignored', async () => {
    const env = fakeEnv();
    const system = new ActorSystem(env);
    let release!: (v: string) => void;
    const ref = system.spawn('a', () => ({
      receive: (msg: unknown) => (msg === 'slow' ? deferReply(new Promise<string>((r) => (release = r))) : 'quick'),
    }));
    expect(await ref.ask('fast', 100)).toBe('quick');
    expect(env.timers.pending).toBe(0);
    const slow = ref.ask('slow', 100);
    const outcome = slow.then(
      (v) => `resolved ${v}`,
      (e: ShoalError) => `rejected ${e.code}`,
    );
    await env.timers.advance(100);
    release('too late');
    await flush();
    expect(await outcome).toBe(`rejected ${ErrorCode.ServiceUnavailable}`);
  });

  it('rejects at once for a path with no actor, and tell to it is dropped', async () => {
    const system = new ActorSystem(fakeEnv());
    await expect(system.ask({ node: 'local', path: 'nobody' }, 'x', 1000)).rejects.toMatchObject({
      code: ErrorCode.ServiceUnavailable,
      message: 'no actor at path "nobody" on node local',
    });
    expect(() => system.tell({ node: 'local', path: 'nobody' }, 'x')).not.toThrow();
  });

  it('reaches actors through refs made from addresses, and actors reach each other through ctx.system', async () => {
    const system = new ActorSystem(fakeEnv());
    system.spawn<number>('double', () => ({ receive: (n: number) => n * 2 }));
    system.spawn<number>('front', () => ({
      receive: (n: number, ctx) => ctx.system.ask<number>({ node: ctx.self.node, path: 'double' }, n + 1, 1000),
    }));
    expect(await system.ref<number>({ node: 'local', path: 'front' }).ask<number>(4, 1000)).toBe(10);
  });
});
