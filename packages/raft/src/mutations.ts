/**
 * Deliberate defects of the Raft state machine, for mutation testing of the deterministic
 * simulator (FoundationDB-style "buggify": a checker that never sees a planted bug proves
 * nothing). They are OFF by default: a node has a mutation only when its `RaftConfig.mutations`
 * names it, and each use site in the library is a single `hasMutation(...)` check.
 *
 * - `commit-without-quorum`: the leader commits up to its own last index without waiting for a
 *   quorum's match (breaks Raft paper §5.3/§5.4.2);
 * - `vote-twice-in-term`: a node grants its vote even if it already voted for another
 *   candidate in this term (breaks election safety, §5.2);
 * - `ignore-term-on-append`: a node accepts an append from a leader of an older term as current
 *   (following that leader and moving back to its term; breaks the term rule of §5.1).
 */

/** The names of the planted Raft defects (see the module comment). */
export const RAFT_LIBRARY_MUTATIONS = ['commit-without-quorum', 'vote-twice-in-term', 'ignore-term-on-append'] as const;

/** One of {@link RAFT_LIBRARY_MUTATIONS}. */
export type RaftMutation = (typeof RAFT_LIBRARY_MUTATIONS)[number];

/** Whether `mutations` (a node's `RaftConfig.mutations`, possibly absent) enables `name`. */
export function hasMutation(mutations: ReadonlySet<RaftMutation> | undefined, name: RaftMutation): boolean {
  return mutations !== undefined && mutations.has(name);
}
