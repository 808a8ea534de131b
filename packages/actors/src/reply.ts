import type { TimerHandle, Timers } from './env.ts';
import type { ShoalError } from './errors.ts';

/** Where the outcome of an `ask` goes: settles the asker's promise (locally or over the network). */
export interface ReplySink {
  /** Delivers the reply value. */
  resolve(value: unknown): void;
  /** Delivers an error (a `ShoalError` for everything produced by the runtime). */
  reject(err: unknown): void;
}

/**
 * A promise for the reply of one `ask`, with the sink that settles it and a timeout: after
 * `timeoutMs` ms (through `timers`, so the simulator controls it) the promise rejects with
 * `timeoutError()`. Only the first settlement counts; later ones are ignored. `onSettled` runs
 * once, on the first settlement or the timeout (e.g. to forget a correlation id).
 */
export function timedReply<T>(
  timers: Timers,
  timeoutMs: number,
  timeoutError: () => ShoalError,
  onSettled?: () => void,
): { promise: Promise<T>; sink: ReplySink } {
  let settled = false;
  let timer: TimerHandle | undefined;
  let resolve!: (value: T) => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  const settle = (): boolean => {
    if (settled) return false;
    settled = true;
    if (timer !== undefined) timers.clear(timer);
    onSettled?.();
    return true;
  };
  const sink: ReplySink = {
    resolve: (value) => {
      if (settle()) resolve(value as T);
    },
    reject: (err) => {
      if (settle()) reject(err);
    },
  };
  timer = timers.set(timeoutMs, () => {
    timer = undefined;
    sink.reject(timeoutError());
  });
  return { promise, sink };
}
