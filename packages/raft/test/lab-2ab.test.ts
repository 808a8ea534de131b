// MIT 6.824 (2020–2023) lab 2A–2B Raft tests (raft/test_test.go), same names and checks, run on
// the deterministic LabCluster of lab-harness.ts. Wall-clock sleeps become ticks (1 tick = 100 ms,
// RaftElectionTimeout = 10 ticks). etcd raft appends an empty entry when a leader takes office, so
// the first command lands at index 2, not 1: index checks are shifted by that entry. Servers run
// with pre-vote and check-quorum (the deployed configuration); see the note at the end of
// lab-2cd.test.ts for why plain Raft is not used. Every test uses fixed seeds and is deterministic.
import { describe, expect, it } from 'vitest';
import { ELECTION_TIMEOUT as ET, LabCluster } from './lab-harness.ts';
import { finish, labRandom } from './lab-util.ts';

const { rand, rcmd, randstring } = labRandom(6824);

describe('6.824 lab 2A: leader election', () => {
  it('TestInitialElection2A', () => {
    const cfg = new LabCluster(3, { seed: 1 });
    cfg.checkOneLeader();
    cfg.tick(1);
    const term1 = cfg.checkTerms();
    expect(term1).toBeGreaterThanOrEqual(1);
    // does the leader+term stay the same if there is no network failure?
    cfg.tick(2 * ET);
    expect(cfg.checkTerms()).toBe(term1); // the original only warns here; with no failures etcd raft never re-elects
    cfg.checkOneLeader();
    finish(cfg);
  });

  it('TestReElection2A', () => {
    const servers = 3;
    const cfg = new LabCluster(servers, { seed: 2 });
    const leader1 = cfg.checkOneLeader();
    cfg.disconnect(leader1);
    cfg.checkOneLeader(); // a new leader is elected
    cfg.connect(leader1);
    const leader2 = cfg.checkOneLeader(); // the old leader rejoining does not disturb a leader
    cfg.disconnect(leader2);
    cfg.disconnect((leader2 + 1) % servers);
    cfg.tick(2 * ET);
    cfg.checkNoLeader(); // no quorum, no leader
    cfg.connect((leader2 + 1) % servers);
    cfg.checkOneLeader(); // quorum again
    cfg.connect(leader2);
    cfg.checkOneLeader();
    finish(cfg);
  });

  it('TestManyElections2A', () => {
    const servers = 7;
    const cfg = new LabCluster(servers, { seed: 3 });
    cfg.checkOneLeader();
    for (let ii = 1; ii < 10; ii++) {
      const i1 = rand(servers);
      const i2 = rand(servers);
      const i3 = rand(servers);
      cfg.disconnect(i1);
      cfg.disconnect(i2);
      cfg.disconnect(i3);
      cfg.checkOneLeader(); // at least 4 of 7 are connected: a leader must emerge
      cfg.connect(i1);
      cfg.connect(i2);
      cfg.connect(i3);
    }
    cfg.checkOneLeader();
    finish(cfg);
  });
});

