/**
 * Wire and storage types of the Raft state machine, modelled on etcd's `raftpb` (go.etcd.io/raft,
 * raftpb/raft.proto). Node ids are positive safe integers; `NONE` (0) means "no node" (no leader,
 * no vote), as in etcd.
 */

/** A node id: a positive safe integer. {@link NONE} (0) means "nobody". */
export type NodeId = number;

/** The "no node" id used for an unknown leader or an absent vote. */
export const NONE: NodeId = 0;

/** Kind of a log entry: an application command, or a single-server configuration change. */
export type EntryType = 'normal' | 'confChange';

/** One log entry (Raft paper §5.3): position `index` (1-based), `term` it was created in, and opaque data. */
export interface Entry {
  term: number;
  index: number;
  type: EntryType;
  data: Uint8Array;
}

/** Membership: the voters and the learners (non-voting members, Raft thesis §4.2.1). */
export interface ConfState {
  voters: NodeId[];
  learners: NodeId[];
}

/** Metadata of a snapshot: the last index and term it covers and the configuration at that index. */
export interface SnapshotMetadata {
  index: number;
  term: number;
  confState: ConfState;
}

/** A state machine snapshot (Raft paper §7): metadata plus the application's opaque data. */
export interface Snapshot {
  metadata: SnapshotMetadata;
  data: Uint8Array;
}

/** The state every server persists before answering RPCs (Raft paper Figure 2): term, vote, commit index. */
export interface HardState {
  term: number;
  vote: NodeId;
  commit: number;
}

/** Role of a node (Raft paper §5.2; pre-candidate from the Raft thesis §9.6). */
export type StateRole = 'follower' | 'preCandidate' | 'candidate' | 'leader';

/**
 * Message types, as in etcd's `raftpb.MessageType`. `hup`, `beat`, `checkQuorum`,
 * `unreachable` and `snapStatus` are local (never sent over the network).
 */
export const MessageType = {
  Hup: 'hup',
  Beat: 'beat',
  Prop: 'prop',
  App: 'app',
  AppResp: 'appResp',
  Vote: 'vote',
  VoteResp: 'voteResp',
  PreVote: 'preVote',
  PreVoteResp: 'preVoteResp',
  Snap: 'snap',
  Heartbeat: 'heartbeat',
  HeartbeatResp: 'heartbeatResp',
  Unreachable: 'unreachable',
  SnapStatus: 'snapStatus',
  CheckQuorum: 'checkQuorum',
  TransferLeader: 'transferLeader',
  TimeoutNow: 'timeoutNow',
  ReadIndex: 'readIndex',
  ReadIndexResp: 'readIndexResp',
} as const;

/** One of the {@link MessageType} values. */
export type MessageTypeValue = (typeof MessageType)[keyof typeof MessageType];

/** Message types that only a node itself may step (etcd `IsLocalMsg`). */
export const LOCAL_MESSAGE_TYPES: ReadonlySet<MessageTypeValue> = new Set<MessageTypeValue>([
  MessageType.Hup, MessageType.Beat, MessageType.Unreachable, MessageType.SnapStatus, MessageType.CheckQuorum,
]);

/**
 * A Raft message (etcd `raftpb.Message`). Fields not used by a type are 0 / empty.
 * - `index`/`logTerm`: for App, the entry preceding `entries` (prevLogIndex/prevLogTerm); for
 *   Vote/PreVote, the candidate's last log index/term; for AppResp, the last index matched (or the
 *   rejected index); `logTerm` of a rejecting AppResp is the follower's term at `rejectHint`.
 * - `context`: read-index request id (ReadIndex, Heartbeat, ReadIndexResp).
 * - `transfer`: a Vote sent after MsgTimeoutNow (leader transfer, Raft thesis §3.10) that
 *   overrides the leader lease.
 */
export interface Message {
  type: MessageTypeValue;
  to: NodeId;
  from: NodeId;
  term: number;
  logTerm: number;
  index: number;
  entries: Entry[];
  commit: number;
  snapshot?: Snapshot;
  reject: boolean;
  rejectHint: number;
  context?: Uint8Array;
  transfer?: boolean;
}

/** A completed read-index request: reads at `index` are linearizable once the state machine applied it. */
export interface ReadState {
  index: number;
  context: Uint8Array;
}

/** Builds a message with defaults for the unused fields. */
export function message(fields: Partial<Message> & Pick<Message, 'type'>): Message {
  return {
    to: 0, from: 0, term: 0, logTerm: 0, index: 0, entries: [], commit: 0, reject: false, rejectHint: 0,
    ...fields,
  };
}
