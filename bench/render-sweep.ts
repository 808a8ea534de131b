/**
 * Re-renders the Markdown table and the recall-vs-QPS SVG of saved index sweeps from their JSON
 * (`bench/index-sweep.ts` output), e.g. after a change of the plot or table layout, without
 * measuring again. The files are written beside each JSON.
 *
 * Usage: npx node bench/render-sweep.ts docs/benchmarks/issue-3/fashion-mnist-784-euclidean.json [more.json …]
 */
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { SweepReport } from './lib/report.ts';
import { renderSweep } from './lib/report.ts';

if (process.argv.length < 3) throw new Error('usage: npx node bench/render-sweep.ts SWEEP.json [SWEEP.json …]');
for (const file of process.argv.slice(2)) {
  const report = JSON.parse(readFileSync(file, 'utf8')) as SweepReport;
  const written = await renderSweep(dirname(file), report);
  process.stderr.write(`wrote ${written.join(', ')}\n`);
}
