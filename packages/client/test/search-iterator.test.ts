import { describe, expect, it } from 'vitest';
import { ShoalClient, ShoalClientError } from '../src/index.ts';
import type { ClientPlatform } from '../src/index.ts';

/**
 * A fake cluster of peers serving the search iterator protocol over 23 hits (distance = id / 10):
 * each answer holds the hits after the cursor (the last id as a decimal string) and a
 * `nextCursor` unless it is the last page. Peers in `down` refuse connections.
 */
function fakeCluster(down: Set<string>) {
  const bodies: Record<string, unknown>[] = [];
  const platform: ClientPlatform = {
    nowMs: () => 0,
    async fetch(url, init) {
      const peer = new URL(url).origin;
      if (down.has(peer)) throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
      expect(new URL(url).pathname).toBe('/v2/vectordb/entities/search');
      const body = JSON.parse(String(init.body)) as { cursor?: string; batchSize: number };
      bodies.push(body);
      const after = body.cursor === undefined ? -1 : Number(body.cursor);
      const hits = Array.from({ length: 23 }, (_, id) => ({ id, distance: id / 10 })).filter((h) => h.id > after).slice(0, body.batchSize);
      const last = hits.at(-1);
      const answer = { code: 0, data: hits, ...(hits.length === body.batchSize && last ? { nextCursor: String(last.id) } : {}) };
      return new Response(JSON.stringify(answer), { status: 200 });
    },
  };
  return { platform, bodies };
}

describe('client.searchIterator', () => {
  it('yields every page of hits, sending the previous page\'s cursor, across a failover', async () => {
    const down = new Set<string>();
    const { platform, bodies } = fakeCluster(down);
    const client = new ShoalClient({ address: ['a:1', 'b:2'], platform });
    const pages: number[][] = [];
    for await (const page of client.searchIterator({ collectionName: 'c', data: [[0.1, 0.2]], filter: 'n > 1', batchSize: 10 })) {
      pages.push(page.map((h) => h.id as number));
      down.add('http://a:1');
    }
    expect(pages).toEqual([[0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [10, 11, 12, 13, 14, 15, 16, 17, 18, 19], [20, 21, 22]]);
    expect(bodies.map((b) => b.cursor)).toEqual([undefined, '9', '19']);
    expect(bodies.every((b) => b.iterator === true && b.filter === 'n > 1' && b.batchSize === 10)).toBe(true);
  });

  it('rejects an answer that is not a page', async () => {
    const platform: ClientPlatform = { nowMs: () => 0, fetch: async () => new Response('{"code":0,"data":[],"nextCursor":7}', { status: 200 }) };
    const client = new ShoalClient({ address: 'a:1', platform });
    const it = client.searchIterator({ collectionName: 'c', data: [[1]] });
    await expect(it.next()).rejects.toThrow(ShoalClientError);
  });
});
