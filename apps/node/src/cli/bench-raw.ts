/**
 * `shoal bench --compare-raw`: the same dataset through hnswlib-node directly, in-process (the
 * library Shoal's HNSW wraps), as the baseline without Shoal's API, segments and storage:
 * `HierarchicalNSW` with the same space (l2 for L2, cosine for COSINE, ip for IP), M,
 * efConstruction and a fixed seed for HNSW; `BruteforceSearch` for FLAT.
 */
import hnswlib from 'hnswlib-node';
import { ErrorCode, ShoalError } from '@shoal/actors';
import type { MetricType } from '@shoal/client';
import type { Dataset } from './dataset.ts';
import { rowArray } from './dataset.ts';
import { measureQueries } from './bench-queries.ts';
import type { BenchParams, SweepRow } from './bench-shoal.ts';

/** What the raw side measured: build time in seconds (adding every base vector) and the query passes. */
export interface RawResult {
  /** hnswlib's random seed (HNSW level assignment). */
  seed: number;
  buildSeconds: number;
  sweep: SweepRow[];
}

/** hnswlib's space of each float metric (the datasets are fvecs, so never a binary metric). */
const SPACES: Partial<Record<MetricType, hnswlib.SpaceName>> = { L2: 'l2', IP: 'ip', COSINE: 'cosine' };

/**
 * Builds the raw index over `ds.base` (synchronous, on this thread) and runs the same query passes
 * as the Shoal side (`queries` = `ds.queries` as plain arrays). Throws like `measureQueries`;
 * hnswlib's own errors pass through.
 */
export async function benchRaw(ds: Dataset, queries: number[][], p: BenchParams, seed: number, log: (line: string) => void): Promise<RawResult> {
  const space = SPACES[ds.metric];
  if (!space) throw new ShoalError(ErrorCode.ParameterInvalid, `the raw hnswlib baseline takes float metrics (L2, IP, COSINE), not ${ds.metric}`);
  log(`building raw hnswlib ${p.index === 'HNSW' ? 'HierarchicalNSW' : 'BruteforceSearch'} (${space})`);
  const t0 = performance.now();
  const index = p.index === 'HNSW' ? new hnswlib.HierarchicalNSW(space, ds.base.dim) : new hnswlib.BruteforceSearch(space, ds.base.dim);
  if (index instanceof hnswlib.HierarchicalNSW) index.initIndex(ds.base.count, p.M, p.efConstruction, seed);
  else index.initIndex(ds.base.count);
  for (let r = 0; r < ds.base.count; r++) index.addPoint(rowArray(ds.base, r), r);
  const buildSeconds = (performance.now() - t0) / 1000;
  const sweep: SweepRow[] = [];
  for (const ef of p.index === 'HNSW' ? p.efs : [null]) {
    log(`querying raw hnswlib${ef === null ? '' : ` with ef=${ef}`}`);
    if (ef !== null && index instanceof hnswlib.HierarchicalNSW) index.setEf(ef);
    const stats = await measureQueries(queries, ds.truth, p.k, (q) => index.searchKnn(q, p.k).neighbors, p.warmup);
    sweep.push({ ef, stats });
  }
  return { seed, buildSeconds, sweep };
}
