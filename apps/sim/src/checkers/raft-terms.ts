/**
 * Term safety over the nodes' persisted hard states (`hardState` events of ./raft-events.ts):
 * Figure 2 of Ongaro & Ousterhout, "In Search of an Understandable Consensus Algorithm" (USENIX
 * ATC 2014) says `currentTerm` "increases monotonically" and is persisted before responding to
 * RPCs, and `votedFor` is the one candidate that received the vote in the current term. So a
 * node's persisted term never decreases (not even across a crash and restart), and within one
 * term a cast vote never changes. A node that accepts an append from a leader of an older term
 * moves its term backwards and breaks the first rule.
 */
import { eventsByGroup, validateRaftEvents } from './raft-events.ts';
import type { HardStateEvent, RaftEvent } from './raft-events.ts';
import { PASSED } from './result.ts';
import type { CheckResult } from './result.ts';

/**
 * Checks, per group and node, over the `hardState` events in trace order: (1) the term never
 * decreases; (2) while the term stays the same, a vote once cast (`votedFor` not null) is never
 * replaced by another node nor withdrawn.
 * @param events the trace; only `hardState` events matter.
 * @returns the first violation, naming group, node, both terms (or votes) and both times.
 * @throws ShoalError ParameterInvalid for malformed events (see validateRaftEvents).
 */
export function checkTermMonotonic(events: readonly RaftEvent[]): CheckResult {
  validateRaftEvents(events, 'checkTermMonotonic');
  for (const [group, list] of eventsByGroup(events)) {
    const last = new Map<string, HardStateEvent>();
    for (const e of list) {
      if (e.type !== 'hardState') continue;
      const prev = last.get(e.node);
      last.set(e.node, e);
      if (prev === undefined) continue;
      if (e.term < prev.term) {
        return {
          ok: false,
          violation: `group ${group}: term safety violated — node ${e.node}'s persisted term went back from ${prev.term} ` +
            `(at ${prev.at} ms) to ${e.term} (at ${e.at} ms); currentTerm must increase monotonically (Raft Figure 2)`,
          details: { group, node: e.node, from: prev.term, to: e.term },
        };
      }
      if (e.term === prev.term && prev.votedFor !== null && e.votedFor !== prev.votedFor) {
        return {
          ok: false,
          violation: `group ${group}: term safety violated — node ${e.node} voted for ${prev.votedFor} in term ${e.term} ` +
            `(at ${prev.at} ms), then its persisted vote became ${e.votedFor ?? 'none'} in the same term (at ${e.at} ms)`,
          details: { group, node: e.node, term: e.term, votes: [prev.votedFor, e.votedFor] },
        };
      }
    }
  }
  return PASSED;
}
