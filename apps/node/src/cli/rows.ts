/**
 * Pure helpers of `shoal import`: vectors → entity rows, and grouping any stream into batches.
 */
import type { Row } from '@shoal/client';
import type { VectorBatch } from './fvecs-source.ts';

/** Where fvecs rows go: the primary key of row r is `idStart + r`, the vector goes to `vectorField`. */
export interface VectorRowOptions {
  idStart: number;
  vectorField: string;
}

/**
 * The rows of a vector batch: `{ id: idStart + firstRow + i, [vectorField]: number[] }` for each of
 * its `count` vectors (plain arrays, as JSON sends them).
 */
export function vectorRows(batch: VectorBatch, opts: VectorRowOptions): Row[] {
  const rows: Row[] = new Array(batch.count);
  for (let i = 0; i < batch.count; i++) {
    rows[i] = {
      id: opts.idStart + batch.firstRow + i,
      [opts.vectorField]: Array.from(batch.data.subarray(i * batch.dim, (i + 1) * batch.dim)),
    };
  }
  return rows;
}

/**
 * Groups the items of `source` into arrays of `size` (the last may be shorter; none is empty).
 * Throws `RangeError` when `size` is not a positive integer.
 */
export async function* batched<T>(source: AsyncIterable<T> | Iterable<T>, size: number): AsyncGenerator<T[]> {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`batch size must be a positive integer, got ${size}`);
  let batch: T[] = [];
  for await (const item of source) {
    batch.push(item);
    if (batch.length === size) {
      yield batch;
      batch = [];
    }
  }
  if (batch.length > 0) yield batch;
}
