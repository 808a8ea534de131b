/**
 * Index sweep (issue 3): builds every index type Shoal has over one dataset — FLAT, HNSW, IVF_FLAT,
 * IVF_SQ8, IVF_PQ — and, with the same M / efConstruction as Shoal's HNSW, raw hnswlib-node and
 * raw usearch, all in this process; records build time and memory; sweeps each index's search
 * parameter (ef, nprobe) measuring recall@k and single-query QPS / p50 / p99; writes
 * `<out>/<dataset>.json`, `.md` and a recall-vs-QPS `.svg`. See bench/README.md.
 *
 * Usage: npx node bench/index-sweep.ts --dataset ../shared/datasets/fashion-mnist-784-euclidean \
 *          [--types FLAT,HNSW,IVF_FLAT,IVF_SQ8,IVF_PQ,hnswlib,usearch] [--queries N] \
 *          [--out docs/benchmarks/issue-3] [--M 16] [--ef-construction 200] [--nlist N] \
 *          [--pq-m 196,98] [--k 10] [--warmup 100] [--runs 3] [--repeat-limit-s 5] [--seed 100] \
 *          [--save-indexes DIR]
 * The outputs are rewritten after every index, so a long run leaves its results so far.
 * `--save-indexes DIR` also writes each Shoal index's `serialize()` bytes to
 * `DIR/<dataset>.<TYPE>[.m<m>].idx`, for `bench/filtered-search.ts --index-dir DIR`.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildIndex, INDEX_TYPES } from '@shoal/ann';
import type { IndexType, VectorIndex } from '@shoal/ann';
import { datasetDir, loadDataset, queryVector } from './lib/dataset.ts';
import { logger, loadNow, machineInfo } from './lib/machine.ts';
import { buildHnswlib, buildUsearch } from './lib/raw-libs.ts';
import type { RawIndex } from './lib/raw-libs.ts';
import type { BuildRecord, SweepPoint } from './lib/report.ts';
import { writeSweep } from './lib/report.ts';
import { defaultNlist, EF_SWEEP, isBinaryType, planShoalIndexes } from './lib/shoal-indexes.ts';
import type { ShoalIndexPlan } from './lib/shoal-indexes.ts';
import { sweep } from './lib/sweep.ts';
import type { SweepEntry, SweepOptions } from './lib/sweep.ts';

const RAW_LIBS = ['hnswlib', 'usearch'];

const { values: o } = parseArgs({ options: {
  dataset: { type: 'string' }, types: { type: 'string' }, queries: { type: 'string' }, out: { type: 'string', default: 'docs/benchmarks/issue-3' },
  M: { type: 'string', default: '16' }, 'ef-construction': { type: 'string', default: '200' }, nlist: { type: 'string' }, 'pq-m': { type: 'string' },
  k: { type: 'string', default: '10' }, warmup: { type: 'string', default: '100' }, runs: { type: 'string', default: '3' },
  'repeat-limit-s': { type: 'string', default: '5' }, seed: { type: 'string', default: '100' }, 'save-indexes': { type: 'string' },
} });
if (o.dataset === undefined) throw new Error('--dataset DIR is required (a folder of ../shared/datasets, or fashion-mnist, sift, glove)');

const t0 = performance.now();
const log = logger(t0);
const machine = machineInfo();
const ds = loadDataset(datasetDir(o.dataset), o.queries === undefined ? undefined : Number(o.queries));
const { count: n, dim } = ds.base;
const rawBytes = n * dim * 4;
const k = Number(o.k);
const hnsw = { M: Number(o.M), efConstruction: Number(o['ef-construction']), seed: Number(o.seed) };
const nlist = o.nlist === undefined ? defaultNlist(n) : Number(o.nlist);
const pqM = o['pq-m'] === undefined ? [] : o['pq-m'].split(',').map(Number);
const sweepOpts: SweepOptions = { k, warmup: Number(o.warmup), runs: Number(o.runs), repeatLimitS: Number(o['repeat-limit-s']), log };
const efs = EF_SWEEP.filter((ef) => ef >= k);
log(`${ds.name}: ${n} × ${dim} ${ds.metric}, ${ds.queries.count} queries, load ${machine.loadAtStart}`);

const requested = (o.types ?? [...INDEX_TYPES, ...RAW_LIBS].join(',')).split(',').map((t) => t.trim()).filter((t) => t !== '');
for (const t of requested) {
  if (!RAW_LIBS.includes(t) && !(INDEX_TYPES as readonly string[]).includes(t)) throw new Error(`--types: unknown type ${t}; known: ${[...INDEX_TYPES, ...RAW_LIBS].join(', ')}`);
}
const skipped = requested.filter(isBinaryType).map((type) => ({ type, reason: 'binary-vector index (HAMMING/JACCARD over bit vectors): not applicable to a float dataset' }));
for (const s of skipped) log(`skipping ${s.type}: ${s.reason}`);
const shoalTypes = requested.filter((t) => !RAW_LIBS.includes(t) && !isBinaryType(t)) as IndexType[];
const plans = planShoalIndexes(shoalTypes, ds.metric, n, dim, { M: hnsw.M, efConstruction: hnsw.efConstruction, nlist, pqM });
const builds: BuildRecord[] = [];
const points: SweepPoint[] = [];
const queryViews = Array.from({ length: ds.queries.count }, (_, q) => queryVector(ds.queries, q));

/** Builds a Shoal index, timing it and recording its `memoryBytes()`. */
function buildShoal(plan: ShoalIndexPlan): VectorIndex {
  log(`building ${plan.series} ${JSON.stringify(plan.spec.params)}`);
  let next = 0.1;
  const start = performance.now();
  const index = buildIndex(plan.spec, ds.base.data, n, { seed: hnsw.seed, onProgress: (done, total) => {
    if (done / total >= next && done < total) { log(`  ${plan.series}: ${done}/${total} rows`); next += 0.1; }
  } });
  const buildMs = performance.now() - start;
  builds.push({ series: plan.series, params: { ...plan.spec.params }, buildMs, memoryBytes: index.memoryBytes(), memorySource: 'memoryBytes()', rawBytes });
  log(`built ${plan.series} in ${(buildMs / 1000).toFixed(2)} s, memoryBytes ${index.memoryBytes()}`);
  if (o['save-indexes'] !== undefined) {
    mkdirSync(o['save-indexes'], { recursive: true });
    const m = plan.spec.params.m === undefined ? '' : `.m${plan.spec.params.m}`;
    writeFileSync(join(o['save-indexes'], `${ds.name}.${plan.spec.type}${m}.idx`), index.serialize());
  }
  return index;
}

