/**
 * The Raft trace the simulator records for the safety and liveness checkers
 * (./raft-safety.ts, ./raft-liveness.ts). Events are minimal: each names its Raft `group`
 * (a simulation may run several), the `node` id, and the simulated time `at` in ms. Entries are
 * identified by `(index, term, hash)`, where `hash` is any string digest of the entry's command
 * (the simulator chooses it; equal commands must hash equally).
 *
 * Traces are in recorded order, which must be non-decreasing in `at`.
 *
 * What the simulator must record, and when:
 * - `becameLeader` when a node wins an election, with its whole log at that moment (entries from
 *   `log.firstIndex`; earlier ones were compacted into a snapshot and count as present).
 * - `steppedDown` when a leader stops leading (higher term seen, lost lease, ...).
 * - `committed` when a node learns its commit index covers an entry (one event per entry), with
 *   the node's `currentTerm` at that moment.
 * - `applied` when a node applies an entry to its state machine, in apply order, with the ids
 *   of the client operations (`ClientOp.id`) the entry carries, if any.
 * - `crashed` / `restarted` for node crashes; `restarted.appliedIndex` is the index the state
 *   machine was restored to (its snapshot, or 0).
 * - `snapshotInstalled` when a node replaces its state by a snapshot: a leader's (InstallSnapshot)
 *   or, at a restart (after `restarted`), its own from disk (`fromDisk`), with the ids of the
 *   client operations the snapshot's state includes (`opIds`).
 * - `restartFailed` when a restart could not recover (e.g. corruption detected); it is retried.
 * - `hardState` when a node's persisted term or vote changed (after the write reached the disk),
 *   and on every restart with the hard state it recovered.
 * - optionally `log`: any node's whole log at any moment (e.g. at the end of a run), which
 *   strengthens the log-matching check.
 */
import { invalidParameter } from '@shoal/actors';

/** A node's log as recorded: entry `k` of `entries` has index `firstIndex + k`. */
export interface RecordedLog {
  /** Index of `entries[0]`, ≥ 1; entries below it are in the node's snapshot. */
  readonly firstIndex: number;
  readonly entries: readonly { readonly term: number; readonly hash: string }[];
}

/** Fields every Raft event has: group, node id, simulated time in ms. */
export interface RaftEventBase {
  readonly group: string;
  readonly node: string;
  readonly at: number;
}

/** A node won the election of `term`; `log` is its log at that moment. */
export interface BecameLeaderEvent extends RaftEventBase { readonly type: 'becameLeader'; readonly term: number; readonly log: RecordedLog }
/** A leader of `term` stopped leading. */
export interface SteppedDownEvent extends RaftEventBase { readonly type: 'steppedDown'; readonly term: number }
/** The node learned that entry `(index, term, hash)` is committed, while its current term was `currentTerm`. */
export interface CommittedEvent extends RaftEventBase {
  readonly type: 'committed'; readonly index: number; readonly term: number; readonly hash: string; readonly currentTerm: number;
}
/** The node applied entry `(index, term, hash)` to its state machine; `opIds` are the client ops it carries. */
export interface AppliedEvent extends RaftEventBase {
  readonly type: 'applied'; readonly index: number; readonly term: number; readonly hash: string; readonly opIds?: readonly number[];
}
/** The node crashed (lost volatile state). */
export interface CrashedEvent extends RaftEventBase { readonly type: 'crashed' }
/** The node restarted; its state machine was restored to `appliedIndex` (0 = empty). */
export interface RestartedEvent extends RaftEventBase { readonly type: 'restarted'; readonly appliedIndex: number }
/**
 * The node installed a snapshot covering entries up to `(index, term)`: a leader's, or its own from
 * disk at a restart (`fromDisk`). `opIds`: the client operations whose writes the snapshot holds.
 */
export interface SnapshotInstalledEvent extends RaftEventBase {
  readonly type: 'snapshotInstalled'; readonly index: number; readonly term: number; readonly opIds?: readonly number[]; readonly fromDisk?: boolean;
}
/** A restart failed (`reason`, e.g. corruption detected by a checksum); the node stays down and retries. */
export interface RestartFailedEvent extends RaftEventBase { readonly type: 'restartFailed'; readonly reason: string }
/**
 * The node persisted (or, on restart, recovered) term `term` and vote `votedFor` (a node id, or
 * null for no vote in this term).
 */
