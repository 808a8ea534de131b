import { describe, expect, it } from 'vitest';
import { DOWN_COOLDOWN_MS, ShoalClient, ShoalClientError } from '../src/index.ts';
import type { ClientPlatform } from '../src/index.ts';

/** A platform where `down` peers refuse connections and the clock is set by the test. */
function fakePlatform(down: Set<string>) {
  const calls: string[] = [];
  const state = { now: 0 };
  const platform: ClientPlatform = {
    nowMs: () => state.now,
    async fetch(url) {
      const peer = new URL(url).origin;
      calls.push(peer);
      if (down.has(peer)) throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
      return new Response(JSON.stringify({ code: 0, data: [peer] }), { status: 200 });
    },
  };
  return { platform, calls, state };
}

describe('failover between peers', () => {
  it('moves to the next peer when one is unreachable and tries the failed one last during its cooldown', async () => {
    const down = new Set(['http://a:1']);
    const { platform, calls, state } = fakePlatform(down);
    const client = new ShoalClient({ address: ['a:1', 'http://b:2'], platform });
    expect(await client.listCollections()).toEqual(['http://b:2']);
    expect(calls).toEqual(['http://a:1', 'http://b:2']);
    down.clear();
    calls.length = 0;
    await client.listCollections(); // b answered last: it stays first
    expect(calls).toEqual(['http://b:2']);
    down.add('http://b:2');
    calls.length = 0;
    state.now += DOWN_COOLDOWN_MS + 1;
    expect(await client.listCollections()).toEqual(['http://a:1']);
    expect(calls).toEqual(['http://b:2', 'http://a:1']);
  });

  it('reports every peer when none answers, with the unreachable code', async () => {
    const { platform } = fakePlatform(new Set(['http://a:1', 'http://b:2']));
    const client = new ShoalClient({ address: ['a:1', 'b:2'], platform });
    const err = await client.listCollections().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ShoalClientError);
    expect((err as ShoalClientError).message).toMatch(/http:\/\/a:1: ECONNREFUSED.*http:\/\/b:2: ECONNREFUSED/);
  });
});
