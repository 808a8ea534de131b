import type { Actor, ActorContext, ActorRef, Address } from './actor.ts';
import { askTimedOut, describe, noSuchActor, systemShutDown } from './actor-errors.ts';
import type { Env, NodeId } from './env.ts';
import { ErrorCode, ShoalError, invalidParameter } from './errors.ts';
import { Mailbox } from './mailbox.ts';
import type { MailboxHost } from './mailbox.ts';
import { decodeEnvelope, encodeEnvelope, errorFromWire, errorToWire } from './remote.ts';
import type { Envelope } from './remote.ts';
import { timedReply } from './reply.ts';
import type { ReplySink } from './reply.ts';

/**
 * The path given to `onError` for a message from the network that could not be decoded (it is not
 * an actor path: the error did not happen inside an actor).
 */
export const NETWORK_ERROR_PATH = '<network>';

/** Options of an {@link ActorSystem}. */
export interface ActorSystemOptions {
  /**
   * Called with the actor's path and the error for every crash (a handler or deferred reply
   * failing with a non-`ShoalError`), every failed `start()` or `stop()`, and (with
   * {@link NETWORK_ERROR_PATH}) every malformed message from the network. The node logs these.
   * Default: ignore.
   */
  onError?: (path: string, err: unknown) => void;
  /**
   * Delay before restarting an actor whose `start()` failed, in ms: `minMs` (default 10) after the
   * first failure, doubling per consecutive failure up to `maxMs` (default 5000).
   */
  restartBackoff?: { minMs: number; maxMs: number };
}

/** Counters of an {@link ActorSystem}. */
export interface ActorSystemStats {
  /** Number of actors spawned and not yet fully stopped. */
  readonly actors: number;
  /** Restarts (instances created again after a crash or a failed start) since the system began. */
  readonly restarts: { readonly total: number; readonly byPath: Readonly<Record<string, number>> };
}

/**
 * The actors of one node and the routing of messages between them and to other nodes
 * (DESIGN.md, "Actors").
 *
 * Messages to an address on this node (`address.node === env.network.self`) go straight into the
 * actor's mailbox, by reference. Messages to other nodes are encoded with the codec into an
 * envelope and sent through `env.network`; the system installs the network's message handler,
 * dispatches incoming envelopes to its actors and routes replies back to the asker by correlation
 * id. Delivery is at most once; `ask` has a timeout on `env.timers`. See `Actor` for mailbox
 * ordering, deferred replies, errors and supervision.
 */
export class ActorSystem {
  /** The environment of this node. */
  readonly env: Env;
  /** This node's id (`env.network.self`). */
  readonly node: NodeId;
  private readonly mailboxes = new Map<string, Mailbox>();
  /** Replies awaited from other nodes, by correlation id. */
  private readonly pending = new Map<number, ReplySink>();
  private readonly incarnation: number;
  private nextAskId = 1;
  private restartsTotal = 0;
  private readonly restartsByPath = new Map<string, number>();
  private readonly onError: (path: string, err: unknown) => void;
  private readonly host: MailboxHost;
  private closed = false;

  /**
   * Creates the system and installs its handler on `env.network` (replacing any other).
   * Draws one 32-bit number from `env.random` (the incarnation that tags this system's asks).
   * @throws ShoalError `ParameterInvalid` on a bad `restartBackoff`.
   */
  constructor(env: Env, options: ActorSystemOptions = {}) {
    const backoff = options.restartBackoff ?? { minMs: 10, maxMs: 5000 };
    if (!(backoff.minMs > 0 && backoff.maxMs >= backoff.minMs && Number.isFinite(backoff.maxMs))) {
      throw invalidParameter(
        `restartBackoff must have 0 < minMs ≤ maxMs < ∞ (ms), got minMs=${backoff.minMs}, maxMs=${backoff.maxMs}`,
      );
    }
    this.env = env;
    this.node = env.network.self;
    this.incarnation = env.random.nextU32();
    const userOnError = options.onError;
    this.onError = (path, err) => {
      try {
        userOnError?.(path, err);
      } catch {
        // A failing error hook must not break message processing; there is nowhere left to report.
      }
    };
    this.host = {
      node: this.node,
      timers: env.timers,
      backoff: { minMs: backoff.minMs, maxMs: backoff.maxMs },
      reportError: this.onError,
      countRestart: (path) => {
        this.restartsTotal++;
        this.restartsByPath.set(path, (this.restartsByPath.get(path) ?? 0) + 1);
      },
    };
    env.network.onMessage((from, bytes) => this.onNetworkMessage(from, bytes));
  }

