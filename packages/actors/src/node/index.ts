/**
 * `@shoal/actors/node`: the real environment of a Node.js process (DESIGN.md, "The determinism
 * rule": only adapter folders like this one touch the clock, timers, OS randomness and files).
 */
export { RealTimers, realClock } from './clock.ts';
export { createNodeEnv } from './env.ts';
export type { NodeEnvOptions } from './env.ts';
export { createTestEnv } from './test-env.ts';
export type { TestEnvOptions } from './test-env.ts';
export { NodeDisk } from './disk.ts';