export interface HardStateEvent extends RaftEventBase { readonly type: 'hardState'; readonly term: number; readonly votedFor: string | null }
/** The node's whole log at time `at`. */
export interface LogEvent extends RaftEventBase { readonly type: 'log'; readonly log: RecordedLog }

/** One recorded Raft event. */
export type RaftEvent =
  | BecameLeaderEvent | SteppedDownEvent | CommittedEvent | AppliedEvent
  | CrashedEvent | RestartedEvent | SnapshotInstalledEvent | RestartFailedEvent | HardStateEvent | LogEvent;

/** Renders `(index 7, term 3, hash "ab")` for messages. */
export function describeEntry(index: number, term: number, hash: string): string {
  return `(index ${index}, term ${term}, hash ${JSON.stringify(hash)})`;
}

/** Splits a trace by group, keeping each group's events in recorded order. */
export function eventsByGroup(events: readonly RaftEvent[]): Map<string, RaftEvent[]> {
  const groups = new Map<string, RaftEvent[]>();
  for (const e of events) {
    const list = groups.get(e.group);
    if (list) list.push(e);
    else groups.set(e.group, [e]);
  }
  return groups;
}

/**
 * Rejects malformed events so that a checker never reports a bogus violation.
 * @param where the checker's name, for the message.
 * @throws ShoalError ParameterInvalid naming the event's position and the bad field: `at` must be
 *   finite and non-decreasing; indexes positive integers (`appliedIndex` ≥ 0); terms non-negative integers;
 *   `votedFor` a string or null;
 *   `log.firstIndex` a positive integer; hashes strings.
 */
export function validateRaftEvents(events: readonly RaftEvent[], where: string): void {
  events.forEach((e, pos) => {
    const bad = (field: string, allowed: string): never => {
      throw invalidParameter(`${where}: event #${pos} (${e.type} of node ${e.node}): ${field} must be ${allowed}`);
    };
    if (!Number.isFinite(e.at)) bad('at', 'a finite number of ms');
    if (pos > 0 && e.at < events[pos - 1].at) bad('at', `≥ the previous event's time (${events[pos - 1].at} ms): traces are in time order`);
    if (typeof e.group !== 'string' || typeof e.node !== 'string') bad('group and node', 'strings');
    const term = (t: number, f: string): void => { if (!Number.isInteger(t) || t < 0) bad(f, 'a non-negative integer'); };
    const index = (i: number, f: string): void => { if (!Number.isInteger(i) || i < 1) bad(f, 'a positive integer'); };
    const log = (l: RecordedLog): void => {
      index(l.firstIndex, 'log.firstIndex');
      l.entries.forEach((x, k) => { term(x.term, `log.entries[${k}].term`); if (typeof x.hash !== 'string') bad(`log.entries[${k}].hash`, 'a string'); });
    };
    switch (e.type) {
      case 'becameLeader': term(e.term, 'term'); log(e.log); break;
      case 'steppedDown': term(e.term, 'term'); break;
      case 'committed': index(e.index, 'index'); term(e.term, 'term'); term(e.currentTerm, 'currentTerm');
        if (typeof e.hash !== 'string') bad('hash', 'a string'); break;
      case 'applied': index(e.index, 'index'); term(e.term, 'term'); if (typeof e.hash !== 'string') bad('hash', 'a string'); break;
      case 'restarted': if (!Number.isInteger(e.appliedIndex) || e.appliedIndex < 0) bad('appliedIndex', 'a non-negative integer'); break;
      case 'snapshotInstalled': index(e.index, 'index'); term(e.term, 'term'); break;
      case 'hardState': term(e.term, 'term'); if (e.votedFor !== null && typeof e.votedFor !== 'string') bad('votedFor', 'a node id or null'); break;
      case 'log': log(e.log); break;
      case 'crashed': break;
      case 'restartFailed': if (typeof e.reason !== 'string') bad('reason', 'a string'); break;
      default: bad('type', 'one of becameLeader, steppedDown, committed, applied, crashed, restarted, snapshotInstalled, restartFailed, hardState, log');
    }
  });
}
