import { describe, expect, it } from 'vitest';
import { decodeQueryCursor as decodeCursor, encodeQueryCursor as encodeCursor } from '../src/query-iterator.ts';
import type { QueryIteratorRequest, Row, ShoalService } from '../src/index.ts';
import { randomVectors, testNode } from './helpers.ts';

const fields = [
  { name: 'pk', dataType: 'VarChar' as const, isPrimaryKey: true, maxLength: 16 },
  { name: 'v', dataType: 'FloatVector' as const, dim: 4 },
  { name: 'n', dataType: 'Int64' as const },
];
const vecs = randomVectors(400, 4, 3);
/** Keys in no particular order, so that shards and segments hold them shuffled. */
const key = (i: number) => `k${((i * 7919) % 1000).toString(36)}-${i}`;
const row = (i: number, n = i) => ({ pk: key(i), v: vecs[i], n });

/** Every page of an iteration; `between(k, cursor)` runs after page k (1-based) and may replace the service. */
async function drain(get: () => ShoalService, req: QueryIteratorRequest, between?: (k: number) => Promise<void>): Promise<Row[][]> {
  const pages: Row[][] = [];
  let cursor: string | undefined;
  do {
    const page = await get().queryIterator({ ...req, ...(cursor ? { cursor } : {}) });
    pages.push(page.rows);
    cursor = page.cursor;
    if (between) await between(pages.length);
  } while (cursor !== undefined);
  return pages;
}

