/**
 * The HTTP server of a Shoal node: the Milvus RESTful API v2 over a `ShoalService`, plus
 * `GET /healthz`.
 *
 * Conventions, as in Milvus (internal/distributed/proxy/httpserver, handler_v2.go):
 * - every endpoint is `POST /v2/vectordb/<resource>/<action>` with a JSON body, whatever the
 *   request's Content-Type (the Node SDK sends none that says JSON);
 * - every answer to such a request is HTTP 200 with `{ code: 0, data, ... }` or
 *   `{ code: <Milvus error code>, message }`; a path Milvus does not have is HTTP 404 with the
 *   text `404 page not found` (gin's default);
 * - a `ShoalError` becomes its code and message; any other error becomes 65535 with its message
 *   and is logged. A malformed request never reaches the service, so it never applies partially.
 */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { ShoalService } from '@shoal/cluster';
import { ErrorCode, ShoalError, notSupported } from '@shoal/actors';
import { BodyReader } from './body.ts';
import { collectionRoutes } from './collections.ts';
import { checkDatabase, databaseRoutes } from './databases.ts';
import { entityRoutes } from './entities.ts';
import { indexRoutes } from './indexes.ts';
import { partitionRoutes } from './partitions.ts';
import type { Handler, RouteTable } from './route.ts';
import { searchRoutes } from './search.ts';
import { hybridSearchRoutes } from './hybrid-search.ts';
import { UNSUPPORTED_PATHS } from './unsupported.ts';
import { allowInt64FromHeader, parseRequestJson, toJson } from './wire.ts';

/** Prefix of every Milvus RESTful API v2 path. */
export const API_PREFIX = '/v2/vectordb';

/** Default largest request body: 64 MiB (bulk inserts of large vectors). */
const DEFAULT_BODY_LIMIT_BYTES = 64 * 1024 * 1024;

/** Options of {@link createHttpServer}. */
export interface HttpServerOptions {
  /** A pino logger (e.g. the node's), or `true`/`false` for fastify's own pino logger. Default: none. */
  logger?: boolean | FastifyBaseLogger;
  /** Log every request and response at info level (default false: only errors are logged). */
  logRequests?: boolean;
  /** Largest accepted request body in bytes (default 64 MiB); larger bodies get code 1102. */
  bodyLimitBytes?: number;
}

/** `{ code, message }` for an error thrown while handling a request; unexpected errors are logged. */
function errorPayload(e: unknown, log: FastifyBaseLogger, path: string): Record<string, unknown> {
  if (e instanceof ShoalError) return { code: e.code, message: e.message };
  log.error({ err: e, path }, 'unexpected error while handling a REST request');
  return { code: ErrorCode.Unexpected, message: e instanceof Error ? e.message : String(e) };
}

/** Sends a payload as JSON with exact integers (HTTP 200). */
function sendJson(reply: FastifyReply, payload: unknown): FastifyReply {
  return reply.code(200).type('application/json; charset=utf-8').send(toJson(payload));
}

/** Wraps a handler: parse the body, check the database, run, map errors (see the file comment). */
function endpoint(path: string, handler: Handler, service: ShoalService, checkDb: boolean) {
  return async (req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    let payload: unknown;
    try {
      const body = new BodyReader(parseRequestJson(typeof req.body === 'string' ? req.body : undefined), API_PREFIX + path);
      if (checkDb) checkDatabase(body.raw('dbName'), req.headers['db-name']);
      payload = toJson(await handler(body, { service, allowInt64: allowInt64FromHeader(req.headers['accept-type-allow-int64']) }));
    } catch (e) {
      payload = toJson(errorPayload(e, req.log, path));
    }
    return reply.code(200).type('application/json; charset=utf-8').send(payload);
  };
}

/** Maps fastify's own request errors (body too large, bad framing) to Milvus-style answers. */
function frameworkError(err: Error & { statusCode?: number; code?: string }, req: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (err.statusCode === 413) {
    return sendJson(reply, { code: ErrorCode.ParameterTooLarge, message: `request body too large: ${err.message}` });
  }
  if (err.statusCode !== undefined && err.statusCode >= 400 && err.statusCode < 500) {
    return sendJson(reply, { code: ErrorCode.IncorrectParameterFormat, message: `invalid request: ${err.message}` });
  }
  return sendJson(reply, errorPayload(err, req.log, req.url));
}

/**
 * Creates (does not start) the HTTP server answering the Milvus RESTful API v2 from `service`.
 * Start it with `app.listen({ host, port })`; test it with `app.inject()`.
 */
export function createHttpServer(service: ShoalService, opts: HttpServerOptions = {}): FastifyInstance {
  const bodyLimit = opts.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES;
  const app = (typeof opts.logger === 'object'
    ? Fastify({ loggerInstance: opts.logger, bodyLimit, logController: new LogController({ disableRequestLogging: !opts.logRequests }) })
    : Fastify({ logger: opts.logger ?? false, bodyLimit, logController: new LogController({ disableRequestLogging: !opts.logRequests }) })) as FastifyInstance;

  // Milvus reads every body as JSON whatever its Content-Type; parse it ourselves (exact Int64).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));
  app.setErrorHandler(frameworkError);
  app.setNotFoundHandler((_req, reply) => reply.code(404).type('text/plain; charset=utf-8').send('404 page not found'));

  app.get('/healthz', async (_req, reply) => sendJson(reply, { status: 'ok' }));

  const tables: RouteTable[] = [collectionRoutes, entityRoutes, searchRoutes, hybridSearchRoutes, indexRoutes, partitionRoutes];
  for (const table of tables) {
    for (const [path, handler] of Object.entries(table)) app.post(API_PREFIX + path, endpoint(path, handler, service, true));
  }
  for (const [path, handler] of Object.entries(databaseRoutes)) app.post(API_PREFIX + path, endpoint(path, handler, service, false));
  for (const path of UNSUPPORTED_PATHS) {
    const message = notSupported(API_PREFIX + path).message;
    app.post(API_PREFIX + path, async (_req, reply) => sendJson(reply, { code: ErrorCode.OperationNotSupported, message }));
  }
  return app;
}
