/**
 * What a benchmark report records about the machine and the run: CPU model and count, memory,
 * Node version, the 1-minute load average (others' work on a shared machine competes for the
 * cores), the UTC date and the command line.
 */
import { cpus, loadavg, totalmem } from 'node:os';

/** Machine and run description of a report. */
export interface MachineInfo {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  /** 1-minute load average when the run started. */
  loadAtStart: number;
  /** ISO date (UTC) of the start. */
  date: string;
  /** The command, as typed from the repository root. */
  command: string;
}

/** The current 1-minute load average, rounded to 0.1. */
export function loadNow(): number {
  return Math.round(loadavg()[0] * 10) / 10;
}

/** Describes this machine and the command that runs (`npx node <script> <args>`). */
export function machineInfo(): MachineInfo {
  const cpu = cpus();
  const script = process.argv[1]?.replace(`${process.cwd()}/`, '') ?? '';
  return {
    cpu: cpu[0]?.model ?? 'unknown',
    cores: cpu.length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    loadAtStart: loadNow(),
    date: new Date().toISOString(),
    command: ['npx node', script, ...process.argv.slice(2)].join(' '),
  };
}

/** One line for a report header: "Intel … , 2 cores, 24 GiB, Node v22…, load 1.3 at start". */
export function machineLine(m: MachineInfo): string {
  return `${m.cpu}, ${m.cores} cores, ${m.memoryGiB} GiB, Node ${m.node}, 1-minute load average ${m.loadAtStart} at the start; ${m.date}`;
}

/** Writes a progress line to stderr, prefixed by the seconds since `t0` (a `performance.now()` value). */
export function logger(t0: number): (line: string) => void {
  return (line) => process.stderr.write(`[${((performance.now() - t0) / 1000).toFixed(1)} s] ${line}\n`);
}
