import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MemoryDisk, SeededRandom } from '@shoal/actors';
import type { AppendFile, Disk } from '@shoal/actors';
import { createTestEnv } from '@shoal/actors/node';
import { InlineIndexBuilder } from '@shoal/ann';
import { buildSchema, LocalObjectStore, openShard } from '../src/index.ts';
import type { ColumnBatch, Shard } from '../src/index.ts';

const schema = buildSchema('crash', '', [
  { name: 'id', dataType: 'Int64', isPrimaryKey: true },
  { name: 'tag', dataType: 'Int32' },
  { name: 'v', dataType: 'FloatVector', dim: 2 },
], false);

/**
 * A disk that one process incarnation uses. Its fsyncs of appended data wait until the test
 * releases them (an fsync in flight), and `fence()` models the process dying: nothing it does
 * lands afterwards, and unreleased fsyncs never happen.
 */
class FencedDisk implements Disk {
  private dead = false;
  private readonly d: Disk;
  private held: (() => void)[] = [];
  /** Lets every fsync requested so far go through. */
  releaseSyncs(): void {
    const run = this.held;
    this.held = [];
    for (const f of run) f();
  }
  constructor(d: Disk) { this.d = d; }
  fence(): void { this.dead = true; }
  private live<T>(f: () => Promise<T>): Promise<T> {
    return this.dead ? new Promise<T>(() => {}) : f();
  }
  readFile(p: string) { return this.live(() => this.d.readFile(p)); }
  writeFileAtomic(p: string, b: Uint8Array) { return this.live(() => this.d.writeFileAtomic(p, b)); }
  async openAppend(p: string): Promise<AppendFile> {
    const f = await this.live(() => this.d.openAppend(p));
    return {
      get size() { return f.size; },
      append: (b) => this.live(() => f.append(b)),
      sync: () => this.live(() => new Promise<void>((resolve, reject) => this.held.push(() => { f.sync().then(resolve, reject); }))),
      truncate: (n) => this.live(() => f.truncate(n)),
      close: () => this.live(() => f.close()),
    };
  }
  exists(p: string) { return this.live(() => this.d.exists(p)); }
  list(p: string) { return this.live(() => this.d.list(p)); }
  mkdirp(p: string) { return this.live(() => this.d.mkdirp(p)); }
  remove(p: string) { return this.live(() => this.d.remove(p)); }
  rename(a: string, b: string) { return this.live(() => this.d.rename(a, b)); }
  nativePath(p: string) { return this.d.nativePath(p); }
}

type Op =
  | { kind: 'insert' | 'upsert'; ids: number[]; tag: number }
  | { kind: 'delete'; ids: number[] }
  | { kind: 'flush' }
  | { kind: 'sync' }
  | { kind: 'await' };

function batch(ids: number[], tag: number): ColumnBatch {
  const v = new Float32Array(ids.length * 2).map((_, i) => i);
  return { numRows: ids.length, columns: { id: BigInt64Array.from(ids.map(BigInt)), tag: Int32Array.from(ids.map(() => tag)), v } };
}

async function open(disk: Disk, segmentMaxRows: number): Promise<Shard> {
  const env = createTestEnv({ disk });
  return openShard({
    env, store: new LocalObjectStore(disk), collectionId: 7n, shardNo: 0, schema, walDir: 'wal/7/0',
    indexBuilder: new InlineIndexBuilder(), index: null, loaded: true, segmentMaxRows,
  });
}

function state(shard: Shard): Map<bigint, number> {
  const out = new Map<bigint, number>();
  for (const ref of shard.query({ readTs: 1n << 62n }, 0, undefined)) {
    const id = shard.primaryKeyOf(ref) as bigint;
    expect(out.has(id), `row ${id} present twice`).toBe(false);
    out.set(id, (ref.segment.column('tag') as Int32Array)[ref.offset]);
  }
  return out;
}

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constantFrom('insert' as const, 'upsert' as const), ids: fc.uniqueArray(fc.integer({ min: 0, max: 40 }), { minLength: 1, maxLength: 6 }), tag: fc.integer({ min: 0, max: 1000 }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('delete' as const), ids: fc.uniqueArray(fc.integer({ min: 0, max: 40 }), { minLength: 1, maxLength: 6 }) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'flush' as const }) },
  { weight: 2, arbitrary: fc.constant({ kind: 'sync' as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'await' as const }) },
);

