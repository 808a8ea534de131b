// MIT 6.824 (2020–2023) lab 2C–2D Raft tests (raft/test_test.go), same names and checks, run on
// the deterministic LabCluster of lab-harness.ts. Wall-clock sleeps become ticks (1 tick = 100 ms,
// RaftElectionTimeout = 10 ticks). etcd raft appends an empty entry when a leader takes office, so
// the first command lands at index 2, not 1: index checks are shifted by that entry. Servers run
// with pre-vote and check-quorum (the deployed configuration); see the note at the end of the
// file for why plain Raft is not used. Every test uses fixed seeds and is deterministic.
import { describe, expect, it } from 'vitest';
import { ELECTION_TIMEOUT as ET, LabCluster, MAX_LOG_SIZE, SNAPSHOT_INTERVAL } from './lab-harness.ts';
import { finish, labRandom } from './lab-util.ts';

const { rand, rcmd } = labRandom(6824);

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
  // Liveness finding, fixed in Raft.step: without pre-vote, etcd's follower restarts its election
  // timer on every higher-term MsgVote, even one it refuses. Stale candidates rejoining then kept
  // resetting the only electable server (seed 9: 153 ticks to lead; 14 of 200 seeds over the 100
  // ticks one() allows). Figure 2 restarts the timer only on AppendEntries or a granted vote;
  // with that rule the worst of seeds 1..200 takes 45 ticks.
  it('plain Raft (no pre-vote): the only up-to-date server leads within 10 s of stale servers rejoining', () => {
    for (const seed of [9, 13, 48, 56, 95]) expect(ticksUntilUpToDateLeader(seed, false)).toBeLessThanOrEqual(100);
  });

  it('with pre-vote the same situation resolves within two election timeouts', () => {
    for (const seed of [9, 13, 48, 56, 95]) expect(ticksUntilUpToDateLeader(seed, true)).toBeLessThanOrEqual(2 * ET);
  });
});
