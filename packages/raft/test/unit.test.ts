// Unit tests of the log, storage, progress, codecs and API validation.
import { describe, expect, it } from 'vitest';
import { ShoalError } from '@shoal/actors';
import { MemoryStorage, MessageType, NONE, RaftError, RaftNode, decodeConfChange, encodeConfChange, message } from '../src/index.ts';
import type { Message } from '../src/index.ts';
import { RaftLog } from '../src/log.ts';
import { Inflights, Progress } from '../src/progress.ts';
import { ent, newTestRaft, propose, readMessages, storageWith } from './helpers.ts';
import { Network } from './helpers.ts';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('MemoryStorage', () => {
  it('compacts, snapshots and reports compacted/unavailable ranges', () => {
    const s = storageWith([1], [ent(1, 1, 'a'), ent(2, 1, 'b'), ent(3, 2, 'c'), ent(4, 2, 'd')]);
    expect([s.firstIndex(), s.lastIndex()]).toEqual([1, 4]);
    s.createSnapshot(2, { voters: [1], learners: [] }, enc('snap'));
    s.compact(2);
    expect([s.firstIndex(), s.lastIndex(), s.term(2)]).toEqual([3, 4, 1]);
    expect(() => s.term(1)).toThrow(expect.objectContaining({ kind: 'compacted' }));
    expect(() => s.entries(2, 4, Infinity)).toThrow(expect.objectContaining({ kind: 'compacted' }));
    expect(() => s.entries(3, 6, Infinity)).toThrow(expect.objectContaining({ kind: 'unavailable' }));
    expect(s.entries(3, 5, 1).map((e) => e.index)).toEqual([3]); // size limit, but at least one entry
    expect(() => s.createSnapshot(2, { voters: [1], learners: [] }, enc('x'))).toThrow(expect.objectContaining({ kind: 'snapshotOutOfDate' }));
    s.append([ent(4, 3, 'e'), ent(5, 3, 'f')]); // overwrites the conflicting suffix
    expect(s.entries(3, 6, Infinity).map((e) => [e.index, e.term])).toEqual([[3, 2], [4, 3], [5, 3]]);
  });

  it('rejects invalid node ids', () => {
    expect(() => new MemoryStorage({ voters: [0], learners: [] })).toThrow(ShoalError);
    expect(() => new MemoryStorage({ voters: [1.5], learners: [] })).toThrow(/positive safe integer/);
  });
});

describe('RaftLog', () => {
  it('findConflictByTerm skips a whole term of conflicting entries', () => {
    const l = new RaftLog(storageWith([1], [ent(1, 1), ent(2, 1), ent(3, 2), ent(4, 2), ent(5, 4), ent(6, 4)]));
    expect(l.findConflictByTerm(6, 3)).toEqual([4, 2]);
    expect(l.findConflictByTerm(6, 4)).toEqual([6, 4]);
    expect(l.findConflictByTerm(4, 1)).toEqual([2, 1]);
    expect(l.findConflictByTerm(2, 0)).toEqual([0, 0]);
  });

  it('maybeAppend truncates a conflicting suffix but never a committed entry', () => {
    const l = new RaftLog(storageWith([1], [ent(1, 1), ent(2, 2), ent(3, 2)]));
    expect(l.maybeAppend(1, 1, 2, [ent(2, 3), ent(3, 3)])).toBe(3);
    expect(l.committed).toBe(2);
    expect(l.term(3)).toBe(3);
    expect(l.maybeAppend(3, 9, 3, [])).toBeUndefined();
    expect(() => l.maybeAppend(1, 1, 2, [ent(2, 4)])).toThrow(RaftError);
  });
});

