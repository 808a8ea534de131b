import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { DiskError, ErrorCode, MemoryDisk, SeededRandom, ShoalError } from '../src/index.ts';
import type { AppendFile, Disk } from '../src/index.ts';
import { NodeDisk } from '../src/node/index.ts';
import { openWal } from '../src/index.ts';
import type { WalRecord } from '../src/index.ts';

const bytes = (s: string) => new TextEncoder().encode(s);
const text = (b: Uint8Array) => new TextDecoder().decode(b);

async function collect(records: AsyncIterable<WalRecord>): Promise<Array<{ lsn: bigint; text: string }>> {
  const out: Array<{ lsn: bigint; text: string }> = [];
  for await (const r of records) out.push({ lsn: r.lsn, text: text(r.payload) });
  return out;
}

async function shoalError(p: Promise<unknown>): Promise<ShoalError> {
  const err = await p.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(ShoalError);
  return err as ShoalError;
}

/** Hooks of an instrumented disk: called before the operation of the wrapped file. */
interface FileHooks {
  append?: (data: Uint8Array) => Promise<void> | void;
  sync?: () => Promise<void> | void;
}

/**
 * A Disk that counts append/sync calls of its files and lets a test intercept them. Once `dead`
 * (the process crashed), every call rejects, so that a crashed WAL cannot keep writing.
 */
