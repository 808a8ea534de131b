/**
 * The REST API of a Shoal node: the Milvus RESTful API v2 (`/v2/vectordb/...`) and `/healthz`
 * over a `ShoalService`. See server.ts for the conventions and docs/api.md for what is supported.
 */
export { API_PREFIX, createHttpServer, type HttpServerOptions } from './server.ts';
