import { describe, expect, it } from 'vitest';
import { ErrorCode, MemoryDisk, SeededRandom, ShoalError } from '@shoal/actors';
import { openDiskStorage } from '../src/index.ts';
import type { Entry } from '../src/index.ts';
import type { AppendFile } from '@shoal/actors';

/** A MemoryDisk whose fsyncs never complete while `hold` is set (an fsync in flight at a crash). */
class HoldSyncDisk extends MemoryDisk {
  hold = false;
  override async openAppend(path: string): Promise<AppendFile> {
    const f = await super.openAppend(path);
    const holder = this as HoldSyncDisk;
    return {
      get size() { return f.size; },
      append: (d) => f.append(d),
      sync: () => (holder.hold ? new Promise<void>(() => undefined) : f.sync()),
      truncate: (n) => f.truncate(n),
      close: () => f.close(),
    };
  }
}
const settle = async () => { for (let i = 0; i < 50; i++) await Promise.resolve(); };

const conf = { voters: [1, 2, 3], learners: [] };
const ent = (index: number, term: number, s = `e${index}t${term}`): Entry => ({ index, term, type: 'normal', data: new TextEncoder().encode(s) });
const texts = (es: Entry[]) => es.map((e) => `${e.index}:${e.term}:${new TextDecoder().decode(e.data)}`);

async function rejection(p: Promise<unknown>): Promise<ShoalError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(ShoalError);
  return err as ShoalError;
}

