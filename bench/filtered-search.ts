/**
 * Filtered search (issue 3): recall@k and single-query QPS of HNSW and IVF_FLAT when a scalar
 * filter passes 100 %, 10 %, 1 % and 0.1 % of the rows, with and without @shoal/ann's
 * filtered-search planner (`planFilteredSearch`).
 *
 * Each base row r gets the scalar `tag = r % 1000`; the filters are `tag < 100` (10 %), `tag < 10`
 * (1 %) and `tag == 0` (0.1 %), as a `Bitset` over the rows. The ground truth of each filter is
 * exact: a FLAT search over the same vectors with the bitset (ties → smaller row id). Per filter:
 * - "index + bitset": the index searched with the user's parameters as given and the bitset;
 * - "planner": `planFilteredSearch(spec, count, passing, k, params)` decides; `exact` → the FLAT
 *   over the same vectors with the bitset, else the index with the returned params and the bitset.
 * Queries run one at a time after a warm-up; the four variants of a filter are measured
 * interleaved (`lib/sweep.ts`), best of `--runs` passes.
 *
 * Usage: npx node bench/filtered-search.ts --dataset fashion-mnist [--index-dir /tmp/shoal-idx] \
 *          [--ef 64] [--nprobe 8] [--nlist N] [--M 16] [--ef-construction 200] [--queries N] \
 *          [--k 10] [--warmup 100] [--runs 3] [--repeat-limit-s 5] [--seed 100] [--out docs/benchmarks/issue-3]
 * `--index-dir` loads `<dir>/<dataset>.HNSW.idx` and `.IVF_FLAT.idx` written by
 * `bench/index-sweep.ts --save-indexes`; missing ones are built. Writes `<out>/filtered-<dataset>.json` and `.md`.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Bitset, buildIndex, loadIndex, planFilteredSearch } from '@shoal/ann';
import type { IndexSearchParams, IndexSpec, VectorIndex } from '@shoal/ann';
import { datasetDir, loadDataset, queryVector } from './lib/dataset.ts';
import type { Dataset } from './lib/dataset.ts';
import { loadNow, logger, machineInfo, machineLine } from './lib/machine.ts';
import type { SweepPoint } from './lib/report.ts';
import { defaultNlist } from './lib/shoal-indexes.ts';
import { sweep } from './lib/sweep.ts';
import type { SweepEntry } from './lib/sweep.ts';

const { values: o } = parseArgs({ options: {
  dataset: { type: 'string', default: 'fashion-mnist' }, 'index-dir': { type: 'string' }, ef: { type: 'string', default: '64' },
  nprobe: { type: 'string', default: '8' }, nlist: { type: 'string' }, M: { type: 'string', default: '16' },
  'ef-construction': { type: 'string', default: '200' }, queries: { type: 'string' }, k: { type: 'string', default: '10' },
  warmup: { type: 'string', default: '100' }, runs: { type: 'string', default: '3' }, 'repeat-limit-s': { type: 'string', default: '5' },
  seed: { type: 'string', default: '100' }, out: { type: 'string', default: 'docs/benchmarks/issue-3' },
} });
const log = logger(performance.now());
const machine = machineInfo();
const ds = loadDataset(datasetDir(o.dataset), o.queries === undefined ? undefined : Number(o.queries));
const { count: n, dim, data } = ds.base;
const k = Number(o.k);
const nq = ds.queries.count;
const opts = { k, warmup: Number(o.warmup), runs: Number(o.runs), repeatLimitS: Number(o['repeat-limit-s']), log };
const queryViews = Array.from({ length: nq }, (_, q) => queryVector(ds.queries, q));

/** Loads `<index-dir>/<dataset>.<type>.idx` when present, else builds the index (timed, logged). */
function obtain(spec: IndexSpec): VectorIndex {
  const file = o['index-dir'] === undefined ? undefined : join(o['index-dir'], `${ds.name}.${spec.type}.idx`);
  if (file !== undefined && existsSync(file)) {
    log(`loading ${file}`);
    return loadIndex(readFileSync(file));
  }
  log(`building ${spec.type} ${JSON.stringify(spec.params)}`);
  const t = performance.now();
  const index = buildIndex(spec, data, n, { seed: Number(o.seed) });
  log(`built ${spec.type} in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  return index;
}

const flat = buildIndex({ type: 'FLAT', metric: ds.metric, dim, params: {} }, data, n, { seed: 1 });
const indexes: { index: VectorIndex; params: IndexSearchParams }[] = [
  { index: obtain({ type: 'HNSW', metric: ds.metric, dim, params: { M: Number(o.M), efConstruction: Number(o['ef-construction']) } }), params: { ef: Number(o.ef) } },
  { index: obtain({ type: 'IVF_FLAT', metric: ds.metric, dim, params: { nlist: o.nlist === undefined ? defaultNlist(n) : Number(o.nlist) } }), params: { nprobe: Number(o.nprobe) } },
];

/** The filters: name, fraction of rows meant to pass, and the predicate on `tag = row % 1000`. */
const FILTERS: { name: string; pass: (tag: number) => boolean }[] = [
  { name: 'none (100 %)', pass: () => true },
  { name: 'tag < 100 (10 %)', pass: (t) => t < 100 },
  { name: 'tag < 10 (1 %)', pass: (t) => t < 10 },
  { name: 'tag == 0 (0.1 %)', pass: (t) => t === 0 },
];

interface FilteredPoint extends SweepPoint { filter: string; passing: number; plan: string }
const points: FilteredPoint[] = [];

for (const f of FILTERS) {
  const bits = new Bitset(n);
  for (let r = 0; r < n; r++) if (f.pass(r % 1000)) bits.set(r);
  const passing = bits.count();
  const filter = passing === n ? undefined : bits;
  const truth = flat.search(ds.queries.data, nq, k, {}, filter).ids;
  const filtered: Dataset = { ...ds, truth: { count: nq, dim: k, data: truth } };
  const plans = new Map<string, string>();
  const entries: SweepEntry[] = [];
  for (const { index, params } of indexes) {
    const type = index.spec.type;
    const given = JSON.stringify(params);
    entries.push({ series: `${type} ${given}, index + bitset`, at: () => (q) => index.search(queryViews[q], 1, k, params, filter).ids });
    const plan = planFilteredSearch(index.spec, n, passing, k, params);
    const series = `${type} ${given}, planner`;
    plans.set(series, plan.exact ? 'exact (FLAT + bitset)' : `index ${JSON.stringify(plan.params)}`);
    plans.set(`${type} ${given}, index + bitset`, `index ${given}`);
    const target = plan.exact ? flat : index;
    entries.push({ series, at: () => (q) => target.search(queryViews[q], 1, k, plan.params, filter).ids });
  }
  log(`filter ${f.name}: ${passing} of ${n} rows pass`);
  for (const p of sweep(filtered, entries, null, [null], opts)) points.push({ ...p, filter: f.name, passing, plan: plans.get(p.series) ?? '' });
  writeOutputs();
}
log('done');

/** Writes `<out>/filtered-<dataset>.json` and `.md` with the points so far. */
function writeOutputs(): void {
  mkdirSync(o.out, { recursive: true });
  const settings = { ef: Number(o.ef), nprobe: Number(o.nprobe), specs: indexes.map((i) => i.index.spec), k, queries: nq, runs: opts.runs, warmup: opts.warmup };
  const base = join(o.out, `filtered-${ds.name}`);
  writeFileSync(`${base}.json`, JSON.stringify({ dataset: ds.name, rows: n, dim, metric: ds.metric, machine, settings, points, loadAtEnd: loadNow() }, null, 1) + '\n');
  const md = [
    `# ${ds.name}: filtered search (tag = row % 1000)`, '',
    `**Machine**: ${machineLine(machine)}; load ${loadNow()} at the end.`, `**Command**: \`${machine.command}\``,
    `**Indexes**: ${indexes.map((i) => `${i.index.spec.type} ${JSON.stringify(i.index.spec.params)}`).join('; ')}. k = ${k}, ${nq} queries one at a time, best of up to ${opts.runs} passes, warm-up ${opts.warmup} queries.`,
    'Ground truth per filter: exact FLAT search with the bitset.', '',
    '| filter | rows passing | search | what ran | recall@10 | QPS | p50 ms | p99 ms | runs |', '|---|---:|---|---|---:|---:|---:|---:|---:|',
    ...points.map((p) => `| ${p.filter} | ${p.passing.toLocaleString('en-US')} | ${p.series} | ${p.plan} | ${p.recall.toFixed(4)} | ${p.qps.toFixed(0)} | ${p.p50Ms.toFixed(3)} | ${p.p99Ms.toFixed(3)} | ${p.runs} |`),
  ].join('\n') + '\n';
  writeFileSync(`${base}.md`, md);
}
