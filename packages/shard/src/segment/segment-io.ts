import { ErrorCode, ShoalError } from '@shoal/actors';
import type { ObjectStore } from '../storage/object-store.ts';
import { decodeColumn, encodeColumn } from '../storage/column-codec.ts';
import type { CollectionSchema, Column } from '../schema/types.ts';
import { DYNAMIC_FIELD } from '../schema/types.ts';
import { SealedSegment } from './sealed.ts';

/**
 * Object-store layout of a sealed segment (DESIGN.md, "Data plane"):
 * `collections/<cid>/segments/<sid>/{manifest.json, fields/<fid>.bin, deletes.bin, index/<fid>}`.
 * System columns use Milvus's reserved field id 1 (Timestamp) and Shoal's 2 (partition id); the
 * dynamic field `$meta` (a JSON column) Shoal's 3. A nullable field's validity bitmap is
 * `fields/<fid>.valid` (a Bool column: one byte per row, 1 = value, 0 = null).
 */
export const TS_FIELD_ID = 1;
/** Reserved field id of the partition-id column. */
export const PARTITION_FIELD_ID = 2;
/** Reserved field id of the dynamic field's column `$meta`. */
export const DYNAMIC_FIELD_ID = 3;
const FORMAT_VERSION = 1;

/** Object-key prefix of a segment. */
export function segmentPrefix(collectionId: bigint, segmentId: number): string {
  return `collections/${collectionId}/segments/${segmentId}/`;
}

/** Object key of a segment's index file for field `fieldId`. */
export function indexKey(collectionId: bigint, segmentId: number, fieldId: number): string {
  return `${segmentPrefix(collectionId, segmentId)}index/${fieldId}`;
}

interface Manifest {
  formatVersion: number;
  segmentId: number;
  numRows: number;
  minLsn: string;
  maxLsn: string;
  fieldIds: number[];
  /** Ids of the fields with a validity file (nullable fields); absent when none. */
  validFieldIds?: number[];
  /** True when the segment has the `$meta` column (file {@link DYNAMIC_FIELD_ID}). */
  dynamicField?: boolean;
}

const json = new TextEncoder();
const text = new TextDecoder();

/**
 * Writes a sealed segment's immutable files (columns, manifest last) to the object store.
 * The manifest is written after every field file, so a segment whose manifest exists is complete.
 * Whatever is under the segment's prefix already is removed first: a segment id not in the
 * checkpoint may have been used, before a crash, by a segment that was persisted (and indexed)
 * but never checkpointed, and its index file or tombstones must not be taken for this one's.
 */
export async function writeSegment(store: ObjectStore, collectionId: bigint, seg: SealedSegment): Promise<void> {
  const prefix = segmentPrefix(collectionId, seg.id);
  await store.deletePrefix(prefix);
  const d = seg.data();
  const puts: Promise<void>[] = [];
  for (const f of d.schema.fields) {
    puts.push(store.put(`${prefix}fields/${f.fieldId}.bin`, encodeColumn(f.dataType, d.columns[f.name], d.numRows)));
    if (f.nullable) puts.push(store.put(`${prefix}fields/${f.fieldId}.valid`, encodeColumn('Bool', d.valid[f.name], d.numRows)));
  }
  const dynamicField = d.schema.enableDynamicField;
  if (dynamicField) puts.push(store.put(`${prefix}fields/${DYNAMIC_FIELD_ID}.bin`, encodeColumn('JSON', d.columns[DYNAMIC_FIELD], d.numRows)));
  puts.push(store.put(`${prefix}fields/${TS_FIELD_ID}.bin`, encodeColumn('Int64', d.ts, d.numRows)));
  puts.push(store.put(`${prefix}fields/${PARTITION_FIELD_ID}.bin`, encodeColumn('Int32', d.partition, d.numRows)));
  await Promise.all(puts);
  const manifest: Manifest = {
    formatVersion: FORMAT_VERSION, segmentId: seg.id, numRows: d.numRows,
    minLsn: String(d.minLsn), maxLsn: String(d.maxLsn), fieldIds: d.schema.fields.map((f) => f.fieldId),
  };
  const validFieldIds = d.schema.fields.filter((f) => f.nullable).map((f) => f.fieldId);
  if (validFieldIds.length > 0) manifest.validFieldIds = validFieldIds;
  if (dynamicField) manifest.dynamicField = true;
  await store.put(`${prefix}manifest.json`, json.encode(JSON.stringify(manifest)));
}

