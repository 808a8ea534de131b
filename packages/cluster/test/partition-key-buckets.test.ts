import { describe, expect, it } from 'vitest';
import { ErrorCode, ShoalError } from '@shoal/actors';
import { buildSchema, compileFilter } from '@shoal/shard';
import type { ColumnBatch } from '@shoal/shard';
import type { CollectionMeta } from '../src/catalog.ts';
import { partitionKeyPartitionNames, pinnedPartitions, splitByPartitionKey } from '../src/partition-key.ts';
import { shardOf } from '../src/sharding.ts';

const fields = [
  { name: 'id', dataType: 'Int64' as const, isPrimaryKey: true },
  { name: 'v', dataType: 'FloatVector' as const, dim: 2 },
  { name: 'k', dataType: 'VarChar' as const, maxLength: 16, isPartitionKey: true },
];

/** Deterministic pseudo-random numbers in [0, 1) (LCG). */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
}

/**
 * A partition-key collection with `n` partitions whose ids are not in name order (and the list
 * itself shuffled), so that a table indexed by position instead of by name would misroute rows.
 */
function metaOf(n: number, key: 'VarChar' | 'Int64', rand: () => number, drop?: number): CollectionMeta {
  const schema = buildSchema('m', '', fields.map((f) => (f.name === 'k' ? { ...f, dataType: key } : f)), false);
  const partitions = partitionKeyPartitionNames(n).map((name, i) => ({ name, id: 7000 - 3 * i }));
  for (let i = partitions.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [partitions[i], partitions[j]] = [partitions[j], partitions[i]];
  }
  return { id: 1, name: 'm', schema, partitions: partitions.filter((p) => p.name !== `_default_${drop}`) } as unknown as CollectionMeta;
}

/** The partition id of `value` the slow way: hash, then find the partition by name (linear search). */
function bruteForce(meta: CollectionMeta, value: bigint | string): number {
  const n = meta.partitions.length;
  const name = `_default_${shardOf(value, n)}`;
  return meta.partitions.find((p) => p.name === name)!.id;
}

function batchOf(keys: (bigint | string)[], key: 'VarChar' | 'Int64'): ColumnBatch {
  return {
    numRows: keys.length,
    columns: {
      id: BigInt64Array.from(keys, (_, i) => BigInt(i)),
      v: new Float32Array(2 * keys.length),
      k: key === 'Int64' ? BigInt64Array.from(keys as bigint[]) : keys,
    },
  } as ColumnBatch;
}

describe('partition-key bucket table', () => {
  for (const key of ['VarChar', 'Int64'] as const) {
    for (const n of [1, 16, 1024]) {
      it(`${key} key, ${n} partitions: every row lands in the partition named after its hash bucket`, () => {
        const rand = lcg(n * 31 + key.length);
        const meta = metaOf(n, key, rand);
        const keys = Array.from({ length: 3000 }, () => {
          const x = Math.floor(rand() * 2 ** 40) - 2 ** 39;
          return key === 'Int64' ? BigInt(x) : `k${x}`;
        });
        const split = splitByPartitionKey(meta, meta.schema.fields[2], batchOf(keys, key));
        const expected = new Map<number, (bigint | string)[]>();
        for (const k of keys) {
          const id = bruteForce(meta, k);
          const ks = expected.get(id);
          if (ks) ks.push(k);
          else expected.set(id, [k]);
        }
        const got = new Map([...split].map(([id, b]) => [id, Array.from(b.columns.k as ArrayLike<bigint | string>)]));
        expect(got).toEqual(expected);
        const pinned = keys.slice(0, 5);
        const filter = compileFilter(key === 'Int64' ? `k in [${pinned.join(', ')}]` : `k in [${pinned.map((k) => `"${k}"`).join(', ')}]`, meta.schema);
        expect(pinnedPartitions(meta, filter, undefined)).toEqual([...new Set(pinned.map((k) => bruteForce(meta, k)))].sort((a, b) => a - b));
      });
    }
  }

  it('a row hashing to a partition the catalog lacks is refused with PartitionNotFound', () => {
    const meta = metaOf(4, 'Int64', lcg(5), 2);
    // With one of 4 partitions missing, the table has 3 entries: keys hash modulo 3; find one hashing to bucket 2.
    const missing = [...Array(100).keys()].map(BigInt).find((k) => shardOf(k, 3) === 2)!;
    let err: unknown;
    try { splitByPartitionKey(meta, meta.schema.fields[2], batchOf([missing], 'Int64')); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(ShoalError);
    expect((err as ShoalError).code).toBe(ErrorCode.PartitionNotFound);
    expect((err as ShoalError).message).toContain('_default_2');
  });
});
