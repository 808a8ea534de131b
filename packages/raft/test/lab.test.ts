// MIT 6.824 (2020–2023) lab 2A–2D Raft tests (raft/test_test.go), same names and checks, run on
// the deterministic LabCluster of lab-harness.ts. Wall-clock sleeps become ticks (1 tick = 100 ms,
// RaftElectionTimeout = 10 ticks). etcd raft appends an empty entry when a leader takes office, so
// the first command lands at index 2, not 1: index checks are shifted by that entry. Servers run
// with pre-vote and check-quorum (the deployed configuration); see the note at the end of the
// file for why plain Raft is not used. Every test uses fixed seeds and is deterministic.
import { SeededRandom } from '@shoal/actors';
import { describe, expect, it } from 'vitest';
import { ELECTION_TIMEOUT as ET, LabCluster, MAX_LOG_SIZE, SNAPSHOT_INTERVAL } from './lab-harness.ts';

const rng = new SeededRandom(6824);
/** rand.Int() % k. */
const rand = (k: number): number => Math.floor(rng.next() * k);
/** A random command, like rand.Int() in the original. */
const rcmd = (): string => String(rand(1_000_000_000));

function randstring(n: number): string {
  let s = '';
  while (s.length < n) s += rand(36 ** 6).toString(36);
  return s.slice(0, n);
}

/** config.go cleanup: no applier saw a disagreement or an out-of-order apply. */
function finish(cfg: LabCluster): void {
  expect(cfg.errors).toEqual([]);
}

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
  it.skip('TestCount2B', () => {
    countTest(0);
  });

  it('TestCount2B (bound + one commit-only append per follower per command, etcd bcastAppend)', () => {
    countTest(1);
  });
});

/**
 * TestCount2B; `commitAppendsPerCommand` extra requests per follower per command are allowed for
 * etcd's commit-index broadcast (0 = the original bound).
 */
function countTest(commitAppendsPerCommand: number): void {
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
    const bound = (iters + 1 + 3) * 3 + commitAppendsPerCommand * (iters + 2) * (servers - 1);
    expect(total2 - t1).toBeLessThanOrEqual(bound); // too many RPCs for agreement
    success = true;
  }
  expect(success).toBe(true); // term changed too often
  cfg.tick(ET);
  const total3 = cfg.rpcTotal();
  expect(total3 - total2).toBeLessThanOrEqual(3 * 20); // too many RPCs for 1 second of idleness
  finish(cfg);
}

