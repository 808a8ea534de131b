// Whole-group behaviour over the deterministic in-memory network of helpers.ts.
import { describe, expect, it } from 'vitest';
import { MemoryStorage, RaftError } from '../src/index.ts';
import { Network } from './helpers.ts';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('elections', () => {
  it('elects exactly one leader by ticking, and everyone learns it', () => {
    const net = new Network([1, 2, 3]);
    net.tick(40);
    const leaders = net.leaders();
    expect(leaders).toHaveLength(1);
    for (const n of net.nodes.values()) expect(n.raft.lead).toBe(leaders[0]);
  });

  it('a partitioned node with pre-vote does not bump its term, and does not disrupt the leader on rejoin', () => {
    const net = new Network([1, 2, 3], [], { preVote: true, checkQuorum: true });
    net.elect(1);
    const term = net.node(1).raft.term;
    net.isolate(3);
    net.tick(100);
    expect(net.node(3).raft.term).toBe(term);
    expect(net.node(3).raft.state).toBe('preCandidate');
    net.heal();
    net.tick(5);
    expect(net.leaders()).toEqual([1]);
    expect(net.node(1).raft.term).toBe(term);
  });

  it('with pre-vote, a new election after the leader fails bumps the term exactly once', () => {
    const net = new Network([1, 2, 3], [], { preVote: true });
    net.elect(1);
    const term = net.node(1).raft.term;
    net.isolate(1);
    net.tick(30);
    const leaders = net.leaders().filter((id) => id !== 1);
    expect(leaders).toHaveLength(1);
    expect(net.node(leaders[0]).raft.term).toBe(term + 1);
  });

  it('pre-vote: a node with a stale log is refused and keeps its term', () => {
    const net = new Network([1, 2, 3], [], { preVote: true });
    net.elect(1);
    net.isolate(3);
    net.node(1).propose(enc('x'));
    net.settle();
    net.heal();
    net.isolate(1); // leader gone; 3 (stale) campaigns first
    const term = net.node(3).raft.term;
    net.node(3).campaign();
    net.settle();
    expect(net.node(3).raft.term).toBe(term);
    expect(net.node(2).raft.term).toBe(term);
    expect(net.node(3).raft.state).toBe('preCandidate'); // 2 refused; 1 cannot answer
    net.node(2).campaign(); // the up-to-date node wins, and 3's log is kept
    net.settle();
    expect(net.node(2).raft.state).toBe('leader'); // (isolated 1 still believes it leads term `term`)
    expect(net.node(2).raft.term).toBe(term + 1);
    net.tick(2);
    expect(net.appliedData(3)).toEqual(['x']);
  });

  it('without pre-vote a partitioned node inflates its term', () => {
    const net = new Network([1, 2, 3]);
    net.elect(1);
    net.isolate(3);
    net.tick(50);
    expect(net.node(3).raft.term).toBeGreaterThan(net.node(1).raft.term);
  });

  it('check-quorum: a leader cut off from the majority steps down', () => {
    const net = new Network([1, 2, 3], [], { checkQuorum: true });
    net.elect(1);
    net.isolate(1);
    net.tick(25);
    expect(net.node(1).raft.state).toBe('follower');
  });

  it('check-quorum lease: a follower that hears from the leader ignores a disruptive vote request', () => {
    const net = new Network([1, 2, 3], [], { checkQuorum: true });
    net.elect(1);
    net.cutLink(1, 3);
    net.tick(30); // 3 times out and campaigns with a higher term; 2 is within its lease
    expect(net.node(2).raft.lead).toBe(1);
    expect(net.node(1).raft.state).toBe('leader');
  });
});

