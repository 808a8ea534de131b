/**
 * The scalar indexes of a shard's sealed segments (Milvus: scalar indexes are built per sealed
 * segment; growing segments are scanned). For each persisted sealed segment and each scalar index
 * the collection declares, the index is built from the segment's column into
 * `segment.scalarIndexes`. Indexes are not persisted: they are rebuilt from the columns when a
 * shard opens (a 1,000,000-row segment takes about 0.25–0.7 s per field, see
 * docs/benchmarks/issue-4-filters.md), which also keeps them consistent with the columns by
 * construction. Each build runs synchronously on the shard's thread; between two builds the
 * builder yields to the event loop (a 0 ms timer), so the shard serves messages in between.
 */
import type { Timers } from '@shoal/actors';
import type { FieldSchema } from '../schema/types.ts';
import type { SealedSegment } from '../segment/sealed.ts';
import { buildScalarIndex } from './build.ts';
import type { ScalarIndexType } from './types.ts';

/** A scalar index the collection declares: its field and type. */
export interface ScalarIndexSpec {
  fieldName: string;
  type: ScalarIndexType;
}

/** Build progress of one scalar index over a shard's sealed segments, in rows. */
export interface ScalarIndexProgress {
  fieldName: string;
  type: ScalarIndexType;
  /** Rows of the sealed segments whose index on this field is built. */
  indexedRows: number;
  /** Rows of all sealed segments. */
  totalRows: number;
  /** Why the last build on this field failed ('' if none did). */
  failReason: string;
}

/** Builds and drops the scalar indexes of a shard's sealed segments (see the module comment). */
export class ScalarIndexBuilds {
  private readonly fields: readonly FieldSchema[];
  private readonly sealed: () => SealedSegment[];
  private readonly timers: Timers;
  private readonly onError?: (what: string, err: unknown) => void;
  private specs: ScalarIndexSpec[];
  /** fieldName → failure of its last build, per spec; cleared when the spec changes. */
  private readonly failures = new Map<string, string>();
  private queue: Promise<void> = Promise.resolve();
  private closed = false;

  /**
   * @param fields the collection's fields; @param specs its scalar indexes;
   * @param sealed the shard's sealed segments (persisted or not; only persisted ones are indexed);
   * @param timers to yield between builds.
   */
  constructor(fields: readonly FieldSchema[], specs: readonly ScalarIndexSpec[], sealed: () => SealedSegment[], timers: Timers, onError?: (what: string, err: unknown) => void) {
    this.fields = fields;
    this.specs = [...specs];
    this.sealed = sealed;
    this.timers = timers;
    this.onError = onError;
    if (this.specs.length > 0) void this.schedule();
  }

  /** The declared scalar indexes changed: drops indexes no longer declared (or of another type), builds the missing ones. */
  set(specs: readonly ScalarIndexSpec[]): Promise<void> {
    for (const old of this.specs) {
      const now = specs.find((s) => s.fieldName === old.fieldName);
      if (!now || now.type !== old.type) this.failures.delete(old.fieldName);
    }
    this.specs = [...specs];
    for (const seg of this.sealed()) {
      for (const [field, index] of seg.scalarIndexes) {
        if (!this.specs.some((s) => s.fieldName === field && s.type === index.type)) seg.scalarIndexes.delete(field);
      }
    }
    return this.schedule();
  }

  /** A sealed segment reached the object store: build its scalar indexes. */
  segmentPersisted(): void {
    if (this.specs.length > 0) void this.schedule();
  }

  /** Progress of each declared index over the sealed segments. */
  progress(): ScalarIndexProgress[] {
    const segs = this.sealed();
    const totalRows = segs.reduce((a, s) => a + s.numRows, 0);
    return this.specs.map((spec) => ({
      fieldName: spec.fieldName,
      type: spec.type,
      indexedRows: segs.reduce((a, s) => a + (s.scalarIndexes.get(spec.fieldName)?.type === spec.type ? s.numRows : 0), 0),
      totalRows,
      failReason: this.failures.get(spec.fieldName) ?? '',
    }));
  }

  /** Resolves when every queued build has run. */
  idle(): Promise<void> { return this.queue; }

  /** Stops building; waits for the build in progress. */
  close(): Promise<void> {
    this.closed = true;
    return this.queue;
  }

  /** Queues one pass over the persisted segments that miss a declared index. */
  private schedule(): Promise<void> {
    this.queue = this.queue.then(() => this.buildMissing());
    return this.queue;
  }

  /** Builds, one at a time, what is missing in the current state (re-read after each yield: specs may change meanwhile). */
  private async buildMissing(): Promise<void> {
    for (;;) {
      const next = this.closed ? undefined : this.nextMissing();
      if (!next) return;
      const { seg, spec } = next;
      const field = this.fields.find((f) => f.name === spec.fieldName);
      try {
        if (!field) throw new Error(`field "${spec.fieldName}" is not in the schema`);
        seg.scalarIndexes.set(field.name, buildScalarIndex(spec.type, field, seg.column(field.name), seg.valid(field.name), seg.numRows));
      } catch (err) {
        this.failures.set(spec.fieldName, `segment ${seg.id}: ${err instanceof Error ? err.message : String(err)}`);
        this.onError?.(`${spec.type} index on "${spec.fieldName}" of segment ${seg.id}`, err);
      }
      await this.timers.sleep(0);
    }
  }

  /** A persisted segment and a declared index it lacks (that has not failed), if any. */
  private nextMissing(): { seg: SealedSegment; spec: ScalarIndexSpec } | undefined {
    for (const seg of this.sealed()) {
      if (!seg.persisted) continue;
      for (const spec of this.specs) {
        if (seg.scalarIndexes.get(spec.fieldName)?.type !== spec.type && !this.failures.has(spec.fieldName)) return { seg, spec };
      }
    }
    return undefined;
  }
}
