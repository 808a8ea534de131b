import { compareCodePoints } from '../expr/order.ts';
import type { PrimaryKey } from '../schema/types.ts';
import { fieldStats } from '../segment/stats.ts';
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

/**
 * Orders primary keys: Int64 keys (`bigint`) numerically, VarChar keys by Unicode code point (the
 * byte order of UTF-8, as Milvus compares VarChar; `compareCodePoints`).
 * @returns a negative number if `a` sorts first, 0 if equal, a positive number otherwise.
 */
export function comparePrimaryKeys(a: PrimaryKey, b: PrimaryKey): number {
  if (typeof a === 'string' && typeof b === 'string') return compareCodePoints(a, b);
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * One page of a primary-key-ordered scan (the query iterator's shard step): of the rows visible in
 * the snapshot and passing the filter, those whose primary key (column `pkName`) is greater than
 * `after` (all when undefined), the `limit` smallest keys, ascending ({@link comparePrimaryKeys}).
 * A bounded max-heap keeps the `limit` smallest keys seen: O(rows scanned + matches × log `limit`).
 * A sealed segment whose key statistics (`segment/stats.ts`) show no key after `after`, or none
 * below the largest key kept once `limit` are kept, is skipped unread, so a page reads only the
 * segments holding keys after the cursor.
 */
export function queryRowsAfter(segments: readonly Segment[], scope: ReadScope, pkName: string, after: PrimaryKey | undefined, limit: number): RowRef[] {
  if (limit <= 0) return [];
  const heap: HeapEntry[] = [];
  for (const seg of segments) {
    const stats = fieldStats(seg, pkName);
    if (stats && stats.max !== undefined && after !== undefined && comparePrimaryKeys(stats.max as PrimaryKey, after) <= 0) continue;
    if (stats && stats.min !== undefined && heap.length === limit && comparePrimaryKeys(stats.min as PrimaryKey, heap[0].pk) >= 0) continue;
    const keys = seg.column(pkName) as ArrayLike<PrimaryKey>;
    passingRows(seg, scope).forEach((i) => {
      const pk = keys[i];
      if (after !== undefined && comparePrimaryKeys(pk, after) <= 0) return;
      if (heap.length === limit) {
        if (comparePrimaryKeys(pk, heap[0].pk) >= 0) return;
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

/** An entry of the max-heap of {@link queryRowsAfter}: a key and its row. */
interface HeapEntry {
  pk: PrimaryKey;
  ref: RowRef;
}

/** Max-heap on `pk`: moves element `i` up to its place. */
function siftUp(heap: HeapEntry[], i: number): void {
  while (i > 0) {
    const parent = (i - 1) >> 1;
    if (comparePrimaryKeys(heap[parent].pk, heap[i].pk) >= 0) return;
    [heap[parent], heap[i]] = [heap[i], heap[parent]];
    i = parent;
  }
}

/** Max-heap on `pk`: moves element `i` down to its place. */
function siftDown(heap: HeapEntry[], i: number): void {
  for (;;) {
    const l = 2 * i + 1;
    const r = l + 1;
    let top = i;
    if (l < heap.length && comparePrimaryKeys(heap[l].pk, heap[top].pk) > 0) top = l;
    if (r < heap.length && comparePrimaryKeys(heap[r].pk, heap[top].pk) > 0) top = r;
    if (top === i) return;
    [heap[top], heap[i]] = [heap[i], heap[top]];
    i = top;
  }
}
