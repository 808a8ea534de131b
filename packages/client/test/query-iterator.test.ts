import { describe, expect, it } from 'vitest';
import { ShoalClient, ShoalClientError } from '../src/index.ts';
import type { ClientPlatform } from '../src/index.ts';

/**
 * A fake cluster of peers that serve the query iterator protocol over 25 rows: each answer holds
 * the rows after the cursor (the last id as a decimal string) and a `nextCursor` unless it is the
 * last page. Peers in `down` refuse connections. Records every request body.
 */
function fakeCluster(down: Set<string>) {
  const bodies: Record<string, unknown>[] = [];
  const peersAsked: string[] = [];
  const platform: ClientPlatform = {
    nowMs: () => 0,
    async fetch(url, init) {
      const peer = new URL(url).origin;
      peersAsked.push(peer);
      if (down.has(peer)) throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
      const body = JSON.parse(String(init.body)) as { cursor?: string; batchSize: number };
      bodies.push(body);
      const after = body.cursor === undefined ? -1 : Number(body.cursor);
      const rows = Array.from({ length: 25 }, (_, id) => ({ id })).filter((r) => r.id > after).slice(0, body.batchSize);
      const last = rows.at(-1);
      const answer = { code: 0, data: rows, ...(rows.length === body.batchSize && last ? { nextCursor: String(last.id) } : {}) };
      return new Response(JSON.stringify(answer), { status: 200 });
    },
  };
  return { platform, bodies, peersAsked };
}

describe('client.queryIterator', () => {
  it('yields every page, sending the previous page\'s cursor, and fails over between pages', async () => {
    const down = new Set<string>();
    const { platform, bodies, peersAsked } = fakeCluster(down);
    const client = new ShoalClient({ address: ['a:1', 'b:2'], platform });
    const pages: number[][] = [];
    for await (const page of client.queryIterator({ collectionName: 'c', filter: 'id > {x}', exprParams: { x: 2n ** 60n }, batchSize: 10 })) {
      pages.push(page.map((r) => r.id as number));
      down.add('http://a:1'); // the next pages go to the other peer: the cursor carries all state
    }
    expect(pages).toEqual([[0, 1, 2, 3, 4, 5, 6, 7, 8, 9], [10, 11, 12, 13, 14, 15, 16, 17, 18, 19], [20, 21, 22, 23, 24]]);
    expect(bodies.map((b) => b.cursor)).toEqual([undefined, '9', '19']);
    expect(bodies.every((b) => b.iterator === true && b.filter === 'id > {x}' && b.collectionName === 'c')).toBe(true);
    expect(peersAsked).toEqual(['http://a:1', 'http://a:1', 'http://b:2', 'http://b:2']); // b answered: it stays first
  });

  it('sends Int64 template values beyond 2^53 as exact JSON integers', async () => {
    let sent = '';
    const platform: ClientPlatform = {
      nowMs: () => 0,
      async fetch(_url, init) {
        sent = String(init.body);
        return new Response('{"code":0,"data":[]}', { status: 200 });
      },
    };
    const client = new ShoalClient({ address: 'a:1', platform });
    await client.query({ collectionName: 'c', filter: 'id == {k}', exprParams: { k: 2n ** 60n + 1n } });
    expect(sent).toContain('"exprParams":{"k":1152921504606846977}');
  });

  it('yields nothing for an empty result and rejects an answer with a malformed cursor', async () => {
    const answers = ['{"code":0,"data":[]}', '{"code":0,"data":[{"id":1}],"nextCursor":5}'];
    const platform: ClientPlatform = { nowMs: () => 0, fetch: async () => new Response(answers.shift()!, { status: 200 }) };
    const client = new ShoalClient({ address: 'a:1', platform });
    const pages: unknown[] = [];
    for await (const page of client.queryIterator({ collectionName: 'c' })) pages.push(page);
    expect(pages).toEqual([]);
    const err = await (async () => { for await (const page of client.queryIterator({ collectionName: 'c' })) pages.push(page); })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ShoalClientError);
    expect((err as Error).message).toMatch(/nextCursor/);
  });
});
