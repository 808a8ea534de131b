import type { Progress } from './progress.ts';
import type { Raft } from './raft.ts';
import type { Message, NodeId } from './types.ts';
import { MessageType, NONE, message } from './types.ts';

// Leader-side message handling of the Raft state machine (etcd raft.go `stepLeader`): proposals,
// replication responses, heartbeats, read-index (Raft thesis §6.4) and leader transfer (§3.10).

/** Handles a message as leader; returns a drop reason for a refused proposal/read. */
export function stepLeader(r: Raft, m: Message): string | undefined {
  switch (m.type) {
    case MessageType.Beat:
      r.bcastHeartbeat();
      return undefined;
    case MessageType.CheckQuorum:
      if (!r.tracker.quorumActive(r.id)) r.becomeFollower(r.term, NONE);
      for (const [id, pr] of r.tracker.progress) pr.recentActive = id === r.id;
      return undefined;
    case MessageType.Prop:
      return propose(r, m);
    case MessageType.ReadIndex:
      return leaderReadIndex(r, m);
    case MessageType.TransferLeader:
      transferLeader(r, m.from);
      return undefined;
  }
  const pr = r.tracker.progress.get(m.from);
  if (!pr) return undefined;
  switch (m.type) {
    case MessageType.AppResp:
      handleAppResp(r, m, pr);
      break;
    case MessageType.HeartbeatResp:
      handleHeartbeatResp(r, m, pr);
      break;
    case MessageType.SnapStatus:
      if (pr.state !== 'snapshot') break;
      if (m.reject) pr.pendingSnapshot = 0;
      pr.becomeProbe();
      pr.probeSent = true; // wait for the next heartbeat response before probing
      break;
    case MessageType.Unreachable:
      if (pr.state === 'replicate') pr.becomeProbe();
      break;
  }
  return undefined;
}

/** Appends proposed entries (at most one pending config change) and replicates them; returns a drop reason. */
function propose(r: Raft, m: Message): string | undefined {
  if (m.entries.length === 0) return 'empty proposal';
  if (!r.tracker.progress.has(r.id)) return 'this node was removed from the group';
  if (r.leadTransferee !== NONE) return `leadership transfer to ${r.leadTransferee} in progress`;
  for (let i = 0; i < m.entries.length; i++) {
    if (m.entries[i].type !== 'confChange') continue;
    if (r.pendingConfIndex > r.log.applied) return 'a configuration change is already pending';
    r.pendingConfIndex = r.log.lastIndex() + i + 1;
  }
  r.appendEntry(m.entries);
  r.bcastAppend();
  return undefined;
}

/** Starts a read-index round: record the commit index, then confirm leadership with a heartbeat quorum. */
function leaderReadIndex(r: Raft, m: Message): string | undefined {
  if (r.tracker.voters.size <= 1) {
    respondToReadIndex(r, m, r.log.committed);
    return undefined;
  }
  // The leader must know the commit index of its term before serving reads (thesis §6.4 step 1).
  if (r.log.term(r.log.committed) !== r.term) {
    r.pendingReadIndexMessages.push(m);
    return undefined;
  }
  r.readOnly.addRequest(r.log.committed, m);
  r.readOnly.recvAck(r.id, m.context);
  bcastHeartbeatWithContext(r, m.context);
  return undefined;
}

/** Sends a heartbeat carrying a read-index context to every peer. */
function bcastHeartbeatWithContext(r: Raft, ctx: Uint8Array | undefined): void {
  for (const id of r.tracker.progress.keys()) if (id !== r.id) r.sendHeartbeat(id, ctx);
}

/** Completes a read: a local ReadState, or a MsgReadIndexResp to the follower that asked. */
function respondToReadIndex(r: Raft, req: Message, index: number): void {
  if (req.from === NONE || req.from === r.id) {
    r.readStates.push({ index, context: req.context ?? new Uint8Array() });
  } else {
    r.send(message({ type: MessageType.ReadIndexResp, to: req.from, index, context: req.context }));
  }
}

/** Serves reads that waited for the first commit of the leader's term. */
function releasePendingReadIndexMessages(r: Raft): void {
  if (r.log.term(r.log.committed) !== r.term) return;
  const msgs = r.pendingReadIndexMessages;
  r.pendingReadIndexMessages = [];
  for (const m of msgs) leaderReadIndex(r, m);
}

/** Starts handing leadership to `target`: catch it up, then send MsgTimeoutNow. */
function transferLeader(r: Raft, target: NodeId): void {
  const pr = r.tracker.progress.get(target);
  if (!pr || pr.isLearner) return;
  if (r.leadTransferee === target || target === r.id) return;
  r.electionElapsed = 0; // the transfer must finish within one election timeout
  r.leadTransferee = target;
  if (pr.match === r.log.lastIndex()) r.send(message({ type: MessageType.TimeoutNow, to: target }));
  else r.maybeSendAppend(target, true);
}

/** Updates a follower's progress from an append response; backtracks fast on rejection (etcd `findConflictByTerm`). */
function handleAppResp(r: Raft, m: Message, pr: Progress): void {
  pr.recentActive = true;
  if (m.reject) {
    let nextProbe = m.rejectHint;
    if (m.logTerm > 0) nextProbe = r.log.findConflictByTerm(m.rejectHint, m.logTerm)[0];
    if (pr.maybeDecrTo(m.index, nextProbe)) {
      if (pr.state === 'replicate') pr.becomeProbe();
      r.maybeSendAppend(m.from, true);
    }
    return;
  }
  const oldPaused = pr.isPaused();
  if (pr.maybeUpdate(m.index) || (pr.match === m.index && pr.state === 'probe')) {
    if (pr.state === 'probe') pr.becomeReplicate();
    else if (pr.state === 'snapshot' && pr.match >= pr.pendingSnapshot) {
      pr.becomeProbe();
      pr.becomeReplicate();
    } else if (pr.state === 'replicate') pr.inflights.freeLE(m.index);
    if (r.maybeCommit()) {
      releasePendingReadIndexMessages(r);
      r.bcastCommit();
    } else if (oldPaused) {
      r.maybeSendAppend(m.from, true);
    }
    while (r.maybeSendAppend(m.from, false)) { /* keep the pipeline full */ }
    if (pr.state === 'replicate' && pr.inflights.count() === 0 && pr.sentCommit < r.log.committed) {
      r.maybeSendAppend(m.from, true); // its pipeline drained: now tell it the commit index (see bcastCommit)
    }
    if (m.from === r.leadTransferee && pr.match === r.log.lastIndex()) {
      r.send(message({ type: MessageType.TimeoutNow, to: m.from }));
    }
  }
}

/** Handles a heartbeat response: resumes sending, and counts read-index acknowledgements. */
function handleHeartbeatResp(r: Raft, m: Message, pr: Progress): void {
  pr.recentActive = true;
  pr.probeSent = false;
  if (pr.state === 'replicate' && pr.inflights.full()) pr.inflights.freeFirstOne();
  if (pr.match < r.log.lastIndex()) r.maybeSendAppend(m.from, true);
  if (!m.context || m.context.byteLength === 0) return;
  const acks = r.readOnly.recvAck(m.from, m.context);
  if (!acks) return;
  let n = 0;
  for (const id of acks) if (r.tracker.voters.has(id)) n++;
  if (n < r.tracker.quorum()) return;
  for (const rs of r.readOnly.advance(m.context)) respondToReadIndex(r, rs.req, rs.index);
}
