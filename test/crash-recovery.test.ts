/**
 * kill -9 under load: a real `shoal start` process receives 4 concurrent streams of 50-row insert
 * batches (unique ids) and is SIGKILLed after a seeded random 1–3 s; it is restarted on the same
 * data directory and checked against what was acknowledged (see helpers/crash-workload.ts):
 * acknowledged rows present exactly once, count(*) consistent, every batch all-or-nothing.
 *
 * Rounds (one process, one data directory, cumulative model):
 *  1. inserts only (recovery = log replay);
 *  2. a flush completes in the middle of the writes (recovery = checkpoint + log replay);
 *  3. deletes of whole acknowledged batches run beside the inserts (deleted ids stay deleted);
 *  4. a flush is started and the node is killed while it runs (a torn checkpoint must not lose
 *     or duplicate rows).
 * After each recovery, an in-flight batch that is absent can be re-sent and is accepted, and one
 * that is present is rejected as a duplicate key (1100): what a retrying client relies on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BATCH_ROWS, CrashModel, StopFlag, batchRows, checkRecovered, crashCollectionBody, deleteStream, insertStream, vectorOf,
} from './helpers/crash-workload.ts';
import type { BatchRecord, CheckReport } from './helpers/crash-workload.ts';
import { ShoalProcess, sleep } from './helpers/node-process.ts';
import { SeededRandom } from './helpers/random.ts';
import { call, post } from './helpers/rest.ts';

const COLLECTION = 'crash';
const STREAMS = 4;
const SEED = 20_251_122;

type RoundKind = 'inserts' | 'flush-then-kill' | 'deletes' | 'kill-during-flush';

/** What one kill round did and what recovery showed, for the log and the report. */
interface RoundSummary {
  round: number;
  kind: RoundKind;
  killAfterMs: number;
  sent: number;
  acked: number;
  unknown: number;
  /** Of this round's in-flight inserts: how many recovery showed present. */
  unknownPresent: number;
  deletesAcked: number;
  deletesUnknown: number;
  restartMs: number;
  check: CheckReport;
}

