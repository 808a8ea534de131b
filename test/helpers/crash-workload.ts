/**
 * The workload and checker of the crash-recovery test: concurrent insert streams of fixed-size
 * batches with unique primary keys, an optional stream of deletes of whole batches, a model of
 * what each batch's fate may be, and a check of a recovered node against that model.
 *
 * Batch `b` holds the rows with ids `b·BATCH_ROWS … b·BATCH_ROWS + BATCH_ROWS − 1`, field
 * `batch = b`, and the vector {@link vectorOf}(id). A batch's insert is *acked* (code 0 came
 * back), *rejected* (an error code came back: nothing may be written) or *unknown* (the request
 * failed in flight, e.g. the node was killed: all or nothing may be written). Deletes are
 * `batch == b` filters and have the same three outcomes.
 */
import { call, post } from './rest.ts';

/** Rows per insert batch. */
export const BATCH_ROWS = 50;
/** Dimension of the collection's FloatVector field. */
export const DIM = 8;

/** Fate of an insert or a delete request. */
export type Outcome = 'acked' | 'rejected' | 'unknown';

/** What the test knows about one batch. */
export interface BatchRecord {
  /** Batch number `b`. */
  no: number;
  /** Round (kill cycle) in which its insert was sent. */
  round: number;
  insert: Outcome;
  /** Outcome of a delete of this batch, when one was sent. */
  delete?: Outcome;
  /**
   * What a recovery showed for an `unknown` insert or delete (true = the rows are there), fixed by
   * the first check after the crash; later checks expect the same.
   */
  resolvedPresent?: boolean;
}

/** The vector of row `id`: small integers, exact in float32 and in JSON. */
export function vectorOf(id: number): number[] {
  return Array.from({ length: DIM }, (_, d) => ((id + 1) * (d + 3)) % 101);
}

/** The rows of batch `b`. */
export function batchRows(b: number): { id: number; batch: number; vector: number[] }[] {
  return Array.from({ length: BATCH_ROWS }, (_, j) => {
    const id = b * BATCH_ROWS + j;
    return { id, batch: b, vector: vectorOf(id) };
  });
}

/** `collections/create` body: id Int64 primary key, batch Int32, vector FloatVector(DIM), AUTOINDEX L2, loaded. */
export function crashCollectionBody(collectionName: string): Record<string, unknown> {
  return {
    collectionName,
    schema: {
      autoID: false,
      fields: [
        { fieldName: 'id', dataType: 'Int64', isPrimary: true },
        { fieldName: 'batch', dataType: 'Int32' },
        { fieldName: 'vector', dataType: 'FloatVector', elementTypeParams: { dim: DIM } },
      ],
    },
    indexParams: [{ fieldName: 'vector', indexName: 'vector', metricType: 'L2', indexType: 'AUTOINDEX' }],
    params: { consistencyLevel: 'Strong' },
  };
}

/** The test's model: every batch ever sent, and the next batch number. */
export class CrashModel {
  readonly batches = new Map<number, BatchRecord>();
  /** Error messages of rejected requests (a healthy node should have none). */
  readonly rejections: string[] = [];
  private nextNo = 0;

  /** Allocates the next batch number for `round` and records it as sent (`unknown`). */
  allocate(round: number): BatchRecord {
    const rec: BatchRecord = { no: this.nextNo++, round, insert: 'unknown' };
    this.batches.set(rec.no, rec);
    return rec;
  }

  /** Number of batch numbers allocated so far. */
  get allocated(): number {
    return this.nextNo;
  }

  /** True when batch `rec`'s rows must be present now (acked insert, no delete that may have applied). */
  mustBePresent(rec: BatchRecord): boolean {
    if (rec.delete !== undefined && rec.delete !== 'rejected') return false;
    return rec.insert === 'acked';
  }

  /** Rows that an acknowledged insert wrote and no acknowledged or possible delete removed. */
  ackedLiveRows(): number {
    let n = 0;
    for (const rec of this.batches.values()) if (this.mustBePresent(rec)) n += BATCH_ROWS;
    return n;
  }
}

/** A flag the streams poll; `stop()` ends them after their current request. */
export class StopFlag {
  /** True once `stop()` was called. */
  stopped = false;
  /** Asks every stream polling this flag to end after its current request. */
  stop(): void {
    this.stopped = true;
  }
}

/**
 * One insert stream: sends batch after batch until `flag` stops it or a request fails at the
 * transport level (the node is gone), recording each outcome in `model`.
 */
export async function insertStream(url: string, collectionName: string, model: CrashModel, round: number, flag: StopFlag): Promise<void> {
  while (!flag.stopped) {
    const rec = model.allocate(round);
    try {
      const answer = await post(url, '/entities/insert', { collectionName, data: batchRows(rec.no) }, 20_000);
      rec.insert = answer.code === 0 ? 'acked' : 'rejected';
      if (answer.code !== 0) model.rejections.push(`insert of batch ${rec.no}: code ${answer.code}: ${answer.message}`);
    } catch {
      return; // in flight when the node died: stays 'unknown'
    }
  }
}

/**
 * A delete stream: every `pauseMs`, deletes one batch (chosen by `pick` among batches that must be
 * present) with the filter `batch == b`, until stopped or the node is gone.
 */
export async function deleteStream(url: string, collectionName: string, model: CrashModel, flag: StopFlag,
  pick: (candidates: BatchRecord[]) => BatchRecord, pauseMs: number): Promise<void> {
  while (!flag.stopped) {
    const candidates = [...model.batches.values()].filter((r) => model.mustBePresent(r));
    if (candidates.length > 0) {
      const rec = pick(candidates);
      rec.delete = 'unknown';
      try {
        const answer = await post(url, '/entities/delete', { collectionName, filter: `batch == ${rec.no}` }, 20_000);
        rec.delete = answer.code === 0 ? 'acked' : 'rejected';
        if (answer.code !== 0) model.rejections.push(`delete of batch ${rec.no}: code ${answer.code}: ${answer.message}`);
      } catch {
        return;
      }
    }
    await new Promise((r) => setTimeout(r, pauseMs));
  }
}

