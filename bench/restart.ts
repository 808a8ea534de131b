/**
 * Restart benchmark (issue 2: "restart of a node holding fashion-mnist with its HNSW index
 * built: serving searches at full recall within 3 s — the index is loaded, not rebuilt").
 *
 * Given a data directory that holds a collection built by
 * `shoal bench --dataset DIR --url URL --keep` (collection `bench_<dataset>_hnsw`), it starts
 * `shoal start` on that directory and measures, from the spawn: when `/healthz` answers, when a
 * batch search of the first `--queries` queries first answers with recall@10 ≥ `--recall`, and
 * when `indexes/describe` says Finished and `get_load_state` says Loaded. It also reports the
 * index files' modification times before and after (unchanged = loaded, not rebuilt).
 *
 * Usage: npx node bench/restart.ts --dataset ../shared/datasets/fashion-mnist-784-euclidean \
 *          --data-dir /tmp/fm --collection bench_fashion_mnist_784_euclidean_hnsw [--port 19560] [--ef 64]
 */
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { parseFvecs, parseIvecs } from '@shoal/ann';

const { values: o } = parseArgs({ options: {
  dataset: { type: 'string' }, 'data-dir': { type: 'string' }, collection: { type: 'string' },
  port: { type: 'string', default: '19560' }, ef: { type: 'string', default: '64' },
  queries: { type: 'string', default: '100' }, recall: { type: 'string', default: '0.95' },
} });
if (!o.dataset || !o['data-dir'] || !o.collection) throw new Error('--dataset, --data-dir and --collection are required');
const url = `http://127.0.0.1:${o.port}/v2/vectordb`;
const nq = Number(o.queries);
const queries = parseFvecs(readFileSync(join(o.dataset, 'query.fvecs')));
const truth = parseIvecs(readFileSync(join(o.dataset, 'groundtruth.ivecs')));
const data = Array.from({ length: nq }, (_, q) => Array.from(queries.data.subarray(q * queries.dim, (q + 1) * queries.dim)));

function indexFiles(dir: string): Map<string, number> {
  const out = new Map<string, number>();
  const walk = (d: string) => { for (const e of readdirSync(d, { withFileTypes: true })) { const p = join(d, e.name); if (e.isDirectory()) walk(p); else if (p.includes('/index/')) out.set(p, statSync(p).mtimeMs); } };
  walk(join(dir, 'objects'));
  return out;
}

async function post(path: string, body: unknown): Promise<{ code: number; data?: unknown; message?: string }> {
  const res = await fetch(url + path, { method: 'POST', body: JSON.stringify(body) });
  return (await res.json()) as { code: number; data?: unknown; message?: string };
}

function recall(hits: { id: number }[][]): number {
  let sum = 0;
  hits.forEach((h, q) => {
    const want = new Set(truth.data.subarray(q * truth.dim, q * truth.dim + 10));
    sum += h.slice(0, 10).filter((x) => want.has(Number(x.id))).length / 10;
  });
  return sum / hits.length;
}

const before = indexFiles(o['data-dir']);
const t0 = performance.now();
const child = spawn(process.execPath, ['apps/node/src/bin.ts', 'start', '--data-dir', o['data-dir'], '--port', o.port], { stdio: ['ignore', 'ignore', 'inherit'] });
const ms = () => Math.round(performance.now() - t0);
const times: Record<string, number> = {};
try {
  while (times.healthz === undefined) {
    try { if ((await fetch(`http://127.0.0.1:${o.port}/healthz`)).ok) times.healthz = ms(); } catch { /* not up yet */ }
    if (times.healthz === undefined) await new Promise((r) => setTimeout(r, 5));
    if (ms() > 60_000) throw new Error('node did not come up within 60 s');
  }
  const indexName = ((await post('/indexes/list', { collectionName: o.collection })).data as string[])[0];
  let firstRecall = 0;
  while (times.fullRecallSearch === undefined || times.indexFinished === undefined || times.loaded === undefined) {
    if (times.fullRecallSearch === undefined) {
      const res = await post('/entities/search', { collectionName: o.collection, data, limit: 10, searchParams: { params: { ef: Number(o.ef) } } });
      if (res.code !== 0) throw new Error(`search failed: ${res.code} ${res.message}`);
      const flat = res.data as { id: number }[];
      const perQuery = Array.from({ length: nq }, (_, q) => flat.slice(q * 10, q * 10 + 10));
      const r = recall(perQuery);
      if (r >= Number(o.recall)) { times.fullRecallSearch = ms(); firstRecall = r; }
    }
    const idx = (await post('/indexes/describe', { collectionName: o.collection, indexName })).data as { indexState: string }[] | undefined;
    if (times.indexFinished === undefined && idx?.[0]?.indexState === 'Finished') times.indexFinished = ms();
    const load = (await post('/collections/get_load_state', { collectionName: o.collection })).data as { loadState: string } | undefined;
    if (times.loaded === undefined && load?.loadState === 'LoadStateLoaded') times.loaded = ms();
    if (ms() > 120_000) throw new Error(`not all states reached within 120 s: ${JSON.stringify(times)}`);
  }
  const after = indexFiles(o['data-dir']);
  const unchanged = [...before].every(([p, t]) => after.get(p) === t);
  console.log(JSON.stringify({ dataset: o.dataset, collection: o.collection, queries: nq, ef: Number(o.ef), recallAt10: firstRecall, msFromSpawn: times, indexFiles: before.size, indexFilesUnchanged: unchanged }, null, 2));
} finally {
  child.kill('SIGKILL');
}
