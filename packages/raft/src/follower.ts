import type { Raft } from './raft.ts';
import type { Message } from './types.ts';
import { MessageType, NONE, message } from './types.ts';

// Follower and candidate message handling of the Raft state machine (etcd raft.go
// `stepFollower`/`stepCandidate`; AppendEntries and InstallSnapshot receivers, Raft paper §5.3, §7).

/** Handles a message as (pre-)candidate: count votes, or fall back to follower on a current leader's message. */
export function stepCandidate(r: Raft, m: Message): string | undefined {
  const myRespType = r.state === 'preCandidate' ? MessageType.PreVoteResp : MessageType.VoteResp;
  switch (m.type) {
    case MessageType.Prop:
      return 'no leader (election in progress)';
    case MessageType.ReadIndex:
      return 'no leader (election in progress)';
    case MessageType.App:
      r.becomeFollower(m.term, m.from);
      handleAppendEntries(r, m);
      return undefined;
    case MessageType.Heartbeat:
      r.becomeFollower(m.term, m.from);
      handleHeartbeat(r, m);
      return undefined;
    case MessageType.Snap:
      r.becomeFollower(m.term, m.from);
      handleSnapshot(r, m);
      return undefined;
    case myRespType: {
      const res = r.poll(m.from, !m.reject);
      if (res === 'won') {
        if (r.state === 'preCandidate') r.campaign('election');
        else {
          r.becomeLeader();
          r.bcastAppend();
        }
      } else if (res === 'lost') {
        r.becomeFollower(r.term, NONE);
      }
      return undefined;
    }
  }
  return undefined;
}

/** Handles a message as follower: forward proposals/reads/transfers to the leader; accept appends, heartbeats, snapshots. */
export function stepFollower(r: Raft, m: Message): string | undefined {
  switch (m.type) {
    case MessageType.Prop:
    case MessageType.TransferLeader:
    case MessageType.ReadIndex:
      if (r.lead === NONE) return `no leader to forward the ${m.type} to`;
      r.send({ ...m, to: r.lead });
      return undefined;
    case MessageType.App:
      r.electionElapsed = 0;
      r.lead = m.from;
      handleAppendEntries(r, m);
      return undefined;
    case MessageType.Heartbeat:
      r.electionElapsed = 0;
      r.lead = m.from;
      handleHeartbeat(r, m);
      return undefined;
    case MessageType.Snap:
      r.electionElapsed = 0;
      r.lead = m.from;
      handleSnapshot(r, m);
      return undefined;
    case MessageType.TimeoutNow:
      // Leader transfer: campaign at once, skipping pre-vote (thesis §3.10).
      r.hup('transfer');
      return undefined;
    case MessageType.ReadIndexResp:
      r.readStates.push({ index: m.index, context: m.context ?? new Uint8Array() });
      return undefined;
  }
  return undefined;
}

/** AppendEntries receiver (Raft paper Figure 2), rejecting with a conflict hint (etcd). */
function handleAppendEntries(r: Raft, m: Message): void {
  if (m.index < r.log.committed) {
    r.send(message({ type: MessageType.AppResp, to: m.from, index: r.log.committed }));
    return;
  }
  const lastNew = r.log.maybeAppend(m.index, m.logTerm, m.commit, m.entries);
  if (lastNew !== undefined) {
    r.send(message({ type: MessageType.AppResp, to: m.from, index: lastNew }));
    return;
  }
  // Reject with a hint: the largest index ≤ m.index whose term ≤ m.logTerm (etcd).
  const [hintIndex, hintTerm] = r.log.findConflictByTerm(Math.min(m.index, r.log.lastIndex()), m.logTerm);
  r.send(message({ type: MessageType.AppResp, to: m.from, index: m.index, reject: true, rejectHint: hintIndex, logTerm: hintTerm }));
}

/** Heartbeat: advance the commit index (the leader sends at most our match) and answer. */
function handleHeartbeat(r: Raft, m: Message): void {
  r.log.commitTo(m.commit);
  r.send(message({ type: MessageType.HeartbeatResp, to: m.from, context: m.context }));
}

/** InstallSnapshot receiver (Raft paper §7). */
function handleSnapshot(r: Raft, m: Message): void {
  if (m.snapshot && r.restore(m.snapshot)) {
    r.send(message({ type: MessageType.AppResp, to: m.from, index: r.log.lastIndex() }));
  } else {
    r.send(message({ type: MessageType.AppResp, to: m.from, index: r.log.committed }));
  }
}
