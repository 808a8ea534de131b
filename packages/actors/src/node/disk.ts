/**
 * The real {@link Disk} of a node: files under one root directory, through `node:fs/promises`.
 *
 * Durability follows the usual POSIX recipe (see e.g. "Files are hard", Dan Luu, 2017, and
 * PostgreSQL's `durable_rename`): data is fsynced before it is published, and every change of a
 * directory entry (create, rename, remove, mkdir) is followed by an fsync of the directory, so
 * that it survives a power loss.
 */
import { constants } from 'node:fs';
import { lstat, mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { diskPathSegments } from '../disk-path.ts';
import { DiskError } from '../env.ts';
import type { AppendFile, Disk } from '../env.ts';

/** Prefix of the temporary files of {@link NodeDisk.writeFileAtomic}; {@link NodeDisk.list} hides them. */
const TEMP_PREFIX = '.shoal-tmp-';
/** Sequence number making temporary file names unique within this process. */
let tempSeq = 0;

/**
 * A {@link Disk} over the local filesystem, rooted at `rootDir`.
 *
 * - Paths are `/`-separated and relative to `rootDir`; absolute paths and `..` segments reject
 *   with `DiskError('EINVAL')`. The root itself need not exist: `mkdirp('')` creates it.
 * - Errors of `node:fs` become {@link DiskError}s with the same POSIX code (`ENOENT`, `EISDIR`,
 *   `ENOSPC`, …; `EIO` when the error carries none) and the relative path.
 * - `writeFileAtomic` writes `<dir>/.shoal-tmp-<pid>-<n>`, fsyncs it, renames it over the target
 *   and fsyncs the directory. A crash may leave such a temporary file behind; `list` never
 *   shows them and `remove` of the directory deletes them.
 * - `openAppend` of a file that did not exist fsyncs the directory, so that a later
 *   `AppendFile.sync` makes the file's data durable *and* reachable by name.
 */
export class NodeDisk implements Disk {
  /** Absolute root directory. */
  readonly rootDir: string;

  /** @param rootDir the data directory (relative paths resolve against the process's cwd). */
  constructor(rootDir: string) {
    this.rootDir = resolve(rootDir);
  }

  /** Reads a whole file into one fresh `Uint8Array` (a plain view, not a `Buffer`). */
  async readFile(path: string): Promise<Uint8Array> {
    const abs = this.#abs(path);
    const buf = await fsCall(path, () => readFile(abs));
    return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  }

  /** Writes `data` to a temporary file, fsyncs it, renames it over `path`, fsyncs the directory. The parent directory must exist (`ENOENT` otherwise). */
  async writeFileAtomic(path: string, data: Uint8Array): Promise<void> {
    const abs = this.#abs(path);
    if (abs === this.rootDir) throw new DiskError('EISDIR', path, 'the data directory itself is not a file');
    const dir = dirname(abs);
    const tmp = join(dir, `${TEMP_PREFIX}${process.pid}-${++tempSeq}`);
    await fsCall(path, async () => {
      const fh = await open(tmp, 'wx', 0o644);
      try {
        await fh.writeFile(data);
        await fh.sync();
      } catch (err) {
        await fh.close().catch(() => undefined);
        await rm(tmp, { force: true }).catch(() => undefined);
        throw err;
      }
      await fh.close();
      await rename(tmp, abs).catch(async (err: unknown) => {
        await rm(tmp, { force: true }).catch(() => undefined);
        throw err;
      });
      await fsyncDir(dir);
    });
  }

  /** Opens `path` for appending (creating it, and fsyncing its directory, if missing). The parent directory must exist. */
  async openAppend(path: string): Promise<AppendFile> {
    const abs = this.#abs(path);
    return fsCall(path, async () => {
      let fh: FileHandle;
      let created = false;
      try {
        fh = await open(abs, constants.O_RDWR | constants.O_CREAT | constants.O_EXCL, 0o644);
        created = true;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        fh = await open(abs, constants.O_RDWR);
      }
      try {
        if (created) await fsyncDir(dirname(abs));
        const { size } = await fh.stat();
        return new NodeAppendFile(fh, path, size);
      } catch (err) {
        await fh.close().catch(() => undefined);
        throw err;
      }
    });
  }

  /** True if a file or directory exists at `path` (a symlink counts as existing). */
  async exists(path: string): Promise<boolean> {
    const abs = this.#abs(path);
    return fsCall(path, async () => {
      try {
        await lstat(abs);
        return true;
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || code === 'ENOTDIR') return false;
        throw err;
      }
    });
  }

  /** Entry names of directory `dir`, sorted by UTF-16 code units, without temporary files; `[]` if it does not exist, `ENOTDIR` if it is a file. */
  async list(dir: string): Promise<string[]> {
    const abs = this.#abs(dir);
    return fsCall(dir, async () => {
      try {
        const names = await readdir(abs);
        return names.filter((n) => !n.startsWith(TEMP_PREFIX)).sort();
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
        throw err;
      }
    });
  }

  /** Creates `dir` and its missing parents, fsyncing the parent of every directory it created. */
  async mkdirp(dir: string): Promise<void> {
    const abs = this.#abs(dir);
    await fsCall(dir, async () => {
      const first = await mkdir(abs, { recursive: true });
      if (first === undefined) return;
      // Every created directory is an entry of its parent: sync from the parent of the first one down.
      const toSync: string[] = [];
      for (let d = abs; ; d = dirname(d)) {
        toSync.push(dirname(d));
        if (d === first || dirname(d) === d) break;
      }
      for (const d of toSync.reverse()) await fsyncDir(d);
    });
  }

  /** Removes a file or directory tree and fsyncs its parent; no error if missing. `EINVAL` for the root. */
  async remove(path: string): Promise<void> {
    const abs = this.#abs(path);
    if (abs === this.rootDir) throw new DiskError('EINVAL', path, 'refusing to remove the data directory itself');
    await fsCall(path, async () => {
      try {
        await lstat(abs);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || code === 'ENOTDIR') return;
        throw err;
      }
      await rm(abs, { recursive: true, force: true });
      await fsyncDir(dirname(abs));
    });
  }

  /** Renames `from` to `to` (replacing a file at `to`) and fsyncs both parent directories. */
  async rename(from: string, to: string): Promise<void> {
    const absFrom = this.#abs(from);
    const absTo = this.#abs(to);
    await fsCall(from, async () => {
      await rename(absFrom, absTo);
      await fsyncDir(dirname(absTo));
      if (dirname(absFrom) !== dirname(absTo)) await fsyncDir(dirname(absFrom));
    });
  }

  /** The absolute path of `path` under the root. @throws DiskError `EINVAL` for an invalid path. */
  nativePath(path: string): string {
    return this.#abs(path);
  }

  #abs(path: string): string {
    return join(this.rootDir, ...diskPathSegments(path));
  }
}

