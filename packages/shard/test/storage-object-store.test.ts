import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { crc32, ErrorCode, MemoryDisk, ShoalError } from '@shoal/actors';
import type { Disk } from '@shoal/actors';
import { NodeDisk } from '@shoal/actors/node';
import { LocalObjectStore } from '../src/storage/local-object-store.ts';
import { decodeObjectFrame, encodeObjectFrame, OBJECT_TRAILER_BYTES } from '../src/storage/object-frame.ts';

const bytes = (s: string) => new TextEncoder().encode(s);

async function shoalError(p: Promise<unknown>): Promise<ShoalError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(ShoalError);
  return err as ShoalError;
}

const tempDirs: string[] = [];
afterAll(async () => {
  for (const d of tempDirs) await rm(d, { recursive: true, force: true });
});

const disks: Array<[string, () => Promise<Disk>]> = [
  ['MemoryDisk', async () => new MemoryDisk()],
  ['NodeDisk', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'shoal-objects-'));
    tempDirs.push(dir);
    return new NodeDisk(dir);
  }],
];

describe('crc32', () => {
  it('is the IEEE CRC-32 and can be continued', () => {
    expect(crc32(bytes('123456789'))).toBe(0xcbf43926);
    expect(crc32(bytes('6789'), crc32(bytes('12345')))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
  });
});

describe('object frame', () => {
  it('round-trips and returns a view without copying', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (payload) => {
      const frame = encodeObjectFrame(payload);
      expect(frame.byteLength).toBe(payload.byteLength + OBJECT_TRAILER_BYTES);
      const got = decodeObjectFrame('k', frame);
      expect(got).toEqual(payload);
      expect(got.buffer).toBe(frame.buffer);
    }));
  });

  it('detects any single flipped byte', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 100 }), fc.nat(), fc.integer({ min: 1, max: 255 }), (payload, at, flip) => {
      const frame = encodeObjectFrame(payload);
      frame[at % frame.byteLength] ^= flip;
      expect(() => decodeObjectFrame('some/key', frame)).toThrow(/some\/key is corrupt/);
    }));
  });

  it('names what mismatched', () => {
    const frame = encodeObjectFrame(bytes('payload'));
    expect(() => decodeObjectFrame('a', frame.subarray(0, 10))).toThrow(/shorter than the 16-byte checksum trailer/);
    expect(() => decodeObjectFrame('a', frame.subarray(1))).toThrow(/trailer says 7 payload bytes but 6 are stored/);
    const flipped = frame.slice();
    flipped[0] ^= 1;
    expect(() => decodeObjectFrame('a', flipped)).toThrow(/CRC-32 mismatch: stored 0x[0-9a-f]{8}, computed 0x[0-9a-f]{8}/);
    const magic = frame.slice();
    magic[frame.byteLength - OBJECT_TRAILER_BYTES] ^= 1;
    expect(() => decodeObjectFrame('a', magic)).toThrow(/trailer magic/);
  });
});

