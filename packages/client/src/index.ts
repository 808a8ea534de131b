/**
 * `@shoal/client`: a typed TypeScript client of Shoal's Milvus RESTful API v2 that connects to any
 * peer and fails over between peers (DESIGN.md, "APIs"). It depends on nothing of the server.
 */
export { ShoalClient, type ShoalClientOptions } from './client.ts';
export { ShoalClientError, UNEXPECTED_CODE, UNREACHABLE_CODE } from './errors.ts';
export { DEFAULT_TIMEOUT_MS, DOWN_COOLDOWN_MS } from './transport.ts';
export { realPlatform, type ClientPlatform } from './node/platform.ts';
export type * from './types.ts';
export type * from './query-iterator.ts';
export type * from './search-iterator.ts';
export type * from './hybrid-search.ts';
