/**
 * TEST DOUBLE — not the database. `InMemoryServiceDouble` is a small, honest in-memory
 * implementation of `ShoalService`, used only to test the REST layer (request/response mapping,
 * Int64 exactness, error codes) and the client. It brute-forces search, understands only the
 * filters `''` and `<pk> in [...]`, and records every call so tests can check what the REST layer
 * asked for. The real implementation is the router of `@shoal/cluster`.
 */
import type {
  CollectionDescription, CollectionStats, CreateCollectionRequest, IndexDescription, IndexParamInput, LoadState, QueryPage, QueryRequest,
  ReadOptions, Row, SearchHit, SearchPage, SearchRequest, ShoalService, WriteResult,
} from '@shoal/cluster';
import type { CollectionSchema, FieldSchema, PrimaryKey } from '@shoal/shard';
import { ErrorCode, ShoalError, invalidParameter, notSupported } from '@shoal/actors';

/** First auto-assigned primary key: beyond 2^53, so that every auto id tests Int64 exactness. */
export const FIRST_AUTO_ID = 450_000_000_000_000_001n;

interface StoredRow { row: Row; partition: string }
interface Coll {
  desc: Omit<CollectionDescription, 'loadState' | 'indexes' | 'partitions'>;
  partitions: string[];
  indexes: IndexDescription[];
  loaded: boolean;
  rows: Map<string, StoredRow>;
}

/** One recorded call: method name and arguments. */
export interface RecordedCall { method: string; args: unknown[] }

/** See the file comment. */
export class InMemoryServiceDouble implements ShoalService {
  /** Every call, in order. */
  readonly calls: RecordedCall[] = [];
  /** When set, the next call rejects with this error (then it is cleared). */
  failNext: Error | undefined;
  private readonly colls = new Map<string, Coll>();
  private nextAutoId = FIRST_AUTO_ID;
  private nextCollectionId = 449_000_000_000_000_001n;
  private tick = 1n;

  private record(method: string, ...args: unknown[]): void {
    this.calls.push({ method, args });
    const e = this.failNext;
    this.failNext = undefined;
    if (e) throw e;
  }

  private coll(name: string): Coll {
    const c = this.colls.get(name);
    if (!c) throw new ShoalError(ErrorCode.CollectionNotFound, `collection not found[collection=${name}]`);
    return c;
  }

  private pk(c: Coll): FieldSchema {
    return c.desc.schema.fields.find((f) => f.isPrimaryKey) as FieldSchema;
  }

  async createCollection(req: CreateCollectionRequest): Promise<void> {
    this.record('createCollection', req);
    if (this.colls.has(req.collectionName)) throw invalidParameter(`collection ${req.collectionName} already exists`);
    const fields: FieldSchema[] = req.fields.map((f, i) => ({
      fieldId: 100 + i, name: f.name, dataType: f.dataType, isPrimaryKey: f.isPrimaryKey ?? false,
      autoId: f.autoId ?? false, maxLength: f.maxLength, dim: f.dim, isPartitionKey: f.isPartitionKey, description: f.description,
      elementType: f.elementType, maxCapacity: f.maxCapacity, nullable: f.nullable,
    }));
    if (fields.filter((f) => f.isPrimaryKey).length !== 1) throw new ShoalError(ErrorCode.CollectionIllegalSchema, 'exactly one primary key is required');
    const schema: CollectionSchema = { name: req.collectionName, description: req.description ?? '', fields, enableDynamicField: req.enableDynamicField === true };
    const c: Coll = {
      desc: {
        collectionName: req.collectionName, collectionId: this.nextCollectionId++, description: req.description ?? '',
        schema, shardsNum: req.shardsNum ?? 1, consistencyLevel: req.consistencyLevel ?? 'Bounded', createdTimeMs: 0,
      },
      partitions: ['_default'], indexes: [], loaded: false, rows: new Map(),
    };
    this.colls.set(req.collectionName, c);
    this.addIndexes(c, req.indexParams ?? []);
    c.loaded = req.load ?? (req.indexParams ?? []).length > 0;
  }

