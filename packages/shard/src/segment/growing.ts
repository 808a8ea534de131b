import type { VectorIndex } from '@shoal/ann';
import { allocColumn } from '../schema/rows.ts';
import { columnWidth } from '../schema/vector.ts';
import type { CollectionSchema, Column, ColumnBatch, FieldSchema } from '../schema/types.ts';
import { DYNAMIC_FIELD } from '../schema/types.ts';
import type { Segment } from './segment.ts';
import type { ScalarIndex } from '../scalar-index/types.ts';

type Typed = Exclude<Column, unknown[]>;

/**
 * A growing segment: the in-memory, append-only segment that takes a shard's new rows
 * (Milvus's "growing segment"). Columns are typed arrays that double in capacity; reads see
 * exact-length views. Searched by brute force until sealed. Nullable fields keep a validity
 * bitmap (one byte per row, 1 = value); with the dynamic field enabled, the `$meta` column holds
 * one object per row.
 */
export class GrowingSegment implements Segment {
  readonly id: number;
  readonly schema: CollectionSchema;
  readonly sealed = false;
  readonly vectorIndexes = new Map<string, VectorIndex>();
  readonly scalarIndexes = new Map<string, ScalarIndex>();
  deletedRows = 0;
  private n = 0;
  private lastTs = 0n;
  private capacity: number;
  private cols: Record<string, Column> = {};
  private validCols: Record<string, Uint8Array> = {};
  private tsCol: BigInt64Array;
  private delCol: BigInt64Array;
  private partCol: Int32Array;
  private lsnMin = 0n;
  private lsnMax = 0n;
  /** Approximate bytes of the VarChar and JSON values appended so far. */
  private varBytes = 0;

  /** An empty segment with room for `initialCapacity` rows before it grows. */
  constructor(id: number, schema: CollectionSchema, initialCapacity = 1024) {
    this.id = id;
    this.schema = schema;
    this.capacity = initialCapacity;
    for (const f of schema.fields) {
      this.cols[f.name] = isTyped(f) ? allocColumn(f, initialCapacity) : [];
      if (f.nullable) this.validCols[f.name] = new Uint8Array(initialCapacity);
    }
    if (schema.enableDynamicField) this.cols[DYNAMIC_FIELD] = [];
    this.tsCol = new BigInt64Array(initialCapacity);
    this.delCol = new BigInt64Array(initialCapacity);
    this.partCol = new Int32Array(initialCapacity);
  }

  get numRows(): number { return this.n; }
  get minLsn(): bigint { return this.lsnMin; }
  get maxTs(): bigint { return this.lastTs; }
  get maxLsn(): bigint { return this.lsnMax; }
  get ts(): BigInt64Array { return this.tsCol.subarray(0, this.n); }
  get deleteTs(): BigInt64Array { return this.delCol.subarray(0, this.n); }
  get partition(): Int32Array { return this.partCol.subarray(0, this.n); }

  /** Column of `fieldName` (or `$meta`), `numRows` long (a view: valid until the next append). */
  column(fieldName: string): Column {
    const c = this.cols[fieldName];
    if (Array.isArray(c)) return c;
    const f = this.schema.fields.find((x) => x.name === fieldName)!;
    return (c as Typed).subarray(0, this.n * columnWidth(f));
  }

  /** Validity bitmap of a nullable field, `numRows` long (a view: valid until the next append); `undefined` for other fields. */
  valid(fieldName: string): Uint8Array | undefined {
    return this.validCols[fieldName]?.subarray(0, this.n);
  }

