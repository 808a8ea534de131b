import { decode, encode, ErrorCode, ShoalError } from '@shoal/actors';
import type { ColumnBatch, PrimaryKey } from '../schema/types.ts';

/**
 * A shard write-ahead-log record: one write batch, applied atomically. The payload is msgpackr
 * (`@shoal/actors` codec: typed arrays and bigints round-trip exactly, so a batch's validity
 * bitmaps (`valid`), its Array columns (Int64 elements `bigint`) and its `$meta` objects are
 * replayed as they were written).
 * - `insert`: rows (every field filled, primary keys included) into one partition at `ts`.
 * - `upsert`: deletes the live rows with the batch's primary keys, then inserts the batch, at `ts`.
 * - `delete`: deletes the live rows with these primary keys at `ts`.
 * - `dropPartition`: deletes every live row of a partition at `ts`.
 */
export type WalRecord =
  | { op: 'insert'; ts: bigint; partitionId: number; batch: ColumnBatch }
  | { op: 'upsert'; ts: bigint; partitionId: number; batch: ColumnBatch }
  | { op: 'delete'; ts: bigint; pks: PrimaryKey[] }
  | { op: 'dropPartition'; ts: bigint; partitionId: number };

/** Encodes a record for the log. */
export function encodeRecord(r: WalRecord): Uint8Array {
  return encode(r);
}

/**
 * Decodes a log record.
 * @throws ShoalError IoFailed if the payload is not a record (the log's CRC passed, so this means a version mismatch or a bug).
 */
export function decodeRecord(payload: Uint8Array, lsn: bigint): WalRecord {
  const r = decode(payload) as WalRecord;
  if (!r || typeof r !== 'object' || !['insert', 'upsert', 'delete', 'dropPartition'].includes((r as { op: string }).op)) {
    throw new ShoalError(ErrorCode.IoFailed, `write-ahead log record ${lsn} is not a Shoal shard record`);
  }
  return r;
}
