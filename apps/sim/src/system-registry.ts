/**
 * The system the `shoal-sim` command tests. The Raft-backed key-value store (a `@shoal/raft`
 * state machine per node, persisted to the simulated disk) is plugged in here once that package
 * exposes a usable API; until then the command refuses to run rather than pretend to test.
 */
import { ErrorCode, ShoalError } from '@shoal/actors';
import type { SystemUnderTest } from './system.ts';

/**
 * The system under test of the command line.
 * @throws ShoalError OperationNotSupported: the Raft system under test is not integrated yet.
 */
export function commandLineSystem(): SystemUnderTest {
  throw new ShoalError(ErrorCode.OperationNotSupported,
    'the Raft system under test is not integrated into the simulator yet (apps/sim has no raft-node); '
    + 'nothing would be tested, so no seed was run. The simulator infrastructure (scheduler, simulated clock, disk, '
    + 'network, faults, trace, workload) is covered by apps/sim/test.');
}
