/**
 * One simulation run: a seed in, a verdict and a trace hash out. Builds the scheduler, the
 * network, the cluster (each machine's clock drifting by up to the schedule's `maxDriftPpm`), the
 * fault schedule and the workload from the seed, runs the faulty
 * phase, then a healing phase (faults off, every machine up) in which the system must make
 * progress again, and checks the recorded history.
 */
import { checkLinearizability } from './checkers/linearizability.ts';
import type { ClientOp } from './checkers/history.ts';
import { checkAckedWritesApplied, checkLivenessAfterHealing } from './checkers/raft-liveness.ts';
import { checkRaftSafety } from './checkers/raft-safety.ts';
import type { RaftEvent } from './checkers/raft-events.ts';
import { RAFT_GROUP, SimCluster } from './cluster.ts';
import { DEFAULT_FAULTS, NO_FAULTS, drawSwarmFaults } from './faults.ts';
import type { SimFaults } from './faults.ts';
import { Nemesis } from './nemesis.ts';
import { ELECTION_TICKS, TICK_MS } from './raft-node.ts';
import { RaftEventLog } from './raft-events-log.ts';
import { deriveRandom, uniform } from './random-tree.ts';
import { Scheduler } from './scheduler.ts';
import type { DiskFaults } from './sim-disk.ts';
import { SimNetwork } from './sim-network.ts';
import type { NetworkStats } from './sim-network.ts';
import type { SystemUnderTest } from './system.ts';
import { Trace } from './trace.ts';
import { DEFAULT_WORKLOAD, Workload } from './workload.ts';
import type { WorkloadOptions } from './workload.ts';

/**
 * Most scheduler events per virtual second of a run before it is failed as an event storm
 * (a healthy 5-node run has about 2,000–3,000).
 */
export const MAX_EVENTS_PER_SECOND = 20_000;

/**
 * How long after healing a Raft system must have a leader (virtual ms), capped at half the
 * healing phase: four of raft-kv's longest election timeouts (2 × ELECTION_TICKS × TICK_MS), room
 * for restarted nodes to recover, pre-vote rounds, split votes and check-quorum leases to expire.
 */
export const HEAL_LEADER_BOUND_MS = 4 * 2 * ELECTION_TICKS * TICK_MS;

/**
 * Applied entries between two snapshots in a `--swarm` run: drawn per seed in [5, 60], small
 * enough that lagging and restarted followers often catch up by InstallSnapshot. Without
 * `--swarm` the system's default.
 */
export const SWARM_SNAPSHOT_EVERY = { min: 5, max: 60 } as const;

/** Options of {@link runSeed}; times in virtual ms. */
export interface RunOptions {
  /** The run seed (a safe integer). */
  seed: number;
  /** Number of machines. */
  nodes: number;
  /** Length of the faulty phase. */
  durationMs: number;
  /** Length of the healing phase that follows it (> 0 requires progress in its second half). */
  healMs: number;
  /** Draw the fault parameters from the seed instead of {@link DEFAULT_FAULTS}. */
  swarm: boolean;
  /** A mutation of the system under test (already validated), or undefined. */
  mutation?: string;
  system: SystemUnderTest;
  /** Keep the whole trace (for `--trace`). */
  keepTrace?: boolean;
  /** Workload parameters; default {@link DEFAULT_WORKLOAD}. */
  workload?: WorkloadOptions;
}

/** The outcome of a run. */
export interface RunResult {
  seed: number;
  /** True if no event threw and every check passed. */
  ok: boolean;
  /** Why the run failed (first failure), if it did. */
  failure?: string;
  /** SHA-256 of the trace: equal for two runs of the same seed and options. */
  traceHash: string;
  trace: Trace;
  faults: SimFaults;
  history: ClientOp[];
  /** The Raft events the nodes recorded (empty for a system without Raft). */
  raftEvents: RaftEvent[];
  /** Snapshots nodes installed from a leader (InstallSnapshot; not their own restored at restart). */
  snapshotsInstalled: number;
  /** Restarts that failed (corruption detected) and were retried. */
  failedRestarts: number;
  network: NetworkStats;
}

