/**
 * `shoal import`: loads an `.fvecs` file (row r → `{ id: idStart + r, <vectorField>: vector }`) or
 * a JSON Lines file (each line an entity row, sent as is) into a collection through
 * `@shoal/client`, in batches, with a progress bar. `--create` first creates the collection with a
 * quick-setup schema (Int64 primary key `id`, FloatVector of the file's dimension, the given
 * metric; an AUTOINDEX index; loaded) when it does not exist.
 */
import { extname } from 'node:path';
import { stat } from 'node:fs/promises';
import type { Command } from 'commander';
import { Option } from 'commander';
import { ErrorCode, ShoalError } from '@shoal/actors';
import { ShoalClient } from '@shoal/client';
import type { MetricType, Row } from '@shoal/client';
import { cliAction } from './errors.ts';
import { fvecsShape, readFvecsBatches } from './fvecs-source.ts';
import { readJsonl } from './jsonl.ts';
import { intOption, METRICS } from './options.ts';
import { formatRate, startProgress } from './progress.ts';
import { batched, vectorRows } from './rows.ts';

/** Input formats of `shoal import`. */
export type ImportFormat = 'fvecs' | 'jsonl';

/** Settings of {@link runImport}. */
export interface ImportOptions {
  /** Peer URL, e.g. `http://127.0.0.1:19530`. */
  url: string;
  collection: string;
  file: string;
  /** Default: from the file extension (`.fvecs`; `.jsonl`, `.ndjson`, `.json`). */
  format?: ImportFormat;
  /** Rows per insert request (default 1000). */
  batch?: number;
  /** fvecs: field that receives the vectors; `--create`: the vector field's name (default `vector`). */
  vectorField?: string;
  /** fvecs: primary key of the first row (default 0). */
  idStart?: number;
  /** Create the collection when it does not exist. */
  create?: boolean;
  /** Metric of a created collection (default COSINE, as Milvus's quick setup). */
  metric?: MetricType;
  /** Draw the progress bar (default: stdout is a TTY). */
  progress?: boolean;
}

/** What an import did: rows inserted, insert requests, wall time in seconds, whether it created the collection. */
export interface ImportSummary {
  rows: number;
  batches: number;
  seconds: number;
  created: boolean;
}

/** The format of `file`: `format` when given, else from the extension. Throws `ShoalError(ParameterInvalid)` when unknown. */
export function detectFormat(file: string, format?: string): ImportFormat {
  if (format === 'fvecs' || format === 'jsonl') return format;
  if (format !== undefined) throw new ShoalError(ErrorCode.ParameterInvalid, `--format must be fvecs or jsonl, got "${format}"`);
  const ext = extname(file).toLowerCase();
  if (ext === '.fvecs') return 'fvecs';
  if (ext === '.jsonl' || ext === '.ndjson' || ext === '.json') return 'jsonl';
  throw new ShoalError(ErrorCode.ParameterInvalid, `cannot tell the format of ${file} from its extension "${ext}"; pass --format fvecs or --format jsonl`);
}

/** One batch to insert: its rows and how far through the input (progress units) it reaches. */
interface InputBatch {
  rows: Row[];
  done: number;
}

/** An opened input: its dimension (when known before reading), progress total and batches. */
interface Input {
  dim: number | undefined;
  total: number;
  batches: AsyncGenerator<InputBatch>;
}

async function* fvecsBatches(opts: ImportOptions, batch: number): AsyncGenerator<InputBatch> {
  const rowOpts = { idStart: opts.idStart ?? 0, vectorField: opts.vectorField ?? 'vector' };
  for await (const b of readFvecsBatches(opts.file, batch)) yield { rows: vectorRows(b, rowOpts), done: b.firstRow + b.count };
}

async function* jsonlBatches(file: string, batch: number): AsyncGenerator<InputBatch> {
  let bytes = 0;
  for await (const group of batched(readJsonl(file), batch)) {
    for (const r of group) bytes += r.bytes;
    yield { rows: group.map((r) => r.row), done: bytes };
  }
}

