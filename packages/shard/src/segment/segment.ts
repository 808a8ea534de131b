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

/** The partition ids of a segment's rows seen so far: rows `0..upTo−1` were scanned into `ids`. */
interface PartitionSet {
  ids: Set<number>;
  upTo: number;
}

/** Per segment, the partitions its rows belong to (a segment's rows never change partition). */
const partitionSets = new WeakMap<Segment, PartitionSet>();

/**
 * The set of partition ids that `seg`'s rows belong to (shared: callers must not modify it).
 * Sealed segments are scanned once and cached; growing segments (append-only, so a row's partition
 * never changes) are scanned incrementally, each row once over the segment's life: a call only
 * reads the `partition` entries of the rows appended since the previous call. O(new rows).
 */
export function segmentPartitions(seg: Segment): ReadonlySet<number> {
  let set = partitionSets.get(seg);
  if (set === undefined) partitionSets.set(seg, (set = { ids: new Set(), upTo: 0 }));
  const n = seg.numRows;
  if (set.upTo < n) {
    const { partition } = seg;
    let last = NaN; // rows come in runs of one partition (an appended batch), so test a change only
    for (let i = set.upTo; i < n; i++) {
      const p = partition[i];
      if (p !== last) { set.ids.add(p); last = p; }
    }
    set.upTo = n;
  }
  return set.ids;
}

/**
 * How a read's partition set meets a segment's partitions ({@link segmentPartitions}): `'none'`
 * when the segment holds no row of them (it can be skipped without reading a column), `'all'`
 * when every row of the segment is in one of them (or `partitions` is absent: no partition
 * restriction), else `'some'` (rows must be tested one by one).
 */
export function partitionOverlap(seg: Segment, partitions: ReadonlySet<number> | undefined): 'none' | 'some' | 'all' {
  if (partitions === undefined) return 'all';
  let inside = 0;
  const held = segmentPartitions(seg);
  for (const p of held) if (partitions.has(p)) inside++;
  return inside === 0 ? 'none' : inside === held.size ? 'all' : 'some';
}

/**
 * MVCC visibility (DESIGN.md, "Timestamps and consistency"): a bitset of the rows visible in a
 * snapshot at `readTs` — inserted at or before it, not deleted at or before it — and, if
 * `partitions` is given, in one of those partitions. The partition test is dropped when the
 * segment's partitions ({@link partitionOverlap}) are all or none of `partitions`; with no
 * partition test, no delete and no row newer than `readTs`, the result is `Bitset.full`
 * (O(n / 32)); with only the partition test, one pass over the `partition` column.
 */
export function visibleRows(seg: Segment, readTs: bigint, partitions?: ReadonlySet<number>): Bitset {
  const n = seg.numRows;
  const overlap = partitionOverlap(seg, partitions);
  if (overlap === 'none') return new Bitset(n);
  const parts = overlap === 'some' ? partitions : undefined;
  const allTime = seg.deletedRows === 0 && seg.maxTs <= readTs;
  if (!parts && allTime) return Bitset.full(n); // the common case, O(n / 32)
  const out = new Bitset(n);
  const { ts, deleteTs, partition } = seg;
  const words = out.words;
  if (allTime) {
    const read = partitionTable(segmentPartitions(seg), parts!);
    if (read !== null) {
      const { table, min } = read;
      for (let i = 0; i < n; i++) if (table[partition[i] - min] !== 0) words[i >>> 5] |= 1 << (i & 31);
      return out;
    }
  }
  for (let i = 0; i < n; i++) {
    if (ts[i] > readTs) continue;
    const d = deleteTs[i];
    if (d !== 0n && d <= readTs) continue;
    if (parts && !parts.has(partition[i])) continue;
    words[i >>> 5] |= 1 << (i & 31);
  }
  return out;
}

/** Largest span of partition ids (max − min + 1) that {@link partitionTable} makes a table for. */
const TABLE_SPAN = 1 << 16;

/**
 * A lookup table of the partitions to read among those a segment holds: `table[p − min]` is 1 when
 * partition `p` (one of `held`) is in `read`, 0 when not. `null` when `held` spans more than
 * `TABLE_SPAN` ids (then `Set.has` per row is used instead).
 */
function partitionTable(held: ReadonlySet<number>, read: ReadonlySet<number>): { table: Uint8Array; min: number } | null {
  let min = Infinity;
  let max = -Infinity;
  for (const p of held) { if (p < min) min = p; if (p > max) max = p; }
  if (max - min >= TABLE_SPAN) return null;
  const table = new Uint8Array(max - min + 1);
  for (const p of held) if (read.has(p)) table[p - min] = 1;
  return { table, min };
}
