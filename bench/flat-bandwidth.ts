/**
 * FLAT bandwidth (issue 3): how close Shoal's exact scan (`FlatIndex`, the kernel `scanTopK`) comes
 * to what plain JavaScript loops reach on this machine, measured in one run:
 * - **memory read**: sum of the dataset's base vectors as one large `Float32Array` (4 accumulators,
 *   unrolled by 4) — the rate at which a JS loop streams floats from memory;
 * - **dot-product loop**: one query against every base row, a tight inline loop with 4 accumulators
 *   — the same arithmetic per float as an IP scan of one query;
 * - **L2 loop**: the same with squared differences — FLAT's L2 arithmetic per float, no top-k;
 * - **FLAT, batches of `--batch` queries** (default 100): `index.search(batch, 100, k)`. Effective
 *   GB/s = bytes of vectors scanned per batch (n × dim × 4) / time per batch; the per-query rate
 *   (× batch) is the arithmetic throughput, comparable with the loops above;
 * - **FLAT, one query at a time**, for comparison;
 * - **usearch `exactSearch`** (native code with SIMD kernels, one thread), one query and a batch:
 *   a reference for what this CPU does outside JavaScript on the same data.
 * Each measurement is the best of `--runs` repetitions (after one untimed repetition).
 *
 * Usage: npx node bench/flat-bandwidth.ts [--datasets fashion-mnist,sift] [--batch 100] [--runs 5] [--k 10] \
 *          [--out docs/benchmarks/issue-3]
 * Writes `<out>/flat-bandwidth.json` and `.md`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildIndex } from '@shoal/ann';
import { exactSearch, MetricKind } from 'usearch';
import { datasetDir, loadDataset } from './lib/dataset.ts';
import { loadNow, logger, machineInfo, machineLine } from './lib/machine.ts';

const { values: o } = parseArgs({ options: {
  datasets: { type: 'string', default: 'fashion-mnist,sift' }, batch: { type: 'string', default: '100' }, runs: { type: 'string', default: '5' },
  k: { type: 'string', default: '10' }, out: { type: 'string', default: 'docs/benchmarks/issue-3' },
} });
const batch = Number(o.batch);
const runs = Number(o.runs);
const k = Number(o.k);
const log = logger(performance.now());
const machine = machineInfo();

/** Best wall time in ms of `runs` calls of `fn`, after one untimed call. Returns the last result too. */
function best(fn: () => number): { ms: number; result: number } {
  let result = fn();
  let ms = Infinity;
  for (let r = 0; r < runs; r++) {
    const t = performance.now();
    result = fn();
    ms = Math.min(ms, performance.now() - t);
  }
  return { ms, result };
}

function sum(a: Float32Array): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  const n = a.length - (a.length & 3);
  for (let i = 0; i < n; i += 4) { s0 += a[i]; s1 += a[i + 1]; s2 += a[i + 2]; s3 += a[i + 3]; }
  for (let i = n; i < a.length; i++) s0 += a[i];
  return s0 + s1 + s2 + s3;
}

function dotAll(base: Float32Array, rows: number, dim: number, q: Float32Array): number {
  let best = -Infinity;
  for (let r = 0; r < rows; r++) {
    const off = r * dim;
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    let i = 0;
    for (; i + 3 < dim; i += 4) { s0 += base[off + i] * q[i]; s1 += base[off + i + 1] * q[i + 1]; s2 += base[off + i + 2] * q[i + 2]; s3 += base[off + i + 3] * q[i + 3]; }
    for (; i < dim; i++) s0 += base[off + i] * q[i];
    const s = s0 + s1 + s2 + s3;
    if (s > best) best = s;
  }
  return best;
}

