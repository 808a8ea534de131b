import { randomBytes } from 'node:crypto';
import type { Env, NodeId } from '../env.ts';
import { LoopbackNetwork } from '../loopback-network.ts';
import { SeededRandom } from '../random.ts';
import { RealTimers, realClock } from './clock.ts';
import { NodeDisk } from './disk.ts';

/** Options of {@link createNodeEnv}. */
export interface NodeEnvOptions {
  /** Root directory of the node's data; every `Disk` path is relative to it. */
  dataDir: string;
  /**
   * Seed of `env.random` (a safe integer, for a reproducible run); default: 16 random bytes from
   * `node:crypto`, hashed into the PRNG's 64-bit seed.
   */
  seed?: number;
  /** This node's identity on the network; default `local`. */
  nodeId?: NodeId;
}

/**
 * The real environment of a node process: the system clock and `setTimeout` timers
 * (`./clock.ts`), a `SeededRandom` (seeded from `node:crypto` unless `seed` is given), a
 * `NodeDisk` rooted at `dataDir`, and a single-node `LoopbackNetwork` (the cluster replaces it
 * with libp2p).
 * @throws RangeError if `seed` is not a safe integer.
 */
export function createNodeEnv(opts: NodeEnvOptions): Env {
  return {
    clock: realClock,
    timers: new RealTimers(),
    random: new SeededRandom(opts.seed ?? randomBytes(16).toString('hex')),
    disk: new NodeDisk(opts.dataDir),
    network: new LoopbackNetwork(opts.nodeId ?? 'local'),
  };
}
