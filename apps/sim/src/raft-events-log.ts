/**
 * The run's Raft event trace for the safety checkers (./checkers/raft-events.ts): nodes record
 * what they did (became leader, committed, applied …) and the simulator stamps each event with
 * the virtual time and the node id, so that events are in time order as the checkers require.
 * Leadership changes, snapshot installs and failed restarts also go to the readable trace.
 */
import type { RaftEvent } from './checkers/raft-events.ts';
import type { Scheduler } from './scheduler.ts';
import type { Trace } from './trace.ts';

/** `Omit` applied to each member of a union. */
type DistributiveOmit<T, K extends keyof RaftEvent> = T extends unknown ? Omit<T, K> : never;

/** A Raft event as a node records it: without the time and node, which the log fills in. */
export type RaftEventInput = DistributiveOmit<RaftEvent, 'at' | 'node'>;

/**
 * The Raft events of one run, in recorded (= virtual time) order. Leadership changes also go to
 * the readable trace (`raft-leader term 3`, `raft-stepdown term 3`); commits and applies do not
 * (too many).
 */
export class RaftEventLog {
  readonly #scheduler: Scheduler;
  readonly #trace: Trace;
  readonly #events: RaftEvent[] = [];

  constructor(scheduler: Scheduler, trace: Trace) {
    this.#scheduler = scheduler;
    this.#trace = trace;
  }

  /** Records `event` of node `node` at the current virtual time. */
  record(node: string, event: RaftEventInput): void {
    const at = this.#scheduler.nowMs;
    this.#events.push({ ...event, node, at } as RaftEvent);
    if (event.type === 'becameLeader') this.#trace.record(at, node, 'raft-leader', `term ${event.term} last index ${event.log.firstIndex + event.log.entries.length - 1}`);
    else if (event.type === 'steppedDown') this.#trace.record(at, node, 'raft-stepdown', `term ${event.term}`);
    else if (event.type === 'snapshotInstalled') this.#trace.record(at, node, 'raft-snapshot', `${event.fromDisk === true ? 'restored' : 'installed'} ${event.index}/${event.term}`);
    else if (event.type === 'restartFailed') this.#trace.record(at, node, 'restart-failed', event.reason);
  }

  /** Every event recorded so far. */
  events(): RaftEvent[] {
    return this.#events.slice();
  }
}