describe('6.824 lab 2B: log replication', () => {
  it('TestBasicAgree2B', () => {
    const servers = 3;
    const cfg = new LabCluster(servers, { seed: 4 });
    for (let index = 1; index < 4; index++) {
      expect(cfg.nCommitted(index + 1).count).toBe(0); // nothing committed before Start()
      const xindex = cfg.one(String(index * 100), servers, false);
      expect(xindex).toBe(index + 1); // +1: the leader's empty entry at index 1
    }
    finish(cfg);
  });

  it('TestRPCBytes2B', () => {
    const servers = 3;
    const cfg = new LabCluster(servers, { seed: 5 });
    cfg.one('99', servers, false);
    const bytes0 = cfg.bytesTotal();
    const iters = 10;
    let sent = 0;
    for (let index = 2; index < iters + 2; index++) {
      const cmd = randstring(5000);
      expect(cfg.one(cmd, servers, false)).toBe(index + 1);
      sent += cmd.length;
    }
    const got = cfg.bytesTotal() - bytes0;
    const expected = servers * sent;
    expect(got).toBeLessThanOrEqual(expected + 50_000); // each command is sent to each peer just once
    finish(cfg);
  });

  it('TestFollowerFailure2B', () => {
    const servers = 3;
    const cfg = new LabCluster(servers, { seed: 6 });
    cfg.one('101', servers, false);
    const leader1 = cfg.checkOneLeader();
    cfg.disconnect((leader1 + 1) % servers);
    // the leader and remaining follower should be able to agree despite the disconnected follower
    cfg.one('102', servers - 1, false);
    cfg.tick(ET);
    cfg.one('103', servers - 1, false);
    // disconnect the remaining follower
    const leader2 = cfg.checkOneLeader();
    cfg.disconnect((leader2 + 1) % servers);
    cfg.disconnect((leader2 + 2) % servers);
    const r = cfg.start(leader2, '104');
    expect(r.isLeader).toBe(true);
    expect(r.index).toBe(5); // 4 in the original, +1 for the empty leader entry
    cfg.tick(2 * ET);
    expect(cfg.nCommitted(r.index).count).toBe(0); // no majority, no commit
    finish(cfg);
  });

  it('TestLeaderFailure2B', () => {
    const servers = 3;
    const cfg = new LabCluster(servers, { seed: 7 });
    cfg.one('101', servers, false);
    const leader1 = cfg.checkOneLeader();
    cfg.disconnect(leader1);
    // the remaining followers should elect a new leader
    cfg.one('102', servers - 1, false);
    cfg.tick(ET);
    cfg.one('103', servers - 1, false);
    const leader2 = cfg.checkOneLeader();
    cfg.disconnect(leader2);
    // submit a command to each server
    const indexes: number[] = [];
    for (let i = 0; i < servers; i++) {
      const r = cfg.start(i, '104');
      if (r.isLeader) indexes.push(r.index);
    }
    cfg.tick(2 * ET);
    for (const index of indexes) expect(cfg.nCommitted(index).cmd).not.toBe('104'); // no quorum anywhere
    expect(cfg.nCommitted(cfg.maxIndex + 1).count).toBe(0);
    finish(cfg);
  });

  it('TestFailAgree2B', () => {
    const servers = 3;
    const cfg = new LabCluster(servers, { seed: 8 });
    cfg.one('101', servers, false);
    // disconnect one follower from the network
    const leader = cfg.checkOneLeader();
    cfg.disconnect((leader + 1) % servers);
    // the leader and remaining follower should be able to agree despite the disconnected follower
    cfg.one('102', servers - 1, false);
    cfg.one('103', servers - 1, false);
    cfg.tick(ET);
    cfg.one('104', servers - 1, false);
    cfg.one('105', servers - 1, false);
    // re-connect: it catches up (and may force a new election)
    cfg.connect((leader + 1) % servers);
    cfg.one('106', servers, true);
    cfg.tick(ET);
    cfg.one('107', servers, true);
    finish(cfg);
  });

  it('TestFailNoAgree2B', () => {
    const servers = 5;
    const cfg = new LabCluster(servers, { seed: 9 });
    const first = cfg.one('10', servers, false);
    // 3 of 5 followers disconnect
    const leader = cfg.checkOneLeader();
    cfg.disconnect((leader + 1) % servers);
    cfg.disconnect((leader + 2) % servers);
    cfg.disconnect((leader + 3) % servers);
    const r = cfg.start(leader, '20');
    expect(r.isLeader).toBe(true);
    expect(r.index).toBe(first + 1);
    cfg.tick(2 * ET);
    expect(cfg.nCommitted(r.index).count).toBe(0); // committed without a majority?
    // repair
    cfg.connect((leader + 1) % servers);
    cfg.connect((leader + 2) % servers);
    cfg.connect((leader + 3) % servers);
    // the disconnected majority may have chosen a leader from among their own ranks, forgetting index 2
    const leader2 = cfg.checkOneLeader();
    const r2 = cfg.start(leader2, '30');
    expect(r2.isLeader).toBe(true);
    // original: index2 in [2, 3]; here the new leader's empty entry may sit before it
    expect(r2.index).toBeGreaterThanOrEqual(first + 1);
    expect(r2.index).toBeLessThanOrEqual(first + 3);
    cfg.one('1000', servers, true);
    finish(cfg);
  });

  it('TestConcurrentStarts2B', () => {
    const servers = 3;
    const cfg = new LabCluster(servers, { seed: 10 });
    let success = false;
    for (let attempt = 0; attempt < 5 && !success; attempt++) {
      if (attempt > 0) cfg.tick(30); // give solution some time to settle
      const leader = cfg.checkOneLeader();
      const s = cfg.start(leader, '1');
      if (!s.isLeader) continue; // leader moved on really quickly
      const iters = 5;
      // the original's 5 goroutines call Start() concurrently; here they all call before anything is delivered
      const started: { index: number; cmd: string }[] = [];
      let failed = false;
      for (let ii = 0; ii < iters; ii++) {
        const r = cfg.start(leader, String(100 + ii));
        if (!r.isLeader || r.term !== s.term) {
          failed = true;
          break;
        }
        started.push({ index: r.index, cmd: String(100 + ii) });
      }
      if (failed) continue;
      let termChanged = false;
      for (let j = 0; j < servers; j++) if (cfg.getState(j).term !== s.term) termChanged = true;
      if (termChanged) continue;
      const cmds: string[] = [];
      for (const { index } of started) {
        const cmd = cfg.wait(index, servers, s.term);
        if (cmd === undefined) {
          failed = true; // peers have moved on to later terms
          break;
        }
        cmds.push(cmd);
      }
      if (failed) continue;
      for (let ii = 0; ii < iters; ii++) expect(cmds).toContain(String(100 + ii)); // every command committed
      success = true;
    }
    expect(success).toBe(true); // term changed too often
    finish(cfg);
  });

  it('TestRejoin2B', () => {
    const servers = 3;
    const cfg = new LabCluster(servers, { seed: 11 });
    cfg.one('101', servers, true);
    // leader network failure
    const leader1 = cfg.checkOneLeader();
    cfg.disconnect(leader1);
    // make old leader try to agree on some entries
    cfg.start(leader1, '102');
    cfg.start(leader1, '103');
    cfg.start(leader1, '104');
    // new leader commits, also for index=2
    cfg.one('103', 2, true);
    // new leader network failure
    const leader2 = cfg.checkOneLeader();
    cfg.disconnect(leader2);
    // old leader connected again
    cfg.connect(leader1);
    cfg.one('104', 2, true);
    // all together now
    cfg.connect(leader2);
    cfg.one('105', servers, true);
    finish(cfg);
  });

  it('TestBackup2B', () => {
    const servers = 5;
    const cfg = new LabCluster(servers, { seed: 12 });
    cfg.one(rcmd(), servers, true);
    // put leader and one follower in a partition
    const leader1 = cfg.checkOneLeader();
    cfg.disconnect((leader1 + 2) % servers);
    cfg.disconnect((leader1 + 3) % servers);
    cfg.disconnect((leader1 + 4) % servers);
    // submit lots of commands that won't commit
    for (let i = 0; i < 50; i++) cfg.start(leader1, rcmd());
    cfg.tick(ET / 2);
    cfg.disconnect((leader1 + 0) % servers);
    cfg.disconnect((leader1 + 1) % servers);
    // allow other partition to recover
    cfg.connect((leader1 + 2) % servers);
    cfg.connect((leader1 + 3) % servers);
    cfg.connect((leader1 + 4) % servers);
    // lots of successful commands to new group
    for (let i = 0; i < 50; i++) cfg.one(rcmd(), 3, true);
    // now another partitioned leader and one follower
    const leader2 = cfg.checkOneLeader();
    let other = (leader1 + 2) % servers;
    if (leader2 === other) other = (leader2 + 1) % servers;
    cfg.disconnect(other);
    // lots more commands that won't commit
    for (let i = 0; i < 50; i++) cfg.start(leader2, rcmd());
    cfg.tick(ET / 2);
    // bring original leader back to life
    for (let i = 0; i < servers; i++) cfg.disconnect(i);
    cfg.connect((leader1 + 0) % servers);
    cfg.connect((leader1 + 1) % servers);
    cfg.connect(other);
    // lots of successful commands to new group
    for (let i = 0; i < 50; i++) cfg.one(rcmd(), 3, true);
    // now everyone
    for (let i = 0; i < servers; i++) cfg.connect(i);
    cfg.one(rcmd(), servers, true);
    finish(cfg);
  });

  // SKIPPED — finding in packages/raft/src/leader.ts (etcd raft behaviour): every commit advance
  // broadcasts an empty MsgApp to carry the new commit index (raft.go maybeCommit → bcastAppend),
  // so 12 pipelined commands cost 24 entry-carrying + 24 commit-only appends + heartbeats = 50
  // requests, over 6.824's (iters+1+3)*3 = 42. The election (≤30) and idle (≤60) bounds hold; see
  // the variant below, which runs the same test with the etcd commit broadcast budgeted for.
  it('TestCount2B', () => {
    countTest();
  });
});