describe('query iterator (cluster)', () => {
  it('reads one snapshot across 3 shards in key order, through deletes, upserts, inserts, a flush and a restart', async () => {
    let { node, disk } = await testNode(undefined, { segmentMaxRows: 20 });
    await node.service.createCollection({ collectionName: 'q', fields, shardsNum: 3, indexParams: [{ fieldName: 'v', metricType: 'L2', indexType: 'FLAT' }], consistencyLevel: 'Eventually' });
    await node.service.insert('q', Array.from({ length: 200 }, (_, i) => row(i)));
    const pages = await drain(() => node.service, { collectionName: 'q', batchSize: 17, outputFields: ['n'] }, async (k) => {
      const s = node.service;
      if (k === 1) {
        await s.delete('q', { ids: [key(5), key(150), key(199)] });
        await s.upsert('q', [row(10, -1), row(160, -1), row(300, -1)]);
        await s.insert('q', [row(301), row(302)]);
      }
      if (k === 3) {
        await s.delete('q', { filter: 'n >= 100 and n < 120' });
        await s.flush('q');
      }
      if (k === 5) { // restart: the snapshot is recovered from the segments and the log
        await node.close();
        ({ node, disk } = await testNode(disk, { segmentMaxRows: 20 }));
      }
    });
    const want = Array.from({ length: 200 }, (_, i) => ({ pk: key(i), n: BigInt(i) })).sort((a, b) => (a.pk < b.pk ? -1 : 1));
    expect(pages.flat()).toEqual(want);
    expect(pages.slice(0, -1).every((p) => p.length === 17)).toBe(true);
    // A new iteration sees the later writes.
    const now = (await drain(() => node.service, { collectionName: 'q', batchSize: 1000, outputFields: ['n'] })).flat();
    expect(now.length).toBe(200 - 3 + 3 - 20); // 5, 150, 199 deleted; 300–302 new; n in [100, 120) deleted
    expect(now.find((r) => r.pk === key(10))?.n).toBe(-1n);
    await node.close();
  });

  it('applies filter, partitions and limit; checks batchSize, count(*) and cursors', async () => {
    const { node } = await testNode();
    const s = node.service;
    await s.createCollection({ collectionName: 'a', fields, indexParams: [{ fieldName: 'v', metricType: 'L2', indexType: 'FLAT' }] });
    await s.createPartition('a', 'p');
    await s.insert('a', Array.from({ length: 50 }, (_, i) => row(i)));
    await s.insert('a', Array.from({ length: 50 }, (_, i) => row(50 + i)), 'p');
    const inP = (await drain(() => s, { collectionName: 'a', partitionNames: ['p'], filter: 'n >= 90 or n < 55', batchSize: 4, outputFields: ['*'] })).flat();
    const expected = Array.from({ length: 50 }, (_, i) => 50 + i).filter((n) => n >= 90 || n < 55).map((n) => key(n)).sort();
    expect(inP.map((r) => r.pk)).toEqual(expected);
    expect(Object.keys(inP[0]).sort()).toEqual(['n', 'pk', 'v']);
    const limited = await drain(() => s, { collectionName: 'a', batchSize: 30, limit: 70, outputFields: [] });
    expect(limited.map((p) => p.length)).toEqual([30, 30, 10]);
    expect(limited.flat().map((r) => r.pk)).toEqual(Array.from({ length: 100 }, (_, i) => key(i)).sort().slice(0, 70));

    await expect(s.queryIterator({ collectionName: 'a', batchSize: 0 })).rejects.toMatchObject({ code: 1100 });
    await expect(s.queryIterator({ collectionName: 'a', batchSize: 16_385 })).rejects.toMatchObject({ code: 1100 });
    await expect(s.queryIterator({ collectionName: 'a', outputFields: ['count(*)'] })).rejects.toMatchObject({ code: 1100 });
    await expect(s.queryIterator({ collectionName: 'a', cursor: 'x' })).rejects.toMatchObject({ code: 1100, message: expect.stringMatching(/malformed/) });
    const first = await s.queryIterator({ collectionName: 'a', batchSize: 1 });
    const c = decodeCursor(first.cursor);
    const forged = (patch: object) => encodeCursor({ ...c, ...patch });
    await expect(s.queryIterator({ collectionName: 'a', cursor: forged({ snapshotTs: c.snapshotTs + (1n << 40n) }) })).rejects.toMatchObject({ code: 1100, message: expect.stringMatching(/newer/) });
    await expect(s.queryIterator({ collectionName: 'a', cursor: forged({ lastPk: 5n }) })).rejects.toMatchObject({ code: 1100, message: expect.stringMatching(/type/) });
    await s.dropCollection('a');
    await s.createCollection({ collectionName: 'a', fields, indexParams: [{ fieldName: 'v', metricType: 'L2', indexType: 'FLAT' }] });
    await expect(s.queryIterator({ collectionName: 'a', cursor: first.cursor })).rejects.toMatchObject({ code: 1100, message: expect.stringMatching(/another collection/) });
    await node.close();
  });

  it('orders VarChar keys by code point (UTF-8 byte order, as Milvus), in sealed and growing segments', async () => {
    const { node } = await testNode(undefined, { segmentMaxRows: 3 });
    const s = node.service;
    await s.createCollection({ collectionName: 'u', fields, shardsNum: 2, indexParams: [{ fieldName: 'v', metricType: 'L2', indexType: 'FLAT' }], consistencyLevel: 'Strong' });
    const keys = ['\u{1F600}', '\uE000', 'a', 'b\u{10000}', 'b\uFFFF', 'B', '', 'zz', '\u00E9'];
    await s.insert('u', keys.map((pk, i) => ({ pk, v: vecs[i], n: i })));
    const got = (await drain(() => s, { collectionName: 'u', batchSize: 2 })).flat().map((r) => r.pk);
    expect(got).toEqual(['', 'B', 'a', 'zz', '\u00E9', '\uE000', 'b\uFFFF', 'b\u{10000}', '\u{1F600}'].sort((x, y) => (Buffer.compare(Buffer.from(x), Buffer.from(y)))));
    expect(got).toEqual(['', 'B', 'a', 'b\uFFFF', 'b\u{10000}', 'zz', '\u00E9', '\uE000', '\u{1F600}']);
    await node.close();
  });

  it('cursors round-trip and reject anything else', () => {
    const c = { collectionId: 7, snapshotTs: (1n << 62n) + 3n, lastPk: -(1n << 63n), left: 5 };
    expect(decodeCursor(encodeCursor(c))).toEqual(c);
    expect(decodeCursor(encodeCursor({ collectionId: 1, snapshotTs: 9n, lastPk: 'é"\\' }))).toEqual({ collectionId: 1, snapshotTs: 9n, lastPk: 'é"\\' });
    const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const good = { v: 1, c: 1, ts: '9', k: 'i', pk: '3' };
    for (const bad of ['', '!!', 'abc', b64({ ...good, v: 2 }), b64({ ...good, ts: '-1' }), b64({ ...good, pk: '9223372036854775808' }),
      b64({ ...good, k: 'x' }), b64({ ...good, left: 0 }), b64({ ...good, c: 'a' }), b64(null), b64([1])]) {
      expect(() => decodeCursor(bad), bad).toThrow(/malformed query iterator cursor/);
    }
  });
});