/**
 * Runs one seed. Never throws for a failure of the system under test (an exception from a node,
 * an unhandled promise rejection, a failed check): those make `ok` false and fill `failure`.
 * @throws RangeError on invalid options (seed, nodes, times).
 */
export async function runSeed(opts: RunOptions): Promise<RunResult> {
  if (!Number.isSafeInteger(opts.seed)) throw new RangeError(`runSeed: seed must be a safe integer, got ${opts.seed}`);
  for (const k of ['durationMs', 'healMs'] as const) {
    if (!(Number.isFinite(opts[k]) && opts[k] >= 0)) throw new RangeError(`runSeed: ${k} must be a finite number ≥ 0, got ${opts[k]}`);
  }
  const { seed } = opts;
  const faults = opts.swarm ? drawSwarmFaults(deriveRandom(seed, 'swarm')) : DEFAULT_FAULTS;
  const scheduler = new Scheduler();
  const trace = new Trace({ keepAll: opts.keepTrace ?? false });
  const network = new SimNetwork(scheduler, deriveRandom(seed, 'network'), trace, faults.network, opts.system.describeMessage?.bind(opts.system));
  let diskFaults: DiskFaults = faults.disk;
  const raftEventLog = new RaftEventLog(scheduler, trace);
  const snapshotEvery = opts.swarm
    ? SWARM_SNAPSHOT_EVERY.min + deriveRandom(seed, 'snapshots').int(SWARM_SNAPSHOT_EVERY.max - SWARM_SNAPSHOT_EVERY.min + 1)
    : undefined;
  const system: SystemUnderTest = snapshotEvery === undefined ? opts.system : { ...opts.system, start: (ctx) => opts.system.start({ ...ctx, snapshotEvery }) };
  const cluster = new SimCluster({
    seed, nodes: opts.nodes, scheduler, trace, network, system, diskFaults: () => diskFaults, mutation: opts.mutation,
    raftEvents: raftEventLog,
  });
  const clockRandom = deriveRandom(seed, 'clock');
  for (const id of cluster.ids) cluster.clock(id).setDrift(uniform(clockRandom, -faults.schedule.maxDriftPpm, faults.schedule.maxDriftPpm));
  const nemesis = new Nemesis(scheduler, deriveRandom(seed, 'nemesis'), cluster, network, trace, faults.schedule);
  const workloadOptions = opts.workload ?? DEFAULT_WORKLOAD;
  const workload = new Workload(scheduler, deriveRandom(seed, 'workload'), cluster, trace, workloadOptions);
  /** The end of the run: the healing phase, then time for the last operations to return or time out. */
  const endAt = opts.durationMs + opts.healMs + workloadOptions.timeoutMs + 2 * workloadOptions.clientLatencyMs;

  let failure: string | undefined;
  const onRejection = (reason: unknown): void => {
    failure ??= `unhandled promise rejection at ${scheduler.nowMs.toFixed(3)} ms: ${describeError(reason)}`;
  };
  process.on('unhandledRejection', onRejection);
  try {
    trace.record(0, '-', 'run', `seed ${seed} nodes ${opts.nodes} system ${opts.system.name}${snapshotEvery === undefined ? '' : ` snapshot-every ${snapshotEvery}`}${opts.mutation === undefined ? '' : ` mutation ${opts.mutation}`}`);
    cluster.startAll();
    nemesis.start();
    workload.start();
    const budget = (endMs: number): number => Math.max(1000, Math.ceil(((endMs - scheduler.nowMs) / 1000) * MAX_EVENTS_PER_SECOND));
    const runUntil = (endMs: number): Promise<number> => scheduler.runUntil(endMs, budget(endMs));
    await runUntil(opts.durationMs);
    trace.record(scheduler.nowMs, '-', 'heal', 'faults off, every machine up');
    nemesis.stopAndHeal();
    network.setFaults(NO_FAULTS.network);
    diskFaults = NO_FAULTS.disk;
    await runUntil(opts.durationMs + opts.healMs);
    workload.stop();
    await runUntil(endAt);
  } catch (err) {
    failure ??= `exception at ${scheduler.nowMs.toFixed(3)} ms: ${describeError(err)}`;
  } finally {
    process.off('unhandledRejection', onRejection);
  }
  const history = workload.history();
  const raftEvents = raftEventLog.events();
  failure ??= checkRun(history, raftEvents, cluster.ids, { healedAt: opts.durationMs, healMs: opts.healMs, endAt, workload: workloadOptions });
  if (failure !== undefined) trace.record(scheduler.nowMs, '-', 'FAIL', failure.split('\n')[0]);
  const snapshotsInstalled = raftEvents.filter((e) => e.type === 'snapshotInstalled' && e.fromDisk !== true).length;
  const failedRestarts = raftEvents.filter((e) => e.type === 'restartFailed').length;
  return {
    seed, ok: failure === undefined, failure, traceHash: trace.digest(), trace, faults, history, raftEvents, snapshotsInstalled, failedRestarts, network: { ...network.stats },
  };
}