function l2All(base: Float32Array, rows: number, dim: number, q: Float32Array): number {
  let best = Infinity;
  for (let r = 0; r < rows; r++) {
    const off = r * dim;
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    let i = 0;
    for (; i + 3 < dim; i += 4) {
      const d0 = base[off + i] - q[i], d1 = base[off + i + 1] - q[i + 1], d2 = base[off + i + 2] - q[i + 2], d3 = base[off + i + 3] - q[i + 3];
      s0 += d0 * d0; s1 += d1 * d1; s2 += d2 * d2; s3 += d3 * d3;
    }
    for (; i < dim; i++) { const d = base[off + i] - q[i]; s0 += d * d; }
    const s = s0 + s1 + s2 + s3;
    if (s < best) best = s;
  }
  return best;
}

/** One measured row: GB/s of vector bytes read, and of floats processed (× queries), both in 1e9 bytes/s. */
interface Row { dataset: string; what: string; msPerPass: number; bytesPerPass: number; gbps: number; queriesPerPass: number; arithmeticGBps: number }
const rows: Row[] = [];

for (const name of o.datasets.split(',')) {
  const ds = loadDataset(datasetDir(name.trim()));
  const { count: n, dim, data } = ds.base;
  const bytes = n * dim * 4;
  const q0 = ds.queries.data.slice(0, dim);
  const add = (what: string, ms: number, queries: number) => {
    const row = { dataset: ds.name, what, msPerPass: ms, bytesPerPass: bytes, gbps: bytes / ms / 1e6, queriesPerPass: queries, arithmeticGBps: (bytes * queries) / ms / 1e6 };
    rows.push(row);
    log(`${ds.name} ${what}: ${ms.toFixed(2)} ms per pass, ${row.gbps.toPrecision(3)} GB/s of vectors, ${row.arithmeticGBps.toPrecision(3)} GB/s × queries (load ${loadNow()})`);
  };
  add('memory read (sum of all floats)', best(() => sum(data.subarray(0, n * dim))).ms, 1);
  add('dot-product loop, 1 query', best(() => dotAll(data, n, dim, q0)).ms, 1);
  add('L2 loop, 1 query', best(() => l2All(data, n, dim, q0)).ms, 1);
  const index = buildIndex({ type: 'FLAT', metric: ds.metric, dim, params: {} }, data, n, { seed: 1 });
  add('Shoal FLAT, 1 query', best(() => index.search(q0, 1, k).ids[0]).ms, 1);
  const nb = Math.min(batch, ds.queries.count);
  const queries = ds.queries.data.slice(0, nb * dim);
  add(`Shoal FLAT, batch of ${nb} queries`, best(() => index.search(queries, nb, k).ids[0]).ms, nb);
  const metric = ds.metric === 'L2' ? MetricKind.L2sq : MetricKind.Cos;
  const native = (qs: Float32Array) => Number(exactSearch(data.subarray(0, n * dim), qs, dim, k, metric, 1).keys[0]);
  add('usearch exactSearch (native, SIMD), 1 query', best(() => native(q0)).ms, 1);
  add(`usearch exactSearch (native, SIMD), batch of ${nb} queries`, best(() => native(queries)).ms, nb);
}

const md = [
  '# FLAT bandwidth beside plain JavaScript loops', '',
  `**Machine**: ${machineLine(machine)}; load ${loadNow()} at the end.`, `**Command**: \`${machine.command}\``,
  `Best of ${runs} repetitions each (after one untimed). GB/s = 10⁹ bytes/s of float32 vectors read per pass; "× queries" multiplies by the queries answered per pass (the arithmetic rate).`, '',
  '| dataset | what | ms per pass | GB/s of vectors | GB/s × queries |', '|---|---|---:|---:|---:|',
  ...rows.map((r) => `| ${r.dataset} | ${r.what} | ${r.msPerPass.toFixed(2)} | ${r.gbps.toPrecision(3)} | ${r.arithmeticGBps.toPrecision(3)} |`),
].join('\n') + '\n';
mkdirSync(o.out, { recursive: true });
writeFileSync(join(o.out, 'flat-bandwidth.json'), JSON.stringify({ machine, batch, runs, k, rows, loadAtEnd: loadNow() }, null, 1) + '\n');
writeFileSync(join(o.out, 'flat-bandwidth.md'), md);
log(`wrote ${join(o.out, 'flat-bandwidth.json')} and .md`);