describe('6.824 lab 2C: persistence', () => {
  it('TestPersist12C', () => {
    const servers = 3;
    const cfg = new LabCluster(servers, { seed: 14 });
    cfg.one('11', servers, true);
    // crash and re-start all
    for (let i = 0; i < servers; i++) cfg.start1(i);
    for (let i = 0; i < servers; i++) {
      cfg.disconnect(i);
      cfg.connect(i);
    }
    cfg.one('12', servers, true);
    const leader1 = cfg.checkOneLeader();
    cfg.disconnect(leader1);
    cfg.start1(leader1);
    cfg.connect(leader1);
    cfg.one('13', servers, true);
    const leader2 = cfg.checkOneLeader();
    cfg.disconnect(leader2);
    const index14 = cfg.one('14', servers - 1, true);
    cfg.start1(leader2);
    cfg.connect(leader2);
    expect(cfg.wait(index14, servers, -1)).toBe('14'); // wait for leader2 to join before killing i3
    const i3 = (cfg.checkOneLeader() + 1) % servers;
    cfg.disconnect(i3);
    cfg.one('15', servers - 1, true);
    cfg.start1(i3);
    cfg.connect(i3);
    cfg.one('16', servers, true);
    finish(cfg);
  });

  it('TestPersist22C', () => {
    const servers = 5;
    const cfg = new LabCluster(servers, { seed: 15 });
    let index = 1;
    for (let iters = 0; iters < 5; iters++) {
      cfg.one(String(10 + index++), servers, true);
      const leader1 = cfg.checkOneLeader();
      cfg.disconnect((leader1 + 1) % servers);
      cfg.disconnect((leader1 + 2) % servers);
      cfg.one(String(10 + index++), servers - 2, true);
      cfg.disconnect((leader1 + 0) % servers);
      cfg.disconnect((leader1 + 3) % servers);
      cfg.disconnect((leader1 + 4) % servers);
      cfg.start1((leader1 + 1) % servers);
      cfg.start1((leader1 + 2) % servers);
      cfg.connect((leader1 + 1) % servers);
      cfg.connect((leader1 + 2) % servers);
      cfg.tick(ET);
      cfg.start1((leader1 + 3) % servers);
      cfg.connect((leader1 + 3) % servers);
      cfg.one(String(10 + index++), servers - 2, true);
      cfg.connect((leader1 + 4) % servers);
      cfg.connect((leader1 + 0) % servers);
    }
    cfg.one('1000', servers, true);
    finish(cfg);
  });

  it('TestPersist32C', () => {
    const servers = 3;
    const cfg = new LabCluster(servers, { seed: 16 });
    cfg.one('101', 3, true);
    const leader = cfg.checkOneLeader();
    cfg.disconnect((leader + 2) % servers);
    cfg.one('102', 2, true);
    cfg.crash1((leader + 0) % servers);
    cfg.crash1((leader + 1) % servers);
    cfg.connect((leader + 2) % servers);
    cfg.start1((leader + 0) % servers);
    cfg.connect((leader + 0) % servers);
    cfg.one('103', 2, true);
    cfg.start1((leader + 1) % servers);
    cfg.connect((leader + 1) % servers);
    cfg.one('104', servers, true);
    finish(cfg);
  });

  // Test the scenarios described in Figure 8 of the extended Raft paper: leaders crash right
  // after appending, new leaders try to commit their predecessors' entries. 1000 iterations as
  // in the original; sleeps of up to 500 ms become up to 5 ticks, those of up to 13 ms a partial pump.
  it('TestFigure82C', () => {
    const servers = 5;
    const cfg = new LabCluster(servers, { seed: 17 });
    cfg.one(rcmd(), 1, true);
    let nup = servers;
    for (let iters = 0; iters < 1000; iters++) {
      let leader = -1;
      for (let i = 0; i < servers; i++) {
        if (cfg.isAlive(i) && cfg.start(i, rcmd()).isLeader) leader = i;
      }
      if (rand(1000) < 100) cfg.tick(rand(ET / 2));
      else {
        // the original sleeps rand(13) ms: some appends arrived, some not; and about every 15th such sleep a tick (100 ms) passes
        cfg.partialPump();
        if (rand(15) === 0) cfg.tick(1);
      }
      if (leader !== -1) {
        cfg.crash1(leader);
        nup--;
      }
      if (nup < 3) {
        const s = rand(servers);
        if (!cfg.isAlive(s)) {
          cfg.start1(s);
          cfg.connect(s);
          nup++;
        }
      }
    }
    for (let i = 0; i < servers; i++) {
      if (!cfg.isAlive(i)) {
        cfg.start1(i);
        cfg.connect(i);
      }
    }
    cfg.one(rcmd(), servers, true);
    finish(cfg);
  });

  // The original runs 4 concurrent one()s per iteration; they run one after another here.
  it('TestUnreliableAgree2C', () => {
    const servers = 5;
    const cfg = new LabCluster(servers, { seed: 18, unreliable: true });
    for (let iters = 1; iters < 50; iters++) {
      for (let j = 0; j < 4; j++) cfg.one(String(100 * iters + j), 1, true);
      cfg.one(String(iters), 1, true);
    }
    cfg.unreliable = false;
    cfg.one('100', servers, true);
    finish(cfg);
  });

  // 1000 iterations, long reordering from iteration 200, as in the original.
  it('TestFigure8Unreliable2C', () => {
    const servers = 5;
    const cfg = new LabCluster(servers, { seed: 19, unreliable: true });
    cfg.one(String(rand(10000)), 1, true);
    let nup = servers;
    for (let iters = 0; iters < 1000; iters++) {
      if (iters === 200) cfg.longReordering = true;
      let leader = -1;
      for (let i = 0; i < servers; i++) {
        if (cfg.start(i, String(rand(10000))).isLeader && cfg.isConnected(i)) leader = i;
      }
      if (rand(1000) < 100) cfg.tick(rand(ET / 2));
      else {
        cfg.partialPump(); // rand(13) ms, as in TestFigure82C
        if (rand(15) === 0) cfg.tick(1);
      }
      if (leader !== -1 && rand(1000) < (ET * 100) / 2) {
        cfg.disconnect(leader);
        nup--;
      }
      if (nup < 3) {
        const s = rand(servers);
        if (!cfg.isConnected(s)) {
          cfg.connect(s);
          nup++;
        }
      }
    }
    for (let i = 0; i < servers; i++) if (!cfg.isConnected(i)) cfg.connect(i);
    cfg.one(String(rand(10000)), servers, true);
    finish(cfg);
  });

  it('TestReliableChurn2C', () => {
    internalChurn(false, 20);
  });

  it('TestUnreliableChurn2C', () => {
    internalChurn(true, 21);
  });
});

