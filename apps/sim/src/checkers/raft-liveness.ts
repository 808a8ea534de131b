/**
 * Checkers that join the client history (./history.ts) with the Raft trace (./raft-events.ts):
 * durability of acknowledged writes, and liveness once the simulator has healed all faults.
 * Durability is the client-visible half of Raft's State Machine Safety (Ongaro & Ousterhout
 * 2014, §5.4: a committed entry is never lost); liveness follows Raft's availability claim
 * (§5.6: a leader is elected and makes progress once a majority can communicate with
 * broadcastTime ≪ electionTimeout) in the style of Jepsen's "recovery" checks.
 */
import { invalidParameter } from '@shoal/actors';
import { describeOp, isWrite } from './history.ts';
import type { ClientOp } from './history.ts';
import { eventsByGroup, validateRaftEvents } from './raft-events.ts';
import type { RaftEvent } from './raft-events.ts';
import { PASSED } from './result.ts';
import type { CheckResult } from './result.ts';

/** Where an operation's key lives: its Raft group and the nodes that must apply it. */
export interface Replicas {
  readonly group: string;
  readonly nodes: readonly string[];
}

/**
 * No acknowledged write is lost: every write (put, append, cas) that the client saw succeed
 * (`outcome.status === 'ok'`) is applied, by the end of the trace, by every node of its group —
 * found through the `opIds` of `applied` and `snapshotInstalled` events (a write included in a
 * snapshot the node installed counts as applied). Run it on a trace that ends after healing and
 * catch-up. A successful cas whose comparison failed changes nothing but is still an applied op.
 * @param history the client operations.
 * @param events the Raft trace.
 * @param replicasOf maps an operation to its group and the nodes that must have applied it.
 * @returns the first acknowledged write missing at some node, naming the op, node, group and
 *   the node's last applied index.
 * @throws ShoalError ParameterInvalid for malformed events.
 */
export function checkAckedWritesApplied(history: readonly ClientOp[], events: readonly RaftEvent[],
  replicasOf: (op: ClientOp) => Replicas): CheckResult {
  validateRaftEvents(events, 'checkAckedWritesApplied');
  const appliedBy = new Map<string, Set<number>>();
  const lastIndex = new Map<string, number>();
  for (const e of events) {
    if (e.type !== 'applied' && e.type !== 'snapshotInstalled') continue;
    const at = `${e.group}\u0000${e.node}`;
    lastIndex.set(at, e.index);
    let set = appliedBy.get(at);
    if (!set) { set = new Set(); appliedBy.set(at, set); }
    for (const id of e.opIds ?? []) set.add(id);
  }
  for (const op of history) {
    if (op.outcome.status !== 'ok' || !isWrite(op.input)) continue;
    const { group, nodes } = replicasOf(op);
    for (const node of nodes) {
      const at = `${group}\u0000${node}`;
      if (appliedBy.get(at)?.has(op.id)) continue;
      const last = lastIndex.get(at);
      return {
        ok: false,
        violation: `acknowledged write lost: ${describeOp(op)} was never applied by node ${node} of group ${group} ` +
          `(its last applied index is ${last ?? 'none'})`,
        details: { op: op.id, group, node },
      };
    }
  }
  return PASSED;
}

/** Options of {@link checkLivenessAfterHealing}; all times are simulated ms. */
export interface LivenessOptions {
  /** When the simulator healed every fault (partitions removed, crashed nodes restarted). */
  readonly healedAt: number;
  /** When the trace ends. */
  readonly endAt: number;
  /** Each group must have a leader at some moment in `[healedAt, healedAt + leaderWithinMs]`. */
  readonly leaderWithinMs: number;
  /**
   * Every client op invoked in `[healedAt + leaderWithinMs, endAt − resolveWithinMs]` must
   * resolve — succeed (`ok`) or definitely fail (`fail`, e.g. "not the leader" with a hint) —
   * within this many ms of its invocation; an unknown outcome (timeout, no answer) violates it.
   */
  readonly resolveWithinMs: number;
  /** The groups that must elect a leader. */
  readonly groups: readonly string[];
}

/**
 * Liveness after healing: once all faults are healed, (1) every group elects a leader within a
 * bound, and (2) client operations issued after that resolve (ok or fail, not pending) within a bound. A
 * node leads at time t if it became leader of term T at or before t, has not stepped down or
 * crashed since, and no other node became leader of a higher term by t.
 * @returns the first group without a leader in the window, or the first op left unresolved or
 *   answered too late.
 * @throws ShoalError ParameterInvalid for malformed events or options (non-finite times,
 *   negative bounds, `endAt < healedAt`).
 */
export function checkLivenessAfterHealing(events: readonly RaftEvent[], history: readonly ClientOp[],
  options: LivenessOptions): CheckResult {
  validateRaftEvents(events, 'checkLivenessAfterHealing');
  const { healedAt, endAt, leaderWithinMs, resolveWithinMs } = options;
  for (const [name, v] of Object.entries({ healedAt, endAt, leaderWithinMs, resolveWithinMs })) {
    if (!Number.isFinite(v)) throw invalidParameter(`checkLivenessAfterHealing: ${name} must be a finite number of ms, got ${v}`);
  }
  if (endAt < healedAt || leaderWithinMs < 0 || resolveWithinMs < 0) {
    throw invalidParameter('checkLivenessAfterHealing: need endAt ≥ healedAt and non-negative leaderWithinMs and resolveWithinMs');
  }
  const byGroup = eventsByGroup(events);
  const windowEnd = healedAt + leaderWithinMs;
  for (const group of options.groups) {
    const list = byGroup.get(group) ?? [];
    const moments = [healedAt, ...list.filter((e) => e.at > healedAt && e.at <= windowEnd).map((e) => e.at)];
    if (!moments.some((t) => leaderAt(list, t) !== undefined)) {
      return {
        ok: false,
        violation: `liveness violated: group ${group} had no leader between the healing at ${healedAt} ms and ` +
          `${windowEnd} ms (bound ${leaderWithinMs} ms)`,
        details: { group },
      };
    }
  }
  for (const op of history) {
    if (op.invokeAt < windowEnd || op.invokeAt > endAt - resolveWithinMs) continue;
    const o = op.outcome;
    if (o.status !== 'unknown' && o.returnAt - op.invokeAt <= resolveWithinMs) continue;
    const why = o.status === 'unknown' ? 'never resolved' : `took ${o.returnAt - op.invokeAt} ms`;
    return {
      ok: false,
      violation: `liveness violated: ${describeOp(op)} was issued after the cluster healed (at ${healedAt} ms, leader bound ` +
        `${leaderWithinMs} ms) but ${why}; it must resolve (ok or fail) within ${resolveWithinMs} ms`,
      details: { op: op.id },
    };
  }
  return PASSED;
}

/** The node leading a group's trace (in time order) at time `t`, if any. */
function leaderAt(list: readonly RaftEvent[], t: number): string | undefined {
  let leader: { node: string; term: number } | undefined;
  let maxTerm = -1;
  for (const e of list) {
    if (e.at > t) break;
    if (e.type === 'becameLeader' && e.term > maxTerm) {
      leader = { node: e.node, term: e.term };
      maxTerm = e.term;
    }
    else if (leader && e.node === leader.node && (e.type === 'crashed' || (e.type === 'steppedDown' && e.term >= leader.term))) {
      leader = undefined;
    }
  }
  return leader?.node;
}
