import { ErrorCode, ShoalError } from '@shoal/actors';

/**
 * Errors of the Raft state machine and its storage, after etcd raft's sentinel errors
 * (`ErrCompacted`, `ErrUnavailable`, `ErrSnapOutOfDate`, `ErrProposalDropped`).
 */
export type RaftErrorKind = 'compacted' | 'unavailable' | 'snapshotOutOfDate' | 'proposalDropped' | 'invariant';

/**
 * A Raft error with a machine-readable `kind`. `compacted`/`unavailable` come from {@link Storage}
 * reads outside the retained log; `proposalDropped` means a proposal was not appended (no leader,
 * leader transfer in progress, pending configuration change); `invariant` means the persisted
 * state contradicts Raft's rules (e.g. commit index beyond the log) and the node must not continue.
 */
export class RaftError extends ShoalError {
  readonly kind: RaftErrorKind;
  /** @param kind the error kind. @param message what happened and where. */
  constructor(kind: RaftErrorKind, message: string) {
    super(kind === 'proposalDropped' ? ErrorCode.ServiceUnavailable : ErrorCode.ServiceInternal, message);
    this.kind = kind;
    this.name = 'RaftError';
  }
}

/** Raises an `invariant` {@link RaftError}: the equivalent of etcd raft's `panic`. */
export function invariant(message: string): never {
  throw new RaftError('invariant', `raft invariant violated: ${message}`);
}
