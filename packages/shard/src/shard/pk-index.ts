import type { Segment } from '../segment/segment.ts';
import type { PrimaryKey } from '../schema/types.ts';

/** Location of a live row: its segment id and row offset. */
export interface RowLoc {
  segmentId: number;
  offset: number;
}

/**
 * The primary-key index of a shard: for every live (not deleted) row of the latest state, where
 * it is. It enforces primary-key uniqueness on insert and finds the rows that upserts and deletes
 * replace. Int64 keys are `bigint`s, VarChar keys strings (distinct Map key types, no collisions
 * since a collection has one primary key type).
 */
export class PrimaryKeyIndex {
  private readonly map = new Map<PrimaryKey, RowLoc>();

  /** Number of live rows. */
  get size(): number { return this.map.size; }

  /** Where the live row with key `pk` is, if any. */
  get(pk: PrimaryKey): RowLoc | undefined { return this.map.get(pk); }

  /** Records that the live row with key `pk` is at `loc`. */
  set(pk: PrimaryKey, loc: RowLoc): void { this.map.set(pk, loc); }

  /** Forgets key `pk` (its row was deleted). */
  delete(pk: PrimaryKey): void { this.map.delete(pk); }

  /** Adds every live row of `seg` (deleteTs = 0), reading keys from its primary key column. */
  addSegment(seg: Segment, pkName: string): void {
    const pks = seg.column(pkName) as ArrayLike<PrimaryKey>;
    const del = seg.deleteTs;
    for (let i = 0; i < seg.numRows; i++) if (del[i] === 0n) this.map.set(pks[i], { segmentId: seg.id, offset: i });
  }
}
