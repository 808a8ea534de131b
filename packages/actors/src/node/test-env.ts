import type { Disk, Env, NodeId } from '../env.ts';
import { LoopbackNetwork } from '../loopback-network.ts';
import { MemoryDisk } from '../memory-disk.ts';
import { SeededRandom } from '../random.ts';
import { RealTimers, realClock } from './clock.ts';

/** Options of {@link createTestEnv}. */
export interface TestEnvOptions {
  /** Seed of `env.random` (a safe integer); default 1, so that tests are repeatable. */
  seed?: number;
  /** The disk; default a fresh in-memory `MemoryDisk`. */
  disk?: Disk;
  /** This node's identity; default `local`. */
  nodeId?: NodeId;
}

/**
 * An environment for other packages' unit tests: the real clock and timers (tests run in real
 * time; use the simulator for virtual time), a `SeededRandom` with a fixed seed, an in-memory disk
 * unless one is given, and a single-node `LoopbackNetwork`.
 * @throws RangeError if `seed` is not a safe integer.
 */
export function createTestEnv(opts: TestEnvOptions = {}): Env {
  return {
    clock: realClock,
    timers: new RealTimers(),
    random: new SeededRandom(opts.seed ?? 1),
    disk: opts.disk ?? new MemoryDisk(),
    network: new LoopbackNetwork(opts.nodeId ?? 'local'),
  };
}
