/**
 * `openRaftGroup`: opens (or creates) a group member from its directory, restores its snapshot,
 * re-applies what the caller already holds, campaigns when it is the only voter, and starts it;
 * plus the disk and storage wrappers of the driver's testing mutations (../mutations.ts).
 */
import { invalidParameter, notSupported } from '@shoal/actors';
import type { AppendFile, Env } from '@shoal/actors';
import { decodeConfChange } from '../conf-change.ts';
import { RAFT_LIBRARY_MUTATIONS } from '../mutations.ts';
import { RaftNode } from '../node.ts';
import type { Storage } from '../storage.ts';
import type { HardState } from '../types.ts';
import { openDiskStorage } from './disk-storage.ts';
import type { RaftGroupOptions } from './options.ts';
import { RaftGroup } from './raft-group.ts';

function positiveInt(name: string, v: number | undefined, dflt: number): number {
  const x = v ?? dflt;
  if (!Number.isSafeInteger(x) || x < 1) throw invalidParameter(`openRaftGroup: ${name} must be a positive integer, got ${x}`);
  return x;
}

/**
 * Opens (or creates) the group member stored in `opts.dir` and starts it. A snapshot on disk is
 * restored into the state machine; committed entries after it (or after `appliedIndex`) are
 * re-delivered to `apply` as they are committed again. A one-voter group campaigns at once and
 * this resolves only when it is leader with its replayed log committed and applied (a group whose
 * log holds a membership change after the snapshot elects through the election timeout instead).
 * @throws ShoalError ParameterInvalid for a bad id, tick settings or appliedIndex; IoFailed for
 *   a corrupt or failing disk; notSupported for a stored snapshot without `stateMachine.restore`.
 */
export async function openRaftGroup(opts: RaftGroupOptions): Promise<RaftGroup> {
  if (!Number.isSafeInteger(opts.id) || opts.id <= 0) throw invalidParameter(`openRaftGroup: id must be a positive safe integer, got ${opts.id}`);
  const tickMs = positiveInt('tickMs', opts.tickMs, 100);
  const electionTick = positiveInt('electionTicks', opts.electionTicks, 10);
  const heartbeatTick = positiveInt('heartbeatTicks', opts.heartbeatTicks, 1);
  if (electionTick <= heartbeatTick) throw invalidParameter(`openRaftGroup: electionTicks (${electionTick}) must exceed heartbeatTicks (${heartbeatTick})`);
  const mutations: ReadonlySet<string> = opts.mutations ?? new Set();
  const disk = mutations.has('no-fsync') ? withoutFsync(opts.env.disk) : opts.env.disk;
  const storage = await openDiskStorage(disk, opts.dir, {
    ...(opts.confState === undefined ? {} : { confState: opts.confState }),
    ...(opts.segmentBytes === undefined ? {} : { segmentBytes: opts.segmentBytes }),
  });
  try {
    const snap = storage.snapshot();
    const snapIndex = snap.metadata.index;
    const forget = mutations.has('forget-hardstate-on-restart');
    const { confState } = storage.initialState();
    const hardState: HardState = forget ? { term: 0, vote: 0, commit: 0 } : storage.initialState().hardState;
    const applied = Math.max(opts.appliedIndex ?? snapIndex, snapIndex);
    if (!Number.isSafeInteger(applied) || applied > hardState.commit && applied > snapIndex) {
      throw invalidParameter(`openRaftGroup: appliedIndex ${opts.appliedIndex} exceeds the persisted commit index ${hardState.commit}`);
    }
    const node = new RaftNode({
      id: opts.id, storage: forget ? withHardState(storage, hardState) : storage, electionTick, heartbeatTick, rand: () => opts.env.random.next(), applied,
      ...(opts.preVote === undefined ? {} : { preVote: opts.preVote }),
      ...(opts.checkQuorum === undefined ? {} : { checkQuorum: opts.checkQuorum }),
      ...(opts.maxSizePerMsg === undefined ? {} : { maxSizePerMsg: opts.maxSizePerMsg }),
      ...(opts.maxInflightMsgs === undefined ? {} : { maxInflightMsgs: opts.maxInflightMsgs }),
      mutations: new Set(RAFT_LIBRARY_MUTATIONS.filter((m) => mutations.has(m))),
    });
    opts.observer?.opened?.(node);
    if (snapIndex > 0 && applied === snapIndex) {
      if (opts.stateMachine.restore === undefined) throw notSupported('reopening a group with a snapshot without stateMachine.restore()');
      await opts.stateMachine.restore(snap.data, snap.metadata);
    }
    // Membership changes the caller already applied (≤ appliedIndex) are not re-delivered: apply them to Raft here.
    if (applied > snapIndex) {
      for (const e of storage.entries(snapIndex + 1, applied + 1, Infinity)) {
        if (e.type === 'confChange') node.applyConfChange(decodeConfChange(e.data));
      }
    }
    const group = new RaftGroup(opts.env, node, storage, opts, tickMs);
    // Campaign at once only when the membership is surely {this node}: a confChange entry after the
    // snapshot may have added voters, and a lone campaign under a stale configuration is unsafe.
    const logged = storage.lastIndex() >= storage.firstIndex() ? storage.entries(storage.firstIndex(), storage.lastIndex() + 1, Infinity) : [];
    const single = confState.voters.length === 1 && confState.voters[0] === opts.id && confState.learners.length === 0 &&
      !logged.some((e) => e.type === 'confChange');
    if (single) node.campaign();
    group.start();
    if (single) await group.waitApplied(node.raft.log.lastIndex());
    return group;
  } catch (err) {
    await storage.close().catch(() => undefined);
    throw err;
  }
}

/** `disk` whose append files never fsync (the `no-fsync` mutation): a crash keeps none of their bytes. */
function withoutFsync(disk: Env['disk']): Env['disk'] {
  return new Proxy(disk, {
    get(target, prop) {
      if (prop !== 'openAppend') {
        // the target itself as the receiver: its getters and methods may use private fields
        const v: unknown = Reflect.get(target, prop, target);
        return typeof v === 'function' ? v.bind(target) : v;
      }
      return async (path: string): Promise<AppendFile> => {
        const f = await target.openAppend(path);
        return {
          get size() { return f.size; },
          append: (data) => f.append(data),
          sync: () => Promise.resolve(),
          truncate: (length) => f.truncate(length),
          close: () => f.close(),
        };
      };
    },
  });
}

/** `storage` with its recovered hard state replaced (the `forget-hardstate-on-restart` mutation). */
function withHardState(storage: Storage, hardState: HardState): Storage {
  return {
    initialState: () => ({ hardState, confState: storage.initialState().confState }),
    entries: (lo, hi, maxSize) => storage.entries(lo, hi, maxSize),
    term: (i) => storage.term(i),
    firstIndex: () => storage.firstIndex(),
    lastIndex: () => storage.lastIndex(),
    snapshot: () => storage.snapshot(),
  };
}