describe('replication', () => {
  it('replicates and applies proposals in order on every node', () => {
    const net = new Network([1, 2, 3]);
    net.elect(1);
    for (let i = 0; i < 20; i++) net.node(1).propose(enc(`v${i}`));
    net.settle();
    const want = Array.from({ length: 20 }, (_, i) => `v${i}`);
    for (const id of [1, 2, 3]) expect(net.appliedData(id)).toEqual(want);
  });

  it('a follower proposal is forwarded to the leader', () => {
    const net = new Network([1, 2, 3]);
    net.elect(1);
    net.node(2).propose(enc('from-2'));
    net.settle();
    expect(net.appliedData(3)).toEqual(['from-2']);
  });

  it('proposals with no leader are dropped with a clear error', () => {
    const net = new Network([1, 2, 3]);
    expect(() => net.node(1).propose(enc('x'))).toThrow(RaftError);
    expect(() => net.node(1).propose(enc('x'))).toThrow(/no leader/);
  });

  it('a lagging follower with a divergent log is repaired after a leader change', () => {
    const net = new Network([1, 2, 3]);
    net.elect(1);
    net.node(1).propose(enc('a'));
    net.settle();
    net.isolate(1);
    for (let i = 0; i < 5; i++) net.node(1).propose(enc(`lost${i}`)); // never committed
    net.settle();
    net.elect(2);
    for (let i = 0; i < 5; i++) net.node(2).propose(enc(`b${i}`));
    net.settle();
    net.heal();
    net.tick(3);
    for (const id of [1, 2, 3]) expect(net.appliedData(id)).toEqual(['a', 'b0', 'b1', 'b2', 'b3', 'b4']);
  });

  it('flow control: at most maxInflightMsgs appends of maxSizePerMsg bytes in flight', () => {
    const net = new Network([1, 2], [], { maxInflightMsgs: 2, maxSizePerMsg: 1 });
    net.elect(1);
    const r = net.node(1).raft;
    for (let i = 0; i < 10; i++) net.node(1).propose(enc(`p${i}`));
    net.processReady();
    const apps = net.queue.filter((m) => m.type === 'app' && m.to === 2);
    expect(apps.length).toBe(2);
    for (const m of apps) expect(m.entries.length).toBe(1);
    expect(r.tracker.progress.get(2)?.isPaused()).toBe(true);
    net.queue = []; // lose them: the leader must recover through heartbeats and rejections
    net.tick(3);
    expect(net.appliedData(2)).toHaveLength(10);
  });
});

describe('snapshots', () => {
  it('a follower far behind gets a snapshot and then the rest of the log', () => {
    const net = new Network([1, 2, 3]);
    net.elect(1);
    net.isolate(3);
    for (let i = 0; i < 10; i++) net.node(1).propose(enc(`v${i}`));
    net.settle();
    const applied = net.node(1).raft.log.applied;
    expect(net.compact(1)).toBe(true);
    net.node(1).propose(enc('after'));
    net.heal();
    net.tick(3);
    const s3 = net.storages.get(3) as MemoryStorage;
    expect(s3.snapshot().metadata.index).toBe(applied);
    expect(net.appliedData(3)).toEqual([...Array.from({ length: 10 }, (_, i) => `v${i}`), 'after']);
    expect(net.node(3).raft.log.committed).toBe(net.node(1).raft.log.committed);
  });

  it('a temporarily unavailable snapshot is retried, not fatal', () => {
    const net = new Network([1, 2, 3]);
    net.elect(1);
    net.isolate(3);
    for (let i = 0; i < 5; i++) net.node(1).propose(enc(`v${i}`));
    net.settle();
    net.compact(1);
    const s1 = net.storages.get(1) as MemoryStorage;
    const real = s1.snapshot.bind(s1);
    let refusals = 2;
    s1.snapshot = () => {
      if (refusals > 0) {
        refusals--;
        throw new RaftError('unavailable', 'snapshot being built');
      }
      return real();
    };
    net.heal();
    net.tick(6);
    expect(refusals).toBe(0);
    expect(net.appliedData(3)).toEqual(['v0', 'v1', 'v2', 'v3', 'v4']);
  });

  it('restarts from storage (hard state, snapshot, entries)', () => {
    const net = new Network([1, 2, 3]);
    net.elect(1);
    for (let i = 0; i < 5; i++) net.node(1).propose(enc(`v${i}`));
    net.settle();
    const s2 = net.storages.get(2) as MemoryStorage;
    const before = net.node(2).raft;
    s2.createSnapshot(3, { voters: [1, 2, 3], learners: [] }, enc('[]'));
    s2.compact(3);
    const restarted = net.add(2, s2);
    expect(restarted.raft.term).toBe(before.term);
    expect(restarted.raft.vote).toBe(before.vote);
    expect(restarted.raft.log.committed).toBe(before.log.committed);
    expect(restarted.raft.log.lastIndex()).toBe(before.log.lastIndex());
    expect(restarted.raft.log.firstIndex()).toBe(4);
    net.node(1).propose(enc('more'));
    net.settle();
    expect(restarted.raft.log.committed).toBe(net.node(1).raft.log.committed);
  });
});

