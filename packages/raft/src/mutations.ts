/**
 * Deliberate defects of the Raft state machine, for mutation testing of the deterministic
 * simulator (FoundationDB-style "buggify": a checker that never sees a planted bug proves
 * nothing). They are OFF by default: a node has a mutation only when its `RaftConfig.mutations`
 * names it, and each use site in the library is a single `hasMutation(...)` check.
 *
 * - `commit-without-quorum`: the leader commits an index matched by one voter fewer than a
 *   quorum (an off-by-one in the commit rule; breaks Raft paper §5.3/§5.4.2);
 * - `vote-twice-in-term`: a node grants its vote even if it already voted for another
 *   candidate in this term (breaks election safety, §5.2);
 * - `ignore-term-on-append`: a node accepts an append from a leader of an older term as current
 *   (following that leader and moving back to its term; breaks the term rule of §5.1).
 */

/** The names of the planted Raft defects (see the module comment). */
export const RAFT_LIBRARY_MUTATIONS = ['commit-without-quorum', 'vote-twice-in-term', 'ignore-term-on-append'] as const;

/** One of {@link RAFT_LIBRARY_MUTATIONS}. */
export type RaftMutation = (typeof RAFT_LIBRARY_MUTATIONS)[number];

/**
 * The commit index of the `commit-without-quorum` defect: the highest index matched by
 * `quorum - 1` voters (at least one) instead of `quorum`. `matches` are the voters' match indexes.
 */
export function commitIndexOneShortOfQuorum(matches: readonly number[], quorum: number): number {
  const sorted = [...matches].sort((a, b) => b - a);
  return sorted[Math.max(0, quorum - 2)] ?? 0;
}

/**
 * Deliberate defects of the driver `RaftGroup` (packages/raft/src/group/raft-group.ts), planted
 * through `RaftGroupOptions.mutations` for the simulator's mutation tests; off by default:
 * - `no-fsync`: the group's storage never fsyncs (a crash loses acknowledged entries and votes);
 * - `ack-before-fsync`: a Ready's messages are sent and its committed entries applied before its
 *   entries and hard state are persisted, which happens one tick later (group commit done wrong);
 * - `forget-hardstate-on-restart`: opening the group ignores the persisted hard state (term,
 *   vote, commit);
 * - `apply-uncommitted`: entries are handed to the state machine as soon as they are appended,
 *   before they commit.
 */
export const RAFT_GROUP_MUTATIONS = ['no-fsync', 'ack-before-fsync', 'forget-hardstate-on-restart', 'apply-uncommitted'] as const;

/** One of {@link RAFT_GROUP_MUTATIONS}. */
export type RaftGroupMutation = (typeof RAFT_GROUP_MUTATIONS)[number];

/** Whether `mutations` (a node's `RaftConfig.mutations`, possibly absent) enables `name`. */
export function hasMutation(mutations: ReadonlySet<RaftMutation> | undefined, name: RaftMutation): boolean {
  return mutations !== undefined && mutations.has(name);
}
