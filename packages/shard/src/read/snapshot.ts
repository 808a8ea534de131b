import { Bitset } from '@shoal/ann';
import { evaluateFilter } from '../expr/index.ts';
import type { BoundExpr } from '../expr/index.ts';
import type { Segment } from '../segment/segment.ts';
import { partitionOverlap, visibleRows } from '../segment/segment.ts';
import { fieldStats } from '../segment/stats.ts';
import { segmentMayMatch } from './prune.ts';

/** What every read sees: an MVCC snapshot timestamp, optional partitions and an optional filter. */
export interface ReadScope {
  /** Snapshot timestamp (hybrid TSO); rows written after it are invisible. */
  readTs: bigint;
  /** Partition ids to read; all when absent. */
  partitions?: ReadonlySet<number>;
  /** Bound filter expression; all rows when absent. */
  filter?: BoundExpr;
}

/**
 * The rows of `seg` that a read with `scope` sees: visible in its snapshot, in its partitions and
 * passing its filter. Work is saved in three ways, none reading a column:
 * - a segment holding none of `scope.partitions` (`partitionOverlap` in `segment.ts`) gives an
 *   empty bitset;
 * - a sealed segment whose min/max statistics show that no row can pass the filter (`prune.ts`)
 *   gives an empty bitset;
 * - the filter is evaluated only over the visible rows (`evaluateFilter`'s row mask): its per-row
 *   loops skip each 32-row block holding no visible row (rows of other partitions, deleted rows,
 *   rows newer than the snapshot).
 */
export function passingRows(seg: Segment, scope: ReadScope): Bitset {
  const { filter } = scope;
  if (partitionOverlap(seg, scope.partitions) === 'none') return new Bitset(seg.numRows);
  if (filter && seg.sealed && !segmentMayMatch(filter, (name) => fieldStats(seg, name))) return new Bitset(seg.numRows);
  const rows = visibleRows(seg, scope.readTs, scope.partitions);
  if (!filter || rows.count() === 0) return rows;
  return evaluateFilter(filter, {
    numRows: seg.numRows,
    column: (name) => seg.column(name),
    valid: (name) => seg.valid(name),
    scalarIndex: (name) => seg.scalarIndexes.get(name),
  }, rows);
}
