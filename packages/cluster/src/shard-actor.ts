import { deferReply } from '@shoal/actors';
import type { Actor, ActorContext } from '@shoal/actors';
import type { IndexBuilder, IndexSearchParams, IndexSpec, MetricType } from '@shoal/ann';
import { compileFilter, fieldByName, groupingField, openShard, outputRow } from '@shoal/shard';
import type {
  ColumnBatch, CollectionSchema, GroupValue, ObjectStore, PrimaryKey, ReadScope, RowHit, RowRef, ScalarIndexProgress, ScalarIndexSpec, SegmentMemory, Shard, VectorIndexProgress,
} from '@shoal/shard';
import { COORD_PATH } from './coordinator.ts';
import type { Row, SearchHit } from './service.ts';

/** Actor path of shard `shardNo` of collection `collectionId` (DESIGN.md, "Actors"). */
export function shardPath(collectionId: number, shardNo: number): string {
  return `shard/${collectionId}/${shardNo}`;
}

/** The snapshot a read asks for: fresh time, guarantee timestamp, partitions, filter. */
export interface ReadParams {
  /** A fresh TSO timestamp (upper bound of the snapshot). */
  nowTs: bigint;
  /** Wait until every write at or below it is serviceable. */
  guaranteeTs: bigint;
  /** Partition ids, all when absent. */
  partitions?: number[];
  /** Milvus filter expression ('' = all rows). */
  filter: string;
  /** Values of the filter's template placeholders `{name}` (Milvus `exprParams`). */
  filterParams?: Record<string, unknown>;
  /**
   * Read exactly at this MVCC timestamp (the query iterator's snapshot) once it is serviceable,
   * instead of at `min(nowTs, serviceable timestamp)`.
   */
  snapshotTs?: bigint;
  /** Primary keys to restrict to (entities/get). */
  ids?: PrimaryKey[];
  outputFields: string[];
}

/** Messages of a shard actor. Replies in brackets. */
export type ShardMsg =
  | { t: 'write'; op: 'insert' | 'upsert'; batch: ColumnBatch; partitionId: number } // [{ ts }]
  | { t: 'delete'; pks: PrimaryKey[] } // [{ ts, count }]
  | { t: 'deleteWhere'; filter: string; filterParams?: Record<string, unknown>; partitions?: number[] } // [{ ts, count }]
  | { t: 'dropPartition'; partitionId: number } // [{ ts }]
  | { t: 'search'; read: ReadParams; annsField: string; queries: Float32Array | Uint8Array; nq: number; topk: number; metric: MetricType; params: IndexSearchParams } // [SearchHit[][]]
  | { t: 'searchGrouped'; read: ReadParams; annsField: string; queries: Float32Array | Uint8Array; nq: number; topk: number; metric: MetricType; params: IndexSearchParams; groupingField: string; groupSize: number; strict: boolean; only?: GroupValue[] } // [GroupedPart<SearchHit>[]]
  | { t: 'query'; read: ReadParams; offset: number; limit?: number } // [Row[]]
  | { t: 'queryAfter'; read: ReadParams; after?: PrimaryKey; limit: number } // [Row[]], ascending primary keys
  | { t: 'count'; read: ReadParams } // [number]
  | { t: 'flush' } // [void]
  | { t: 'setIndex'; fieldName: string; spec: IndexSpec | null } // [void], builds continue in the background
  | { t: 'setScalarIndexes'; specs: ScalarIndexSpec[] } // [void], builds continue in the background
  | { t: 'setLoaded'; loaded: boolean } // [void] once index files are loaded/dropped
  | { t: 'stats'; memory?: boolean }; // [ShardStats]

/**
 * A shard replica's `stats` reply: live rows, index progress in rows (see `Shard.indexProgress`),
 * and, when asked with `memory: true`, each segment's memory (see `Shard.memory`).
 */
