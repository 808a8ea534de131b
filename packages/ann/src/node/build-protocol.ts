/**
 * Messages between `WorkerPoolIndexBuilder` and its build workers (`build-worker.ts`).
 */
import type { IndexSpec } from '../types.ts';

/**
 * Main → worker: build this index. `vectors` (floats, or packed bits for BIN_* types) is a private
 * copy whose buffer was transferred.
 */
export interface BuildRequest {
  spec: IndexSpec;
  vectors: Float32Array | Uint8Array;
  count: number;
  seed: number;
  /** Whether to post `BuildProgressMessage`s. */
  progress: boolean;
}

/** Worker → main: rows indexed so far. */
export interface BuildProgressMessage {
  type: 'progress';
  indexedRows: number;
  totalRows: number;
}

/** Worker → main: the serialized index (buffer transferred). */
export interface BuildDoneMessage {
  type: 'done';
  bytes: Uint8Array;
}

/** Worker → main: the build threw; `code` is the `ShoalError` code if it was one. */
export interface BuildErrorMessage {
  type: 'error';
  code: number | null;
  message: string;
}

/** Any worker → main message. */
export type BuildReply = BuildProgressMessage | BuildDoneMessage | BuildErrorMessage;
