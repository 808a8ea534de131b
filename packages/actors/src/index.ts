/**
 * `@shoal/actors`: the environment contract (`Env`), Shoal's error type, and the actor runtime
 * that every other package builds on (DESIGN.md, "Actors" and "The determinism rule").
 *
 * Real implementations of the environment (clock, timers, disk) live in the `./node` entry.
 */
export * from './env.ts';
export * from './errors.ts';