export interface ShardStats {
  rowCount: number;
  indexedRows: number;
  loadedRows: number;
  totalRows: number;
  failReason: string;
  /** Build progress of each scalar index (see `Shard.scalarIndexProgress`). */
  scalarIndexes?: ScalarIndexProgress[];
  /** Build and load progress of each vector field's index (see `Shard.vectorIndexProgress`). */
  vectorIndexes?: VectorIndexProgress[];
  memory?: SegmentMemory[];
}

/** What a shard actor is created with. */
export interface ShardActorOptions {
  collectionId: number;
  shardNo: number;
  schema: CollectionSchema;
  /** The collection's vector indexes by vector field name. */
  vectorIndexes: Record<string, IndexSpec>;
  /** The collection's scalar indexes. */
  scalarIndexes?: ScalarIndexSpec[];
  loaded: boolean;
  store: ObjectStore;
  indexBuilder: IndexBuilder;
  segmentMaxBytes?: number;
  segmentMaxRows?: number;
  onError?: (what: string, err: unknown) => void;
}

/**
 * The shard replica actor (DESIGN.md, "Actors"): owns one {@link Shard} and serialises its writes.
 * Writes take a timestamp from the coordinator's TSO in mailbox order, are applied at once and
 * answered (deferred) when durable, so the next writes share the fsync (group commit). Reads wait,
 * deferred, until their guarantee timestamp is serviceable, then read the MVCC snapshot at
 * `min(nowTs, serviceable timestamp)`.
 */
export class ShardActor implements Actor<ShardMsg> {
  private readonly o: ShardActorOptions;
  private shard!: Shard;
  private ctx!: ActorContext;

  /** @param opts see {@link ShardActorOptions}. */
  constructor(opts: ShardActorOptions) {
    this.o = opts;
  }

  /** Recovers the shard from the object store and its log. */
  async start(ctx: ActorContext): Promise<void> {
    this.ctx = ctx;
    const { collectionId, shardNo } = this.o;
    this.shard = await openShard({
      env: ctx.env, store: this.o.store, collectionId: BigInt(collectionId), shardNo, schema: this.o.schema,
      walDir: `wal/${collectionId}/${shardNo}`, indexBuilder: this.o.indexBuilder, index: null, vectorIndexes: this.o.vectorIndexes, loaded: this.o.loaded,
      scalarIndexes: this.o.scalarIndexes,
      segmentMaxBytes: this.o.segmentMaxBytes, segmentMaxRows: this.o.segmentMaxRows, onError: this.o.onError,
    });
  }

  /** Flushes nothing (sealed data is already persisted); waits for pending writes and closes the log. */
  async stop(): Promise<void> {
    await this.shard?.close();
  }

