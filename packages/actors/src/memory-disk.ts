/**
 * An in-memory {@link Disk} with crash semantics, for tests and the simulator (DESIGN.md,
 * "Testing": torn and unsynced disk writes).
 */
import { diskPathSegments } from './disk-path.ts';
import { DiskError } from './env.ts';
import type { AppendFile, Disk, Random } from './env.ts';

/** Contents of one file ("inode"): `data[0, length)` are its bytes, `data[0, synced)` survive a crash. */
interface Inode {
  data: Uint8Array;
  length: number;
  synced: number;
}

/** A directory entry: a file or a directory. */
type Entry = Inode | 'dir';

/** Options of {@link MemoryDisk.crash}. */
export interface CrashOptions {
  /**
   * Model a torn write: of the files with unsynced bytes, one (chosen with `random`) keeps a
   * random-length prefix (possibly empty, possibly all) of its unsynced tail. Requires `random`.
   */
  tornTail?: boolean;
  /** The randomness for `tornTail` (the simulator's seeded PRNG). */
  random?: Random;
}

/**
 * A {@link Disk} held in memory, deterministic and without timers (every call settles after a
 * microtask), that models what a real disk keeps across a power loss:
 *
 * - `writeFileAtomic`, `mkdirp`, `remove`, `rename`, the creation of a file by `openAppend`, and
 *   `AppendFile.truncate` are durable when they resolve (as {@link NodeDisk} makes them with
 *   directory fsyncs).
 * - Bytes appended to an {@link AppendFile} become durable when a later `sync` is called (a
 *   memory sync takes no time; to model an fsync in flight, wrap the disk and delay the call);
 *   {@link MemoryDisk.crash} drops every unsynced byte (optionally keeping a torn prefix).
 *
 * It behaves like POSIX for directories: creating a file needs an existing parent directory
 * (`ENOENT`), a file is not a directory (`ENOTDIR`, `EISDIR`). Paths follow the {@link Disk}
 * rules (relative, `/`-separated, no `..`: `EINVAL`). Reads and writes copy, so callers may
 * mutate their buffers freely.
 *
 * `nativePath` is not available: it throws `DiskError('ENOTSUP')`, since nothing of this disk
 * exists on the real filesystem. Code that needs native files (hnswlib-node) must run on `NodeDisk`.
 */
export class MemoryDisk implements Disk {
  /** Every entry by normalized path (`a/b/c`); the root directory is `''`. */
  readonly #entries = new Map<string, Entry>([['', 'dir']]);
  /** Child names of each directory. */
  readonly #children = new Map<string, Set<string>>([['', new Set()]]);
  /** Incremented by every crash; append handles of an older epoch are dead. */
  #epoch = 0;

  /** A copy of the file at `path`. @throws DiskError `ENOENT`, `EISDIR`. */
  async readFile(path: string): Promise<Uint8Array> {
    const inode = this.#file(path);
    return inode.data.slice(0, inode.length);
  }

