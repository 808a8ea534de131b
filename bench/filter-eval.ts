/**
 * Filter evaluation (issue 4): the cost of evaluating Milvus filter expressions over one segment's
 * columns with `compileFilter` + `evaluateFilter` (the path every query and filtered search takes
 * per segment), with and without scalar indexes. It builds `--rows` rows (default 1,000,000) in
 * columns — `id` Int64 (row number), `a` Int64 (uniform in [0, 2^40), beyond float precision for
 * no row but exercising the int64 kernels), `b` Int32 (uniform in 0..999), `meta` JSON
 * (`{"k": {"j": <0..9999>, "s": "s<row mod 7>"}, "n": <row>}`) — builds INVERTED indexes on `b`
 * and `id`, and times:
 * 1. `a > X and b in [10 values]` — column scan, no index (target ≤ 10 ms), and each of its two
 *    comparisons alone (where the time goes);
 * 2. `b == 7` and `id in [10 ids]` through the INVERTED index (target ≤ 1 ms), beside the same
 *    filter scanned and the index's `lookup` alone;
 * 3. `meta["k"]["j"] == 1234` — a JSON path equality (target ≤ 100 ms);
 * 4. that JSON equality `and` the INVERTED in-list of 2b, written JSON first: the evaluator's
 *    planning runs the indexed operand first and walks JSON only in the 32-row blocks it leaves.
 * Each filter runs `--warmup` untimed times, then `--reps` timed times; the report gives the
 * median and p99 (nearest rank) in ms and the number of matching rows. Compilation (parse + bind)
 * is timed apart, once per repetition, and included in the evaluation times (it is what a query
 * pays per request, though a shard compiles once for all its segments).
 *
 * Usage: npx node bench/filter-eval.ts [--rows 1000000] [--warmup 5] [--reps 30] [--json PATH]
 * Progress goes to stderr; the Markdown report to stdout.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { Bitset } from '@shoal/ann';
import { buildScalarIndex, buildSchema, compileFilter, evaluateFilter } from '@shoal/shard';
import type { ColumnSource, Column, ScalarIndex } from '@shoal/shard';
import { logger, machineInfo, machineLine } from './lib/machine.ts';

const { values: o } = parseArgs({ options: {
  rows: { type: 'string', default: '1000000' }, warmup: { type: 'string', default: '5' }, reps: { type: 'string', default: '30' },
  json: { type: 'string' },
} });
const n = Number(o.rows);
const warmup = Number(o.warmup);
const reps = Number(o.reps);
const log = logger(performance.now());
const machine = machineInfo();

const schema = buildSchema('bench_filters', '', [
  { name: 'id', dataType: 'Int64', isPrimaryKey: true },
  { name: 'a', dataType: 'Int64' },
  { name: 'b', dataType: 'Int32' },
  { name: 'meta', dataType: 'JSON' },
  { name: 'v', dataType: 'FloatVector', dim: 2 },
], false);

/** Deterministic pseudo-random numbers in [0, 1) (an LCG; the data only needs to be spread). */
let seed = 12345;
const rand = (): number => { seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0; return seed / 2 ** 32; };

log(`building ${n} rows`);
const id = new BigInt64Array(n);
const a = new BigInt64Array(n);
const b = new Int32Array(n);
const meta: unknown[] = new Array(n);
for (let i = 0; i < n; i++) {
  id[i] = BigInt(i);
  a[i] = BigInt(Math.floor(rand() * 2 ** 40));
  b[i] = Math.floor(rand() * 1000);
  meta[i] = { k: { j: Math.floor(rand() * 10000), s: `s${i % 7}` }, n: i };
}
const columns: Record<string, Column> = { id, a, b, meta };
const field = (name: string) => schema.fields.find((f) => f.name === name)!;

const indexes = new Map<string, ScalarIndex>();
const buildMs: Record<string, number> = {};
for (const name of ['b', 'id']) {
  const t = performance.now();
  indexes.set(name, buildScalarIndex('INVERTED', field(name), columns[name], undefined, n));
  buildMs[name] = performance.now() - t;
  log(`INVERTED on ${name}: ${buildMs[name].toFixed(0)} ms, ${(indexes.get(name)!.memoryBytes() / 2 ** 20).toFixed(1)} MiB`);
}

const plain: ColumnSource = { numRows: n, column: (name) => columns[name] };
const withIndexes: ColumnSource = { ...plain, scalarIndex: (name) => indexes.get(name) };

interface Result { name: string; filter: string; source: string; target: string; matches: number; medianMs: number; p99Ms: number; compileMedianMs: number }
const results: Result[] = [];

