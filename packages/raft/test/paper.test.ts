// The Raft paper's rules (Ongaro & Ousterhout 2014, §5), as in etcd raft's raft_paper_test.go.
import { describe, expect, it } from 'vitest';
import { MemoryStorage, MessageType, message } from '../src/index.ts';
import type { Entry, Message, NodeId } from '../src/index.ts';
import type { Raft } from '../src/raft.ts';
import { ent, newTestRaft, propose, readMessages, storageWith } from './helpers.ts';

function logEntries(r: Raft): Entry[] {
  const l = r.log;
  return l.slice(l.firstIndex(), l.lastIndex() + 1, Infinity).map((e) => ({ ...e, data: e.data }));
}

function summary(ms: Message[]): string[] {
  return ms.map((m) => `${m.type} ${m.from}->${m.to} t${m.term} i${m.index} lt${m.logTerm} c${m.commit} n${m.entries.length}${m.reject ? ' R' : ''}`).sort();
}

/** Delivers messages among rafts until quiet (a tiny network without persistence). */
function deliverAll(rafts: Map<NodeId, Raft>, start: Message[]): void {
  let q = start;
  for (let i = 0; i < 10000 && q.length > 0; i++) {
    const m = q.shift() as Message;
    const r = rafts.get(m.to);
    if (!r) continue;
    r.step(m);
    q = q.concat(readMessages(r));
  }
}

function commitNoopEntry(r: Raft, s: MemoryStorage): void {
  // Leader's empty entry: acknowledge from all followers, then stabilise the log.
  r.bcastAppend();
  for (const m of readMessages(r)) {
    r.step(message({ type: MessageType.AppResp, from: m.to, to: 1, term: r.term, index: m.index + m.entries.length }));
  }
  readMessages(r);
  s.append(r.log.unstableEntries());
  r.log.appliedTo(r.log.committed);
  const last = r.log.lastIndex();
  r.log.unstable.stableTo(last, r.log.term(last) as number);
}

describe('raft paper §5.1/5.2', () => {
  it('TestFollowerUpdateTermFromMessage (and candidate, leader)', () => {
    for (const role of ['follower', 'candidate', 'leader'] as const) {
      const r = newTestRaft(1, [1, 2, 3]);
      if (role === 'follower') r.becomeFollower(1, 2);
      else { r.becomeCandidate(); if (role === 'leader') r.becomeLeader(); }
      r.step(message({ type: MessageType.App, from: 2, to: 1, term: 2 }));
      expect(r.term).toBe(2);
      expect(r.state).toBe('follower');
    }
  });

  it('rejects stale-term messages', () => {
    const r = newTestRaft(1, [1, 2, 3]);
    r.becomeFollower(2, 2);
    r.step(message({ type: MessageType.App, from: 3, to: 1, term: 1, entries: [ent(1, 1)] }));
    expect(r.log.lastIndex()).toBe(0);
    expect(r.term).toBe(2);
  });

  it('TestLeaderBcastBeat', () => {
    const r = newTestRaft(1, [1, 2, 3], 10, 1);
    r.becomeCandidate();
    r.becomeLeader();
    for (let i = 0; i < 10; i++) propose(r, String(i));
    readMessages(r);
    r.tick();
    expect(summary(readMessages(r))).toEqual(['heartbeat 1->2 t1 i0 lt0 c0 n0', 'heartbeat 1->3 t1 i0 lt0 c0 n0']);
  });

  it('TestFollowerStartElection (and candidate)', () => {
    for (const role of ['follower', 'candidate'] as const) {
      const r = newTestRaft(1, [1, 2, 3]);
      if (role === 'follower') r.becomeFollower(1, 2);
      else r.becomeCandidate();
      for (let i = 1; i < 2 * r.electionTimeout; i++) r.tick();
      expect(r.term).toBe(2);
      expect(r.state).toBe('candidate');
      expect(r.vote).toBe(1);
      expect(summary(readMessages(r))).toEqual(['vote 1->2 t2 i0 lt0 c0 n0', 'vote 1->3 t2 i0 lt0 c0 n0']);
    }
  });

  it('TestLeaderElectionInOneRoundRPC', () => {
    const cases: [number, Record<number, boolean>, string][] = [
      [1, {}, 'leader'], [3, { 2: true, 3: true }, 'leader'], [3, { 2: true }, 'leader'],
      [5, { 2: true, 3: true, 4: true, 5: true }, 'leader'], [5, { 2: true, 3: true, 4: true }, 'leader'],
      [5, { 2: true, 3: true }, 'leader'], [3, { 2: false, 3: false }, 'follower'],
      [5, { 2: false, 3: false, 4: false, 5: false }, 'follower'], [5, { 2: true, 3: false, 4: false, 5: false }, 'follower'],
      [3, {}, 'candidate'], [5, { 2: true }, 'candidate'], [5, { 2: false, 3: false }, 'candidate'], [5, {}, 'candidate'],
    ];
    for (const [size, votes, want] of cases) {
      const r = newTestRaft(1, Array.from({ length: size }, (_, i) => i + 1));
      r.step(message({ type: MessageType.Hup, from: 1, to: 1 }));
      for (const [id, granted] of Object.entries(votes)) {
        r.step(message({ type: MessageType.VoteResp, from: Number(id), to: 1, term: r.term, reject: !granted }));
      }
      expect(r.state, `size ${size} votes ${JSON.stringify(votes)}`).toBe(want);
      expect(r.term).toBe(1);
    }
  });

  it('TestFollowerVote', () => {
    const cases: [NodeId, NodeId, boolean][] = [[0, 1, false], [0, 2, false], [1, 1, false], [2, 2, false], [1, 2, true], [2, 1, true]];
    for (const [vote, nvote, wreject] of cases) {
      const r = newTestRaft(1, [1, 2, 3]);
      r.term = 1;
      r.vote = vote;
      r.step(message({ type: MessageType.Vote, from: nvote, to: 1, term: 1 }));
      const msgs = readMessages(r);
      expect(msgs).toHaveLength(1);
      expect(msgs[0]).toMatchObject({ type: MessageType.VoteResp, to: nvote, term: 1, reject: wreject });
    }
  });

  it('TestCandidateFallback', () => {
    for (const term of [1, 2]) {
      const r = newTestRaft(1, [1, 2, 3]);
      r.step(message({ type: MessageType.Hup, from: 1, to: 1 }));
      expect(r.state).toBe('candidate');
      r.step(message({ type: MessageType.App, from: 2, to: 1, term }));
      expect(r.state).toBe('follower');
      expect(r.term).toBe(term);
    }
  });

  it('TestFollowerElectionTimeoutRandomized (and candidate)', () => {
    for (const role of ['follower', 'candidate'] as const) {
      const et = 10;
      const r = newTestRaft(1, [1, 2, 3], et, 1);
      const timeouts = new Set<number>();
      for (let round = 0; round < 50 * et; round++) {
        if (role === 'follower') r.becomeFollower(r.term + 1, 2);
        else r.becomeCandidate();
        let time = 0;
        while (readMessages(r).length === 0) { r.tick(); time++; }
        timeouts.add(time);
      }
      for (let d = et; d < 2 * et; d++) expect(timeouts.has(d), `timeout ${d}`).toBe(true);
      expect([...timeouts].every((t) => t >= et && t < 2 * et)).toBe(true);
    }
  });
});

