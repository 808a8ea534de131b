import type { Actor, ActorContext, Disk } from '@shoal/actors';
import { DiskError } from '@shoal/actors';
import { Catalog } from './catalog.ts';
import type { CatalogCommand, CatalogState, CollectionMeta } from './catalog.ts';
import { TimestampOracle } from './tso.ts';

/** Path of the coordinator actor on every node. */
export const COORD_PATH = 'coord';
/** Where the catalog snapshot is kept on the node's disk. */
export const CATALOG_FILE = 'meta/catalog.json';
/** Auto IDs are reserved in blocks of at least this many. */
const ID_BLOCK = 100_000n;

/** Messages of the coordinator actor. */
export type CoordMsg =
  | { t: 'command'; cmd: CatalogCommand }
  | { t: 'get'; name: string }
  | { t: 'list' }
  | { t: 'tso' }
  | { t: 'allocIds'; count: number };

/**
 * The coordinator actor (`coord`, DESIGN.md "Actors"): owns the metadata catalog, the timestamp
 * oracle and the auto-ID allocator. On a single node the catalog is persisted as a snapshot file
 * (written atomically on every change); the cluster issue replaces that with the metadata Raft
 * group, applying the same {@link CatalogCommand}s.
 *
 * Replies: `command` → the touched `CollectionMeta` (or undefined); `get` → `CollectionMeta`
 * (throws CollectionNotFound); `list` → `CollectionMeta[]`; `tso` → a fresh `bigint` timestamp;
 * `allocIds` → the first of `count` consecutive unused Int64 ids (`bigint`).
 * Returned metadata objects are shared: treat them as read-only.
 */
export class CoordinatorActor implements Actor<CoordMsg> {
  private readonly disk: Disk;
  private catalog = new Catalog();
  private tso!: TimestampOracle;
  private nextAutoId = 0n;

  /** @param disk the node's disk (the catalog lives at {@link CATALOG_FILE}). */
  constructor(disk: Disk) {
    this.disk = disk;
  }

  /** Loads the catalog snapshot (a new node starts empty). */
  async start(ctx: ActorContext): Promise<void> {
    await this.disk.mkdirp('meta');
    this.catalog = new Catalog(await readCatalog(this.disk));
    this.nextAutoId = this.catalog.autoIdUpper;
    this.tso = new TimestampOracle(ctx.env.clock, this.catalog.tsoUpperMs, (upperMs) => this.commit({ op: 'extendTso', upperMs }).then(() => undefined));
  }

  /** Handles one message; see the class comment for replies. */
  async receive(msg: CoordMsg): Promise<unknown> {
    switch (msg.t) {
      case 'command': return this.commit(msg.cmd);
      case 'get': return this.catalog.get(msg.name);
      case 'list': return this.catalog.collections();
      case 'tso': return this.tso.next();
      case 'allocIds': return this.allocIds(msg.count);
    }
  }

  private async allocIds(count: number): Promise<bigint> {
    const n = BigInt(count);
    if (this.nextAutoId + n > this.catalog.autoIdUpper) {
      const upper = this.nextAutoId + (n > ID_BLOCK ? n : ID_BLOCK);
      await this.commit({ op: 'extendIds', upper: String(upper) });
    }
    const first = this.nextAutoId;
    this.nextAutoId += n;
    return first;
  }

  private async commit(cmd: CatalogCommand): Promise<CollectionMeta | undefined> {
    const before = catalogJson(this.catalog.snapshot());
    let touched: CollectionMeta | undefined;
    try {
      touched = this.catalog.apply(cmd);
      await this.disk.writeFileAtomic(CATALOG_FILE, new TextEncoder().encode(catalogJson(this.catalog.snapshot())));
    } catch (err) {
      this.catalog = new Catalog(parseCatalog(before)); // nothing changes on failure
      throw err;
    }
    return touched;
  }
}

async function readCatalog(disk: Disk): Promise<CatalogState | undefined> {
  try {
    return parseCatalog(new TextDecoder().decode(await disk.readFile(CATALOG_FILE)));
  } catch (err) {
    if (err instanceof DiskError && err.code === 'ENOENT') return undefined;
    throw err;
  }
}

/**
 * The catalog's JSON text. A `bigint` (an Int64 field's default value in a schema) is written as
 * `{"$bigint": "<decimal>"}` so that it reads back as a `bigint`, exactly.
 */
function catalogJson(state: CatalogState): string {
  return JSON.stringify(state, (_key, v: unknown) => (typeof v === 'bigint' ? { $bigint: v.toString() } : v));
}

/** Parses {@link catalogJson} text. */
function parseCatalog(text: string): CatalogState {
  return JSON.parse(text, (_key, v: unknown) => {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const o = v as Record<string, unknown>;
      if (typeof o.$bigint === 'string' && Object.keys(o).length === 1) return BigInt(o.$bigint);
    }
    return v;
  }) as CatalogState;
}
