/**
 * How `shoal import` and `shoal bench` report failures: a Milvus-coded error (from the server via
 * `ShoalClientError`, or raised locally as `ShoalError`) is printed as `error <code>: <message>`;
 * anything else as `error: <message>`. The process then exits with code 1.
 */
import { ShoalError } from '@shoal/actors';
import { ShoalClientError } from '@shoal/client';

/** One line describing `err` for the terminal, with its Milvus code when it has one. */
export function formatCliError(err: unknown): string {
  if (err instanceof ShoalClientError || err instanceof ShoalError) return `error ${err.code}: ${err.message}`;
  if (err instanceof Error) return `error: ${err.message}`;
  return `error: ${String(err)}`;
}

/**
 * Wraps a commander action: runs it and, if it throws, prints {@link formatCliError} to stderr and
 * sets `process.exitCode` to 1 (the process ends once pending work has finished).
 */
export function cliAction<A extends unknown[]>(fn: (...args: A) => Promise<void>): (...args: A) => Promise<void> {
  return async (...args: A) => {
    try {
      await fn(...args);
    } catch (err) {
      process.stderr.write(`${formatCliError(err)}\n`);
      process.exitCode = 1;
    }
  };
}
