import { ErrorCode, ShoalError, invalidParameter } from '@shoal/actors';
import type { Env, WriteAheadLog } from '@shoal/actors';
import type { IndexBuilder, IndexSpec } from '@shoal/ann';
import { primaryField, vectorField } from '../schema/build.ts';
import type { CollectionSchema, ColumnBatch, PrimaryKey } from '../schema/types.ts';
import { GrowingSegment } from '../segment/growing.ts';
import { SealedSegment } from '../segment/sealed.ts';
import type { Segment } from '../segment/segment.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import { queryRows, queryRowsAfter, countRows } from '../read/query.ts';
import type { RowRef } from '../read/query.ts';
import { searchSegments } from '../read/search.ts';
import type { RowHit, SearchPlan } from '../read/search.ts';
import { searchSegmentsGrouped } from '../read/grouping.ts';
import type { GroupBy, GroupedRowHit } from '../read/grouping.ts';
import type { GroupedPart } from '../read/group-merge.ts';
import type { ReadScope } from '../read/snapshot.ts';
import { PrimaryKeyIndex } from './pk-index.ts';
import { encodeRecord } from './wal-record.ts';
import type { WalRecord } from './wal-record.ts';
import { DurabilityTracker } from './durability.ts';
import { SegmentIndexes } from './segment-indexes.ts';
import type { IndexProgress } from './segment-indexes.ts';
import type { VectorIndexProgress } from './vector-field-indexes.ts';
import type { ScalarIndexProgress, ScalarIndexSpec } from '../scalar-index/segment-builds.ts';
import { Checkpointer } from './checkpoint.ts';
import { segmentMemory } from './memory.ts';
import type { SegmentMemory } from './memory.ts';

/** Configuration of one shard replica. */
export interface ShardOptions {
  env: Env;
  store: ObjectStore;
  collectionId: bigint;
  shardNo: number;
  schema: CollectionSchema;
  /**
   * Directory of the shard's write-ahead log on `env.disk`: a one-voter Raft group (`<walDir>/wal/`,
   * `<walDir>/snap/`; see `openRaftWal`). Record-log files of earlier versions directly in it are migrated at open.
   */
  walDir: string;
  /** Size at which a log file rolls over to the next, in bytes (default 64 MiB; whole files are truncated). */
  walSegmentBytes?: number;
  /** A growing segment is sealed when it reaches this many bytes of row data (default 128 MiB). */
  segmentMaxBytes?: number;
  /** … or this many rows (default 1,000,000). */
  segmentMaxRows?: number;
  /** Where sealed segments' indexes are built (a worker pool in a real node). */
  indexBuilder: IndexBuilder;
  /** The index of the collection's first vector field (the only one in a single-vector collection), if one was created. */
  index: IndexSpec | null;
  /** Indexes of vector fields by field name (an entry for the first vector field wins over `index`). */
  vectorIndexes?: Record<string, IndexSpec>;
  /** Whether index files are kept loaded in memory (the collection is loaded). */
  loaded: boolean;
  /** The collection's scalar indexes (one per field; built on sealed segments, not persisted). */
  scalarIndexes?: ScalarIndexSpec[];
  /** Called with background failures (index builds, flushes) for logging. */
  onError?: (what: string, err: unknown) => void;
}

/** Default byte limit of a growing segment (128 MiB). */
export const DEFAULT_SEGMENT_MAX_BYTES = 128 * 1024 * 1024;
/** Default row limit of a growing segment. */
export const DEFAULT_SEGMENT_MAX_ROWS = 1_000_000;

/**
 * The data plane of one shard replica (DESIGN.md, "Data plane"): its write-ahead log, growing
 * and sealed segments, primary-key index, MVCC tombstones, background sealing, flushing and
 * index builds.
 *
 * Writes are applied in memory at once (so later writes see them) but become *serviceable*
 * only when the log record is fsync'd: reads wait for every write with a timestamp at or below
 * their guarantee timestamp to be durable, and read the MVCC snapshot at that timestamp. So a
 * read never sees a write that a crash could lose. A failed log write is fail-stop: the shard
 * refuses further writes and must be reopened (recovering from disk).
 *
 * Not thread-safe by design: the shard actor calls it one message at a time. Timestamps passed
 * to writes must increase.
 */