/**
 * Writes a segment's tombstones: `deletes.bin` holds the delete timestamps of its rows
 * (Int64 column, 0 = live), replaced whole at each checkpoint.
 */
export async function writeDeletes(store: ObjectStore, collectionId: bigint, segmentId: number, deleteTs: BigInt64Array): Promise<void> {
  await store.put(`${segmentPrefix(collectionId, segmentId)}deletes.bin`, encodeColumn('Int64', deleteTs, deleteTs.length));
}

/**
 * Reads a sealed segment back (every file checksum-verified by the store). Its tombstones come
 * from `deletes.bin` when present.
 * @throws ShoalError IoFailed if a file is missing, corrupt, or does not match the schema.
 */
export async function readSegment(store: ObjectStore, collectionId: bigint, segmentId: number, schema: CollectionSchema): Promise<SealedSegment> {
  const prefix = segmentPrefix(collectionId, segmentId);
  const manifest = JSON.parse(text.decode(await store.get(`${prefix}manifest.json`))) as Manifest;
  if (manifest.formatVersion !== FORMAT_VERSION) {
    throw new ShoalError(ErrorCode.IoFailed, `segment ${segmentId}: unsupported format version ${manifest.formatVersion} (this Shoal reads ${FORMAT_VERSION})`);
  }
  const n = manifest.numRows;
  const columns: Record<string, Column> = {};
  const valid: Record<string, Uint8Array> = {};
  await Promise.all(schema.fields.map(async (f) => {
    columns[f.name] = decodeColumn(f.dataType, await store.get(`${prefix}fields/${f.fieldId}.bin`), n, f.dim, f.elementType);
    if (!f.nullable) return;
    if (!manifest.validFieldIds?.includes(f.fieldId)) {
      throw new ShoalError(ErrorCode.IoFailed, `segment ${segmentId}: nullable field "${f.name}" has no validity file`);
    }
    valid[f.name] = decodeColumn('Bool', await store.get(`${prefix}fields/${f.fieldId}.valid`), n) as Uint8Array;
  }));
  if (schema.enableDynamicField) {
    if (manifest.dynamicField !== true) throw new ShoalError(ErrorCode.IoFailed, `segment ${segmentId}: the collection has the dynamic field but the segment has no ${DYNAMIC_FIELD} column`);
    const meta = decodeColumn('JSON', await store.get(`${prefix}fields/${DYNAMIC_FIELD_ID}.bin`), n) as unknown[];
    meta.forEach((v, i) => {
      if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new ShoalError(ErrorCode.IoFailed, `segment ${segmentId}: ${DYNAMIC_FIELD} row ${i} is not an object`);
    });
    columns[DYNAMIC_FIELD] = meta;
  }
  const ts = decodeColumn('Int64', await store.get(`${prefix}fields/${TS_FIELD_ID}.bin`), n) as BigInt64Array;
  const partition = decodeColumn('Int32', await store.get(`${prefix}fields/${PARTITION_FIELD_ID}.bin`), n) as Int32Array;
  const deletesKey = `${prefix}deletes.bin`;
  const deleteTs = (await store.exists(deletesKey))
    ? (decodeColumn('Int64', await store.get(deletesKey), n) as BigInt64Array).slice()
    : new BigInt64Array(n);
  return new SealedSegment({
    id: segmentId, schema, numRows: n, columns, valid, ts, deleteTs, partition,
    minLsn: BigInt(manifest.minLsn), maxLsn: BigInt(manifest.maxLsn),
  }, true);
}
