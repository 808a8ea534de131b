/**
 * `WorkerPoolIndexBuilder`: index builds on a small fixed pool of `node:worker_threads` workers, so
 * that the thread answering requests never runs one (DESIGN.md, "Indexes"). Each worker runs
 * `buildIndex` on a copy of the vectors and returns the serialized index (its buffer transferred,
 * not copied); the main thread then loads it with `loadIndexAsync`, so it gets the very index the
 * inline builder would make from the same seed.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { ErrorCode, ShoalError } from '@shoal/actors';
import type { ErrorCodeValue } from '@shoal/actors';
import { loadIndexAsync, validateIndexSpec } from '../api.ts';
import { builderClosed } from '../builder.ts';
import type { IndexBuilder } from '../builder.ts';
import type { BuildProgress, IndexSpec, VectorIndex } from '../types.ts';
import { checkVectorKind, isBinaryIndexType, rowLength } from '../vector-kind.ts';
import type { BuildReply, BuildRequest } from './build-protocol.ts';

/** Options of `WorkerPoolIndexBuilder`. */
export interface WorkerPoolOptions {
  /** Number of worker threads, ≥ 1; default max(1, available CPUs − 1). */
  size?: number;
}

interface Job {
  request: BuildRequest;
  onProgress: BuildProgress | undefined;
  resolve: (index: VectorIndex) => void;
  reject: (err: unknown) => void;
}

const WORKER_URL = new URL('./build-worker.ts', import.meta.url);

/**
 * A copy of the first `length` elements of `vectors` in a fresh buffer of its own (one that can be
 * transferred), also when `vectors` is a Node `Buffer`, whose `slice` would return a view.
 */
function copyRows(vectors: Float32Array | Uint8Array, length: number): Float32Array | Uint8Array {
  const end = Math.min(length, vectors.length);
  if (vectors instanceof Float32Array) return vectors.slice(0, end);
  const copy = new Uint8Array(end);
  copy.set(vectors.subarray(0, end));
  return copy;
}

/** A fixed-size pool of build workers (started lazily, at most `size`, reused). See the module comment. */
export class WorkerPoolIndexBuilder implements IndexBuilder {
  /** Maximum number of worker threads. */
  readonly size: number;
  private readonly idle: Worker[] = [];
  private readonly busy = new Map<Worker, Job>();
  private readonly queue: Job[] = [];
  private closed = false;

  /** A pool of `opts.size` workers (default max(1, CPUs − 1)); throws `RangeError` if size < 1. */
  constructor(opts: WorkerPoolOptions = {}) {
    this.size = opts.size ?? Math.max(1, availableParallelism() - 1);
    if (!Number.isInteger(this.size) || this.size < 1) throw new RangeError(`worker pool size must be an integer ≥ 1, got ${this.size}`);
  }

  /**
   * Queues a build (see `IndexBuilder.build`). The spec and the kind of `vectors` (floats, or
   * packed bits for BIN_* types) are validated here first, so those errors reject without a worker
   * round trip. `vectors` is copied (rows 0..count−1 only), so the caller may keep using it.
   */
  build(spec: IndexSpec, vectors: Float32Array | Uint8Array, count: number, seed: number, onProgress?: BuildProgress): Promise<VectorIndex> {
    if (this.closed) return Promise.reject(builderClosed());
    let request: BuildRequest;
    try {
      const normalized = validateIndexSpec(spec);
      checkVectorKind(normalized.type, isBinaryIndexType(normalized.type), vectors, 'build');
      const rows = Number.isInteger(count) && count >= 0 ? count : 0;
      request = { spec: normalized, vectors: copyRows(vectors, rows * rowLength(normalized)), count, seed, progress: onProgress !== undefined };
    } catch (err) {
      return Promise.reject(err);
    }
    return new Promise<VectorIndex>((resolve, reject) => {
      this.queue.push({ request, onProgress, resolve, reject });
      this.pump();
    });
  }

  /** Rejects queued and running builds, then terminates every worker. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const job of this.queue.splice(0)) job.reject(builderClosed());
    const workers = [...this.idle.splice(0), ...this.busy.keys()];
    for (const job of this.busy.values()) job.reject(builderClosed());
    this.busy.clear();
    await Promise.all(workers.map((w) => w.terminate()));
  }

  /** Starts queued jobs on idle workers, spawning new ones up to `size`. */
  private pump(): void {
    while (this.queue.length > 0 && (this.idle.length > 0 || this.busy.size < this.size)) {
      const job = this.queue.shift() as Job;
      const worker = this.idle.pop() ?? this.spawn();
      this.busy.set(worker, job);
      worker.ref();
      worker.postMessage(job.request, [job.request.vectors.buffer as ArrayBuffer]);
    }
  }

  /** A new worker whose replies settle the job it is running. */
  private spawn(): Worker {
    const worker = new Worker(WORKER_URL);
    worker.on('message', (reply: BuildReply) => this.onReply(worker, reply));
    worker.on('error', (err: Error) => this.onCrash(worker, `index build worker failed: ${err.message}`));
    worker.on('exit', (code: number) => this.onCrash(worker, `index build worker exited with code ${code}`));
    return worker;
  }

  private onReply(worker: Worker, reply: BuildReply): void {
    const job = this.busy.get(worker);
    if (job === undefined) return;
    if (reply.type === 'progress') {
      job.onProgress?.(reply.indexedRows, reply.totalRows);
      return;
    }
    this.busy.delete(worker);
    worker.unref();
    this.idle.push(worker);
    if (reply.type === 'done') loadIndexAsync(reply.bytes).then(job.resolve, job.reject);
    else job.reject(reply.code === null ? new Error(reply.message) : new ShoalError(reply.code as ErrorCodeValue, reply.message));
    this.pump();
  }

  /** A worker died: fail its job, forget it, and let the next job spawn a replacement. */
  private onCrash(worker: Worker, message: string): void {
    const job = this.busy.get(worker);
    this.busy.delete(worker);
    const at = this.idle.indexOf(worker);
    if (at >= 0) this.idle.splice(at, 1);
    if (job !== undefined) job.reject(new ShoalError(ErrorCode.ServiceInternal, message));
    if (!this.closed) this.pump();
  }
}
