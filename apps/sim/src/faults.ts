/**
 * The fault parameters of a simulation run: the network's loss/duplication/delay distribution,
 * the disk's corruption rate, and how often and how long the fault schedule ({@link Nemesis},
 * ./nemesis.ts) partitions, clogs, crashes and skews. `--swarm` draws them from the seed (swarm
 * testing: Groce et al., "Swarm Testing", ISSTA 2012), so that different seeds explore different
 * mixes of faults rather than one average mix.
 */
import type { Random } from '@shoal/actors';
import { CALM_DISK } from './sim-disk.ts';
import type { DiskFaults } from './sim-disk.ts';
import { CALM_NETWORK } from './sim-network.ts';
import type { NetworkFaults } from './sim-network.ts';
import { chance, uniform } from './random-tree.ts';

/** The kinds of fault the schedule can inject. */
export const FAULT_KINDS = ['partition', 'one-way', 'clog', 'crash', 'clock-jump', 'drift'] as const;

/** One kind of scheduled fault. */
export type FaultKind = (typeof FAULT_KINDS)[number];

/** The fault schedule's parameters; times in virtual ms. */
export interface ScheduleFaults {
  /** The kinds enabled (an empty list: no scheduled faults). */
  kinds: readonly FaultKind[];
  /** Mean time between two injected faults (exponentially distributed). */
  meanIntervalMs: number;
  /** Mean duration of a partition, clog or crash downtime (exponentially distributed). */
  meanDurationMs: number;
  /** Largest wall-clock jump, either direction. */
  maxClockJumpMs: number;
  /** Largest clock drift magnitude, in ppm. */
  maxDriftPpm: number;
}

/** Every fault parameter of a run. */
export interface SimFaults {
  network: NetworkFaults;
  disk: DiskFaults;
  schedule: ScheduleFaults;
}

/** A run with no faults at all (the healing phase's network and disk). */
export const NO_FAULTS: SimFaults = {
  network: CALM_NETWORK,
  disk: CALM_DISK,
  schedule: { kinds: [], meanIntervalMs: 1000, meanDurationMs: 1000, maxClockJumpMs: 0, maxDriftPpm: 0 },
};

/** The faults of a run without `--swarm`: every kind, at moderate rates. */
export const DEFAULT_FAULTS: SimFaults = {
  network: { lossRate: 0.02, duplicateRate: 0.01, baseDelayMs: 1, meanExtraDelayMs: 2, longTailRate: 0.01, longTailMs: 200 },
  disk: { readCorruptionRate: 0 },
  schedule: { kinds: FAULT_KINDS, meanIntervalMs: 2000, meanDurationMs: 1500, maxClockJumpMs: 5000, maxDriftPpm: 1000 },
};

/**
 * Swarm faults: each network rate, the delays, each fault kind (kept with probability 1/2) and
 * the schedule's pace and the disk's read corruption rate drawn from `random` (the run's `swarm`
 * stream). Each rate is 0 with probability 0.3, so that clean runs are explored too.
 */
export function drawSwarmFaults(random: Random): SimFaults {
  const rate = (max: number) => (chance(random, 0.3) ? 0 : uniform(random, 0, max));
  return {
    network: {
      lossRate: rate(0.2),
      duplicateRate: rate(0.1),
      baseDelayMs: uniform(random, 0.1, 5),
      meanExtraDelayMs: uniform(random, 0, 20),
      longTailRate: rate(0.05),
      longTailMs: uniform(random, 50, 2000),
    },
    disk: { readCorruptionRate: rate(0.2) },
    schedule: {
      kinds: FAULT_KINDS.filter(() => chance(random, 0.5)),
      meanIntervalMs: uniform(random, 200, 5000),
      meanDurationMs: uniform(random, 100, 5000),
      maxClockJumpMs: uniform(random, 0, 60_000),
      maxDriftPpm: uniform(random, 0, 50_000),
    },
  };
}

/** A one-line summary of `faults` for the run report, e.g. `loss=0.020 dup=0.010 … kinds=partition,crash`. */
export function describeFaults(faults: SimFaults): string {
  const n = faults.network;
  const s = faults.schedule;
  return `loss=${n.lossRate.toFixed(3)} dup=${n.duplicateRate.toFixed(3)} delay=${n.baseDelayMs.toFixed(1)}+exp(${n.meanExtraDelayMs.toFixed(1)})ms`
    + ` tail=${n.longTailRate.toFixed(3)}@${n.longTailMs.toFixed(0)}ms corrupt=${faults.disk.readCorruptionRate.toFixed(3)} kinds=${s.kinds.join(',') || 'none'}`
    + ` every~${s.meanIntervalMs.toFixed(0)}ms for~${s.meanDurationMs.toFixed(0)}ms`;
}