export class Shard {
  readonly schema: CollectionSchema;
  readonly opts: ShardOptions;
  private readonly pkName: string;
  private readonly pks = new PrimaryKeyIndex();
  /** Segments by id, oldest first; the last is the growing segment. */
  private readonly segments = new Map<number, Segment>();
  private growing: GrowingSegment;
  private nextSegmentNo: number;
  private readonly wal: WriteAheadLog;
  private readonly durability: DurabilityTracker;
  private readonly indexes: SegmentIndexes;
  private readonly checkpointer: Checkpointer;
  private failed: unknown = null;
  private lastTs = 0n;
  /** Bytes of log records written since the growing segment was last sealed. */
  private logBytesSinceSeal = 0;
  /** (lsn, ts) of the records applied since the last checkpoint, in log order (timestamps increase with LSN). */
  private recentTs: { lsn: bigint; ts: bigint }[] = [];
  /** Ids of the partitions dropped so far: writes into them are refused (partition ids are never reused). */
  private readonly droppedPartitions: Set<number>;

  /**
   * Use {@link openShard} (it recovers state); the constructor wires already-recovered parts.
   * `droppedPartitions`: the ids of partitions dropped before the checkpoint (from the checkpoint).
   */
  constructor(opts: ShardOptions, wal: WriteAheadLog, sealed: SealedSegment[], nextSegmentNo: number, checkpointLsn: bigint, droppedPartitions: readonly number[] = []) {
    this.opts = opts;
    this.droppedPartitions = new Set(droppedPartitions);
    this.schema = opts.schema;
    this.pkName = primaryField(opts.schema).name;
    this.wal = wal;
    this.nextSegmentNo = nextSegmentNo;
    for (const s of sealed) {
      this.segments.set(s.id, s);
      this.pks.addSegment(s, this.pkName);
    }
    this.growing = this.newGrowing();
    this.durability = new DurabilityTracker();
    this.indexes = new SegmentIndexes(opts, () => this.sealedSegments());
    this.checkpointer = new Checkpointer(opts, {
      sealedSegments: () => this.sealedSegments(),
      growing: () => this.growing,
      lastLsn: () => this.wal.lastLsn,
      waitDurable: (lsn) => this.durability.waitLsn(lsn),
      tombstoneLimit: (lsn) => this.tombstoneLimit(lsn),
      truncateLog: (lsn) => {
        this.recentTs = this.recentTs.filter((e) => e.lsn > lsn);
        return this.wal.truncateBefore(lsn);
      },
      nextSegmentNo: () => this.nextSegmentNo,
      droppedPartitions: () => [...this.droppedPartitions],
      onPersisted: (seg) => this.indexes.segmentPersisted(seg),
    }, checkpointLsn);
  }

  // ---------------------------------------------------------------- writes

  /**
   * Inserts a batch (primary keys filled in) into partition `partitionId` at timestamp `ts`.
   * Resolves when the batch is durable.
   * @throws ShoalError ParameterInvalid (synchronously, before anything is written) if a primary
   *   key already exists or repeats within the batch; PartitionNotFound if the partition was dropped.
   */
  insert(batch: ColumnBatch, ts: bigint, partitionId: number): Promise<void> {
    this.checkWritable(ts);
    this.checkPartition(partitionId);
    this.checkUnique(batch, false);
    return this.write({ op: 'insert', ts, partitionId, batch });
  }

  /**
   * Upserts a batch: rows whose primary key exists replace the old row (deleted at `ts`), others
   * are inserted. Resolves when durable.
   * @throws ShoalError ParameterInvalid if a primary key repeats within the batch; PartitionNotFound
   *   if the partition was dropped.
   */
  upsert(batch: ColumnBatch, ts: bigint, partitionId: number): Promise<void> {
    this.checkWritable(ts);
    this.checkPartition(partitionId);
    this.checkUnique(batch, true);
    return this.write({ op: 'upsert', ts, partitionId, batch });
  }

