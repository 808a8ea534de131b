/**
 * Per-segment, per-field value statistics (Milvus keeps min/max "field stats" per sealed segment
 * for pruning): the smallest and largest value of a numeric or VarChar field, ignoring nulls and
 * NaNs, and how many rows are null or NaN. Computed on first use from a sealed segment's column
 * (one pass) and cached for the segment's life (sealed columns never change; only delete
 * timestamps do, and statistics over a superset of the live rows stay safe for pruning).
 */
import type { Segment } from './segment.ts';
import { compareCodePoints } from '../expr/order.ts';

/** Statistics of one field of one segment. `min`/`max` are `undefined` when no row has an ordered value. */
export interface FieldStats {
  /** Smallest value (Int64 a `bigint`, VarChar by code point, numbers as doubles). */
  min: number | bigint | string | undefined;
  /** Largest value. */
  max: number | bigint | string | undefined;
  /** Rows that are null (validity 0). */
  nullCount: number;
  /** Rows holding NaN (Float/Double). */
  nanCount: number;
}

/** Field types that have statistics. */
const STATS_TYPES = new Set(['Int8', 'Int16', 'Int32', 'Int64', 'Float', 'Double', 'VarChar']);

const cache = new WeakMap<Segment, Map<string, FieldStats | undefined>>();

/**
 * The statistics of field `fieldName` of sealed segment `seg`, or `undefined` for a growing
 * segment, a field that is not numeric/VarChar, or an unknown field (callers then assume any
 * value may occur).
 */
export function fieldStats(seg: Segment, fieldName: string): FieldStats | undefined {
  if (!seg.sealed) return undefined;
  let perField = cache.get(seg);
  if (!perField) { perField = new Map(); cache.set(seg, perField); }
  if (perField.has(fieldName)) return perField.get(fieldName);
  const field = seg.schema.fields.find((f) => f.name === fieldName);
  const stats = field && STATS_TYPES.has(field.dataType)
    ? computeStats(seg.column(fieldName) as ArrayLike<number | bigint | string>, seg.valid(fieldName), seg.numRows, field.dataType === 'VarChar')
    : undefined;
  perField.set(fieldName, stats);
  return stats;
}

/**
 * Statistics of the first `n` values of a column (`valid`: 1 = value; `undefined` = all valid).
 * `strings`: compare by code point instead of `<`.
 */
export function computeStats(col: ArrayLike<number | bigint | string>, valid: Uint8Array | undefined, n: number, strings: boolean): FieldStats {
  let min: number | bigint | string | undefined;
  let max: number | bigint | string | undefined;
  let nullCount = 0;
  let nanCount = 0;
  for (let i = 0; i < n; i++) {
    if (valid && valid[i] === 0) { nullCount++; continue; }
    const v = col[i];
    if (typeof v === 'number' && Number.isNaN(v)) { nanCount++; continue; }
    if (min === undefined) { min = v; max = v; continue; }
    if (strings) {
      if (compareCodePoints(v as string, min as string) < 0) min = v;
      else if (compareCodePoints(v as string, max as string) > 0) max = v;
    } else if (v < min) min = v;
    else if (v > max!) max = v;
  }
  return { min, max, nullCount, nanCount };
}
