import { describe, expect, it } from 'vitest';
import { MemoryDisk } from '@shoal/actors';
import type { AppendFile } from '@shoal/actors';
import { createTestEnv } from '@shoal/actors/node';
import { InlineIndexBuilder } from '@shoal/ann';
import { buildSchema, LocalObjectStore, openShard } from '../src/index.ts';
import type { ColumnBatch, Shard } from '../src/index.ts';
import type { ObjectStore } from '../src/storage/object-store.ts';
import { openRaftWal } from '../src/storage/raft-wal.ts';
import { checkpointKey, readCheckpoint } from '../src/shard/checkpoint.ts';

const schema = buildSchema('raftwal', '', [
  { name: 'id', dataType: 'Int64', isPrimaryKey: true },
  { name: 'v', dataType: 'FloatVector', dim: 2 },
], false);

const DIR = 'wal/9/0';

/** A MemoryDisk that counts fsyncs of appended data. */
class CountingDisk extends MemoryDisk {
  syncs = 0;
  override async openAppend(path: string): Promise<AppendFile> {
    const f = await super.openAppend(path);
    const disk = this as CountingDisk;
    return {
      get size() { return f.size; },
      append: (d) => f.append(d),
      sync: () => { disk.syncs++; return f.sync(); },
      truncate: (n) => f.truncate(n),
      close: () => f.close(),
    };
  }
}

function batch(ids: number[]): ColumnBatch {
  return { numRows: ids.length, columns: { id: BigInt64Array.from(ids.map(BigInt)), v: new Float32Array(ids.length * 2) } };
}

function open(disk: MemoryDisk, extra: { store?: ObjectStore; walSegmentBytes?: number } = {}): Promise<Shard> {
  return openShard({
    env: createTestEnv({ disk }), store: extra.store ?? new LocalObjectStore(disk), collectionId: 9n, shardNo: 0, schema, walDir: DIR,
    indexBuilder: new InlineIndexBuilder(), index: null, loaded: true,
    ...(extra.walSegmentBytes === undefined ? {} : { walSegmentBytes: extra.walSegmentBytes }),
  });
}

function ids(shard: Shard): number[] {
  return shard.query({ readTs: 1n << 62n }, 0, undefined).map((r) => Number(shard.primaryKeyOf(r))).sort((a, b) => a - b);
}

const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);

describe('the shard log on a one-voter Raft group', () => {
  it('a restart replays exactly the acknowledged records after the checkpoint', async () => {
    const disk = new MemoryDisk();
    const s = await open(disk);
    let ts = 10n;
    for (let i = 0; i < 3; i++) await s.insert(batch(range(i * 10, 10)), ts++, 1);
    await s.flush();
    const cp = await readCheckpoint(new LocalObjectStore(disk), 9n, 0);
    for (let i = 3; i < 6; i++) await s.insert(batch(range(i * 10, 10)), ts++, 1);
    await s.delete([0n, 35n], ts++);
    await s.close();

    // The log itself: only the 4 records written after the checkpoint come back, in order, above it.
    const env = createTestEnv({ disk });
    const { wal, records } = await openRaftWal(env, DIR, { afterLsn: BigInt(cp!.lsn) });
    expect(records).toHaveLength(4);
    expect(records.every((r) => r.lsn > BigInt(cp!.lsn))).toBe(true);
    expect(records.map((r) => r.lsn)).toEqual([...records.map((r) => r.lsn)].sort((a, b) => (a < b ? -1 : 1)));
    await wal.close();

    const s2 = await open(disk);
    expect(ids(s2)).toEqual(range(1, 59).filter((i) => i !== 35));
    await s2.insert(batch([100]), ts++, 1);
    await s2.close();
    const s3 = await open(disk);
    expect(s3.rowCount).toBe(59);
    await s3.close();
  });

  it('a crash before the fsync loses only the writes not yet acknowledged', async () => {
    const disk = new MemoryDisk();
    const s = await open(disk);
    await s.insert(batch([1, 2]), 10n, 1);
    const pending = s.insert(batch([3, 4]), 11n, 1).catch((e: unknown) => e);
    disk.crash(); // the process dies with the second write in flight
    await pending; // (it rejects: the disk handles died)
    const s2 = await open(disk);
    expect(ids(s2)).toEqual([1, 2]);
    await s2.insert(batch([3]), 12n, 1);
    await s2.close();
    expect(ids(await open(disk))).toEqual([1, 2, 3]);
  });

  it('a crash right after writing a checkpoint (its position above the persisted commit index) recovers', async () => {
    const disk = new MemoryDisk();
    const local = new LocalObjectStore(disk);
    let crashAfterCheckpoint = false;
    // The checkpoint is written, then the process dies before the log is compacted.
    const store: ObjectStore = {
      put: async (key, data) => {
        await local.put(key, data);
        if (crashAfterCheckpoint && key === checkpointKey(9n, 0)) {
          disk.crash();
          throw new Error('process died');
        }
      },
      get: (key) => local.get(key),
      exists: (key) => local.exists(key),
      list: (prefix) => local.list(prefix),
      delete: (key) => local.delete(key),
      deletePrefix: (prefix) => local.deletePrefix(prefix),
    };
    const s = await open(disk, { store });
    await s.insert(batch([1, 2]), 10n, 1);
    await s.insert(batch([3]), 11n, 1);
    crashAfterCheckpoint = true;
    await expect(s.flush()).rejects.toThrow('process died');
    const cp = await readCheckpoint(local, 9n, 0);
    expect(Number(cp!.lsn)).toBeGreaterThan(0);
    const s2 = await open(disk);
    expect(ids(s2)).toEqual([1, 2, 3]);
    await s2.insert(batch([4]), 12n, 1);
    await s2.flush();
    disk.crash(); // and again, right after a complete checkpoint (log compacted)
    const s3 = await open(disk);
    expect(ids(s3)).toEqual([1, 2, 3, 4]);
    await s3.insert(batch([5]), 13n, 1);
    await s3.close();
    expect(ids(await open(disk))).toEqual([1, 2, 3, 4, 5]);
  });

  it('a checkpoint deletes the Raft log files that only hold entries before it', async () => {
    const disk = new MemoryDisk();
    const s = await open(disk, { walSegmentBytes: 4096 });
    let ts = 10n;
    for (let i = 0; i < 40; i++) await s.insert(batch(range(i * 50, 50)), ts++, 1);
    const before = await disk.list(`${DIR}/wal`);
    expect(before.length).toBeGreaterThan(5);
    await s.flush();
    const after = await disk.list(`${DIR}/wal`);
    expect(after.length).toBeLessThanOrEqual(2);
    expect(after).not.toContain(before[0]);
    await s.close();
    const s2 = await open(disk, { walSegmentBytes: 4096 });
    expect(s2.rowCount).toBe(2000);
    await s2.close();
  });

  it('group commit: many concurrent inserts cost a few fsyncs', async () => {
    const disk = new CountingDisk();
    const s = await open(disk);
    const before = disk.syncs;
    const writes = range(0, 100).map((i) => s.insert(batch([i]), BigInt(10 + i), 1));
    await Promise.all(writes);
    expect(disk.syncs - before).toBeLessThanOrEqual(5);
    expect(s.rowCount).toBe(100);
    await s.close();
  });
});
