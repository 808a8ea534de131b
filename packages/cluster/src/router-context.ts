import { ErrorCode, ShoalError } from '@shoal/actors';
import type { ActorSystem } from '@shoal/actors';
import type { CatalogCommand, CollectionMeta } from './catalog.ts';
import { COORD_PATH } from './coordinator.ts';
import type { CoordMsg } from './coordinator.ts';
import type { ShardHost } from './shard-host.ts';

/** How long a metadata `ask` may take, in ms. */
export const COORD_ASK_TIMEOUT_MS = 30_000;

/**
 * What the router's operations share: the actor system, the coordinator, the shard host, and
 * the per-collection last write timestamps for `Session` consistency (as Milvus's proxy keeps).
 */
export class RouterContext {
  readonly system: ActorSystem;
  readonly shards: ShardHost;
  private readonly lastWrite = new Map<number, bigint>();

  /** @param system this node's actor system. @param shards the node's shard replicas. */
  constructor(system: ActorSystem, shards: ShardHost) {
    this.system = system;
    this.shards = shards;
  }

  /** Asks the coordinator. */
  coord<R>(msg: CoordMsg): Promise<R> {
    return this.system.ask<R>({ node: this.system.node, path: COORD_PATH }, msg, COORD_ASK_TIMEOUT_MS);
  }

  /** Runs a catalog command on the coordinator. */
  command(cmd: CatalogCommand): Promise<CollectionMeta | undefined> {
    return this.coord({ t: 'command', cmd });
  }

  /** The collection `name`. @throws ShoalError CollectionNotFound. */
  collection(name: unknown): Promise<CollectionMeta> {
    if (typeof name !== 'string' || name === '') return Promise.reject(new ShoalError(ErrorCode.ParameterMissing, 'collectionName is required (a non-empty string)'));
    return this.coord({ t: 'get', name });
  }

  /** A loaded collection. @throws ShoalError CollectionNotLoaded if it is released. */
  async loadedCollection(name: unknown): Promise<CollectionMeta> {
    const meta = await this.collection(name);
    if (!meta.loaded) throw new ShoalError(ErrorCode.CollectionNotLoaded, `collection not loaded[collection=${meta.name}]: load it before searching or querying`);
    return meta;
  }

  /** A fresh TSO timestamp. */
  tso(): Promise<bigint> {
    return this.coord({ t: 'tso' });
  }

  /** Records a write's timestamp (for Session reads). */
  wrote(meta: CollectionMeta, ts: bigint): void {
    if (ts > (this.lastWrite.get(meta.id) ?? 0n)) this.lastWrite.set(meta.id, ts);
  }

  /** The last write timestamp seen on this node for a collection (0n if none). */
  sessionTs(meta: CollectionMeta): bigint {
    return this.lastWrite.get(meta.id) ?? 0n;
  }
}
