/**
 * Sweeps of a search parameter over one or more indexes of the same dataset. Indexes compared side
 * by side (Shoal's HNSW and the raw libraries at equal ef) are measured interleaved: at each value,
 * every index gets its warm-up, then pass 1 of each, pass 2 of each, … so that changes of the
 * machine's load during the sweep affect them alike. Each point reports the best of its passes.
 */
import type { Dataset } from './dataset.ts';
import { loadNow } from './machine.ts';
import { bestPass, timedPass, warmUp } from './measure.ts';
import type { PassStats, Searcher } from './measure.ts';
import type { SweepPoint } from './report.ts';

/** An index in a sweep: its curve name and a searcher for each value of the swept parameter. */
export interface SweepEntry {
  series: string;
  /** Prepares the index for `value` (untimed) and returns its top-k searcher; `value` is null for FLAT. */
  at(value: number | null): Searcher;
}

/** How a sweep runs: top-k, warm-up queries per point, passes per point. */
export interface SweepOptions {
  k: number;
  warmup: number;
  /** Passes per point (the best is reported). */
  runs: number;
  /** A point whose pass took longer than this (s) is not repeated. */
  repeatLimitS: number;
  log: (line: string) => void;
}

/**
 * Measures every entry at every value of `param` (`values`; `[null]` for an unparameterized index)
 * on all the dataset's queries and returns the points in (value, entry) order.
 */
export function sweep(ds: Dataset, entries: SweepEntry[], param: string | null, values: (number | null)[], o: SweepOptions): SweepPoint[] {
  const nq = ds.queries.count;
  const points: SweepPoint[] = [];
  for (const value of values) {
    const searchers = entries.map((e) => e.at(value));
    const passes: PassStats[][] = entries.map(() => []);
    for (const s of searchers) warmUp(s, nq, o.warmup);
    for (let run = 0; run < o.runs; run++) {
      searchers.forEach((s, i) => {
        const last = passes[i].at(-1);
        if (last !== undefined && last.queries / last.qps > o.repeatLimitS) return;
        passes[i].push(timedPass(s, nq, ds.truth.data, ds.truth.dim, o.k));
      });
    }
    const load = loadNow();
    entries.forEach((e, i) => {
      const best = bestPass(passes[i]);
      points.push({ series: e.series, param, value, load, ...best });
      const at = param === null ? '' : ` ${param}=${value}`;
      o.log(`${e.series}${at}: recall@${o.k} ${best.recall.toFixed(4)}, ${best.qps.toFixed(0)} QPS, p50 ${best.p50Ms.toFixed(3)} ms, p99 ${best.p99Ms.toFixed(3)} ms (${best.runs} runs, load ${load})`);
    });
  }
  return points;
}
