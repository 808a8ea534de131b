import type { Command } from 'commander';
/** Registers `shoal bench` (written next). */
export function registerBench(_program: Command): void {}