describe('Progress', () => {
  it('inflights enforce count and byte limits and free acknowledged messages', () => {
    const f = new Inflights(3, 10);
    f.add(1, 4);
    f.add(2, 4);
    expect(f.full()).toBe(false);
    f.add(3, 4);
    expect(f.full()).toBe(true);
    f.freeLE(2);
    expect([f.count(), f.full()]).toEqual([1, false]);
  });

  it('probe → replicate, and stale rejections are ignored', () => {
    const p = new Progress(6, false, 4, Infinity);
    expect(p.maybeDecrTo(5, 2)).toBe(true); // next-1 = 5 rejected, hint 2
    expect(p.next).toBe(3);
    expect(p.maybeDecrTo(5, 2)).toBe(false); // stale
    p.maybeUpdate(3);
    p.becomeReplicate();
    expect([p.state, p.match, p.next]).toEqual(['replicate', 3, 4]);
    expect(p.maybeDecrTo(2, 0)).toBe(false); // below match
  });

  it('a rejected append makes the leader jump back by term, not one entry at a time', () => {
    const lead = newTestRaft(1, [1, 2], 10, 1, storageWith([1, 2], [ent(1, 1), ent(2, 1), ent(3, 3), ent(4, 3), ent(5, 3)]));
    lead.term = 3;
    lead.becomeCandidate();
    lead.becomeLeader();
    readMessages(lead);
    // Follower has [1:1 2:1 3:2 4:2 5:2 6:2 7:2]: it rejects prev (6, term 4) with hint (6→ its last ≤ term 4 = index 6, term 2).
    lead.tracker.progress.get(2)!.next = 7;
    lead.step(message({ type: MessageType.AppResp, from: 2, to: 1, term: lead.term, index: 6, reject: true, rejectHint: 6, logTerm: 2 }));
    const [m] = readMessages(lead);
    expect(m.type).toBe('app');
    expect(m.index).toBe(2); // leader's last index with term ≤ 2 is 2: one round trip skips entries 3..5
  });
});

describe('conf change codec', () => {
  it('round-trips and rejects bad input', () => {
    for (const cc of [{ type: 'addNode', nodeId: 7 }, { type: 'addLearner', nodeId: 2 ** 40 }, { type: 'removeNode', nodeId: 1 }] as const) {
      expect(decodeConfChange(encodeConfChange(cc))).toEqual(cc);
    }
    expect(() => decodeConfChange(new Uint8Array(3))).toThrow(/9 bytes/);
    expect(() => encodeConfChange({ type: 'addNode', nodeId: -1 })).toThrow(ShoalError);
  });
});

describe('configuration and API validation', () => {
  it('rejects bad configurations', () => {
    const storage = new MemoryStorage({ voters: [1], learners: [] });
    const base = { id: 1, storage, electionTick: 10, heartbeatTick: 1, rand: () => 0 };
    expect(() => new RaftNode({ ...base, id: 0 })).toThrow(/id must be a positive/);
    expect(() => new RaftNode({ ...base, electionTick: 1 })).toThrow(/electionTick/);
    expect(() => new RaftNode({ ...base, heartbeatTick: 0 })).toThrow(/heartbeatTick/);
    expect(() => new RaftNode({ ...base, maxInflightMsgs: 0 })).toThrow(/maxInflightMsgs/);
  });

  it('refuses local message types from peers, misaddressed messages and empty read contexts', () => {
    const n = new RaftNode({ id: 1, storage: new MemoryStorage({ voters: [1, 2], learners: [] }), electionTick: 10, heartbeatTick: 1, rand: () => 0 });
    expect(() => n.step(message({ type: MessageType.Hup, from: 2, to: 1 }))).toThrow(/local message/);
    expect(() => n.step(message({ type: MessageType.App, from: 2, to: 3, term: 1 }))).toThrow(/delivered to node 1/);
    expect(() => n.readIndex(new Uint8Array())).toThrow(/non-empty/);
    expect(() => n.step(message({ type: 'bogus' as never, from: 2, to: 1 }))).toThrow(/unknown message type/);
    expect(() => n.step(message({ type: MessageType.App, from: 0, to: 1 }))).toThrow(/from must be a positive/);
    expect(() => n.step(message({ type: MessageType.App, from: 2, to: 1, term: -1 }))).toThrow(/term must be/);
  });

  it('a single-node group elects itself and commits at once', () => {
    const net = new Network([1]);
    net.tick(25);
    expect(net.leaders()).toEqual([1]);
    net.node(1).propose(enc('solo'));
    net.node(1).readIndex(enc('r'));
    net.settle();
    expect(net.appliedData(1)).toEqual(['solo']);
    expect(net.reads.get(1)?.map((r) => r.context)).toEqual(['r']);
  });

  it('leader transfer can be requested on a follower', () => {
    const net = new Network([1, 2, 3]);
    net.elect(1);
    net.node(2).transferLeader(2);
    net.settle();
    expect(net.leaders()).toEqual([2]);
  });

  it('hard state changes come out of ready() and mustSync is set for term/vote/entries', () => {
    const n = new RaftNode({ id: 1, storage: new MemoryStorage({ voters: [1, 2], learners: [] }), electionTick: 10, heartbeatTick: 1, rand: () => 0 });
    n.campaign();
    const rd = n.ready();
    expect(rd.hardState).toEqual({ term: 1, vote: 1, commit: 0 });
    expect(rd.softState).toEqual({ lead: 0, state: 'candidate' });
    expect(rd.mustSync).toBe(true);
    expect(rd.messages.map((m) => m.type)).toEqual(['vote']);
    n.advance(rd);
    expect(n.hasReady()).toBe(false);
  });
});

