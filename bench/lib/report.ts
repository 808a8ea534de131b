/**
 * The outputs of an index sweep: the JSON of every build and point, a Markdown page with the
 * build and sweep tables, and the recall-vs-QPS SVG (`plot.ts`).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MachineInfo } from './machine.ts';
import { machineLine } from './machine.ts';
import type { PassStats } from './measure.ts';
import { recallQpsSvg } from './plot.ts';

/** One built index (Shoal's or a raw library's). Times in ms, sizes in bytes. */
export interface BuildRecord {
  series: string;
  params: Record<string, number>;
  buildMs: number;
  /** Index memory: Shoal's `memoryBytes()`, or a raw library's serialized size (see `memorySource`). */
  memoryBytes: number;
  memorySource: string;
  /** Raw libraries: growth of the resident set size across the build. */
  rssDeltaBytes?: number;
  /** Bytes of the raw float32 vectors (n × dim × 4). */
  rawBytes: number;
}

/** One point of a sweep: the best of `runs` passes (see `measure.ts`). */
export interface SweepPoint extends PassStats {
  series: string;
  param: string | null;
  value: number | null;
  runs: number;
  /** 1-minute load average when the point was measured. */
  load: number;
}

/** Everything a sweep of one dataset measured. */
export interface SweepReport {
  dataset: string;
  metric: string;
  rows: number;
  dim: number;
  k: number;
  warmup: number;
  machine: MachineInfo;
  settings: Record<string, unknown>;
  skipped: { type: string; reason: string }[];
  builds: BuildRecord[];
  points: SweepPoint[];
  /** 1-minute load average at the end. */
  loadAtEnd: number;
}

const MB = 1e6;

function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** The Markdown page of a sweep: header, builds table, sweep table (one row per point), plot link. */
export function sweepMarkdown(r: SweepReport, svgName: string): string {
  const lines = [
    `# ${r.dataset}: index sweep (${r.rows.toLocaleString('en-US')} × ${r.dim}, ${r.metric}, k = ${r.k})`,
    '',
    `**Machine**: ${machineLine(r.machine)}; load ${r.loadAtEnd} at the end.`,
    `**Command**: \`${r.machine.command}\``,
    `**Settings**: ${Object.entries(r.settings).map(([k, v]) => `${k} = ${JSON.stringify(v)}`).join(', ')}; warm-up ${r.warmup} queries per point.`,
  ];
  for (const s of r.skipped) lines.push(`**Skipped**: ${s.type} — ${s.reason}`);
  lines.push('', `![recall vs QPS](${svgName})`, '', '## Builds', '',
    '| index | parameters | build s | memory MB | memory / raw | memory measured as | RSS growth MB |', '|---|---|---:|---:|---:|---|---:|');
  for (const b of r.builds) {
    const params = Object.entries(b.params).map(([k, v]) => `${k}=${v}`).join(', ') || '—';
    const rss = b.rssDeltaBytes === undefined ? '' : fmt(b.rssDeltaBytes / MB, 1);
    lines.push(`| ${b.series} | ${params} | ${fmt(b.buildMs / 1000, 2)} | ${fmt(b.memoryBytes / MB, 2)} | ${fmt(b.memoryBytes / b.rawBytes, 3)} | ${b.memorySource} | ${rss} |`);
  }
  lines.push('', `Raw vectors: ${fmt((r.builds[0]?.rawBytes ?? 0) / MB, 2)} MB.`, '', '## Sweep (single query, best of the runs)', '',
    '| index | parameter | recall@10 | QPS | p50 ms | p99 ms | runs | load |', '|---|---|---:|---:|---:|---:|---:|---:|');
  for (const p of r.points) {
    const param = p.param === null ? '—' : `${p.param}=${p.value}`;
    lines.push(`| ${p.series} | ${param} | ${p.recall.toFixed(4)} | ${fmt(p.qps)} | ${p.p50Ms.toFixed(3)} | ${p.p99Ms.toFixed(3)} | ${p.runs} | ${p.load} |`);
  }
  return lines.join('\n') + '\n';
}

/** Writes `<out>/<dataset>.json`, `.md` and `.svg`; returns the three paths. */
export async function writeSweep(out: string, r: SweepReport): Promise<string[]> {
  mkdirSync(out, { recursive: true });
  const base = join(out, r.dataset);
  writeFileSync(`${base}.json`, JSON.stringify(r, null, 1) + '\n');
  return [`${base}.json`, ...(await renderSweep(out, r))];
}

/** Writes `<out>/<dataset>.md` and `.svg` from a report (also used to re-render a saved JSON); returns their paths. */
export async function renderSweep(out: string, r: SweepReport): Promise<string[]> {
  const base = join(out, r.dataset);
  const svg = await recallQpsSvg(`${r.dataset} (${r.metric}), single-query, ${r.machine.cores} cores`,
    r.points.map((p, i) => ({ series: p.series, recall: p.recall, qps: p.qps, order: i })), r.k);
  writeFileSync(`${base}.md`, sweepMarkdown(r, `${r.dataset}.svg`));
  writeFileSync(`${base}.svg`, svg);
  return [`${base}.md`, `${base}.svg`];
}
