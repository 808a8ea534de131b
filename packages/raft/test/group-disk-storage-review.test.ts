import { describe, expect, it } from 'vitest';
import { MemoryDisk } from '@shoal/actors';
import type { AppendFile } from '@shoal/actors';
import { openDiskStorage } from '../src/index.ts';
import type { Entry } from '../src/index.ts';

const conf = { voters: [1, 2, 3], learners: [] };
const ent = (index: number, term: number): Entry => ({ index, term, type: 'normal', data: new TextEncoder().encode(`e${index}t${term}`) });

describe('DiskStorage (review)', () => {
  it('a received snapshot drops the retained entries after it, in memory and after a restart', async () => {
    const disk = new MemoryDisk();
    const s = await openDiskStorage(disk, 'g', { confState: conf });
    const stale = Array.from({ length: 15 }, (_, i) => ent(i + 1, 2));
    await s.persist({ entries: stale, hardState: { term: 2, vote: 1, commit: 5 }, mustSync: true });
    // A leader of term 3 sends a snapshot at 10 (term 3): this follower's entries 6..15 (term 2) conflict.
    await s.persist({ snapshot: { metadata: { index: 10, term: 3, confState: conf }, data: new Uint8Array([1]) }, entries: [], hardState: { term: 3, vote: 0, commit: 10 }, mustSync: true });
    expect(s.lastIndex()).toBe(10);
    await s.close();
    const r = await openDiskStorage(disk, 'g');
    expect(r.snapshot().metadata.index).toBe(10);
    expect(r.lastIndex()).toBe(10); // not 15: entries 11..15 of term 2 must not come back
    expect(r.term(10)).toBe(3);
    await r.close();
  });

  it('appends and replays a long log of one-entry records (bench/raft-log.ts measures its linear cost)', async () => {
    const disk = new MemoryDisk();
    const s = await openDiskStorage(disk, 'g', { confState: conf });
    const n = 5_000;
    for (let i = 1; i <= n; i++) await s.persist({ entries: [ent(i, 1 + Math.floor(i / 1000))], mustSync: true });
    await s.close();
    const r = await openDiskStorage(disk, 'g');
    expect(r.lastIndex()).toBe(n);
    expect(r.term(n)).toBe(1 + Math.floor(n / 1000));
    expect(new TextDecoder().decode(r.entries(4321, 4322, Infinity)[0].data)).toBe('e4321t5');
    await r.close();
  }, 60_000);

  it('splits a Ready whose entries exceed one record (64 MiB of payload) over several records, and reopens it', async () => {
    // Group commit puts every proposal that arrived during the previous fsync into one Ready; one
    // record per Ready would exceed the record log's 1 GiB limit with two 600 MiB shard records and
    // stop the group. Here three 30 MiB entries need two records.
    const disk = new MemoryDisk();
    const s = await openDiskStorage(disk, 'g', { confState: conf });
    const big = new Uint8Array(30 * 1024 * 1024);
    big[0] = 7;
    await s.persist({ entries: [ent(1, 1)], hardState: { term: 1, vote: 1, commit: 1 }, mustSync: true });
    const records = s.syncCount;
    const batch: Entry[] = [2, 3, 4].map((index) => ({ index, term: 1, type: 'normal', data: big }));
    await s.persist({ entries: batch, hardState: { term: 1, vote: 1, commit: 4 }, mustSync: true });
    expect(s.syncCount - records).toBe(2);
    await s.close();
    const r = await openDiskStorage(disk, 'g');
    expect(r.lastIndex()).toBe(4);
    expect(r.initialState().hardState).toEqual({ term: 1, vote: 1, commit: 4 });
    const back = r.entries(2, 5, Infinity);
    expect(back.map((e) => [e.index, e.data.byteLength, e.data[0]])).toEqual([2, 3, 4].map((i) => [i, big.byteLength, 7]));
    await r.close();
  }, 60_000);

  it('a crash between the records of a split Ready keeps a prefix with a hard state whose commit it covers', async () => {
    // The second record goes to a new record-log file whose write never completes (the crash).
    class TornDisk extends MemoryDisk {
      holdNewFiles = false;
      opened: string[] = [];
      override async openAppend(path: string): Promise<AppendFile> {
        const f = await super.openAppend(path);
        if (!this.holdNewFiles) return f;
        this.opened.push(path);
        return { get size() { return f.size; }, append: () => new Promise<void>(() => undefined), sync: () => f.sync(), truncate: (n) => f.truncate(n), close: () => f.close() };
      }
    }
    const disk = new TornDisk();
    const s = await openDiskStorage(disk, 'g', { confState: conf });
    await s.persist({ entries: [ent(1, 1)], hardState: { term: 1, vote: 1, commit: 1 }, mustSync: true });
    const big = new Uint8Array(40 * 1024 * 1024);
    disk.holdNewFiles = true;
    void s.persist({ entries: [2, 3].map((index) => ({ index, term: 2, type: 'normal' as const, data: big })), hardState: { term: 2, vote: 1, commit: 3 }, mustSync: true });
    for (let i = 0; i < 10_000 && disk.opened.length === 0; i++) await new Promise((r) => setTimeout(r, 1));
    expect(disk.opened.length).toBe(1);
    disk.holdNewFiles = false;
    const r = await openDiskStorage(disk, 'g');
    expect(r.lastIndex()).toBe(2);
    expect(r.initialState().hardState).toEqual({ term: 2, vote: 1, commit: 2 });
    await r.close();
  }, 60_000);
});
