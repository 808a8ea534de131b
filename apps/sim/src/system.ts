/**
 * The contract between the simulator and the system it tests: a factory of node processes, each
 * built from a simulated `Env` (and on restart, from what its disk kept), answering the
 * workload's key-value requests.
 */
import type { Env, NodeId } from '@shoal/actors';
import type { KvInput } from './checkers/history.ts';
import type { RaftEventInput } from './raft-events-log.ts';

/** What a node process is started with. */
export interface NodeContext {
  /** The simulated environment of this process lifetime (its disk holds what survived crashes). */
  env: Env;
  /** This node's id (`n1` … `nN`). */
  id: NodeId;
  /** Every node of the cluster, this one included, in id order. */
  nodes: readonly NodeId[];
  /** 0 for the first start, incremented by each restart. */
  incarnation: number;
  /** The `--mutate` name, if any: a deliberate bug the system enables so the checkers must catch it. */
  mutation: string | undefined;
  /** Applied entries between two snapshots (log compactions) of a system that takes them; the system's default if absent. */
  snapshotEvery?: number;
  /** Records a Raft event of this node for the safety checkers (time and node are filled in). */
  recordRaft: (event: RaftEventInput) => void;
}

/**
 * A node's answer to a key-value request: `ok` with the read value (`get`; `null` = absent) or
 * the cas outcome, or `fail` when the operation definitely did not take effect (not the leader,
 * rejected before proposal). No answer at all is an unknown outcome, decided by the client's timeout.
 * A `fail` may name the node the answering node believes leads (`leader`), where clients retry.
 */
export type KvReply =
  | { readonly status: 'ok'; readonly value?: string | null; readonly succeeded?: boolean }
  | { readonly status: 'fail'; readonly reason: string; readonly leader?: NodeId };

/** One running node process of the system under test. */
export interface SimProcess {
  /**
   * Handles one client request; may never settle (the process crashed or lost the request).
   * `opId` is the operation's `ClientOp.id`, for the `opIds` of the Raft `applied` events.
   */
  request(input: KvInput, opId: number): Promise<KvReply>;
}

/** The system under test. */
export interface SystemUnderTest {
  /** Short name for reports, e.g. `raft-kv`. */
  readonly name: string;
  /** The names `--mutate` accepts. */
  readonly mutations: readonly string[];
  /** Renders a node-to-node message for the trace (short: type and key fields); optional. */
  describeMessage?(bytes: Uint8Array): string;
  /** Starts one node process (synchronously; it may continue asynchronously through its Env). */
  start(ctx: NodeContext): SimProcess;
}