describe('read index', () => {
  it('serves a linearizable read at the commit index after a heartbeat quorum', () => {
    const net = new Network([1, 2, 3]);
    net.elect(1);
    net.node(1).propose(enc('w'));
    net.settle();
    net.node(1).readIndex(enc('r1'));
    net.settle();
    expect(net.reads.get(1)).toEqual([{ index: net.node(1).raft.log.committed, context: 'r1' }]);
    net.node(3).readIndex(enc('r3'));
    net.settle();
    expect(net.reads.get(3)).toEqual([{ index: net.node(1).raft.log.committed, context: 'r3' }]);
  });

  it('a leader without a quorum cannot answer reads', () => {
    const net = new Network([1, 2, 3]);
    net.elect(1);
    net.isolate(1);
    net.node(1).readIndex(enc('stale'));
    net.settle();
    expect(net.reads.get(1)).toEqual([]);
  });
});

describe('leader transfer', () => {
  it('transfers leadership to an up-to-date follower via MsgTimeoutNow', () => {
    const net = new Network([1, 2, 3], [], { preVote: true, checkQuorum: true });
    net.elect(1);
    net.node(1).propose(enc('x'));
    net.settle();
    net.node(1).transferLeader(3);
    net.settle();
    expect(net.leaders()).toEqual([3]);
  });

  it('catches a lagging transferee up before handing over, and refuses proposals meanwhile', () => {
    const net = new Network([1, 2, 3]);
    net.elect(1);
    net.isolate(3);
    net.node(1).propose(enc('x'));
    net.settle();
    net.node(1).transferLeader(3);
    expect(() => net.node(1).propose(enc('y'))).toThrow(/transfer/);
    net.heal();
    net.tick(2);
    expect(net.leaders()).toEqual([3]);
  });
});

describe('membership', () => {
  it('learners receive the log but never vote or count for commit', () => {
    const net = new Network([1, 2], [3]);
    net.elect(1);
    net.node(1).propose(enc('a'));
    net.settle();
    expect(net.appliedData(3)).toEqual(['a']);
    net.isolate(2);
    net.node(1).propose(enc('b'));
    net.settle();
    expect(net.appliedData(1)).toEqual(['a']); // learner 3's ack is not a quorum
    net.tick(40);
    expect(net.node(3).raft.state).toBe('follower');
    expect(net.node(3).raft.term).toBe(net.node(1).raft.term);
  });

  it('promotes a learner to voter', () => {
    const net = new Network([1, 2], [3]);
    net.elect(1);
    net.node(1).proposeConfChange({ type: 'addNode', nodeId: 3 });
    net.settle();
    for (const id of [1, 2, 3]) expect(net.node(id).raft.tracker.confState()).toEqual({ voters: [1, 2, 3], learners: [] });
    net.isolate(2); // now 1 and 3 form a quorum
    net.node(1).propose(enc('q'));
    net.settle();
    expect(net.appliedData(1)).toEqual(['q']);
  });

  it('adds and removes voters one at a time, applied on commit', () => {
    const net = new Network([1, 2, 3]);
    net.add(4, new MemoryStorage({ voters: [1, 2, 3], learners: [] }));
    net.elect(1);
    net.node(1).proposeConfChange({ type: 'addNode', nodeId: 4 });
    expect(() => net.node(1).proposeConfChange({ type: 'removeNode', nodeId: 2 })).toThrow(/pending/);
    net.settle();
    expect(net.node(1).raft.tracker.confState().voters).toEqual([1, 2, 3, 4]);
    net.tick(2);
    expect(net.node(4).raft.tracker.confState().voters).toEqual([1, 2, 3, 4]);
    net.node(1).propose(enc('four'));
    net.settle();
    expect(net.appliedData(4)).toEqual(['four']);
    net.node(1).proposeConfChange({ type: 'removeNode', nodeId: 1 });
    net.settle();
    expect(net.node(1).raft.state).toBe('follower'); // a removed leader steps down
    expect(net.node(2).raft.tracker.confState().voters).toEqual([2, 3, 4]);
    net.tick(40);
    const leaders = net.leaders();
    expect(leaders).toHaveLength(1);
    expect(leaders[0]).not.toBe(1);
  });
});
