import type { ActorSystem } from '@shoal/actors';
import type { IndexBuilder } from '@shoal/ann';
import type { ObjectStore } from '@shoal/shard';
import type { CollectionMeta } from './catalog.ts';
import { ShardActor, shardPath } from './shard-actor.ts';
import { scalarIndexSpecs, vectorIndexSpecs } from './index-params.ts';
import type { ShardMsg } from './shard-actor.ts';

/** Storage settings of the shards of a node. */
export interface ShardSettings {
  store: ObjectStore;
  indexBuilder: IndexBuilder;
  /** Seal a growing segment at this many bytes (default 128 MiB). */
  segmentMaxBytes?: number;
  /** … or this many rows. */
  segmentMaxRows?: number;
  onError?: (what: string, err: unknown) => void;
}

/** How long a data-plane `ask` to a shard may take, in ms (writes wait for fsync; flushes write segments). */
export const SHARD_ASK_TIMEOUT_MS = 10 * 60_000;

/**
 * The shard replicas placed on this node. Placement on a single node is trivial (every shard of
 * every collection is here); the cluster issue adds the shard map from the metadata group.
 */
export class ShardHost {
  private readonly system: ActorSystem;
  private readonly settings: ShardSettings;
  private readonly running = new Set<string>();

  /** @param system this node's actor system. @param settings storage of the shards. */
  constructor(system: ActorSystem, settings: ShardSettings) {
    this.system = system;
    this.settings = settings;
  }

  /** Spawns the shard actors of a collection that are not running yet. */
  ensure(meta: CollectionMeta): void {
    for (let n = 0; n < meta.shardsNum; n++) {
      const path = shardPath(meta.id, n);
      if (this.running.has(path)) continue;
      this.running.add(path);
      this.system.spawn(path, () => new ShardActor({
        collectionId: meta.id, shardNo: n, schema: meta.schema, vectorIndexes: vectorIndexSpecs(meta), loaded: meta.loaded,
        scalarIndexes: scalarIndexSpecs(meta),
        store: this.settings.store, indexBuilder: this.settings.indexBuilder,
        segmentMaxBytes: this.settings.segmentMaxBytes, segmentMaxRows: this.settings.segmentMaxRows, onError: this.settings.onError,
      }));
    }
  }

  /** Stops a collection's shard actors and deletes their log and objects (drop collection). */
  async remove(meta: CollectionMeta): Promise<void> {
    for (let n = 0; n < meta.shardsNum; n++) {
      const path = shardPath(meta.id, n);
      await this.system.stop(path);
      this.running.delete(path);
    }
    await this.system.env.disk.remove(`wal/${meta.id}`);
    await this.settings.store.deletePrefix(`collections/${meta.id}/`);
  }

  /** Asks shard `shardNo` of a collection. */
  ask<R>(meta: CollectionMeta, shardNo: number, msg: ShardMsg): Promise<R> {
    return this.system.ask<R>({ node: this.system.node, path: shardPath(meta.id, shardNo) }, msg, SHARD_ASK_TIMEOUT_MS);
  }

  /** Asks every shard of a collection the same message; replies in shard order. */
  askAll<R>(meta: CollectionMeta, msg: ShardMsg): Promise<R[]> {
    return Promise.all(Array.from({ length: meta.shardsNum }, (_, n) => this.ask<R>(meta, n, msg)));
  }
}
