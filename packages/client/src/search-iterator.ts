/**
 * Grouping search parameters and the search iterator of `@shoal/client` (docs/api.md, "Grouping
 * search" and "Search iterator").
 */
import { ShoalClientError, UNEXPECTED_CODE } from './errors.ts';
import type { FilterTemplate } from './query-iterator.ts';
import type { RestAnswer } from './transport.ts';
import type { SearchHit, SearchParams } from './types.ts';

/**
 * Grouping search (Milvus "Grouping Search"): hits grouped by a scalar field (Bool, Int8–Int64,
 * VarChar); `limit` then counts groups, `groupSize` hits per group (default 1). Each hit carries
 * its group value under the field's name; a query's hits come group after group.
 */
export interface GroupingParams {
  groupingField?: string;
  groupSize?: number;
  /** Accepted as Milvus does; Shoal always fills groups up to `groupSize` when the rows exist. */
  strictGroupSize?: boolean;
}

/**
 * `searchIterator` parameters: ONE query vector's hits in order of distance, in one snapshot
 * (fixed by the first page), `batchSize` hits per page (1..16,384, default 1000), at most `limit`
 * hits in all (default: all). `offset` and grouping do not apply; nor does the consistency level.
 */
export interface SearchIteratorParams extends Omit<SearchParams, 'limit' | 'offset' | 'consistencyLevel' | 'data'>, FilterTemplate {
  /** Exactly one query vector. */
  data: SearchParams['data'];
  batchSize?: number;
  limit?: number;
}

/**
 * The pages of a search iterator: calls `call` (a POST of `entities/search` returning the REST
 * answer) with `iterator: true` and the previous page's `nextCursor`, and yields each non-empty
 * page of hits until an answer has no `nextCursor`.
 * @throws ShoalClientError as `call` does, or UNEXPECTED_CODE for an answer that is not a page.
 */
export async function* searchPages(call: (body: Record<string, unknown>) => Promise<RestAnswer>, params: SearchIteratorParams): AsyncGenerator<SearchHit[], void, undefined> {
  let cursor: string | undefined;
  do {
    const answer = await call({ ...params, iterator: true, ...(cursor ? { cursor } : {}) });
    const next = answer.nextCursor;
    if (next !== undefined && (typeof next !== 'string' || next === '')) throw new ShoalClientError(UNEXPECTED_CODE, 'search iterator answer has a nextCursor that is not a non-empty string');
    if (!Array.isArray(answer.data)) throw new ShoalClientError(UNEXPECTED_CODE, 'search iterator answer has no list of hits');
    cursor = next;
    if (answer.data.length > 0) yield answer.data as SearchHit[];
  } while (cursor !== undefined);
}