describe('commit-only appends', () => {
  /** A leader of {1,2,3} at term 1 whose followers both matched its empty entry (replicate state). */
  function replicatingLeader() {
    const r = newTestRaft(1, [1, 2, 3]);
    r.becomeCandidate();
    r.becomeLeader();
    readMessages(r);
    for (const from of [2, 3]) r.step(message({ type: MessageType.AppResp, from, to: 1, term: 1, index: 1 }));
    readMessages(r);
    return r;
  }
  const commitOnly = (ms: readonly { type: string; entries: readonly unknown[] }[]) =>
    ms.filter((m) => m.type === MessageType.App && m.entries.length === 0).length;

  it('a pipelined burst costs one commit-only append per follower, sent when its pipeline drains', () => {
    const r = replicatingLeader();
    for (let i = 0; i < 5; i++) propose(r, `v${i}`);
    expect(readMessages(r).filter((m) => m.type === MessageType.App && m.entries.length === 1)).toHaveLength(10);
    const sent: Message[] = [];
    for (let index = 2; index <= 6; index++) {
      for (const from of [2, 3]) {
        r.step(message({ type: MessageType.AppResp, from, to: 1, term: 1, index }));
        sent.push(...readMessages(r));
      }
    }
    expect(r.log.committed).toBe(6);
    expect(commitOnly(sent)).toBe(2); // etcd's bcastAppend per commit advance sends 10
    for (const to of [2, 3]) {
      const last = sent.filter((m) => m.to === to).at(-1)!;
      expect(last.commit).toBe(6);
    }
  });

  it('a follower with nothing in flight hears of a new commit at once', () => {
    const r = replicatingLeader();
    propose(r, 'x');
    readMessages(r);
    r.step(message({ type: MessageType.AppResp, from: 2, to: 1, term: 1, index: 2 }));
    const sent = readMessages(r);
    expect(r.log.committed).toBe(2);
    expect(sent.map((m) => [m.to, m.commit, m.entries.length])).toEqual([[2, 2, 0]]);
    // Follower 3 still has index 2 in flight: it learns the commit when it answers.
    r.step(message({ type: MessageType.AppResp, from: 3, to: 1, term: 1, index: 2 }));
    expect(readMessages(r).map((m) => [m.to, m.commit, m.entries.length])).toEqual([[3, 2, 0]]);
  });
});

describe('election timer on vote requests (Raft paper Figure 2)', () => {
  it('a follower keeps its election timer when it refuses a higher-term vote, and restarts it when it grants one', () => {
    const r = newTestRaft(1, [1, 2, 3], 10, 1, storageWith([1, 2, 3], [ent(1, 1), ent(2, 1)]));
    r.becomeFollower(1, NONE);
    for (let i = 0; i < 5; i++) r.tick();
    r.step(message({ type: MessageType.Vote, from: 2, to: 1, term: 2, index: 1, logTerm: 1 })); // behind: refused
    expect(readMessages(r).map((m) => [m.type, m.reject])).toEqual([[MessageType.VoteResp, true]]);
    expect(r.term).toBe(2);
    expect(r.electionElapsed).toBe(5);
    r.step(message({ type: MessageType.Vote, from: 3, to: 1, term: 3, index: 2, logTerm: 1 })); // up to date: granted
    expect(readMessages(r).map((m) => [m.type, m.reject])).toEqual([[MessageType.VoteResp, false]]);
    expect(r.electionElapsed).toBe(0);
  });
});