class InstrumentedDisk implements Disk {
  readonly inner: Disk;
  appends = 0;
  syncs = 0;
  hooks: FileHooks = {};
  dead = false;
  constructor(inner: Disk) {
    this.inner = inner;
  }
  async readFile(path: string) { this.#alive(); return this.inner.readFile(path); }
  async writeFileAtomic(path: string, data: Uint8Array) { this.#alive(); return this.inner.writeFileAtomic(path, data); }
  async exists(path: string) { this.#alive(); return this.inner.exists(path); }
  async list(dir: string) { this.#alive(); return this.inner.list(dir); }
  async mkdirp(dir: string) { this.#alive(); return this.inner.mkdirp(dir); }
  async remove(path: string) { this.#alive(); return this.inner.remove(path); }
  async rename(from: string, to: string) { this.#alive(); return this.inner.rename(from, to); }
  nativePath(path: string) { return this.inner.nativePath(path); }
  async openAppend(path: string): Promise<AppendFile> {
    this.#alive();
    const f = await this.inner.openAppend(path);
    return {
      get size() { return f.size; },
      append: async (data) => { this.appends++; await this.hooks.append?.(data); return f.append(data); },
      sync: async () => { this.syncs++; await this.hooks.sync?.(); return f.sync(); },
      truncate: (length) => f.truncate(length),
      close: () => f.close(),
    };
  }
  #alive(): void {
    if (this.dead) throw new DiskError('EIO', '', 'this process crashed');
  }
}

describe('write-ahead log', () => {
  it('appends, replays after reopening, and continues the LSN sequence', async () => {
    const disk = new MemoryDisk();
    const first = await openWal(disk, 'shard/1/wal');
    expect(first.wal.lastLsn).toBe(0n);
    expect(await collect(first.records)).toEqual([]);
    expect(await first.wal.append(bytes('a'))).toBe(1n);
    expect(await first.wal.append(bytes(''))).toBe(2n);
    expect(await first.wal.append(bytes('ccc'))).toBe(3n);
    await first.wal.close();
    await expect(first.wal.append(bytes('late'))).rejects.toThrow(/closed/);

    const second = await openWal(disk, 'shard/1/wal');
    expect(second.wal.lastLsn).toBe(3n);
    const expected = [{ lsn: 1n, text: 'a' }, { lsn: 2n, text: '' }, { lsn: 3n, text: 'ccc' }];
    expect(await collect(second.records)).toEqual(expected);
    expect(await collect(second.records)).toEqual(expected); // re-iterable
    expect(await second.wal.append(bytes('d'))).toBe(4n);
    await second.wal.close();
  });

  it('assigns LSNs synchronously in call order', async () => {
    const { wal } = await openWal(new MemoryDisk(), 'wal');
    const promises = ['a', 'b', 'c', 'd', 'e'].map((s) => wal.append(bytes(s)));
    expect(wal.lastLsn).toBe(5n);
    expect(await Promise.all(promises)).toEqual([1n, 2n, 3n, 4n, 5n]);
    const inFlight = wal.append(bytes('f'));
    await wal.close(); // waits for in-flight appends
    expect(await inFlight).toBe(6n);
  });

  it('group commit: appends arriving during an fsync share one write and one fsync', async () => {
    const disk = new InstrumentedDisk(new MemoryDisk());
    const { wal } = await openWal(disk, 'wal');
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => { release = r; });
    disk.hooks.sync = () => gate;
    const settled: bigint[] = [];
    const first = wal.append(bytes('first')).then((l) => { settled.push(l); return l; });
    await new Promise((r) => setImmediate(r)); // the first batch is now waiting in sync
    expect(disk.syncs).toBe(1);
    const rest = Array.from({ length: 50 }, (_, i) => wal.append(bytes(`r${i}`)).then((l) => { settled.push(l); return l; }));
    await new Promise((r) => setImmediate(r));
    expect(settled).toEqual([]); // nothing is acknowledged before its fsync
    expect(disk.syncs).toBe(1);
    release();
    await Promise.all([first, ...rest]);
    expect(disk.appends).toBe(2);
    expect(disk.syncs).toBe(2);
    expect(settled).toEqual(Array.from({ length: 51 }, (_, i) => BigInt(i + 1)));
    await wal.close();
  });

  it('many concurrent appends need far fewer fsyncs than appends', async () => {
    const disk = new InstrumentedDisk(new MemoryDisk());
    const { wal } = await openWal(disk, 'wal');
    disk.hooks.sync = () => new Promise((r) => setImmediate(r));
    const all: Promise<bigint>[] = [];
    for (let round = 0; round < 20; round++) {
      for (let i = 0; i < 10; i++) all.push(wal.append(bytes(`${round}.${i}`)));
      await new Promise((r) => setImmediate(r));
    }
    await Promise.all(all);
    expect(disk.syncs).toBeLessThan(all.length / 4);
    expect(disk.syncs).toBe(disk.appends);
    await wal.close();
    const { records } = await openWal(disk, 'wal');
    expect((await collect(records)).map((r) => r.lsn)).toEqual(all.map((_, i) => BigInt(i + 1)));
  });

  it.each(['append', 'sync'] as const)('is fail-stop when %s fails', async (failing) => {
    const disk = new InstrumentedDisk(new MemoryDisk());
    const { wal } = await openWal(disk, 'wal');
    expect(await wal.append(bytes('ok'))).toBe(1n);
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => { release = r; });
    disk.hooks[failing] = async () => {
      await gate;
      throw new DiskError('EIO', 'wal/x', 'injected failure');
    };
    const waiting = [wal.append(bytes('x')), wal.append(bytes('y'))];
    await new Promise((r) => setImmediate(r));
    const queued = wal.append(bytes('z'));
    release();
    for (const p of [...waiting, queued]) {
      const err = await shoalError(p);
      expect(err.code).toBe(ErrorCode.IoFailed);
      expect(err.message).toMatch(/injected failure.*accepts no more appends/);
    }
    disk.hooks = {};
    expect((await shoalError(wal.append(bytes('after')))).code).toBe(ErrorCode.IoFailed);
    await wal.close();
    const reopened = await openWal(disk, 'wal');
    const texts = (await collect(reopened.records)).map((r) => r.text);
    expect(texts[0]).toBe('ok');
    expect(['ok', 'x', 'y', 'z'].slice(0, texts.length)).toEqual(texts);
    expect(await reopened.wal.append(bytes('again'))).toBe(BigInt(texts.length + 1));
  });

  it('rolls files over at segmentBytes and truncateBefore deletes whole old files', async () => {
    const disk = new MemoryDisk();
    const { wal } = await openWal(disk, 'wal', { segmentBytes: 100 });
    // Each record: 16-byte header + 24-byte payload = 40 bytes, so two records per file.
    for (let i = 1; i <= 9; i++) await wal.append(bytes(`record-${String(i).padStart(17, '0')}`));
    const names = await disk.list('wal');
    expect(names).toEqual(['00000000000000000001.wal', '00000000000000000003.wal', '00000000000000000005.wal',
      '00000000000000000007.wal', '00000000000000000009.wal']);
    for (const n of names) expect((await disk.readFile(`wal/${n}`)).byteLength).toBeLessThanOrEqual(100);

    await wal.truncateBefore(4n); // file 1 holds 1..2, file 3 holds 3..4: only file 1 is all < 4
    expect((await disk.list('wal'))[0]).toBe('00000000000000000003.wal');
    await wal.truncateBefore(5n);
    expect((await disk.list('wal'))[0]).toBe('00000000000000000005.wal');
    await wal.truncateBefore(1000n); // never deletes the active file
    expect(await disk.list('wal')).toEqual(['00000000000000000009.wal']);
    await wal.close();

    const reopened = await openWal(disk, 'wal', { segmentBytes: 100 });
    expect(reopened.wal.lastLsn).toBe(9n);
    expect((await collect(reopened.records)).map((r) => r.lsn)).toEqual([9n]);
    expect(await reopened.wal.append(bytes('x'))).toBe(10n);
    await reopened.wal.close();
  });

  it('a record larger than segmentBytes gets a file of its own; concurrent batches split at file boundaries', async () => {
    const disk = new MemoryDisk();
    const { wal } = await openWal(disk, 'wal', { segmentBytes: 64 });
    await Promise.all([wal.append(new Uint8Array(10)), wal.append(new Uint8Array(200)), wal.append(new Uint8Array(10)),
      wal.append(new Uint8Array(10)), wal.append(new Uint8Array(10))]);
    const names = await disk.list('wal');
    const sizes = await Promise.all(names.map(async (n) => (await disk.readFile(`wal/${n}`)).byteLength));
    expect(names.map((n) => Number(n.slice(0, 20)))).toEqual([1, 2, 3, 5]);
    expect(sizes).toEqual([26, 216, 52, 26]);
    await wal.close();
    const { records } = await openWal(disk, 'wal', { segmentBytes: 64 });
    expect((await collect(records)).map((r) => r.lsn)).toEqual([1n, 2n, 3n, 4n, 5n]);
  });

  it('drops a torn or corrupt tail of the last file and truncates it', async () => {
    const disk = new MemoryDisk();
    const { wal } = await openWal(disk, 'wal');
    for (const s of ['one', 'two', 'three']) await wal.append(bytes(s));
    await wal.close();
    const file = 'wal/00000000000000000001.wal';
    const good = await disk.readFile(file);
    const lastRecordStart = good.byteLength - (16 + 5);

    const cases: Array<[string, Uint8Array]> = [
      ['short header', good.subarray(0, lastRecordStart + 7)],
      ['short payload', good.subarray(0, good.byteLength - 1)],
      ['flipped payload byte', (() => { const b = good.slice(); b[b.byteLength - 1] ^= 0x40; return b; })()],
      ['zero-filled tail', (() => { const b = new Uint8Array(good.byteLength + 4096); b.set(good); return b; })()],
      ['huge length', (() => { const b = good.slice(); b[lastRecordStart + 3] = 0xff; return b; })()],
    ];
    for (const [name, content] of cases) {
      await disk.writeFileAtomic(file, content);
      const { wal: w, records } = await openWal(disk, 'wal');
      const expectedTexts = name === 'zero-filled tail' ? ['one', 'two', 'three'] : ['one', 'two'];
      expect((await collect(records)).map((r) => r.text), name).toEqual(expectedTexts);
      expect(w.lastLsn, name).toBe(BigInt(expectedTexts.length));
      expect((await disk.readFile(file)).byteLength, name).toBe(name === 'zero-filled tail' ? good.byteLength : lastRecordStart);
      await w.close();
    }
    const { wal: w } = await openWal(disk, 'wal');
    expect(await w.append(bytes('next'))).toBe(3n);
  });

  it('refuses to open a log corrupt in the middle, naming file and offset', async () => {
    const disk = new MemoryDisk();
    const { wal } = await openWal(disk, 'wal', { segmentBytes: 60 });
    for (let i = 0; i < 6; i++) await wal.append(bytes(`payload-${i}`)); // 25-byte records, 2 per file
    await wal.close();
    const files = await disk.list('wal');
    expect(files).toHaveLength(3);

    // A bad record followed by a good one in the last file.
    const last = `wal/${files[2]}`;
    const lastGood = await disk.readFile(last);
    const midFlip = lastGood.slice();
    midFlip[20] ^= 1;
    await disk.writeFileAtomic(last, midFlip);
    let err = await shoalError(openWal(disk, 'wal'));
    expect(err.code).toBe(ErrorCode.IoFailed);
    expect(err.message).toContain(`${last} is corrupt at byte offset 0`);
    expect(err.message).toContain('followed by a valid record (LSN 6 at offset 25)');
    await disk.writeFileAtomic(last, lastGood);

    // The last record of a file that is not the last one.
    const middle = `wal/${files[1]}`;
    const middleGood = await disk.readFile(middle);
    const tailFlip = middleGood.slice();
    tailFlip[tailFlip.byteLength - 1] ^= 1;
    await disk.writeFileAtomic(middle, tailFlip);
    err = await shoalError(openWal(disk, 'wal'));
    expect(err.message).toContain(`${middle} is corrupt at byte offset 25`);
    expect(err.message).toContain('not the last one');
    await disk.writeFileAtomic(middle, middleGood.subarray(0, 30));
    err = await shoalError(openWal(disk, 'wal'));
    expect(err.message).toContain(`${middle} is corrupt at byte offset 25`);
    await disk.writeFileAtomic(middle, middleGood);

    // A missing file in the middle is a gap.
    await disk.remove(middle);
    err = await shoalError(openWal(disk, 'wal'));
    expect(err.message).toMatch(/starts at LSN 5 but the previous file ends at LSN 2/);
  });

  it('never loses an acknowledged append across crashes with torn tails', async () => {
    const action = fc.oneof(
      fc.record({ kind: fc.constant('append' as const), payloads: fc.array(fc.uint8Array({ maxLength: 40 }), { minLength: 1, maxLength: 5 }) }),
      fc.record({ kind: fc.constant('fsync completes' as const) }),
    );
    await fc.assert(fc.asyncProperty(
      fc.integer(),
      fc.array(fc.record({ actions: fc.array(action, { minLength: 1, maxLength: 12 }), truncate: fc.boolean() }), { minLength: 1, maxLength: 4 }),
      fc.constantFrom(48, 100, 1 << 20),
      async (seed, rounds, segmentBytes) => {
        const random = new SeededRandom(seed);
        const disk = new MemoryDisk();
        const appended = new Map<bigint, Uint8Array>(); // every append issued, by LSN (until its LSN is reused)
        const acked = new Set<bigint>();
        let durable = 0n; // the last LSN known to be in the log
        let firstKept = 1n;
        for (const round of rounds) {
          // One "process life": fsyncs complete only when the schedule says so, then a power loss.
          const proc = new InstrumentedDisk(disk);
          const pendingSyncs: Array<() => void> = [];
          proc.hooks.sync = () => new Promise<void>((r) => pendingSyncs.push(r));
          const { wal, records } = await openWal(proc, 'wal', { segmentBytes });
          const replayed: WalRecord[] = [];
          for await (const r of records) replayed.push(r);
          // Consecutive LSNs from at most firstKept, each with the payload appended under it.
          expect(replayed.length > 0 ? replayed[0].lsn : wal.lastLsn + 1n).toBeLessThanOrEqual(firstKept);
          replayed.forEach((r, i) => {
            if (i > 0) expect(r.lsn).toBe(replayed[i - 1].lsn + 1n);
            expect(r.payload).toEqual(appended.get(r.lsn));
          });
          // Every acknowledged append survived.
          for (const lsn of acked) expect(lsn).toBeLessThanOrEqual(wal.lastLsn);
          expect(wal.lastLsn).toBeGreaterThanOrEqual(durable);
          durable = wal.lastLsn;
          // Unacknowledged appends beyond the surviving log are gone for good: new appends reuse their LSNs.
          for (const lsn of [...appended.keys()]) if (lsn > durable) appended.delete(lsn);
          if (round.truncate && durable > 1n) {
            const cut = BigInt(random.int(Number(durable))) + 1n;
            await wal.truncateBefore(cut);
            if (cut > firstKept) firstKept = cut;
          }
          for (const a of round.actions) {
            if (a.kind === 'append') {
              for (const payload of a.payloads) {
                const p = wal.append(payload);
                const lsn = wal.lastLsn;
                appended.set(lsn, payload);
                p.then(() => acked.add(lsn), () => undefined);
              }
            } else {
              pendingSyncs.shift()?.();
            }
            await new Promise((r) => setImmediate(r));
          }
          proc.dead = true;
          disk.crash({ tornTail: true, random });
        }
        const { wal, records } = await openWal(disk, 'wal', { segmentBytes });
        const lsns: bigint[] = [];
        for await (const r of records) lsns.push(r.lsn);
        for (const lsn of acked) if (lsn >= firstKept) expect(lsns).toContain(lsn);
        if (lsns.length > 0) expect(wal.lastLsn).toBe(lsns[lsns.length - 1]);
      }), { numRuns: 150 });
  });

  it('works on a real directory with NodeDisk', async () => {
    const root = await mkdtemp(join(tmpdir(), 'shoal-wal-'));
    try {
      const disk = new NodeDisk(root);
      const { wal } = await openWal(disk, 'data/wal', { segmentBytes: 1024 });
      const lsns = await Promise.all(Array.from({ length: 200 }, (_, i) => wal.append(bytes(`entry ${i}`))));
      expect(lsns[199]).toBe(200n);
      await wal.truncateBefore(100n);
      await wal.close();
      const { wal: again, records } = await openWal(disk, 'data/wal', { segmentBytes: 1024 });
      const got = await collect(records);
      expect(got[0].lsn).toBeLessThanOrEqual(100n);
      expect(got[got.length - 1]).toEqual({ lsn: 200n, text: 'entry 199' });
      expect(again.lastLsn).toBe(200n);
      await again.close();
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
