import { describe, expect, it } from 'vitest';
import { MemoryDisk } from '@shoal/actors';
import type { AppendFile, Disk } from '@shoal/actors';
import { createTestEnv } from '@shoal/actors/node';
import { InlineIndexBuilder } from '@shoal/ann';
import type { IndexSpec } from '@shoal/ann';
import { buildSchema, LocalObjectStore, openShard, vectorField } from '../src/index.ts';
import type { ColumnBatch, Shard } from '../src/index.ts';

const schema = buildSchema('reuse', '', [
  { name: 'id', dataType: 'Int64', isPrimaryKey: true },
  { name: 'v', dataType: 'FloatVector', dim: 2 },
], false);
const spec: IndexSpec = { type: 'FLAT', metric: 'L2', dim: 2, params: {} };

/**
 * A disk whose fsyncs of appended data never complete once `held.on` is set (the process dies
 * before they do). Opening needs them: the shard log, a Raft group, persists its election.
 */
function noSyncDisk(d: Disk, held: { on: boolean }): Disk {
  return new Proxy(d, {
    get(target, prop) {
      if (prop === 'openAppend') {
        return async (p: string): Promise<AppendFile> => {
          const f = await target.openAppend(p);
          return {
            get size() { return f.size; },
            append: (b) => f.append(b),
            sync: () => (held.on ? new Promise<void>(() => {}) : f.sync()),
            truncate: (n) => f.truncate(n),
            close: () => f.close(),
          };
        };
      }
      const v = Reflect.get(target, prop) as unknown;
      return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
    },
  });
}

function open(disk: Disk): Promise<Shard> {
  return openShard({
    env: createTestEnv({ disk }), store: new LocalObjectStore(disk), collectionId: 3n, shardNo: 0, schema,
    walDir: 'wal/3/0', indexBuilder: new InlineIndexBuilder(), index: spec, loaded: true, segmentMaxRows: 2,
  });
}

function batch(ids: number[], vectors: number[][]): ColumnBatch {
  return { numRows: ids.length, columns: { id: BigInt64Array.from(ids.map(BigInt)), v: Float32Array.from(vectors.flat()) } };
}

describe('segment ids after a crash', () => {
  it('a segment whose id was used by a segment persisted before a crash is searched with its own index, not the stale one', async () => {
    const mem = new MemoryDisk();
    const held = { on: false };
    const before = await open(noSyncDisk(mem, held));
    held.on = true;
    // Sealed at once (2 rows), persisted and indexed in the background; its log record never becomes durable.
    void before.insert(batch([1, 2], [[0, 0], [1, 1]]), 10n, 1).catch(() => undefined);
    for (let i = 0; i < 50; i++) await new Promise((r) => setImmediate(r));
    await before.indexesIdle();
    mem.crash();

    const after = await open(mem);
    expect(after.rowCount).toBe(0);
    const write = after.insert(batch([3, 4], [[100, 100], [200, 200]]), 20n, 1); // sealed: reuses the segment number
    await write;
    await after.flush();
    await after.indexesIdle();
    expect(after.indexProgress().loadedRows).toBe(2);
    const [hits] = after.search({
      readTs: 30n, vectorField: vectorField(schema), queries: Float32Array.from([100, 100]), nq: 1, topk: 1,
      metric: 'L2', params: {},
    });
    expect(after.primaryKeyOf(hits[0])).toBe(3n);
    expect(hits[0].score).toBe(0);
    await after.close();
  });
});
