import { describe, expect, it } from 'vitest';
import { ErrorCode, MemoryDisk, ShoalError } from '@shoal/actors';
import type { WriteAheadLog } from '@shoal/actors';
import { createTestEnv } from '@shoal/actors/node';
import { InlineIndexBuilder } from '@shoal/ann';
import { buildSchema, LocalObjectStore, Shard } from '../src/index.ts';
import type { ColumnBatch } from '../src/index.ts';

const schema = buildSchema('refusal', '', [
  { name: 'id', dataType: 'Int64', isPrimaryKey: true },
  { name: 'v', dataType: 'FloatVector', dim: 2 },
], false);

/** A log that refuses records over `maxBytes` (as the real one refuses records over 1 GiB) without numbering them. */
class SmallLog implements WriteAheadLog {
  lastLsn = 0n;
  private readonly maxBytes: number;
  constructor(maxBytes: number) { this.maxBytes = maxBytes; }
  append(payload: Uint8Array): Promise<bigint> {
    if (payload.byteLength > this.maxBytes) return Promise.reject(new ShoalError(ErrorCode.ParameterTooLarge, 'record too large'));
    return Promise.resolve(++this.lastLsn);
  }
  truncateBefore(): Promise<void> { return Promise.resolve(); }
  close(): Promise<void> { return Promise.resolve(); }
}

function batch(ids: number[]): ColumnBatch {
  return { numRows: ids.length, columns: { id: BigInt64Array.from(ids.map(BigInt)), v: new Float32Array(ids.length * 2) } };
}

describe('a write the log refuses before numbering it (too large)', () => {
  it('changes nothing and does not stop the shard', async () => {
    const disk = new MemoryDisk();
    const shard = new Shard({
      env: createTestEnv({ disk }), store: new LocalObjectStore(disk), collectionId: 6n, shardNo: 0, schema, walDir: 'wal',
      indexBuilder: new InlineIndexBuilder(), index: null, loaded: true,
    }, new SmallLog(2000), [], 0, 0n);
    const big = Array.from({ length: 200 }, (_, i) => i + 100);
    await expect(shard.insert(batch(big), 10n, 1)).rejects.toMatchObject({ code: ErrorCode.ParameterTooLarge });
    expect(shard.rowCount).toBe(0);
    expect(shard.query({ readTs: 100n }, 0, undefined)).toEqual([]);
    await shard.insert(batch([1, 100]), 20n, 1); // the shard still takes writes, and key 100 was never stored
    expect(shard.rowCount).toBe(2);
    await shard.close();
  });
});
