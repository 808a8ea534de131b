/**
 * A minimal client of the Milvus RESTful API v2 for integration tests (plain `fetch`): POST a body
 * to `/v2/vectordb<path>` and read Milvus's envelope `{ code, data, message, ... }`. Numbers are
 * parsed with `JSON.parse`, so tests keep primary keys below 2^53 (Int64 exactness is covered by
 * the apps/node REST tests).
 */

/** Milvus's answer envelope: `code` 0 with `data`, or an error `code` with `message`. */
export interface MilvusAnswer<T = unknown> {
  code: number;
  message?: string;
  data?: T;
  topks?: number[];
  cost?: number;
  [extra: string]: unknown;
}

/**
 * POSTs `body` to `${baseUrl}/v2/vectordb${path}`: an object is sent as JSON, a string verbatim
 * (for malformed-JSON tests). Resolves with the parsed envelope. Throws when the HTTP status is
 * not 200 or the answer is not JSON (the message holds the status and text), and when no answer
 * comes within `timeoutMs` (default 60,000).
 */
export async function post<T = unknown>(baseUrl: string, path: string, body: unknown, timeoutMs = 60_000): Promise<MilvusAnswer<T>> {
  const res = await fetch(`${baseUrl}/v2/vectordb${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  if (res.status !== 200) throw new Error(`POST ${path}: HTTP ${res.status}: ${text.slice(0, 500)}`);
  try {
    return JSON.parse(text) as MilvusAnswer<T>;
  } catch {
    throw new Error(`POST ${path}: answer is not JSON: ${text.slice(0, 500)}`);
  }
}

/**
 * Like {@link post}, but expects success: resolves with `data`, throws an Error naming the path,
 * the code and the message when `code` is not 0.
 */
export async function call<T = unknown>(baseUrl: string, path: string, body: unknown, timeoutMs = 60_000): Promise<T> {
  const answer = await post<T>(baseUrl, path, body, timeoutMs);
  if (answer.code !== 0) throw new Error(`POST ${path} failed: code ${answer.code}: ${answer.message}`);
  return answer.data as T;
}

/** `count(*)` of a collection (Strong consistency), optionally under a filter. */
export async function countRows(baseUrl: string, collectionName: string, filter = ''): Promise<number> {
  const rows = await call<{ 'count(*)': number }[]>(baseUrl, '/entities/query',
    { collectionName, filter, outputFields: ['count(*)'], consistencyLevel: 'Strong' });
  return rows[0]['count(*)'];
}

/**
 * Polls `indexes/describe` until the index reports `indexState: "Finished"` with
 * `indexedRows === totalRows` and no pending rows (every `intervalMs`, default 100), or throws
 * after `timeoutMs` (default 120,000) with the last description.
 */
export async function waitIndexFinished(baseUrl: string, collectionName: string, indexName: string,
  timeoutMs = 120_000, intervalMs = 100): Promise<IndexInfo> {
  const deadline = performance.now() + timeoutMs;
  let last: IndexInfo | undefined;
  while (performance.now() < deadline) {
    [last] = await call<IndexInfo[]>(baseUrl, '/indexes/describe', { collectionName, indexName });
    if (last.indexState === 'Finished' && last.pendingRows === 0 && last.indexedRows === last.totalRows) return last;
    if (last.indexState === 'Failed') throw new Error(`index ${indexName} failed: ${last.failReason}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
  throw new Error(`index ${indexName} of ${collectionName} not finished after ${timeoutMs} ms: ${JSON.stringify(last)}`);
}

/** One entry of `indexes/describe` (Milvus REST v2 shape). */
export interface IndexInfo {
  indexName: string;
  fieldName: string;
  indexType: string;
  metricType: string;
  totalRows: number;
  pendingRows: number;
  indexedRows: number;
  indexState: string;
  failReason: string;
}
