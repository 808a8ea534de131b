#!/usr/bin/env node
/**
 * The `shoal` command line (commander): `shoal start` runs a node; `shoal import` loads files into
 * a collection; `shoal bench` measures recall, QPS, latency, ingest and index build on a dataset.
 * Run with Node ≥ 22.18 (type stripping): `npx shoal …` or `npm run shoal -- …` from the repo root.
 */
import { Command, InvalidArgumentError } from 'commander';
import { registerBench } from './cli/bench.ts';
import { registerImport } from './cli/import.ts';
import { runNode } from './main.ts';

/** Parses a positive integer option, or throws commander's InvalidArgumentError naming it. */
export function positiveInt(name: string): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${name} must be a positive integer, got "${value}"`);
    return n;
  };
}

const program = new Command('shoal').description('Shoal: a distributed vector database with the Milvus API').showHelpAfterError();

program.command('start')
  .description('start a node on the embedded default: a single node with local storage, serving the Milvus RESTful API v2')
  .option('--data-dir <dir>', 'data directory (catalog, write-ahead logs, segments, indexes)', './shoal-data')
  .option('--port <n>', 'REST API port', positiveInt('--port'), 19530)
  .option('--host <addr>', 'interface to listen on', '127.0.0.1')
  .option('--segment-max-mb <n>', 'seal growing segments at this size in MiB', positiveInt('--segment-max-mb'))
  .option('--index-workers <n>', 'worker threads for index builds (default: cores - 1)', positiveInt('--index-workers'))
  .action(async (opts: { dataDir: string; port: number; host: string; segmentMaxMb?: number; indexWorkers?: number }) => {
    const running = await runNode(opts);
    let stopping = false;
    const stop = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      running.http.log.info({ signal }, 'shutting down');
      await running.close();
      process.exit(0);
    };
    process.on('SIGINT', () => void stop('SIGINT'));
    process.on('SIGTERM', () => void stop('SIGTERM'));
  });

registerImport(program);
registerBench(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
