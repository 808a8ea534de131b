/**
 * `shoal bench`: measures a Shoal node on an ANN dataset folder (base.fvecs, query.fvecs,
 * groundtruth.ivecs; see dataset.ts) through the REST API — ingest rows/s, index build time, and
 * per search `ef` recall@k, single-query QPS and p50/p99 latency — optionally side by side with raw
 * hnswlib-node (`--compare-raw`). `--embedded` benchmarks an in-process node on a temporary data
 * directory (its HTTP server shares this process's event loop with the client).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Command } from 'commander';
import { Option } from 'commander';
import pino from 'pino';
import { ErrorCode, ShoalError } from '@shoal/actors';
import { ShoalClient } from '@shoal/client';
import type { MetricType } from '@shoal/client';
import { runNode } from '../main.ts';
import { benchRaw } from './bench-raw.ts';
import type { RawResult } from './bench-raw.ts';
import { formatReport, machineInfo } from './bench-report.ts';
import type { BenchReport } from './bench-report.ts';
import { benchCollectionName, benchShoal } from './bench-shoal.ts';
import type { BenchParams } from './bench-shoal.ts';
import { loadDataset, rowArray } from './dataset.ts';
import { cliAction } from './errors.ts';
import { intListOption, intOption, METRICS } from './options.ts';

/** Settings of {@link runBench} (the options of `shoal bench`). */
export interface BenchOptions extends Partial<BenchParams> {
  /** Dataset folder, e.g. `../shared/datasets/siftsmall-128-euclidean`. */
  dataset: string;
  /** Node to benchmark (default `http://127.0.0.1:19530`); ignored with `embedded`. */
  url?: string;
  /** Start an in-process node on a temporary data directory instead. */
  embedded?: boolean;
  /** Overrides the metric of the dataset name. */
  metric?: MetricType;
  /** Search `ef` values (HNSW). */
  ef?: number[];
  /** Run only the first N queries. */
  queries?: number;
  /** Use only the first N base rows (the ground truth is then recomputed exactly). */
  rows?: number;
  /** Also measure raw hnswlib-node in-process. */
  compareRaw?: boolean;
  /** hnswlib seed of the raw build (default 100, hnswlib's own default). */
  seed?: number;
  /** Keep the collection afterwards. */
  keep?: boolean;
  /** Collection name (default `bench_<dataset>_<index>`). */
  collection?: string;
  /** Write the report as JSON to this path. */
  json?: string;
  /** The command line, recorded in the report. */
  command?: string;
  /** Progress lines (default: to stderr). */
  log?: (line: string) => void;
}

/** Fills defaults and checks the combination. Throws `ShoalError(ParameterInvalid)` when an ef is below k. */
export function benchParams(o: BenchOptions): BenchParams {
  const p: BenchParams = {
    index: o.index ?? 'HNSW', M: o.M ?? 16, efConstruction: o.efConstruction ?? 200,
    efs: o.ef ?? o.efs ?? [16, 32, 64, 128, 256], batch: o.batch ?? 1000, k: o.k ?? 10, warmup: o.warmup ?? 100,
  };
  if (o.consistency) p.consistency = o.consistency;
  const low = p.index === 'HNSW' ? p.efs.filter((ef) => ef < p.k) : [];
  if (low.length > 0) throw new ShoalError(ErrorCode.ParameterInvalid, `--ef values must be ≥ --k (${p.k}), got ${low.join(',')}`);
  return p;
}

/**
 * Runs a whole benchmark (see the file comment) and returns its report. Throws `ShoalClientError`
 * with the server's Milvus code when a request fails, `ShoalError` for bad options or datasets.
 */
