import { DeferredReply } from './actor.ts';
import type { Actor, ActorContext } from './actor.ts';
import { actorCrashed, actorRestarting, actorStopped } from './actor-errors.ts';
import type { NodeId, TimerHandle, Timers } from './env.ts';
import { ShoalError } from './errors.ts';
import { Fifo } from './fifo.ts';
import type { ReplySink } from './reply.ts';

/** One message in a mailbox, with where its reply goes (`undefined` for a `tell`). */
export interface Letter {
  readonly msg: unknown;
  readonly reply: ReplySink | undefined;
}

/** What a mailbox needs from its actor system. */
export interface MailboxHost {
  /** The node the mailbox lives on (for error messages). */
  readonly node: NodeId;
  /** Timers for restart backoff. */
  readonly timers: Timers;
  /** Backoff between restarts after a failed `start()`: first delay, doubling up to the max (ms). */
  readonly backoff: { readonly minMs: number; readonly maxMs: number };
  /** Reports a crash, a failed start or a failed stop of the actor at `path`. */
  reportError(path: string, err: unknown): void;
  /** Counts one restart (a new instance created after a crash or a failed start). */
  countRestart(path: string): void;
}

/**
 * `active`: starting or handling messages; `backoff`: waiting to retry a failed start;
 * `stopping`/`stopped`: after {@link Mailbox.stop}.
 */
type MailboxState = 'active' | 'backoff' | 'stopping' | 'stopped';

/**
 * The mailbox and supervisor of one actor: queues its messages (FIFO), hands them to the current
 * instance one at a time, and restarts the instance after a crash (see `Actor` for the rules).
 *
 * Processing always begins in a microtask, never inside `post`, so a sender's handler is never
 * re-entered by the receiver.
 */
export class Mailbox {
  /** The actor's path on its node. */
  readonly path: string;
  private readonly factory: () => Actor;
  private readonly ctx: ActorContext;
  private readonly host: MailboxHost;
  private readonly queue = new Fifo<Letter>();
  private state: MailboxState = 'active';
  /** The current instance; `undefined` between a crash and the next factory call. */
  private instance: Actor | undefined;
  /** Whether `instance.start()` has completed. */
  private started = false;
  /** Incremented per instance, so that a late deferred crash of an old instance is ignored. */
  private generation = 0;
  /** A deferred reply of the current instance crashed: restart before the next message. */
  private restartPending = false;
  private draining = false;
  private drained: Promise<void> = Promise.resolve();
  private backoffMs: number;
  private backoffTimer: TimerHandle | undefined;
  private startError: unknown;
  private stopping: Promise<void> | undefined;

  /**
   * Starts the actor (in a microtask): `first.start()`, then queued messages.
   * @param first the first instance (already created by `factory`, so that `spawn` surfaces a
   *   throwing factory to its caller).
   */
  constructor(path: string, factory: () => Actor, first: Actor, ctx: ActorContext, host: MailboxHost) {
    this.path = path;
    this.factory = factory;
    this.instance = first;
    this.ctx = ctx;
    this.host = host;
    this.backoffMs = host.backoff.minMs;
    this.kick();
  }

  /** Number of messages waiting (not counting the one being handled). */
  get depth(): number {
    return this.queue.length;
  }

  /**
   * Queues a message. If the actor is stopped or waiting to restart after a failed start, the
   * reply (if any) is rejected at once with a `ServiceUnavailable` `ShoalError`; a tell is dropped.
   */
  post(letter: Letter): void {
    if (this.state === 'active') {
      this.queue.push(letter);
      this.kick();
    } else if (this.state === 'backoff') {
      letter.reply?.reject(actorRestarting(this.path, this.host.node, this.startError, this.backoffMs));
    } else {
      letter.reply?.reject(actorStopped(this.path, this.host.node));
    }
  }

