import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MemoryDisk } from '@shoal/actors';
import { createTestEnv } from '@shoal/actors/node';
import { InlineIndexBuilder } from '@shoal/ann';
import type { IndexSpec } from '@shoal/ann';
import {
  buildSchema, columnWidth, decodeBase64, LocalObjectStore, openShard, readValue, rowsToBatch, vectorField,
} from '../src/index.ts';
import type { Shard } from '../src/index.ts';
import { decodeColumn, encodeColumn } from '../src/storage/column-codec.ts';

const DIM = 32; // bits: 4 bytes per vector
const schema = buildSchema('bin', '', [
  { name: 'id', dataType: 'Int64', isPrimaryKey: true },
  { name: 'tag', dataType: 'Int32' },
  { name: 'bv', dataType: 'BinaryVector', dim: DIM },
], false);

/** Deterministic pseudo-random bytes. */
function bytesOf(n: number, seed: number): number[] {
  let s = seed >>> 0;
  return Array.from({ length: n }, () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s >>> 24; });
}

function codeOf(fn: () => unknown): number | undefined {
  try { fn(); } catch (e) { return (e as { code?: number }).code; }
  return undefined;
}

describe('BinaryVector schema', () => {
  it('dim is in bits: a multiple of 8 in [8, 32768]; the field is the vector field; a row is dim/8 bytes', () => {
    const f = vectorField(schema);
    expect(f).toMatchObject({ name: 'bv', dataType: 'BinaryVector', dim: DIM });
    expect(columnWidth(f)).toBe(4);
    for (const dim of [8, 128, 32_768]) {
      expect(buildSchema('ok', '', [{ name: 'id', dataType: 'Int64', isPrimaryKey: true }, { name: 'b', dataType: 'BinaryVector', dim }], false).fields[1].dim).toBe(dim);
    }
    for (const dim of [0, 4, 12, 7.5, 32_776, undefined]) {
      const fn = () => buildSchema('bad', '', [{ name: 'id', dataType: 'Int64', isPrimaryKey: true }, { name: 'b', dataType: 'BinaryVector', dim }], false);
      expect(codeOf(fn), `dim ${dim}`).toBe(105);
      expect(fn).toThrow(/multiple of 8 in \[8, 32768\]/);
    }
  });

  it('a collection has exactly one vector field, float or binary', () => {
    const two = () => buildSchema('two', '', [
      { name: 'id', dataType: 'Int64', isPrimaryKey: true },
      { name: 'f', dataType: 'FloatVector', dim: 4 },
      { name: 'b', dataType: 'BinaryVector', dim: 8 },
    ], false);
    expect(codeOf(two)).toBe(3000);
    expect(() => buildSchema('none', '', [{ name: 'id', dataType: 'Int64', isPrimaryKey: true }], false)).toThrow(/FloatVector or BinaryVector/);
  });
});

describe('BinaryVector rows', () => {
  it('accepts byte arrays, Uint8Array and base64 strings; reads back Uint8Array copies', () => {
    const rows = [
      { id: 1, tag: 0, bv: [0, 1, 254, 255] },
      { id: 2, tag: 0, bv: Uint8Array.from([9, 8, 7, 6]) },
      { id: 3, tag: 0, bv: Buffer.from([200, 100, 50, 25]).toString('base64') },
    ];
    const batch = rowsToBatch(schema, rows);
    expect(batch.columns.bv).toBeInstanceOf(Uint8Array);
    expect(Array.from(batch.columns.bv as Uint8Array)).toEqual([0, 1, 254, 255, 9, 8, 7, 6, 200, 100, 50, 25]);
    const f = vectorField(schema);
    const v = readValue(f, batch.columns.bv, 2) as Uint8Array;
    expect(v).toBeInstanceOf(Uint8Array);
    expect(Array.from(v)).toEqual([200, 100, 50, 25]);
    v[0] = 0;
    expect((batch.columns.bv as Uint8Array)[8]).toBe(200); // a copy
  });

  it('rejects a wrong byte count, values outside 0..255, non-integers and bad base64 with 1100 naming row, field and dim/8', () => {
    const bad: [unknown, RegExp][] = [
      [[1, 2, 3], /has 3 bytes; expected 4 bytes \(dim 32 bits \/ 8\)/],
      [[1, 2, 3, 4, 5], /has 5 bytes; expected 4 bytes/],
      [[1, 2, 3, 256], /byte 3 is 256; expected an integer in \[0, 255\]/],
      [[-1, 2, 3, 4], /byte 0 is -1/],
      [[1, 2.5, 3, 4], /byte 1 is 2\.5/],
      [[1, '2', 3, 4], /byte 1 is "2"/],
      [[1, 2, 3, 10n ** 20n], /byte 3 is 100000000000000000000/],
      ['AQID', /has 3 bytes \(base64\); expected 4 bytes/],
      ['not base64!', /not valid base64/],
      ['AQIDBA', /not valid base64/], // unpadded, as Go's StdEncoding rejects
      [{ a: 1 }, /is object; expected 4 bytes/],
      [Float32Array.from([1, 2, 3, 4]), /is object; expected 4 bytes/],
    ];
    for (const [value, message] of bad) {
      const fn = () => rowsToBatch(schema, [{ id: 1, tag: 0, bv: [0, 0, 0, 0] }, { id: 2, tag: 0, bv: value }]);
      expect(codeOf(fn), String(value)).toBe(1100);
      expect(fn).toThrow(/^row 1: binary vector field "bv" /);
      expect(fn).toThrow(message);
    }
  });

  it('base64 decoding is strict standard base64 with padding', () => {
    expect(Array.from(decodeBase64('AQIDBA==')!)).toEqual([1, 2, 3, 4]);
    expect(Array.from(decodeBase64('')!)).toEqual([]);
    for (const s of ['AQIDBA', 'AQID BA==', 'AQ-_', 'A===']) expect(decodeBase64(s), s).toBeNull();
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (b) => {
      expect(Array.from(decodeBase64(Buffer.from(b).toString('base64'))!)).toEqual(Array.from(b));
    }));
  });
});

