/**
 * Checkers of the Shoal simulator: pure functions over recorded client histories and Raft event
 * traces that return a {@link CheckResult}. See each module for the property and its source.
 */
export * from './result.ts';
export * from './history.ts';
export * from './linearizability.ts';
export * from './final-state.ts';
export * from './raft-events.ts';
export * from './raft-safety.ts';
export * from './raft-terms.ts';
export * from './raft-liveness.ts';
