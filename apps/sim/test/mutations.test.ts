import { describe, expect, it } from 'vitest';
import { runSeed } from '../src/run.ts';
import type { RunOptions } from '../src/run.ts';
import { raftKv } from '../src/raft-node.ts';

// Mutation testing of the simulator: each planted defect of the Raft key-value store (the node's,
// the RaftGroup driver's and the Raft library's; packages/raft/src/mutations.ts) is caught on
// its first failing seed (found with `shoal-sim --seeds 1..500 --swarm --mutate NAME`; see
// apps/sim/README.md), while the unmutated store passes a few dozen seeds.

const base: Omit<RunOptions, 'seed'> = { nodes: 5, durationMs: 10_000, healMs: 10_000, swarm: true, system: raftKv };

/** Each mutation with its first failing swarm seed and the faulty-phase length it was found with. */
const KNOWN_FAILURES: { mutation: string; seed: number; durationMs: number; healMs: number; failure: RegExp }[] = [
  { mutation: 'vote-twice-in-term', seed: 3, durationMs: 30_000, healMs: 10_000, failure: /election safety violated/ },
  { mutation: 'apply-uncommitted', seed: 19, durationMs: 10_000, healMs: 10_000, failure: /state machine safety violated/ },
  { mutation: 'forget-hardstate-on-restart', seed: 2, durationMs: 10_000, healMs: 10_000, failure: /term safety violated — node n\d+.s persisted term went back/ },
  { mutation: 'commit-without-quorum', seed: 41, durationMs: 5_000, healMs: 5_000, failure: /leader completeness violated/ },
  { mutation: 'ack-before-fsync', seed: 2, durationMs: 10_000, healMs: 10_000, failure: /raft invariant violated: commit \d+ is beyond last index/ },
  { mutation: 'no-fsync', seed: 2, durationMs: 10_000, healMs: 10_000, failure: /raft invariant violated: commit \d+ is beyond last index/ },
  { mutation: 'ignore-term-on-append', seed: 21, durationMs: 10_000, healMs: 10_000, failure: /term safety violated — node n\d+.s persisted term went back/ },
];

describe('planted defects of the Raft key-value store', () => {
  for (const k of KNOWN_FAILURES) {
    it(`reports ${k.mutation} on seed ${k.seed}`, async () => {
      const r = await runSeed({ ...base, seed: k.seed, durationMs: k.durationMs, healMs: k.healMs, mutation: k.mutation });
      expect(r.ok).toBe(false);
      expect(r.failure).toMatch(k.failure);
    }, 30_000);
  }

  it('passes plain seeds without a mutation', async () => {
    for (let seed = 1; seed <= 24; seed++) {
      const r = await runSeed({ ...base, seed, durationMs: 5_000, healMs: 5_000 });
      expect(r.failure, `seed ${seed}`).toBeUndefined();
    }
  }, 60_000);
});
