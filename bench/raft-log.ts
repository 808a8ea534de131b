/**
 * The cost of a long Raft log (issue 5): a shard's write-ahead log is a one-voter RaftGroup whose
 * `DiskStorage` may hold 100k+ records between two checkpoints, so appending a record and
 * reopening the log must cost the same per record whatever the log's length (no O(n²) copies).
 *
 * For each `--records` count N it appends N one-entry records through `DiskStorage.persist`
 * (one synced record each, `--bytes` of payload per entry, like one small insert each) on an
 * in-memory disk (`MemoryDisk`: no real fsync, so the Raft bookkeeping is what is timed), then
 * closes and reopens the log (`openDiskStorage`: replay). The report gives the total and the µs
 * per record of both; linear work shows as a flat µs/record column.
 *
 * Usage: npx node bench/raft-log.ts [--records 10000,50000,100000] [--bytes 512]
 * Progress goes to stderr; the Markdown report to stdout.
 */
import { parseArgs } from 'node:util';
import { MemoryDisk } from '@shoal/actors';
import { openDiskStorage } from '@shoal/raft';
import { logger, machineInfo, machineLine } from './lib/machine.ts';

const { values } = parseArgs({ options: { records: { type: 'string', default: '10000,50000,100000' }, bytes: { type: 'string', default: '512' } } });
const counts = values.records.split(',').map((x) => Number(x));
const bytes = Number(values.bytes);
if (counts.some((n) => !Number.isSafeInteger(n) || n < 1) || !Number.isSafeInteger(bytes) || bytes < 1) {
  throw new Error(`--records must be positive integers and --bytes a positive integer, got ${values.records} and ${values.bytes}`);
}
const machine = machineInfo();
const log = logger(performance.now());
const rows: string[] = [];
for (const n of counts) {
  const disk = new MemoryDisk();
  const conf = { voters: [1], learners: [] };
  const s = await openDiskStorage(disk, 'g', { confState: conf });
  const data = new Uint8Array(bytes).fill(1);
  const t0 = performance.now();
  for (let i = 1; i <= n; i++) {
    await s.persist({ entries: [{ index: i, term: 1, type: 'normal', data }], hardState: { term: 1, vote: 1, commit: i }, mustSync: true });
  }
  const appendMs = performance.now() - t0;
  await s.close();
  const t1 = performance.now();
  const r = await openDiskStorage(disk, 'g');
  const openMs = performance.now() - t1;
  if (r.lastIndex() !== n) throw new Error(`reopened log ends at ${r.lastIndex()}, expected ${n}`);
  await r.close();
  log(`${n} records: append ${appendMs.toFixed(0)} ms, reopen ${openMs.toFixed(0)} ms`);
  rows.push(`| ${n.toLocaleString('en')} | ${appendMs.toFixed(0)} | ${(appendMs * 1000 / n).toFixed(1)} | ${openMs.toFixed(0)} | ${(openMs * 1000 / n).toFixed(1)} |`);
}
process.stdout.write([
  `Raft log (DiskStorage on MemoryDisk), one ${bytes}-byte entry per synced record. ${machineLine(machine)}`,
  '',
  '| records | append ms | µs/record | reopen ms | µs/record |',
  '| --- | --- | --- | --- | --- |',
  ...rows,
  '',
].join('\n'));
