import { ActorSystem } from '@shoal/actors';
import type { Env } from '@shoal/actors';
import type { IndexBuilder } from '@shoal/ann';
import type { ObjectStore } from '@shoal/shard';
import type { CollectionMeta } from './catalog.ts';
import { COORD_PATH, CoordinatorActor } from './coordinator.ts';
import { Router } from './router.ts';
import { RouterContext } from './router-context.ts';
import { ShardHost } from './shard-host.ts';
import type { ShoalService } from './service.ts';

/** What a node is started with. */
export interface NodeOptions {
  env: Env;
  store: ObjectStore;
  indexBuilder: IndexBuilder;
  segmentMaxBytes?: number;
  segmentMaxRows?: number;
  /** Logs actor crashes and background failures. */
  onError?: (what: string, err: unknown) => void;
}

/** A running node: its API and a way to stop it. */
export interface ShoalNode {
  service: ShoalService;
  system: ActorSystem;
  /** Stops every actor (pending writes finish) and the index builder. */
  close(): Promise<void>;
}

/**
 * Starts a node on `env` (DESIGN.md, "Actors"): the coordinator (catalog, TSO), a shard actor for
 * every shard of every collection (each recovers from the object store and its log), and the
 * router that serves the API. Resolves when every shard has recovered.
 */
export async function startNode(opts: NodeOptions): Promise<ShoalNode> {
  const system = new ActorSystem(opts.env, { onError: (path, err) => opts.onError?.(`actor ${path}`, err) });
  const coord = system.spawn(COORD_PATH, () => new CoordinatorActor(opts.env.disk));
  const shards = new ShardHost(system, {
    store: opts.store, indexBuilder: opts.indexBuilder, segmentMaxBytes: opts.segmentMaxBytes,
    segmentMaxRows: opts.segmentMaxRows, onError: opts.onError,
  });
  const collections = await coord.ask<CollectionMeta[]>({ t: 'list' }, 60_000);
  for (const meta of collections) shards.ensure(meta);
  // Wait for recovery: a stats round trip reaches each shard after its start() has finished.
  await Promise.all(collections.map((meta) => shards.askAll(meta, { t: 'stats' })));
  const service = new Router(new RouterContext(system, shards));
  return {
    service,
    system,
    async close() {
      await system.shutdown();
      await opts.indexBuilder.close();
    },
  };
}
