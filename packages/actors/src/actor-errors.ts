import type { NodeId } from './env.ts';
import { ErrorCode, ShoalError } from './errors.ts';

/** The errors the actor runtime gives to askers: each names the actor, its node and what to do. */

/** `ServiceUnavailable`: nothing is spawned at `path` on `node`. */
export function noSuchActor(path: string, node: NodeId): ShoalError {
  return new ShoalError(ErrorCode.ServiceUnavailable, `no actor at path "${path}" on node ${node}`);
}

/** `ServiceUnavailable`: the actor is stopping or stopped and takes no more messages. */
export function actorStopped(path: string, node: NodeId): ShoalError {
  return new ShoalError(ErrorCode.ServiceUnavailable, `actor "${path}" on node ${node} is stopped`);
}

/** `ServiceUnavailable`: the actor's `start()` failed and is retried after `retryInMs` ms. */
export function actorRestarting(path: string, node: NodeId, cause: unknown, retryInMs: number): ShoalError {
  const err = new ShoalError(
    ErrorCode.ServiceUnavailable,
    `actor "${path}" on node ${node} is unavailable: its start failed (${describe(cause)}); ` +
      `the next restart is within ${retryInMs} ms, retry then`,
  );
  err.cause = cause;
  return err;
}

/** `ServiceInternal`: the actor crashed on this message (a bug or an I/O failure) and is restarted. */
export function actorCrashed(path: string, node: NodeId, cause: unknown): ShoalError {
  const err = new ShoalError(
    ErrorCode.ServiceInternal,
    `actor "${path}" on node ${node} crashed while handling the message (${describe(cause)}); it is being restarted`,
  );
  err.cause = cause;
  return err;
}

/** `ServiceUnavailable`: no reply from the actor within `timeoutMs` ms. */
export function askTimedOut(path: string, node: NodeId, timeoutMs: number): ShoalError {
  return new ShoalError(
    ErrorCode.ServiceUnavailable,
    `ask to actor "${path}" on node ${node} timed out after ${timeoutMs} ms`,
  );
}

/** `ServiceUnavailable`: the actor system of `node` has shut down. */
export function systemShutDown(node: NodeId): ShoalError {
  return new ShoalError(ErrorCode.ServiceUnavailable, `the actor system of node ${node} has shut down`);
}

/** The message of an error, or its string form if it is not an `Error`. */
export function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
