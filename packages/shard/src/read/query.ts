import type { PrimaryKey } from '../schema/types.ts';
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

/** Orders primary keys: Int64 keys (`bigint`) numerically, VarChar keys by UTF-16 code units (JavaScript's `<`). */
function comparePrimaryKeys(a: PrimaryKey, b: PrimaryKey): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * One page of a primary-key-ordered scan (the query iterator's shard step): of the rows visible in
 * the snapshot and passing the filter, those whose primary key (column `pkName`) is greater than
 * `after` (all when undefined), the `limit` smallest keys, ascending. O(rows scanned + matches ×
 * log `limit`): a bounded max-heap keeps the `limit` smallest keys seen.
 */
export function queryRowsAfter(segments: readonly Segment[], scope: ReadScope, pkName: string, after: PrimaryKey | undefined, limit: number): RowRef[] {
  if (limit <= 0) return [];
  const heap: { pk: PrimaryKey; ref: RowRef }[] = [];
  for (const seg of segments) {
    const keys = seg.column(pkName) as ArrayLike<PrimaryKey>;
    passingRows(seg, scope).forEach((i) => {
      const pk = keys[i];
      if (after !== undefined && pk <= after) return;
      if (heap.length === limit) {
        if (pk >= heap[0].pk) return;
        heap[0] = { pk, ref: { segment: seg, offset: i } };
        siftDown(heap, 0);
      } else {
        heap.push({ pk, ref: { segment: seg, offset: i } });
        siftUp(heap, heap.length - 1);
      }
    });
  }
  return heap.sort((a, b) => comparePrimaryKeys(a.pk, b.pk)).map((e) => e.ref);
}

/** Max-heap on `pk`: moves element `i` up to its place. */
function siftUp(heap: { pk: PrimaryKey }[], i: number): void {
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (heap[parent].pk >= heap[i].pk) return;
    [heap[parent], heap[i]] = [heap[i], heap[parent]];
    i = parent;
  }
}

/** Max-heap on `pk`: moves element `i` down to its place. */
function siftDown(heap: { pk: PrimaryKey }[], i: number): void {
  for (;;) {
    const l = 2 * i + 1;
    const r = l + 1;
    let top = i;
    if (l < heap.length && heap[l].pk > heap[top].pk) top = l;
    if (r < heap.length && heap[r].pk > heap[top].pk) top = r;
    if (top === i) return;
    [heap[top], heap[i]] = [heap[i], heap[top]];
    i = top;
  }
}
