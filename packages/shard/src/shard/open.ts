import { readSegment } from '../segment/segment-io.ts';
import { openRaftWal } from '../storage/raft-wal.ts';
import { readCheckpoint } from './checkpoint.ts';
import { Shard } from './shard.ts';
import type { ShardOptions } from './shard.ts';
import { decodeRecord } from './wal-record.ts';

/**
 * Opens a shard replica, recovering its state (DESIGN.md, "Data plane"; issue 2, "Durability"):
 * 1. read the checkpoint from the object store and load its sealed segments (checksums verified);
 * 2. open the write-ahead log, a one-voter Raft group in `walDir` (`openRaftWal`: a torn record at
 *    its tail is dropped; a log of an earlier version is migrated), and replay every record after
 *    the checkpoint position into a fresh growing segment;
 * 3. if the collection is loaded, load the index files of its sealed segments (so that it serves
 *    with its indexes from the first request); build missing indexes in the background.
 * @throws ShoalError IoFailed if a segment or the log is corrupt beyond a torn tail.
 */
export async function openShard(opts: ShardOptions): Promise<Shard> {
  const cp = await readCheckpoint(opts.store, opts.collectionId, opts.shardNo);
  const cpLsn = cp ? BigInt(cp.lsn) : 0n;
  const sealed = cp ? await Promise.all(cp.segments.map((id) => readSegment(opts.store, opts.collectionId, id, opts.schema))) : [];
  const { wal, records } = await openRaftWal(opts.env, opts.walDir, {
    afterLsn: cpLsn, ...(opts.walSegmentBytes === undefined ? {} : { segmentBytes: opts.walSegmentBytes }),
  });
  try {
    const shard = new Shard(opts, wal, sealed, cp?.nextSegmentNo ?? 0, cpLsn, cp?.droppedPartitions ?? []);
    for (const rec of records) shard.applyRecord(decodeRecord(rec.payload, rec.lsn), rec.lsn);
    await shard.restoreIndexes();
    return shard;
  } catch (err) {
    await wal.close().catch(() => undefined); // stop the log's group (its timer) before reporting
    throw err;
  }
}
