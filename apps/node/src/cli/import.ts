import type { Command } from 'commander';
/** Registers `shoal import` (written next). */
export function registerImport(_program: Command): void {}
