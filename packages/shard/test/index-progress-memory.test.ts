import { describe, expect, it } from 'vitest';
import { MemoryDisk } from '@shoal/actors';
import { createTestEnv } from '@shoal/actors/node';
import { InlineIndexBuilder } from '@shoal/ann';
import type { BuildProgress, IndexBuilder, IndexSpec, VectorIndex } from '@shoal/ann';
import { WorkerPoolIndexBuilder } from '@shoal/ann/node';
import { buildSchema, LocalObjectStore, openShard } from '../src/index.ts';
import type { ColumnBatch, Shard } from '../src/index.ts';

const DIM = 8;
const schema = buildSchema('mem', '', [
  { name: 'id', dataType: 'Int64', isPrimaryKey: true },
  { name: 'tag', dataType: 'VarChar', maxLength: 32 },
  { name: 'v', dataType: 'FloatVector', dim: DIM },
], false);
const hnsw: IndexSpec = { type: 'HNSW', metric: 'L2', dim: DIM, params: { M: 4, efConstruction: 8 } };

type Progress = ReturnType<Shard['indexProgress']>;

/**
 * Wraps a builder: after each progress report has reached the shard, samples the shard's progress
 * (so a build's intermediate states are observed without timing), and keeps the built indexes.
 */
class SamplingBuilder implements IndexBuilder {
  readonly samples: Progress[] = [];
  readonly built: VectorIndex[] = [];
  shard: Shard | null = null;
  private readonly inner: IndexBuilder;
  constructor(inner: IndexBuilder) { this.inner = inner; }
  async build(spec: IndexSpec, vectors: Float32Array, count: number, seed: number, onProgress?: BuildProgress): Promise<VectorIndex> {
    const index = await this.inner.build(spec, vectors, count, seed, (indexed, total) => {
      onProgress?.(indexed, total);
      if (this.shard) this.samples.push(this.shard.indexProgress());
    });
    this.built.push(index);
    return index;
  }
  close(): Promise<void> { return this.inner.close(); }
}

async function open(builder: SamplingBuilder, index: IndexSpec | null = hnsw): Promise<Shard> {
  const disk = new MemoryDisk();
  const shard = await openShard({
    env: createTestEnv({ disk }), store: new LocalObjectStore(disk), collectionId: 11n, shardNo: 0, schema,
    walDir: 'wal/11/0', indexBuilder: builder, index, loaded: true,
  });
  builder.shard = shard;
  return shard;
}

/** Rows `from..from+n−1`: deterministic vectors, tags `t<i>`. */
function batch(from: number, n: number): ColumnBatch {
  const v = new Float32Array(n * DIM);
  let s = from + 1;
  for (let i = 0; i < v.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    v[i] = s / 2 ** 32;
  }
  return { numRows: n, columns: { id: BigInt64Array.from({ length: n }, (_, i) => BigInt(from + i)), tag: Array.from({ length: n }, (_, i) => `t${from + i}`), v } };
}

let ts = 0n;
const nextTs = (): bigint => (ts += 1n);

/** Checks a build's samples: strictly between 0 and the total, never decreasing, advancing at least `steps` times. */
function expectAdvancing(samples: Progress[], total: number, steps: number): void {
  expect(samples.length).toBeGreaterThan(0);
  for (const p of samples) {
    expect(p.totalRows).toBe(total);
    expect(p.indexedRows).toBeGreaterThan(0);
    expect(p.indexedRows).toBeLessThan(total);
  }
  const seen = samples.map((p) => p.indexedRows);
  for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeGreaterThanOrEqual(seen[i - 1]);
  expect(new Set(seen).size).toBeGreaterThanOrEqual(steps);
}