  /**
   * Spawns an actor at `path` on this node. `factory` is called once now (its exceptions propagate
   * to the caller) and again for every restart; the instance's `start()` runs in a microtask and
   * messages sent meanwhile wait for it.
   * @param path non-empty, unique on this node among actors not yet fully stopped.
   * @throws ShoalError `ParameterInvalid` for an empty path; `ServiceInternal` if an actor (possibly
   *   still stopping) holds `path`; `ServiceUnavailable` after {@link ActorSystem.shutdown}.
   */
  spawn<M>(path: string, factory: () => Actor<M>): ActorRef<M> {
    if (this.closed) throw systemShutDown(this.node);
    if (typeof path !== 'string' || path.length === 0) throw invalidParameter('actor path must be a non-empty string');
    if (this.mailboxes.has(path)) {
      throw new ShoalError(
        ErrorCode.ServiceInternal,
        `an actor already exists at path "${path}" on node ${this.node}; await stop("${path}") before spawning it again`,
      );
    }
    const self: Address = { node: this.node, path };
    const ctx: ActorContext = { self, env: this.env, system: this };
    const first = factory();
    this.mailboxes.set(path, new Mailbox(path, factory as () => Actor, first as Actor, ctx, this.host));
    return this.ref<M>(self);
  }

  /**
   * Stops the actor at `path` on this node (see `Mailbox.stop`: queued messages are rejected with
   * `ServiceUnavailable`, the current one finishes, then `stop()` is awaited) and frees the path.
   * Resolves at once if there is no such actor.
   */
  async stop(path: string): Promise<void> {
    const mailbox = this.mailboxes.get(path);
    if (mailbox === undefined) return;
    await mailbox.stop();
    if (this.mailboxes.get(path) === mailbox) this.mailboxes.delete(path);
  }

  /** A handle for the actor at `address` (on this or another node); it need not exist yet. */
  ref<M = unknown>(address: Address): ActorRef<M> {
    return {
      address,
      tell: (msg) => this.tell(address, msg),
      ask: <R>(msg: M, timeoutMs: number) => this.ask<R>(address, msg, timeoutMs),
    };
  }

  /**
   * Sends `msg` to the actor at `to` without a reply. At most once: dropped if the actor does not
   * exist, is stopped, or its node is unreachable, and after shutdown.
   * @throws Error from the codec if `to` is on another node and `msg` cannot be encoded.
   */
  tell(to: Address, msg: unknown): void {
    if (this.closed) return;
    if (to.node === this.node) {
      this.mailboxes.get(to.path)?.post({ msg, reply: undefined });
    } else {
      this.env.network.send(to.node, encodeEnvelope({ kind: 'tell', to: to.path, msg }));
    }
  }