  private addIndexes(c: Coll, params: IndexParamInput[]): void {
    for (const p of params) {
      const indexName = p.indexName ?? p.fieldName;
      if (c.indexes.some((i) => i.indexName === indexName)) throw new ShoalError(ErrorCode.IndexDuplicate, `index ${indexName} already exists`);
      const auto = (p.indexType ?? 'AUTOINDEX') === 'AUTOINDEX';
      c.indexes.push({
        indexName, fieldName: p.fieldName, indexType: auto ? 'HNSW' : (p.indexType as 'HNSW' | 'FLAT'),
        metricType: p.metricType ?? 'COSINE', params: auto ? { M: 16, efConstruction: 200 } : (p.params ?? {}),
        indexState: 'Finished', indexedRows: c.rows.size, totalRows: c.rows.size, pendingIndexRows: 0, failReason: '',
      });
    }
  }

  async describeCollection(name: string): Promise<CollectionDescription> {
    this.record('describeCollection', name);
    const c = this.coll(name);
    return {
      ...c.desc, indexes: c.indexes, loadState: c.loaded ? 'LoadStateLoaded' : 'LoadStateNotLoad',
      partitions: c.partitions.map((p, i) => ({ partitionName: p, partitionId: 500n + BigInt(i) })),
    };
  }

  async listCollections(): Promise<string[]> { this.record('listCollections'); return [...this.colls.keys()]; }
  async hasCollection(name: string): Promise<boolean> { this.record('hasCollection', name); return this.colls.has(name); }
  async dropCollection(name: string): Promise<void> { this.record('dropCollection', name); this.coll(name); this.colls.delete(name); }

  async loadCollection(name: string): Promise<void> {
    this.record('loadCollection', name);
    const c = this.coll(name);
    if (c.indexes.length === 0) throw new ShoalError(ErrorCode.IndexNotFound, `index not found[collection=${name}]: create an index before loading`);
    c.loaded = true;
  }

  async releaseCollection(name: string): Promise<void> { this.record('releaseCollection', name); this.coll(name).loaded = false; }

  async getLoadState(name: string): Promise<{ loadState: LoadState; loadProgress: number }> {
    this.record('getLoadState', name);
    const c = this.colls.get(name);
    if (!c) return { loadState: 'LoadStateNotExist', loadProgress: 0 };
    return c.loaded ? { loadState: 'LoadStateLoaded', loadProgress: 100 } : { loadState: 'LoadStateNotLoad', loadProgress: 0 };
  }

  /** The double keeps rows in a map, not in segments: it reports no segment memory. */
  async getCollectionStats(name: string): Promise<CollectionStats> {
    this.record('getCollectionStats', name);
    return { rowCount: this.coll(name).rows.size, memory: { totalBytes: 0, rawBytes: 0, rawVectorBytes: 0, indexBytes: 0, scalarIndexBytes: 0, segments: [] } };
  }

  async flush(name: string): Promise<void> { this.record('flush', name); this.coll(name); }

  async createPartition(name: string, partition: string): Promise<void> {
    this.record('createPartition', name, partition);
    const c = this.coll(name);
    if (c.partitions.includes(partition)) throw invalidParameter(`partition ${partition} already exists`);
    c.partitions.push(partition);
  }

  async listPartitions(name: string): Promise<string[]> { this.record('listPartitions', name); return [...this.coll(name).partitions]; }
  async hasPartition(name: string, partition: string): Promise<boolean> {
    this.record('hasPartition', name, partition);
    return this.coll(name).partitions.includes(partition);
  }

  async dropPartition(name: string, partition: string): Promise<void> {
    this.record('dropPartition', name, partition);
    const c = this.coll(name);
    if (!c.partitions.includes(partition)) throw new ShoalError(ErrorCode.PartitionNotFound, `partition not found[partition=${partition}]`);
    c.partitions = c.partitions.filter((p) => p !== partition);
  }

  async createIndex(name: string, params: IndexParamInput[]): Promise<void> { this.record('createIndex', name, params); this.addIndexes(this.coll(name), params); }
  async describeIndex(name: string, indexName: string): Promise<IndexDescription> {
    this.record('describeIndex', name, indexName);
    const d = this.coll(name).indexes.find((i) => i.indexName === indexName);
    if (!d) throw new ShoalError(ErrorCode.IndexNotFound, `index not found[indexName=${indexName}]`);
    return d;
  }

