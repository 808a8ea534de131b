import { describe, expect, it } from 'vitest';
import { ErrorCode, MemoryDisk, ShoalError } from '@shoal/actors';
import { fakeEnv } from '../../actors/test/helpers/fake-env.ts';
import { openRaftGroup } from '../src/index.ts';
import type { Entry, RaftGroup, SnapshotMetadata } from '../src/index.ts';

/** A state machine whose durable state lives elsewhere: snapshots carry no data; it records what it is given. */
class External {
  indexes: number[] = [];
  restored: SnapshotMetadata | null = null;
  apply(entries: Entry[]): void { for (const e of entries) this.indexes.push(e.index); }
  snapshot(): Uint8Array { return new Uint8Array(0); }
  restore(_data: Uint8Array, metadata: SnapshotMetadata): void { this.restored = metadata; }
}

function open(disk: MemoryDisk, sm: External): Promise<RaftGroup> {
  return openRaftGroup({
    env: { ...fakeEnv(), disk }, dir: 'g', id: 1, confState: { voters: [1], learners: [] },
    transport: { send: () => undefined }, stateMachine: sm,
  });
}

const data = new Uint8Array([1]);

describe('RaftGroup.compact with a snapshotIndex below the applied index', () => {
  it('snapshots there, keeps the entries after it, and re-delivers them after a restart', async () => {
    const disk = new MemoryDisk();
    const g = await open(disk, new External());
    const idx: number[] = [];
    for (let i = 0; i < 4; i++) idx.push(await g.propose(data));
    const snap = await g.compact(idx[1], idx[1]);
    expect(snap).toBe(idx[1]);
    expect(g.storage.snapshot().metadata.index).toBe(idx[1]);
    expect(g.storage.firstIndex()).toBe(idx[1] + 1);
    await g.close();
    const sm = new External();
    const g2 = await open(disk, sm);
    expect(sm.restored?.index).toBe(idx[1]);
    expect(sm.indexes).toEqual([idx[2], idx[3]]);
    // An older or equal snapshotIndex changes nothing.
    expect(await g2.compact(undefined, idx[0])).toBe(idx[1]);
    await g2.close();
  });

  it('refuses a snapshotIndex with a membership change after it (the marker would record the wrong membership), without stopping the group', async () => {
    const g = await open(new MemoryDisk(), new External());
    const before = await g.propose(data);
    await g.proposeConfChange({ type: 'addLearner', nodeId: 2 });
    await g.propose(data);
    const err = await g.compact(undefined, before).then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(ShoalError);
    expect((err as ShoalError).code).toBe(ErrorCode.OperationNotSupported);
    expect((err as ShoalError).message).toMatch(/membership change after it/);
    expect(g.storage.snapshot().metadata.index).toBe(0);
    expect(await g.propose(data)).toBeGreaterThan(before);
    await g.close();
  });

  it('rejects a snapshotIndex beyond the applied index or not an integer, without stopping the group', async () => {
    const g = await open(new MemoryDisk(), new External());
    const i = await g.propose(data);
    for (const bad of [i + 1, -1, 1.5]) {
      const err = await g.compact(undefined, bad).then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(ShoalError);
      expect((err as ShoalError).code).toBe(ErrorCode.ParameterInvalid);
      expect((err as ShoalError).message).toMatch(/snapshotIndex must be an integer in \[0, \d+\]/);
    }
    expect(await g.propose(data)).toBeGreaterThan(i);
    await g.close();
  });
});
