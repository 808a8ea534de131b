import { invalidParameter } from '@shoal/actors';
import type { ConsistencyLevel } from './service.ts';
import { composeTs, physicalMs } from './tso.ts';

/** Consistency levels Milvus accepts. */
export const CONSISTENCY_LEVELS: readonly ConsistencyLevel[] = ['Strong', 'Bounded', 'Session', 'Eventually'];
/** Staleness of `Bounded` reads in ms (Milvus default 5 s). */
export const BOUNDED_STALENESS_MS = 5000;

/**
 * The guarantee timestamp of a read (DESIGN.md, "Timestamps and consistency"): Strong = a fresh
 * timestamp `nowTs`; Bounded = `nowTs − 5 s`; Session = the client's last write timestamp;
 * Eventually = 0. A replica answers once every write at or below it is serviceable.
 * @throws ShoalError ParameterInvalid for an unknown level.
 */
export function guaranteeTs(level: ConsistencyLevel, nowTs: bigint, sessionTs: bigint): bigint {
  switch (level) {
    case 'Strong': return nowTs;
    case 'Bounded': return composeTs(Math.max(0, physicalMs(nowTs) - BOUNDED_STALENESS_MS));
    case 'Session': return sessionTs;
    case 'Eventually': return 0n;
    default: throw invalidParameter(`unknown consistencyLevel ${JSON.stringify(level)}; allowed: ${CONSISTENCY_LEVELS.join(', ')}`);
  }
}
