/**
 * @shoal/cluster — the coordinator (catalog, TSO, auto IDs), the shard actors, and the router
 * that serves `ShoalService` (DESIGN.md, "Actors", "Timestamps and consistency").
 */
export * from './service.ts';
export type { AnnSubRequest, HybridSearchRequest } from './hybrid-search.ts';
export type { RerankInput } from './rerank.ts';
export { startNode } from './node.ts';
export type { NodeOptions, ShoalNode } from './node.ts';
export { AUTOINDEX } from './index-params.ts';
export { composeTs, physicalMs } from './tso.ts';
export { shardOf } from './sharding.ts';
