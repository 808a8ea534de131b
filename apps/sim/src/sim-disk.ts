/**
 * A node incarnation's simulated disk: the machine's `MemoryDisk` (which keeps only synced bytes
 * across a crash and may tear the last unsynced write) plus injected read corruption (bit flips),
 * which the code above must detect with checksums (DESIGN.md, "Testing": torn and unsynced writes).
 */
import { DiskError } from '@shoal/actors';
import type { AppendFile, Disk, MemoryDisk, Random } from '@shoal/actors';
import { chance } from './random-tree.ts';
import type { Trace } from './trace.ts';

/** Disk fault parameters. */
export interface DiskFaults {
  /** Probability in [0, 1] that a `readFile` returns its bytes with one random bit flipped. */
  readCorruptionRate: number;
}

/** No disk faults. */
export const CALM_DISK: DiskFaults = { readCorruptionRate: 0 };

/** What a {@link SimDisk} needs from the simulation. */
export interface SimDiskContext {
  /** The node id, for the trace. */
  node: string;
  /** Virtual time, for the trace. */
  nowMs: () => number;
  trace: Trace;
  /** The stream that decides corruption (the node's disk stream). */
  random: Random;
  /** Current fault parameters (read at each call, so a fault schedule may change them). */
  faults: () => DiskFaults;
}

/**
 * A `Disk` over the machine's persistent `MemoryDisk` for one process lifetime. After
 * {@link SimDisk.kill} (the process crashed) every call returns a promise that never settles:
 * a dead process does no I/O and sees no results. `nativePath` throws `ENOTSUP`, as `MemoryDisk`.
 */
export class SimDisk implements Disk {
  readonly #store: MemoryDisk;
  readonly #ctx: SimDiskContext;
  #dead = false;

  constructor(store: MemoryDisk, ctx: SimDiskContext) {
    this.#store = store;
    this.#ctx = ctx;
  }

  /** The process died: every later call hangs forever. */
  kill(): void {
    this.#dead = true;
  }

  /** Reads a file; with probability `readCorruptionRate` one random bit of the copy is flipped. @throws DiskError as `MemoryDisk`. */
  async readFile(path: string): Promise<Uint8Array> {
    const data = await this.#io(() => this.#store.readFile(path));
    const { random } = this.#ctx;
    if (data.byteLength > 0 && chance(random, this.#ctx.faults().readCorruptionRate)) {
      const bit = random.int(data.byteLength * 8);
      data[bit >> 3] ^= 1 << (bit & 7);
      this.#ctx.trace.record(this.#ctx.nowMs(), this.#ctx.node, 'disk-corrupt', `${path} bit ${bit}`);
    }
    return data;
  }

  /** As `MemoryDisk.writeFileAtomic`. */
  writeFileAtomic(path: string, data: Uint8Array): Promise<void> {
    return this.#io(() => this.#store.writeFileAtomic(path, data));
  }

  /** As `MemoryDisk.openAppend`; the handle hangs too once the process died. */
  async openAppend(path: string): Promise<AppendFile> {
    const file = await this.#io(() => this.#store.openAppend(path));
    return new SimAppendFile(file, (op) => this.#io(op));
  }

  /** As `MemoryDisk.exists`. */
  exists(path: string): Promise<boolean> {
    return this.#io(() => this.#store.exists(path));
  }

  /** As `MemoryDisk.list`. */
  list(dir: string): Promise<string[]> {
    return this.#io(() => this.#store.list(dir));
  }

  /** As `MemoryDisk.mkdirp`. */
  mkdirp(dir: string): Promise<void> {
    return this.#io(() => this.#store.mkdirp(dir));
  }

  /** As `MemoryDisk.remove`. */
  remove(path: string): Promise<void> {
    return this.#io(() => this.#store.remove(path));
  }

  /** As `MemoryDisk.rename`. */
  rename(from: string, to: string): Promise<void> {
    return this.#io(() => this.#store.rename(from, to));
  }

  /** Not available in the simulator. @throws DiskError `ENOTSUP` always. */
  nativePath(path: string): string {
    throw new DiskError('ENOTSUP', path, 'the simulated disk has no native filesystem path');
  }

  #io<T>(op: () => Promise<T>): Promise<T> {
    if (this.#dead) return new Promise<T>(() => {});
    return op();
  }
}

/** An append handle whose calls hang once the process died. */
class SimAppendFile implements AppendFile {
  readonly #file: AppendFile;
  readonly #io: <T>(op: () => Promise<T>) => Promise<T>;

  constructor(file: AppendFile, io: <T>(op: () => Promise<T>) => Promise<T>) {
    this.#file = file;
    this.#io = io;
  }

  /** Size including unsynced bytes. */
  get size(): number {
    return this.#file.size;
  }

  /** Appends (not durable until `sync`). */
  append(data: Uint8Array): Promise<void> {
    return this.#io(() => this.#file.append(data));
  }

  /** fsync. */
  sync(): Promise<void> {
    return this.#io(() => this.#file.sync());
  }

  /** Cuts the file and syncs. */
  truncate(length: number): Promise<void> {
    return this.#io(() => this.#file.truncate(length));
  }

  /** Closes the handle. */
  close(): Promise<void> {
    return this.#io(() => this.#file.close());
  }
}