describe('index progress during a build', () => {
  it('counts the rows a running HNSW build has reported, monotonically, and all rows once its file is stored (inline builder)', async () => {
    const builder = new SamplingBuilder(new InlineIndexBuilder());
    const shard = await open(builder);
    await shard.insert(batch(0, 12_500), nextTs(), 0);
    await shard.flush();
    await shard.indexesIdle();
    expectAdvancing(builder.samples, 12_500, 3); // HNSW reports every 4,096 rows
    expect(shard.indexProgress()).toMatchObject({ indexedRows: 12_500, loadedRows: 12_500, totalRows: 12_500, failReason: '' });
    await shard.close();
  });

  it('forwards progress from a worker thread (worker pool builder)', async () => {
    const builder = new SamplingBuilder(new WorkerPoolIndexBuilder({ size: 1 }));
    const shard = await open(builder);
    try {
      await shard.insert(batch(0, 9_000), nextTs(), 0);
      await shard.flush();
      await shard.indexesIdle();
      expectAdvancing(builder.samples, 9_000, 2);
      expect(shard.indexProgress()).toMatchObject({ indexedRows: 9_000, totalRows: 9_000 });
    } finally {
      await shard.close();
      await builder.close();
    }
  });

  it('a spec change during a build forgets that build\'s progress', async () => {
    const gated = new GatedBuilder();
    const builder = new SamplingBuilder(gated);
    const shard = await open(builder, null);
    await shard.insert(batch(0, 5_000), nextTs(), 0);
    await shard.flush();
    expect(shard.indexProgress()).toMatchObject({ indexedRows: 0, totalRows: 5_000 });
    const first = shard.setIndex(hnsw);
    await gated.started;
    expect(shard.indexProgress()).toMatchObject({ indexedRows: 2_500, totalRows: 5_000 });
    const second = shard.setIndex({ type: 'FLAT', metric: 'L2', dim: DIM, params: {} });
    expect(shard.indexProgress().indexedRows).toBe(0);
    gated.open();
    await Promise.all([first, second]);
    await shard.indexesIdle();
    expect(shard.indexProgress()).toMatchObject({ indexedRows: 5_000, totalRows: 5_000 });
    expect(shard.memory()[0].indexType).toBe('FLAT');
    await shard.close();
  });
});

/** Reports half of its first build's rows, then holds that build until `open()`; later builds run at once. */
class GatedBuilder implements IndexBuilder {
  private readonly inner = new InlineIndexBuilder();
  private release = (): void => {};
  private readonly gate = new Promise<void>((resolve) => { this.release = resolve; });
  private markStarted = (): void => {};
  private first = true;
  /** Resolves once the first build has reported its progress. */
  readonly started = new Promise<void>((resolve) => { this.markStarted = resolve; });
  open(): void { this.release(); }
  async build(spec: IndexSpec, vectors: Float32Array, count: number, seed: number, onProgress?: BuildProgress): Promise<VectorIndex> {
    if (this.first) {
      this.first = false;
      onProgress?.(count / 2, count);
      this.markStarted();
      await this.gate;
    }
    return this.inner.build(spec, vectors, count, seed, onProgress);
  }
  close(): Promise<void> { return this.inner.close(); }
}

describe('segment memory', () => {
  it('reports raw and index bytes per segment: index bytes are the loaded index\'s memoryBytes(); a segment keeps its raw size when sealed', async () => {
    const builder = new SamplingBuilder(new InlineIndexBuilder());
    const shard = await open(builder);
    await shard.insert(batch(0, 300), nextTs(), 0);
    await shard.insert(batch(300, 200), nextTs(), 5);
    const [growing] = shard.memory();
    const tagBytes = Array.from({ length: 500 }, (_, i) => `t${i}`.length + 32).reduce((a, b) => a + b, 0);
    expect(growing).toEqual({
      segmentId: growing.segmentId, state: 'Growing', rows: 500, deletedRows: 0, partitionIds: [0, 5],
      rawBytes: 500 * (20 + 8 + DIM * 4) + tagBytes, rawVectorBytes: 500 * DIM * 4, indexType: null, indexBytes: 0, vectorIndexes: [],
      scalarIndexBytes: 0, scalarIndexes: [],
    });
    await shard.delete([3n], nextTs());
    await shard.flush();
    await shard.indexesIdle();
    await shard.insert(batch(1000, 7), nextTs(), 0);
    const [sealed, fresh] = shard.memory();
    expect(builder.built).toHaveLength(1);
    expect(builder.built[0].memoryBytes()).toBeGreaterThan(0);
    expect(sealed).toEqual({
      ...growing, state: 'Sealed', deletedRows: 1, indexType: 'HNSW', indexBytes: builder.built[0].memoryBytes(),
      vectorIndexes: [{ fieldName: 'v', indexType: 'HNSW', indexBytes: builder.built[0].memoryBytes() }],
    });
    expect(fresh).toMatchObject({ state: 'Growing', rows: 7, partitionIds: [0], rawVectorBytes: 7 * DIM * 4, indexType: null, indexBytes: 0 });
    expect(fresh.segmentId).not.toBe(sealed.segmentId);
    await shard.setLoaded(false);
    expect(shard.memory()[0]).toMatchObject({ state: 'Sealed', rawBytes: growing.rawBytes, indexType: null, indexBytes: 0 });
    await shard.close();
  });

  it('an empty shard reports no segments', async () => {
    const shard = await open(new SamplingBuilder(new InlineIndexBuilder()));
    expect(shard.memory()).toEqual([]);
    await shard.close();
  });
});