/** An {@link AppendFile} over an open file handle; writes are positional at the tracked end. */
class NodeAppendFile implements AppendFile {
  #fh: FileHandle | null;
  readonly #path: string;
  #size: number;
  /** Set when a write failed: the bytes on disk past the last good size are unknown until `truncate`. */
  #broken: DiskError | null = null;

  constructor(fh: FileHandle, path: string, size: number) {
    this.#fh = fh;
    this.#path = path;
    this.#size = size;
  }

  /** Size in bytes including appended, not yet synced bytes. */
  get size(): number {
    return this.#size;
  }

  /**
   * Writes `data` at the current end. The position is reserved when the call starts, so
   * concurrent appends land in call order. After a failed write every append rejects with that
   * error until {@link NodeAppendFile.truncate} cuts the file back to a known length.
   */
  async append(data: Uint8Array): Promise<void> {
    const fh = this.#open();
    if (this.#broken !== null) throw this.#broken;
    const pos = this.#size;
    this.#size += data.byteLength;
    try {
      for (let off = 0; off < data.byteLength;) {
        const { bytesWritten } = await fh.write(data, off, data.byteLength - off, pos + off);
        off += bytesWritten;
      }
    } catch (err) {
      this.#broken = toDiskError(err, this.#path);
      throw this.#broken;
    }
  }

  /** `fdatasync`: every byte appended before the call (and the file size) is durable when it resolves. */
  async sync(): Promise<void> {
    const fh = this.#open();
    await fsCall(this.#path, () => fh.datasync());
  }

  /** Cuts the file to `length` bytes (0 ≤ length ≤ size, else `EINVAL`) and fsyncs it; clears a failed-write state. */
  async truncate(length: number): Promise<void> {
    const fh = this.#open();
    if (!Number.isSafeInteger(length) || length < 0 || length > this.#size) {
      throw new DiskError('EINVAL', this.#path, `truncate length ${length} must be an integer in [0, ${this.#size}]`);
    }
    await fsCall(this.#path, async () => {
      await fh.truncate(length);
      await fh.sync();
    });
    this.#size = length;
    this.#broken = null;
  }

  /** Closes the handle; every later call rejects with `EBADF`. */
  async close(): Promise<void> {
    const fh = this.#open();
    this.#fh = null;
    await fsCall(this.#path, () => fh.close());
  }

  #open(): FileHandle {
    if (this.#fh === null) throw new DiskError('EBADF', this.#path, 'the file is closed');
    return this.#fh;
  }
}

/** fsync of a directory, making the creation, rename or removal of its entries durable (Linux, macOS). */
async function fsyncDir(absDir: string): Promise<void> {
  const fh = await open(absDir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Runs an fs operation, turning its errors into {@link DiskError}s on `path`. */
async function fsCall<T>(path: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw toDiskError(err, path);
  }
}

/** Maps a `node:fs` error (with `code`, e.g. `ENOENT`) to a {@link DiskError}; `EIO` when it has none. */
function toDiskError(err: unknown, path: string): DiskError {
  if (err instanceof DiskError) return err;
  const e = err as Partial<NodeJS.ErrnoException> | undefined;
  const code = typeof e?.code === 'string' ? e.code : 'EIO';
  const raw = typeof e?.message === 'string' ? e.message : String(err);
  return new DiskError(code, path, raw.startsWith(`${code}: `) ? raw.slice(code.length + 2) : raw);
}