/** The sweep entry of a Shoal index: searches one query at a time with the swept parameter. */
function shoalEntry(plan: ShoalIndexPlan, index: VectorIndex): SweepEntry {
  return {
    series: plan.series,
    at(value) {
      const params = plan.param === null || value === null ? {} : { [plan.param]: value };
      return (q) => index.search(queryViews[q], 1, k, params).ids;
    },
  };
}

/** Records a raw library's build and returns its sweep entry. */
function rawEntry(raw: RawIndex): SweepEntry {
  builds.push({ series: raw.name, params: { M: hnsw.M, efConstruction: hnsw.efConstruction }, buildMs: raw.buildMs, memoryBytes: raw.serializedBytes,
    memorySource: 'serialized index size', rssDeltaBytes: raw.rssDeltaBytes, rawBytes });
  log(`built ${raw.name} in ${(raw.buildMs / 1000).toFixed(2)} s, serialized ${raw.serializedBytes} bytes, RSS +${raw.rssDeltaBytes}`);
  return { series: raw.name, at: (ef) => raw.at(ef as number, k) };
}

// 1. The HNSW family, swept side by side. The raw libraries are built first, while the process's
// resident set is smallest, so their RSS growth is the least disturbed by freed memory.
const raws: RawIndex[] = [];
if (requested.includes('hnswlib')) { log('building hnswlib-node HierarchicalNSW'); raws.push(buildHnswlib(ds, hnsw)); }
if (requested.includes('usearch')) { log('building usearch Index'); raws.push(buildUsearch(ds, hnsw)); }
const hnswFamily: SweepEntry[] = [];
const hnswPlan = plans.find((p) => p.spec.type === 'HNSW');
if (hnswPlan !== undefined) hnswFamily.push(shoalEntry(hnswPlan, buildShoal(hnswPlan)));
hnswFamily.push(...raws.map(rawEntry));
if (hnswFamily.length > 0) {
  points.push(...sweep(ds, hnswFamily, 'ef', efs, sweepOpts));
  await save();
}
for (const raw of raws) raw.close();
hnswFamily.length = 0;

// 2. FLAT and the IVF indexes, one at a time (each is freed before the next is built).
for (const plan of plans.filter((p) => p.spec.type !== 'HNSW')) {
  const index = buildShoal(plan);
  points.push(...sweep(ds, [shoalEntry(plan, index)], plan.param, plan.param === null ? [null] : plan.values, sweepOpts));
  await save();
}
log('done');

/** Writes the outputs with what has been measured so far. */
async function save(): Promise<void> {
  const settings = { ...hnsw, nlist, k, runs: sweepOpts.runs, repeatLimitS: sweepOpts.repeatLimitS, queries: ds.queries.count };
  const report = { dataset: ds.name, metric: ds.metric, rows: n, dim, k, warmup: sweepOpts.warmup, machine, settings, skipped, builds, points, loadAtEnd: loadNow() };
  const files = await writeSweep(o.out, report);
  log(`wrote ${files.join(', ')}`);
}
