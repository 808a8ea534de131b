/**
 * Benchmark datasets in the layout of `../shared/datasets/*` (see its README): a folder named
 * `<name>-<dim>-<metric>` with `base.fvecs`, `query.fvecs` and `groundtruth.ivecs` (per query the
 * true nearest base row numbers, nearest first). Names follow ann-benchmarks: `-euclidean` = L2,
 * `-angular` = cosine.
 */
import { readFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { ErrorCode, ShoalError } from '@shoal/actors';
import { inverseNorms, parseFvecs, parseIvecs, scanTopK } from '@shoal/ann';
import type { VecsFile } from '@shoal/ann';
import type { MetricType } from '@shoal/client';

/** A loaded dataset. `base`: `count × dim` vectors (row r has primary key r); `truth`: `queries.count × truthWidth` ids. */
export interface Dataset {
  /** Folder name, e.g. `siftsmall-128-euclidean`. */
  name: string;
  metric: MetricType;
  base: VecsFile<Float32Array>;
  queries: VecsFile<Float32Array>;
  truth: VecsFile<Int32Array>;
}

/**
 * The metric named by a dataset folder's suffix: `-euclidean` → L2, `-angular` → COSINE. Throws
 * `ShoalError(ParameterInvalid)` for any other name (then pass the metric explicitly).
 */
export function metricFromName(dir: string): MetricType {
  const name = basename(resolve(dir));
  if (name.endsWith('-euclidean')) return 'L2';
  if (name.endsWith('-angular')) return 'COSINE';
  throw new ShoalError(ErrorCode.ParameterInvalid, `cannot tell the metric of dataset "${name}": its name ends neither in -euclidean (L2) nor in -angular (COSINE); pass --metric`);
}

function invalid(dir: string, message: string): ShoalError {
  return new ShoalError(ErrorCode.ImportFailed, `dataset ${dir}: ${message}`);
}

/** Options of {@link loadDataset}. */
export interface DatasetOptions {
  /** Overrides the metric of the folder name. */
  metric?: MetricType;
  /** Keep only the first N queries (and their truth rows). */
  queries?: number;
  /** Keep only the first N base rows; the ground truth is then recomputed exactly (see {@link exactTruth}). */
  rows?: number;
}

/**
 * Exact top-`k` base row numbers of every query (`queries.count × k`, nearest first, ties by the
 * smaller row), by brute force with `@shoal/ann`'s `scanTopK`: O(queries · rows · dim).
 */
export function exactTruth(base: VecsFile<Float32Array>, queries: VecsFile<Float32Array>, metric: MetricType, k: number): VecsFile<Int32Array> {
  const invNorms = metric === 'COSINE' ? inverseNorms(base.data, base.count, base.dim) : null;
  const scan = { metric, dim: base.dim, count: base.count, vectors: base.data, invNorms, rowIds: null };
  const k2 = Math.min(k, base.count);
  const res = scanTopK(scan, queries.data, queries.count, k2, null);
  return { count: queries.count, dim: k2, data: res.ids };
}

/**
 * Reads a dataset folder whole (see {@link DatasetOptions}). Throws `ShoalError(ImportFailed)` when the files are malformed or
 * disagree (dimensions, query and truth counts), like {@link metricFromName} when the metric is
 * unknown; file-system errors pass through.
 */
export async function loadDataset(dir: string, opts: DatasetOptions = {}): Promise<Dataset> {
  const metric = opts.metric ?? metricFromName(dir);
  const [base, queries, truth] = await Promise.all([
    readFile(join(dir, 'base.fvecs')).then(parseFvecs),
    readFile(join(dir, 'query.fvecs')).then(parseFvecs),
    readFile(join(dir, 'groundtruth.ivecs')).then(parseIvecs),
  ]);
  if (base.count === 0) throw invalid(dir, 'base.fvecs holds no vectors');
  if (queries.dim !== base.dim) throw invalid(dir, `query.fvecs has dim ${queries.dim}, base.fvecs ${base.dim}`);
  if (truth.count !== queries.count) throw invalid(dir, `groundtruth.ivecs has ${truth.count} rows for ${queries.count} queries`);
  const n = Math.min(opts.queries ?? queries.count, queries.count);
  const kept = { count: n, dim: queries.dim, data: queries.data.subarray(0, n * queries.dim) };
  const name = basename(resolve(dir));
  if (opts.rows !== undefined && opts.rows < base.count) {
    const rows = { count: opts.rows, dim: base.dim, data: base.data.subarray(0, opts.rows * base.dim) };
    return { name, metric, base: rows, queries: kept, truth: exactTruth(rows, kept, metric, truth.dim) };
  }
  return { name, metric, base, queries: kept, truth: { count: n, dim: truth.dim, data: truth.data.subarray(0, n * truth.dim) } };
}

/** Row `i` of a `count × dim` block as a plain array (what JSON and hnswlib-node take). */
export function rowArray(file: VecsFile<Float32Array>, i: number): number[] {
  return Array.from(file.data.subarray(i * file.dim, (i + 1) * file.dim));
}
