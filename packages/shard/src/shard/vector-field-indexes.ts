import { loadIndexAsync, minRowsToBuild } from '@shoal/ann';
import type { IndexSpec, VectorIndex } from '@shoal/ann';
import type { FieldSchema } from '../schema/types.ts';
import type { SealedSegment } from '../segment/sealed.ts';
import { indexKey } from '../segment/segment-io.ts';
import type { ShardOptions } from './shard.ts';

/** True if two index specs describe the same index (type, metric, dim and build parameters). */
export function sameSpec(a: IndexSpec, b: IndexSpec): boolean {
  return a.type === b.type && a.metric === b.metric && a.dim === b.dim && JSON.stringify(sortKeys(a.params)) === JSON.stringify(sortKeys(b.params));
}

function sortKeys(o: object): [string, unknown][] {
  return Object.entries(o).sort(([a], [b]) => a.localeCompare(b));
}

/** Index progress of one vector field over a shard's sealed segments, in rows (see {@link VectorFieldIndexes.progress}). */
export interface VectorIndexProgress {
  fieldName: string;
  indexedRows: number;
  loadedRows: number;
  totalRows: number;
  failReason: string;
}

/**
 * The ANN indexes of one vector field over a shard's sealed segments (DESIGN.md, "Data plane":
 * sealed segments are indexed in the background, then swapped in). For each persisted sealed
 * segment and the field's index spec, it loads the index file
 * (`collections/<cid>/segments/<sid>/index/<fieldId>`) from the object store, or builds it on the
 * index builder (worker threads) and stores it. A corrupt or mismatched file is reported and
 * rebuilt from the raw vectors. While the collection is released, indexes are built and stored
 * but not kept in memory. Loaded indexes sit in `seg.vectorIndexes` under the field's name.
 */
export class VectorFieldIndexes {
  private readonly opts: ShardOptions;
  private readonly field: FieldSchema;
  private readonly sealed: () => SealedSegment[];
  /** Segments whose index file for the current spec is in the object store (built earlier or now). */
  private readonly built = new Set<number>();
  /**
   * Segments too small to train the current index on (fewer rows than `minRowsToBuild`, e.g. an
   * IVF index's `nlist`): they are searched exactly by brute force and count as indexed.
   */
  private readonly exact = new Set<number>();
  private readonly inFlight = new Map<number, Promise<void>>();
  /**
   * Rows indexed so far by each running build, as its builder last reported (`onProgress`);
   * only intermediate reports are kept, so a segment counts in full only once its file is stored.
   */
  private readonly building = new Map<number, number>();
  /** The spec the current state (`built`, `exact`) belongs to. */
  private spec: IndexSpec | null;
  /** The field's index spec as last set (the one to build). */
  private current: IndexSpec | null;
  private failReason = '';
  private closed = false;

  /**
   * @param field the vector field.
   * @param spec its index, if one was created.
   * @param sealed the shard's sealed segments (persisted or not).
   */
  constructor(opts: ShardOptions, field: FieldSchema, spec: IndexSpec | null, sealed: () => SealedSegment[]) {
    this.opts = opts;
    this.field = field;
    this.sealed = sealed;
    this.spec = spec;
    this.current = spec;
  }

  /** The field's index spec, or null when it has none. */
  get indexSpec(): IndexSpec | null { return this.current; }

  /**
   * Notes which persisted segments already have an index file (a cheap existence check, no
   * read), so that progress reports built indexes as built right after a restart, while they
   * are still being loaded. The file is verified when loaded; a bad one is rebuilt.
   */
  async scanBuilt(): Promise<void> {
    if (!this.spec) return;
    const min = minRowsToBuild(this.spec);
    for (const seg of this.persisted()) if (seg.numRows < min) this.exact.add(seg.id);
    const found = await Promise.all(this.persisted().map(async (seg) => ((await this.opts.store.exists(this.key(seg))) ? seg.id : -1)));
    for (const id of found) if (id >= 0) this.built.add(id);
  }

  /**
   * For a loaded collection, loads every index file of the field that exists (awaited: a restarted node serves
   * with its indexes, not brute force); missing or bad ones are left to {@link specChanged}.
   */
  async loadBuilt(): Promise<void> {
    if (!this.spec || !this.opts.loaded) return;
    await Promise.all(this.persisted().filter((seg) => this.built.has(seg.id)).map((seg) => this.ensure(seg, false)));
  }

  /** A segment reached the object store: index it if the field has an index. */
  segmentPersisted(seg: SealedSegment): void {
    void this.ensure(seg);
  }

  /** Sets the field's index spec (created, replaced or dropped): rebuilds or drops every segment's index. */
  async setSpec(spec: IndexSpec | null): Promise<void> {
    this.current = spec;
    if (!(spec && this.spec && sameSpec(spec, this.spec))) {
      this.built.clear();
      this.exact.clear();
      this.building.clear();
      this.failReason = '';
    }
    this.spec = spec;
    await Promise.all(this.persisted().map(async (seg) => {
      if (!spec) {
        seg.vectorIndexes.delete(this.field.name);
        await this.opts.store.delete(this.key(seg));
      } else {
        const own = seg.vectorIndexes.get(this.field.name);
        if (own && !sameSpec(own.spec, spec)) seg.vectorIndexes.delete(this.field.name);
        await this.ensure(seg);
      }
    }));
  }

