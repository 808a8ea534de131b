/**
 * `ShoalClient`: a typed client of the Milvus RESTful API v2 as Shoal serves it, for one or more
 * peers (see transport.ts for failover). Method names follow the Milvus Node SDK; every method
 * resolves to the answer's `data` (typed) and rejects with `ShoalClientError` on failure.
 */
import { ShoalClientError, UNEXPECTED_CODE } from './errors.ts';
import type { FilterTemplate, QueryIteratorParams } from './query-iterator.ts';
import { searchPages } from './search-iterator.ts';
import type { GroupingParams, SearchIteratorParams } from './search-iterator.ts';
import type { HybridSearchParams } from './hybrid-search.ts';
import { Transport, type TransportOptions } from './transport.ts';
import type {
  CollectionStatistics,
  CollectionDescription, CollectionParams, CreateCollectionParams, IndexDescription, IndexParam, LoadState,
  PrimaryKey, QueryParams, ReadParams, Row, SearchHit, SearchParams, WriteParams,
} from './types.ts';

/** Options of {@link ShoalClient}: peer URLs, bearer token, per-attempt timeout in ms. */
export type ShoalClientOptions = TransportOptions;

/** Prefix of every REST v2 path. */
const PREFIX = '/v2/vectordb';

/** See the file comment. */
export class ShoalClient {
  private readonly transport: Transport;

  /**
   * @param opts `address`: one peer URL or several (e.g. `['http://a:19530', 'http://b:19530']`);
   * `token`; `timeoutMs` per attempt (default 60,000). Throws `ShoalClientError` (1100) without an address.
   */
  constructor(opts: ShoalClientOptions) {
    this.transport = new Transport(opts);
  }

  /** The peer base URLs this client uses. */
  get peers(): readonly string[] {
    return this.transport.peers;
  }

  private async data<T>(path: string, body: object): Promise<T> {
    return (await this.transport.call(PREFIX + path, body as Record<string, unknown>)).data as T;
  }

  /** Creates a collection (quick setup or full schema, see `CreateCollectionParams`). */
  async createCollection(params: CreateCollectionParams): Promise<void> { await this.data('/collections/create', params); }
  /** Schema, indexes, load state and settings of a collection. */
  describeCollection(params: CollectionParams): Promise<CollectionDescription> { return this.data('/collections/describe', params); }
  /** Names of all collections. */
  listCollections(): Promise<string[]> { return this.data('/collections/list', {}); }
  /** Whether the collection exists. */
  async hasCollection(params: CollectionParams): Promise<boolean> { return (await this.data<{ has: boolean }>('/collections/has', params)).has; }
  /** Drops a collection and its data. */
  async dropCollection(params: CollectionParams): Promise<void> { await this.data('/collections/drop', params); }
  /** Loads a collection for search and query. */
  async loadCollection(params: CollectionParams): Promise<void> { await this.data('/collections/load', params); }
  /** Releases a loaded collection. */
  async releaseCollection(params: CollectionParams): Promise<void> { await this.data('/collections/release', params); }
  /** Load state; `loadProgress` (0..100) is absent while not loaded. */
  getLoadState(params: CollectionParams): Promise<{ loadState: LoadState; loadProgress?: number }> { return this.data('/collections/get_load_state', params); }
  /** Number of entities, and the memory of the collection's segments and indexes on the node. */
  getCollectionStatistics(params: CollectionParams): Promise<CollectionStatistics> { return this.data('/collections/get_stats', params); }
  /** Seals and persists the growing data of a collection. */
  async flush(params: CollectionParams): Promise<void> { await this.data('/collections/flush', params); }

  /** Inserts entities; returns their primary keys (assigned ones for auto-id collections). */
  insert(params: WriteParams): Promise<{ insertCount: number; insertIds: PrimaryKey[] }> { return this.data('/entities/insert', params); }
  /** Inserts or replaces entities by primary key. */
  upsert(params: WriteParams): Promise<{ upsertCount: number; upsertIds: PrimaryKey[] }> { return this.data('/entities/upsert', params); }
  /** Deletes the entities matching `filter` (a Milvus boolean expression, with template values in `exprParams`). */
  delete(params: CollectionParams & FilterTemplate & { filter: string; partitionName?: string }): Promise<{ deleteCount: number }> { return this.data('/entities/delete', params); }
  /** Entities by primary key(s); all fields unless `outputFields` says otherwise. */
  get(params: ReadParams & { id: PrimaryKey | PrimaryKey[] }): Promise<Row[]> { return this.data('/entities/get', params); }
  /** Entities matching a filter (see `QueryParams`; template values in `exprParams`). */
  query(params: QueryParams & FilterTemplate): Promise<Row[]> { return this.data('/entities/query', params); }

