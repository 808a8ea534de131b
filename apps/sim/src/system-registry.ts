/**
 * The system the `shoal-sim` command tests: the Raft-replicated key-value store of
 * ./raft-node.ts (a `@shoal/raft` state machine per node, persisted to the simulated disk).
 */
import { raftKv } from './raft-node.ts';
import type { SystemUnderTest } from './system.ts';

/** The system under test of the command line. */
export function commandLineSystem(): SystemUnderTest {
  return raftKv;
}
