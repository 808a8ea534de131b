/**
 * The `shoal-sim` command (commander): runs one seed or a range of seeds of the deterministic
 * simulation, prints one line per seed with its trace hash, the seeds per second, and for a
 * failing seed its one-line replay command and the tail of its trace.
 */
import { Command } from 'commander';
import { describeFaults } from './faults.ts';
import { checkMutation, parseDuration, parseIntInRange, parseSeed, parseSeedRange } from './options.ts';
import { runSeed } from './run.ts';
import type { RunResult } from './run.ts';
import type { SystemUnderTest } from './system.ts';

/** Parsed command line. */
export interface SimCommand {
  /** First and last seed (inclusive). */
  seeds: [number, number];
  swarm: boolean;
  nodes: number;
  durationMs: number;
  healMs: number;
  mutation?: string;
  trace: boolean;
}

/** Where the command writes (stdout in the binary; a buffer in tests). */
export type Write = (text: string) => void;

/** Most machines a run may have. */
const MAX_NODES = 64;

/**
 * Parses `argv` (without the `node` and script entries). Defaults: seed 1, 5 nodes, 30 s faulty
 * phase, 10 s healing phase.
 * @throws ShoalError ParameterInvalid for a bad value; commander's error for an unknown option.
 */
export function parseCommand(argv: readonly string[]): SimCommand {
  const program = new Command('shoal-sim')
    .description('deterministic simulation of a Shoal cluster under faults (DESIGN.md, "Testing")')
    .option('--seed <n>', 'run this one seed')
    .option('--seeds <a..b>', 'run every seed from a to b (inclusive)')
    .option('--swarm', 'draw the fault parameters themselves from the seed (swarm testing)', false)
    .option('--nodes <n>', 'machines in the cluster', '5')
    .option('--duration <time>', 'simulated length of the faulty phase (e.g. 30s)', '30s')
    .option('--heal <time>', 'simulated healing phase at the end: faults off, progress required', '10s')
    .option('--mutate <name>', 'enable a deliberate bug in the system under test (the checkers must catch it)')
    .option('--trace', 'print the whole trace of every seed', false)
    .exitOverride()
    .configureOutput({ writeErr: () => {} })
    .allowExcessArguments(false);
  program.parse([...argv], { from: 'user' });
  const o = program.opts<{ seed?: string; seeds?: string; swarm: boolean; nodes: string; duration: string; heal: string; mutate?: string; trace: boolean }>();
  if (o.seed !== undefined && o.seeds !== undefined) throw new Error('give either --seed or --seeds, not both');
  const seeds: [number, number] = o.seeds !== undefined ? parseSeedRange('--seeds', o.seeds)
    : [parseSeed('--seed', o.seed ?? '1'), parseSeed('--seed', o.seed ?? '1')];
  return {
    seeds,
    swarm: o.swarm,
    nodes: parseIntInRange('--nodes', o.nodes, MAX_NODES),
    durationMs: parseDuration('--duration', o.duration),
    healMs: parseDuration('--heal', o.heal),
    mutation: o.mutate,
    trace: o.trace,
  };
}

/** The one-line command that replays seed `seed` of `cmd` exactly. */
export function replayCommand(cmd: SimCommand, seed: number): string {
  const parts = ['npx node apps/sim/src/bin.ts', `--seed ${seed}`];
  if (cmd.swarm) parts.push('--swarm');
  if (cmd.mutation !== undefined) parts.push(`--mutate ${cmd.mutation}`);
  if (cmd.nodes !== 5) parts.push(`--nodes ${cmd.nodes}`);
  if (cmd.durationMs !== 30_000) parts.push(`--duration ${cmd.durationMs}ms`);
  if (cmd.healMs !== 10_000) parts.push(`--heal ${cmd.healMs}ms`);
  return parts.join(' ');
}

/**
 * Runs `cmd` against `system`, stopping at the first failing seed. Returns the exit code:
 * 0 if every seed passed, 1 otherwise.
 * @throws ShoalError ParameterInvalid for an unknown `--mutate` name.
 */
export async function runCommand(cmd: SimCommand, system: SystemUnderTest, write: Write): Promise<number> {
  const mutation = cmd.mutation === undefined ? undefined : checkMutation(system, cmd.mutation);
  const started = performance.now();
  let ran = 0;
  let failed: RunResult | undefined;
  for (let seed = cmd.seeds[0]; seed <= cmd.seeds[1]; seed++) {
    const r = await runSeed({
      seed, nodes: cmd.nodes, durationMs: cmd.durationMs, healMs: cmd.healMs, swarm: cmd.swarm, mutation, system, keepTrace: cmd.trace,
    });
    ran++;
    if (cmd.trace) write(`${r.trace.all().join('\n')}\n`);
    write(`seed ${seed} ${r.ok ? 'ok' : 'FAILED'} events=${r.trace.count} ops=${r.history.length} trace=${r.traceHash.slice(0, 16)}`
      + `${cmd.swarm ? ` faults: ${describeFaults(r.faults)}` : ''}\n`);
    if (!r.ok) {
      failed = r;
      break;
    }
  }
  const seconds = (performance.now() - started) / 1000;
  write(`${ran} seed(s) in ${seconds.toFixed(2)} s: ${(ran / seconds).toFixed(2)} seeds/s\n`);
  if (failed === undefined) return 0;
  write(`\nFAILURE (seed ${failed.seed}): ${failed.failure}\n`);
  if (!cmd.trace) write(`\nlast trace lines:\n${failed.trace.tail().join('\n')}\n`);
  write(`\nreplay: ${replayCommand(cmd, failed.seed)}\n`);
  return 1;
}
