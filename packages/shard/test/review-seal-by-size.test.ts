import { describe, expect, it } from 'vitest';
import { MemoryDisk } from '@shoal/actors';
import { createTestEnv } from '@shoal/actors/node';
import { InlineIndexBuilder } from '@shoal/ann';
import { buildSchema, LocalObjectStore, openShard } from '../src/index.ts';
import type { ColumnBatch, Shard } from '../src/index.ts';

const schema = buildSchema('big', '', [
  { name: 'id', dataType: 'Int64', isPrimaryKey: true },
  { name: 'doc', dataType: 'VarChar', maxLength: 65_535 },
  { name: 'meta', dataType: 'JSON' },
  { name: 'v', dataType: 'FloatVector', dim: 2 },
], false);

function open(disk: MemoryDisk): Promise<Shard> {
  return openShard({
    env: createTestEnv({ disk }), store: new LocalObjectStore(disk), collectionId: 5n, shardNo: 0, schema,
    walDir: 'wal/5/0', indexBuilder: new InlineIndexBuilder(), index: null, loaded: true, segmentMaxBytes: 1 << 20,
  });
}

function batch(first: number, n: number, doc: string, meta: unknown): ColumnBatch {
  return {
    numRows: n,
    columns: {
      id: BigInt64Array.from({ length: n }, (_, i) => BigInt(first + i)),
      doc: Array.from({ length: n }, () => doc),
      meta: Array.from({ length: n }, () => meta),
      v: new Float32Array(n * 2),
    },
  };
}

describe('seal by size', () => {
  it('counts the bytes of VarChar values', async () => {
    const shard = await open(new MemoryDisk());
    await shard.insert(batch(0, 40, 'x'.repeat(60_000), null), 10n, 1); // 2.4 MB of text
    expect(shard.indexProgress().totalRows).toBe(40); // sealed
    await shard.close();
  });

  it('counts the bytes of JSON values', async () => {
    const shard = await open(new MemoryDisk());
    await shard.insert(batch(0, 40, '', { text: 'y'.repeat(60_000), list: [1, 2, 3] }), 10n, 1);
    expect(shard.indexProgress().totalRows).toBe(40);
    await shard.close();
  });
});
