import { ErrorCode, ShoalError, invalidParameter } from '@shoal/actors';
import type { IndexSpec, IndexType, MetricType } from '@shoal/ann';
import { vectorField, vectorFields } from '@shoal/shard';
import type { CollectionSchema, ScalarIndexType } from '@shoal/shard';
import type { ConsistencyLevel } from './service.ts';
import { checkIndexReplace, checkScalarIndexAdd } from './index-params.ts';

/** The index of one vector field of a collection, as created (Milvus `indexParams`, resolved). */
export interface IndexMeta {
  indexName: string;
  fieldName: string;
  /** What the user asked for (`AUTOINDEX` stays visible in describe). */
  requestedType: IndexType | 'AUTOINDEX';
  spec: IndexSpec;
  /** Build parameters as given by the user (for describe). */
  params: Record<string, unknown>;
}

/**
 * A scalar index of a collection (Milvus `indexParams` on a scalar field; at most one per field),
 * built on every sealed segment (`@shoal/shard` `scalar-index/`).
 */
export interface ScalarIndexMeta {
  indexName: string;
  fieldName: string;
  indexType: ScalarIndexType;
  /** What the user asked for (`AUTOINDEX` = INVERTED stays visible in describe). */
  requestedType: ScalarIndexType | 'AUTOINDEX';
}

/** A partition: name and id. */
export interface PartitionMeta {
  name: string;
  id: number;
}

/** The metadata of one collection. */
export interface CollectionMeta {
  id: number;
  name: string;
  description: string;
  schema: CollectionSchema;
  shardsNum: number;
  partitions: PartitionMeta[];
  /**
   * Catalogs written before multi-vector collections: the index of the only vector field. Read it
   * through {@link vectorIndexesOf}; `setIndex` moves it into `vectorIndexes`.
   */
  index?: IndexMeta | null;
  /** The vector indexes, one per vector field at most, in creation order. */
  vectorIndexes?: IndexMeta[];
  /** Scalar indexes, one per scalar field at most (absent in catalogs written before they existed). */
  scalarIndexes?: ScalarIndexMeta[];
  loaded: boolean;
  consistencyLevel: ConsistencyLevel;
  createdTimeMs: number;
}

/** The name of the partition every collection has (Milvus `_default`). */
export const DEFAULT_PARTITION = '_default';

/**
 * Metadata commands. They are the entries of the metadata log (a Raft log in the cluster): the
 * catalog is their deterministic state machine, so any replica applying them in order gets the
 * same state.
 */
export type CatalogCommand =
  | { op: 'createCollection'; meta: Omit<CollectionMeta, 'id' | 'partitions'>; partitionNames?: string[] } // default: [_default]
  | { op: 'dropCollection'; name: string }
  | { op: 'createPartition'; collection: string; partition: string }
  | { op: 'dropPartition'; collection: string; partition: string }
  /** Creates `index` on its field, or with `index: null` drops the index of `fieldName` (absent: the first vector field). */
  | { op: 'setIndex'; collection: string; index: IndexMeta | null; fieldName?: string }
  | { op: 'createScalarIndex'; collection: string; index: ScalarIndexMeta }
  | { op: 'dropScalarIndex'; collection: string; indexName: string }
  | { op: 'setLoaded'; collection: string; loaded: boolean }
  | { op: 'extendTso'; upperMs: number }
  | { op: 'extendIds'; upper: string };

/** Serializable catalog state. */
export interface CatalogState {
  formatVersion: 1;
  nextId: number;
  tsoUpperMs: number;
  /** Upper bound (exclusive, decimal) of the auto-ID range handed out so far. */
  autoIdUpper: string;
  collections: CollectionMeta[];
}

/** Limits as in Milvus's defaults (`rootCoord.maxPartitionNum`, …). */
export const CATALOG_LIMITS = { maxCollections: 65_536, maxPartitions: 1024, maxShards: 16 } as const;

/**
 * The metadata state machine: collections, schemas, partitions, indexes, load states, the id
 * allocator and the TSO bound (DESIGN.md, "Raft", use 1). `apply` validates a command against the
 * current state and either throws a `ShoalError` (changing nothing) or applies it.
 */
