import { MemoryDisk } from '@shoal/actors';
import { describe, expect, it } from 'vitest';
import { deriveRandom } from '../src/random-tree.ts';
import { SimDisk } from '../src/sim-disk.ts';
import type { DiskFaults } from '../src/sim-disk.ts';
import { Trace } from '../src/trace.ts';
import { RecordLog, decodeRecords } from '../src/record-log.ts';

const enc = new TextEncoder();
const dec = new TextDecoder();

function simDisk(store: MemoryDisk, faults: DiskFaults = { readCorruptionRate: 0 }, trace = new Trace()): SimDisk {
  return new SimDisk(store, { node: 'n1', nowMs: () => 0, trace, random: deriveRandom(1, 'disk', 'n1'), faults: () => faults });
}

async function writeLog(disk: SimDisk, records: string[], syncAfter: number): Promise<void> {
  const { log } = await RecordLog.open(disk, 'wal');
  for (let i = 0; i < records.length; i++) {
    await log.append(enc.encode(records[i]));
    if (i + 1 === syncAfter) await log.sync();
  }
}

describe('SimDisk crash semantics', () => {
  it('loses unsynced appends on a crash and keeps synced ones', async () => {
    const store = new MemoryDisk();
    await writeLog(simDisk(store), ['a', 'b', 'c', 'd'], 2);
    store.crash();
    const { records } = await RecordLog.open(simDisk(store), 'wal');
    expect(records.map((r) => dec.decode(r))).toEqual(['a', 'b']);
  });

  it('may keep a torn prefix of the unsynced tail, which the checksummed reader detects and drops', async () => {
    let sawTorn = false;
    for (let seed = 1; seed <= 40; seed++) {
      const store = new MemoryDisk();
      await writeLog(simDisk(store), ['synced', 'tail-1', 'tail-2-is-longer'], 1);
      store.crash({ tornTail: true, random: deriveRandom(seed, 'crash') });
      const raw = await store.readFile('wal');
      const { records, validBytes } = decodeRecords(raw);
      expect(records.map((r) => dec.decode(r))).toEqual(['synced', 'tail-1', 'tail-2-is-longer'].slice(0, records.length));
      expect(records.length).toBeGreaterThanOrEqual(1);
      if (validBytes < raw.byteLength) sawTorn = true;
      await RecordLog.open(simDisk(store), 'wal');
      expect((await store.readFile('wal')).byteLength).toBe(validBytes);
    }
    expect(sawTorn).toBe(true);
  });

  it('flips bits on reads at the corruption rate; the checksum catches every flip', async () => {
    const store = new MemoryDisk();
    await writeLog(simDisk(store), ['one', 'two', 'three'], 3);
    const trace = new Trace({ keepAll: true });
    const disk = simDisk(store, { readCorruptionRate: 1 }, trace);
    for (let i = 0; i < 50; i++) {
      const { records } = decodeRecords(await disk.readFile('wal'));
      expect(records.length).toBeLessThan(3);
    }
    expect(trace.all().filter((l) => l.includes('disk-corrupt'))).toHaveLength(50);
    const clean = decodeRecords(await simDisk(store).readFile('wal'));
    expect(clean.records).toHaveLength(3);
  });

  it('recovers every synced record despite transient read corruption (reads until two agree), and gives up with EIO', async () => {
    const store = new MemoryDisk();
    await writeLog(simDisk(store), ['one', 'two', 'three'], 3);
    const trace = new Trace({ keepAll: true });
    const flaky = simDisk(store, { readCorruptionRate: 0.3 }, trace);
    for (let i = 0; i < 30; i++) {
      const { records } = await RecordLog.open(flaky, 'wal');
      expect(records.map((r) => dec.decode(r))).toEqual(['one', 'two', 'three']);
    }
    expect(trace.all().some((l) => l.includes('disk-corrupt'))).toBe(true);
    await expect(RecordLog.open(simDisk(store, { readCorruptionRate: 1 }), 'wal')).rejects.toThrow(/EIO: 64 reads returned different bytes/);
  });

  it('hangs every call of a killed (crashed) process', async () => {
    const store = new MemoryDisk();
    const disk = simDisk(store);
    const { log } = await RecordLog.open(disk, 'wal');
    disk.kill();
    let settled = false;
    void Promise.race([disk.readFile('wal'), log.append(new Uint8Array(1)), disk.exists('wal')]).finally(() => {
      settled = true;
    });
    await new Promise((r) => setImmediate(r));
    expect(settled).toBe(false);
    await expect(store.readFile('wal')).resolves.toHaveLength(0);
  });
});
