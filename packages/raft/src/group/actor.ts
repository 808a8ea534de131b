/**
 * `RaftGroupActor`: one member of a Raft group hosted as an actor (issue 5; DESIGN.md, "Actors"):
 * it opens its `RaftGroup` from its directory on `start`, exchanges Raft messages with its peers
 * through an {@link ActorRaftTransport}, answers client commands through `ask`, and turns a
 * fail-stop of its group into an actor crash so that supervision restarts it from durable state.
 * See docs/raft-group.md, "As an actor".
 */
import { deferReply, invalidParameter } from '@shoal/actors';
import type { Actor, ActorContext, NodeId as ActorNodeId, DeferredReply } from '@shoal/actors';
import type { ConfChange } from '../conf-change.ts';
import { RaftError } from '../errors.ts';
import type { NodeId } from '../types.ts';
import { ActorRaftTransport } from './actor-transport.ts';
import type { RaftPeerMessage } from './actor-transport.ts';
import { decodeMessage } from './message-codec.ts';
import { openRaftGroup } from './open.ts';
import type { RaftGroupOptions, RaftGroupStatus, RaftStateMachine } from './options.ts';
import type { RaftGroup } from './raft-group.ts';

/**
 * The messages of a {@link RaftGroupActor}. Replies (to `ask`):
 * - `raft` (from a peer's transport, normally `tell`): a Raft message, `encodeMessage` bytes; reply `undefined`.
 * - `propose`: proposes `data` (non-empty) on this member, which must be the leader; reply: the
 *   entry's index once committed and applied here (deferred: the actor keeps taking messages, so
 *   concurrent proposals are group-committed). Rejects with RaftError `proposalDropped`
 *   (ServiceUnavailable) on a follower, as `RaftGroup.propose`.
 * - `proposeConfChange`: proposes a single-server membership change `change` (a `ConfChange`:
 *   addNode, addLearner or removeNode with a node id) on the leader; reply: its index once
 *   committed and applied (deferred). Update the peer map with `setPeer`/`removePeer` as well.
 * - `readIndex`: a linearizable read point (`RaftGroup.readIndex`, works on followers); reply: the index.
 * - `status`: reply {@link RaftGroupActorStatus}.
 * - `compact`: `RaftGroup.compact(index, snapshotIndex)`; reply: the snapshot index.
 * - `transferLeader`: asks the leader to hand leadership to Raft node `id`; reply `undefined`.
 * - `campaign`: starts an election on this member; reply `undefined`.
 * - `setPeer` / `removePeer`: updates the transport's peer map (Raft id → actor node) after a
 *   membership change; reply `undefined`. The map returns to the options' `peers` after a restart.
 */
export type RaftGroupActorMessage =
  | RaftPeerMessage
  | { readonly type: 'propose'; readonly data: Uint8Array }
  | { readonly type: 'proposeConfChange'; readonly change: ConfChange }
  | { readonly type: 'readIndex' }
  | { readonly type: 'status' }
  | { readonly type: 'compact'; readonly index?: number; readonly snapshotIndex?: number }
  | { readonly type: 'transferLeader'; readonly id: NodeId }
  | { readonly type: 'campaign' }
  | { readonly type: 'setPeer'; readonly id: NodeId; readonly node: ActorNodeId }
  | { readonly type: 'removePeer'; readonly id: NodeId };

/** The reply to `status`: the group's status and the transport's and actor's counters (since the last (re)start). */
export interface RaftGroupActorStatus extends RaftGroupStatus {
  /** Outgoing Raft messages dropped because their addressee has no peer entry. */
  droppedMessages: number;
  /** Incoming `raft` messages refused (bytes that do not decode, or that Raft refuses to step). */
  refusedMessages: number;
}

/**
 * Options of a {@link RaftGroupActor}: those of `openRaftGroup` (the environment is the actor's,
 * the transport an {@link ActorRaftTransport}), plus the peers and a state machine factory.
 */