/** What one check of a recovered node found. */
export interface CheckReport {
  countStar: number;
  distinctIds: number;
  ackedLiveRows: number;
  /** Unknown inserts (of any round) whose rows were found / not found. */
  unknownInsertsPresent: number;
  unknownInsertsAbsent: number;
  /** Unknown deletes that had applied / had not. */
  unknownDeletesApplied: number;
  unknownDeletesNotApplied: number;
  /** Every problem found (empty = the node kept every promise). */
  problems: string[];
}

/** All rows' `id` and `batch`, read in pages of id ranges (each page holds at most `pageIds` ids). */
async function readAllRows(url: string, collectionName: string, maxId: number, pageIds = 15_000): Promise<{ id: number; batch: number }[]> {
  const out: { id: number; batch: number }[] = [];
  for (let lo = 0; lo < maxId; lo += pageIds) {
    const rows = await call<{ id: number | string; batch: number }[]>(url, '/entities/query', {
      collectionName, filter: `id >= ${lo} and id < ${lo + pageIds}`, outputFields: ['id', 'batch'], limit: 16_384, consistencyLevel: 'Strong',
    });
    for (const r of rows) out.push({ id: Number(r.id), batch: r.batch });
  }
  return out;
}

/**
 * Checks a recovered node against the model (see the file comment): count(*) ≥ acked live rows
 * and equal to the number of distinct ids; no id twice; each batch all-or-nothing with the right
 * `batch` value; acked inserts present, rejected inserts and acked deletes absent; unknown outcomes
 * resolved once and stable afterwards. Resolves unknowns into `model` as a side effect.
 */
export async function checkRecovered(url: string, collectionName: string, model: CrashModel): Promise<CheckReport> {
  const problems: string[] = [];
  const countStar = (await call<{ 'count(*)': number }[]>(url, '/entities/query',
    { collectionName, filter: '', outputFields: ['count(*)'], consistencyLevel: 'Strong' }))[0]['count(*)'];
  const rows = await readAllRows(url, collectionName, model.allocated * BATCH_ROWS);
  const seen = new Map<number, number>();
  const perBatch = new Map<number, number>();
  for (const r of rows) {
    seen.set(r.id, (seen.get(r.id) ?? 0) + 1);
    const b = Math.floor(r.id / BATCH_ROWS);
    perBatch.set(b, (perBatch.get(b) ?? 0) + 1);
    if (r.batch !== b) problems.push(`row ${r.id} has batch ${r.batch}, expected ${b}`);
  }
  const dupes = [...seen].filter(([, n]) => n > 1);
  if (dupes.length > 0) problems.push(`${dupes.length} ids appear more than once, e.g. ${dupes.slice(0, 5).map(([id, n]) => `${id}×${n}`).join(', ')}`);
  if (countStar !== seen.size) problems.push(`count(*) = ${countStar} but the query returned ${seen.size} distinct ids (${rows.length} rows)`);
  const report: CheckReport = {
    countStar, distinctIds: seen.size, ackedLiveRows: model.ackedLiveRows(),
    unknownInsertsPresent: 0, unknownInsertsAbsent: 0, unknownDeletesApplied: 0, unknownDeletesNotApplied: 0, problems,
  };
  if (countStar < report.ackedLiveRows) problems.push(`count(*) = ${countStar} < ${report.ackedLiveRows} acknowledged live rows`);
  for (const [b, n] of perBatch) if (!model.batches.has(b)) problems.push(`batch ${b} was never sent but ${n} of its rows exist`);
  for (const rec of model.batches.values()) checkBatch(rec, perBatch.get(rec.no) ?? 0, report);
  return report;
}

/** Checks one batch (see {@link checkRecovered}); records resolutions and counts in `report`. */
function checkBatch(rec: BatchRecord, n: number, report: CheckReport): void {
  const where = `batch ${rec.no} (round ${rec.round}, insert ${rec.insert}${rec.delete ? `, delete ${rec.delete}` : ''})`;
  if (n !== 0 && n !== BATCH_ROWS) {
    report.problems.push(`${where}: ${n} of ${BATCH_ROWS} rows present — a batch must be all or nothing`);
    return;
  }
  const present = n === BATCH_ROWS;
  const deleteMayApply = rec.delete === 'acked' || rec.delete === 'unknown';
  if (rec.insert === 'rejected' && present) report.problems.push(`${where}: rejected insert left its rows behind`);
  else if (rec.delete === 'acked' && present) report.problems.push(`${where}: acknowledged delete undone (rows present again)`);
  else if (rec.insert === 'acked' && !deleteMayApply && !present) report.problems.push(`${where}: acknowledged rows lost`);
  const unknown = rec.insert === 'unknown' || rec.delete === 'unknown';
  if (!unknown) return;
  if (rec.resolvedPresent !== undefined && rec.resolvedPresent !== present) {
    report.problems.push(`${where}: was ${rec.resolvedPresent ? 'present' : 'absent'} after an earlier recovery, now ${present ? 'present' : 'absent'}`);
  }
  rec.resolvedPresent ??= present;
  if (rec.delete === 'unknown') {
    if (present) report.unknownDeletesNotApplied++;
    else report.unknownDeletesApplied++;
  } else if (present) report.unknownInsertsPresent++;
  else report.unknownInsertsAbsent++;
}
