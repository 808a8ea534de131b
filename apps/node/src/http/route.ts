/**
 * The shape every REST v2 endpoint handler has, and Milvus's success envelope.
 */
import type { ShoalService } from '@shoal/cluster';
import type { BodyReader } from './body.ts';

/** What a handler gets besides the body. */
export interface HandlerContext {
  service: ShoalService;
  /** From `Accept-Type-Allow-Int64` (see wire.ts): Int64 values as JSON integers (true) or strings. */
  allowInt64: boolean;
}

/**
 * An endpoint handler: reads and validates the body, calls the service, and returns the whole
 * response payload (`{ code: 0, data, ... }`). Throws `ShoalError` for any user-facing failure;
 * the server turns it into `{ code, message }`.
 */
export type Handler = (body: BodyReader, ctx: HandlerContext) => Promise<Record<string, unknown>>;

/** A table of handlers by path relative to `/v2/vectordb` (e.g. `/collections/create`). */
export type RouteTable = Record<string, Handler>;

/**
 * Milvus's success envelope `{ code: 0, data }` (handler_v2.go `wrapperReturnDefault` and
 * friends), with extra top-level members such as `cost` and `topks` appended.
 */
export function ok(data: unknown, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { code: 0, data, ...extra };
}