  /** Replaces (or creates) the file at `path` with a copy of `data`, durably. @throws DiskError `ENOENT` (no parent), `EISDIR`. */
  async writeFileAtomic(path: string, data: Uint8Array): Promise<void> {
    const key = this.#key(path);
    this.#requireParent(key, path);
    if (this.#entries.get(key) === 'dir') throw new DiskError('EISDIR', path, 'is a directory');
    this.#link(key, { data: data.slice(), length: data.byteLength, synced: data.byteLength });
  }

  /** Opens (creating durably if missing) the file at `path` for appending. @throws DiskError `ENOENT` (no parent), `EISDIR`. */
  async openAppend(path: string): Promise<AppendFile> {
    const key = this.#key(path);
    let entry = this.#entries.get(key);
    if (entry === 'dir') throw new DiskError('EISDIR', path, 'is a directory');
    if (entry === undefined) {
      this.#requireParent(key, path);
      entry = { data: new Uint8Array(0), length: 0, synced: 0 };
      this.#link(key, entry);
    }
    const epoch = this.#epoch;
    return new MemoryAppendFile(entry, path, () => this.#epoch === epoch);
  }

  /** True if a file or directory exists at `path`. */
  async exists(path: string): Promise<boolean> {
    return this.#entries.has(this.#key(path));
  }

  /** Sorted names of the entries of `dir`; `[]` if it does not exist. @throws DiskError `ENOTDIR` if it is a file. */
  async list(dir: string): Promise<string[]> {
    const key = this.#key(dir);
    const entry = this.#entries.get(key);
    if (entry === undefined) return [];
    if (entry !== 'dir') throw new DiskError('ENOTDIR', dir, 'not a directory');
    return [...(this.#children.get(key) ?? [])].sort();
  }

  /** Creates `dir` and its parents. @throws DiskError `ENOTDIR`/`EEXIST` if a file is in the way. */
  async mkdirp(dir: string): Promise<void> {
    const segments = diskPathSegments(dir);
    for (let i = 1; i <= segments.length; i++) {
      const key = segments.slice(0, i).join('/');
      const entry = this.#entries.get(key);
      if (entry === undefined) this.#link(key, 'dir');
      else if (entry !== 'dir') throw new DiskError(i === segments.length ? 'EEXIST' : 'ENOTDIR', dir, `${key} is a file`);
    }
  }

  /** Removes a file or directory tree; no error if missing. @throws DiskError `EINVAL` for the root. */
  async remove(path: string): Promise<void> {
    const key = this.#key(path);
    if (key === '') throw new DiskError('EINVAL', path, 'refusing to remove the data directory itself');
    if (!this.#entries.has(key)) return;
    for (const k of this.#subtree(key)) {
      this.#entries.delete(k);
      this.#children.delete(k);
    }
    this.#children.get(parentKey(key))?.delete(baseName(key));
  }

  /**
   * Renames a file (replacing a file at `to`) or a directory (`to` must not exist or be an empty
   * directory). @throws DiskError `ENOENT`, `EISDIR`, `ENOTDIR`, `ENOTEMPTY`, `EINVAL` (into itself).
   */
  async rename(from: string, to: string): Promise<void> {
    const src = this.#key(from);
    const dst = this.#key(to);
    const entry = this.#entries.get(src);
    if (entry === undefined) throw new DiskError('ENOENT', from, 'no such file or directory');
    if (src === dst) return;
    if (src === '' || dst === '' || dst.startsWith(`${src}/`)) {
      throw new DiskError('EINVAL', to, `cannot move ${from || 'the data directory'} into itself or over the root`);
    }
    this.#requireParent(dst, to);
    const target = this.#entries.get(dst);
    if (entry === 'dir') {
      if (target !== undefined && target !== 'dir') throw new DiskError('ENOTDIR', to, 'not a directory');
      if (target === 'dir' && (this.#children.get(dst)?.size ?? 0) > 0) throw new DiskError('ENOTEMPTY', to, 'directory not empty');
    } else if (target === 'dir') {
      throw new DiskError('EISDIR', to, 'is a directory');
    }
    if (target !== undefined) await this.remove(to);
    const moved = this.#subtree(src).map((k) => [k, this.#entries.get(k) as Entry, this.#children.get(k)] as const);
    await this.remove(from);
    for (const [k, e, children] of moved) {
      const nk = dst + k.slice(src.length);
      this.#entries.set(nk, e);
      if (children !== undefined) this.#children.set(nk, children);
    }
    this.#children.get(parentKey(dst))?.add(baseName(dst));
  }

  /** Not available on a memory disk. @throws DiskError `ENOTSUP` always. */
  nativePath(path: string): string {
    throw new DiskError('ENOTSUP', path, 'MemoryDisk has no native filesystem path; code that needs native files must run on NodeDisk');
  }

  /**
   * Simulates a power loss: every byte appended but not yet synced is lost (with `tornTail`, one
   * file keeps a random prefix of its unsynced tail), and every {@link AppendFile} opened before
   * the crash becomes dead (its calls reject with `EIO`). Everything else is durable and stays.
   *
   * Files are visited in sorted path order, so that the same `random` state picks the same file.
   * @throws Error if `tornTail` is set without `random`.
   */
  crash(opts: CrashOptions = {}): void {
    if (opts.tornTail === true && opts.random === undefined) throw new Error('MemoryDisk.crash: tornTail needs a random source');
    this.#epoch++;
    const dirty = [...this.#entries.keys()].sort().map((k) => this.#entries.get(k) as Entry)
      .filter((e): e is Inode => e !== 'dir' && e.length > e.synced);
    const torn = opts.tornTail === true && opts.random !== undefined && dirty.length > 0 ? dirty[opts.random.int(dirty.length)] : undefined;
    for (const inode of dirty) {
      const keep = inode === torn && opts.random !== undefined ? opts.random.int(inode.length - inode.synced + 1) : 0;
      inode.length = inode.synced + keep;
      inode.synced = inode.length;
    }
  }

  #key(path: string): string {
    return diskPathSegments(path).join('/');
  }

  #file(path: string): Inode {
    const entry = this.#entries.get(this.#key(path));
    if (entry === undefined) throw new DiskError('ENOENT', path, 'no such file or directory');
    if (entry === 'dir') throw new DiskError('EISDIR', path, 'is a directory');
    return entry;
  }

  #requireParent(key: string, path: string): void {
    if (key === '') throw new DiskError('EISDIR', path, 'the data directory itself is not a file');
    const parent = this.#entries.get(parentKey(key));
    if (parent === undefined) throw new DiskError('ENOENT', path, 'parent directory does not exist');
    if (parent !== 'dir') throw new DiskError('ENOTDIR', path, 'parent is not a directory');
  }

  #link(key: string, entry: Entry): void {
    this.#entries.set(key, entry);
    if (entry === 'dir') this.#children.set(key, new Set());
    this.#children.get(parentKey(key))?.add(baseName(key));
  }

  /** `key` and all entries below it. */
  #subtree(key: string): string[] {
    const out = [key];
    for (let i = 0; i < out.length; i++) {
      for (const name of this.#children.get(out[i]) ?? []) out.push(out[i] === '' ? name : `${out[i]}/${name}`);
    }
    return out;
  }
}

/** An append handle on one inode; dead after a crash of its disk or after `close`. */
class MemoryAppendFile implements AppendFile {
  readonly #inode: Inode;
  readonly #path: string;
  /** False once the disk crashed after this handle was opened. */
  readonly #alive: () => boolean;
  #closed = false;

  constructor(inode: Inode, path: string, alive: () => boolean) {
    this.#inode = inode;
    this.#path = path;
    this.#alive = alive;
  }

  /** Size in bytes including unsynced bytes. */
  get size(): number {
    return this.#inode.length;
  }

  /** Copies `data` to the end of the file (not durable until `sync`). */
  async append(data: Uint8Array): Promise<void> {
    this.#check();
    const inode = this.#inode;
    const need = inode.length + data.byteLength;
    if (need > inode.data.byteLength) {
      const grown = new Uint8Array(Math.max(need, inode.data.byteLength * 2, 64));
      grown.set(inode.data.subarray(0, inode.length));
      inode.data = grown;
    }
    inode.data.set(data, inode.length);
    inode.length = need;
  }

  /** Makes every appended byte durable. */
  async sync(): Promise<void> {
    this.#check();
    this.#inode.synced = this.#inode.length;
  }

  /** Cuts the file to `length` bytes (0 ≤ length ≤ size, else `EINVAL`), durably. */
  async truncate(length: number): Promise<void> {
    this.#check();
    if (!Number.isSafeInteger(length) || length < 0 || length > this.#inode.length) {
      throw new DiskError('EINVAL', this.#path, `truncate length ${length} must be an integer in [0, ${this.#inode.length}]`);
    }
    this.#inode.length = length;
    this.#inode.synced = length;
  }

  /** Closes the handle; later calls reject with `EBADF`. */
  async close(): Promise<void> {
    this.#check();
    this.#closed = true;
  }

  #check(): void {
    if (this.#closed) throw new DiskError('EBADF', this.#path, 'the file is closed');
    if (!this.#alive()) throw new DiskError('EIO', this.#path, 'the disk crashed since this file was opened; reopen it');
  }
}

/** The key of the directory holding `key` (`''` for top-level entries). */
function parentKey(key: string): string {
  const i = key.lastIndexOf('/');
  return i < 0 ? '' : key.slice(0, i);
}

/** The last segment of `key`. */
function baseName(key: string): string {
  return key.slice(key.lastIndexOf('/') + 1);
}