  async listIndexes(name: string): Promise<string[]> { this.record('listIndexes', name); return this.coll(name).indexes.map((i) => i.indexName); }
  async dropIndex(name: string, indexName: string): Promise<void> {
    this.record('dropIndex', name, indexName);
    const c = this.coll(name);
    c.indexes = c.indexes.filter((i) => i.indexName !== indexName);
  }

  /** Normalizes one row: Int64 → bigint, FloatVector → Float32Array of `dim`; assigns auto ids. */
  private normalize(c: Coll, row: Row, upsert: boolean): Row {
    const out: Row = {};
    for (const f of c.desc.schema.fields) {
      let v = row[f.name];
      if (f.isPrimaryKey && f.autoId && !upsert) {
        if (v !== undefined) throw invalidParameter(`field ${f.name} is auto-assigned: do not send it`);
        v = this.nextAutoId++;
      }
      if (v === undefined || v === null) throw new ShoalError(ErrorCode.InvalidInsertData, `field ${f.name} is missing`);
      if (f.dataType === 'Int64') v = toInt64(v, f.name);
      if (f.dataType === 'FloatVector') {
        if (!Array.isArray(v) || v.length !== f.dim) throw new ShoalError(ErrorCode.InvalidInsertData, `field ${f.name} must be a vector of dim ${f.dim}`);
        v = Float32Array.from(v as number[]);
      }
      out[f.name] = v;
    }
    const extra = Object.keys(row).find((k) => !c.desc.schema.fields.some((f) => f.name === k));
    if (extra !== undefined) throw new ShoalError(ErrorCode.InvalidInsertData, `field ${extra} is not in the schema`);
    return out;
  }

  private write(method: 'insert' | 'upsert', name: string, rows: Row[], partition?: string): WriteResult {
    this.record(method, name, rows, partition);
    const c = this.coll(name);
    const normalized = rows.map((r) => this.normalize(c, r, method === 'upsert'));
    const pkName = this.pk(c).name;
    for (const r of normalized) c.rows.set(String(r[pkName]), { row: r, partition: partition ?? '_default' });
    return { count: normalized.length, ids: normalized.map((r) => r[pkName] as PrimaryKey), timestamp: this.tick++ };
  }

  async insert(name: string, rows: Row[], partition?: string): Promise<WriteResult> { return this.write('insert', name, rows, partition); }
  async upsert(name: string, rows: Row[], partition?: string): Promise<WriteResult> { return this.write('upsert', name, rows, partition); }

  async delete(name: string, by: { ids?: PrimaryKey[]; filter?: string }, partition?: string): Promise<WriteResult> {
    this.record('delete', name, by, partition);
    const c = this.coll(name);
    const matched = this.match(c, by.filter ?? '', by.ids);
    for (const key of matched) c.rows.delete(key);
    return { count: matched.length, ids: [], timestamp: this.tick++ };
  }

