import { describe, expect, it } from 'vitest';
import { ActorSystem, ErrorCode, NETWORK_ERROR_PATH, ShoalError, deferReply, encode } from '../src/index.ts';
import type { ActorContext } from '../src/index.ts';
import { TestNetworks, fakeEnv, flush } from './helpers/fake-env.ts';

function twoNodes() {
  const net = new TestNetworks();
  const envA = fakeEnv(net.node('node-a'));
  const envB = fakeEnv(net.node('node-b'));
  const errorsB: [string, unknown][] = [];
  const a = new ActorSystem(envA);
  const b = new ActorSystem(envB, { onError: (p, e) => errorsB.push([p, e]) });
  return { net, envA, envB, a, b, errorsB };
}

describe('remote tell and ask', () => {
  it('asks an actor on another node; messages and replies cross the codec exactly', async () => {
    const { net, a, b } = twoNodes();
    b.spawn('echo', () => ({
      receive: (msg: unknown, ctx: ActorContext) => ({ from: ctx.self.node, msg }),
    }));
    const msg = { vec: new Float32Array([0.25, -1]), ts: 2n ** 62n + 3n, tags: new Map([['k', 1]]) };
    const reply = await a.ask<{ from: string; msg: typeof msg }>({ node: 'node-b', path: 'echo' }, msg, 1000);
    expect(reply.from).toBe('node-b');
    expect(reply.msg.vec).toBeInstanceOf(Float32Array);
    expect([...reply.msg.vec]).toEqual([0.25, -1]);
    expect(reply.msg.ts).toBe(2n ** 62n + 3n);
    expect(reply.msg.tags).toEqual(new Map([['k', 1]]));
    expect(reply.msg).not.toBe(msg); // copied, unlike a same-node message
    expect(net.sent.map((m) => `${m.from}>${m.to}`)).toEqual(['node-a>node-b', 'node-b>node-a']);
  });

  it('delivers remote tells in order, and same-node messages without the network', async () => {
    const { net, a, b } = twoNodes();
    const got: unknown[] = [];
    b.spawn('sink', () => ({ receive: (m: unknown) => void got.push(m) }));
    for (let i = 0; i < 5; i++) a.tell({ node: 'node-b', path: 'sink' }, i);
    expect(await a.ask({ node: 'node-b', path: 'sink' }, 'last', 1000)).toBeUndefined();
    expect(got).toEqual([0, 1, 2, 3, 4, 'last']);
    const sentBefore = net.sent.length;
    b.tell({ node: 'node-b', path: 'sink' }, 'local');
    expect(await b.ask({ node: 'node-b', path: 'sink' }, 'local ask', 1000)).toBeUndefined();
    expect(net.sent.length).toBe(sentBefore);
  });

  it('passes a remote ShoalError through with its code and message; a crash becomes ServiceInternal', async () => {
    const { a, b, errorsB } = twoNodes();
    b.spawn('strict', () => ({
      receive: (m: unknown) => {
        if (m === 'bad') throw new ShoalError(ErrorCode.CollectionNotFound, 'collection "x" does not exist');
        if (m === 'deferred-bad') return deferReply(Promise.reject(new ShoalError(ErrorCode.ParameterInvalid, 'nope')));
        throw new RangeError('index out of range');
      },
    }));
    const to = { node: 'node-b', path: 'strict' };
    const bad = await a.ask(to, 'bad', 1000).catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(ShoalError);
    expect(bad).toMatchObject({ code: ErrorCode.CollectionNotFound, message: 'collection "x" does not exist' });
    await expect(a.ask(to, 'deferred-bad', 1000)).rejects.toMatchObject({ code: ErrorCode.ParameterInvalid, message: 'nope' });
    await expect(a.ask(to, 'boom', 1000)).rejects.toMatchObject({
      code: ErrorCode.ServiceInternal,
      message: 'actor "strict" on node node-b crashed while handling the message (index out of range); it is being restarted',
    });
    expect(errorsB.map(([p]) => p)).toEqual(['strict']);
    expect(b.stats().restarts.total).toBe(1);
  });

  it('answers an ask for an unknown path with ServiceUnavailable from the remote node', async () => {
    const { a } = twoNodes();
    await expect(a.ask({ node: 'node-b', path: 'ghost' }, 1, 1000)).rejects.toMatchObject({
      code: ErrorCode.ServiceUnavailable,
      message: 'no actor at path "ghost" on node node-b',
    });
  });

  it('times out when the reply is lost, and forgets the correlation id', async () => {
    const { net, envA, a, b } = twoNodes();
    let handled = 0;
    b.spawn('x', () => ({ receive: () => ++handled }));
    net.cutLink('node-b', 'node-a');
    const reply = a.ask({ node: 'node-b', path: 'x' }, 'q', 500);
    const outcome = reply.catch((e: unknown) => e);
    await flush();
    expect(handled).toBe(1);
    await envA.timers.advance(500);
    expect(await outcome).toMatchObject({
      code: ErrorCode.ServiceUnavailable,
      message: 'ask to actor "x" on node node-b timed out after 500 ms',
    });
    expect(envA.timers.pending).toBe(0);
  });

  it('ignores replies for another incarnation of the asking node and malformed bytes (reported)', async () => {
    const { net, envA, a, b, errorsB } = twoNodes();
    b.spawn('x', () => ({ receive: () => 'real' }));
    const reply = a.ask({ node: 'node-b', path: 'x' }, 'q', 500);
    // A forged reply with the right id but a wrong incarnation must not settle the ask.
    net.inject('node-b', 'node-a', encode({ kind: 'ok', id: 1, inc: 12345, value: 'forged' }));
    expect(await reply).toBe('real');
    net.inject('node-a', 'node-b', new Uint8Array([0xc1]));
    net.inject('node-a', 'node-b', encode({ kind: 'ask', to: 5 }));
    expect(errorsB.map(([p]) => p)).toEqual([NETWORK_ERROR_PATH, NETWORK_ERROR_PATH]);
    expect((errorsB[1][1] as Error).message).toMatch(/from node node-a: actor envelope: malformed envelope of kind ask/);
    expect(envA.timers.pending).toBe(0);
  });

  it('shutdown rejects asks still waiting for other nodes', async () => {
    const { net, a, b } = twoNodes();
    b.spawn('x', () => ({ receive: () => 1 }));
    net.cutLink('node-a', 'node-b');
    const reply = a.ask({ node: 'node-b', path: 'x' }, 'q', 60_000);
    await a.shutdown();
    await expect(reply).rejects.toMatchObject({ code: ErrorCode.ServiceUnavailable, message: 'the actor system of node node-a has shut down' });
  });

  it('rejects an ask whose message cannot be encoded, and throws for such a tell', async () => {
    const { a } = twoNodes();
    await expect(a.ask({ node: 'node-b', path: 'x' }, { s: Symbol('no') }, 1000)).rejects.toThrow();
    expect(() => a.tell({ node: 'node-b', path: 'x' }, { s: Symbol('no') })).toThrow();
  });
});
