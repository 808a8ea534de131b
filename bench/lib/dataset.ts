/**
 * Benchmark datasets in the layout of `../shared/datasets/*` (see that folder's README): a folder
 * `<name>-<dim>-<metric>` holding `base.fvecs`, `query.fvecs` and `groundtruth.ivecs` (per query
 * the 100 nearest base row numbers, nearest first). As in ann-benchmarks, `-euclidean` means L2
 * and `-angular` cosine (Shoal's COSINE).
 */
import { readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { parseFvecs, parseIvecs } from '@shoal/ann';
import type { MetricType, VecsFile } from '@shoal/ann';

/** A loaded dataset: `base` is `count × dim` floats (row r = id r), `truth` `queries.count × 100` ids. */
export interface Dataset {
  /** Folder name, e.g. `fashion-mnist-784-euclidean`. */
  name: string;
  metric: MetricType;
  base: VecsFile<Float32Array>;
  queries: VecsFile<Float32Array>;
  truth: VecsFile<Int32Array>;
}

/** The metric named by a folder's suffix (`-euclidean` → L2, `-angular` → COSINE); throws `Error` otherwise. */
export function metricOf(name: string): MetricType {
  if (name.endsWith('-euclidean')) return 'L2';
  if (name.endsWith('-angular')) return 'COSINE';
  throw new Error(`cannot tell the metric of dataset "${name}": its name ends neither in -euclidean nor in -angular`);
}

/**
 * Resolves a `--dataset` argument: a folder path, or a short name (`fashion-mnist`, `sift`,
 * `glove`) looked up among the folders of `../shared/datasets` (relative to the working directory).
 */
export function datasetDir(arg: string): string {
  const short: Record<string, string> = {
    'fashion-mnist': 'fashion-mnist-784-euclidean', sift: 'siftsmall-128-euclidean', siftsmall: 'siftsmall-128-euclidean', glove: 'glove-25-angular',
  };
  return Object.hasOwn(short, arg) ? join('..', 'shared', 'datasets', short[arg]) : arg;
}

/**
 * Reads a dataset folder, keeping the first `queries` queries (all when undefined). Throws `Error`
 * when the files disagree (dimensions, query and truth counts); parse and file errors pass through.
 */
export function loadDataset(dir: string, queries?: number): Dataset {
  const name = basename(resolve(dir));
  const base = parseFvecs(readFileSync(join(dir, 'base.fvecs')));
  const q = parseFvecs(readFileSync(join(dir, 'query.fvecs')));
  const truth = parseIvecs(readFileSync(join(dir, 'groundtruth.ivecs')));
  if (q.dim !== base.dim) throw new Error(`${dir}: query.fvecs has dim ${q.dim}, base.fvecs ${base.dim}`);
  if (truth.count !== q.count) throw new Error(`${dir}: groundtruth.ivecs has ${truth.count} rows for ${q.count} queries`);
  const n = Math.min(queries ?? q.count, q.count);
  return {
    name,
    metric: metricOf(name),
    base,
    queries: { count: n, dim: q.dim, data: q.data.subarray(0, n * q.dim) },
    truth: { count: n, dim: truth.dim, data: truth.data.subarray(0, n * truth.dim) },
  };
}

/** Query `i` of a `count × dim` block as its own `Float32Array` (a copy, so native code sees offset 0). */
export function queryVector(file: VecsFile<Float32Array>, i: number): Float32Array {
  return file.data.slice(i * file.dim, (i + 1) * file.dim);
}
