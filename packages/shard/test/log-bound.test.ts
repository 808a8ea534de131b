import { describe, expect, it } from 'vitest';
import { MemoryDisk } from '@shoal/actors';
import { createTestEnv } from '@shoal/actors/node';
import { InlineIndexBuilder } from '@shoal/ann';
import { buildSchema, LocalObjectStore, openShard } from '../src/index.ts';

const schema = buildSchema('logbound', '', [
  { name: 'id', dataType: 'Int64', isPrimaryKey: true },
  { name: 'v', dataType: 'FloatVector', dim: 2 },
], false);

describe('log growth is bounded', () => {
  it('a delete-heavy workload checkpoints and truncates the log', async () => {
    const disk = new MemoryDisk();
    const env = createTestEnv({ disk });
    const shard = await openShard({
      env, store: new LocalObjectStore(disk), collectionId: 1n, shardNo: 0, schema, walDir: 'wal/1/0',
      indexBuilder: new InlineIndexBuilder(), index: null, loaded: true, segmentMaxBytes: 64 * 1024, walSegmentBytes: 16 * 1024,
    });
    let ts = 1n << 18n;
    const n = 4000;
    await shard.insert({ numRows: n, columns: { id: BigInt64Array.from({ length: n }, (_, i) => BigInt(i)), v: new Float32Array(2 * n) } }, ts, 1);
    await shard.flush();
    // Delete one key at a time (and insert a few), far more log than the 64 KiB limit.
    for (let i = 0; i < n; i++) {
      ts += 1n << 18n;
      await shard.delete([BigInt(i)], ts);
    }
    await shard.close();
    // The shard log is a Raft group: its record-log files are in <walDir>/wal.
    const files = await disk.list('wal/1/0/wal');
    let bytes = 0;
    for (const f of files) bytes += (await disk.readFile(`wal/1/0/wal/${f}`)).length;
    // Without the bound every one of the ~4,000 delete records would stay (≈ 400 KB with Raft's
    // framing): now at most the records since the last seal (≤ 64 KiB of payload, each small
    // record about doubled by its Raft storage record: entry term/type, hard state) plus the
    // current 16 KiB log file remain.
    expect(bytes).toBeLessThan(2 * 64 * 1024 + 2 * 16 * 1024);
    const reopened = await openShard({
      env, store: new LocalObjectStore(disk), collectionId: 1n, shardNo: 0, schema, walDir: 'wal/1/0',
      indexBuilder: new InlineIndexBuilder(), index: null, loaded: true, segmentMaxBytes: 64 * 1024,
    });
    expect(reopened.rowCount).toBe(0);
    await reopened.close();
  });
});
