import type { VectorIndex } from '@shoal/ann';
import type { CollectionSchema, Column } from '../schema/types.ts';
import { DYNAMIC_FIELD } from '../schema/types.ts';
import type { GrowingSegment } from './growing.ts';
import type { Segment } from './segment.ts';
import type { ScalarIndex } from '../scalar-index/types.ts';

/** The immutable parts of a sealed segment, as persisted in the object store. */
export interface SealedSegmentData {
  id: number;
  schema: CollectionSchema;
  numRows: number;
  /** Every field's column, and `$meta` when the dynamic field is enabled. */
  columns: Record<string, Column>;
  /** Validity bitmap of every nullable field, `numRows` long (1 = value, 0 = null). */
  valid: Record<string, Uint8Array>;
  ts: BigInt64Array;
  deleteTs: BigInt64Array;
  partition: Int32Array;
  minLsn: bigint;
  maxLsn: bigint;
}

/**
 * A sealed segment (Milvus's "sealed segment"): immutable rows, flushed to the object store,
 * indexed in the background. Only `deleteTs` (tombstones) and the loaded `vectorIndexes` change.
 */
export class SealedSegment implements Segment {
  readonly sealed = true;
  readonly id: number;
  readonly schema: CollectionSchema;
  readonly numRows: number;
  readonly ts: BigInt64Array;
  readonly deleteTs: BigInt64Array;
  readonly partition: Int32Array;
  readonly minLsn: bigint;
  readonly maxLsn: bigint;
  readonly maxTs: bigint;
  deletedRows: number;
  /** True once its files are in the object store. */
  persisted: boolean;
  readonly vectorIndexes = new Map<string, VectorIndex>();
  readonly scalarIndexes = new Map<string, ScalarIndex>();
  private readonly columns: Record<string, Column>;
  private readonly validity: Record<string, Uint8Array>;

  /** Wraps persisted or freshly sealed data; `persisted` says whether it is in the object store. */
  constructor(data: SealedSegmentData, persisted: boolean) {
    this.id = data.id;
    this.schema = data.schema;
    this.numRows = data.numRows;
    this.columns = data.columns;
    this.validity = data.valid;
    this.ts = data.ts;
    this.deleteTs = data.deleteTs;
    this.partition = data.partition;
    this.minLsn = data.minLsn;
    this.maxLsn = data.maxLsn;
    this.persisted = persisted;
    let maxTs = 0n;
    for (let i = 0; i < data.numRows; i++) if (data.ts[i] > maxTs) maxTs = data.ts[i];
    this.maxTs = maxTs;
    let deleted = 0;
    for (let i = 0; i < data.numRows; i++) if (data.deleteTs[i] !== 0n) deleted++;
    this.deletedRows = deleted;
  }

  /** Seals a growing segment: copies its rows (columns, validity bitmaps, `$meta`) into exact-length arrays. */
  static fromGrowing(g: GrowingSegment): SealedSegment {
    const columns: Record<string, Column> = {};
    const valid: Record<string, Uint8Array> = {};
    for (const f of g.schema.fields) {
      const c = g.column(f.name);
      columns[f.name] = Array.isArray(c) ? c.slice() : (c as Float32Array).slice();
      if (f.nullable) valid[f.name] = g.valid(f.name)!.slice();
    }
    if (g.schema.enableDynamicField) columns[DYNAMIC_FIELD] = (g.column(DYNAMIC_FIELD) as unknown[]).slice();
    return new SealedSegment({
      id: g.id, schema: g.schema, numRows: g.numRows, columns, valid,
      ts: g.ts.slice(), deleteTs: g.deleteTs.slice(), partition: g.partition.slice(),
      minLsn: g.minLsn, maxLsn: g.maxLsn,
    }, false);
  }

  /** Column of `fieldName` (or `$meta`), exactly `numRows` long. */
  column(fieldName: string): Column {
    return this.columns[fieldName];
  }

  /** Validity bitmap of a nullable field, `numRows` long (see `Segment.valid`); `undefined` for other fields. */
  valid(fieldName: string): Uint8Array | undefined {
    return this.validity[fieldName];
  }

  /** The immutable data, for persisting. */
  data(): SealedSegmentData {
    return { id: this.id, schema: this.schema, numRows: this.numRows, columns: this.columns, valid: this.validity, ts: this.ts,
      deleteTs: this.deleteTs, partition: this.partition, minLsn: this.minLsn, maxLsn: this.maxLsn };
  }
}
