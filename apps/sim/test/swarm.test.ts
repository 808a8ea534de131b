import { describe, expect, it } from 'vitest';
import { runSeed } from '../src/run.ts';
import { raftKv } from '../src/raft-node.ts';

// The CI share of issue 5's swarm run: the first 300 swarm seeds of the full configuration
// (5 nodes, 30 s of faults, 10 s of healing) must pass every checker. The release run covers
// 2,000 seeds (apps/sim/README.md, "Speed"); a failure here prints the seed's one-line replay.

const SEEDS = 300;

describe('swarm seeds', () => {
  it(`seeds 1..${SEEDS} of --swarm pass every checker`, async () => {
    const failures: string[] = [];
    for (let seed = 1; seed <= SEEDS; seed++) {
      const r = await runSeed({ seed, nodes: 5, durationMs: 30_000, healMs: 10_000, swarm: true, system: raftKv });
      if (r.failure !== undefined) {
        failures.push(`seed ${seed}: ${r.failure.split('\n')[0]} (replay: npx node apps/sim/src/bin.ts --seed ${seed} --swarm --trace)`);
      }
    }
    expect(failures).toEqual([]);
  }, 900_000);
});
