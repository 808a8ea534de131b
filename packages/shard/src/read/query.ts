import type { Segment } from '../segment/segment.ts';
import { passingRows } from './snapshot.ts';
import type { ReadScope } from './snapshot.ts';

/** A row located in a segment. */
export interface RowRef {
  segment: Segment;
  offset: number;
}

/**
 * The rows a query returns: those visible in the snapshot and passing the filter, in segment
 * order then row order, skipping `offset` and returning at most `limit` (all when undefined).
 */
export function queryRows(segments: readonly Segment[], scope: ReadScope, offset: number, limit: number | undefined): RowRef[] {
  const out: RowRef[] = [];
  let skip = offset;
  const max = limit ?? Infinity;
  for (const seg of segments) {
    if (out.length >= max) break;
    passingRows(seg, scope).forEach((i) => {
      if (out.length >= max) return;
      if (skip > 0) { skip--; return; }
      out.push({ segment: seg, offset: i });
    });
  }
  return out;
}

/** Number of rows visible in the snapshot and passing the filter (`count(*)`). */
export function countRows(segments: readonly Segment[], scope: ReadScope): number {
  let n = 0;
  for (const seg of segments) n += passingRows(seg, scope).count();
  return n;
}
