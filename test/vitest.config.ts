/**
 * vitest settings of the integration tests: real `shoal start` processes, so generous timeouts,
 * and one test file at a time (each file runs its own node; on 2 cores parallel files would only
 * make timings noisy).
 */
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['**/node_modules/**'],
    testTimeout: 180_000,
    hookTimeout: 120_000,
    teardownTimeout: 30_000,
    fileParallelism: false,
  },
});
