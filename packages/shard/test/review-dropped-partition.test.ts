import { describe, expect, it } from 'vitest';
import { MemoryDisk } from '@shoal/actors';
import { createTestEnv } from '@shoal/actors/node';
import { InlineIndexBuilder } from '@shoal/ann';
import { buildSchema, LocalObjectStore, openShard } from '../src/index.ts';
import type { ColumnBatch, Shard } from '../src/index.ts';
import { readCheckpoint } from '../src/shard/checkpoint.ts';

const schema = buildSchema('dropped', '', [
  { name: 'id', dataType: 'Int64', isPrimaryKey: true },
  { name: 'v', dataType: 'FloatVector', dim: 2 },
], false);

function open(disk: MemoryDisk): Promise<Shard> {
  return openShard({
    env: createTestEnv({ disk }), store: new LocalObjectStore(disk), collectionId: 4n, shardNo: 0, schema,
    walDir: 'wal/4/0', indexBuilder: new InlineIndexBuilder(), index: null, loaded: true,
  });
}

function batch(ids: number[]): ColumnBatch {
  return { numRows: ids.length, columns: { id: BigInt64Array.from(ids.map(BigInt)), v: new Float32Array(ids.length * 2) } };
}

describe('a dropped partition', () => {
  it('takes no more writes, before and after a checkpoint and a restart', async () => {
    const disk = new MemoryDisk();
    const shard = await open(disk);
    await shard.insert(batch([1, 2]), 10n, 5);
    await shard.dropPartition(5, 20n);
    expect(() => shard.insert(batch([3]), 30n, 5)).toThrow(expect.objectContaining({ code: 200 }));
    expect(() => shard.upsert(batch([1]), 31n, 5)).toThrow(expect.objectContaining({ code: 200 }));
    await shard.insert(batch([1]), 32n, 6); // its keys are free again, in another partition
    await shard.flush();
    expect((await readCheckpoint(new LocalObjectStore(disk), 4n, 0))?.droppedPartitions).toEqual([5]);
    await shard.close();

    const again = await open(disk);
    expect(() => again.insert(batch([4]), 40n, 5)).toThrow(expect.objectContaining({ code: 200 }));
    expect(again.rowCount).toBe(1);
    await again.close();
  });
});