/**
 * TestCount2B with 6.824's RPC bounds. It passes because commit-only appends are coalesced
 * (`Raft.bcastCommit`): etcd's one commit broadcast per commit advance exceeded the bound.
 */
function countTest(): void {
  const servers = 3;
  const cfg = new LabCluster(servers, { seed: 13 });
  cfg.checkOneLeader();
  const total1 = cfg.rpcTotal();
  expect(total1).toBeGreaterThanOrEqual(1);
  expect(total1).toBeLessThanOrEqual(30); // too many or few RPCs to elect initial leader
  let success = false;
  let total2 = 0;
  for (let attempt = 0; attempt < 5 && !success; attempt++) {
    if (attempt > 0) cfg.tick(30);
    const leader = cfg.checkOneLeader();
    const t1 = cfg.rpcTotal();
    const iters = 10;
    const s = cfg.start(leader, '1');
    if (!s.isLeader) continue;
    const cmds: string[] = [];
    let failed = false;
    for (let i = 1; i < iters + 2; i++) {
      const x = rcmd();
      cmds.push(x);
      const r = cfg.start(leader, x);
      if (r.term !== s.term || !r.isLeader) {
        failed = true; // term changed / no longer leader while starting
        break;
      }
      expect(r.index).toBe(s.index + i); // Start() failed to give consecutive indexes
    }
    if (failed) continue;
    for (let i = 1; i < iters + 1; i++) {
      const cmd = cfg.wait(s.index + i, servers, s.term);
      if (cmd === undefined) {
        failed = true;
        break;
      }
      expect(cmd).toBe(cmds[i - 1]); // wrong value committed
    }
    if (failed) continue;
    for (let j = 0; j < servers; j++) if (cfg.getState(j).term !== s.term) failed = true;
    if (failed) continue;
    total2 = cfg.rpcTotal();
    const bound = (iters + 1 + 3) * 3;
    expect(total2 - t1).toBeLessThanOrEqual(bound); // too many RPCs for agreement
    success = true;
  }
  expect(success).toBe(true); // term changed too often
  cfg.tick(ET);
  const total3 = cfg.rpcTotal();
  expect(total3 - total2).toBeLessThanOrEqual(3 * 20); // too many RPCs for 1 second of idleness
  finish(cfg);
}
