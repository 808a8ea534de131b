import type { ObjectStore } from '../storage/object-store.ts';
import type { GrowingSegment } from '../segment/growing.ts';
import type { SealedSegment } from '../segment/sealed.ts';
import { writeDeletes, writeSegment } from '../segment/segment-io.ts';

/**
 * A shard checkpoint (`collections/<cid>/shards/<shardNo>/checkpoint.json`): the sealed segments
 * in the object store and the log position `lsn` they (with their `deletes.bin`) cover. Recovery
 * loads those segments and replays the log records after `lsn`.
 */
export interface CheckpointData {
  formatVersion: 1;
  /** Every log record ≤ lsn is reflected in the listed segments (as decimal string). */
  lsn: string;
  segments: number[];
  /** Next local segment number of the shard. */
  nextSegmentNo: number;
  /** Ids of the partitions dropped so far (writes into them are refused); absent in older checkpoints. */
  droppedPartitions?: number[];
}

/** Object key of a shard's checkpoint. */
export function checkpointKey(collectionId: bigint, shardNo: number): string {
  return `collections/${collectionId}/shards/${shardNo}/checkpoint.json`;
}

/** Reads a shard's checkpoint, or null if it has none yet (a new shard). */
export async function readCheckpoint(store: ObjectStore, collectionId: bigint, shardNo: number): Promise<CheckpointData | null> {
  const key = checkpointKey(collectionId, shardNo);
  if (!(await store.exists(key))) return null;
  return JSON.parse(new TextDecoder().decode(await store.get(key))) as CheckpointData;
}

/** What the checkpointer needs from its shard. */
export interface CheckpointHost {
  sealedSegments(): SealedSegment[];
  growing(): GrowingSegment;
  lastLsn(): bigint;
  waitDurable(lsn: bigint): Promise<void>;
  /** The largest delete timestamp written by a record at or before `lsn`. */
  tombstoneLimit(lsn: bigint): bigint;
  truncateLog(beforeLsn: bigint): Promise<void>;
  nextSegmentNo(): number;
  /** Ids of the partitions dropped so far. */
  droppedPartitions(): number[];
  onPersisted(seg: SealedSegment): void;
}

/**
 * Persists sealed segments and writes checkpoints, one at a time (calls queue up).
 *
 * The checkpoint position is chosen so that replay neither loses nor duplicates rows: it is just
 * before the first record held only in memory (the growing segment or a sealed segment not yet
 * persisted), or the last record if none; only segments entirely at or below it are listed; and
 * it is written only once every record up to it is durable. Tombstones are captured only up to
 * it too: a later delete may not be durable yet, and an upsert's delete must never persist
 * without its insert. The log is then truncated before it.
 */
export class Checkpointer {
  private readonly store: ObjectStore;
  private readonly collectionId: bigint;
  private readonly shardNo: number;
  private readonly host: CheckpointHost;
  private readonly dirtyDeletes = new Set<number>();
  private lastLsn: bigint;
  private lastSegments = '';
  private chain: Promise<void> = Promise.resolve();

  /** @param checkpointLsn the position of the checkpoint the shard recovered from (0n if none). */
  constructor(opts: { store: ObjectStore; collectionId: bigint; shardNo: number }, host: CheckpointHost, checkpointLsn: bigint) {
    this.store = opts.store;
    this.collectionId = opts.collectionId;
    this.shardNo = opts.shardNo;
    this.host = host;
    this.lastLsn = checkpointLsn;
  }

  /** Records that segment `segmentId` has new tombstones to persist. */
  markDeletesDirty(segmentId: number): void {
    this.dirtyDeletes.add(segmentId);
  }

  /** Persists every sealed segment and writes a checkpoint; queued after any running one. */
  checkpoint(): Promise<void> {
    const run = this.chain.then(() => this.run());
    this.chain = run.catch(() => undefined);
    return run;
  }

  /** Resolves when no checkpoint is running. */
  idle(): Promise<void> { return this.chain; }

  private async run(): Promise<void> {
    for (const seg of this.host.sealedSegments()) {
      if (seg.persisted) continue;
      await writeSegment(this.store, this.collectionId, seg);
      seg.persisted = true;
      this.markDeletesDirty(seg.id);
      this.host.onPersisted(seg);
    }
    // Choose the position and capture tombstones synchronously (no writes interleave here).
    const growing = this.host.growing();
    let lsn = growing.numRows > 0 ? growing.minLsn - 1n : this.host.lastLsn();
    const sealed = this.host.sealedSegments();
    for (const s of sealed) if (!s.persisted && s.minLsn - 1n < lsn) lsn = s.minLsn - 1n;
    const listed = sealed.filter((s) => s.persisted && s.maxLsn <= lsn);
    const limit = this.host.tombstoneLimit(lsn);
    const deletes = listed.filter((s) => this.dirtyDeletes.has(s.id)).map((s) => {
      const ts = s.deleteTs.slice();
      let later = false;
      for (let i = 0; i < ts.length; i++) if (ts[i] > limit) { ts[i] = 0n; later = true; }
      if (!later) this.dirtyDeletes.delete(s.id); // else the later deletes go in a later checkpoint
      return { id: s.id, ts };
    });
    const segmentIds = listed.map((s) => s.id);
    const nextSegmentNo = this.host.nextSegmentNo();
    const droppedPartitions = this.host.droppedPartitions();
    if (lsn === this.lastLsn && deletes.length === 0 && JSON.stringify(segmentIds) === this.lastSegments) return;
    try {
      await this.host.waitDurable(lsn);
      await Promise.all(deletes.map((d) => writeDeletes(this.store, this.collectionId, d.id, d.ts)));
    } catch (err) {
      for (const d of deletes) this.dirtyDeletes.add(d.id);
      throw err;
    }
    const data: CheckpointData = { formatVersion: 1, lsn: String(lsn), segments: segmentIds, nextSegmentNo, droppedPartitions };
    await this.store.put(checkpointKey(this.collectionId, this.shardNo), new TextEncoder().encode(JSON.stringify(data)));
    this.lastLsn = lsn;
    this.lastSegments = JSON.stringify(segmentIds);
    await this.host.truncateLog(lsn);
  }
}
