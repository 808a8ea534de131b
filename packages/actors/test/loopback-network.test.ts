import { describe, expect, it } from 'vitest';
import { ActorSystem, LoopbackNetwork } from '../src/index.ts';
import { fakeEnv, flush } from './helpers/fake-env.ts';

describe('LoopbackNetwork', () => {
  it('delivers messages to itself asynchronously, in order, as copies', async () => {
    const net = new LoopbackNetwork('solo');
    const got: [string, number[]][] = [];
    net.onMessage((from, bytes) => got.push([from, [...bytes]]));
    const msg = new Uint8Array([1, 2]);
    net.send('solo', msg);
    net.send('solo', new Uint8Array([3]));
    msg[0] = 9;
    expect(got).toEqual([]); // never inside send
    await flush();
    expect(got).toEqual([['solo', [1, 2]], ['solo', [3]]]);
  });

  it('drops messages to other nodes', async () => {
    const net = new LoopbackNetwork('solo');
    const got: unknown[] = [];
    net.onMessage((_from, bytes) => got.push(bytes));
    net.send('elsewhere', new Uint8Array([1]));
    await flush();
    expect(got).toEqual([]);
  });

  it('serves a single-node actor system: asks to its own node work, asks to other nodes time out', async () => {
    const env = fakeEnv(new LoopbackNetwork('solo'));
    const system = new ActorSystem(env);
    system.spawn('a', () => ({ receive: (m: unknown) => m }));
    expect(await system.ask({ node: 'solo', path: 'a' }, 42n, 1000)).toBe(42n);
    const away = system.ask({ node: 'other', path: 'a' }, 1, 100).catch((e: Error) => e.message);
    await env.timers.advance(100);
    expect(await away).toBe('ask to actor "a" on node other timed out after 100 ms');
  });
});
