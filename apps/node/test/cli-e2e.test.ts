import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ShoalClient, ShoalClientError } from '@shoal/client';
import { runBench } from '../src/cli/bench.ts';
import { runImport } from '../src/cli/import.ts';
import { runNode } from '../src/main.ts';
import type { RunningNode } from '../src/main.ts';

const DATASETS = fileURLToPath(new URL('../../../../shared/datasets/', import.meta.url));
const SIFT = join(DATASETS, 'siftsmall-128-euclidean');
const BIN = fileURLToPath(new URL('../src/bin.ts', import.meta.url));
const ROWS = 500;

let dir: string;
let node: RunningNode;
let client: ShoalClient;
let fvecs: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shoal-cli-e2e-'));
  node = await runNode({ dataDir: join(dir, 'data'), port: 0, host: '127.0.0.1', indexWorkers: 1, logger: pino({ level: 'silent' }) });
  client = new ShoalClient({ address: node.url });
  // The first ROWS vectors of siftsmall (128 dims: 516 bytes per record).
  const fh = await open(join(SIFT, 'base.fvecs'), 'r');
  const head = Buffer.alloc(ROWS * 516);
  await fh.read(head, 0, head.length, 0);
  await fh.close();
  fvecs = join(dir, 'head.fvecs');
  await writeFile(fvecs, head);
}, 60_000);

afterAll(async () => {
  await node?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('shoal import', () => {
  it('creates the collection and loads fvecs rows in batches, then JSONL rows', async () => {
    const s = await runImport({ url: node.url, collection: 'sift', file: fvecs, batch: 128, create: true, metric: 'L2', progress: false });
    expect(s).toMatchObject({ rows: ROWS, batches: 4, created: true });
    const desc = await client.describeCollection({ collectionName: 'sift' });
    expect(desc.fields.map((f) => [f.name, f.type])).toEqual([['id', 'Int64'], ['vector', 'FloatVector']]);
    expect(desc.indexes[0].metricType).toBe('L2');
    const jsonl = join(dir, 'more.jsonl');
    const rows = [1, 2, 3].map((i) => JSON.stringify({ id: 10_000 + i, vector: new Array(128).fill(i) }));
    await writeFile(jsonl, `${rows[0]}\n\n${rows[1]}\n${rows[2]}\n`);
    expect(await runImport({ url: node.url, collection: 'sift', file: jsonl, create: true, progress: false })).toMatchObject({ rows: 3, batches: 1, created: false });
    const [all] = await client.query({ collectionName: 'sift', filter: '', outputFields: ['count(*)'], consistencyLevel: 'Strong' });
    expect(all['count(*)']).toBe(ROWS + 3);
    const [hits] = await client.search({ collectionName: 'sift', data: [new Array(128).fill(2)], limit: 1, consistencyLevel: 'Strong' });
    expect(hits[0].id).toBe(10_002);
  }, 60_000);

  it('fails with the server\'s Milvus code for a missing collection', async () => {
    const err = await runImport({ url: node.url, collection: 'missing', file: fvecs, progress: false }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ShoalClientError);
    expect((err as ShoalClientError).code).toBe(100);
  });

  it('as a command: prints a summary line when stdout is not a TTY, and "error <code>: …" with exit code 1', async () => {
    const run = promisify(execFile);
    const ok = await run(process.execPath, [BIN, 'import', '--url', node.url, '--collection', 'cmd', '--file', fvecs, '--create', '--metric', 'L2', '--id-start', '7']);
    expect(ok.stdout).toMatch(/^imported 500 rows into cmd in 1 batches, [\d.]+ s \([\d,]+ rows\/s\); collection created\n$/);
    const [first] = await client.get({ collectionName: 'cmd', id: 7, outputFields: ['id'] });
    expect(first).toEqual({ id: 7 });
    const bad = await run(process.execPath, [BIN, 'import', '--url', node.url, '--collection', 'missing', '--file', fvecs]).catch((e: unknown) => e);
    expect(bad).toMatchObject({ code: 1, stdout: '' });
    expect((bad as { stderr: string }).stderr).toMatch(/^error 100: collection not found\[collection=missing\]/m);
  }, 60_000);
});

describe('shoal bench', () => {
  it('measures ingest, index build and an ef sweep against a node, side by side with raw hnswlib', async () => {
    const json = join(dir, 'report.json');
    const lines: string[] = [];
    const r = await runBench({
      dataset: SIFT, url: node.url, rows: ROWS, queries: 20, ef: [16, 64], k: 10, batch: 200, warmup: 5,
      compareRaw: true, json, log: (l) => lines.push(l),
    });
    expect(r.dataset).toEqual({ name: 'siftsmall-128-euclidean', rows: ROWS, dim: 128, queries: 20, metric: 'L2', k: 10 });
    expect(r.machine.cores).toBeGreaterThan(0);
    expect(r.shoal.ingest.rows).toBe(ROWS);
    expect(r.shoal.indexBuildSeconds).toBeGreaterThan(0);
    expect(r.shoal.sweep.map((s) => s.ef)).toEqual([16, 64]);
    expect(r.raw?.sweep.map((s) => s.ef)).toEqual([16, 64]);
    for (const side of [r.shoal.sweep, r.raw!.sweep]) {
      expect(side[1].stats.recall).toBeGreaterThanOrEqual(0.95);
      expect(side[1].stats.p99Ms).toBeGreaterThanOrEqual(side[1].stats.p50Ms);
      expect(side[1].stats.qps).toBeGreaterThan(0);
    }
    expect(JSON.parse(await readFile(json, 'utf8'))).toEqual(JSON.parse(JSON.stringify(r)));
    expect(await client.hasCollection({ collectionName: 'bench_siftsmall_128_euclidean_hnsw' })).toBe(false);
    expect(lines.some((l) => l.startsWith('building the HNSW index'))).toBe(true);
  }, 60_000);

  it('--embedded with FLAT on a cosine dataset: one exact row, temporary data removed', async () => {
    const lines: string[] = [];
    const r = await runBench({ dataset: join(DATASETS, 'glove-25-angular'), embedded: true, index: 'FLAT', rows: 400, queries: 10, warmup: 2, log: (l) => lines.push(l) });
    expect(r.dataset.metric).toBe('COSINE');
    expect(r.target).toMatch(/^embedded node \(http:\/\/127\.0\.0\.1:\d+\)$/);
    expect(r.shoal.sweep).toHaveLength(1);
    expect(r.shoal.sweep[0].ef).toBeNull();
    expect(r.shoal.sweep[0].stats.recall).toBe(1);
    const dataDir = /data in (\S+)$/.exec(lines.find((l) => l.includes('data in')) ?? '')?.[1];
    expect(dataDir).toBeDefined();
    expect(existsSync(dataDir!)).toBe(false);
  }, 60_000);

  it('rejects ef values below k before doing anything', async () => {
    await expect(runBench({ dataset: SIFT, url: node.url, ef: [5, 64], k: 10 })).rejects.toThrow('--ef values must be ≥ --k (10), got 5');
  });
});