describe('BinaryVector columns on disk', () => {
  it('round-trips numRows × dim/8 bytes and rejects a wrong length or dim', () => {
    fc.assert(fc.property(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 1, max: 8 }), (n, bytes) => {
      const col = Uint8Array.from(bytesOf(n * bytes, n * 31 + bytes));
      const back = decodeColumn('BinaryVector', encodeColumn('BinaryVector', col, n), n, bytes * 8);
      expect(back).toBeInstanceOf(Uint8Array);
      expect(Array.from(back as Uint8Array)).toEqual(Array.from(col));
    }));
    const enc = encodeColumn('BinaryVector', new Uint8Array(8), 2);
    expect(codeOf(() => decodeColumn('BinaryVector', enc, 2, 64))).toBe(1001);
    expect(codeOf(() => decodeColumn('BinaryVector', enc, 2, 12))).toBe(1100);
    expect(codeOf(() => encodeColumn('BinaryVector', new Uint8Array(7), 2))).toBe(1100);
    expect(codeOf(() => encodeColumn('BinaryVector', new Float32Array(8), 2))).toBe(1100);
  });
});

function open(disk: MemoryDisk, index: IndexSpec | null = null): Promise<Shard> {
  return openShard({
    env: createTestEnv({ disk }), store: new LocalObjectStore(disk), collectionId: 9n, shardNo: 0, schema,
    walDir: 'wal/9/0', indexBuilder: new InlineIndexBuilder(), index, loaded: true, segmentMaxRows: 50,
  });
}

/** Every visible row's id → vector bytes. */
function contents(shard: Shard): Map<bigint, number[]> {
  const out = new Map<bigint, number[]>();
  const f = vectorField(schema);
  for (const ref of shard.query({ readTs: 1n << 62n }, 0, undefined)) {
    out.set(shard.primaryKeyOf(ref) as bigint, Array.from(readValue(f, ref.segment.column('bv'), ref.offset) as Uint8Array));
  }
  return out;
}

describe('BinaryVector in a shard', () => {
  it('growing and sealed segments keep the bytes exactly, across flush, restart and a crash', async () => {
    const disk = new MemoryDisk();
    const shard = await open(disk);
    const want = new Map<bigint, number[]>();
    const rows = Array.from({ length: 120 }, (_, i) => {
      const bv = bytesOf(4, i + 1);
      want.set(BigInt(i), bv);
      return { id: i, tag: i % 3, bv };
    });
    await shard.insert(rowsToBatch(schema, rows.slice(0, 70)), 1n << 18n, 1); // one sealed segment of 50 rows, 20 growing
    expect(contents(shard)).toEqual(new Map([...want].filter(([k]) => k < 70n)));
    await shard.flush();
    await shard.insert(rowsToBatch(schema, rows.slice(70)), 2n << 18n, 1);
    expect(contents(shard)).toEqual(want);
    await shard.close();

    const reopened = await open(disk); // sealed segments from the object store, the rest from the log
    expect(contents(reopened)).toEqual(want);
    const extra = { id: 500, tag: 0, bv: [1, 2, 3, 4] };
    await reopened.insert(rowsToBatch(schema, [extra]), 3n << 18n, 1);
    disk.crash();
    const recovered = await open(disk);
    expect(contents(recovered)).toEqual(new Map([...want, [500n, [1, 2, 3, 4]]]));
    await recovered.close();
  });
});
