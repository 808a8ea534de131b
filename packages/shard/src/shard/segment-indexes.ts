import { invalidParameter } from '@shoal/actors';
import type { IndexSpec } from '@shoal/ann';
import { vectorField, vectorFields } from '../schema/build.ts';
import type { SealedSegment } from '../segment/sealed.ts';
import { ScalarIndexBuilds } from '../scalar-index/segment-builds.ts';
import type { ShardOptions } from './shard.ts';
import { VectorFieldIndexes } from './vector-field-indexes.ts';
import type { VectorIndexProgress } from './vector-field-indexes.ts';


/** Index progress summed over a shard's vector fields, in rows (see {@link SegmentIndexes.progress}). */
export interface IndexProgress {
  indexedRows: number;
  loadedRows: number;
  totalRows: number;
  failReason: string;
}

/**
 * Every index of a shard's sealed segments: one {@link VectorFieldIndexes} per vector field (Milvus:
 * each vector field has its own index, at most one) and the scalar indexes ({@link scalar}).
 * A field's starting spec is `opts.vectorIndexes[name]`, or for the first vector field `opts.index`.
 */
export class SegmentIndexes {
  private readonly fields = new Map<string, VectorFieldIndexes>();
  private readonly firstField: string;
  /** The scalar indexes of the sealed segments (built from the columns, not persisted). */
  readonly scalar: ScalarIndexBuilds;

  /** @param sealed the shard's sealed segments (persisted or not). */
  constructor(opts: ShardOptions, sealed: () => SealedSegment[]) {
    this.firstField = vectorField(opts.schema).name;
    for (const f of vectorFields(opts.schema)) {
      const spec = opts.vectorIndexes?.[f.name] ?? (f.name === this.firstField ? opts.index : null);
      this.fields.set(f.name, new VectorFieldIndexes(opts, f, spec, sealed));
    }
    this.scalar = new ScalarIndexBuilds(opts.schema.fields, opts.scalarIndexes ?? [], sealed, opts.env.timers, opts.onError);
  }

  /** The index spec of each vector field that has one, by field name. */
  specs(): Record<string, IndexSpec> {
    const out: Record<string, IndexSpec> = {};
    for (const [name, f] of this.fields) if (f.indexSpec) out[name] = f.indexSpec;
    return out;
  }

  /** Notes which persisted segments already have index files (see `VectorFieldIndexes.scanBuilt`). */
  async scanBuilt(): Promise<void> {
    await Promise.all([...this.fields.values()].map((f) => f.scanBuilt()));
  }

  /** For a loaded collection, loads every index file that exists (awaited). */
  async loadBuilt(): Promise<void> {
    await Promise.all([...this.fields.values()].map((f) => f.loadBuilt()));
  }

  /** Re-applies every field's current spec: builds what is missing, in the background of the caller. */
  async reapply(): Promise<void> {
    await Promise.all([...this.fields.values()].map((f) => f.setSpec(f.indexSpec)));
  }

  /** A segment reached the object store: index each of its vector fields that has an index. */
  segmentPersisted(seg: SealedSegment): void {
    for (const f of this.fields.values()) f.segmentPersisted(seg);
    this.scalar.segmentPersisted();
  }

  /**
   * Sets or clears the index of vector field `fieldName` (default: the first vector field).
   * @throws ShoalError ParameterInvalid if `fieldName` is not a vector field of the schema.
   */
  setSpec(spec: IndexSpec | null, fieldName = this.firstField): Promise<void> {
    const f = this.fields.get(fieldName);
    if (!f) throw invalidParameter(`"${fieldName}" is not a vector field of this shard's collection; vector fields: ${[...this.fields.keys()].join(', ')}`);
    return f.setSpec(spec);
  }

  /** The collection was loaded or released: load index files into memory, or drop them. */
  async loadedChanged(): Promise<void> {
    await Promise.all([...this.fields.values()].map((f) => f.loadedChanged()));
  }

  /** Progress of each vector field's index, in field order. */
  fieldProgress(): VectorIndexProgress[] {
    return [...this.fields.values()].map((f) => f.progress());
  }

  /**
   * Progress over sealed segments of the vector fields that have an index (all of them when none
   * has): the least `indexedRows` and `loadedRows` of any such field — a segment counts as loaded
   * only once every field's index is — the sealed rows, and the first failure.
   */
  progress(): IndexProgress {
    const all = [...this.fields.values()];
    const withSpec = all.filter((f) => f.indexSpec);
    const per = (withSpec.length > 0 ? withSpec : all).map((f) => f.progress());
    return {
      indexedRows: Math.min(...per.map((p) => p.indexedRows)),
      loadedRows: Math.min(...per.map((p) => p.loadedRows)),
      totalRows: per[0].totalRows,
      failReason: per.find((p) => p.failReason)?.failReason ?? '',
    };
  }

  /** Resolves when no build or load (vector or scalar) is running. */
  async idle(): Promise<void> {
    await Promise.all([...this.fields.values()].map((f) => f.idle()));
    await this.scalar.idle();
  }

  /** Stops starting new work and waits for running work. */
  async close(): Promise<void> {
    await this.scalar.close();
    await Promise.all([...this.fields.values()].map((f) => f.close()));
  }
}