  /**
   * Sends `msg` to the actor at `to` and resolves with its reply (cast to `T`, not checked).
   * @param timeoutMs how long to wait for the reply in ms: finite and > 0.
   * @throws (rejects with) ShoalError `ParameterInvalid` for a bad timeout; `ServiceUnavailable`
   *   if no reply comes within `timeoutMs`, if there is no actor at `to`, if it is stopped or
   *   restarting, or after shutdown; `ServiceInternal` if it crashed on this message; the
   *   `ShoalError` its handler threw. Rejects with the codec's Error if `to` is on another node
   *   and `msg` cannot be encoded.
   */
  ask<T>(to: Address, msg: unknown, timeoutMs: number): Promise<T> {
    if (!(timeoutMs > 0 && Number.isFinite(timeoutMs))) {
      return Promise.reject(invalidParameter(`ask timeout must be a finite number of ms > 0, got ${timeoutMs}`));
    }
    if (this.closed) return Promise.reject(systemShutDown(this.node));
    const timeoutError = () => askTimedOut(to.path, to.node, timeoutMs);
    if (to.node === this.node) {
      const mailbox = this.mailboxes.get(to.path);
      if (mailbox === undefined) return Promise.reject(noSuchActor(to.path, this.node));
      const { promise, sink } = timedReply<T>(this.env.timers, timeoutMs, timeoutError);
      mailbox.post({ msg, reply: sink });
      return promise;
    }
    const id = this.nextAskId++;
    const { promise, sink } = timedReply<T>(this.env.timers, timeoutMs, timeoutError, () => this.pending.delete(id));
    this.pending.set(id, sink);
    let bytes: Uint8Array;
    try {
      bytes = encodeEnvelope({ kind: 'ask', to: to.path, id, inc: this.incarnation, msg });
    } catch (err) {
      sink.reject(err);
      return promise;
    }
    this.env.network.send(to.node, bytes);
    return promise;
  }

  /** Counters: live actors and restarts (total and per path). */
  stats(): ActorSystemStats {
    return {
      actors: this.mailboxes.size,
      restarts: { total: this.restartsTotal, byPath: Object.fromEntries(this.restartsByPath) },
    };
  }

  /**
   * Stops every actor (concurrently; see {@link ActorSystem.stop}), rejects asks still waiting for
   * other nodes with `ServiceUnavailable`, and ignores the network from then on. Later `spawn`
   * throws, `ask` rejects and `tell` is dropped. Idempotent.
   */
  async shutdown(): Promise<void> {
    this.closed = true;
    for (const sink of [...this.pending.values()]) sink.reject(systemShutDown(this.node));
    await Promise.all([...this.mailboxes.keys()].map((path) => this.stop(path)));
  }

  private onNetworkMessage(from: NodeId, bytes: Uint8Array): void {
    if (this.closed) return;
    let envelope: Envelope;
    try {
      envelope = decodeEnvelope(bytes);
    } catch (err) {
      this.onError(NETWORK_ERROR_PATH, new Error(`dropped a malformed message from node ${from}: ${describe(err)}`));
      return;
    }
    switch (envelope.kind) {
      case 'tell':
        this.mailboxes.get(envelope.to)?.post({ msg: envelope.msg, reply: undefined });
        return;
      case 'ask': {
        const reply = this.remoteReply(from, envelope.id, envelope.inc);
        const mailbox = this.mailboxes.get(envelope.to);
        if (mailbox === undefined) reply.reject(noSuchActor(envelope.to, this.node));
        else mailbox.post({ msg: envelope.msg, reply });
        return;
      }
      case 'ok':
        if (envelope.inc === this.incarnation) this.pending.get(envelope.id)?.resolve(envelope.value);
        return;
      case 'err':
        if (envelope.inc === this.incarnation) {
          this.pending.get(envelope.id)?.reject(errorFromWire(envelope.code, envelope.message));
        }
        return;
    }
  }

  /** A sink that sends the reply to ask `id` of incarnation `inc` back to node `to`. */
  private remoteReply(to: NodeId, id: number, inc: number): ReplySink {
    const sendError = (err: unknown) => {
      this.env.network.send(to, encodeEnvelope({ kind: 'err', id, inc, ...errorToWire(err) }));
    };
    return {
      resolve: (value) => {
        let bytes: Uint8Array;
        try {
          bytes = encodeEnvelope({ kind: 'ok', id, inc, value });
        } catch (err) {
          sendError(new Error(`the reply of an actor on node ${this.node} cannot be encoded: ${describe(err)}`));
          return;
        }
        this.env.network.send(to, bytes);
      },
      reject: sendError,
    };
  }
}