async function openInput(opts: ImportOptions, format: ImportFormat, batch: number): Promise<Input> {
  if (format === 'fvecs') {
    const shape = await fvecsShape(opts.file);
    return { dim: shape.dim, total: shape.count, batches: fvecsBatches(opts, batch) };
  }
  const { size } = await stat(opts.file);
  return { dim: undefined, total: size, batches: jsonlBatches(opts.file, batch) };
}

/** The dimension of a JSONL file's vectors for `--create`: the length of the first row's vector field. */
function jsonlDim(first: InputBatch | undefined, field: string): number {
  const v = first?.rows[0]?.[field];
  if (!Array.isArray(v) || v.length === 0) {
    throw new ShoalError(ErrorCode.ImportFailed, `--create needs the dimension: the first row has no non-empty array in field "${field}" (set --vector-field)`);
  }
  return v.length;
}

/**
 * Imports `opts.file` into `opts.collection` (see the file comment). Throws `ShoalClientError` with
 * the server's Milvus code when a request fails (rows of earlier batches stay inserted),
 * `ShoalError(ImportFailed)` for malformed input (naming the byte offset or line), and
 * `ShoalError(ParameterInvalid)` for bad options.
 */
export async function runImport(opts: ImportOptions, client = new ShoalClient({ address: opts.url })): Promise<ImportSummary> {
  const format = detectFormat(opts.file, opts.format);
  const batch = opts.batch ?? 1000;
  const input = await openInput(opts, format, batch);
  try {
    return await insertAll(opts, client, input);
  } finally {
    await input.batches.return(undefined); // closes the file when a request failed midway
  }
}

/** Creates the collection if asked, then inserts every batch of `input` (see {@link runImport}). */
async function insertAll(opts: ImportOptions, client: ShoalClient, input: Input): Promise<ImportSummary> {
  let pending = await input.batches.next();
  let created = false;
  if (opts.create && !(await client.hasCollection({ collectionName: opts.collection }))) {
    const vectorField = opts.vectorField ?? 'vector';
    const dimension = input.dim ?? jsonlDim(pending.done ? undefined : pending.value, vectorField);
    await client.createCollection({
      collectionName: opts.collection, dimension, metricType: opts.metric ?? 'COSINE',
      idType: 'Int64', autoID: false, primaryFieldName: 'id', vectorFieldName: vectorField,
    });
    created = true;
  }
  const progress = startProgress({ total: input.total, enabled: opts.progress });
  const started = performance.now();
  let rows = 0;
  let batches = 0;
  try {
    while (!pending.done) {
      const b = pending.value;
      await client.insert({ collectionName: opts.collection, data: b.rows });
      rows += b.rows.length;
      batches++;
      progress.update(b.done, rows, (performance.now() - started) / 1000);
      pending = await input.batches.next();
    }
  } finally {
    progress.stop();
  }
  return { rows, batches, seconds: (performance.now() - started) / 1000, created };
}

/** Registers `shoal import` on `program`. */
export function registerImport(program: Command): void {
  program.command('import')
    .description('load an .fvecs or JSON Lines file into a collection, in batches')
    .option('--url <url>', 'URL of a Shoal peer', 'http://127.0.0.1:19530')
    .requiredOption('--collection <name>', 'target collection')
    .requiredOption('--file <path>', 'input file (.fvecs, or JSON Lines: one entity row per line)')
    .addOption(new Option('--format <format>', 'input format (default: from the file extension)').choices(['fvecs', 'jsonl']))
    .option('--batch <rows>', 'rows per insert request', intOption('--batch', 1), 1000)
    .option('--vector-field <name>', 'vector field (fvecs rows; --create)', 'vector')
    .option('--id-start <n>', 'fvecs: primary key of the first row (row r gets id-start + r)', intOption('--id-start', 0), 0)
    .option('--create', 'create the collection (quick setup: Int64 key "id", the file\'s dim) if it does not exist')
    .addOption(new Option('--metric <metric>', 'metric of a created collection').choices(METRICS).default('COSINE'))
    .action(cliAction(async (opts: ImportOptions) => {
      const s = await runImport(opts);
      process.stdout.write(`imported ${s.rows.toLocaleString('en-US')} rows into ${opts.collection} in ${s.batches} batches, `
        + `${s.seconds.toFixed(1)} s (${formatRate(s.rows, s.seconds)} rows/s)${s.created ? '; collection created' : ''}\n`);
    }));
}
