import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import pino from 'pino';
import type { Logger } from 'pino';
import { createNodeEnv } from '@shoal/actors/node';
import { WorkerPoolIndexBuilder } from '@shoal/ann/node';
import { startNode } from '@shoal/cluster';
import type { ShoalNode } from '@shoal/cluster';
import { LocalObjectStore } from '@shoal/shard';
import type { FastifyInstance } from 'fastify';
import { createHttpServer } from './http/index.ts';

/** Settings of `shoal start`. */
export interface StartOptions {
  /** Data directory (created if missing): the catalog, write-ahead logs and the local object store. */
  dataDir: string;
  /** TCP port of the REST API (Milvus's default 19530). */
  port: number;
  /** Interface to listen on (default 127.0.0.1). */
  host: string;
  /** Seal growing segments at this many MiB. */
  segmentMaxMb?: number;
  /** Index-build worker threads (default: cores − 1, at least 1). */
  indexWorkers?: number;
  logger?: Logger;
}

/** A running `shoal start`: the node, its HTTP server, and the address it listens on. */
export interface RunningNode {
  node: ShoalNode;
  http: FastifyInstance;
  url: string;
  close(): Promise<void>;
}

/**
 * Starts a single Shoal node with local storage (the embedded default): real `Env` rooted at
 * `dataDir`, the local-filesystem object store under it, a worker pool for index builds, and the
 * Milvus REST API v2 on `host:port`.
 */
export async function runNode(opts: StartOptions): Promise<RunningNode> {
  const log = opts.logger ?? pino({ level: 'info' });
  const dataDir = resolve(opts.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const env = createNodeEnv({ dataDir });
  const indexBuilder = new WorkerPoolIndexBuilder(opts.indexWorkers ? { size: opts.indexWorkers } : {});
  const started = Date.now();
  const node = await startNode({
    env, store: new LocalObjectStore(env.disk), indexBuilder,
    segmentMaxBytes: opts.segmentMaxMb ? opts.segmentMaxMb * 1024 * 1024 : undefined,
    onError: (what, err) => log.error({ err }, what),
  });
  log.info({ dataDir, recoveryMs: Date.now() - started }, 'node recovered');
  const http = createHttpServer(node.service, { logger: log });
  const address = await http.listen({ port: opts.port, host: opts.host });
  log.info({ address }, 'serving the Milvus RESTful API v2');
  return {
    node, http, url: address,
    async close() {
      await http.close();
      await node.close();
    },
  };
}