/** When the healing phase started and the trace ended (virtual ms), and the workload, for {@link checkRun}. */
interface RunTimes {
  healedAt: number;
  healMs: number;
  endAt: number;
  workload: WorkloadOptions;
}

/**
 * The checks of a finished run: Raft safety over the Raft events (election safety, log matching,
 * leader completeness, state machine safety, term safety), linearizability of the history, then
 * progress in the second half of the healing phase, and, for a system that records Raft elections
 * (`hardState` or `becameLeader` events), liveness after healing (a leader within {@link HEAL_LEADER_BOUND_MS} or half the healing phase,
 * and every operation invoked after that resolves, ok or fail, within the client timeout) and,
 * for one that records `applied` events, that every node applied every acknowledged write by the
 * end. Returns the first failure, or undefined.
 */
function checkRun(history: readonly ClientOp[], raftEvents: readonly RaftEvent[], nodes: readonly string[], t: RunTimes): string | undefined {
  const raft = checkRaftSafety(raftEvents);
  if (!raft.ok) return `raft safety violated: ${raft.violation}`;
  const lin = checkLinearizability(history);
  if (!lin.ok) return `${lin.undecided === true ? 'linearizability undecided' : 'linearizability violated'}: ${lin.violation}`;
  if (t.healMs > 0) {
    const from = t.healedAt + t.healMs / 2;
    const progressed = history.some((op) => op.invokeAt >= from && op.outcome.status === 'ok');
    if (!progressed) return `liveness: no client operation invoked after ${from.toFixed(0)} ms (second half of the healing phase) succeeded`;
    if (raftEvents.some((e) => e.type === 'hardState' || e.type === 'becameLeader')) {
      const live = checkLivenessAfterHealing(raftEvents, history, {
        healedAt: t.healedAt, endAt: t.endAt, leaderWithinMs: Math.min(HEAL_LEADER_BOUND_MS, t.healMs / 2),
        resolveWithinMs: t.workload.timeoutMs + 2 * t.workload.clientLatencyMs, groups: [RAFT_GROUP],
      });
      if (!live.ok) return live.violation;
    }
    if (raftEvents.some((e) => e.type === 'applied')) {
      const acked = checkAckedWritesApplied(history, raftEvents, () => ({ group: RAFT_GROUP, nodes }));
      if (!acked.ok) return acked.violation;
    }
  }
  return undefined;
}

function describeError(err: unknown): string {
  return err instanceof Error ? (err.stack ?? `${err.name}: ${err.message}`) : String(err);
}