export async function runBench(o: BenchOptions): Promise<BenchReport> {
  const log = o.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const params = benchParams(o);
  const date = new Date().toISOString();
  const machine = machineInfo();
  const ds = await loadDataset(o.dataset, { metric: o.metric, queries: o.queries, rows: o.rows });
  if (ds.truth.dim < params.k) throw new ShoalError(ErrorCode.ParameterInvalid, `--k ${params.k} exceeds the ${ds.truth.dim} true neighbours per query of ${ds.name}`);
  const queries = Array.from({ length: ds.queries.count }, (_, i) => rowArray(ds.queries, i));
  const collection = o.collection ?? benchCollectionName(ds.name, params.index);
  let dataDir: string | undefined;
  let node: Awaited<ReturnType<typeof runNode>> | undefined;
  try {
    let url = o.url ?? 'http://127.0.0.1:19530';
    if (o.embedded) {
      dataDir = await mkdtemp(join(tmpdir(), 'shoal-bench-'));
      node = await runNode({ dataDir, port: 0, host: '127.0.0.1', logger: pino({ level: 'warn' }, pino.destination(2)) });
      url = node.url;
      log(`embedded node on ${url}, data in ${dataDir}`);
    }
    const client = new ShoalClient({ address: url, timeoutMs: 600_000 });
    const shoal = await benchShoal(client, ds, queries, params, collection, o.keep ?? false, log);
    let raw: RawResult | undefined;
    if (o.compareRaw) raw = await benchRaw(ds, queries, params, o.seed ?? 100, log);
    const report: BenchReport = {
      date, command: o.command ?? `shoal bench --dataset ${o.dataset}`, machine,
      dataset: { name: ds.name, rows: ds.base.count, dim: ds.base.dim, queries: ds.queries.count, metric: ds.metric, k: params.k },
      target: o.embedded ? `embedded node (${url})` : url, params, shoal, raw,
    };
    if (o.json) await writeFile(o.json, `${JSON.stringify(report, null, 2)}\n`);
    return report;
  } finally {
    await node?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  }
}

/** Registers `shoal bench` on `program`. */
export function registerBench(program: Command): void {
  program.command('bench')
    .description('measure ingest, index build, recall@k, QPS and latency on an ANN dataset folder')
    .requiredOption('--dataset <dir>', 'dataset folder with base.fvecs, query.fvecs, groundtruth.ivecs')
    .addOption(new Option('--url <url>', 'URL of the Shoal node to benchmark (default http://127.0.0.1:19530)').conflicts('embedded'))
    .option('--embedded', 'start an in-process node on a temporary data directory')
    .addOption(new Option('--metric <metric>', 'metric (default: from the folder name: -euclidean L2, -angular COSINE)').choices(METRICS))
    .addOption(new Option('--index <type>', 'index type').choices(['HNSW', 'FLAT']).default('HNSW'))
    .option('--M <n>', 'HNSW M', intOption('--M', 2), 16)
    .option('--ef-construction <n>', 'HNSW efConstruction', intOption('--ef-construction', 1), 200)
    .addOption(new Option('--ef <list>', 'search ef values to sweep (HNSW)').argParser(intListOption('--ef')).default([16, 32, 64, 128, 256], '16,32,64,128,256'))
    .option('--batch <rows>', 'rows per insert request', intOption('--batch', 1), 1000)
    .option('--queries <n>', 'run only the first N queries', intOption('--queries', 1))
    .option('--rows <n>', 'use only the first N base rows (ground truth recomputed exactly)', intOption('--rows', 1))
    .option('--k <n>', 'top-k of every query (recall@k)', intOption('--k', 1), 10)
    .option('--warmup <n>', 'queries run before each timed pass', intOption('--warmup', 0), 100)
    .addOption(new Option('--consistency <level>', 'consistency level of the searches (default: the collection\'s)').choices(['Strong', 'Session', 'Bounded', 'Eventually']))
    .option('--compare-raw', 'also measure raw hnswlib-node in-process, side by side')
    .option('--seed <n>', 'hnswlib random seed of the raw build', intOption('--seed', 0), 100)
    .option('--keep', 'keep the collection at the end')
    .option('--collection <name>', 'collection name (default bench_<dataset>_<index>)')
    .option('--json <path>', 'also write the report as JSON')
    .action(cliAction(async (opts: BenchOptions) => {
      const report = await runBench({ ...opts, command: `shoal ${process.argv.slice(2).join(' ')}` });
      process.stdout.write(`${formatReport(report)}\n`);
    }));
}