  /**
   * Appends a validated batch (every field present, primary keys filled in) written at `ts`
   * into partition `partitionId`, from log record `lsn`. Returns the offset of its first row.
   * A nullable field without a bitmap in `batch.valid` is all valid; a missing `$meta` row is `{}`.
   */
  append(batch: ColumnBatch, ts: bigint, partitionId: number, lsn: bigint): number {
    const start = this.n;
    const m = batch.numRows;
    this.ensure(start + m);
    for (const f of this.schema.fields) {
      const src = batch.columns[f.name];
      const dst = this.cols[f.name];
      if (Array.isArray(dst)) {
        for (let i = 0; i < m; i++) {
          const v = (src as unknown[])[i];
          (dst as unknown[]).push(v);
          this.varBytes += valueBytes(v);
        }
      } else {
        const width = columnWidth(f);
        copyInto(dst as Typed, src as Typed, start * width, m * width);
      }
      const validity = this.validCols[f.name];
      if (validity) {
        const v = batch.valid?.[f.name];
        if (v) validity.set(v.subarray(0, m), start);
        else validity.fill(1, start, start + m);
      }
    }
    if (this.schema.enableDynamicField) {
      const src = batch.columns[DYNAMIC_FIELD] as unknown[] | undefined;
      const dst = this.cols[DYNAMIC_FIELD] as unknown[];
      for (let i = 0; i < m; i++) {
        const v = src?.[i] ?? {};
        dst.push(v);
        this.varBytes += valueBytes(v);
      }
    }
    this.tsCol.fill(ts, start, start + m);
    if (ts > this.lastTs) this.lastTs = ts;
    this.partCol.fill(partitionId, start, start + m);
    this.n += m;
    if (this.lsnMin === 0n) this.lsnMin = lsn;
    this.lsnMax = lsn;
    return start;
  }

  /**
   * Approximate memory of the row data in bytes (for seal-by-size): fixed-width columns and
   * validity bitmaps exactly, VarChar, JSON, Array and `$meta` values by their content (see
   * `valueBytes`) plus 32 bytes of overhead each.
   */
  estimatedBytes(): number {
    let bytes = this.n * 20 + this.varBytes;
    for (const f of this.schema.fields) {
      const c = this.cols[f.name];
      if (Array.isArray(c)) bytes += this.n * 32;
      else bytes += (c as Typed).BYTES_PER_ELEMENT * columnWidth(f) * this.n;
      if (f.nullable) bytes += this.n;
    }
    if (this.schema.enableDynamicField) bytes += this.n * 32;
    return bytes;
  }

  private ensure(rows: number): void {
    if (rows <= this.capacity) return;
    let cap = this.capacity;
    while (cap < rows) cap *= 2;
    for (const f of this.schema.fields) {
      const c = this.cols[f.name];
      if (Array.isArray(c)) continue;
      const grown = allocColumn(f, cap) as Typed;
      copyInto(grown, c as Typed, 0, (c as Typed).length);
      this.cols[f.name] = grown;
    }
    for (const [name, v] of Object.entries(this.validCols)) {
      const grown = new Uint8Array(cap);
      grown.set(v);
      this.validCols[name] = grown;
    }
    this.tsCol = grow(this.tsCol, new BigInt64Array(cap));
    this.delCol = grow(this.delCol, new BigInt64Array(cap));
    this.partCol = grow(this.partCol, new Int32Array(cap));
    this.capacity = cap;
  }
}

/** Approximate size in bytes of a VarChar, JSON, Array or `$meta` value: string lengths, 8 per number and per container entry. */
export function valueBytes(v: unknown): number {
  if (typeof v === 'string') return v.length;
  if (v === null || typeof v !== 'object') return 8;
  let bytes = 8;
  if (Array.isArray(v)) for (const x of v) bytes += valueBytes(x);
  else for (const [k, x] of Object.entries(v as object)) bytes += k.length + valueBytes(x);
  return bytes;
}

function isTyped(f: FieldSchema): boolean {
  return f.dataType !== 'VarChar' && f.dataType !== 'JSON' && f.dataType !== 'Array';
}

function grow<T extends BigInt64Array | Int32Array>(old: T, fresh: T): T {
  (fresh as BigInt64Array).set(old as BigInt64Array);
  return fresh;
}

function copyInto(dst: Typed, src: Typed, at: number, len: number): void {
  // Same element type by construction (both from allocColumn for the same field), except Float/Double
  // and small ints, which rowsToBatch also allocates with allocColumn.
  (dst as Float32Array).set((src as Float32Array).subarray(0, len), at);
}
