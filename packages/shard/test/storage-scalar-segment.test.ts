import { describe, expect, it } from 'vitest';
import { ErrorCode, MemoryDisk } from '@shoal/actors';
import { buildSchema, LocalObjectStore, rowsToBatch } from '../src/index.ts';
import { GrowingSegment } from '../src/segment/growing.ts';
import { SealedSegment } from '../src/segment/sealed.ts';
import { DYNAMIC_FIELD_ID, readSegment, segmentPrefix, writeSegment } from '../src/segment/segment-io.ts';

const schema = buildSchema('seg', '', [
  { name: 'id', dataType: 'Int64', isPrimaryKey: true },
  { name: 'v', dataType: 'FloatVector', dim: 2 },
  { name: 'a', dataType: 'Array', elementType: 'Int16', maxCapacity: 2, nullable: true },
  { name: 'j', dataType: 'JSON', nullable: true },
], true);

function sealed(): SealedSegment {
  const g = new GrowingSegment(5, schema, 2);
  g.append(rowsToBatch(schema, [{ id: 1, v: [0, 0], a: [1, -2], j: { x: 1 }, k: 'one' }, { id: 2, v: [0, 0] }, { id: 3, v: [1, 1], a: null, j: [1] }]), 10n, 0, 1n);
  return SealedSegment.fromGrowing(g);
}

describe('sealed segment files with validity bitmaps and $meta', () => {
  it('writes and reads back columns, validity and the dynamic field', async () => {
    const store = new LocalObjectStore(new MemoryDisk());
    const seg = sealed();
    expect(Array.from(seg.valid('a')!)).toEqual([1, 0, 0]);
    expect(Array.from(seg.valid('j')!)).toEqual([1, 0, 1]);
    expect(seg.valid('id')).toBeUndefined();
    await writeSegment(store, 9n, seg);
    const back = await readSegment(store, 9n, 5, schema);
    expect(Array.from(back.valid('a')!)).toEqual([1, 0, 0]);
    expect(Array.from(back.valid('j')!)).toEqual([1, 0, 1]);
    expect(back.column('a')).toEqual([[1, -2], [], []]);
    expect(back.column('j')).toEqual([{ x: 1 }, null, [1]]);
    expect(back.column('$meta')).toEqual([{ k: 'one' }, {}, {}]);
  });

  it('refuses a segment missing its validity file or its $meta column', async () => {
    const disk = new MemoryDisk();
    const store = new LocalObjectStore(disk);
    await writeSegment(store, 9n, sealed());
    const prefix = segmentPrefix(9n, 5);
    await store.delete(`${prefix}fields/${DYNAMIC_FIELD_ID}.bin`);
    await expect(readSegment(store, 9n, 5, schema)).rejects.toMatchObject({ code: ErrorCode.IoFailed });
    await writeSegment(store, 9n, sealed());
    await store.delete(`${prefix}fields/${schema.fields[2].fieldId}.valid`);
    await expect(readSegment(store, 9n, 5, schema)).rejects.toMatchObject({ code: ErrorCode.IoFailed });
  });
});