/**
 * test_test.go internalChurn: 3 clients keep calling Start() on random servers while servers are
 * disconnected, reconnected, crashed and restarted at random (20 rounds of 7 ticks = 0.7 × the
 * election timeout, as in the original); afterwards every value a client saw committed must be in
 * the final agreed log. The original's client goroutines become per-tick client steps.
 */
function internalChurn(unreliable: boolean, seed: number): void {
  const servers = 5;
  const cfg = new LabCluster(servers, { seed, unreliable });
  const pending: { index: number; cmd: string }[] = [];
  const values: string[] = [];
  const clients = (start: boolean): void => {
    for (let c = 0; c < 3 && start; c++) {
      const i = rand(servers);
      if (cfg.isAlive(i) && cfg.isConnected(i)) {
        const cmd = rcmd();
        const r = cfg.start(i, cmd);
        if (r.isLeader) pending.push({ index: r.index, cmd });
      }
    }
    for (let k = pending.length - 1; k >= 0; k--) {
      const { count, cmd } = cfg.nCommitted(pending[k].index);
      if (count === 0) continue;
      if (cmd === pending[k].cmd) values.push(cmd);
      pending.splice(k, 1);
    }
  };
  for (let iters = 0; iters < 20; iters++) {
    if (rand(1000) < 200) cfg.disconnect(rand(servers));
    if (rand(1000) < 500) {
      const i = rand(servers);
      if (!cfg.isAlive(i)) cfg.start1(i);
      cfg.connect(i);
    }
    if (rand(1000) < 200) {
      const i = rand(servers);
      if (cfg.isAlive(i)) cfg.crash1(i);
    }
    for (let t = 0; t < (ET * 7) / 10; t++) {
      clients(true);
      cfg.tick(1);
    }
  }
  cfg.tick(ET);
  cfg.unreliable = false;
  for (let i = 0; i < servers; i++) {
    if (!cfg.isAlive(i)) cfg.start1(i);
    cfg.connect(i);
  }
  cfg.tick(ET);
  const lastIndex = cfg.one(rcmd(), servers, true);
  clients(false); // the clients learn the fate of their last commands
  const really = new Set<string>();
  // every server applied through lastIndex (in order); leader no-op entries carry no command
  for (let index = 1; index <= lastIndex; index++) {
    const { count, cmd } = cfg.nCommitted(index);
    if (cmd === undefined) continue;
    expect(count).toBe(servers);
    really.add(cmd);
  }
  // not in the original: guards against a vacuous run (some seeds churn without a live majority)
  expect(values.length).toBeGreaterThan(0);
  for (const v of values) expect(really.has(v)).toBe(true); // a value a client saw committed is lost
  finish(cfg);
}

/**
 * test_test.go snapcommon: 30 rounds (as the original) of victim disconnect or crash, enough
 * commands for a snapshot, and a rejoin that may need InstallSnapshot; the persisted log must
 * stay under MAXLOGSIZE.
 */
function snapcommon(disconnect: boolean, reliable: boolean, crash: boolean, seed: number): void {
  const iters = 30;
  const servers = 3;
  const cfg = new LabCluster(servers, { seed, unreliable: !reliable, snapshot: true });
  cfg.one(rcmd(), servers, true);
  let leader1 = cfg.checkOneLeader();
  for (let i = 0; i < iters; i++) {
    let victim = (leader1 + 1) % servers;
    let sender = leader1;
    if (i % 3 === 1) {
      sender = (leader1 + 1) % servers;
      victim = leader1;
    }
    if (disconnect) {
      cfg.disconnect(victim);
      cfg.one(rcmd(), servers - 1, true);
    }
    if (crash) {
      cfg.crash1(victim);
      cfg.one(rcmd(), servers - 1, true);
    }
    // perhaps send enough to get a snapshot
    const nn = SNAPSHOT_INTERVAL / 2 + rand(SNAPSHOT_INTERVAL);
    for (let j = 0; j < nn; j++) if (cfg.isAlive(sender)) cfg.start(sender, rcmd());
    // let applier threads catch up with the Start()'s
    if (!disconnect && !crash) cfg.one(rcmd(), servers, true); // all caught up: no InstallSnapshot needed
    else cfg.one(rcmd(), servers - 1, true);
    for (let s = 0; s < servers; s++) expect(cfg.logSize(s)).toBeLessThan(MAX_LOG_SIZE); // log size too large
    if (disconnect) {
      // reconnect a follower, who maybe behind and needs to receive a snapshot to catch up
      cfg.connect(victim);
      cfg.one(rcmd(), servers, true);
      leader1 = cfg.checkOneLeader();
    }
    if (crash) {
      cfg.start1(victim);
      cfg.connect(victim);
      cfg.one(rcmd(), servers, true);
      leader1 = cfg.checkOneLeader();
    }
  }
  finish(cfg);
}