describe('DiskStorage', () => {
  it('round-trips entries, hard state and conf state through reopen', async () => {
    const disk = new MemoryDisk();
    const s = await openDiskStorage(disk, 'g', { confState: conf });
    await s.persist({ entries: [ent(1, 1), ent(2, 1), ent(3, 1)], hardState: { term: 1, vote: 2, commit: 2 }, mustSync: true });
    await s.close();
    const r = await openDiskStorage(disk, 'g', { confState: { voters: [9], learners: [] } });
    expect(r.initialState()).toEqual({ hardState: { term: 1, vote: 2, commit: 2 }, confState: conf });
    expect(r.firstIndex()).toBe(1);
    expect(r.lastIndex()).toBe(3);
    expect(texts(r.entries(1, 4, Infinity))).toEqual(['1:1:e1t1', '2:1:e2t1', '3:1:e3t1']);
    await r.close();
  });

  it('an overwritten conflicting suffix stays overwritten after reopen', async () => {
    const disk = new MemoryDisk();
    const s = await openDiskStorage(disk, 'g', { confState: conf });
    await s.persist({ entries: [ent(1, 1), ent(2, 1), ent(3, 1), ent(4, 1)], mustSync: true });
    await s.persist({ entries: [ent(3, 2), ent(4, 2), ent(5, 2)], hardState: { term: 2, vote: 1, commit: 0 }, mustSync: true });
    await s.persist({ entries: [ent(4, 3)], mustSync: true });
    expect(texts(s.entries(1, 5, Infinity))).toEqual(['1:1:e1t1', '2:1:e2t1', '3:2:e3t2', '4:3:e4t3']);
    await s.close();
    const r = await openDiskStorage(disk, 'g');
    expect(r.lastIndex()).toBe(4);
    expect(texts(r.entries(1, 5, Infinity))).toEqual(['1:1:e1t1', '2:1:e2t1', '3:2:e3t2', '4:3:e4t3']);
    await r.close();
  });

  it('a commit-only hard state without mustSync is not synced on its own but is written by the next synced record', async () => {
    const disk = new MemoryDisk();
    const s = await openDiskStorage(disk, 'g', { confState: conf });
    await s.persist({ entries: [ent(1, 1)], hardState: { term: 1, vote: 1, commit: 0 }, mustSync: true });
    const syncs = s.syncCount;
    await s.persist({ entries: [], hardState: { term: 1, vote: 1, commit: 1 }, mustSync: false });
    expect(s.syncCount).toBe(syncs);
    disk.crash();
    const lost = await openDiskStorage(disk, 'g');
    expect(lost.initialState().hardState).toEqual({ term: 1, vote: 1, commit: 0 });
    await lost.persist({ entries: [], hardState: { term: 1, vote: 1, commit: 1 }, mustSync: false });
    await lost.persist({ entries: [ent(2, 1)], mustSync: true });
    disk.crash();
    const r = await openDiskStorage(disk, 'g');
    expect(r.initialState().hardState).toEqual({ term: 1, vote: 1, commit: 1 });
    expect(r.lastIndex()).toBe(2);
  });

  it('snapshot + compaction deletes fully covered log files; reopen gives the same first index, entries and snapshot', async () => {
    const disk = new MemoryDisk();
    const s = await openDiskStorage(disk, 'g', { confState: conf, segmentBytes: 200 });
    for (let i = 1; i <= 30; i++) await s.persist({ entries: [ent(i, 1, 'x'.repeat(40))], hardState: { term: 1, vote: 1, commit: i }, mustSync: true });
    const before = (await disk.list('g/wal')).length;
    expect(before).toBeGreaterThan(5);
    const snap = await s.createSnapshot(25, { voters: [1, 2], learners: [4] }, new TextEncoder().encode('state@25'));
    expect(snap.metadata).toEqual({ index: 25, term: 1, confState: { voters: [1, 2], learners: [4] } });
    await expect(s.compact(26)).rejects.toThrow(/snapshot index 25/);
    await s.compact(25);
    const after = await disk.list('g/wal');
    expect(after.length).toBeLessThan(before);
    expect(after[0]).not.toBe('00000000000000000001.wal');
    expect(s.firstIndex()).toBe(26);
    await s.close();
    const r = await openDiskStorage(disk, 'g');
    expect(r.firstIndex()).toBe(26);
    expect(r.lastIndex()).toBe(30);
    expect(r.term(25)).toBe(1);
    expect(r.entries(26, 31, Infinity).map((e) => e.index)).toEqual([26, 27, 28, 29, 30]);
    expect(new TextDecoder().decode(r.snapshot().data)).toBe('state@25');
    expect(r.initialState()).toEqual({ hardState: { term: 1, vote: 1, commit: 30 }, confState: { voters: [1, 2], learners: [4] } });
    // A second snapshot removes the first one's file.
    await r.createSnapshot(30, conf, new Uint8Array([1]));
    expect(await disk.list('g/snap')).toEqual(['00000000000000000030.snap']);
    await r.compact(30);
    await r.close();
    const r2 = await openDiskStorage(disk, 'g');
    expect([r2.firstIndex(), r2.lastIndex()]).toEqual([31, 30]);
  });

  it('a snapshot from the leader replaces the log and survives reopen', async () => {
    const disk = new MemoryDisk();
    const s = await openDiskStorage(disk, 'g', { confState: conf });
    await s.persist({ entries: [ent(1, 1)], mustSync: true });
    const snapshot = { metadata: { index: 10, term: 3, confState: conf }, data: new Uint8Array([7, 7]) };
    await s.persist({ snapshot, entries: [ent(11, 3)], hardState: { term: 3, vote: 0, commit: 10 }, mustSync: true });
    await s.close();
    const r = await openDiskStorage(disk, 'g');
    expect([r.firstIndex(), r.lastIndex(), r.term(10)]).toEqual([11, 11, 3]);
    expect(r.snapshot().data).toEqual(new Uint8Array([7, 7]));
  });

  it('a crash loses only unsynced records; a torn tail is cut', async () => {
    const seen = new Set<number>();
    let torn = 0;
    const wal = 'g/wal/00000000000000000001.wal';
    for (let seed = 1; seed <= 20; seed++) {
      const disk = new HoldSyncDisk();
      const s = await openDiskStorage(disk, 'g', { confState: conf });
      await s.persist({ entries: [ent(1, 1), ent(2, 1)], hardState: { term: 1, vote: 1, commit: 0 }, mustSync: true });
      const synced = (await disk.readFile(wal)).byteLength;
      // A record written but whose fsync is still in flight at the crash: a torn prefix may remain.
      disk.hold = true;
      void s.persist({ entries: [ent(3, 1), ent(4, 1)], mustSync: true });
      await settle();
      disk.crash({ tornTail: true, random: new SeededRandom(seed) });
      disk.hold = false;
      const crashed = (await disk.readFile(wal)).byteLength;
      if (crashed > synced) torn++;
      const r = await openDiskStorage(disk, 'g');
      if (r.lastIndex() === 2) expect((await disk.readFile(wal)).byteLength).toBe(synced); // the torn tail was cut
      seen.add(r.lastIndex());
      expect(r.lastIndex() === 2 || r.lastIndex() === 4).toBe(true);
      expect(texts(r.entries(1, 3, Infinity))).toEqual(['1:1:e1t1', '2:1:e2t1']);
      await r.persist({ entries: [ent(r.lastIndex() + 1, 2)], mustSync: true });
      await r.close();
      expect((await openDiskStorage(disk, 'g')).lastIndex()).toBe(r.lastIndex());
    }
    expect(torn).toBeGreaterThan(0); // some seeds really left a torn, partial record
    expect([...seen].every((i) => i === 2 || i === 4)).toBe(true);
  });

  it('a flipped byte in the middle of the log fails the open with IoFailed naming file and offset', async () => {
    const disk = new MemoryDisk();
    const s = await openDiskStorage(disk, 'g', { confState: conf });
    for (let i = 1; i <= 5; i++) await s.persist({ entries: [ent(i, 1)], mustSync: true });
    await s.close();
    const path = 'g/wal/00000000000000000001.wal';
    const bytes = await disk.readFile(path);
    bytes[40] ^= 0xff;
    await disk.writeFileAtomic(path, bytes);
    const err = await rejection(openDiskStorage(disk, 'g'));
    expect(err.code).toBe(ErrorCode.IoFailed);
    expect(err.message).toMatch(/00000000000000000001\.wal is corrupt at byte offset \d+/);
  });

  it('rejects bad input clearly', async () => {
    const disk = new MemoryDisk();
    expect((await rejection(openDiskStorage(disk, ''))).code).toBe(ErrorCode.ParameterInvalid);
    expect((await rejection(openDiskStorage(disk, 'g', { confState: { voters: [0], learners: [] } }))).code).toBe(ErrorCode.ParameterInvalid);
    const s = await openDiskStorage(disk, 'h', { confState: conf });
    await s.persist({ entries: [ent(1, 1)], mustSync: true });
    expect((await rejection(s.createSnapshot(2, conf, new Uint8Array()))).code).toBe(ErrorCode.ParameterInvalid);
  });
});
