/**
 * A real node (worker-pool index builds, local storage) over REST: describe index reports a
 * running HNSW build's progress and searches are answered meanwhile; get_stats reports the memory
 * of the sealed segment with its index and of the growing segment.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runNode } from '../src/main.ts';
import type { RunningNode } from '../src/main.ts';

const DIM = 16;
/**
 * Rows of the one sealed segment: its HNSW build reports progress at 4,096 and 8,192 rows, so
 * about half of the build shows as part-way (hundreds of ms at least, polled every few ms).
 */
const ROWS = 9_000;
const BATCH = 3_000;

let dir: string;
let node: RunningNode;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shoal-stats-'));
  node = await runNode({ dataDir: join(dir, 'data'), port: 0, host: '127.0.0.1', indexWorkers: 1, logger: pino({ level: 'silent' }) });
}, 30_000);

afterAll(async () => {
  await node?.close();
  await rm(dir, { recursive: true, force: true });
});

/** POSTs to `/v2/vectordb<path>`; `T` is the expected `data`. */
async function post<T = unknown>(path: string, body: unknown): Promise<{ code: number; data: T; message?: string }> {
  const res = await fetch(`${node.url}/v2/vectordb${path}`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
  return (await res.json()) as { code: number; data: T };
}

/** Deterministic rows `from..from+n−1` with 3-decimal vector values (short JSON). */
function rows(from: number, n: number): { id: number; vector: number[] }[] {
  let s = from + 7;
  return Array.from({ length: n }, (_, i) => ({
    id: from + i,
    vector: Array.from({ length: DIM }, () => {
      s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
      return Math.round((s / 2 ** 32) * 1000) / 1000;
    }),
  }));
}

interface IndexDetail { indexedRows: number; totalRows: number; pendingRows: number; indexState: string }
interface Segment { shard: number; state: string; rows: number; rawBytes: number; rawVectorBytes: number; indexType: string | null; indexBytes: number }
interface Stats { rowCount: number; memory: { totalBytes: number; rawBytes: number; rawVectorBytes: number; indexBytes: number; segments: Segment[] } }

describe('REST describe index progress and get_stats memory (real node)', () => {
  it('describe index shows a running build part-way while searches are answered; get_stats reports segment and index memory', async () => {
    const created = await post('/collections/create', {
      collectionName: 'p',
      schema: { fields: [
        { fieldName: 'id', dataType: 'Int64', isPrimary: true },
        { fieldName: 'vector', dataType: 'FloatVector', elementTypeParams: { dim: DIM } },
      ] },
      indexParams: [{ fieldName: 'vector', indexName: 'vector', metricType: 'L2', indexType: 'HNSW', params: { M: 8, efConstruction: 32 } }],
    });
    expect(created.code).toBe(0);
    for (let from = 0; from < ROWS; from += BATCH) expect((await post('/entities/insert', { collectionName: 'p', data: rows(from, BATCH) })).code).toBe(0);
    expect((await post('/collections/flush', { collectionName: 'p' })).code).toBe(0);

    const seen: IndexDetail[] = [];
    let searchedMidBuild = false;
    const until = Date.now() + 120_000;
    for (;;) {
      const d = await post<IndexDetail[]>('/indexes/describe', { collectionName: 'p', indexName: 'vector' });
      expect(d.code).toBe(0);
      const detail = d.data[0];
      seen.push(detail);
      expect(detail.pendingRows).toBe(detail.totalRows - detail.indexedRows);
      if (detail.indexState === 'Finished') break;
      expect(detail.indexState).toBe('InProgress');
      if (!searchedMidBuild && detail.indexedRows > 0) {
        const r = await post('/entities/search', { collectionName: 'p', data: [rows(0, 6)[5].vector], limit: 1, consistencyLevel: 'Strong' });
        expect(r).toMatchObject({ code: 0, data: [{ id: 5, distance: 0 }] });
        searchedMidBuild = true;
      }
      if (Date.now() > until) throw new Error(`index build did not finish; last ${JSON.stringify(detail)}`);
      await new Promise((r) => setTimeout(r, 5));
    }
    expect(seen.at(-1)).toMatchObject({ indexedRows: ROWS, totalRows: ROWS, pendingRows: 0, indexState: 'Finished' });
    const indexed = seen.map((d) => d.indexedRows);
    for (let i = 1; i < indexed.length; i++) expect(indexed[i]).toBeGreaterThanOrEqual(indexed[i - 1]);
    expect(seen.some((d) => d.totalRows === ROWS && d.indexedRows > 0 && d.indexedRows < ROWS)).toBe(true);
    expect(searchedMidBuild).toBe(true);

    expect((await post('/entities/insert', { collectionName: 'p', data: rows(ROWS, 10) })).code).toBe(0);
    await waitLoaded();
    const stats = await post<Stats>('/collections/get_stats', { collectionName: 'p' });
    expect(stats.code).toBe(0);
    const { rowCount, memory } = stats.data;
    expect(rowCount).toBe(ROWS + 10);
    expect(memory.segments).toHaveLength(2);
    const [sealed, growing] = memory.segments;
    expect(sealed).toMatchObject({ shard: 0, state: 'Sealed', rows: ROWS, deletedRows: 0, partitions: ['_default'], rawVectorBytes: ROWS * DIM * 4, indexType: 'HNSW' });
    // HNSW keeps its own copy of the vectors plus the graph: more than the raw vectors.
    expect(sealed.indexBytes).toBeGreaterThan(ROWS * DIM * 4);
    expect(sealed.rawBytes).toBe(ROWS * (DIM * 4 + 8 + 20));
    expect(growing).toMatchObject({ shard: 0, state: 'Growing', rows: 10, rawVectorBytes: 10 * DIM * 4, rawBytes: 10 * (DIM * 4 + 8 + 20), indexType: null, indexBytes: 0 });
    expect(memory).toMatchObject({
      rawBytes: sealed.rawBytes + growing.rawBytes, rawVectorBytes: (ROWS + 10) * DIM * 4,
      indexBytes: sealed.indexBytes, totalBytes: sealed.rawBytes + growing.rawBytes + sealed.indexBytes,
    });
  }, 150_000);
});

async function waitLoaded(): Promise<void> {
  for (let i = 0; i < 2_000; i++) {
    if ((await post<{ loadState: string }>('/collections/get_load_state', { collectionName: 'p' })).data.loadState === 'LoadStateLoaded') return;
    await new Promise((r) => setTimeout(r, 5));
  }
  throw new Error('collection did not load');
}
