import { evaluateFilter } from '../expr/index.ts';
import type { BoundCompare, ColumnSource } from '../expr/index.ts';
import { compareCodePoints } from '../expr/order.ts';
import type { Column, PrimaryKey } from '../schema/types.ts';
import { fieldStats } from '../segment/stats.ts';
import { visibleRows } from '../segment/segment.ts';
import type { Segment } from '../segment/segment.ts';
import { segmentMayMatch } from './prune.ts';
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
 * A bounded max-heap keeps the `limit` smallest keys seen. A sealed segment whose key statistics
 * (`segment/stats.ts`) show no key after `after`, or none below the largest key kept once `limit`
 * are kept, is skipped unread.
 *
 * A sealed segment is read in key order through its key permutation ({@link keyOrder}, built once
 * and cached): a binary search finds the first key after `after`, and the rows from there are
 * checked in chunks (visibility, then the filter over just the chunk's rows, {@link chunkSource})
 * until `limit` pass or a key reaches the largest kept; so a page costs O(log n + rows checked)
 * per segment, not O(n), whatever the keys' order. A growing segment (bounded by the seal size)
 * is filtered whole, `pk > after` first.
 */
export function queryRowsAfter(segments: readonly Segment[], scope: ReadScope, pkName: string, after: PrimaryKey | undefined, limit: number): RowRef[] {
  if (limit <= 0) return [];
  const heap: HeapEntry[] = [];
  for (const seg of segments) {
    const stats = fieldStats(seg, pkName);
    if (stats && stats.max !== undefined && after !== undefined && comparePrimaryKeys(stats.max as PrimaryKey, after) <= 0) continue;
    if (stats && stats.min !== undefined && heap.length === limit && comparePrimaryKeys(stats.min as PrimaryKey, heap[0].pk) >= 0) continue;
    if (seg.sealed) sealedAfter(seg, scope, pkName, after, limit, heap);
    else growingAfter(seg, scope, pkName, after, limit, heap);
  }
  return heap.sort((a, b) => comparePrimaryKeys(a.pk, b.pk)).map((e) => e.ref);
}

/**
 * Rows checked in the first chunk of a sealed segment (the chunk doubles after): small, since with
 * many segments each holds only a share of a page's keys, and checking stops at the first chunk
 * whose first key is not below the largest kept.
 */
const FIRST_CHUNK = 128;

/** {@link queryRowsAfter} over one sealed segment, in key order from the first key after `after`. */
function sealedAfter(seg: Segment, scope: ReadScope, pkName: string, after: PrimaryKey | undefined, limit: number, heap: HeapEntry[]): void {
  if (scope.filter && !segmentMayMatch(scope.filter, (name) => fieldStats(seg, name))) return;
  const keys = seg.column(pkName) as ArrayLike<PrimaryKey>;
  const order = keyOrder(seg, keys);
  const visible = visibleRows(seg, scope.readTs, scope.partitions);
  let pos = after === undefined ? 0 : firstAfter(order, keys, after);
  let chunk = FIRST_CHUNK;
  while (pos < order.length) {
    if (heap.length === limit && comparePrimaryKeys(keys[order[pos]], heap[0].pk) >= 0) return;
    const end = Math.min(order.length, pos + chunk);
    const rows: number[] = [];
    for (let k = pos; k < end; k++) if (visible.get(order[k])) rows.push(order[k]);
    const pass = scope.filter && rows.length > 0 ? evaluateFilter(scope.filter, chunkSource(seg, rows)) : undefined;
    for (let j = 0; j < rows.length; j++) {
      if (pass && !pass.get(j)) continue;
      if (!offer(heap, limit, keys[rows[j]], { segment: seg, offset: rows[j] })) return; // keys ascend: none after can be kept
    }
    pos = end;
    chunk *= 2;
  }
}

/** {@link queryRowsAfter} over one growing segment: the filter and'ed after `pk > after`, then the heap. */
function growingAfter(seg: Segment, scope: ReadScope, pkName: string, after: PrimaryKey | undefined, limit: number, heap: HeapEntry[]): void {
  const keys = seg.column(pkName) as ArrayLike<PrimaryKey>;
  let filter = scope.filter;
  if (after !== undefined) {
    const dataType = typeof after === 'string' ? 'VarChar' : 'Int64';
    const gt = { kind: 'compare', field: pkName, dataType, op: '>', value: after } as BoundCompare;
    filter = filter ? { kind: 'and', children: [gt, filter] } : gt;
  }
  passingRows(seg, { ...scope, filter }).forEach((i) => { offer(heap, limit, keys[i], { segment: seg, offset: i }); });
}

/**
 * Offers a row to the max-heap of the `limit` smallest keys.
 * @returns false when the heap is full and `pk` is not below its largest key (the row is not kept).
 */
function offer(heap: HeapEntry[], limit: number, pk: PrimaryKey, ref: RowRef): boolean {
  if (heap.length < limit) {
    heap.push({ pk, ref });
    siftUp(heap, heap.length - 1);
    return true;
  }
  if (comparePrimaryKeys(pk, heap[0].pk) >= 0) return false;
  heap[0] = { pk, ref };
  siftDown(heap, 0);
  return true;
}

/** Key permutations of sealed segments (their keys never change), built on first use. */
const keyOrders = new WeakMap<Segment, Int32Array>();

/** The offsets of a sealed segment's rows in ascending key order ({@link comparePrimaryKeys}; ties by offset). */
function keyOrder(seg: Segment, keys: ArrayLike<PrimaryKey>): Int32Array {
  let order = keyOrders.get(seg);
  if (order === undefined) {
    order = new Int32Array(seg.numRows);
    for (let i = 0; i < order.length; i++) order[i] = i;
    order.sort((a, b) => comparePrimaryKeys(keys[a], keys[b]) || a - b);
    keyOrders.set(seg, order);
  }
  return order;
}

/** The first position of `order` whose key is greater than `after` (`order.length` if none); binary search. */
function firstAfter(order: Int32Array, keys: ArrayLike<PrimaryKey>, after: PrimaryKey): number {
  let lo = 0;
  let hi = order.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (comparePrimaryKeys(keys[order[mid]], after) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * The rows `rows` of `seg` as a filter source of `rows.length` rows (row `j` = segment row
 * `rows[j]`): each column and validity bitmap the filter reads is gathered on demand. Scalar
 * indexes answer for the whole segment, so they are not offered; the kernels scan the chunk.
 */
function chunkSource(seg: Segment, rows: readonly number[]): ColumnSource {
  return {
    numRows: rows.length,
    column: (name) => gather(seg.column(name), rows),
    valid: (name) => {
      const v = seg.valid(name);
      return v === undefined ? undefined : gather(v, rows) as Uint8Array;
    },
  };
}

/** `col[rows[j]]` for each j, in a column of the same layout (one value per row: not a vector column). */
function gather(col: Column, rows: readonly number[]): Column {
  if (Array.isArray(col)) return rows.map((i) => (col as unknown[])[i]);
  const Typed = col.constructor as new (n: number) => Exclude<Column, unknown[]>;
  const out = new Typed(rows.length) as unknown as { [j: number]: unknown };
  const src = col as unknown as { [i: number]: unknown };
  for (let j = 0; j < rows.length; j++) out[j] = src[rows[j]];
  return out as unknown as Column;
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
