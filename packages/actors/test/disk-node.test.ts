import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DiskError } from '../src/env.ts';
import { NodeDisk } from '../src/node/disk.ts';

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

let root: string;
let disk: NodeDisk;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'shoal-disk-'));
  disk = new NodeDisk(root);
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

async function rejection(p: Promise<unknown>): Promise<DiskError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(DiskError);
  return err as DiskError;
}

describe('NodeDisk', () => {
  it('writes atomically, replaces, reads back a plain Uint8Array, leaves no temporary file', async () => {
    await disk.mkdirp('a/b');
    await disk.writeFileAtomic('a/b/f.bin', bytes('first'));
    await disk.writeFileAtomic('a/b/f.bin', bytes('second'));
    const got = await disk.readFile('a/b/f.bin');
    expect(text(got)).toBe('second');
    expect(Buffer.isBuffer(got)).toBe(false);
    expect(await readdir(join(root, 'a/b'))).toEqual(['f.bin']);
    expect(await readFile(join(root, 'a/b/f.bin'), 'utf8')).toBe('second');
  });

  it('writeFileAtomic needs the parent directory', async () => {
    const err = await rejection(disk.writeFileAtomic('missing/f', bytes('x')));
    expect(err.code).toBe('ENOENT');
    expect(err.path).toBe('missing/f');
  });

  it('lists sorted names, hides leftover temporary files, [] for a missing directory, ENOTDIR for a file', async () => {
    await disk.mkdirp('d');
    for (const n of ['c', 'a', 'b']) await disk.writeFileAtomic(`d/${n}`, bytes(n));
    await writeFile(join(root, 'd', '.shoal-tmp-1-1'), 'leftover of a crash');
    expect(await disk.list('d')).toEqual(['a', 'b', 'c']);
    expect(await disk.list('nope')).toEqual([]);
    expect((await rejection(disk.list('d/a'))).code).toBe('ENOTDIR');
  });

  it('append / sync / truncate / close', async () => {
    const f = await disk.openAppend('log');
    expect(f.size).toBe(0);
    await Promise.all([f.append(bytes('hello ')), f.append(bytes('world'))]);
    expect(f.size).toBe(11);
    await f.sync();
    expect(text(await disk.readFile('log'))).toBe('hello world');
    await f.truncate(5);
    expect(f.size).toBe(5);
    await f.append(bytes('!'));
    await f.sync();
    expect(text(await disk.readFile('log'))).toBe('hello!');
    expect((await rejection(f.truncate(7))).code).toBe('EINVAL');
    await f.close();
    expect((await rejection(f.append(bytes('x')))).code).toBe('EBADF');
    expect((await rejection(f.sync())).code).toBe('EBADF');

    const again = await disk.openAppend('log');
    expect(again.size).toBe(6);
    await again.append(bytes('?'));
    await again.sync();
    await again.close();
    expect(text(await disk.readFile('log'))).toBe('hello!?');
  });

  it('rejects absolute paths and .. with EINVAL', async () => {
    expect((await rejection(disk.readFile('/etc/passwd'))).code).toBe('EINVAL');
    expect((await rejection(disk.writeFileAtomic('../escape', bytes('x')))).code).toBe('EINVAL');
    expect((await rejection(disk.openAppend('a/../../escape'))).code).toBe('EINVAL');
    expect(() => disk.nativePath('../x')).toThrow(DiskError);
    expect((await rejection(disk.remove(''))).code).toBe('EINVAL');
  });

  it('maps fs errors to POSIX codes', async () => {
    expect((await rejection(disk.readFile('missing'))).code).toBe('ENOENT');
    await disk.mkdirp('dir');
    expect((await rejection(disk.readFile('dir'))).code).toBe('EISDIR');
    expect((await rejection(disk.openAppend('dir'))).code).toBe('EISDIR');
    expect((await rejection(disk.rename('missing', 'x'))).code).toBe('ENOENT');
  });

  it('exists, mkdirp, rename, remove, nativePath', async () => {
    await disk.mkdirp('x/y/z');
    await disk.mkdirp('x/y/z');
    expect(await disk.exists('x/y/z')).toBe(true);
    await disk.writeFileAtomic('x/y/z/f', bytes('data'));
    expect(await disk.exists('x/y/z/f')).toBe(true);
    expect(await disk.exists('x/y/z/f/g')).toBe(false);
    await disk.rename('x/y/z/f', 'x/g');
    expect(await disk.exists('x/y/z/f')).toBe(false);
    expect(text(await disk.readFile('x/g'))).toBe('data');
    expect(disk.nativePath('x/g')).toBe(join(root, 'x', 'g'));
    expect(await readFile(disk.nativePath('x/g'), 'utf8')).toBe('data');
    await disk.remove('x');
    await disk.remove('x');
    expect(await disk.exists('x')).toBe(false);
    expect(await disk.list('')).toEqual([]);
  });

  it('mkdirp creates a missing root', async () => {
    const nested = new NodeDisk(join(root, 'new', 'root'));
    await nested.mkdirp('');
    await nested.writeFileAtomic('f', bytes('ok'));
    expect(await readFile(join(root, 'new', 'root', 'f'), 'utf8')).toBe('ok');
  });
});