export class Catalog {
  private state: CatalogState;

  /** A catalog from a persisted state, or empty. */
  constructor(state?: CatalogState) {
    this.state = state ?? { formatVersion: 1, nextId: 1, tsoUpperMs: 0, autoIdUpper: '1', collections: [] };
  }

  /** The whole state (for persisting). Treat as read-only. */
  snapshot(): CatalogState { return this.state; }

  /** The persisted TSO upper bound in ms. */
  get tsoUpperMs(): number { return this.state.tsoUpperMs; }

  /** The persisted upper bound (exclusive) of issued auto IDs. */
  get autoIdUpper(): bigint { return BigInt(this.state.autoIdUpper); }

  /** Names of all collections, in creation order. */
  collectionNames(): string[] { return this.state.collections.map((c) => c.name); }

  /** All collections. Treat as read-only. */
  collections(): readonly CollectionMeta[] { return this.state.collections; }

  /** The collection called `name`, or undefined. */
  find(name: string): CollectionMeta | undefined {
    return this.state.collections.find((c) => c.name === name);
  }

  /**
   * The collection called `name`.
   * @throws ShoalError CollectionNotFound naming it.
   */
  get(name: string): CollectionMeta {
    const c = this.find(name);
    if (!c) throw new ShoalError(ErrorCode.CollectionNotFound, `collection not found[collection=${name}]`);
    return c;
  }

  /**
   * Validates and applies a command. Returns the collection it touched (if any).
   * @throws ShoalError if the command is not valid in the current state; nothing changes then.
   */
  apply(cmd: CatalogCommand): CollectionMeta | undefined {
    switch (cmd.op) {
      case 'createCollection': {
        if (this.find(cmd.meta.name)) throw invalidParameter(`collection "${cmd.meta.name}" already exists`);
        if (this.state.collections.length >= CATALOG_LIMITS.maxCollections) {
          throw invalidParameter(`cannot create collection "${cmd.meta.name}": the limit of ${CATALOG_LIMITS.maxCollections} collections is reached`);
        }
        const id = this.state.nextId++;
        const meta: CollectionMeta = { ...cmd.meta, id, partitions: (cmd.partitionNames ?? [DEFAULT_PARTITION]).map((name) => ({ name, id: this.state.nextId++ })) };
        this.state.collections.push(meta);
        return meta;
      }
      case 'dropCollection': {
        const meta = this.get(cmd.name);
        this.state.collections = this.state.collections.filter((c) => c !== meta);
        return meta;
      }
      case 'createPartition': {
        const meta = this.get(cmd.collection);
        if (meta.partitions.some((p) => p.name === cmd.partition)) throw invalidParameter(`partition "${cmd.partition}" already exists in collection "${meta.name}"`);
        if (meta.partitions.length >= CATALOG_LIMITS.maxPartitions) {
          throw invalidParameter(`collection "${meta.name}" has ${meta.partitions.length} partitions; at most ${CATALOG_LIMITS.maxPartitions} are allowed`);
        }
        meta.partitions.push({ name: cmd.partition, id: this.state.nextId++ });
        return meta;
      }
      case 'dropPartition': {
        const meta = this.get(cmd.collection);
        if (cmd.partition === DEFAULT_PARTITION) throw invalidParameter('the default partition "_default" cannot be dropped');
        const p = meta.partitions.find((x) => x.name === cmd.partition);
        if (!p) throw new ShoalError(ErrorCode.PartitionNotFound, `partition not found[partition=${cmd.partition}] in collection "${meta.name}"`);
        meta.partitions = meta.partitions.filter((x) => x !== p);
        return meta;
      }
      case 'setIndex': {
        // Checked here, in command order, and not only by the router: concurrent requests both pass the router's check.
        const meta = this.get(cmd.collection);
        if (cmd.index) checkIndexReplace(meta, cmd.index);
        else if (meta.loaded) throw invalidParameter(`index cannot be dropped while collection "${meta.name}" is loaded; release it first`);
        const field = cmd.index?.fieldName ?? cmd.fieldName ?? vectorField(meta.schema).name;
        meta.vectorIndexes = [...vectorIndexesOf(meta).filter((i) => i.fieldName !== field), ...(cmd.index ? [cmd.index] : [])];
        delete meta.index;
        return meta;
      }
      case 'createScalarIndex': {
        const meta = this.get(cmd.collection);
        if (!checkScalarIndexAdd(meta, cmd.index)) meta.scalarIndexes = [...scalarIndexesOf(meta), cmd.index];
        return meta;
      }
      case 'dropScalarIndex': {
        const meta = this.get(cmd.collection);
        const found = scalarIndexesOf(meta).find((i) => i.indexName === cmd.indexName);
        if (!found) throw new ShoalError(ErrorCode.IndexNotFound, `index not found[collection=${meta.name}][index=${cmd.indexName}]`);
        if (meta.loaded) throw invalidParameter(`index cannot be dropped while collection "${meta.name}" is loaded; release it first`);
        meta.scalarIndexes = scalarIndexesOf(meta).filter((i) => i !== found);
        return meta;
      }
      case 'setLoaded': {
        const meta = this.get(cmd.collection);
        if (cmd.loaded) checkAllIndexed(meta);
        meta.loaded = cmd.loaded;
        return meta;
      }
      case 'extendTso':
        this.state.tsoUpperMs = Math.max(this.state.tsoUpperMs, cmd.upperMs);
        return undefined;
      case 'extendIds':
        if (BigInt(cmd.upper) > this.autoIdUpper) this.state.autoIdUpper = cmd.upper;
        return undefined;
    }
  }
}

