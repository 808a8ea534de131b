/**
 * The simulated cluster: N machines, each with a persistent clock and disk, running one process
 * of the system under test at a time; crash kills the process (timers, network endpoint, pending
 * I/O) and drops the disk's unsynced bytes (tearing one file's tail), restart builds a new
 * process from what the disk kept.
 */
import { MemoryDisk } from '@shoal/actors';
import type { NodeId, Random } from '@shoal/actors';
import type { RaftEventLog } from './raft-events-log.ts';
import { deriveRandom } from './random-tree.ts';
import type { Scheduler } from './scheduler.ts';
import { SimClock, SimTimers } from './sim-clock.ts';
import { SimDisk } from './sim-disk.ts';
import type { DiskFaults } from './sim-disk.ts';
import type { SimNetwork } from './sim-network.ts';
import type { SimProcess, SystemUnderTest } from './system.ts';
import type { Trace } from './trace.ts';

/** Wall-clock origin of every simulated machine: 2026-01-01T00:00:00Z (fixed, so runs replay). */
export const WALL_ORIGIN_MS = Date.UTC(2026, 0, 1);

/** The name of the (single) Raft group of a simulated cluster in the Raft event trace. */
export const RAFT_GROUP = 'kv';

/** Options of {@link SimCluster}. */
export interface SimClusterOptions {
  seed: number;
  /** Number of machines (≥ 1); ids are `n1` … `nN`. */
  nodes: number;
  scheduler: Scheduler;
  trace: Trace;
  network: SimNetwork;
  system: SystemUnderTest;
  /** Current disk fault parameters (read at each disk call). */
  diskFaults: () => DiskFaults;
  mutation?: string;
  /** Where nodes record Raft events; the cluster records their crashes there too. */
  raftEvents: RaftEventLog;
}

/** One running process and the parts to kill when it crashes. */
interface Running {
  process: SimProcess;
  timers: SimTimers;
  disk: SimDisk;
}

/** A machine: what survives its processes. */
interface Machine {
  readonly id: NodeId;
  readonly clock: SimClock;
  readonly store: MemoryDisk;
  readonly diskRandom: Random;
  incarnation: number;
  running: Running | undefined;
}

/** The machines of a run and their processes. */
export class SimCluster {
  /** Node ids in order. */
  readonly ids: readonly NodeId[];
  readonly #opts: SimClusterOptions;
  readonly #machines = new Map<NodeId, Machine>();

  /** @throws RangeError if `nodes` is not a positive integer. */
  constructor(opts: SimClusterOptions) {
    if (!Number.isInteger(opts.nodes) || opts.nodes < 1) throw new RangeError(`SimCluster: nodes must be a positive integer, got ${opts.nodes}`);
    this.#opts = opts;
    this.ids = Array.from({ length: opts.nodes }, (_, i) => `n${i + 1}`);
    for (const id of this.ids) {
      this.#machines.set(id, {
        id,
        clock: new SimClock(opts.scheduler, WALL_ORIGIN_MS),
        store: new MemoryDisk(),
        diskRandom: deriveRandom(opts.seed, 'disk', id),
        incarnation: -1,
        running: undefined,
      });
    }
  }

  /** Starts a process on every machine. */
  startAll(): void {
    for (const id of this.ids) this.restart(id);
  }

  /** True if machine `id` runs a process. @throws RangeError for an unknown id. */
  isUp(id: NodeId): boolean {
    return this.#machine(id).running !== undefined;
  }

  /** The running process of `id`, or undefined while it is down. @throws RangeError for an unknown id. */
  process(id: NodeId): SimProcess | undefined {
    return this.#machine(id).running?.process;
  }

  /** The machine's clock (for skew faults). @throws RangeError for an unknown id. */
  clock(id: NodeId): SimClock {
    return this.#machine(id).clock;
  }

  /**
   * Power loss on `id`: the process stops (timers cancelled, network endpoint inert, pending and
   * later I/O never settles) and the disk keeps only synced bytes, one file possibly keeping a
   * torn prefix of its unsynced tail. A no-op if it is already down. @throws RangeError for an unknown id.
   */
  crash(id: NodeId): void {
    const m = this.#machine(id);
    const r = m.running;
    if (r === undefined) return;
    r.timers.kill();
    r.disk.kill();
    this.#opts.network.detach(id);
    m.store.crash({ tornTail: true, random: m.diskRandom });
    m.running = undefined;
    this.#opts.trace.record(this.#opts.scheduler.nowMs, id, 'crash', `incarnation ${m.incarnation}`);
    this.#opts.raftEvents.record(id, { type: 'crashed', group: RAFT_GROUP });
  }

  /** Starts a new process on `id` from its disk (crashing the running one first, if any). @throws RangeError for an unknown id. */
  restart(id: NodeId): void {
    const m = this.#machine(id);
    if (m.running !== undefined) this.crash(id);
    const { scheduler, trace, network, seed } = this.#opts;
    m.incarnation++;
    const timers = new SimTimers(scheduler, m.clock);
    const disk = new SimDisk(m.store, {
      node: id, nowMs: () => scheduler.nowMs, trace, random: m.diskRandom, faults: this.#opts.diskFaults,
    });
    const env = {
      clock: m.clock, timers, disk, network: network.attach(id), random: deriveRandom(seed, 'node', id, 'incarnation', m.incarnation),
    };
    trace.record(scheduler.nowMs, id, 'start', `incarnation ${m.incarnation}`);
    const { raftEvents } = this.#opts;
    const process = this.#opts.system.start({
      env, id, nodes: this.ids, incarnation: m.incarnation, mutation: this.#opts.mutation, recordRaft: (e) => raftEvents.record(id, e),
    });
    m.running = { process, timers, disk };
  }

  #machine(id: NodeId): Machine {
    const m = this.#machines.get(id);
    if (m === undefined) throw new RangeError(`SimCluster: unknown node ${JSON.stringify(id)}; nodes are ${this.ids.join(', ')}`);
    return m;
  }
}