describe('shard crash recovery', () => {
  it('after a crash at any point, the state is that of a prefix of the accepted writes that includes every acknowledged one', async () => {
    await fc.assert(fc.asyncProperty(
      fc.array(fc.array(opArb, { minLength: 1, maxLength: 25 }), { minLength: 1, maxLength: 3 }),
      fc.integer({ min: 1, max: 2 ** 31 }), fc.integer({ min: 3, max: 30 }),
      async (rounds, seed, segmentMaxRows) => {
        const mem = new MemoryDisk();
        const random = new SeededRandom(seed);
        let model = new Map<bigint, number>();
        let ts = 0n;
        for (const ops of rounds) {
          const disk = new FencedDisk(mem);
          const opening = open(disk, segmentMaxRows);
          for (let i = 0; i < 100 && !(await Promise.race([opening.then(() => true), tick().then(() => false)])); i++) disk.releaseSyncs();
          const shard = await opening;
          expect(state(shard)).toEqual(model);
          // Each accepted write, in log order, and whether it was acknowledged.
          const accepted: { apply: (m: Map<bigint, number>) => void; acked: boolean }[] = [];
          let inFlight: Promise<unknown>[] = [];
          for (const op of ops) {
            ts += 1n << 18n;
            if (op.kind === 'flush') { inFlight.push(shard.flush().catch(() => undefined)); continue; }
            if (op.kind === 'sync') { disk.releaseSyncs(); await tick(); continue; }
            if (op.kind === 'await') { await drain(disk, inFlight); inFlight = []; continue; }
            const keys = op.ids.map(BigInt);
            let p: Promise<unknown>;
            try {
              p = op.kind === 'insert' ? shard.insert(batch(op.ids, op.tag), ts, 1)
                : op.kind === 'upsert' ? shard.upsert(batch(op.ids, op.tag), ts, 1) : shard.delete(keys, ts);
            } catch {
              continue; // rejected before being logged (duplicate key): no effect
            }
            const entry = {
              apply: (m: Map<bigint, number>) => {
                if (op.kind === 'delete') for (const k of keys) m.delete(k);
                else for (const k of keys) m.set(k, op.tag);
              },
              acked: false,
            };
            accepted.push(entry);
            inFlight.push(p.then(() => { entry.acked = true; }, () => undefined));
          }
          await tick();
          // Crash: the process dies (nothing more lands), unsynced bytes are lost, a tail may tear.
          disk.fence();
          mem.crash({ tornTail: true, random });
          const recovered = state(await open(mem, segmentMaxRows));
          const lastAcked = accepted.map((a) => a.acked).lastIndexOf(true);
          const prefixes: Map<bigint, number>[] = [];
          const m = new Map(model);
          for (let j = 0; j <= accepted.length; j++) {
            if (j > 0) accepted[j - 1].apply(m);
            if (j >= lastAcked + 1) prefixes.push(new Map(m));
          }
          const match = prefixes.find((p) => equalMaps(p, recovered));
          expect(match, `recovered ${JSON.stringify([...recovered].map(String))} is no allowed prefix state`).toBeDefined();
          model = match!;
        }
      },
    ), { numRuns: 300 });
  }, 120_000);
});

function tick(): Promise<void> {
  return new Promise((r) => setImmediate(r));
}

/** Releases fsyncs until every promise in `inFlight` has settled. */
async function drain(disk: FencedDisk, inFlight: Promise<unknown>[]): Promise<void> {
  let done = false;
  void Promise.all(inFlight).then(() => { done = true; });
  for (let i = 0; !done && i < 1000; i++) {
    disk.releaseSyncs();
    await tick();
  }
  expect(done, 'writes still pending after releasing every fsync').toBe(true);
}

function equalMaps(a: Map<bigint, number>, b: Map<bigint, number>): boolean {
  if (a.size !== b.size) return false;
  for (const [k, v] of a) if (b.get(k) !== v) return false;
  return true;
}
