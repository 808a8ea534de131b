/**
 * Bounded top-k selection for a batch of queries, without per-candidate allocation.
 *
 * `TopKHeaps` keeps, for each of `nq` queries, the `k` best candidates seen so far in a binary
 * max-heap stored in flat typed arrays (`nq × k` keys and ids). "Best" means the smallest key;
 * metrics where larger is better push the negated score. Ties on the key are broken by the
 * smaller row id, so the selection is deterministic and equals a full sort by (key, id).
 *
 * With a range window (`range.ts`) the heaps admit only candidates whose reported score — the key
 * rounded to float32, as `drain` reports it — lies inside the window, so a range search is a top-k
 * search over the rows inside the window. The check happens in `push`, which a scan calls only for
 * keys that beat `threshold`: plain top-k searches pay nothing for it.
 */
import { keyInRange } from './range.ts';
import type { RangeWindow } from './range.ts';

/** `nq` bounded max-heaps of (key, id), optionally restricted to a range window (see the module comment). */
export class TopKHeaps {
  /** Number of queries. */
  readonly nq: number;
  /** Capacity of each heap. */
  readonly k: number;
  private readonly keys: Float64Array;
  private readonly ids: Int32Array;
  private readonly sizes: Int32Array;
  private readonly window: RangeWindow | null;

  /**
   * `nq` empty heaps of capacity `k` (k ≥ 1). With `window`, candidates whose float32-rounded key
   * lies outside it are refused (see the module comment).
   */
  constructor(nq: number, k: number, window: RangeWindow | null = null) {
    this.nq = nq;
    this.k = k;
    this.window = window;
    this.keys = new Float64Array(nq * k);
    this.ids = new Int32Array(nq * k);
    this.sizes = new Int32Array(nq);
  }

  /**
   * The key a new candidate of query `q` must beat (be ≤, then win the id tie-break) to be kept:
   * `+Infinity` while the heap is not full. Lets a scan skip `push` for most rows.
   */
  threshold(q: number): number {
    return this.sizes[q] < this.k ? Infinity : this.keys[q * this.k];
  }

  /**
   * Offers candidate row `id` with `key` (smaller is better) to query `q`'s heap; refused when the
   * heaps have a range window and `Math.fround(key)` lies outside it.
   */
  push(q: number, key: number, id: number): void {
    if (this.window !== null && !keyInRange(this.window, Math.fround(key))) return;
    const k = this.k;
    const base = q * k;
    const keys = this.keys;
    const ids = this.ids;
    const size = this.sizes[q];
    if (size < k) {
      // Sift up from the new leaf.
      let i = size;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        const pk = keys[base + parent];
        if (pk > key || (pk === key && ids[base + parent] > id)) break;
        keys[base + i] = pk;
        ids[base + i] = ids[base + parent];
        i = parent;
      }
      keys[base + i] = key;
      ids[base + i] = id;
      this.sizes[q] = size + 1;
      return;
    }
    const topKey = keys[base];
    if (key > topKey || (key === topKey && id >= ids[base])) return;
    this.siftDownFromRoot(base, size, key, id);
  }

  /**
   * Empties every heap into `outIds`/`outScores` (each `nq × k`, row `q` at `[q·k, (q+1)·k)`),
   * best first. A kept key becomes the score `negate ? −key : key`; missing places (fewer than k
   * candidates) get id −1 and the worst possible score (`+Infinity`, or `−Infinity` if `negate`).
   */
  drain(outIds: Int32Array, outScores: Float32Array, negate: boolean): void {
    const k = this.k;
    const keys = this.keys;
    const ids = this.ids;
    const pad = negate ? -Infinity : Infinity;
    for (let q = 0; q < this.nq; q++) {
      const base = q * k;
      let size = this.sizes[q];
      for (let i = size; i < k; i++) {
        outIds[base + i] = -1;
        outScores[base + i] = pad;
      }
      // Heap sort: the root is the worst of those left, so it goes to the last free place.
      while (size > 0) {
        const last = size - 1;
        outIds[base + last] = ids[base];
        outScores[base + last] = negate ? 0 - keys[base] : keys[base]; // 0 − key: never −0
        if (last > 0) this.siftDownFromRoot(base, last, keys[base + last], ids[base + last]);
        size = last;
      }
      this.sizes[q] = 0;
    }
  }

  /** Places (key, id) at the root of the heap at `base` holding `size` entries and sifts it down. */
  private siftDownFromRoot(base: number, size: number, key: number, id: number): void {
    const keys = this.keys;
    const ids = this.ids;
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= size) break;
      let ck = keys[base + child];
      let cid = ids[base + child];
      const right = child + 1;
      if (right < size) {
        const rk = keys[base + right];
        const rid = ids[base + right];
        if (rk > ck || (rk === ck && rid > cid)) {
          child = right;
          ck = rk;
          cid = rid;
        }
      }
      if (ck < key || (ck === key && cid < id)) break;
      keys[base + i] = ck;
      ids[base + i] = cid;
      i = child;
    }
    keys[base + i] = key;
    ids[base + i] = id;
  }
}
