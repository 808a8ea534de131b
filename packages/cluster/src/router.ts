import * as ddl from './ddl.ts';
import * as data from './data.ts';
import { queryPage } from './query-iterator.ts';
import { searchPage } from './search-iterator.ts';
import { hybridSearch } from './hybrid-search.ts';
import type { HybridSearchRequest } from './hybrid-search.ts';
import type { RouterContext } from './router-context.ts';
import type {
  CollectionDescription, CollectionStats, CreateCollectionRequest, FilterParams, PrimaryKeyInput, IndexDescription, IndexParamInput, LoadState,
  QueryIteratorRequest, QueryPage, QueryRequest, ReadOptions, Row, SearchHit, SearchIteratorRequest, SearchPage, SearchRequest, ShoalService, WriteResult,
} from './service.ts';

/**
 * The router: the entry point of every client request on a node (DESIGN.md, "Actors"). It
 * validates requests, asks the coordinator for metadata and timestamps, and fans data operations
 * out to the shard actors, merging their answers. It holds no state of its own but the Session
 * timestamps, so it runs on the caller's turn instead of behind a mailbox: concurrent requests are
 * not serialised behind each other.
 */
export class Router implements ShoalService {
  private readonly ctx: RouterContext;

  /** @param ctx the node's actor system, coordinator and shards. */
  constructor(ctx: RouterContext) {
    this.ctx = ctx;
  }

  createCollection(req: CreateCollectionRequest): Promise<void> { return ddl.createCollection(this.ctx, req); }
  describeCollection(name: string): Promise<CollectionDescription> { return ddl.describeCollection(this.ctx, name); }
  async listCollections(): Promise<string[]> { return (await this.ctx.coord<{ name: string }[]>({ t: 'list' })).map((c) => c.name); }
  async hasCollection(name: string): Promise<boolean> { return (await this.ctx.coord<{ name: string }[]>({ t: 'list' })).some((c) => c.name === name); }
  dropCollection(name: string): Promise<void> { return ddl.dropCollection(this.ctx, name); }
  loadCollection(name: string): Promise<void> { return ddl.loadCollection(this.ctx, name); }
  releaseCollection(name: string): Promise<void> { return ddl.releaseCollection(this.ctx, name); }
  getLoadState(name: string): Promise<{ loadState: LoadState; loadProgress: number }> { return ddl.getLoadState(this.ctx, name); }
  getCollectionStats(name: string): Promise<CollectionStats> { return ddl.getCollectionStats(this.ctx, name); }
  flush(name: string): Promise<void> { return ddl.flush(this.ctx, name); }

  createPartition(collection: string, partition: string): Promise<void> { return ddl.createPartition(this.ctx, collection, partition); }
  async listPartitions(collection: string): Promise<string[]> { return (await this.ctx.collection(collection)).partitions.map((p) => p.name); }
  async hasPartition(collection: string, partition: string): Promise<boolean> { return (await this.ctx.collection(collection)).partitions.some((p) => p.name === partition); }
  dropPartition(collection: string, partition: string): Promise<void> { return ddl.dropPartition(this.ctx, collection, partition); }

  createIndex(collection: string, params: IndexParamInput[]): Promise<void> { return ddl.createIndex(this.ctx, collection, params); }
  describeIndex(collection: string, indexName: string): Promise<IndexDescription> { return ddl.describeIndex(this.ctx, collection, indexName); }
  listIndexes(collection: string): Promise<string[]> { return ddl.listIndexes(this.ctx, collection); }
  dropIndex(collection: string, indexName: string): Promise<void> { return ddl.dropIndex(this.ctx, collection, indexName); }

  insert(collection: string, rows: Row[], partitionName?: string): Promise<WriteResult> { return data.write(this.ctx, collection, rows, partitionName, 'insert'); }
  upsert(collection: string, rows: Row[], partitionName?: string): Promise<WriteResult> { return data.write(this.ctx, collection, rows, partitionName, 'upsert'); }
  delete(collection: string, by: { ids?: PrimaryKeyInput[]; filter?: string; filterParams?: FilterParams }, partitionName?: string): Promise<WriteResult> { return data.remove(this.ctx, collection, by, partitionName); }
  get(collection: string, ids: PrimaryKeyInput[], opts?: ReadOptions): Promise<Row[]> { return data.get(this.ctx, collection, ids, opts); }
  query(req: QueryRequest): Promise<Row[]> { return data.query(this.ctx, req); }
  queryIterator(req: QueryIteratorRequest): Promise<QueryPage> { return queryPage(this.ctx, req); }
  search(req: SearchRequest): Promise<SearchHit[][]> { return data.search(this.ctx, req); }
  searchIterator(req: SearchIteratorRequest): Promise<SearchPage> { return searchPage(this.ctx, req); }
  hybridSearch(req: HybridSearchRequest): Promise<SearchHit[][]> { return hybridSearch(this.ctx, req); }
}
