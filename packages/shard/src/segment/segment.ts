import { Bitset } from '@shoal/ann';
import type { VectorIndex } from '@shoal/ann';
import type { CollectionSchema, Column } from '../schema/types.ts';
import type { ScalarIndex } from '../scalar-index/types.ts';

/**
 * A segment: a block of rows of one shard, column-wise (DESIGN.md, "Data plane").
 * Row `i` has the field values `column(name)[i]`, the insert timestamp `ts[i]`, the delete
 * timestamp `deleteTs[i]` (0n while live) and the partition id `partition[i]`.
 * Timestamps are hybrid TSO timestamps (`physicalMs << 18 | logical`).
 */
export interface Segment {
  readonly id: number;
  readonly schema: CollectionSchema;
  /** Number of rows. */
  readonly numRows: number;
  /** True once immutable (sealed); growing segments still take rows. */
  readonly sealed: boolean;
  /** Column of a field, exactly `numRows` long (vectors: `numRows × dim`). */
  column(fieldName: string): Column;
  /**
   * Validity bitmap of a nullable field, `numRows` long (1 = has a value, 0 = null); `undefined`
   * for a field that is not nullable (every row has a value).
   */
  valid(fieldName: string): Uint8Array | undefined;
  /** Insert timestamps, `numRows` long. */
  readonly ts: BigInt64Array;
  /** Delete timestamps, `numRows` long; 0n = not deleted. Mutable even when sealed. */
  readonly deleteTs: BigInt64Array;
  /** Partition id of each row, `numRows` long. */
  readonly partition: Int32Array;
  /** Largest insert timestamp of its rows (0n if none). */
  readonly maxTs: bigint;
  /** Number of rows with a delete timestamp (kept by whoever sets `deleteTs`). */
  deletedRows: number;
  /** Smallest and largest write-ahead-log LSN whose rows this segment holds. */
  readonly minLsn: bigint;
  readonly maxLsn: bigint;
  /** ANN indexes over this segment's vector fields by field name, when built and loaded (sealed only). */
  readonly vectorIndexes: Map<string, VectorIndex>;
  /** Scalar indexes over this segment's fields by field name, when built and loaded (sealed only). */
  readonly scalarIndexes: Map<string, ScalarIndex>;
}

/**
 * MVCC visibility (DESIGN.md, "Timestamps and consistency"): a bitset of the rows visible in a
 * snapshot at `readTs` — inserted at or before it, not deleted at or before it — and, if
 * `partitions` is given, in one of those partitions.
 */
export function visibleRows(seg: Segment, readTs: bigint, partitions?: ReadonlySet<number>): Bitset {
  const n = seg.numRows;
  if (!partitions && seg.deletedRows === 0 && seg.maxTs <= readTs) return Bitset.full(n); // the common case, O(n / 32)
  const out = new Bitset(n);
  const { ts, deleteTs, partition } = seg;
  const words = out.words;
  for (let i = 0; i < n; i++) {
    if (ts[i] > readTs) continue;
    const d = deleteTs[i];
    if (d !== 0n && d <= readTs) continue;
    if (partitions && !partitions.has(partition[i])) continue;
    words[i >>> 5] |= 1 << (i & 31);
  }
  return out;
}
