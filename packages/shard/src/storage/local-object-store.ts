/**
 * The default object store: objects as files on the node's local disk (DESIGN.md, "Data plane").
 */
import { DiskError, ShoalError, ErrorCode, invalidParameter } from '@shoal/actors';
import type { Disk } from '@shoal/actors';
import { decodeObjectFrame, encodeObjectFrame } from './object-frame.ts';
import { checkObjectPrefix, objectKeySegments, objectNotFound } from './object-store.ts';
import type { ObjectStore } from './object-store.ts';

/** Suffix of object files; directories never end with it, which tells files from directories. */
const OBJECT_SUFFIX = '.obj';

/**
 * An {@link ObjectStore} over an Env {@link Disk}: the object `a/b/c` is the file
 * `<root>/a/b/c.obj` (payload plus checksum trailer, `object-frame.ts`), written with
 * `Disk.writeFileAtomic` (so a crash leaves the old or the new object, never a mix).
 *
 * Because a key `a/b` and a key `a/b/c` must coexist (as on S3), files carry the suffix `.obj`
 * and directories do not; for the same reason a key segment that is followed by more segments
 * must not end with `.obj` (`ShoalError(ParameterInvalid)`).
 *
 * `get` performs one read and one CRC pass and returns a view into the buffer it read: a 200 MB
 * index file is never copied.
 */
export class LocalObjectStore implements ObjectStore {
  readonly #disk: Disk;
  readonly #root: string;

  /**
   * @param disk the node's disk.
   * @param root the directory (relative to the disk root) that holds the objects; `objects` by default.
   */
  constructor(disk: Disk, root = 'objects') {
    this.#disk = disk;
    this.#root = root;
  }

  /** Writes `data` (framed with its checksum) atomically and durably, creating directories as needed. */
  async put(key: string, data: Uint8Array): Promise<void> {
    const segments = this.#segments(key);
    await this.#io(key, 'write', async () => {
      await this.#disk.mkdirp([this.#root, ...segments.slice(0, -1)].join('/'));
      await this.#disk.writeFileAtomic(this.#file(segments), encodeObjectFrame(data));
    });
  }

  /** Reads and verifies the object; the result is a view of the read buffer. */
  async get(key: string): Promise<Uint8Array> {
    const segments = this.#segments(key);
    let frame: Uint8Array;
    try {
      frame = await this.#disk.readFile(this.#file(segments));
    } catch (err) {
      if (err instanceof DiskError && (err.code === 'ENOENT' || err.code === 'ENOTDIR')) throw objectNotFound(key);
      throw ioFailed(key, 'read', err);
    }
    return decodeObjectFrame(key, frame);
  }

  /** True if the object's file exists. */
  async exists(key: string): Promise<boolean> {
    const segments = this.#segments(key);
    return this.#io(key, 'check', () => this.#disk.exists(this.#file(segments)));
  }

  /** Walks the directories under `prefix` and returns the matching keys, sorted. */
  async list(prefix: string): Promise<string[]> {
    checkObjectPrefix(prefix);
    const keys: string[] = [];
    const startDir = prefix.slice(0, prefix.lastIndexOf('/') + 1);
    await this.#io(prefix, 'list', () => this.#walk(startDir, prefix, keys));
    return keys.sort();
  }

  /** Removes the object's file. */
  async delete(key: string): Promise<void> {
    const segments = this.#segments(key);
    await this.#io(key, 'delete', () => this.#disk.remove(this.#file(segments)));
  }

  /** Removes a whole directory when `prefix` ends at a `/` (or is `''`), else each matching object. */
  async deletePrefix(prefix: string): Promise<void> {
    checkObjectPrefix(prefix);
    if (prefix === '' || prefix.endsWith('/')) {
      await this.#io(prefix, 'delete', () => this.#disk.remove(`${this.#root}/${prefix}`));
      return;
    }
    for (const key of await this.list(prefix)) await this.delete(key);
  }

  /** Collects the keys under directory key `dir` (`''` or ending with `/`) that start with `prefix`. */
  async #walk(dir: string, prefix: string, out: string[]): Promise<void> {
    let names: string[];
    try {
      names = await this.#disk.list(`${this.#root}/${dir}`);
    } catch (err) {
      // Not an object and not a directory of objects: a stray file, ignored.
      if (err instanceof DiskError && err.code === 'ENOTDIR') return;
      throw err;
    }
    for (const name of names) {
      if (name.endsWith(OBJECT_SUFFIX)) {
        const key = dir + name.slice(0, -OBJECT_SUFFIX.length);
        if (key.startsWith(prefix)) out.push(key);
      } else {
        const sub = `${dir}${name}/`;
        if (sub.startsWith(prefix) || prefix.startsWith(sub)) await this.#walk(sub, prefix, out);
      }
    }
  }

  /** The key's segments. @throws ShoalError `ParameterInvalid` for an invalid key. */
  #segments(key: string): string[] {
    const segments = objectKeySegments(key);
    for (let i = 0; i < segments.length - 1; i++) {
      if (segments[i].endsWith(OBJECT_SUFFIX)) {
        throw invalidParameter(`object key '${key}': the local object store does not allow a segment ending with '${OBJECT_SUFFIX}' before the last one`);
      }
    }
    return segments;
  }

  #file(segments: string[]): string {
    return `${this.#root}/${segments.join('/')}${OBJECT_SUFFIX}`;
  }

  async #io<T>(key: string, what: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw ioFailed(key, what, err);
    }
  }
}

/** Wraps a disk failure as `ShoalError(IoFailed)` naming the key and the operation; ShoalErrors pass through. */
function ioFailed(key: string, what: string, err: unknown): ShoalError {
  if (err instanceof ShoalError) return err;
  const detail = err instanceof Error ? err.message : String(err);
  return new ShoalError(ErrorCode.IoFailed, `object store: ${what} of '${key}' failed: ${detail}`);
}