  /**
   * Deletes the live rows with these primary keys at `ts`. Resolves with the number of rows
   * deleted once durable.
   */
  async delete(pks: PrimaryKey[], ts: bigint): Promise<number> {
    this.checkWritable(ts);
    const live = [...new Set(pks)].filter((pk) => this.pks.get(pk) !== undefined);
    if (live.length === 0) {
      // Nothing to log, but the answer ("0 deleted") rests on earlier writes: acknowledge it only
      // once they are durable, or a crash could bring back a row this reply said was gone.
      this.lastTs = ts;
      await this.durability.waitLsn(this.wal.lastLsn);
      return 0;
    }
    await this.write({ op: 'delete', ts, pks: live });
    return live.length;
  }

  /** Deletes every live row of the latest state that passes `scope`'s filter/partitions, at `ts`. */
  deleteWhere(scope: Omit<ReadScope, 'readTs'>, ts: bigint): Promise<number> {
    const refs = queryRows(this.allSegments(), { ...scope, readTs: ts }, 0, undefined);
    return this.delete(refs.map((r) => this.primaryKeyOf(r)), ts);
  }

  /** Deletes every live row of partition `partitionId` at `ts` (dropping the partition). */
  async dropPartition(partitionId: number, ts: bigint): Promise<void> {
    this.checkWritable(ts);
    await this.write({ op: 'dropPartition', ts, partitionId });
  }

  /**
   * Applies a record to memory (used by writes and by log replay). Idempotent for deletes of
   * rows already deleted, so replaying records already reflected in a checkpoint is harmless.
   */
  applyRecord(r: WalRecord, lsn: bigint): void {
    switch (r.op) {
      case 'insert':
        this.appendRows(r.batch, r.ts, r.partitionId, lsn);
        break;
      case 'upsert':
        this.deleteKeys(batchKeys(r.batch, this.pkName), r.ts);
        this.appendRows(r.batch, r.ts, r.partitionId, lsn);
        break;
      case 'delete':
        this.deleteKeys(r.pks, r.ts);
        break;
      case 'dropPartition': {
        this.droppedPartitions.add(r.partitionId);
        const victims = queryRows(this.allSegments(), { readTs: r.ts, partitions: new Set([r.partitionId]) }, 0, undefined);
        this.deleteKeys(victims.map((v) => this.primaryKeyOf(v)), r.ts);
        break;
      }
    }
    if (r.ts > this.lastTs) this.lastTs = r.ts;
    this.recentTs.push({ lsn, ts: r.ts });
  }

  /**
   * The largest delete timestamp that belongs to a record at or before log position `lsn`: just
   * below the timestamp of the first record after it (timestamps increase with LSN).
   */
  private tombstoneLimit(lsn: bigint): bigint {
    const next = this.recentTs.find((e) => e.lsn > lsn);
    return next ? next.ts - 1n : BigInt.asIntN(64, (1n << 63n) - 1n);
  }

  private write(r: WalRecord): Promise<void> {
    const payload = encodeRecord(r);
    const before = this.wal.lastLsn;
    const appended = this.wal.append(payload);
    const lsn = this.wal.lastLsn;
    // Refused without a log position (too large, or the log is closed or failed): nothing to apply.
    if (lsn === before) return appended.then(() => undefined);
    this.applyRecord(r, lsn);
    const done = this.durability.track(r.ts, lsn, appended).catch((err: unknown) => {
      this.failed ??= err;
      throw err;
    });
    this.logBytesSinceSeal += payload.length;
    this.maybeSeal();
    return done;
  }

  private appendRows(batch: ColumnBatch, ts: bigint, partitionId: number, lsn: bigint): void {
    const start = this.growing.append(batch, ts, partitionId, lsn);
    const keys = batch.columns[this.pkName] as ArrayLike<PrimaryKey>;
    for (let i = 0; i < batch.numRows; i++) this.pks.set(keys[i], { segmentId: this.growing.id, offset: start + i });
  }

  private deleteKeys(keys: ArrayLike<PrimaryKey>, ts: bigint): void {
    for (let i = 0; i < keys.length; i++) {
      const loc = this.pks.get(keys[i]);
      if (!loc) continue;
      const seg = this.segments.get(loc.segmentId)!;
      if (seg.deleteTs[loc.offset] === 0n) {
        seg.deleteTs[loc.offset] = ts;
        seg.deletedRows++;
      }
      this.pks.delete(keys[i]);
      this.checkpointer.markDeletesDirty(seg.id);
    }
  }

