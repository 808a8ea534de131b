/**
 * Raft safety checkers over a recorded trace (./raft-events.ts). They check the properties of
 * Figure 3 of Ongaro & Ousterhout, "In Search of an Understandable Consensus Algorithm" (USENIX
 * ATC 2014): Election Safety, Log Matching, Leader Completeness and State Machine Safety, each
 * on what the simulator observed (leader logs at election, committed and applied entries).
 * Every checker works per Raft group and reports the first violation in trace order.
 */
import { describeEntry, eventsByGroup, validateRaftEvents } from './raft-events.ts';
import type { AppliedEvent, CommittedEvent, RaftEvent, RecordedLog } from './raft-events.ts';
import { checkTermMonotonic } from './raft-terms.ts';
import { PASSED } from './result.ts';
import type { CheckResult } from './result.ts';

/**
 * Election Safety: at most one leader can be elected in a given term (Raft §5.2, Figure 3).
 * @param events the trace; only `becameLeader` events matter.
 * @returns the first term with two different leaders, naming both nodes and times.
 * @throws ShoalError ParameterInvalid for malformed events (see validateRaftEvents).
 */
export function checkElectionSafety(events: readonly RaftEvent[]): CheckResult {
  validateRaftEvents(events, 'checkElectionSafety');
  for (const [group, list] of eventsByGroup(events)) {
    const leaders = new Map<number, { node: string; at: number }>();
    for (const e of list) {
      if (e.type !== 'becameLeader') continue;
      const first = leaders.get(e.term);
      if (!first) leaders.set(e.term, { node: e.node, at: e.at });
      else if (first.node !== e.node) {
        return {
          ok: false,
          violation: `group ${group}: election safety violated — term ${e.term} has two leaders: node ${first.node} ` +
            `(elected at ${first.at} ms) and node ${e.node} (elected at ${e.at} ms)`,
          details: { group, term: e.term, nodes: [first.node, e.node] },
        };
      }
    }
  }
  return PASSED;
}

/** A place an entry was seen, for messages. */
interface Sighting { readonly source: string; readonly term: number; readonly hash: string; readonly prev?: { term: number; hash: string } }

/**
 * Log Matching: if two logs contain an entry with the same index and term, the logs are
 * identical in all entries up through that index (Raft §5.3, Figure 3). Checked inductively:
 * every sighting of `(index, term)` must carry the same hash and the same predecessor
 * `(index − 1, term, hash)` — which, by induction on the index, makes the prefixes equal. Logs
 * come from `becameLeader` and `log` events and from each node's run of consecutive `applied`
 * entries (a crash, restart or snapshot install breaks the run).
 * @returns the first `(index, term)` whose sightings disagree, naming both sources.
 * @throws ShoalError ParameterInvalid for malformed events.
 */
export function checkLogMatching(events: readonly RaftEvent[]): CheckResult {
  validateRaftEvents(events, 'checkLogMatching');
  for (const [group, list] of eventsByGroup(events)) {
    const seen = new Map<string, Sighting>();
    const sight = (index: number, s: Sighting): CheckResult => {
      const key = `${index}/${s.term}`;
      const old = seen.get(key);
      if (!old) { seen.set(key, s); return PASSED; }
      if (old.hash !== s.hash) {
        return fail(group, index, s.term, `${old.source} has hash ${JSON.stringify(old.hash)} but ${s.source} has ${JSON.stringify(s.hash)}`);
      }
      if (old.prev && s.prev && (old.prev.term !== s.prev.term || old.prev.hash !== s.prev.hash)) {
        return fail(group, index, s.term, `${old.source} has it after ${describeEntry(index - 1, old.prev.term, old.prev.hash)} but ` +
          `${s.source} has it after ${describeEntry(index - 1, s.prev.term, s.prev.hash)}`);
      }
      if (!old.prev && s.prev) seen.set(key, s);
      return PASSED;
    };
    const sightLog = (log: RecordedLog, source: string): CheckResult => {
      let prev: { term: number; hash: string } | undefined;
      for (let k = 0; k < log.entries.length; k++) {
        const x = log.entries[k];
        const r = sight(log.firstIndex + k, { source, term: x.term, hash: x.hash, prev });
        if (!r.ok) return r;
        prev = { term: x.term, hash: x.hash };
      }
      return PASSED;
    };
    const lastApplied = new Map<string, AppliedEvent | undefined>();
    for (const e of list) {
      let r: CheckResult = PASSED;
      if (e.type === 'becameLeader') r = sightLog(e.log, `node ${e.node}'s log when it became leader of term ${e.term} at ${e.at} ms`);
      else if (e.type === 'log') r = sightLog(e.log, `node ${e.node}'s log at ${e.at} ms`);
      else if (e.type === 'crashed' || e.type === 'restarted' || e.type === 'snapshotInstalled') lastApplied.set(e.node, undefined);
      else if (e.type === 'applied') {
        const p = lastApplied.get(e.node);
        const prev = p && p.index === e.index - 1 ? { term: p.term, hash: p.hash } : undefined;
        r = sight(e.index, { source: `node ${e.node}'s applied entries (at ${e.at} ms)`, term: e.term, hash: e.hash, prev });
        lastApplied.set(e.node, e);
      }
      if (!r.ok) return r;
    }
  }
  return PASSED;

  function fail(group: string, index: number, term: number, what: string): CheckResult {
    return {
      ok: false,
      violation: `group ${group}: log matching violated at index ${index}, term ${term}: ${what}`,
      details: { group, index, term },
    };
  }
}

