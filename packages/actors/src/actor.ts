import type { Env, NodeId } from './env.ts';
import type { ActorSystem } from './system.ts';

/**
 * Where an actor lives: its node and its path on that node, e.g.
 * `{ node: 'node-1', path: 'shard/42/0' }` (DESIGN.md, "Actors").
 */
export interface Address {
  readonly node: NodeId;
  readonly path: string;
}

/** What an actor's hooks get: its own address, the environment, and the system to message others. */
export interface ActorContext {
  /** This actor's address. */
  readonly self: Address;
  /** The environment of the node (clock, timers, random, disk, network). */
  readonly env: Env;
  /** The actor system of this node: `tell`/`ask` other actors, spawn children. */
  readonly system: ActorSystem;
}

/**
 * An actor: state plus a handler that runs for one message at a time, in arrival order (FIFO).
 *
 * Replies. For an `ask`, the value `receive` returns (or the value its promise resolves to) is the
 * reply; for a `tell` it is discarded. The mailbox awaits a returned promise before it hands the
 * actor the next message. To reply later without holding up the mailbox (group commit: accept
 * more writes while one fsync runs), return {@link deferReply}`(promise)`: the mailbox moves on at
 * once and the asker's promise settles when `promise` settles.
 *
 * Errors. A thrown (or rejected) `ShoalError` is a user error: the asker receives it unchanged and
 * the actor keeps running. Any other error is a crash (a bug or an I/O failure): the asker
 * receives a `ShoalError` with code `ServiceInternal` naming the actor (its `cause` is the
 * original error on the same node), the error is reported to the system's `onError` hook, and
 * before the next message the actor is restarted: `stop()` of the crashed instance, then a fresh
 * instance from the factory given to `spawn`, whose `start()` recovers from durable state. A
 * deferred reply that rejects with a non-`ShoalError` crashes the actor the same way.
 *
 * Messages on the same node are passed by reference and must be treated as immutable; messages
 * between nodes are copied through the codec. Actor code cannot tell the two apart.
 *
 * @typeParam M the type of the messages this actor accepts.
 */
export interface Actor<M = unknown> {
  /**
   * Called once per instance before its first message (and after each restart, on the new
   * instance); messages wait until it resolves. Recover durable state here. If it throws, the
   * instance is stopped and the actor is restarted after a backoff; meanwhile messages to it are
   * rejected with `ServiceUnavailable`.
   */
  start?(ctx: ActorContext): void | Promise<void>;
  /** Handles one message; see the interface documentation for replies and errors. */
  receive(msg: M, ctx: ActorContext): unknown;
  /**
   * Called when the actor is stopped, when the system shuts down, and on a crashed instance before
   * it is replaced (release files and timers here). Errors are reported to `onError`, then ignored.
   */
  stop?(): void | Promise<void>;
}

/**
 * A handle for messaging one actor, local or remote.
 * @typeParam M the type of the messages the actor accepts (not checked at run time).
 */
export interface ActorRef<M = unknown> {
  /** The actor's address. */
  readonly address: Address;
  /** Sends `msg` without waiting for a reply (at most once; dropped if the actor is unreachable). */
  tell(msg: M): void;
  /**
   * Sends `msg` and resolves with the actor's reply (cast to `R`, not checked).
   * @param timeoutMs how long to wait in ms (> 0).
   * @throws ShoalError `ServiceUnavailable` on timeout or if the actor does not exist or is
   *   stopped or restarting; `ServiceInternal` if the actor crashed on this message; the
   *   handler's own `ShoalError` otherwise.
   */
  ask<R>(msg: M, timeoutMs: number): Promise<R>;
}

/**
 * A reply that an actor gives later: see {@link deferReply}. The mailbox recognises it with
 * `instanceof`, so it must be returned as is (not wrapped in another object).
 */
export class DeferredReply<T = unknown> {
  /** The promise whose outcome becomes the asker's reply. */
  readonly promise: Promise<T>;
  /** @param promise the promise whose outcome becomes the reply. */
  constructor(promise: Promise<T>) {
    this.promise = promise;
  }
}

/**
 * Marks `promise` as the reply to the current message, to be sent when it settles, while the
 * actor goes on with its next message at once. Return the result from `receive`.
 *
 * ```ts
 * receive(msg: Write) {
 *   this.batch.push(msg.rows);                 // state changes happen now, in mailbox order
 *   return deferReply(this.flushSoon());       // resolves when the batch is fsynced
 * }
 * ```
 */
export function deferReply<T>(promise: Promise<T>): DeferredReply<T> {
  return new DeferredReply(promise);
}