/** Nearest-rank percentile of ascending `xs`. */
const pct = (xs: number[], p: number): number => xs[Math.min(xs.length - 1, Math.max(0, Math.ceil((p / 100) * xs.length) - 1))];

function time(name: string, target: string, sourceName: string, run: () => { bits: Bitset; compileMs: number }, filter: string): void {
  let matches = 0;
  for (let r = 0; r < warmup; r++) matches = run().bits.count();
  const totals: number[] = [];
  const compiles: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t = performance.now();
    const { bits, compileMs } = run();
    totals.push(performance.now() - t);
    compiles.push(compileMs);
    if (bits.count() !== matches) throw new Error(`${name}: ${bits.count()} matches, expected ${matches}`);
  }
  totals.sort((x, y) => x - y);
  compiles.sort((x, y) => x - y);
  const res = { name, filter, source: sourceName, target, matches, medianMs: pct(totals, 50), p99Ms: pct(totals, 99), compileMedianMs: pct(compiles, 50) };
  results.push(res);
  log(`${name} [${sourceName}]: median ${res.medianMs.toFixed(3)} ms, p99 ${res.p99Ms.toFixed(3)} ms, ${matches} matches`);
}

function viaFilter(filter: string, source: ColumnSource): () => { bits: Bitset; compileMs: number } {
  return () => {
    const t = performance.now();
    const expr = compileFilter(filter, schema);
    const compileMs = performance.now() - t;
    return { bits: evaluateFilter(expr, source), compileMs };
  };
}

const X = 2 ** 39; // about half the rows have a > X
const inB = [3, 17, 101, 256, 333, 478, 512, 640, 777, 999];
const scanFilter = `a > ${X} and b in [${inB.join(', ')}]`;
time('1. Int64 compare and Int32 in-list (scan)', '≤ 10 ms', 'columns', viaFilter(scanFilter, plain), scanFilter);
for (const part of [`a > ${X}`, `b in [${inB.join(', ')}]`]) time('1. component', '—', 'columns', viaFilter(part, plain), part);

const term = 'b == 7';
time('2a. term lookup', '≤ 1 ms', 'INVERTED on b', viaFilter(term, withIndexes), term);
time('2a. term lookup, no index', '—', 'columns', viaFilter(term, plain), term);
const bIndex = indexes.get('b')!;
time('2a. index.lookup alone', '—', 'INVERTED on b', () => ({ bits: bIndex.lookup({ kind: 'compare', op: '==', value: 7 })!, compileMs: 0 }), 'lookup(b == 7)');
const ids = [5, 99_999, 123_456, 250_000, 400_001, 512_345, 640_000, 777_777, 888_888, 999_999].filter((x) => x < n);
const idFilter = `id in [${ids.join(', ')}]`;
time('2b. primary keys in-list', '≤ 1 ms', 'INVERTED on id', viaFilter(idFilter, withIndexes), idFilter);
time('2b. primary keys in-list, no index', '—', 'columns', viaFilter(idFilter, plain), idFilter);

const jsonFilter = 'meta["k"]["j"] == 1234';
time('3. JSON path equality', '≤ 100 ms', 'columns (JSON)', viaFilter(jsonFilter, plain), jsonFilter);
const plannedFilter = `${jsonFilter} and ${idFilter}`;
time('4. and-planning: JSON path written first, indexed in-list', '—', 'INVERTED on id, then JSON', viaFilter(plannedFilter, withIndexes), plannedFilter);

const lines = [
  '| measurement | filter | answered by | target | matches | median ms | p99 ms | of which compile (median) ms |',
  '|---|---|---|---|---:|---:|---:|---:|',
  ...results.map((r) => `| ${r.name} | \`${r.filter}\` | ${r.source} | ${r.target} | ${r.matches} | ${r.medianMs.toFixed(3)} | ${r.p99Ms.toFixed(3)} | ${r.compileMedianMs.toFixed(3)} |`),
];
const report = [
  `Machine: ${machineLine(machine)}`,
  `Command: \`${machine.command}\``,
  `Rows: ${n}; ${warmup} warm-up + ${reps} timed repetitions per filter; INVERTED build: b ${buildMs.b.toFixed(0)} ms, id ${buildMs.id.toFixed(0)} ms.`,
  '',
  ...lines,
].join('\n');
process.stdout.write(`${report}\n`);
if (o.json) writeFileSync(o.json, JSON.stringify({ machine, rows: n, warmup, reps, buildMs, results }, null, 2));