  /** The collection was loaded or released: load index files into memory, or drop them. */
  async loadedChanged(): Promise<void> {
    if (!this.opts.loaded) {
      for (const seg of this.sealed()) seg.vectorIndexes.delete(this.field.name);
      return;
    }
    await Promise.all(this.persisted().map((s) => this.ensure(s)));
  }

  /**
   * Progress over sealed segments, in rows: indexed (`indexedRows`: rows of segments whose index
   * file is built or that are searched exactly, plus the rows a running build has reported so
   * far, so that a large segment's progress advances during its build), with the index loaded in
   * memory (`loadedRows`), all (`totalRows`); and the last failure. `indexedRows` only grows while
   * the spec stays the same, and equals `totalRows` only once every sealed segment's index is stored.
   */
  progress(): VectorIndexProgress {
    let indexedRows = 0;
    let loadedRows = 0;
    let totalRows = 0;
    for (const seg of this.sealed()) {
      totalRows += seg.numRows;
      if (this.built.has(seg.id) || this.exact.has(seg.id)) indexedRows += seg.numRows;
      else indexedRows += this.building.get(seg.id) ?? 0;
      if (seg.vectorIndexes.has(this.field.name) || (this.opts.loaded && this.exact.has(seg.id))) loadedRows += seg.numRows;
    }
    return { fieldName: this.field.name, indexedRows, loadedRows, totalRows, failReason: this.failReason };
  }

  /** Resolves when no build or load is running. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all(this.inFlight.values());
  }

  /** Stops starting new work and waits for running work. */
  async close(): Promise<void> {
    this.closed = true;
    await this.idle();
  }

  private persisted(): SealedSegment[] {
    return this.sealed().filter((s) => s.persisted);
  }

  private key(seg: SealedSegment): string {
    return indexKey(this.opts.collectionId, seg.id, this.field.fieldId);
  }

  /** Loads or (if `build`) builds the index of `seg` unless it is already where it should be. */
  private ensure(seg: SealedSegment, build = true): Promise<void> {
    const running = this.inFlight.get(seg.id);
    if (running) return running.then(() => this.ensure(seg, build));
    const spec = this.current;
    if (this.closed || !spec || !seg.persisted) return Promise.resolve();
    if (this.exact.has(seg.id) || (this.opts.loaded ? seg.vectorIndexes.has(this.field.name) : this.built.has(seg.id))) return Promise.resolve();
    const task = this.loadOrBuild(seg, spec, build)
      .catch((err: unknown) => {
        this.failReason = `segment ${seg.id}, field "${this.field.name}": ${err instanceof Error ? err.message : String(err)}`;
        this.opts.onError?.(`index of field "${this.field.name}" of segment ${seg.id}`, err);
      })
      .finally(() => {
        this.inFlight.delete(seg.id);
        this.building.delete(seg.id);
      });
    this.inFlight.set(seg.id, task);
    return task;
  }

  private async loadOrBuild(seg: SealedSegment, spec: IndexSpec, build: boolean): Promise<void> {
    if (seg.numRows < minRowsToBuild(spec)) {
      this.exact.add(seg.id);
      seg.vectorIndexes.delete(this.field.name);
      return;
    }
    const { store } = this.opts;
    const key = this.key(seg);
    let index: VectorIndex | null = null;
    if (await store.exists(key)) {
      if (!this.opts.loaded) { this.built.add(seg.id); return; } // built; loaded on `load`
      try {
        index = await loadIndexAsync(await store.get(key));
        if (!sameSpec(index.spec, spec) || index.count !== seg.numRows) {
          this.opts.onError?.(`index file ${key} does not match the index (${index.spec.type}, ${index.count} rows); rebuilding it`, null);
          index = null;
        }
      } catch (err) {
        this.opts.onError?.(`index file ${key} is unreadable; rebuilding it from the raw vectors`, err);
        index = null;
      }
      if (!index) this.built.delete(seg.id);
    }
    if (!index && !build) return;
    if (!index) {
      const onProgress = (indexedRows: number, totalRows: number): void => {
        if (indexedRows < totalRows && this.current === spec) this.building.set(seg.id, indexedRows);
      };
      index = await this.opts.indexBuilder.build(spec, seg.column(this.field.name) as Float32Array | Uint8Array, seg.numRows, seg.id % 2 ** 31, onProgress);
      if (this.current !== spec) return; // the spec changed while building: drop the result
      await store.put(key, index.serialize());
    }
    if (this.current !== spec) return;
    this.built.add(seg.id);
    if (this.opts.loaded) seg.vectorIndexes.set(this.field.name, index);
    else seg.vectorIndexes.delete(this.field.name);
  }
}