describe('6.824 lab 2D: log compaction', () => {
  it('TestSnapshotBasic2D', () => {
    snapcommon(false, true, false, 22);
  });

  it('TestSnapshotInstall2D', () => {
    snapcommon(true, true, false, 23);
  });

  it('TestSnapshotInstallUnreliable2D', () => {
    snapcommon(true, false, false, 24);
  });

  it('TestSnapshotInstallCrash2D', () => {
    snapcommon(false, true, true, 25);
  });

  it('TestSnapshotInstallUnCrash2D', () => {
    snapcommon(false, false, true, 26);
  });

  // Crash and restart all servers: the persisted snapshot and log must restore them.
  it('TestSnapshotAllCrash2D', () => {
    const servers = 3;
    const iters = 5;
    const cfg = new LabCluster(servers, { seed: 27, snapshot: true });
    cfg.one(rcmd(), servers, true);
    for (let i = 0; i < iters; i++) {
      // perhaps enough to get a snapshot
      const nn = SNAPSHOT_INTERVAL / 2 + rand(SNAPSHOT_INTERVAL);
      for (let j = 0; j < nn; j++) cfg.one(rcmd(), servers, true);
      const index1 = cfg.one(rcmd(), servers, true);
      for (let s = 0; s < servers; s++) cfg.crash1(s);
      for (let s = 0; s < servers; s++) {
        cfg.start1(s);
        cfg.connect(s);
      }
      const index2 = cfg.one(rcmd(), servers, true);
      expect(index2).toBeGreaterThanOrEqual(index1 + 1); // index decreased
    }
    finish(cfg);
  });

  // Do servers correctly initialize their in-memory copy of the snapshot, making sure that
  // future writes to persistent state don't lose state?
  it('TestSnapshotInit2D', () => {
    const servers = 3;
    const cfg = new LabCluster(servers, { seed: 28, snapshot: true });
    cfg.one(rcmd(), servers, true);
    // enough ops to make a snapshot
    for (let i = 0; i < SNAPSHOT_INTERVAL + 1; i++) cfg.one(rcmd(), servers, true);
    for (let round = 0; round < 2; round++) {
      for (let s = 0; s < servers; s++) cfg.crash1(s);
      for (let s = 0; s < servers; s++) {
        cfg.start1(s);
        cfg.connect(s);
      }
      // a single op, to get something written back to persistent storage (then: trigger a potential bug)
      cfg.one(rcmd(), servers, true);
    }
    finish(cfg);
  });
});

/**
 * The TestPersist22C situation, directed: stale servers (l+1, l+2) rejoin with one up-to-date
 * server (l+3), which alone can win; returns the ticks until it leads (capped at 1000).
 */
function ticksUntilUpToDateLeader(seed: number, preVote: boolean): number {
  const servers = 5;
  const cfg = new LabCluster(servers, { seed, preVote });
  cfg.one('a', servers, true);
  const l = cfg.checkOneLeader();
  cfg.disconnect((l + 1) % servers);
  cfg.disconnect((l + 2) % servers);
  cfg.one('b', 3, true);
  cfg.disconnect(l);
  cfg.disconnect((l + 3) % servers);
  cfg.disconnect((l + 4) % servers);
  for (const k of [1, 2, 3]) cfg.connect((l + k) % servers);
  for (let t = 0; t < 1000; t++) {
    cfg.tick(1);
    if (cfg.getState((l + 3) % servers).isLeader) return t + 1;
  }
  return 1000;
}

describe('lab harness configuration: pre-vote', () => {
  // SKIPPED — liveness finding in packages/raft/src (etcd behaviour): without pre-vote, a
  // follower that sees a higher-term MsgVote calls becomeFollower → reset(), restarting its
  // election timer even when it refuses the vote. The Raft paper (Figure 2) restarts it only on
  // AppendEntries from the current leader or on granting a vote; the 6.824 guide calls this out.
  // Stale candidates keep resetting the only electable server, so here (seed 9) it takes 153 ticks
  // (15 s) to lead; over 200 seeds 14 exceed the 100 ticks one() allows. The lab suite therefore
  // runs with pre-vote + check-quorum, as apps/sim does.
  it.skip('plain Raft (no pre-vote): the only up-to-date server leads within 10 s of stale servers rejoining', () => {
    expect(ticksUntilUpToDateLeader(9, false)).toBeLessThanOrEqual(100);
  });

  it('with pre-vote the same situation resolves within two election timeouts', () => {
    for (const seed of [9, 13, 48, 56, 95]) expect(ticksUntilUpToDateLeader(seed, true)).toBeLessThanOrEqual(2 * ET);
  });
});
