/**
 * `@shoal/actors`: the environment contract (`Env`), Shoal's error type, the wire codec, a seeded
 * PRNG, the single-node loopback network, the durable record log (`record-log/`: checksummed
 * records with group commit and file rollover, the WAL of shards and Raft groups), and the actor
 * runtime that every other package builds on (DESIGN.md, "Actors" and "The determinism rule").
 *
 * Real implementations of the environment (clock, timers, disk, `createNodeEnv`, `createTestEnv`)
 * live in the `@shoal/actors/node` entry, which package code outside adapter folders must not use.
 */
export * from './env.ts';
export * from './errors.ts';
export { decode, encode } from './codec.ts';
export { SeededRandom } from './random.ts';
export { LoopbackNetwork } from './loopback-network.ts';
export { DeferredReply, deferReply } from './actor.ts';
export type { Actor, ActorContext, ActorRef, Address } from './actor.ts';
export { ActorSystem, NETWORK_ERROR_PATH } from './system.ts';
export type { ActorSystemOptions, ActorSystemStats } from './system.ts';
export { MemoryDisk } from './memory-disk.ts';
export { MAX_CARVED_BYTES, carveBytes, copyBytes, regionOf } from './byte-slab.ts';
export type { CarvedBytes } from './byte-slab.ts';
export type { CrashOptions } from './memory-disk.ts';
export { crc32 } from './record-log/checksum.ts';
export { DEFAULT_WAL_SEGMENT_BYTES, openWal } from './record-log/wal.ts';
export type { OpenedWal, WalOptions, WalRecord, WriteAheadLog } from './record-log/wal.ts';
