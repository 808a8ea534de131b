import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DiskError } from '../src/env.ts';
import { SeededRandom } from '../src/random.ts';
import { MemoryDisk } from '../src/memory-disk.ts';

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

async function rejection(p: Promise<unknown>): Promise<DiskError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(DiskError);
  return err as DiskError;
}

describe('MemoryDisk', () => {
  it('files, directories and POSIX-like errors', async () => {
    const disk = new MemoryDisk();
    expect((await rejection(disk.writeFileAtomic('a/f', bytes('x')))).code).toBe('ENOENT');
    await disk.mkdirp('a/b');
    await disk.writeFileAtomic('a/f', bytes('x'));
    expect((await rejection(disk.mkdirp('a/f/g'))).code).toBe('ENOTDIR');
    expect((await rejection(disk.readFile('a/b'))).code).toBe('EISDIR');
    expect((await rejection(disk.readFile('a/nope'))).code).toBe('ENOENT');
    expect((await rejection(disk.list('a/f'))).code).toBe('ENOTDIR');
    expect((await rejection(disk.readFile('../x'))).code).toBe('EINVAL');
    expect((await rejection(disk.readFile('/x'))).code).toBe('EINVAL');
    expect(await disk.list('a')).toEqual(['b', 'f']);
    expect(await disk.list('')).toEqual(['a']);
    expect(await disk.list('zzz')).toEqual([]);
    expect(await disk.exists('a/./b')).toBe(true);
    expect(() => disk.nativePath('a/f')).toThrow(/ENOTSUP/);
  });

  it('copies on write and on read', async () => {
    const disk = new MemoryDisk();
    const data = bytes('abc');
    await disk.writeFileAtomic('f', data);
    data[0] = 0;
    const got = await disk.readFile('f');
    got[1] = 0;
    expect(text(await disk.readFile('f'))).toBe('abc');
  });

  it('rename and remove of files and trees', async () => {
    const disk = new MemoryDisk();
    await disk.mkdirp('d/e');
    await disk.writeFileAtomic('d/e/f', bytes('1'));
    await disk.writeFileAtomic('g', bytes('2'));
    await disk.rename('g', 'd/e/f');
    expect(text(await disk.readFile('d/e/f'))).toBe('2');
    expect(await disk.exists('g')).toBe(false);
    await disk.rename('d', 'm');
    expect(text(await disk.readFile('m/e/f'))).toBe('2');
    expect(await disk.list('')).toEqual(['m']);
    expect((await rejection(disk.rename('m', 'm/e/x'))).code).toBe('EINVAL');
    await disk.mkdirp('n');
    expect((await rejection(disk.rename('m/e/f', 'n'))).code).toBe('EISDIR');
    await disk.remove('m');
    await disk.remove('m');
    expect(await disk.exists('m/e/f')).toBe(false);
    expect(await disk.list('')).toEqual(['n']);
  });

  it('a crash drops unsynced appends and keeps synced ones and atomic writes', async () => {
    const disk = new MemoryDisk();
    await disk.writeFileAtomic('atomic', bytes('durable'));
    const f = await disk.openAppend('log');
    await f.append(bytes('synced|'));
    await f.sync();
    await f.append(bytes('lost'));
    expect(f.size).toBe(11);
    disk.crash();
    expect(text(await disk.readFile('log'))).toBe('synced|');
    expect(text(await disk.readFile('atomic'))).toBe('durable');
    expect((await rejection(f.append(bytes('x')))).code).toBe('EIO');
    const g = await disk.openAppend('log');
    expect(g.size).toBe(7);
  });

  it('truncate is durable; close makes the handle unusable', async () => {
    const disk = new MemoryDisk();
    const f = await disk.openAppend('log');
    await f.append(bytes('0123456789'));
    await f.truncate(4);
    disk.crash();
    expect(text(await disk.readFile('log'))).toBe('0123');
    const g = await disk.openAppend('log');
    expect((await rejection(g.truncate(5))).code).toBe('EINVAL');
    await g.close();
    expect((await rejection(g.sync())).code).toBe('EBADF');
  });

  it('a torn crash keeps a prefix of the unsynced tail of at most one file', () => {
    fc.assert(fc.asyncProperty(
      fc.array(fc.record({ synced: fc.uint8Array({ maxLength: 20 }), unsynced: fc.uint8Array({ maxLength: 20 }) }), { minLength: 1, maxLength: 4 }),
      fc.integer(),
      async (files, seed) => {
        const disk = new MemoryDisk();
        for (const [i, spec] of files.entries()) {
          const f = await disk.openAppend(`f${i}`);
          await f.append(spec.synced);
          await f.sync();
          await f.append(spec.unsynced);
        }
        disk.crash({ tornTail: true, random: new SeededRandom(seed) });
        let torn = 0;
        for (const [i, spec] of files.entries()) {
          const got = await disk.readFile(`f${i}`);
          expect(got.subarray(0, spec.synced.length)).toEqual(spec.synced);
          const kept = got.subarray(spec.synced.length);
          expect(kept.length).toBeLessThanOrEqual(spec.unsynced.length);
          expect(kept).toEqual(spec.unsynced.subarray(0, kept.length));
          if (kept.length > 0) torn++;
        }
        expect(torn).toBeLessThanOrEqual(1);
      }), { numRuns: 200 });
  });

  it('the same seed tears the same way', async () => {
    const run = async () => {
      const disk = new MemoryDisk();
      for (let i = 0; i < 3; i++) {
        const f = await disk.openAppend(`f${i}`);
        await f.append(new Uint8Array(100).fill(i + 1));
      }
      disk.crash({ tornTail: true, random: new SeededRandom(42) });
      return Promise.all([0, 1, 2].map(async (i) => (await disk.readFile(`f${i}`)).length));
    };
    expect(await run()).toEqual(await run());
    expect(() => new MemoryDisk().crash({ tornTail: true })).toThrow(/random/);
  });
});
