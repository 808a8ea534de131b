/**
 * The report of `shoal bench`: machine info, the settings, and the numbers of the Shoal and raw
 * hnswlib sides, as JSON (`--json`) and as a Markdown table for the terminal and docs.
 */
import { cpus, loadavg, totalmem } from 'node:os';
import type { MetricType } from '@shoal/client';
import type { RawResult } from './bench-raw.ts';
import type { BenchParams, ShoalResult, SweepRow } from './bench-shoal.ts';

/** The machine a benchmark ran on. */
export interface MachineInfo {
  /** `os.cpus()[0].model`. */
  cpu: string;
  cores: number;
  /** Total memory, GiB. */
  memoryGiB: number;
  node: string;
  platform: string;
  /** 1-minute load average when the run started (`os.loadavg()[0]`): other work competing for the cores. */
  load1: number;
}

/** Everything one `shoal bench` run measured (the `--json` file). */
export interface BenchReport {
  /** ISO 8601 time the run started. */
  date: string;
  command: string;
  machine: MachineInfo;
  dataset: { name: string; rows: number; dim: number; queries: number; metric: MetricType; k: number };
  /** `embedded` (in-process node through REST) or the URL of the node benchmarked. */
  target: string;
  params: BenchParams;
  shoal: ShoalResult;
  raw?: RawResult;
}

/** Information about this machine (CPU model, cores, memory, Node version, OS). */
export function machineInfo(): MachineInfo {
  const list = cpus();
  return {
    cpu: list[0]?.model.trim() ?? 'unknown',
    cores: list.length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform} ${process.arch}`,
    load1: Math.round(loadavg()[0] * 100) / 100,
  };
}

const int = (n: number) => Math.round(n).toLocaleString('en-US');
const ms = (n: number) => n.toFixed(2);
const sec = (n: number) => n.toFixed(2);

/** Table cells of one sweep row: recall, QPS, p50 ms, p99 ms. */
function cells(row: SweepRow | undefined): string[] {
  if (!row) return ['', '', '', ''];
  return [row.stats.recall.toFixed(4), int(row.stats.qps), ms(row.stats.p50Ms), ms(row.stats.p99Ms)];
}

/** A Markdown table from a header and rows, columns padded to equal width. */
function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (r: string[]) => `| ${r.map((v, c) => v.padStart(widths[c])).join(' | ')} |`;
  return [line(header), `|${widths.map((w) => `${'-'.repeat(w + 1)}:`).join('|')}|`, ...rows.map(line)].join('\n');
}

/** The report as readable text: a settings block, then one table row per ef (Shoal and raw side by side). */
export function formatReport(r: BenchReport): string {
  const { dataset: d, params: p, shoal: s, raw } = r;
  const indexDesc = p.index === 'HNSW' ? `HNSW M=${p.M} efConstruction=${p.efConstruction}` : 'FLAT';
  const lines = [
    `dataset: ${d.name} (${int(d.rows)} × ${d.dim}, ${d.metric}), ${int(d.queries)} queries, recall@${d.k}`,
    `machine: ${r.machine.cpu}, ${r.machine.cores} cores, ${r.machine.memoryGiB} GiB, Node ${r.machine.node}, ${r.machine.platform}, load average ${r.machine.load1} at start`,
    `date: ${r.date}`,
    `command: ${r.command}`,
    `target: ${r.target} (consistency ${s.consistencyLevel}); index: ${indexDesc}${raw ? `; raw hnswlib seed ${raw.seed}` : ''}`,
    `ingest: ${int(s.ingest.rows)} rows in ${sec(s.ingest.seconds)} s = ${int(s.ingest.rowsPerSec)} rows/s (batches of ${p.batch}); flush ${sec(s.flushSeconds)} s`,
    `index build: Shoal ${sec(s.indexBuildSeconds)} s${raw ? ` | raw hnswlib ${sec(raw.buildSeconds)} s` : ''}; load ${sec(s.loadSeconds)} s`,
    '',
  ];
  const header = ['ef', 'recall', 'QPS', 'p50 ms', 'p99 ms'];
  if (raw) header.push('raw recall', 'raw QPS', 'raw p50 ms', 'raw p99 ms');
  const rows = s.sweep.map((row, i) => {
    const out = [row.ef === null ? '-' : String(row.ef), ...cells(row)];
    if (raw) out.push(...cells(raw.sweep[i]));
    return out;
  });
  lines.push(table(header, rows));
  return lines.join('\n');
}