  private checkWritable(ts: bigint): void {
    if (this.failed) throw new ShoalError(ErrorCode.IoFailed, `shard ${this.opts.shardNo} of collection "${this.schema.name}" stopped after a write-ahead log failure: ${String(this.failed)}`);
    if (ts <= this.lastTs) throw new ShoalError(ErrorCode.ServiceInternal, `write timestamp ${ts} is not after the shard's last timestamp ${this.lastTs}`);
  }

  private checkPartition(partitionId: number): void {
    if (this.droppedPartitions.has(partitionId)) {
      throw new ShoalError(ErrorCode.PartitionNotFound, `partition ${partitionId} of collection "${this.schema.name}" was dropped; no rows can be written into it`);
    }
  }

  private checkUnique(batch: ColumnBatch, upsert: boolean): void {
    const keys = batch.columns[this.pkName] as ArrayLike<PrimaryKey>;
    const seen = new Set<PrimaryKey>();
    for (let i = 0; i < batch.numRows; i++) {
      const k = keys[i];
      if (seen.has(k)) throw invalidParameter(`duplicate primary key ${String(k)} in the batch (rows must have distinct "${this.pkName}")`);
      seen.add(k);
      if (!upsert && this.pks.get(k) !== undefined) {
        throw invalidParameter(`primary key ${String(k)} already exists in collection "${this.schema.name}"; use upsert to replace the row`);
      }
    }
  }

  // ---------------------------------------------------------------- reads

  /** Resolves when every write with a timestamp ≤ `ts` is durable (the shard can serve reads at `ts`). */
  waitServiceable(ts: bigint): Promise<void> {
    return this.durability.waitTs(ts);
  }

  /** The newest timestamp a read may use now: `nowTs`, or just below the oldest write not yet durable. */
  serviceableTs(nowTs: bigint): bigint {
    return this.durability.serviceableTs(nowTs);
  }

  /** The newest timestamp written so far (0n if none). */
  get lastTimestamp(): bigint { return this.lastTs; }

  /** Vector search in the snapshot of `plan.readTs`; call after {@link waitServiceable}. */
  search(plan: Omit<SearchPlan, 'vectorField'> & { vectorField: SearchPlan['vectorField'] }): RowHit[][] {
    return searchSegments(this.allSegments(), plan);
  }

  /** Grouping search in the snapshot of `plan.readTs` (see {@link searchSegmentsGrouped}); call after {@link waitServiceable}. */
  searchGrouped(plan: SearchPlan, groupBy: GroupBy): GroupedPart<GroupedRowHit>[] {
    return searchSegmentsGrouped(this.allSegments(), plan, groupBy);
  }

  /** Query rows in a snapshot (see {@link queryRows}). */
  query(scope: ReadScope, offset: number, limit: number | undefined): RowRef[] {
    return queryRows(this.allSegments(), scope, offset, limit);
  }

  /**
   * A primary-key-ordered page in a snapshot: the `limit` smallest keys greater than `after` among
   * the rows `scope` sees, ascending (see {@link queryRowsAfter}; the query iterator's step).
   */
  queryAfter(scope: ReadScope, after: PrimaryKey | undefined, limit: number): RowRef[] {
    return queryRowsAfter(this.allSegments(), scope, this.pkName, after, limit);
  }

  /** `count(*)` in a snapshot. */
  count(scope: ReadScope): number {
    return countRows(this.allSegments(), scope);
  }

  /** Number of live rows in the latest state. */
  get rowCount(): number { return this.pks.size; }

  /** The primary key of a row. */
  primaryKeyOf(ref: RowRef): PrimaryKey {
    return (ref.segment.column(this.pkName) as ArrayLike<PrimaryKey>)[ref.offset];
  }

  // ---------------------------------------------------------------- maintenance

  /** Seals the growing segment (if it has rows), persists every sealed segment and checkpoints. */
  async flush(): Promise<void> {
    this.seal();
    await this.checkpointer.checkpoint();
  }

