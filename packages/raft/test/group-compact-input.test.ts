import { describe, expect, it } from 'vitest';
import { ErrorCode, MemoryDisk, ShoalError } from '@shoal/actors';
import { fakeEnv } from '../../actors/test/helpers/fake-env.ts';
import { openRaftGroup } from '../src/index.ts';

describe('RaftGroup.compact with a bad index', () => {
  it('rejects an index that is not an integer with ParameterInvalid, without stopping the group', async () => {
    const g = await openRaftGroup({
      env: { ...fakeEnv(), disk: new MemoryDisk() }, dir: 'g', id: 1, confState: { voters: [1], learners: [] },
      transport: { send: () => undefined }, stateMachine: { apply: () => undefined, snapshot: () => new Uint8Array(0), restore: () => undefined },
    });
    const data = new Uint8Array([1]);
    for (let k = 0; k < 4; k++) await g.propose(data);
    for (const bad of [2.5, Number.NaN]) {
      const err = await g.compact(bad).then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(ShoalError);
      expect((err as ShoalError).code).toBe(ErrorCode.ParameterInvalid);
      expect((err as ShoalError).message).toMatch(/RaftGroup.compact: index must be an integer/);
    }
    expect(await g.propose(data)).toBeGreaterThan(4);
    await g.close();
  });
});
