import { invalidParameter } from '@shoal/actors';
import type { ConfChange } from './conf-change.ts';
import { decodeConfChange } from './conf-change.ts';
import { Progress } from './progress.ts';
import type { Raft } from './raft.ts';
import type { ConfState, Entry } from './types.ts';
import { NONE } from './types.ts';

// Membership of the Raft state machine (etcd raft.go `applyConfChange`, `switchToConfig`):
// single-server configuration changes (Raft thesis §4.1), applied by the application once their
// entries are committed, and configurations restored from snapshots.

/**
 * Makes `cs` the configuration of `r`: voters and learners, a progress entry for each new member
 * (next = last index + 1, counted active until the next check-quorum round), none for removed ones.
 */
export function applyConfState(r: Raft, cs: ConfState): void {
  r.tracker.voters = new Set(cs.voters);
  r.tracker.learners = new Set(cs.learners);
  const next = r.log.lastIndex() + 1;
  for (const id of [...cs.voters, ...cs.learners]) {
    const learner = r.tracker.learners.has(id);
    const pr = r.tracker.progress.get(id);
    if (pr) pr.isLearner = learner;
    else {
      const fresh = new Progress(next, learner, r.maxInflight, r.maxInflightBytes);
      if (id === r.id) fresh.match = next - 1;
      fresh.recentActive = true;
      r.tracker.progress.set(id, fresh);
    }
  }
  for (const id of [...r.tracker.progress.keys()]) {
    if (!r.tracker.voters.has(id) && !r.tracker.learners.has(id)) r.tracker.progress.delete(id);
  }
}

/**
 * Applies a committed single-server configuration change (Raft thesis §4.1) to `r` and returns
 * the new configuration. A leader that is no longer a voter steps down; one that still is may
 * commit (the quorum changed) and replicates to new members.
 */
export function applyConfChange(r: Raft, cc: ConfChange): ConfState {
  const cs = r.tracker.confState();
  const voters = new Set(cs.voters);
  const learners = new Set(cs.learners);
  if (cc.type === 'addNode') {
    learners.delete(cc.nodeId);
    voters.add(cc.nodeId);
  } else if (cc.type === 'addLearner') {
    voters.delete(cc.nodeId);
    learners.add(cc.nodeId);
  } else {
    voters.delete(cc.nodeId);
    learners.delete(cc.nodeId);
  }
  applyConfState(r, { voters: [...voters], learners: [...learners] });
  if (r.state === 'leader') {
    if (!voters.has(r.id)) {
      r.becomeFollower(r.term, NONE);
    } else {
      if (r.leadTransferee !== NONE && !voters.has(r.leadTransferee)) r.leadTransferee = NONE;
      if (r.maybeCommit()) r.bcastAppend();
      else for (const id of r.tracker.progress.keys()) if (id !== r.id) r.maybeSendAppend(id, false);
    }
  }
  return r.tracker.confState();
}

/**
 * Decodes and applies a committed `confChange` entry (see {@link applyConfChange}).
 * @throws ShoalError ParameterInvalid if `e` is not a `confChange` entry.
 */
export function applyConfChangeEntry(r: Raft, e: Entry): ConfState {
  if (e.type !== 'confChange') throw invalidParameter(`applyConfChangeEntry: entry ${e.index} is not a confChange entry`);
  return applyConfChange(r, decodeConfChange(e.data));
}
