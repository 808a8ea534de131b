/**
 * `ActorRaftTransport`: a {@link RaftTransport} that delivers a group's Raft messages to the
 * peers' `RaftGroupActor`s through the actor system (DESIGN.md, "Actors": messages between nodes
 * go through the codec). See docs/raft-group.md, "As an actor".
 */
import { invalidParameter } from '@shoal/actors';
import type { ActorSystem, NodeId as ActorNodeId } from '@shoal/actors';
import type { Message, NodeId } from '../types.ts';
import { encodeMessage } from './message-codec.ts';
import type { RaftTransport } from './options.ts';

/**
 * The actor message that carries one Raft message between group members: `bytes` is
 * {@link encodeMessage}'s encoding (the actor codec copies a `Uint8Array` exactly between nodes).
 */
export interface RaftPeerMessage {
  readonly type: 'raft';
  readonly bytes: Uint8Array;
}

/**
 * The actor path of the members of the group named `group` on every node: `raft/<group>`.
 * @throws ShoalError ParameterInvalid for an empty name.
 */
export function raftGroupPath(group: string): string {
  if (typeof group !== 'string' || group.length === 0) throw invalidParameter('raft group name must be a non-empty string');
  return `raft/${group}`;
}

/**
 * Sends Raft messages as `tell`s of {@link RaftPeerMessage} to `{ node: peers.get(msg.to), path }`.
 * Delivery is at most once, as Raft expects (it retries). A message to a Raft id without a peer
 * entry is dropped and counted in {@link ActorRaftTransport.dropped}; `send` never throws for it.
 * The peer map follows membership through {@link ActorRaftTransport.setPeer} and
 * {@link ActorRaftTransport.removePeer}.
 */
export class ActorRaftTransport implements RaftTransport {
  readonly #system: ActorSystem;
  readonly #path: string;
  readonly #peers = new Map<NodeId, ActorNodeId>();
  #dropped = 0;

  /**
   * @param system the sending node's actor system.
   * @param path the actor path of the group's members (the same on every node, see {@link raftGroupPath}).
   * @param peers Raft node id → actor node id of each member (the local member may be included).
   * @throws ShoalError ParameterInvalid for an empty path or a bad peer entry (see {@link setPeer}).
   */
  constructor(system: ActorSystem, path: string, peers: Iterable<readonly [NodeId, ActorNodeId]>) {
    if (typeof path !== 'string' || path.length === 0) throw invalidParameter('ActorRaftTransport: path must be a non-empty string');
    this.#system = system;
    this.#path = path;
    for (const [id, node] of peers) this.setPeer(id, node);
  }

  /** Messages dropped because their addressee had no peer entry, since this transport was created. */
  get dropped(): number {
    return this.#dropped;
  }

  /** The peer map: Raft node id → actor node id (a copy). */
  peers(): Map<NodeId, ActorNodeId> {
    return new Map(this.#peers);
  }

  /**
   * Maps Raft node `id` to actor node `node` (adding or replacing the entry).
   * @throws ShoalError ParameterInvalid if `id` is not a positive safe integer or `node` is not a
   *   non-empty string.
   */
  setPeer(id: NodeId, node: ActorNodeId): void {
    if (!Number.isSafeInteger(id) || id <= 0) throw invalidParameter(`raft peer id must be a positive integer, got ${String(id)}`);
    if (typeof node !== 'string' || node.length === 0) throw invalidParameter(`raft peer ${id}: the actor node must be a non-empty string, got ${String(node)}`);
    this.#peers.set(id, node);
  }

  /** Forgets Raft node `id` (a member removed from the group); later messages to it are dropped. */
  removePeer(id: NodeId): void {
    this.#peers.delete(id);
  }

  /** Encodes `msg` and tells it to its addressee's actor; drops (and counts) it for an unknown id. */
  send(msg: Message): void {
    const node = this.#peers.get(msg.to);
    if (node === undefined) {
      this.#dropped++;
      return;
    }
    const out: RaftPeerMessage = { type: 'raft', bytes: encodeMessage(msg) };
    this.#system.tell({ node, path: this.#path }, out);
  }
}
