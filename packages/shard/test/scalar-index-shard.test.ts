/**
 * Scalar indexes in a shard: built on persisted sealed segments (not the growing one), reported
 * in progress, answering queries the same as without them, dropped when undeclared, rebuilt when
 * the shard reopens, and a bad index (BITMAP over too many values) reported as a failure.
 */
import { describe, expect, it } from 'vitest';
import { MemoryDisk } from '@shoal/actors';
import { createTestEnv } from '@shoal/actors/node';
import { InlineIndexBuilder } from '@shoal/ann';
import { buildSchema, compileFilter, LocalObjectStore, openShard } from '../src/index.ts';
import type { ColumnBatch, Shard } from '../src/index.ts';
import type { ScalarIndexSpec } from '../src/scalar-index/segment-builds.ts';

const schema = buildSchema('sc', '', [
  { name: 'id', dataType: 'Int64', isPrimaryKey: true },
  { name: 'tag', dataType: 'VarChar', maxLength: 32 },
  { name: 'n', dataType: 'Int32' },
  { name: 'v', dataType: 'FloatVector', dim: 2 },
], false);

function batch(from: number, count: number): ColumnBatch {
  return {
    numRows: count,
    columns: {
      id: BigInt64Array.from({ length: count }, (_, i) => BigInt(from + i)),
      tag: Array.from({ length: count }, (_, i) => `t${(from + i) % 7}`),
      n: Int32Array.from({ length: count }, (_, i) => from + i),
      v: new Float32Array(count * 2),
    },
  };
}

async function open(disk: MemoryDisk, scalarIndexes: ScalarIndexSpec[], errors: string[] = []): Promise<Shard> {
  return openShard({
    env: createTestEnv({ disk }), store: new LocalObjectStore(disk), collectionId: 5n, shardNo: 0, schema,
    walDir: 'wal/5/0', indexBuilder: new InlineIndexBuilder(), index: null, loaded: true, scalarIndexes,
    onError: (what) => errors.push(what),
  });
}

const count = (shard: Shard, filter: string): number => shard.count({ readTs: shard.lastTimestamp, filter: compileFilter(filter, schema) });

describe('scalar indexes of a shard', () => {
  it('builds them on flushed segments, answers the same, drops and rebuilds them', async () => {
    const disk = new MemoryDisk();
    let shard = await open(disk, [{ fieldName: 'tag', type: 'INVERTED' }]);
    await shard.insert(batch(0, 70), 1n, 0);
    await shard.flush();
    await shard.insert(batch(70, 7), 2n, 0); // stays in the growing segment
    await shard.indexesIdle();
    expect(shard.scalarIndexProgress()).toEqual([{ fieldName: 'tag', type: 'INVERTED', indexedRows: 70, totalRows: 70, failReason: '' }]);
    expect(count(shard, 'tag == "t3"')).toBe(11);
    expect(count(shard, 'tag in ["t1", "t2"] and n >= 60')).toBe(4); // 64, 65 sealed; 71, 72 growing

    await shard.setScalarIndexes([{ fieldName: 'n', type: 'STL_SORT' }]);
    expect(shard.scalarIndexProgress()).toEqual([{ fieldName: 'n', type: 'STL_SORT', indexedRows: 70, totalRows: 70, failReason: '' }]);
    expect(count(shard, 'n > 65')).toBe(11);
    await shard.close();

    shard = await open(disk, [{ fieldName: 'n', type: 'STL_SORT' }, { fieldName: 'tag', type: 'TRIE' }]);
    await shard.indexesIdle();
    expect(shard.scalarIndexProgress().map((p) => p.indexedRows)).toEqual([70, 70]);
    expect(count(shard, 'tag like "t6%"')).toBe(11);
    await shard.close();
  });

  it('reports a build that fails', async () => {
    const errors: string[] = [];
    const shard = await open(new MemoryDisk(), [{ fieldName: 'n', type: 'BITMAP' }], errors);
    await shard.insert(batch(0, 1001), 1n, 0);
    await shard.flush();
    await shard.indexesIdle();
    const [p] = shard.scalarIndexProgress();
    expect(p.indexedRows).toBe(0);
    expect(p.failReason).toMatch(/1001 distinct values/);
    expect(errors[0]).toMatch(/BITMAP index on "n"/);
    await shard.close();
  });
});
