/**
 * `@shoal/sim`: the deterministic simulator (DESIGN.md, "Testing"). One run = one seed: a virtual
 * clock and event queue ({@link Scheduler}), simulated machines ({@link SimCluster}) with drifting
 * clocks, crash-consistent disks and a faulty network, a fault schedule ({@link Nemesis}), client
 * workload and history ({@link Workload}), and a hashed trace ({@link Trace}); the system under
 * test is the Raft-replicated key-value store ({@link raftKv}, on `RaftGroup` of @shoal/raft).
 */
export { Scheduler } from './scheduler.ts';
export type { EventHandle } from './scheduler.ts';
export { chance, deriveRandom, exponential, pick, uniform } from './random-tree.ts';
export { Trace } from './trace.ts';
export type { TraceOptions } from './trace.ts';
export { MAX_DRIFT_PPM, SimClock, SimTimers } from './sim-clock.ts';
export { CALM_NETWORK, SimNetwork } from './sim-network.ts';
export type { NetworkFaults, NetworkStats } from './sim-network.ts';
export { CALM_DISK, SimDisk } from './sim-disk.ts';
export type { DiskFaults, SimDiskContext } from './sim-disk.ts';
export { DEFAULT_FAULTS, FAULT_KINDS, NO_FAULTS, describeFaults, drawSwarmFaults } from './faults.ts';
export type { FaultKind, ScheduleFaults, SimFaults } from './faults.ts';
export { RAFT_GROUP, SimCluster, WALL_ORIGIN_MS } from './cluster.ts';
export type { SimClusterOptions } from './cluster.ts';
export { Nemesis } from './nemesis.ts';
export { DEFAULT_WORKLOAD, Workload } from './workload.ts';
export type { WorkloadOptions } from './workload.ts';
export { HEAL_LEADER_BOUND_MS, MAX_EVENTS_PER_SECOND, SWARM_SNAPSHOT_EVERY, runSeed } from './run.ts';
export type { RunOptions, RunResult } from './run.ts';
export type { KvReply, NodeContext, SimProcess, SystemUnderTest } from './system.ts';
export { RaftEventLog } from './raft-events-log.ts';
export type { RaftEventInput } from './raft-events-log.ts';
export { RecordLog, decodeRecords, encodeRecord } from './record-log.ts';
export { DEFAULT_SNAPSHOT_EVERY, ELECTION_TICKS, HEARTBEAT_TICKS, RAFT_MUTATIONS, RESTART_RETRY_MS, TICK_MS, raftKv } from './raft-node.ts';
