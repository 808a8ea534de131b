/**
 * Index builds off the request thread (DESIGN.md, "Indexes": builds run on worker threads). The
 * `indexer` actor holds an `IndexBuilder`: `WorkerPoolIndexBuilder` (`./node/worker-pool.ts`) in a
 * real node, `InlineIndexBuilder` in tests and the deterministic simulator.
 */
import { ErrorCode, ShoalError } from '@shoal/actors';
import { buildIndex } from './api.ts';
import type { BuildProgress, IndexSpec, VectorIndex } from './types.ts';

/** Builds indexes asynchronously. */
export interface IndexBuilder {
  /**
   * Builds an index of `spec` over rows 0..count−1 of `vectors`, row-major (`count × spec.dim`
   * floats in a `Float32Array`, or for BIN_* types `count × spec.dim/8` bytes in a `Uint8Array`),
   * with randomness from `seed` (integer in [0, 2³² − 1]); same inputs and seed give
   * the same index whichever builder runs it. `onProgress` receives rows indexed so far.
   * Rejects with the errors of `buildIndex` (`ShoalError(ErrorCode.ParameterInvalid)` …), or
   * `ShoalError(ErrorCode.ServiceUnavailable)` once the builder is closed.
   */
  build(spec: IndexSpec, vectors: Float32Array | Uint8Array, count: number, seed: number, onProgress?: BuildProgress): Promise<VectorIndex>;
  /** Stops the builder: pending builds reject, resources (threads) are released. Idempotent. */
  close(): Promise<void>;
}

/** The error of a build asked of (or pending in) a closed builder. */
export function builderClosed(): ShoalError {
  return new ShoalError(ErrorCode.ServiceUnavailable, 'index builder is closed; no more index builds are accepted');
}

/**
 * Builds on the calling thread (synchronously inside `build`, which returns a settled promise):
 * for tests and the simulator, where determinism matters more than responsiveness. FLAT (and
 * BIN_FLAT, see `buildIndex`) indexes keep a reference to `vectors`.
 */
export class InlineIndexBuilder implements IndexBuilder {
  private closed = false;

  /** See `IndexBuilder.build`. */
  build(spec: IndexSpec, vectors: Float32Array | Uint8Array, count: number, seed: number, onProgress?: BuildProgress): Promise<VectorIndex> {
    if (this.closed) return Promise.reject(builderClosed());
    try {
      return Promise.resolve(buildIndex(spec, vectors, count, { seed, onProgress }));
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** Marks the builder closed. */
  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}
