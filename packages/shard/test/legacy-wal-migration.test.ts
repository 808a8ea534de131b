import { describe, expect, it } from 'vitest';
import { MemoryDisk, openWal } from '@shoal/actors';
import type { AppendFile, Disk } from '@shoal/actors';
import { createTestEnv } from '@shoal/actors/node';
import { InlineIndexBuilder } from '@shoal/ann';
import { buildSchema, LocalObjectStore, openShard, Shard } from '../src/index.ts';
import type { ColumnBatch, ShardOptions } from '../src/index.ts';
import { readCheckpoint } from '../src/shard/checkpoint.ts';

const schema = buildSchema('legacy', '', [
  { name: 'id', dataType: 'Int64', isPrimaryKey: true },
  { name: 'v', dataType: 'FloatVector', dim: 2 },
], false);

const DIR = 'wal/4/0';

function options(disk: Disk): ShardOptions {
  return {
    env: createTestEnv({ disk }), store: new LocalObjectStore(disk), collectionId: 4n, shardNo: 0, schema, walDir: DIR,
    indexBuilder: new InlineIndexBuilder(), index: null, loaded: true, walSegmentBytes: 2048,
  };
}

function batch(ids: number[]): ColumnBatch {
  return { numRows: ids.length, columns: { id: BigInt64Array.from(ids.map(BigInt)), v: new Float32Array(ids.length * 2) } };
}

const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);

function ids(shard: Shard): number[] {
  return shard.query({ readTs: 1n << 62n }, 0, undefined).map((r) => Number(shard.primaryKeyOf(r))).sort((a, b) => a - b);
}

const isLegacy = (n: string) => /^\d{20}\.wal$/.test(n);

/**
 * Writes a shard the way the previous version did: its log is the plain record log directly in
 * the log directory. Rows 0..29 are checkpointed (the legacy log truncated up to there), rows
 * 30..89 and the delete of row 5 are only in the legacy log (several files). Returns the checkpoint position.
 */
async function writeLegacyShard(disk: MemoryDisk): Promise<bigint> {
  const { wal } = await openWal(disk, DIR, { segmentBytes: 512 }); // several legacy files
  const shard = new Shard(options(disk), wal, [], 0, 0n);
  let ts = 10n;
  for (let i = 0; i < 3; i++) await shard.insert(batch(range(i * 10, 10)), ts++, 1);
  await shard.flush();
  for (let i = 3; i < 9; i++) await shard.insert(batch(range(i * 10, 10)), ts++, 1);
  await shard.delete([5n], ts++);
  await shard.close();
  return BigInt((await readCheckpoint(new LocalObjectStore(disk), 4n, 0))!.lsn);
}

const EXPECTED = range(0, 90).filter((i) => i !== 5);

/** A disk view that crashes the MemoryDisk (losing unsynced bytes) at its `at`-th mutating call and fails every call after. */
function crashingDisk(mem: MemoryDisk, at: number): Disk & { crashed: () => boolean } {
  let n = 0;
  let dead = false;
  const step = async <T>(f: () => Promise<T>): Promise<T> => {
    if (dead) throw new Error('process died');
    if (++n === at) {
      dead = true;
      mem.crash();
      throw new Error('process died');
    }
    return f();
  };
  const live = async <T>(f: () => Promise<T>): Promise<T> => {
    if (dead) throw new Error('process died');
    return f();
  };
  return {
    crashed: () => dead,
    readFile: (p) => live(() => mem.readFile(p)),
    writeFileAtomic: (p, d) => step(() => mem.writeFileAtomic(p, d)),
    openAppend: (p) => step(async (): Promise<AppendFile> => {
      const f = await mem.openAppend(p);
      return {
        get size() { return f.size; },
        append: (d) => step(() => f.append(d)),
        sync: () => step(() => f.sync()),
        truncate: (len) => step(() => f.truncate(len)),
        close: () => live(() => f.close()),
      };
    }),
    exists: (p) => live(() => mem.exists(p)),
    list: (p) => live(() => mem.list(p)),
    mkdirp: (p) => step(() => mem.mkdirp(p)),
    remove: (p) => step(() => mem.remove(p)),
    rename: (a, b) => step(() => mem.rename(a, b)),
    nativePath: (p) => mem.nativePath(p),
  };
}

describe('migrating the record log of an earlier version into the Raft log', () => {
  it('replays the legacy records after the checkpoint, deletes the legacy files, and continues past their positions', async () => {
    const disk = new MemoryDisk();
    const cpLsn = await writeLegacyShard(disk);
    expect((await disk.list(DIR)).filter(isLegacy).length).toBeGreaterThan(2);
    const s = await openShard(options(disk));
    expect(ids(s)).toEqual(EXPECTED);
    expect((await disk.list(DIR)).filter(isLegacy)).toEqual([]);
    expect(await disk.list(DIR)).toEqual(['snap', 'wal']);
    await s.insert(batch([100]), 100n, 1);
    await s.flush(); // a checkpoint above the migrated positions
    expect(BigInt((await readCheckpoint(new LocalObjectStore(disk), 4n, 0))!.lsn)).toBeGreaterThan(cpLsn + 7n);
    await s.insert(batch([101]), 101n, 1);
    await s.close();
    const s2 = await openShard(options(disk));
    expect(ids(s2)).toEqual([...EXPECTED, 100, 101]);
    await s2.close();
  });

  it('a crash at any point of the migration loses nothing: reopening finishes or redoes it', async () => {
    let crashes = 0;
    for (let at = 1; ; at++) {
      const mem = new MemoryDisk();
      await writeLegacyShard(mem);
      const disk = crashingDisk(mem, at);
      const attempt = await openShard(options(disk)).then((s) => s, () => null);
      if (!disk.crashed()) {
        // Past the last mutating call of the open: the migration completed without a crash.
        expect(attempt).not.toBeNull();
        await attempt!.close();
        break;
      }
      crashes++;
      const s = await openShard(options(mem));
      expect(ids(s), `crash at mutating call ${at}`).toEqual(EXPECTED);
      expect((await mem.list(DIR)).filter(isLegacy)).toEqual([]);
      await s.insert(batch([100]), 100n, 1);
      await s.close();
      const s2 = await openShard(options(mem));
      expect(ids(s2)).toEqual([...EXPECTED, 100]);
      await s2.close();
    }
    expect(crashes).toBeGreaterThan(10);
  });
});