  /** Keys of rows matching `filter` (only `''` and `<pk> in [...]`) or `ids`. */
  private match(c: Coll, filter: string, ids?: PrimaryKey[]): string[] {
    const pk = this.pk(c);
    let wanted: string[] | undefined = ids?.map(String);
    if (filter.trim() !== '') {
      const m = /^\s*(\w+)\s+in\s+\[(.*)\]\s*$/.exec(filter);
      if (!m || m[1] !== pk.name) throw invalidParameter(`the test double understands only "${pk.name} in [...]" filters, got: ${filter}`);
      wanted = m[2].split(',').map((s) => s.trim().replace(/^["']|["']$/g, '')).filter((s) => s !== '');
    }
    return [...c.rows.keys()].filter((k) => wanted === undefined || wanted.includes(k));
  }

  private project(c: Coll, row: Row, outputFields: string[] | undefined, withPk: boolean): Row {
    const names = !outputFields || outputFields.includes('*') ? c.desc.schema.fields.map((f) => f.name) : outputFields;
    const out: Row = {};
    const pkName = this.pk(c).name;
    if (withPk) out[pkName] = row[pkName];
    for (const n of names) {
      if (!c.desc.schema.fields.some((f) => f.name === n)) throw new ShoalError(ErrorCode.FieldNotFound, `field ${n} not exist`);
      out[n] = row[n];
    }
    return out;
  }

  private rowsIn(c: Coll, partitions?: string[]): [string, StoredRow][] {
    return [...c.rows.entries()].filter(([, r]) => !partitions || partitions.includes(r.partition));
  }

  async get(name: string, ids: PrimaryKey[], opts: ReadOptions = {}): Promise<Row[]> {
    this.record('get', name, ids, opts);
    const c = this.coll(name);
    const keys = new Set(this.match(c, '', ids));
    return this.rowsIn(c, opts.partitionNames).filter(([k]) => keys.has(k)).map(([, r]) => this.project(c, r.row, opts.outputFields, true));
  }

  async query(req: QueryRequest): Promise<Row[]> {
    this.record('query', req);
    const c = this.coll(req.collectionName);
    const keys = new Set(this.match(c, req.filter));
    const rows = this.rowsIn(c, req.partitionNames).filter(([k]) => keys.has(k));
    if (req.outputFields?.length === 1 && req.outputFields[0] === 'count(*)') return [{ 'count(*)': rows.length }];
    if (req.filter.trim() === '' && req.limit === undefined) throw invalidParameter('empty expression should be used with limit');
    const start = req.offset ?? 0;
    return rows.slice(start, req.limit === undefined ? undefined : start + req.limit).map(([, r]) => this.project(c, r.row, req.outputFields, true));
  }

  async queryIterator(): Promise<QueryPage> {
    throw notSupported('the query iterator in the test double (tests of it run on a real node)');
  }

  async searchIterator(): Promise<SearchPage> {
    throw notSupported('the search iterator in the test double (tests of it run on a real node)');
  }

  async hybridSearch(): Promise<SearchHit[][]> {
    throw notSupported('hybrid search in the test double (tests of it run on a real node)');
  }

  async search(req: SearchRequest): Promise<SearchHit[][]> {
    this.record('search', req);
    if (req.groupingField !== undefined) throw notSupported('grouping search in the test double (tests of it run on a real node)');
    const c = this.coll(req.collectionName);
    if (!c.loaded) throw new ShoalError(ErrorCode.CollectionNotLoaded, `collection not loaded[collection=${req.collectionName}]`);
    const field = c.desc.schema.fields.find((f) => f.dataType === 'FloatVector' && (!req.annsField || f.name === req.annsField));
    if (!field) throw new ShoalError(ErrorCode.FieldNotFound, `vector field ${req.annsField} not found`);
    const metric = req.searchParams?.metricType ?? c.indexes.find((i) => i.fieldName === field.name)?.metricType ?? 'COSINE';
    const keys = new Set(this.match(c, req.filter ?? ''));
    const pkName = this.pk(c).name;
    if (req.data.some((q) => !(Array.isArray(q) || q instanceof Float32Array))) throw invalidParameter('the test double searches float vectors only');
    return (req.data as (number[] | Float32Array)[]).map((q) => this.rowsIn(c, req.partitionNames).filter(([k]) => keys.has(k))
      .map(([, r]) => ({ id: r.row[pkName] as PrimaryKey, distance: score(metric, q, r.row[field.name] as Float32Array), fields: this.project(c, r.row, req.outputFields ?? [], false) }))
      .sort((a, b) => (metric === 'L2' ? a.distance - b.distance : b.distance - a.distance))
      .slice(req.offset ?? 0, (req.offset ?? 0) + req.limit));
  }
}

/** An Int64 value from number, bigint or decimal string. */
function toInt64(v: unknown, name: string): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number' && Number.isSafeInteger(v)) return BigInt(v);
  if (typeof v === 'string' && /^-?\d+$/.test(v)) return BigInt(v);
  throw new ShoalError(ErrorCode.InvalidInsertData, `field ${name} must be an Int64`);
}

/** Milvus scores: squared L2, inner product, cosine similarity. */
function score(metric: string, q: number[] | Float32Array, v: Float32Array): number {
  let dot = 0, qq = 0, vv = 0, l2 = 0;
  for (let i = 0; i < v.length; i++) {
    dot += q[i] * v[i]; qq += q[i] * q[i]; vv += v[i] * v[i]; l2 += (q[i] - v[i]) ** 2;
  }
  if (metric === 'L2') return l2;
  if (metric === 'IP') return dot;
  return dot / (Math.sqrt(qq) * Math.sqrt(vv) || 1);
}
