/**
 * Errors that cross package and wire boundaries carry a Milvus error code (the `merr` package
 * of Milvus, `pkg/util/merr/errors.go`), so that the REST and gRPC layers answer exactly as
 * Milvus does and existing clients recognise them.
 */

/** Milvus error codes used by Shoal (values from Milvus `merr`). */
export const ErrorCode = {
  ServiceNotReady: 1,
  ServiceUnavailable: 2,
  ServiceInternal: 5,
  ServiceUnimplemented: 10,
  CollectionNotFound: 100,
  CollectionNotLoaded: 101,
  CollectionIllegalSchema: 105,
  PartitionNotFound: 200,
  IndexNotFound: 700,
  IndexNotSupported: 701,
  IndexDuplicate: 702,
  DatabaseNotFound: 800,
  IoFailed: 1001,
  ParameterInvalid: 1100,
  ParameterMissing: 1101,
  ParameterTooLarge: 1102,
  FieldNotFound: 1700,
  IncorrectParameterFormat: 1801,
  MissingRequiredParameters: 1802,
  InvalidInsertData: 1804,
  ImportFailed: 2100,
  OperationNotSupported: 3000,
  Unexpected: 65535,
} as const;

/** One of the {@link ErrorCode} values. */
export type ErrorCodeValue = (typeof ErrorCode)[keyof typeof ErrorCode];

/**
 * An error with a Milvus error code and a message that says what was wrong, where, and what is
 * allowed. Thrown by package code for every user-facing failure; anything else that escapes to
 * the API is reported as `Unexpected` (65535).
 */
export class ShoalError extends Error {
  /** @param code Milvus error code. @param message human-readable explanation. */
  readonly code: ErrorCodeValue;
  constructor(code: ErrorCodeValue, message: string) {
    super(message);
    this.code = code;
    this.name = 'ShoalError';
  }
}

/** Shorthand for `new ShoalError(ErrorCode.ParameterInvalid, message)`. */
export function invalidParameter(message: string): ShoalError {
  return new ShoalError(ErrorCode.ParameterInvalid, message);
}

/** The error for a Milvus feature Shoal does not implement yet: never a fake success. */
export function notSupported(feature: string): ShoalError {
  return new ShoalError(ErrorCode.OperationNotSupported, `${feature} is not supported yet by Shoal`);
}
