/**
 * @shoal/raft: Raft consensus as a pure, deterministic state machine (DESIGN.md "Raft"), after
 * etcd raft (go.etcd.io/raft). Node ids are positive safe integers (0 = none).
 */
export { Raft } from './raft.ts';
export type { RaftConfig } from './raft.ts';
export { RAFT_GROUP_MUTATIONS, RAFT_LIBRARY_MUTATIONS } from './mutations.ts';
export type { RaftGroupMutation, RaftMutation } from './mutations.ts';
export { RaftNode } from './node.ts';
export type { Ready, SoftState } from './node.ts';
export { MemoryStorage } from './storage.ts';
export type { Storage } from './storage.ts';
export { RaftError } from './errors.ts';
export type { RaftErrorKind } from './errors.ts';
export { encodeConfChange, decodeConfChange } from './conf-change.ts';
export type { ConfChange } from './conf-change.ts';
export { MessageType, NONE, message } from './types.ts';
export type {
  ConfState, Entry, EntryType, HardState, Message, MessageTypeValue, NodeId, ReadState, Snapshot, SnapshotMetadata, StateRole,
} from './types.ts';
export { DiskStorage, openDiskStorage } from './group/disk-storage.ts';
export type { DiskStorageOptions, PersistBatch } from './group/disk-storage.ts';
export { RaftGroup } from './group/raft-group.ts';
export { openRaftGroup } from './group/open.ts';
export type { RaftGroupObserver, RaftGroupOptions, RaftGroupStatus, RaftStateMachine, RaftTransport } from './group/options.ts';
export { decodeMessage, encodeMessage } from './group/message-codec.ts';
export { RaftGroupActor } from './group/actor.ts';
export type { RaftGroupActorMessage, RaftGroupActorOptions, RaftGroupActorStatus } from './group/actor.ts';
export { ActorRaftTransport, raftGroupPath } from './group/actor-transport.ts';
export type { RaftPeerMessage } from './group/actor-transport.ts';
