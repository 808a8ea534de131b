/**
 * No acknowledged write lost, judged on the store's final contents: after the simulator heals
 * all faults and the replicas catch up, the value it reads for each key (from any node's state
 * machine) must be explained by the client history. Implemented by appending one synthetic
 * read per key, at the end of the run, to the history and checking linearizability
 * (./linearizability.ts; Herlihy & Wing 1990): an acknowledged put that no later write
 * overwrote must be the final value, and an unknown-outcome write may or may not show.
 */
import { invalidParameter } from '@shoal/actors';
import type { ClientOp } from './history.ts';
import { checkLinearizability } from './linearizability.ts';
import type { LinearizabilityOptions } from './linearizability.ts';
import type { CheckResult } from './result.ts';

/** The client name the synthetic final reads carry in violation messages. */
export const FINAL_STATE_CLIENT = 'final-state';

/**
 * Checks that the final state of the store is consistent with the history.
 * @param history the client operations of the run.
 * @param finalState each key's final value (`null` = absent); keys of the history that are
 *   missing here are not checked.
 * @param at simulated ms at which the final state was read; must be ≥ every op's `returnAt`.
 * @param options search budget, as for checkLinearizability.
 * @returns as checkLinearizability; a lost write shows as the synthetic read of client
 *   `final-state` that cannot be linearized.
 * @throws ShoalError ParameterInvalid if `at` precedes an op's return, or for a malformed history.
 */
export function checkFinalState(history: readonly ClientOp[], finalState: ReadonlyMap<string, string | null>, at: number,
  options: LinearizabilityOptions = {}): CheckResult {
  let nextId = 0;
  for (const op of history) {
    nextId = Math.max(nextId, op.id + 1);
    if (op.outcome.status !== 'unknown' && op.outcome.returnAt > at) {
      throw invalidParameter(`checkFinalState: the final state must be read after every op returned, but op #${op.id} ` +
        `returned at ${op.outcome.returnAt} ms, after at = ${at} ms`);
    }
  }
  const reads: ClientOp[] = [...finalState].map(([key, value]) => ({
    id: nextId++, client: FINAL_STATE_CLIENT, input: { kind: 'get', key }, invokeAt: at, outcome: { status: 'ok', returnAt: at, value },
  }));
  return checkLinearizability([...history, ...reads], options);
}
