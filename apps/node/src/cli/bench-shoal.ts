/**
 * The Shoal side of `shoal bench`, entirely through the REST API (`@shoal/client`): create the
 * collection, insert the base vectors in batches (ingest rows/s), flush, build the index (from
 * `indexes/create` until `describeIndex` reports `Finished` with no pending rows), load, then one
 * query pass per search `ef`.
 */
import type { ConsistencyLevel, MetricType, ShoalClient } from '@shoal/client';
import { ErrorCode, ShoalError } from '@shoal/actors';
import type { Dataset } from './dataset.ts';
import { measureQueries } from './bench-queries.ts';
import type { QueryStats } from './bench-queries.ts';
import { vectorRows } from './rows.ts';

/** Index and query settings of a benchmark run. */
export interface BenchParams {
  index: 'HNSW' | 'FLAT';
  /** HNSW graph degree. */
  M: number;
  efConstruction: number;
  /** Search `ef` values to sweep (HNSW; ignored for FLAT). */
  efs: number[];
  /** Rows per insert request. */
  batch: number;
  /** Top-k of every query (recall@k). */
  k: number;
  /** Queries run before each timed pass, results ignored. */
  warmup: number;
  /** Consistency level of the searches (default: the collection's). */
  consistency?: ConsistencyLevel;
}

/** One query pass: `ef` (null for FLAT) and its statistics. */
export interface SweepRow {
  ef: number | null;
  stats: QueryStats;
}

/** What the Shoal side measured. Durations in seconds. */
export interface ShoalResult {
  collection: string;
  consistencyLevel: string;
  ingest: { rows: number; seconds: number; rowsPerSec: number };
  flushSeconds: number;
  indexBuildSeconds: number;
  loadSeconds: number;
  sweep: SweepRow[];
}

/** Vector field of the benchmark collection. */
const VECTOR_FIELD = 'vector';
/** Interval of index-state and load-state polls, ms (the resolution of the build time). */
const POLL_MS = 20;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Calls `check` every {@link POLL_MS} until it returns true. */
async function pollUntil(check: () => Promise<boolean>): Promise<void> {
  while (!(await check())) await sleep(POLL_MS);
}

/** The collection name of a benchmark: `bench_<dataset>_<index>`, non-identifier characters as `_`. */
export function benchCollectionName(dataset: string, index: string): string {
  return `bench_${dataset}_${index}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
}

/** Inserts the base vectors in batches; returns the summed wall time of the insert requests, in seconds. */
async function ingest(client: ShoalClient, collectionName: string, ds: Dataset, batch: number): Promise<number> {
  let ms = 0;
  for (let first = 0; first < ds.base.count; first += batch) {
    const count = Math.min(batch, ds.base.count - first);
    const data = ds.base.data.subarray(first * ds.base.dim, (first + count) * ds.base.dim);
    const rows = vectorRows({ firstRow: first, count, dim: ds.base.dim, data }, { idStart: 0, vectorField: VECTOR_FIELD });
    const t0 = performance.now();
    await client.insert({ collectionName, data: rows });
    ms += performance.now() - t0;
  }
  return ms / 1000;
}

/** Builds the index and waits for it; returns seconds from `createIndex` to `Finished`. Throws `ShoalError(IndexNotSupported)` when the build failed. */
async function buildIndex(client: ShoalClient, collectionName: string, metric: MetricType, p: BenchParams): Promise<number> {
  const params = p.index === 'HNSW' ? { M: p.M, efConstruction: p.efConstruction } : {};
  const t0 = performance.now();
  await client.createIndex({ collectionName, indexParams: [{ fieldName: VECTOR_FIELD, indexName: VECTOR_FIELD, metricType: metric, indexType: p.index, params }] });
  await pollUntil(async () => {
    const [d] = await client.describeIndex({ collectionName, indexName: VECTOR_FIELD });
    if (d.indexState === 'Failed') throw new ShoalError(ErrorCode.IndexNotSupported, `index build of ${collectionName} failed: ${d.failReason}`);
    return d.indexState === 'Finished' && d.pendingRows === 0;
  });
  return (performance.now() - t0) / 1000;
}

/**
 * Runs the Shoal side on `collectionName` (dropped first if it exists; dropped at the end unless
 * `keep`, also after a failure). `queries` are `ds.queries` as plain arrays. `log` receives one
 * line per phase. Throws `ShoalClientError` with the server's code when a request fails, and like
 * `measureQueries`.
 */
export async function benchShoal(client: ShoalClient, ds: Dataset, queries: number[][], p: BenchParams, collectionName: string, keep: boolean, log: (line: string) => void): Promise<ShoalResult> {
  if (await client.hasCollection({ collectionName })) await client.dropCollection({ collectionName });
  await client.createCollection({
    collectionName,
    schema: { autoID: false, fields: [
      { fieldName: 'id', dataType: 'Int64', isPrimary: true },
      { fieldName: VECTOR_FIELD, dataType: 'FloatVector', elementTypeParams: { dim: ds.base.dim } },
    ] },
  });
  let result: ShoalResult;
  try {
    result = await measure(client, ds, queries, p, collectionName, log);
  } catch (err) {
    if (!keep) await client.dropCollection({ collectionName }).catch(() => undefined); // the first error is the one to report
    throw err;
  }
  if (!keep) await client.dropCollection({ collectionName });
  return result;
}

/** The measured phases of {@link benchShoal}, on a created, empty collection. */
async function measure(client: ShoalClient, ds: Dataset, queries: number[][], p: BenchParams, collectionName: string, log: (line: string) => void): Promise<ShoalResult> {
  log(`inserting ${ds.base.count} rows into ${collectionName} in batches of ${p.batch}`);
  const ingestSeconds = await ingest(client, collectionName, ds, p.batch);
  let t0 = performance.now();
  await client.flush({ collectionName });
  const flushSeconds = (performance.now() - t0) / 1000;
  log(`building the ${p.index} index`);
  const indexBuildSeconds = await buildIndex(client, collectionName, ds.metric, p);
  t0 = performance.now();
  await client.loadCollection({ collectionName });
  await pollUntil(async () => (await client.getLoadState({ collectionName })).loadState === 'LoadStateLoaded');
  const loadSeconds = (performance.now() - t0) / 1000;
  const consistencyLevel = p.consistency ?? (await client.describeCollection({ collectionName })).consistencyLevel;
  const sweep: SweepRow[] = [];
  for (const ef of p.index === 'HNSW' ? p.efs : [null]) {
    log(`querying${ef === null ? '' : ` with ef=${ef}`}`);
    const searchParams = { metricType: ds.metric, params: ef === null ? {} : { ef } };
    const stats = await measureQueries(queries, ds.truth, p.k, async (q) => {
      const [hits] = await client.search({ collectionName, data: [q], annsField: VECTOR_FIELD, limit: p.k, searchParams, consistencyLevel: p.consistency });
      return hits.map((h) => Number(h.id));
    }, p.warmup);
    sweep.push({ ef, stats });
  }
  return {
    collection: collectionName, consistencyLevel,
    ingest: { rows: ds.base.count, seconds: ingestSeconds, rowsPerSec: ds.base.count / ingestSeconds },
    flushSeconds, indexBuildSeconds, loadSeconds, sweep,
  };
}