describe('crash recovery: kill -9 during acknowledged inserts', () => {
  let node: ShoalProcess;
  const model = new CrashModel();
  const rng = new SeededRandom(SEED);
  const summaries: RoundSummary[] = [];

  beforeAll(async () => {
    node = await ShoalProcess.start({ args: ['--index-workers', '1'] });
    await call(node.url, '/collections/create', crashCollectionBody(COLLECTION));
  });

  afterAll(async () => {
    await node?.dispose();
    for (const s of summaries) {
      console.log(`[crash] round ${s.round} (${s.kind}): killed after ${s.killAfterMs} ms; batches sent ${s.sent}, acked ${s.acked}, ` +
        `in flight ${s.unknown} (present after recovery ${s.unknownPresent}); deletes acked ${s.deletesAcked}, in flight ${s.deletesUnknown}; ` +
        `restart ${s.restartMs.toFixed(0)} ms; count(*) ${s.check.countStar} vs acked live rows ${s.check.ackedLiveRows} ` +
        `(all rounds so far: in-flight deletes applied ${s.check.unknownDeletesApplied}, not applied ${s.check.unknownDeletesNotApplied})`);
    }
  });

  /** Runs one round: streams, the round's extra action, SIGKILL, restart, check. */
  async function round(no: number, kind: RoundKind): Promise<RoundSummary> {
    const killAfterMs = rng.int(1_000, 3_000);
    const before = model.allocated;
    const flag = new StopFlag();
    const started = performance.now();
    const streams = Array.from({ length: STREAMS }, () => insertStream(node.url, COLLECTION, model, no, flag));
    const deleted: BatchRecord[] = [];
    if (kind === 'deletes') {
      streams.push(deleteStream(node.url, COLLECTION, model, flag, (c) => {
        const rec = c[rng.int(0, c.length - 1)];
        deleted.push(rec);
        return rec;
      }, 15));
    }
    if (kind === 'flush-then-kill') {
      await sleep(Math.floor(killAfterMs * 0.4));
      await call(node.url, '/collections/flush', { collectionName: COLLECTION });
    }
    const elapsed = performance.now() - started;
    if (kind === 'kill-during-flush') {
      await sleep(Math.max(0, killAfterMs - elapsed));
      const flushing = post(node.url, '/collections/flush', { collectionName: COLLECTION }).catch(() => undefined);
      await sleep(rng.int(0, 20));
      await node.kill('SIGKILL');
      await flushing;
    } else {
      await sleep(Math.max(0, killAfterMs - elapsed));
      await node.kill('SIGKILL');
    }
    flag.stop();
    await Promise.all(streams);
    const restartMs = await node.restart();
    const check = await checkRecovered(node.url, COLLECTION, model);
    const mine = [...model.batches.values()].filter((r) => r.no >= before);
    return {
      round: no, kind, killAfterMs, restartMs, check,
      sent: mine.length,
      acked: mine.filter((r) => r.insert === 'acked').length,
      unknown: mine.filter((r) => r.insert === 'unknown').length,
      unknownPresent: mine.filter((r) => r.insert === 'unknown' && r.resolvedPresent === true).length,
      deletesAcked: deleted.filter((r) => r.delete === 'acked').length,
      deletesUnknown: deleted.filter((r) => r.delete === 'unknown').length,
    };
  }

  /** Re-sends up to two in-flight batches of each resolution: absent ones must be accepted, present ones rejected with 1100. */
  async function retryInFlight(): Promise<void> {
    const unknown = [...model.batches.values()].filter((r) => r.insert === 'unknown' && r.delete === undefined);
    for (const rec of unknown.filter((r) => r.resolvedPresent === false).slice(0, 2)) {
      const answer = await post(node.url, '/entities/insert', { collectionName: COLLECTION, data: batchRows(rec.no) });
      expect(answer, `re-sending absent batch ${rec.no}`).toMatchObject({ code: 0, data: { insertCount: BATCH_ROWS } });
      rec.insert = 'acked';
      rec.resolvedPresent = undefined;
    }
    for (const rec of unknown.filter((r) => r.resolvedPresent === true).slice(0, 2)) {
      const answer = await post(node.url, '/entities/insert', { collectionName: COLLECTION, data: batchRows(rec.no) });
      expect(answer.code, `re-sending present batch ${rec.no}: ${answer.message}`).toBe(1100);
      expect(answer.message).toMatch(/already exists/);
    }
  }

  /** After a recovery: every acked live row is searchable, with its exact vector. */
  async function spotCheckVectors(): Promise<void> {
    const live = [...model.batches.values()].filter((r) => model.mustBePresent(r));
    const sample = [live[0], live[Math.floor(live.length / 2)], live[live.length - 1]].filter((r) => r !== undefined);
    for (const rec of sample) {
      const id = rec.no * BATCH_ROWS + 7;
      const got = await call<{ id: number; vector: number[] }[]>(node.url, '/entities/get', { collectionName: COLLECTION, id: [id], outputFields: ['id', 'vector'] });
      expect(got).toEqual([{ id, vector: vectorOf(id) }]);
      const hits = await call<{ id: number; distance: number }[]>(node.url, '/entities/search',
        { collectionName: COLLECTION, data: [vectorOf(id)], annsField: 'vector', limit: 1, filter: `batch == ${rec.no}`, outputFields: ['id'] });
      expect(hits[0]).toMatchObject({ id, distance: 0 });
    }
  }

  it('keeps every acknowledged write, loses no acknowledged delete, and never tears a batch, across 4 kills', async () => {
    const kinds: RoundKind[] = ['inserts', 'flush-then-kill', 'deletes', 'kill-during-flush'];
    for (let i = 0; i < kinds.length; i++) {
      const s = await round(i + 1, kinds[i]);
      summaries.push(s);
      expect(s.acked, `round ${s.round}: some batches must be acknowledged before the kill`).toBeGreaterThan(0);
      expect(s.check.problems, `round ${s.round} (${s.kind}) problems\n${node.logs().slice(-4000)}`).toEqual([]);
      expect(s.check.countStar).toBeGreaterThanOrEqual(s.check.ackedLiveRows);
      if (s.kind === 'deletes') expect(s.deletesAcked, 'round 3 must acknowledge some deletes').toBeGreaterThan(0);
      await retryInFlight();
      await spotCheckVectors();
    }
    expect(model.rejections, 'a healthy node rejected well-formed writes').toEqual([]);
    // A clean stop (SIGTERM) and one more recovery: the state is unchanged.
    const exit = await node.kill('SIGTERM');
    expect(exit.code, node.logs().slice(-2000)).toBe(0);
    await node.restart();
    const final = await checkRecovered(node.url, COLLECTION, model);
    expect(final.problems).toEqual([]);
    console.log(`[crash] after SIGTERM + restart: count(*) ${final.countStar}, acked live rows ${final.ackedLiveRows}`);
  });
});