describe.each(disks)('LocalObjectStore on %s', (_name, makeDisk) => {
  it('puts, gets, overwrites, checks existence and deletes', async () => {
    const disk = await makeDisk();
    const store = new LocalObjectStore(disk);
    const key = 'collections/7/segments/42/manifest.json';
    expect(await store.exists(key)).toBe(false);
    await store.put(key, bytes('{"v":1}'));
    expect(await store.exists(key)).toBe(true);
    expect(new TextDecoder().decode(await store.get(key))).toBe('{"v":1}');
    await store.put(key, bytes('{"v":2}'));
    expect(new TextDecoder().decode(await store.get(key))).toBe('{"v":2}');
    await store.put('empty', new Uint8Array(0));
    expect((await store.get('empty')).byteLength).toBe(0);
    expect(await disk.exists('objects/collections/7/segments/42/manifest.json.obj')).toBe(true);
    await store.delete(key);
    await store.delete(key);
    expect(await store.exists(key)).toBe(false);
  });

  it('get of a missing key is IoFailed "object not found"', async () => {
    const store = new LocalObjectStore(await makeDisk());
    const err = await shoalError(store.get('collections/1/segments/2/deletes.bin'));
    expect(err.code).toBe(ErrorCode.IoFailed);
    expect(err.message).toBe('object not found: collections/1/segments/2/deletes.bin');
    await store.put('a/b', bytes('x'));
    expect((await shoalError(store.get('a/b/c'))).message).toBe('object not found: a/b/c');
  });

  it('detects a flipped byte and a truncated file on read', async () => {
    const disk = await makeDisk();
    const store = new LocalObjectStore(disk);
    const key = 'collections/1/segments/2/fields/100.bin';
    await store.put(key, Uint8Array.from({ length: 1000 }, (_, i) => i & 0xff));
    const file = `objects/${key}.obj`;
    const stored = await disk.readFile(file);
    const flipped = stored.slice();
    flipped[500] ^= 0x10;
    await disk.writeFileAtomic(file, flipped);
    const err = await shoalError(store.get(key));
    expect(err.code).toBe(ErrorCode.IoFailed);
    expect(err.message).toContain(key);
    expect(err.message).toContain('CRC-32 mismatch');
    await disk.writeFileAtomic(file, stored.subarray(0, 900));
    expect((await shoalError(store.get(key))).message).toMatch(/corrupt: trailer magic/);
  });

  it('lists by string prefix, sorted, with keys that are prefixes of other keys', async () => {
    const store = new LocalObjectStore(await makeDisk());
    const keys = ['c/1/segments/2/manifest.json', 'c/1/segments/2/fields/101.bin', 'c/1/segments/2/fields/100.bin',
      'c/1/segments/10/manifest.json', 'c/1/segments', 'c/2/x', 'top'];
    for (const k of keys) await store.put(k, bytes(k));
    expect(await store.list('')).toEqual([...keys].sort());
    expect(await store.list('c/1/')).toEqual(keys.filter((k) => k.startsWith('c/1/')).sort());
    expect(await store.list('c/1/segments/1')).toEqual(['c/1/segments/10/manifest.json']);
    expect(await store.list('c/1/segments')).toEqual(keys.filter((k) => k.startsWith('c/1/segments')).sort());
    expect(await store.list('c/1/segments/2/fields/')).toEqual(['c/1/segments/2/fields/100.bin', 'c/1/segments/2/fields/101.bin']);
    expect(await store.list('nothing/')).toEqual([]);
    expect(new TextDecoder().decode(await store.get('c/1/segments'))).toBe('c/1/segments');
  });

  it('deletes by prefix', async () => {
    const store = new LocalObjectStore(await makeDisk());
    for (const k of ['s/1/a', 's/1/b', 's/10/a', 's/2/a', 's/1x']) await store.put(k, bytes(k));
    await store.deletePrefix('s/1/');
    expect(await store.list('')).toEqual(['s/10/a', 's/1x', 's/2/a']);
    await store.deletePrefix('s/1');
    expect(await store.list('')).toEqual(['s/2/a']);
    await store.deletePrefix('');
    expect(await store.list('')).toEqual([]);
  });

  it('rejects invalid keys with ParameterInvalid', async () => {
    const store = new LocalObjectStore(await makeDisk());
    for (const bad of ['', '/a', 'a/', 'a//b', 'a/../b', './a', 'a b', 'ü', 'x.obj/y', 'a'.repeat(1025)]) {
      const err = await shoalError(store.put(bad, bytes('x')));
      expect(err.code, bad).toBe(ErrorCode.ParameterInvalid);
    }
    expect((await shoalError(store.list('a//'))).code).toBe(ErrorCode.ParameterInvalid);
    expect((await shoalError(store.deletePrefix('../'))).code).toBe(ErrorCode.ParameterInvalid);
    await store.put("ok/A-z_0.9!*'()", bytes('fine'));
    await store.put('y/x.obj', bytes('a last segment may end with .obj'));
    expect(await store.list('')).toEqual(["ok/A-z_0.9!*'()", 'y/x.obj']);
  });
});

describe('LocalObjectStore against a model', () => {
  it('behaves like a sorted map', async () => {
    const key = fc.array(fc.constantFrom('a', 'b', 'ab', 'x.bin'), { minLength: 1, maxLength: 3 }).map((s) => s.join('/'));
    const op = fc.oneof(
      fc.record({ kind: fc.constant('put' as const), key, data: fc.uint8Array({ maxLength: 16 }) }),
      fc.record({ kind: fc.constant('delete' as const), key }),
      fc.record({ kind: fc.constant('deletePrefix' as const), prefix: fc.constantFrom('', 'a', 'a/', 'ab', 'b/a') }),
    );
    await fc.assert(fc.asyncProperty(fc.array(op, { maxLength: 25 }), async (ops) => {
      const store = new LocalObjectStore(new MemoryDisk(), 'root/objs');
      const model = new Map<string, Uint8Array>();
      for (const o of ops) {
        if (o.kind === 'put') {
          await store.put(o.key, o.data);
          model.set(o.key, o.data);
        } else if (o.kind === 'delete') {
          await store.delete(o.key);
          model.delete(o.key);
        } else {
          await store.deletePrefix(o.prefix);
          for (const k of [...model.keys()]) if (k.startsWith(o.prefix)) model.delete(k);
        }
      }
      expect(await store.list('')).toEqual([...model.keys()].sort());
      for (const [k, v] of model) expect(await store.get(k)).toEqual(v);
    }), { numRuns: 150 });
  });
});