  /**
   * Pages through every entity matching a filter, in one snapshot taken by the first page, in
   * ascending primary-key order: an async iterable of pages of at most `batchSize` rows (see
   * `QueryIteratorParams`). Each page is one request carrying the previous page's cursor; any peer
   * can serve it, so the iteration survives a failover. Rejects with `ShoalClientError` as the
   * other methods do (1100 for a bad filter or an expired cursor).
   */
  async *queryIterator(params: QueryIteratorParams): AsyncGenerator<Row[], void, undefined> {
    let cursor: string | undefined;
    do {
      const answer = await this.transport.call(`${PREFIX}/entities/query`, { ...params, iterator: true, ...(cursor ? { cursor } : {}) });
      const next = answer.nextCursor;
      if (next !== undefined && (typeof next !== 'string' || next === '')) throw new ShoalClientError(UNEXPECTED_CODE, 'query iterator answer has a nextCursor that is not a non-empty string');
      if (!Array.isArray(answer.data)) throw new ShoalClientError(UNEXPECTED_CODE, 'query iterator answer has no list of rows');
      cursor = next;
      if (answer.data.length > 0) yield answer.data as Row[];
    } while (cursor !== undefined);
  }

  /**
   * Pages through one query vector's hits in order of distance, with no cap on their number, in one
   * snapshot taken by the first page: an async iterable of pages of at most `batchSize` hits (see
   * `SearchIteratorParams`; pymilvus's `search_iterator`). Each page is one request carrying the
   * previous page's cursor; any peer can serve it. Rejects with `ShoalClientError` as the other
   * methods do (1100 for more than one query vector or a bad cursor).
   */
  searchIterator(params: SearchIteratorParams): AsyncGenerator<SearchHit[], void, undefined> {
    return searchPages((body) => this.transport.call(`${PREFIX}/entities/search`, body), params);
  }

  /**
   * Vector search. Returns one list of hits per query vector (best first), split from the flat
   * REST answer by its `topks`. A grouping search (`groupingField`) lists each query's hits group
   * after group.
   */
  async search(params: SearchParams & FilterTemplate & GroupingParams): Promise<SearchHit[][]> {
    const answer = await this.transport.call(`${PREFIX}/entities/search`, params as unknown as Record<string, unknown>);
    return splitByTopks(answer, params.data.length);
  }

  /**
   * Hybrid search: several ANN requests (on one or more vector fields) fused by a reranker (RRF or
   * weighted). Returns one list of fused hits per query vector, best first; `distance` is the fused score.
   */
  async hybridSearch(params: HybridSearchParams): Promise<SearchHit[][]> {
    const answer = await this.transport.call(`${PREFIX}/entities/hybrid_search`, params as unknown as Record<string, unknown>);
    return splitByTopks(answer, params.search[0]?.data.length ?? 0);
  }

  /** Builds indexes. */
  async createIndex(params: CollectionParams & { indexParams: IndexParam[] }): Promise<void> { await this.data('/indexes/create', params); }
  /** State and progress of an index. */
  describeIndex(params: CollectionParams & { indexName: string }): Promise<IndexDescription[]> { return this.data('/indexes/describe', params); }
  /** Index names of a collection. */
  listIndexes(params: CollectionParams): Promise<string[]> { return this.data('/indexes/list', params); }
  /** Drops an index. */
  async dropIndex(params: CollectionParams & { indexName: string }): Promise<void> { await this.data('/indexes/drop', params); }

  /** Creates a partition. */
  async createPartition(params: CollectionParams & { partitionName: string }): Promise<void> { await this.data('/partitions/create', params); }
  /** Partition names of a collection (`_default` included). */
  listPartitions(params: CollectionParams): Promise<string[]> { return this.data('/partitions/list', params); }
  /** Whether the partition exists. */
  async hasPartition(params: CollectionParams & { partitionName: string }): Promise<boolean> {
    return (await this.data<{ has: boolean }>('/partitions/has', params)).has;
  }
  /** Drops a partition and its data. */
  async dropPartition(params: CollectionParams & { partitionName: string }): Promise<void> { await this.data('/partitions/drop', params); }
}

/**
 * Splits a search answer's flat hit list into one list per query vector by its `topks`; with no
 * `topks` (no query has a hit) `nq` empty lists.
 * @throws ShoalClientError UNEXPECTED_CODE for hits without `topks`.
 */
function splitByTopks(answer: { data?: unknown; topks?: unknown }, nq: number): SearchHit[][] {
  const hits = answer.data as SearchHit[];
  const topks = answer.topks as number[] | undefined;
  if (!topks) {
    if (hits.length > 0) throw new ShoalClientError(UNEXPECTED_CODE, 'search answer has hits but no topks');
    return Array.from({ length: nq }, () => []);
  }
  const out: SearchHit[][] = [];
  let start = 0;
  for (const k of topks) {
    out.push(hits.slice(start, start + k));
    start += k;
  }
  return out;
}