export interface RaftGroupActorOptions extends Omit<RaftGroupOptions, 'env' | 'transport' | 'stateMachine'> {
  /**
   * Raft node id → actor node id of the group's members (the local one may be included). Every
   * member's actor lives at the same path, the spawning path of this actor (e.g. `raftGroupPath(name)`).
   */
  peers: ReadonlyMap<NodeId, ActorNodeId>;
  /**
   * Creates the in-memory state machine, once per actor instance: a restarted instance starts
   * from a fresh one, which the group fills again from the snapshot and the log.
   */
  createStateMachine(): RaftStateMachine;
}

const TYPES = ['raft', 'propose', 'proposeConfChange', 'readIndex', 'status', 'compact', 'transferLeader', 'campaign', 'setPeer', 'removePeer'];

/**
 * An actor hosting one group member. `start` opens the group with `openRaftGroup` on `ctx.env`
 * (recovering from `dir`); `stop` closes it. Bad messages are refused with ShoalError
 * ParameterInvalid and the actor goes on. When the group fail-stops (its disk fails or its state
 * machine throws), the actor crashes on purpose (a plain `Error` naming the cause, on a message it
 * tells itself) so that supervision replaces it with a fresh instance that reopens the group from
 * its durable log; meanwhile client commands reject with the group's IoFailed error.
 *
 * Spawn it at the same path on every member's node, e.g.
 * `system.spawn(raftGroupPath('meta'), () => new RaftGroupActor(opts))`.
 */
export class RaftGroupActor implements Actor<RaftGroupActorMessage> {
  readonly #opts: RaftGroupActorOptions;
  /** The message this instance tells itself when its group fails; matched by identity, so it cannot come from the network. */
  readonly #failed: object = Object.freeze({});
  #failure: unknown = undefined;
  #group: RaftGroup | undefined;
  #transport: ActorRaftTransport | undefined;
  #refused = 0;

  /** @param opts see {@link RaftGroupActorOptions}; checked when the actor starts. */
  constructor(opts: RaftGroupActorOptions) {
    this.#opts = opts;
  }

  /**
   * Opens the group from `opts.dir` on `ctx.env`, with a transport to `opts.peers` at this actor's path.
   * @throws ShoalError ParameterInvalid for bad options or peers; IoFailed for a corrupt or failing
   *   disk (the actor system retries the start after a backoff).
   */
  async start(ctx: ActorContext): Promise<void> {
    const { peers, createStateMachine, observer, ...rest } = this.#opts;
    const transport = new ActorRaftTransport(ctx.system, ctx.self.path, peers);
    this.#transport = transport;
    this.#group = await openRaftGroup({
      ...rest,
      env: ctx.env,
      transport,
      stateMachine: createStateMachine(),
      observer: {
        ...observer,
        failed: (err) => {
          observer?.failed?.(err);
          this.#failure = err;
          ctx.system.tell(ctx.self, this.#failed);
        },
      },
    });
  }

  /**
   * Handles one message (see {@link RaftGroupActorMessage}).
   * @throws ShoalError ParameterInvalid for a malformed message; the group's errors (see `RaftGroup`);
   *   a plain Error (a crash, by design: supervision restarts the member from its durable log) on
   *   the group-failed notice and on a Raft invariant violation while stepping a peer's message.
   */
  receive(msg: RaftGroupActorMessage, ctx: ActorContext): DeferredReply<number> | RaftGroupActorStatus | undefined {
    if (msg === this.#failed) {
      const cause = this.#failure instanceof Error ? this.#failure.message : String(this.#failure);
      throw new Error(`raft group member at "${ctx.self.path}" stopped (${cause}); restarting it from its durable log`);
    }
    const m = checkMessage(msg);
    const group = this.#group as RaftGroup;
    const transport = this.#transport as ActorRaftTransport;
    switch (m.type) {
      case 'raft':
        try {
          group.receive(decodeMessage(m.bytes));
        } catch (err) {
          if (err instanceof RaftError && err.kind === 'invariant') {
            // The in-memory Raft state contradicts Raft's rules (etcd panics): crash, so that
            // supervision restarts this member from its durable log.
            throw new Error(`raft group member at "${ctx.self.path}": ${err.message}; restarting it from its durable log`, { cause: err });
          }
          this.#refused++;
          throw err;
        }
        return undefined;
      case 'propose':
        return deferReply(group.propose(m.data));
      case 'proposeConfChange':
        return deferReply(group.proposeConfChange(m.change));
      case 'readIndex':
        return deferReply(group.readIndex());
      case 'status':
        return { ...group.status(), droppedMessages: transport.dropped, refusedMessages: this.#refused };
      case 'compact':
        return deferReply(group.compact(m.index, m.snapshotIndex));
      case 'transferLeader':
        group.transferLeader(m.id);
        return undefined;
      case 'campaign':
        group.campaign();
        return undefined;
      case 'setPeer':
        transport.setPeer(m.id, m.node);
        return undefined;
      case 'removePeer':
        transport.removePeer(m.id);
        return undefined;
    }
  }

  /** Closes the group (waits for its Ready loop, rejects what is pending, closes its files). */
  async stop(): Promise<void> {
    await this.#group?.close();
  }
}

