/**
 * Helpers for the REST tests: a server over a fresh test double, and a POST that parses the answer
 * with lossless-json (integers beyond 2^53 as `bigint`) so that tests can check Int64 exactness.
 */
import type { FastifyInstance } from 'fastify';
import { parse, isInteger } from 'lossless-json';
import { createHttpServer } from '../src/http/index.ts';
import { InMemoryServiceDouble } from './http-test-double.ts';

/** A parsed REST answer: HTTP status, raw text and the JSON body (`undefined` when not JSON). */
export interface Answer {
  status: number;
  text: string;
  json: Record<string, unknown> & { code?: number; message?: string; data?: unknown };
}

/** Integers beyond the safe range → bigint, other numbers → number (as the server parses). */
function exactNumber(s: string): number | bigint {
  const n = Number(s);
  return isInteger(s) && !Number.isSafeInteger(n) ? BigInt(s) : n;
}

/** Parses JSON text with exact integers. */
export function parseExact(text: string): Record<string, unknown> {
  return parse(text, null, exactNumber) as Record<string, unknown>;
}

/** A server over a new test double. */
export function setup(): { app: FastifyInstance; service: InMemoryServiceDouble } {
  const service = new InMemoryServiceDouble();
  return { app: createHttpServer(service), service };
}

/**
 * POSTs `body` (an object is sent as JSON; a string is sent verbatim) to `/v2/vectordb<path>`.
 * Sends no JSON Content-Type unless `headers` does, as the Milvus Node SDK.
 */
export async function post(app: FastifyInstance, path: string, body: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const payload = typeof body === 'string' ? body : JSON.stringify(body);
  const res = await app.inject({ method: 'POST', url: `/v2/vectordb${path}`, payload, headers: { 'content-type': 'text/plain', ...headers } });
  let json: Answer['json'];
  try {
    json = parseExact(res.body);
  } catch {
    json = {};
  }
  return { status: res.statusCode, text: res.body, json };
}

/** Quick-setup body for a collection with `dim`-dimensional vectors (Int64 keys, COSINE). */
export function quick(collectionName: string, dim: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { collectionName, dimension: dim, ...extra };
}