/** The scalar indexes of a collection (none when the catalog entry predates them). */
export function scalarIndexesOf(meta: CollectionMeta): ScalarIndexMeta[] {
  return meta.scalarIndexes ?? [];
}

/** The partition of `meta` called `name`. @throws ShoalError PartitionNotFound naming it. */
export function partitionByName(meta: CollectionMeta, name: string): PartitionMeta {
  const p = meta.partitions.find((x) => x.name === name);
  if (!p) throw new ShoalError(ErrorCode.PartitionNotFound, `partition not found[partition=${name}] in collection "${meta.name}"`);
  return p;
}

/** The vector indexes of a collection, one per indexed vector field (a pre-multi-vector catalog entry's `index` included). */
export function vectorIndexesOf(meta: CollectionMeta): IndexMeta[] {
  return meta.vectorIndexes ?? (meta.index ? [meta.index] : []);
}

/** The index of vector field `fieldName`, or undefined when it has none. */
export function indexOfField(meta: CollectionMeta, fieldName: string): IndexMeta | undefined {
  return vectorIndexesOf(meta).find((i) => i.fieldName === fieldName);
}

/**
 * Checks that every vector field of the collection has an index (Milvus: a collection loads only
 * once each vector field is indexed).
 * @throws ShoalError IndexNotFound naming the fields without an index.
 */
export function checkAllIndexed(meta: CollectionMeta): void {
  const missing = vectorFields(meta.schema).filter((f) => !indexOfField(meta, f.name)).map((f) => `"${f.name}"`);
  if (missing.length > 0) {
    throw new ShoalError(ErrorCode.IndexNotFound, `index not found[collection=${meta.name}]: create an index on vector field${missing.length > 1 ? 's' : ''} ${missing.join(', ')} before loading`);
  }
}

/**
 * The metric used by a search of vector field `fieldName`: its index's, or the `requested` one.
 * @throws ShoalError ParameterInvalid if `requested` differs from the index's metric.
 */
export function metricOf(meta: CollectionMeta, fieldName: string, requested?: MetricType): MetricType {
  const m = indexOfField(meta, fieldName)?.spec.metric;
  if (m && requested && requested !== m) {
    throw invalidParameter(`metric type not match: the index of field "${fieldName}" of collection "${meta.name}" uses ${m}, the search asked for ${requested}`);
  }
  return m ?? requested ?? 'COSINE';
}
