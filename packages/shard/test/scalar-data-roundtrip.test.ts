import { describe, expect, it } from 'vitest';
import { MemoryDisk } from '@shoal/actors';
import { createTestEnv } from '@shoal/actors/node';
import { InlineIndexBuilder } from '@shoal/ann';
import { buildSchema, LocalObjectStore, openShard, outputRow, rowsToBatch } from '../src/index.ts';
import type { Shard } from '../src/index.ts';

const schema = buildSchema('scalars', '', [
  { name: 'id', dataType: 'Int64', isPrimaryKey: true },
  { name: 'v', dataType: 'FloatVector', dim: 2 },
  { name: 'tags', dataType: 'Array', elementType: 'Int64', maxCapacity: 4 },
  { name: 'names', dataType: 'Array', elementType: 'VarChar', maxCapacity: 3, maxLength: 8, nullable: true },
  { name: 'fl', dataType: 'Array', elementType: 'Float', maxCapacity: 2 },
  { name: 'flags', dataType: 'Array', elementType: 'Bool', maxCapacity: 2 },
  { name: 'n', dataType: 'Int16', nullable: true },
  { name: 'd', dataType: 'Double', nullable: true, defaultValue: 2.5 },
  { name: 's', dataType: 'VarChar', maxLength: 10, nullable: true },
  { name: 'j', dataType: 'JSON', nullable: true },
  { name: 'b', dataType: 'Bool', defaultValue: true },
], true);

const OUT = [...schema.fields.map((f) => f.name), '$meta'];

/** Row `i` as a client sends it: every third row leaves the nullable fields out, every fifth gives nulls. */
function clientRow(i: number): Record<string, unknown> {
  const row: Record<string, unknown> = {
    id: i, v: [i, -i], tags: i % 4 === 0 ? [] : [i, 1n << 62n], fl: [0.1 * i], flags: [i % 2 === 0],
  };
  if (i % 3 !== 0 && i % 5 !== 0) Object.assign(row, { names: ['a' + i], n: i, d: i / 4, s: `s${i}`, j: { k: [i, { x: null }] }, b: false });
  if (i % 5 === 0) Object.assign(row, { names: null, n: null, d: null, s: null, j: null, b: null });
  if (i % 2 === 1) Object.assign(row, { color: `c${i}`, big: 12345678901234567890n, nested: { a: [1, 2] } });
  return row;
}

/** What an output row of `clientRow(i)` with every field and `$meta` must be. */
function expected(i: number): Record<string, unknown> {
  const given = i % 3 !== 0 && i % 5 !== 0;
  const row: Record<string, unknown> = {
    id: BigInt(i), v: Float32Array.of(i, -i), tags: i % 4 === 0 ? [] : [BigInt(i), 1n << 62n], fl: [Math.fround(0.1 * i)], flags: [i % 2 === 0],
    names: given ? ['a' + i] : null, n: given ? i : null, d: given ? i / 4 : 2.5, s: given ? `s${i}` : null, j: given ? { k: [i, { x: null }] } : null, b: !given,
  };
  if (i % 2 === 1) Object.assign(row, { color: `c${i}`, big: 12345678901234567890n, nested: { a: [1, 2] } });
  return row;
}

async function open(disk: MemoryDisk): Promise<Shard> {
  return openShard({
    env: createTestEnv({ disk }), store: new LocalObjectStore(disk), collectionId: 3n, shardNo: 0, schema, walDir: 'wal/3/0',
    indexBuilder: new InlineIndexBuilder(), index: null, loaded: true,
  });
}

function rows(shard: Shard): Map<bigint, Record<string, unknown>> {
  const out = new Map<bigint, Record<string, unknown>>();
  for (const ref of shard.query({ readTs: 1n << 62n }, 0, undefined)) {
    out.set(shard.primaryKeyOf(ref) as bigint, outputRow(schema, ref.segment, ref.offset, OUT));
  }
  return out;
}

function check(shard: Shard, ids: number[]): void {
  const got = rows(shard);
  expect([...got.keys()].sort((a, b) => Number(a - b))).toEqual(ids.map(BigInt));
  for (const i of ids) expect(got.get(BigInt(i)), `row ${i}`).toEqual(expected(i));
  for (const [, r] of got) {
    for (const t of r.tags as unknown[]) expect(typeof t).toBe('bigint');
  }
}

describe('Array, nullable, default and dynamic data through a shard', () => {
  it('round-trips through the growing segment, sealing, segment files, and log replay after a restart', async () => {
    const disk = new MemoryDisk();
    const shard = await open(disk);
    const first = Array.from({ length: 20 }, (_, i) => i + 1);
    await shard.insert(rowsToBatch(schema, first.map(clientRow)), 10n, 0);
    check(shard, first);
    const growingBytes = shard.memory().reduce((a, m) => a + m.rawBytes, 0);
    await shard.flush(); // seals and persists the segment files
    check(shard, first);
    expect(shard.memory().reduce((a, m) => a + m.rawBytes, 0)).toBe(growingBytes);
    const second = Array.from({ length: 10 }, (_, i) => i + 21);
    await shard.insert(rowsToBatch(schema, second.map(clientRow)), 20n, 0); // stays in the log only
    await shard.close();

    const again = await open(disk); // sealed segment from its files, the rest replayed from the log
    check(again, [...first, ...second]);
    await again.flush();
    await again.close();
    const third = await open(disk); // everything from segment files
    check(third, [...first, ...second]);
    await third.close();
  });

  it('keeps validity and $meta when the growing segment grows past its initial capacity', async () => {
    const disk = new MemoryDisk();
    const shard = await open(disk);
    const ids = Array.from({ length: 2600 }, (_, i) => i + 1);
    for (let k = 0; k < ids.length; k += 700) await shard.insert(rowsToBatch(schema, ids.slice(k, k + 700).map(clientRow)), BigInt(10 + k), 0);
    check(shard, ids);
    await shard.close();
    const again = await open(disk);
    check(again, ids);
    await again.close();
  });

  it('upserts replace dynamic keys and nulls', async () => {
    const shard = await open(new MemoryDisk());
    await shard.insert(rowsToBatch(schema, [clientRow(1)]), 10n, 0);
    await shard.upsert(rowsToBatch(schema, [{ id: 1, v: [0, 0], tags: [], fl: [], flags: [], n: null, other: 'x' }]), 20n, 0);
    const r = rows(shard).get(1n)!;
    expect(r).toMatchObject({ n: null, names: null, d: 2.5, b: true, other: 'x' });
    expect(r).not.toHaveProperty('color');
    await shard.close();
  });
});
