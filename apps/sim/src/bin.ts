#!/usr/bin/env node
/**
 * The `shoal-sim` binary: `npx node apps/sim/src/bin.ts --seed 7` or `--seeds 1..100 --swarm`
 * (see ./cli.ts). Exit code 0 if every seed passed, 1 if one failed, 2 for a usage error or a
 * system that cannot be run.
 */
import { parseCommand, runCommand } from './cli.ts';
import { commandLineSystem } from './system-registry.ts';

try {
  const cmd = parseCommand(process.argv.slice(2));
  process.exitCode = await runCommand(cmd, commandLineSystem(), (text) => process.stdout.write(text));
} catch (err) {
  const help = (err as { code?: unknown }).code === 'commander.helpDisplayed' || (err as { code?: unknown }).code === 'commander.version';
  if (!help) {
    process.stderr.write(`shoal-sim: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 2;
  }
}