  /** Handles one message; see {@link ShardMsg}. */
  async receive(msg: ShardMsg): Promise<unknown> {
    const shard = this.shard;
    switch (msg.t) {
      case 'write': {
        const ts = await this.tso();
        const done = msg.op === 'insert' ? shard.insert(msg.batch, ts, msg.partitionId) : shard.upsert(msg.batch, ts, msg.partitionId);
        return deferReply(done.then(() => ({ ts })));
      }
      case 'delete': {
        const ts = await this.tso();
        return deferReply(shard.delete(msg.pks, ts).then((count) => ({ ts, count })));
      }
      case 'deleteWhere': {
        const ts = await this.tso();
        const filter = compileFilter(msg.filter, this.o.schema, msg.filterParams);
        const partitions = msg.partitions ? new Set(msg.partitions) : undefined;
        return deferReply(shard.deleteWhere({ filter, partitions }, ts).then((count) => ({ ts, count })));
      }
      case 'dropPartition': {
        const ts = await this.tso();
        return deferReply(shard.dropPartition(msg.partitionId, ts).then(() => ({ ts })));
      }
      case 'search':
        return deferReply(this.read(msg.read, (scope) => shard.search({
          ...scope, vectorField: fieldByName(this.o.schema, msg.annsField), queries: msg.queries, nq: msg.nq, topk: msg.topk, metric: msg.metric, params: msg.params,
        }).map((hits) => hits.map((h): SearchHit => ({ id: shard.primaryKeyOf(h), distance: h.score, fields: this.row(h, msg.read.outputFields) })))));
      case 'searchGrouped': {
        const groupBy = { field: groupingField(this.o.schema, msg.groupingField), groupSize: msg.groupSize, strict: msg.strict, only: msg.only && new Set(msg.only) };
        const hit = (h: RowHit): SearchHit => ({ id: shard.primaryKeyOf(h), distance: h.score, fields: this.row(h, msg.read.outputFields) });
        return deferReply(this.read(msg.read, (scope) => shard.searchGrouped({
          ...scope, vectorField: fieldByName(this.o.schema, msg.annsField), queries: msg.queries, nq: msg.nq, topk: msg.topk, metric: msg.metric, params: msg.params,
        }, groupBy).map((part) => ({ cutoff: part.cutoff, groups: part.groups.map((g) => g.map(hit)) }))));
      }
      case 'query':
        return deferReply(this.read(msg.read, (scope) => shard.query(scope, msg.offset, msg.limit).map((ref) => this.row(ref, msg.read.outputFields))));
      case 'queryAfter':
        return deferReply(this.read(msg.read, (scope) => shard.queryAfter(scope, msg.after, msg.limit).map((ref) => this.row(ref, msg.read.outputFields))));
      case 'count':
        return deferReply(this.read(msg.read, (scope) => shard.count(scope)));
      case 'flush':
        return deferReply(shard.flush());
      case 'setIndex':
        this.background(shard.setIndex(msg.spec, msg.fieldName));
        return undefined;
      case 'setScalarIndexes':
        this.background(shard.setScalarIndexes(msg.specs));
        return undefined;
      case 'setLoaded':
        this.background(shard.setLoaded(msg.loaded));
        return undefined;
      case 'stats': {
        const stats: ShardStats = { rowCount: shard.rowCount, ...shard.indexProgress(), scalarIndexes: shard.scalarIndexProgress(), vectorIndexes: shard.vectorIndexProgress() };
        if (msg.memory) stats.memory = shard.memory();
        return stats;
      }
    }
  }

  /** Index work runs in the background; its progress shows in `stats`, its failures in the log. */
  private background(work: Promise<void>): void {
    work.catch((err: unknown) => this.o.onError?.('index work', err));
  }

  private tso(): Promise<bigint> {
    return this.ctx.system.ask<bigint>({ node: this.ctx.self.node, path: COORD_PATH }, { t: 'tso' }, 10_000);
  }

  private async read<T>(p: ReadParams, fn: (scope: ReadScope) => T): Promise<T> {
    const scope: ReadScope = {
      readTs: 0n,
      partitions: p.partitions ? new Set(p.partitions) : undefined,
      filter: compileFilter(idsFilter(p, this.o.schema), this.o.schema, p.filterParams),
    };
    if (p.snapshotTs !== undefined) {
      await this.shard.waitServiceable(p.snapshotTs);
      scope.readTs = p.snapshotTs;
      return fn(scope);
    }
    await this.shard.waitServiceable(p.guaranteeTs);
    scope.readTs = this.shard.serviceableTs(p.nowTs);
    return fn(scope);
  }

  private row(ref: RowRef, outputFields: string[]): Row {
    return outputRow(this.o.schema, ref.segment, ref.offset, outputFields);
  }
}

/** The filter text of a read, with `ids` turned into `pk in [...]` and'ed to it. */
function idsFilter(p: ReadParams, schema: CollectionSchema): string {
  if (!p.ids) return p.filter;
  const pk = schema.fields.find((f) => f.isPrimaryKey)!;
  const list = p.ids.map((id) => (typeof id === 'string' ? JSON.stringify(id) : String(id))).join(', ');
  const byIds = `${pk.name} in [${list}]`;
  return p.filter.trim() === '' ? byIds : `(${byIds}) and (${p.filter})`;
}