/**
 * Leader Completeness: if an entry is committed in a term, it is present in the logs of the
 * leaders of all higher terms (Raft §5.4, Figure 3). An entry a node saw committed while its
 * current term was `c` was committed in a term ≤ `c`, so every leader of a term > `c` must hold
 * it (same index, term and hash) in the log recorded at its election; entries below the
 * leader's `log.firstIndex` are in its snapshot and count as present.
 * @returns the first leader missing a committed entry, naming the leader, its term, the entry
 *   and the node that saw it committed.
 * @throws ShoalError ParameterInvalid for malformed events.
 */
export function checkLeaderCompleteness(events: readonly RaftEvent[]): CheckResult {
  validateRaftEvents(events, 'checkLeaderCompleteness');
  for (const [group, list] of eventsByGroup(events)) {
    // Distinct committed entries, each with the lowest term in which anyone saw it committed.
    const committed = new Map<string, CommittedEvent>();
    for (const e of list) {
      if (e.type !== 'committed') continue;
      const key = `${e.index}/${e.term}/${e.hash}`;
      const old = committed.get(key);
      if (!old || e.currentTerm < old.currentTerm) committed.set(key, e);
    }
    for (const leader of list) {
      if (leader.type !== 'becameLeader') continue;
      const { firstIndex, entries } = leader.log;
      for (const c of committed.values()) {
        if (c.currentTerm >= leader.term || c.index < firstIndex) continue;
        const x = entries[c.index - firstIndex];
        if (x && x.term === c.term && x.hash === c.hash) continue;
        const has = x ? `has ${describeEntry(c.index, x.term, x.hash)} there` : `log ends at index ${firstIndex + entries.length - 1}`;
        return {
          ok: false,
          violation: `group ${group}: leader completeness violated — node ${leader.node} became leader of term ${leader.term} ` +
            `at ${leader.at} ms without committed entry ${describeEntry(c.index, c.term, c.hash)} (its ${has}); node ${c.node} ` +
            `saw that entry committed at ${c.at} ms in term ${c.currentTerm}`,
          details: { group, leader: leader.node, term: leader.term, index: c.index },
        };
      }
    }
  }
  return PASSED;
}

/**
 * State Machine Safety: if a server has applied a log entry at a given index, no other server
 * ever applies a different entry for that index (Raft §5.4.3, Figure 3) — checked over every
 * `applied` and `committed` event — and each node applies indexes in order without gaps
 * (index `last + 1`, where `last` is reset by `restarted.appliedIndex` and
 * `snapshotInstalled.index`, and starts at 0), so that all nodes apply the same sequence.
 * @returns the first disagreeing or out-of-order entry, naming nodes, index, terms and hashes.
 * @throws ShoalError ParameterInvalid for malformed events.
 */
export function checkStateMachineSafety(events: readonly RaftEvent[]): CheckResult {
  validateRaftEvents(events, 'checkStateMachineSafety');
  for (const [group, list] of eventsByGroup(events)) {
    const atIndex = new Map<number, AppliedEvent | CommittedEvent>();
    const last = new Map<string, number>();
    for (const e of list) {
      if (e.type === 'restarted') { last.set(e.node, e.appliedIndex); continue; }
      if (e.type === 'snapshotInstalled') { last.set(e.node, e.index); continue; }
      if (e.type !== 'applied' && e.type !== 'committed') continue;
      const first = atIndex.get(e.index);
      if (!first) atIndex.set(e.index, e);
      else if (first.term !== e.term || first.hash !== e.hash) {
        return {
          ok: false,
          violation: `group ${group}: state machine safety violated at index ${e.index} — node ${first.node} ${first.type} ` +
            `${describeEntry(e.index, first.term, first.hash)} at ${first.at} ms but node ${e.node} ${e.type} ` +
            `${describeEntry(e.index, e.term, e.hash)} at ${e.at} ms`,
          details: { group, index: e.index, nodes: [first.node, e.node] },
        };
      }
      if (e.type !== 'applied') continue;
      const expected = (last.get(e.node) ?? 0) + 1;
      if (e.index !== expected) {
        return {
          ok: false,
          violation: `group ${group}: state machine safety violated — node ${e.node} applied index ${e.index} at ${e.at} ms ` +
            `but its next index to apply was ${expected} (entries must be applied in order, without gaps or repeats)`,
          details: { group, node: e.node, index: e.index, expected },
        };
      }
      last.set(e.node, e.index);
    }
  }
  return PASSED;
}

/**
 * Runs the four Figure 3 safety checkers in order — election safety, log matching, leader
 * completeness, state machine safety — then term safety (./raft-terms.ts: persisted terms never
 * decrease, votes never change within a term), and returns the first failure, or `{ ok: true }`.
 * @throws ShoalError ParameterInvalid for malformed events.
 */
export function checkRaftSafety(events: readonly RaftEvent[]): CheckResult {
  for (const check of [checkElectionSafety, checkLogMatching, checkLeaderCompleteness, checkStateMachineSafety, checkTermMonotonic]) {
    const r = check(events);
    if (!r.ok) return r;
  }
  return PASSED;
}