  /**
   * Stops the actor: rejects queued messages with `ServiceUnavailable`, lets the message being
   * handled finish, then awaits the instance's `stop()`. Idempotent; resolves when done. Deferred
   * replies still settle when their promises do.
   */
  stop(): Promise<void> {
    if (this.stopping !== undefined) return this.stopping;
    this.state = 'stopping';
    if (this.backoffTimer !== undefined) this.host.timers.clear(this.backoffTimer);
    this.backoffTimer = undefined;
    for (const letter of this.queue.drain()) letter.reply?.reject(actorStopped(this.path, this.host.node));
    this.stopping = (async () => {
      await this.drained;
      const instance = this.instance;
      this.instance = undefined;
      if (instance !== undefined && this.started) await this.stopQuietly(instance);
      this.started = false;
      this.state = 'stopped';
    })();
    return this.stopping;
  }

  private kick(): void {
    if (this.draining) return;
    this.draining = true;
    this.drained = Promise.resolve().then(() => this.drain());
  }

  /** The processing loop: runs until the queue is empty or the actor cannot take messages. */
  private async drain(): Promise<void> {
    try {
      for (;;) {
        if (this.state !== 'active') return;
        if (this.restartPending) {
          await this.restart();
        } else if (!this.started) {
          if (!(await this.startInstance())) return;
        } else {
          const letter = this.queue.shift();
          if (letter === undefined) return;
          await this.deliver(letter);
        }
      }
    } finally {
      this.draining = false;
    }
  }

  private async deliver(letter: Letter): Promise<void> {
    const instance = this.instance as Actor;
    const generation = this.generation;
    let result: unknown;
    try {
      result = instance.receive(letter.msg, this.ctx);
      if (isThenable(result)) result = await result;
    } catch (err) {
      this.fail(letter.reply, err, generation);
      return;
    }
    if (result instanceof DeferredReply) {
      result.promise.then(
        (value) => letter.reply?.resolve(value),
        (err: unknown) => this.fail(letter.reply, err, generation),
      );
    } else {
      letter.reply?.resolve(result);
    }
  }

  /** A handler failed: a `ShoalError` goes to the asker; anything else is a crash. */
  private fail(reply: ReplySink | undefined, err: unknown, generation: number): void {
    if (err instanceof ShoalError) {
      reply?.reject(err);
      return;
    }
    reply?.reject(actorCrashed(this.path, this.host.node, err));
    this.host.reportError(this.path, err);
    if (generation === this.generation && this.state === 'active' && this.started) {
      this.restartPending = true;
      this.kick();
    }
  }

  /** Replaces a crashed instance: stops it; the loop then creates and starts a new one. */
  private async restart(): Promise<void> {
    const old = this.instance;
    this.instance = undefined;
    this.started = false;
    this.restartPending = false;
    this.generation++;
    if (old !== undefined) await this.stopQuietly(old);
    this.host.countRestart(this.path);
  }

  /** Creates (if needed) and starts the instance; on failure, stops it and enters backoff. */
  private async startInstance(): Promise<boolean> {
    let instance = this.instance;
    try {
      if (instance === undefined) {
        instance = this.factory();
        this.instance = instance;
      }
      await instance.start?.(this.ctx);
    } catch (err) {
      this.host.reportError(this.path, err);
      this.instance = undefined;
      this.generation++;
      if (instance !== undefined) await this.stopQuietly(instance);
      if (this.state === 'active') this.enterBackoff(err);
      return false;
    }
    this.started = true;
    this.backoffMs = this.host.backoff.minMs;
    return true;
  }

  private enterBackoff(err: unknown): void {
    this.state = 'backoff';
    this.startError = err;
    const delay = this.backoffMs;
    for (const letter of this.queue.drain()) {
      letter.reply?.reject(actorRestarting(this.path, this.host.node, err, delay));
    }
    this.backoffTimer = this.host.timers.set(delay, () => {
      this.backoffTimer = undefined;
      if (this.state !== 'backoff') return;
      this.backoffMs = Math.min(delay * 2, this.host.backoff.maxMs);
      this.state = 'active';
      this.host.countRestart(this.path);
      this.kick();
    });
  }

  private async stopQuietly(instance: Actor): Promise<void> {
    try {
      await instance.stop?.();
    } catch (err) {
      this.host.reportError(this.path, err);
    }
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as { then?: unknown }).then === 'function';
}
