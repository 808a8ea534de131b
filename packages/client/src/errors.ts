/**
 * Errors thrown by `ShoalClient`.
 */

/** Code of a request that reached no peer (Milvus's ServiceUnavailable, `merr` code 2). */
export const UNREACHABLE_CODE = 2;
/** Code of an answer that is not a Milvus REST answer (Milvus's Unexpected, `merr` code 65535). */
export const UNEXPECTED_CODE = 65535;

/**
 * A failed request. `code` is the Milvus error code the server answered (e.g. 100 collection not
 * found, 1100 invalid parameter, 3000 not supported), {@link UNREACHABLE_CODE} when no peer could
 * be reached, or {@link UNEXPECTED_CODE} for an answer that is not a Milvus REST answer.
 */
export class ShoalClientError extends Error {
  /** Milvus error code (see the class comment). */
  readonly code: number;

  /** @param code Milvus error code. @param message what went wrong. @param cause the underlying error, if any. */
  constructor(code: number, message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.code = code;
    this.name = 'ShoalClientError';
  }
}