describe('raft paper §5.3/5.4', () => {
  it('TestLeaderStartReplication', () => {
    const s = new MemoryStorage({ voters: [1, 2, 3], learners: [] });
    const r = newTestRaft(1, [1, 2, 3], 10, 1, s);
    r.becomeCandidate();
    r.becomeLeader();
    commitNoopEntry(r, s);
    const li = r.log.lastIndex();
    propose(r, 'some data');
    expect(r.log.lastIndex()).toBe(li + 1);
    expect(r.log.committed).toBe(li);
    const msgs = readMessages(r);
    expect(summary(msgs)).toEqual([`app 1->2 t1 i${li} lt1 c${li} n1`, `app 1->3 t1 i${li} lt1 c${li} n1`]);
    expect(new TextDecoder().decode(msgs[0].entries[0].data)).toBe('some data');
    expect(r.log.unstableEntries().map((e) => e.index)).toEqual([li + 1]);
  });

  it('TestLeaderCommitEntry', () => {
    const s = new MemoryStorage({ voters: [1, 2, 3], learners: [] });
    const r = newTestRaft(1, [1, 2, 3], 10, 1, s);
    r.becomeCandidate();
    r.becomeLeader();
    commitNoopEntry(r, s);
    const li = r.log.lastIndex();
    propose(r, 'some data');
    for (const m of readMessages(r)) {
      r.step(message({ type: MessageType.AppResp, from: m.to, to: 1, term: r.term, index: m.index + m.entries.length }));
    }
    expect(r.log.committed).toBe(li + 1);
    expect(r.log.nextCommittedEntries(Infinity).map((e) => e.index)).toEqual([li + 1]);
    const msgs = readMessages(r).sort((a, b) => a.to - b.to);
    expect(msgs.map((m) => [m.to, m.type, m.commit])).toEqual([[2, 'app', li + 1], [3, 'app', li + 1]]);
  });

  it('TestLeaderAcknowledgeCommit', () => {
    const cases: [number, NodeId[], boolean][] = [
      [1, [], true], [3, [], false], [3, [2], true], [3, [2, 3], true],
      [5, [], false], [5, [2], false], [5, [2, 3], true], [5, [2, 3, 4], true], [5, [2, 3, 4, 5], true],
    ];
    for (const [size, acceptors, wack] of cases) {
      const peers = Array.from({ length: size }, (_, i) => i + 1);
      const s = new MemoryStorage({ voters: peers, learners: [] });
      const r = newTestRaft(1, peers, 10, 1, s);
      r.becomeCandidate();
      r.becomeLeader();
      commitNoopEntry(r, s);
      const li = r.log.lastIndex();
      propose(r, 'some data');
      for (const m of readMessages(r)) {
        if (acceptors.includes(m.to)) {
          r.step(message({ type: MessageType.AppResp, from: m.to, to: 1, term: r.term, index: m.index + m.entries.length }));
        }
      }
      expect(r.log.committed > li, `size ${size} acceptors ${acceptors}`).toBe(wack);
    }
  });

  it('TestLeaderCommitPrecedingEntries', () => {
    for (const prior of [[], [ent(1, 2)], [ent(1, 1), ent(2, 2)], [ent(1, 1)]]) {
      const s = storageWith([1, 2, 3], prior);
      const r = newTestRaft(1, [1, 2, 3], 10, 1, s);
      r.term = 2;
      r.becomeCandidate();
      r.becomeLeader();
      propose(r, 'some data');
      for (const m of readMessages(r)) {
        r.step(message({ type: MessageType.AppResp, from: m.to, to: 1, term: r.term, index: m.index + m.entries.length }));
      }
      const li = prior.length;
      expect(r.log.nextCommittedEntries(Infinity).map((e) => [e.index, e.term])).toEqual([
        ...prior.map((e) => [e.index, e.term]), [li + 1, 3], [li + 2, 3],
      ]);
    }
  });

  it('TestFollowerCommitEntry', () => {
    const cases: [Entry[], number][] = [
      [[ent(1, 1, 'a')], 1], [[ent(1, 1, 'a'), ent(2, 1, 'b')], 2],
      [[ent(1, 1, 'a'), ent(2, 1, 'b')], 1], [[ent(1, 1, 'a'), ent(2, 1, 'b')], 2],
    ];
    for (const [ents, commit] of cases) {
      const r = newTestRaft(1, [1, 2, 3]);
      r.becomeFollower(1, 2);
      r.step(message({ type: MessageType.App, from: 2, to: 1, term: 1, entries: ents, commit }));
      expect(r.log.committed).toBe(commit);
      expect(r.log.nextCommittedEntries(Infinity).map((e) => e.index)).toEqual(ents.slice(0, commit).map((e) => e.index));
    }
  });

  it('TestFollowerCheckMsgApp', () => {
    const ents = [ent(1, 1), ent(2, 2)];
    const cases: [number, number, number, boolean, number, number][] = [
      [0, 0, 1, false, 0, 0], [1, 1, 1, false, 0, 0], [2, 2, 2, false, 0, 0],
      [1, 2, 2, true, 1, 1], [3, 3, 3, true, 2, 2],
    ];
    for (const [term, index, windex, wreject, whint, wlogterm] of cases) {
      const s = storageWith([1, 2, 3], ents);
      s.setHardState({ term: 0, vote: 0, commit: 1 });
      const r = newTestRaft(1, [1, 2, 3], 10, 1, s);
      r.becomeFollower(2, 2);
      r.step(message({ type: MessageType.App, from: 2, to: 1, term: 2, logTerm: term, index }));
      const msgs = readMessages(r);
      expect(msgs).toHaveLength(1);
      expect(msgs[0]).toMatchObject({ type: MessageType.AppResp, term: 2, index: windex, reject: wreject, rejectHint: whint, logTerm: wlogterm });
    }
  });

  it('TestFollowerAppendEntries', () => {
    const cases: [number, number, Entry[], [number, number][], [number, number][]][] = [
      [2, 2, [ent(3, 3)], [[1, 1], [2, 2], [3, 3]], [[3, 3]]],
      [1, 1, [ent(2, 3), ent(3, 4)], [[1, 1], [2, 3], [3, 4]], [[2, 3], [3, 4]]],
      [0, 0, [ent(1, 1)], [[1, 1], [2, 2]], []],
      [0, 0, [ent(1, 3)], [[1, 3]], [[1, 3]]],
    ];
    for (const [index, term, ents, wents, wunstable] of cases) {
      const s = storageWith([1, 2, 3], [ent(1, 1), ent(2, 2)]);
      const r = newTestRaft(1, [1, 2, 3], 10, 1, s);
      r.becomeFollower(2, 2);
      r.step(message({ type: MessageType.App, from: 2, to: 1, term: 2, logTerm: term, index, entries: ents }));
      expect(logEntries(r).map((e) => [e.index, e.term])).toEqual(wents);
      expect(r.log.unstableEntries().map((e) => [e.index, e.term])).toEqual(wunstable);
    }
  });

  it('TestLeaderSyncFollowerLog', () => {
    const t = (terms: number[]): Entry[] => terms.map((tm, i) => ent(i + 1, tm));
    const leaderLog = t([1, 1, 1, 4, 4, 5, 5, 6, 6, 6]);
    const followers = [
      t([1, 1, 1, 4, 4, 5, 5, 6, 6]), t([1, 1, 1, 4]), t([1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 6]),
      t([1, 1, 1, 4, 4, 5, 5, 6, 6, 6, 7, 7]), t([1, 1, 1, 4, 4, 4, 4]), t([1, 1, 1, 2, 2, 2, 3, 3, 3, 3, 3]),
    ];
    for (const fl of followers) {
      const ls = storageWith([1, 2, 3], leaderLog);
      ls.setHardState({ term: 8, vote: 0, commit: leaderLog.length });
      const lead = newTestRaft(1, [1, 2, 3], 10, 1, ls);
      const fs = storageWith([1, 2, 3], fl);
      fs.setHardState({ term: 7, vote: 0, commit: 0 });
      const follower = newTestRaft(2, [1, 2, 3], 10, 1, fs);
      const rafts = new Map<NodeId, Raft>([[1, lead], [2, follower]]);
      // Node 3 grants the vote so that 1 becomes leader without disturbing 2's log.
      lead.step(message({ type: MessageType.Hup, from: 1, to: 1 }));
      readMessages(lead);
      lead.step(message({ type: MessageType.VoteResp, from: 3, to: 1, term: lead.term }));
      expect(lead.state).toBe('leader');
      deliverAll(rafts, readMessages(lead));
      expect(logEntries(follower).map((e) => [e.index, e.term])).toEqual(logEntries(lead).map((e) => [e.index, e.term]));
    }
  });

  it('TestVoteRequest', () => {
    const cases: [Entry[], number][] = [[[ent(1, 1)], 2], [[ent(1, 1), ent(2, 2)], 3]];
    for (const [ents, wterm] of cases) {
      const r = newTestRaft(1, [1, 2, 3]);
      r.step(message({ type: MessageType.App, from: 2, to: 1, term: wterm - 1, logTerm: 0, index: 0, entries: ents }));
      readMessages(r);
      for (let i = 1; i < r.electionTimeout * 2; i++) r.tick();
      const msgs = readMessages(r).sort((a, b) => a.to - b.to);
      expect(msgs.map((m) => [m.type, m.to, m.term, m.index, m.logTerm])).toEqual([
        ['vote', 2, wterm, ents.length, ents[ents.length - 1].term], ['vote', 3, wterm, ents.length, ents[ents.length - 1].term],
      ]);
    }
  });

  it('TestVoter', () => {
    const cases: [Entry[], number, number, boolean][] = [
      [[ent(1, 1)], 1, 1, false], [[ent(1, 1)], 1, 2, false], [[ent(1, 1), ent(2, 1)], 1, 1, true],
      [[ent(1, 1)], 2, 1, false], [[ent(1, 1)], 2, 2, false], [[ent(1, 1), ent(2, 1)], 2, 1, false],
      [[ent(1, 2)], 1, 1, true], [[ent(1, 2)], 1, 2, true], [[ent(1, 2), ent(2, 1)], 1, 1, true],
    ];
    for (const [ents, logterm, index, wreject] of cases) {
      const r = newTestRaft(1, [1, 2], 10, 1, storageWith([1, 2], ents));
      r.step(message({ type: MessageType.Vote, from: 2, to: 1, term: 3, logTerm: logterm, index }));
      const msgs = readMessages(r);
      expect(msgs).toHaveLength(1);
      expect(msgs[0]).toMatchObject({ type: MessageType.VoteResp, reject: wreject });
    }
  });

  it('TestLeaderOnlyCommitsLogFromCurrentTerm', () => {
    const ents = [ent(1, 1), ent(2, 2)];
    const cases: [number, number][] = [[1, 0], [2, 0], [3, 3]];
    for (const [index, wcommit] of cases) {
      const s = storageWith([1, 2], ents);
      s.setHardState({ term: 2, vote: 0, commit: 0 });
      const r = newTestRaft(1, [1, 2], 10, 1, s);
      r.becomeCandidate();
      r.becomeLeader();
      readMessages(r);
      propose(r); // entry 4 of term 3
      r.step(message({ type: MessageType.AppResp, from: 2, to: 1, term: r.term, index }));
      expect(r.log.committed, `ack ${index}`).toBe(wcommit);
    }
  });
});