/**
 * Checks the shape of a message from anywhere (another node's codec included) and returns it typed.
 * Value ranges (indexes, ids, non-empty data) are checked by the group itself.
 * @throws ShoalError ParameterInvalid naming the type or field that is wrong and what is allowed.
 */
function checkMessage(msg: unknown): RaftGroupActorMessage {
  if (typeof msg !== 'object' || msg === null || typeof (msg as { type?: unknown }).type !== 'string' || !TYPES.includes((msg as { type: string }).type)) {
    const t = typeof msg === 'object' && msg !== null ? String((msg as { type?: unknown }).type) : typeof msg;
    throw invalidParameter(`RaftGroupActor: unknown message (type ${t}); expected an object with type one of ${TYPES.join(', ')}`);
  }
  const m = msg as Record<string, unknown> & { type: string };
  const bytesField = (name: string) => {
    if (!(m[name] instanceof Uint8Array)) throw invalidParameter(`RaftGroupActor: "${m.type}" needs ${name}: Uint8Array, got ${describeValue(m[name])}`);
  };
  const numberField = (name: string, optional: boolean) => {
    if (optional && m[name] === undefined) return;
    if (typeof m[name] !== 'number') throw invalidParameter(`RaftGroupActor: "${m.type}" needs ${name}: ${optional ? 'an optional ' : ''}number, got ${describeValue(m[name])}`);
  };
  switch (m.type) {
    case 'raft': bytesField('bytes'); break;
    case 'propose': bytesField('data'); break;
    case 'proposeConfChange': {
      const cc = m.change as { type?: unknown; nodeId?: unknown } | undefined;
      if (typeof cc !== 'object' || cc === null || typeof cc.type !== 'string' || typeof cc.nodeId !== 'number') {
        throw invalidParameter(`RaftGroupActor: "proposeConfChange" needs change: { type: 'addNode' | 'addLearner' | 'removeNode', nodeId: number }, got ${describeValue(m.change)}`);
      }
      break;
    }
    case 'compact': numberField('index', true); numberField('snapshotIndex', true); break;
    case 'transferLeader': case 'removePeer': numberField('id', false); break;
    case 'setPeer':
      numberField('id', false);
      if (typeof m.node !== 'string') throw invalidParameter(`RaftGroupActor: "setPeer" needs node: string (an actor node id), got ${describeValue(m.node)}`);
      break;
  }
  return m as unknown as RaftGroupActorMessage;
}

function describeValue(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'object') return (v as object).constructor?.name ?? 'object';
  return typeof v;
}
