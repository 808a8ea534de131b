import type { IndexType } from '@shoal/ann';
import { vectorFields } from '../schema/build.ts';
import { DYNAMIC_FIELD } from '../schema/types.ts';
import { GrowingSegment, valueBytes } from '../segment/growing.ts';
import type { Segment } from '../segment/segment.ts';
import type { ScalarIndexType } from '../scalar-index/types.ts';

/**
 * The memory one segment of a shard holds, in bytes (issue 3: "each index reports its memory in
 * bytes, exposed per segment and per collection"). Reported by `Shard.memory()`, summed by
 * `collections/get_stats`.
 */
export interface SegmentMemory {
  /** Segment id (`shardNo × 2³² + n`, a safe integer). */
  segmentId: number;
  /** `Growing`: in memory, taking rows, searched by brute force; `Sealed`: immutable, indexed in the background. */
  state: 'Growing' | 'Sealed';
  /** Rows stored in the segment, deleted ones included (they stay until compaction). */
  rows: number;
  /** Rows of `rows` that are deleted. */
  deletedRows: number;
  /** Ids of the partitions that have rows in the segment, ascending. */
  partitionIds: number[];
  /**
   * Bytes of the row data: every field's column plus the system columns (insert and delete
   * timestamps, 8 bytes each per row; partition id, 4). Fixed-width columns and validity bitmaps
   * (1 byte per row of a nullable field) exactly; VarChar, JSON, Array and `$meta` values
   * estimated by content (1 per UTF-16 code unit of a string or object key, 8 per number and per
   * container entry) plus 32 per value — the rule of
   * `GrowingSegment.estimatedBytes`, so a segment keeps its size when it is sealed.
   */
  rawBytes: number;
  /** Bytes of `rawBytes` in the vector columns (per field `rows × dim × 4` for FloatVector, `rows × dim / 8` for BinaryVector). */
  rawVectorBytes: number;
  /**
   * Type of the first ANN index (in field order) loaded in memory for the segment; `null` when none
   * is (growing, too small to index, released, not built yet).
   */
  indexType: IndexType | null;
  /** Sum of `VectorIndex.memoryBytes()` of the loaded indexes (0 when none): what they hold besides the raw vectors. */
  indexBytes: number;
  /** Each loaded vector index, by vector field, in field order (empty when none is loaded). */
  vectorIndexes: { fieldName: string; indexType: IndexType; indexBytes: number }[];
  /** Sum of `ScalarIndex.memoryBytes()` of the segment's scalar indexes (0 when none; sealed segments only). */
  scalarIndexBytes: number;
  /** Each scalar index of the segment, by field, in field order. */
  scalarIndexes: { fieldName: string; indexType: ScalarIndexType; indexBytes: number }[];
}

/** What does not change once a segment is sealed: its data size and partitions. */
interface Fixed { rawBytes: number; partitionIds: number[] }

/** Sealed segments' fixed figures, computed once (their rows are immutable). */
const sealedFixed = new WeakMap<Segment, Fixed>();

/** The memory of one segment (see {@link SegmentMemory}); O(rows) for a growing one, O(1) for a sealed one after its first call. */
export function segmentMemory(seg: Segment): SegmentMemory {
  const fixed = seg instanceof GrowingSegment
    ? { rawBytes: seg.estimatedBytes(), partitionIds: distinct(seg.partition) }
    : cachedFixed(seg);
  const fields = vectorFields(seg.schema);
  const rawVectorBytes = fields.reduce((a, f) => a + (seg.column(f.name) as ArrayBufferView).byteLength, 0);
  const vectorIndexes = fields.flatMap((f) => {
    const index = seg.vectorIndexes.get(f.name);
    return index ? [{ fieldName: f.name, indexType: index.spec.type, indexBytes: index.memoryBytes() }] : [];
  });
  const scalarIndexes = seg.schema.fields.flatMap((f) => {
    const index = seg.scalarIndexes.get(f.name);
    return index ? [{ fieldName: f.name, indexType: index.type, indexBytes: index.memoryBytes() }] : [];
  });
  return {
    segmentId: seg.id,
    state: seg.sealed ? 'Sealed' : 'Growing',
    rows: seg.numRows,
    deletedRows: seg.deletedRows,
    partitionIds: fixed.partitionIds,
    rawBytes: fixed.rawBytes,
    rawVectorBytes,
    indexType: vectorIndexes[0]?.indexType ?? null,
    indexBytes: vectorIndexes.reduce((a, v) => a + v.indexBytes, 0),
    vectorIndexes,
    scalarIndexBytes: scalarIndexes.reduce((a, v) => a + v.indexBytes, 0),
    scalarIndexes,
  };
}

function cachedFixed(seg: Segment): Fixed {
  let f = sealedFixed.get(seg);
  if (!f) {
    f = { rawBytes: dataBytes(seg), partitionIds: distinct(seg.partition) };
    sealedFixed.set(seg, f);
  }
  return f;
}

/** Row-data bytes by the rule documented on {@link SegmentMemory.rawBytes}. */
function dataBytes(seg: Segment): number {
  let bytes = seg.numRows * 20;
  const names = seg.schema.fields.map((f) => f.name);
  if (seg.schema.enableDynamicField) names.push(DYNAMIC_FIELD);
  for (const name of names) {
    const c = seg.column(name);
    if (Array.isArray(c)) {
      bytes += c.length * 32;
      for (const v of c) bytes += valueBytes(v);
    } else {
      bytes += (c as ArrayBufferView).byteLength;
    }
    bytes += seg.valid(name)?.byteLength ?? 0;
  }
  return bytes;
}

function distinct(ids: Int32Array): number[] {
  const seen = new Set<number>();
  for (let i = 0; i < ids.length; i++) seen.add(ids[i]);
  return [...seen].sort((a, b) => a - b);
}
