/**
 * Partition keys (Milvus "Use Partition Key"): a collection whose schema marks one Int64 or VarChar
 * field `isPartitionKey` has `numPartitions` partitions named `_default_0` … `_default_<n−1>` (as
 * Milvus names them), and each row goes to the partition its key value hashes to; clients do not
 * name partitions. A read whose filter pins the key (`key == v`, `key in [...]`, under `and`, or
 * `or` of such) reads only the partitions those values hash to (Milvus's partition-key pruning),
 * with the same answer.
 *
 * The hash is {@link shardOf}'s (Int64: the 64-bit value folded and mixed with MurmurHash3's
 * fmix32; VarChar: CRC-32 of the UTF-8 bytes), modulo the number of partitions. Stable across
 * versions: changing it would misplace existing rows.
 */
import { invalidParameter } from '@shoal/actors';
import type { ShoalError } from '@shoal/actors';
import type { BoundExpr, ColumnBatch, FieldSchema, PrimaryKey } from '@shoal/shard';
import { partitionByName } from './catalog.ts';
import type { CollectionMeta } from './catalog.ts';
import { selectRows, shardOf } from './sharding.ts';

/** Default number of partitions of a partition-key collection (Milvus's default). */
export const DEFAULT_PARTITION_KEY_PARTITIONS = 16;

/** The partition-key field of a collection, `undefined` when it has none. */
export function partitionKeyField(meta: CollectionMeta): FieldSchema | undefined {
  return meta.schema.fields.find((f) => f.isPartitionKey);
}

/** Names of the `n` partitions of a partition-key collection: `_default_0` … `_default_<n−1>`. */
export function partitionKeyPartitionNames(n: number): string[] {
  return Array.from({ length: n }, (_, i) => `_default_${i}`);
}

/**
 * The error for a request that names a partition of a partition-key collection (Milvus refuses
 * them too): rows go to partitions by key value, so the client filters on the key instead.
 */
export function partitionNamesRefused(meta: CollectionMeta, key: FieldSchema): ShoalError {
  return invalidParameter(`collection "${meta.name}" has the partition key "${key.name}": its partitions cannot be named in a request (rows go to partitions by their "${key.name}" value; filter on it instead)`);
}

/**
 * The partition ids of a partition-key collection by hash bucket: entry `b` is the id of
 * partition `_default_<b>` (`-1` when the catalog has no such partition). Built once per batch
 * or read in O(partitions), so that each row costs one hash and one array read.
 */
function bucketIds(meta: CollectionMeta): Int32Array {
  const n = meta.partitions.length;
  const ids = new Int32Array(n).fill(-1);
  for (const p of meta.partitions) {
    const m = /^_default_(0|[1-9][0-9]*)$/.exec(p.name);
    const b = m === null ? -1 : Number(m[1]);
    if (b >= 0 && b < n && ids[b] === -1) ids[b] = p.id;
  }
  return ids;
}

/**
 * The id of the partition that key value `value` (Int64 `bigint` or VarChar string) belongs to,
 * by the table of {@link bucketIds}.
 * @throws ShoalError PartitionNotFound when the catalog lacks the partition `value` hashes to.
 */
function partitionIdOf(meta: CollectionMeta, ids: Int32Array, value: PrimaryKey): number {
  const b = shardOf(value, ids.length);
  const id = ids[b];
  return id !== -1 ? id : partitionByName(meta, `_default_${b}`).id;
}

/**
 * Splits a batch of a partition-key collection by the partition of each row's key value (column
 * of field `key`): partition id → its rows. O(rows + partitions).
 * @throws ShoalError PartitionNotFound when the catalog lacks a partition a row hashes to.
 */
export function splitByPartitionKey(meta: CollectionMeta, key: FieldSchema, batch: ColumnBatch): Map<number, ColumnBatch> {
  const values = batch.columns[key.name] as ArrayLike<PrimaryKey>;
  const ids = bucketIds(meta);
  const rowsOf = new Map<number, number[]>();
  for (let i = 0; i < batch.numRows; i++) {
    const id = partitionIdOf(meta, ids, values[i]);
    const rows = rowsOf.get(id);
    if (rows) rows.push(i);
    else rowsOf.set(id, [i]);
  }
  const out = new Map<number, ColumnBatch>();
  if (rowsOf.size === 1) out.set([...rowsOf.keys()][0], batch);
  else for (const [id, rows] of rowsOf) out.set(id, selectRows(meta.schema, batch, rows));
  return out;
}

/**
 * The partitions a read with filter `filter` must touch in a partition-key collection: the ids of
 * the partitions the key values it pins hash to (ascending), or `undefined` when it does not pin
 * the key (every partition). Pinned: `key == v` and `key in [...]`; `a and b` pins what both pin
 * (either's set when only one does); `a or b` pins the union when both do; constant false pins
 * nothing. Anything else pins nothing, so pruning never drops a matching row.
 * @throws ShoalError ParameterInvalid when `partitionNames` are given (Milvus forbids naming
 *   partitions of a partition-key collection).
 */
export function pinnedPartitions(meta: CollectionMeta, filter: BoundExpr, partitionNames: string[] | undefined): number[] | undefined {
  const key = partitionKeyField(meta);
  if (!key) return undefined;
  if (partitionNames?.length) throw partitionNamesRefused(meta, key);
  const values = pinnedValues(filter, key.name);
  if (values === undefined) return undefined;
  const ids = bucketIds(meta);
  return [...new Set([...values].map((v) => partitionIdOf(meta, ids, v)))].sort((a, b) => a - b);
}

/** The key values `e` pins (see {@link pinnedPartitions}); `undefined` = any value may match. */
function pinnedValues(e: BoundExpr, key: string): Set<PrimaryKey> | undefined {
  switch (e.kind) {
    case 'const':
      return e.value ? undefined : new Set();
    case 'compare':
      return e.field === key && e.op === '==' && (typeof e.value === 'bigint' || typeof e.value === 'string') ? new Set([e.value]) : undefined;
    case 'in':
      return e.field === key && e.values.every((v) => typeof v === 'bigint' || typeof v === 'string') ? new Set(e.values as PrimaryKey[]) : undefined;
    case 'and': {
      let out: Set<PrimaryKey> | undefined;
      for (const c of e.children) {
        const s = pinnedValues(c, key);
        if (s === undefined) continue;
        out = out === undefined ? s : new Set([...out].filter((v) => s.has(v)));
      }
      return out;
    }
    case 'or': {
      const out = new Set<PrimaryKey>();
      for (const c of e.children) {
        const s = pinnedValues(c, key);
        if (s === undefined) return undefined;
        for (const v of s) out.add(v);
      }
      return out;
    }
    default:
      return undefined;
  }
}
