/**
 * The raw HNSW libraries Shoal is compared with, driven directly in-process:
 * - hnswlib-node 3 `HierarchicalNSW` (the C++ hnswlib that Shoal's HNSW wraps; inputs are plain
 *   `number[]`, so the queries are converted once, before any timing — its best case);
 * - usearch 2 `Index` (f32, single-threaded `add` and `search`, for a like-for-like build time).
 *
 * Memory: neither library reports its heap use through its JavaScript API, so two estimates are
 * recorded: the size of the library's own serialized index (written to a temporary file; both
 * libraries' files are their in-memory layout: vectors, links, labels), and the growth of the
 * process's resident set size across the build (native allocations; noisy, as the JS heap and
 * freed pages move too). Reports use the serialized size and show the RSS growth beside it.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import hnswlib from 'hnswlib-node';
import { Index as UsearchIndex, MetricKind, ScalarKind } from 'usearch';
import type { MetricType } from '@shoal/ann';
import type { Dataset } from './dataset.ts';
import { queryVector } from './dataset.ts';
import type { Searcher } from './measure.ts';

/** Build parameters shared with Shoal's HNSW. */
export interface HnswParams {
  M: number;
  efConstruction: number;
  /** hnswlib's random seed (usearch takes none through its JS API). */
  seed: number;
}

/** A built raw index: build time, memory estimates and a searcher per ef. */
export interface RawIndex {
  /** Curve name, e.g. "hnswlib-node HNSW". */
  name: string;
  buildMs: number;
  /** Size of the library's serialized index in bytes (see the module comment). */
  serializedBytes: number;
  /** Growth of the resident set size across the build, bytes. */
  rssDeltaBytes: number;
  /** Prepares a search at `ef` (untimed: setEf, or for usearch a reload) and returns the searcher for top-k. */
  at(ef: number, k: number): Searcher;
  /** Frees what can be freed (temporary files). */
  close(): void;
}

const HNSWLIB_SPACES: Record<string, hnswlib.SpaceName> = { L2: 'l2', IP: 'ip', COSINE: 'cosine' };
const USEARCH_METRICS: Record<string, MetricKind> = { L2: MetricKind.L2sq, IP: MetricKind.IP, COSINE: MetricKind.Cos };

function space<T>(table: Record<string, T>, metric: MetricType): T {
  if (!Object.hasOwn(table, metric)) throw new Error(`no raw library space for metric ${metric}`);
  return table[metric];
}

/** Builds hnswlib-node's `HierarchicalNSW` over the dataset (one thread, rows added in order). */
export function buildHnswlib(ds: Dataset, p: HnswParams): RawIndex {
  const { count, dim, data } = ds.base;
  const rss0 = process.memoryUsage.rss();
  const t0 = performance.now();
  const index = new hnswlib.HierarchicalNSW(space(HNSWLIB_SPACES, ds.metric), dim);
  index.initIndex(count, p.M, p.efConstruction, p.seed);
  const point = new Array<number>(dim).fill(0);
  for (let r = 0; r < count; r++) {
    for (let i = 0; i < dim; i++) point[i] = data[r * dim + i];
    index.addPoint(point, r);
  }
  const buildMs = performance.now() - t0;
  const rssDeltaBytes = process.memoryUsage.rss() - rss0;
  const dir = mkdtempSync(join(tmpdir(), 'shoal-bench-'));
  const file = join(dir, 'hnswlib.bin');
  index.writeIndexSync(file);
  const serializedBytes = statSync(file).size;
  rmSync(dir, { recursive: true, force: true });
  const queries = Array.from({ length: ds.queries.count }, (_, q) => Array.from(queryVector(ds.queries, q)));
  return {
    name: 'hnswlib-node HNSW',
    buildMs,
    serializedBytes,
    rssDeltaBytes,
    at(ef, k) {
      index.setEf(ef);
      return (q) => index.searchKnn(queries[q], k).neighbors;
    },
    close() {},
  };
}

/** Builds usearch's `Index` (f32, connectivity M, expansion_add efConstruction, one thread). */
export function buildUsearch(ds: Dataset, p: HnswParams): RawIndex {
  const { count, dim, data } = ds.base;
  const config = (ef: number) => ({
    dimensions: dim, metric: space(USEARCH_METRICS, ds.metric), quantization: ScalarKind.F32,
    connectivity: p.M, expansion_add: p.efConstruction, expansion_search: ef, multi: false,
  });
  const keys = new BigUint64Array(count);
  for (let r = 0; r < count; r++) keys[r] = BigInt(r);
  const rss0 = process.memoryUsage.rss();
  const t0 = performance.now();
  const built = new UsearchIndex(config(64));
  built.add(keys, data.subarray(0, count * dim), 1);
  const buildMs = performance.now() - t0;
  const rssDeltaBytes = process.memoryUsage.rss() - rss0;
  // usearch 2's JS API cannot change expansion_search after construction: save once, and load the
  // file into an Index constructed with the wanted ef (the setting is not part of the file).
  const dir = mkdtempSync(join(tmpdir(), 'shoal-bench-'));
  const file = join(dir, 'usearch.bin');
  built.save(file);
  const serializedBytes = statSync(file).size;
  const queries = Array.from({ length: ds.queries.count }, (_, q) => queryVector(ds.queries, q));
  return {
    name: 'usearch HNSW',
    buildMs,
    serializedBytes,
    rssDeltaBytes,
    at(ef, k) {
      const index = new UsearchIndex(config(ef));
      index.load(file);
      return (q) => {
        const keysOut = index.search(queries[q], k, 1).keys;
        const ids = new Int32Array(keysOut.length);
        for (let i = 0; i < keysOut.length; i++) ids[i] = Number(keysOut[i]);
        return ids;
      };
    },
    close() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
