/**
 * The environment of all package code (DESIGN.md, "The determinism rule").
 *
 * Everything under `packages/` reaches time, timers, randomness, disk and network only through
 * an `Env`. `apps/node` passes the real one (`createNodeEnv` in `./node/`); `apps/sim` passes a
 * simulated one driven by a seeded PRNG and a virtual clock, so that a run replays bit for bit.
 */

/** Wall and monotonic time. */
export interface Clock {
  /** Wall-clock time in ms since the Unix epoch (may jump; used for hybrid timestamps). */
  nowMs(): number;
  /** Monotonic time in ms from an arbitrary origin (never goes backwards; used for timeouts and latency). */
  monotonicMs(): number;
}

/** Opaque handle of a scheduled timer. */
export type TimerHandle = { readonly id: number };

/** One-shot timers. Callbacks run on the event loop of the caller, never re-entrantly. */
export interface Timers {
  /** Runs `fn` once after `delayMs` ms (≥ 0). Returns a handle for {@link Timers.clear}. */
  set(delayMs: number, fn: () => void): TimerHandle;
  /** Cancels a timer; a no-op if it already ran or was cleared. */
  clear(handle: TimerHandle): void;
  /** Resolves after `delayMs` ms (convenience over {@link Timers.set}). */
  sleep(delayMs: number): Promise<void>;
}

/** A seedable pseudo-random source. */
export interface Random {
  /** A float uniformly distributed in [0, 1). */
  next(): number;
  /** An unsigned 32-bit integer, uniform. */
  nextU32(): number;
  /** An integer uniform in [0, n), n ≥ 1. */
  int(n: number): number;
  /** `n` random bytes. */
  bytes(n: number): Uint8Array;
}

/** An error of a {@link Disk} operation; `code` follows POSIX names (`ENOENT`, `EEXIST`, `EIO`, …). */
export class DiskError extends Error {
  /** @param code POSIX error name, e.g. `ENOENT`. @param path the path the operation was on. */
  readonly code: string;
  readonly path: string;
  constructor(code: string, path: string, message: string) {
    super(`${code}: ${message} (${path})`);
    this.code = code;
    this.path = path;
    this.name = 'DiskError';
  }
}

/** A file opened for appending (a write-ahead log segment). */
export interface AppendFile {
  /** Current size of the file in bytes, including appended but not yet synced bytes. */
  readonly size: number;
  /** Appends bytes at the end. Not durable until {@link AppendFile.sync} resolves. */
  append(data: Uint8Array): Promise<void>;
  /** fsync: every byte appended before the call is durable when it resolves. */
  sync(): Promise<void>;
  /** Cuts the file to `length` bytes (used to drop a torn tail) and syncs. */
  truncate(length: number): Promise<void>;
  /** Closes the file; further calls throw. */
  close(): Promise<void>;
}

/**
 * A local disk. Paths are `/`-separated and relative to the Env's root data directory; they must
 * not contain `..` segments.
 *
 * Errors: every method rejects with a {@link DiskError} (`ENOENT` for a missing file, `EIO` …).
 */
export interface Disk {
  /** Reads a whole file. Rejects with `ENOENT` if it is missing. */
  readFile(path: string): Promise<Uint8Array>;
  /**
   * Writes a whole file atomically and durably: write to a temporary file, fsync it, rename over
   * `path`, fsync the directory. After it resolves, a crash leaves either the old or the new file.
   */
  writeFileAtomic(path: string, data: Uint8Array): Promise<void>;
  /** Opens (creating if missing) a file for appending at its end. */
  openAppend(path: string): Promise<AppendFile>;
  /** True if a file or directory exists at `path`. */
  exists(path: string): Promise<boolean>;
  /** Names (not paths) of the entries of a directory, sorted; `[]` if it does not exist. */
  list(dir: string): Promise<string[]>;
  /** Creates a directory and its parents; no error if it exists. */
  mkdirp(dir: string): Promise<void>;
  /** Removes a file or a directory tree; no error if missing. */
  remove(path: string): Promise<void>;
  /** Renames a file atomically and syncs the parent directory. */
  rename(from: string, to: string): Promise<void>;
  /**
   * An absolute local filesystem path for `path`, for native libraries that only read and write
   * files by name (hnswlib-node). A simulated disk returns a path in a scratch directory.
   */
  nativePath(path: string): string;
}

/** Identity of a node (a libp2p PeerId string in a real cluster, `node-N` in the simulator). */
export type NodeId = string;

/**
 * Delivery of opaque messages between nodes. A single-node deployment uses the in-process
 * loopback (`LoopbackNetwork`); the cluster issue adds libp2p and the simulator a simulated one.
 * Delivery is at most once, unordered across different destinations.
 */
export interface Network {
  /** This node's identity. */
  readonly self: NodeId;
  /** Sends `bytes` to node `to`; silently dropped if unreachable. */
  send(to: NodeId, bytes: Uint8Array): void;
  /** Installs the handler for incoming messages (one handler; a second call replaces it). */
  onMessage(handler: (from: NodeId, bytes: Uint8Array) => void): void;
}

/** Everything package code may use to touch the outside world. */
export interface Env {
  readonly clock: Clock;
  readonly timers: Timers;
  readonly random: Random;
  readonly disk: Disk;
  readonly network: Network;
}
