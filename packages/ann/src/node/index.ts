/**
 * `@shoal/ann/node`: the parts of the package that need Node's threads, for `apps/node`. (HNSW
 * itself is reachable from the main entry through `buildIndex`/`loadIndex`.)
 */
export { WorkerPoolIndexBuilder } from './worker-pool.ts';
export type { WorkerPoolOptions } from './worker-pool.ts';