  /**
   * Sets or clears the index of vector field `fieldName` (default: the first vector field): builds
   * or drops segment indexes in the background.
   * @throws ShoalError ParameterInvalid if `fieldName` is not a vector field.
   */
  setIndex(spec: IndexSpec | null, fieldName?: string): Promise<void> {
    const work = this.indexes.setSpec(spec, fieldName);
    this.opts.vectorIndexes = this.indexes.specs();
    this.opts.index = this.opts.vectorIndexes[vectorField(this.schema).name] ?? null;
    return work;
  }

  /** Sets the collection's scalar indexes: builds missing ones on sealed segments and drops undeclared ones, in the background. */
  setScalarIndexes(specs: ScalarIndexSpec[]): Promise<void> {
    this.opts.scalarIndexes = specs;
    return this.indexes.scalar.set(specs);
  }

  /** Build progress of each scalar index over the sealed segments. */
  scalarIndexProgress(): ScalarIndexProgress[] {
    return this.indexes.scalar.progress();
  }

  /** Loads index files into memory (`load`) or drops them from memory (`release`). */
  setLoaded(loaded: boolean): Promise<void> {
    this.opts.loaded = loaded;
    return this.indexes.loadedChanged();
  }

  /** Index progress over sealed segments (rows with an index built, loaded, all); see `SegmentIndexes.progress`. */
  indexProgress(): IndexProgress {
    return this.indexes.progress();
  }

  /** Index progress of each vector field over sealed segments, in field order. */
  vectorIndexProgress(): VectorIndexProgress[] {
    return this.indexes.fieldProgress();
  }

  /** Memory of each segment that has rows, oldest first (the growing one last); see {@link SegmentMemory}. */
  memory(): SegmentMemory[] {
    return this.allSegments().filter((s) => s.numRows > 0).map(segmentMemory);
  }

  /**
   * After opening: notes which sealed segments already have index files and, if the collection
   * is loaded, loads them (awaited); indexes still missing are built in the background.
   */
  async restoreIndexes(): Promise<void> {
    await this.indexes.scanBuilt();
    await this.indexes.loadBuilt();
    this.indexes.reapply().catch((err: unknown) => this.opts.onError?.('index work after opening', err));
  }

  /** Waits for background index work (builds, loads) to settle. */
  indexesIdle(): Promise<void> { return this.indexes.idle(); }

  /** Stops background work and closes the log. Pending writes are awaited. */
  async close(): Promise<void> {
    await this.durability.drain();
    await this.checkpointer.idle();
    await this.indexes.close();
    await this.wal.close();
  }

  /**
   * Seals the growing segment and checkpoints when it reaches the row or byte limit, or when the
   * log written since the last seal passes the byte limit (a delete-heavy workload adds log records
   * without growing a segment: this bounds the log to replay and lets it be truncated).
   */
  private maybeSeal(): void {
    const g = this.growing;
    const maxRows = this.opts.segmentMaxRows ?? DEFAULT_SEGMENT_MAX_ROWS;
    const maxBytes = this.opts.segmentMaxBytes ?? DEFAULT_SEGMENT_MAX_BYTES;
    if (g.numRows >= maxRows || g.estimatedBytes() >= maxBytes || this.logBytesSinceSeal >= maxBytes) {
      this.logBytesSinceSeal = 0;
      this.seal();
      this.checkpointer.checkpoint().catch((err: unknown) => this.opts.onError?.('background flush', err));
    }
  }


  private seal(): void {
    if (this.growing.numRows === 0) return;
    const sealed = SealedSegment.fromGrowing(this.growing);
    this.segments.set(sealed.id, sealed);
    this.growing = this.newGrowing();
  }

  private newGrowing(): GrowingSegment {
    const id = this.opts.shardNo * 2 ** 32 + this.nextSegmentNo++;
    const g = new GrowingSegment(id, this.schema);
    this.segments.set(id, g);
    return g;
  }

  private allSegments(): Segment[] {
    return [...this.segments.values()];
  }

  private sealedSegments(): SealedSegment[] {
    return this.allSegments().filter((s): s is SealedSegment => s.sealed);
  }
}

function batchKeys(batch: ColumnBatch, pkName: string): ArrayLike<PrimaryKey> {
  return batch.columns[pkName] as ArrayLike<PrimaryKey>;
}
