/**
 * The types of a `RaftGroup`'s contract: its transport, the replicated state machine, the
 * observer hook, its options and status (docs/raft-group.md).
 */
import type { Env } from '@shoal/actors';
import type { RaftGroupMutation, RaftMutation } from '../mutations.ts';
import type { Ready } from '../node.ts';
import type { RaftNode } from '../node.ts';
import type { ConfState, Entry, Message, NodeId, SnapshotMetadata, StateRole } from '../types.ts';

/** Outgoing messages of a group. `send` must not throw (an unreachable peer is a silent drop). */
export interface RaftTransport {
  send(msg: Message): void;
}

/**
 * The replicated state machine, held in memory by the caller. `apply` receives committed normal
 * entries with non-empty data, in log order, each exactly once per process lifetime (after a
 * restart: again from the last snapshot, or from `appliedIndex`). Configuration-change entries
 * are applied to Raft by the group. An `apply` that throws stops the group (fail-stop).
 */
export interface RaftStateMachine {
  apply(entries: Entry[]): void | Promise<void>;
  /** The state after every applied entry, for `RaftGroup.compact`. */
  snapshot?(): Uint8Array;
  /** Replaces the state by a snapshot (from disk at open, or sent by the leader). */
  restore?(data: Uint8Array, metadata: SnapshotMetadata): void | Promise<void>;
}

/**
 * Read-only observation of a group's Ready loop, for tests and the simulator's event trace (which
 * needs leadership changes, persisted hard states and committed entries as they happen). `node`
 * is the group's Raft node: read it, never step or advance it. A callback must not throw.
 */
export interface RaftGroupObserver {
  /** `openRaftGroup` created the node from the recovered state (before any Ready, snapshot restore or start). */
  opened?(node: RaftNode): void;
  /** A Ready was taken from Raft (nothing of it persisted, sent or applied yet). */
  ready?(rd: Ready, node: RaftNode): void;
  /** The Ready's snapshot, entries and hard state reached the storage (durably, unless mutated). */
  persisted?(rd: Ready, node: RaftNode): void;
  /** The group stopped on `err` (a disk failure, a state machine or Raft invariant error). */
  failed?(err: unknown): void;
}

/** Options of `openRaftGroup`. */
export interface RaftGroupOptions {
  /** The node's environment: its timers tick the group, its disk holds `dir`, its random draws election timeouts. */
  env: Env;
  /** Directory of the group's state on `env.disk` (non-empty). */
  dir: string;
  /** This node's id: a positive safe integer. */
  id: NodeId;
  /** Membership of a NEW group (ignored when `dir` already holds state). */
  confState?: ConfState;
  /** Where outgoing Raft messages go (peers by Raft node id). */
  transport: RaftTransport;
  /** The replicated state machine the group applies committed entries to. */
  stateMachine: RaftStateMachine;
  /** Milliseconds per Raft tick; default 100. */
  tickMs?: number;
  /** Election timeout in ticks; default 10. */
  electionTicks?: number;
  /** Heartbeat interval in ticks; default 1. */
  heartbeatTicks?: number;
  /** Pre-vote before elections (Raft thesis §9.6); default as `RaftConfig.preVote`. */
  preVote?: boolean;
  /** Leaders step down without a heard-from quorum each election timeout (thesis §6.2); default as `RaftConfig.checkQuorum`. */
  checkQuorum?: boolean;
  /** Most entry bytes per append message; default as `RaftConfig.maxSizePerMsg`. */
  maxSizePerMsg?: number;
  /** Most append messages in flight per follower (flow control); default as `RaftConfig.maxInflightMsgs`. */
  maxInflightMsgs?: number;
  /**
   * Testing hook, off by default: planted defects. The Raft library's (`RAFT_LIBRARY_MUTATIONS`)
   * are passed to RaftConfig.mutations; the group's own (`RAFT_GROUP_MUTATIONS`, see
   * packages/raft/src/mutations.ts) change this driver.
   */
  mutations?: ReadonlySet<RaftMutation | RaftGroupMutation>;
  /** Testing hook: observes the Ready loop (see {@link RaftGroupObserver}). */
  observer?: RaftGroupObserver;
  /**
   * Index the caller's own durable state machine already holds (etcd `Config.Applied`): entries
   * ≤ it are not re-delivered after a restart. At most the persisted commit index. Default: the
   * snapshot index (everything after the snapshot is re-applied).
   */
  appliedIndex?: number;
  /** Record-log file size in bytes (default 64 MiB). */
  segmentBytes?: number;
}

/**
 * A snapshot of the group's progress: this node's `id`, its current `term`, the known leader
 * `lead` (0 = none), its role `state`, and the commit, applied and last log indexes.
 */
export interface RaftGroupStatus {
  id: NodeId;
  term: number;
  lead: NodeId;
  state: StateRole;
  commit: number;
  applied: number;
  lastIndex: number;
}
