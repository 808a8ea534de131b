import { describe, expect, it } from 'vitest';
import { MessageType, message } from '../src/index.ts';
import type { RaftMutation } from '../src/index.ts';
import { commitIndexOneShortOfQuorum } from '../src/mutations.ts';
import { newTestRaft, readMessages } from './helpers.ts';

// The planted defects of ./src/mutations.ts: off by default, and each does what its name says.

function raftWith(mutation?: RaftMutation) {
  return newTestRaft(1, [1, 2, 3], 10, 1, undefined, mutation === undefined ? {} : { mutations: new Set([mutation]) });
}

describe('Raft mutations (testing hook)', () => {
  it('vote-twice-in-term grants a second vote in the same term; the unmutated node refuses it', () => {
    for (const [mutation, granted] of [[undefined, false], ['vote-twice-in-term', true]] as const) {
      const r = raftWith(mutation);
      r.step(message({ type: MessageType.Vote, from: 2, to: 1, term: 1 }));
      readMessages(r);
      r.step(message({ type: MessageType.Vote, from: 3, to: 1, term: 1 }));
      const resp = readMessages(r).find((m) => m.type === MessageType.VoteResp);
      expect(resp?.reject, String(mutation)).toBe(!granted);
    }
  });

  it('ignore-term-on-append follows a leader of an older term; the unmutated node keeps its term', () => {
    for (const [mutation, term] of [[undefined, 5], ['ignore-term-on-append', 3]] as const) {
      const r = raftWith(mutation);
      r.becomeFollower(5, 0);
      r.step(message({ type: MessageType.App, from: 2, to: 1, term: 3 }));
      expect(r.term, String(mutation)).toBe(term);
      expect(r.lead).toBe(mutation === undefined ? 0 : 2);
    }
  });

  it('commit-without-quorum counts one voter fewer than a quorum', () => {
    expect(commitIndexOneShortOfQuorum([9, 4, 2, 1, 0], 3)).toBe(4);
    expect(commitIndexOneShortOfQuorum([7], 1)).toBe(7);
    expect(commitIndexOneShortOfQuorum([], 1)).toBe(0);
  });
});
