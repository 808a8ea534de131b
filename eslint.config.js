// One lint setup for the monorepo. Its main job is DESIGN.md's determinism rule: code under
// packages/*/src reaches time, timers, randomness, disk and network only through `Env`
// (@shoal/actors). Adapter folders named `node/` (real implementations) are exempt.
import tseslint from 'typescript-eslint';

const nondeterministicImports = ['fs', 'node:fs', 'fs/promises', 'node:fs/promises', 'net', 'node:net',
  'dgram', 'node:dgram', 'child_process', 'node:child_process', 'http', 'node:http', 'https', 'node:https',
  'worker_threads', 'node:worker_threads', 'os', 'node:os', 'timers', 'node:timers', 'timers/promises',
  'node:timers/promises', 'perf_hooks', 'node:perf_hooks', 'crypto', 'node:crypto', 'libp2p'];

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', 'shoal-data/**', '.nx/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    files: ['packages/*/src/**/*.ts'],
    ignores: ['packages/*/src/node/**', 'packages/*/src/**/*.test.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: nondeterministicImports.map((name) => ({
        name, message: 'DESIGN.md determinism rule: reach disk, network, time and randomness through Env (@shoal/actors), or put real implementations in a src/node/ adapter folder.' })) }],
      'no-restricted-globals': ['error',
        { name: 'setTimeout', message: 'Use env.timers (DESIGN.md determinism rule).' },
        { name: 'setInterval', message: 'Use env.timers (DESIGN.md determinism rule).' },
        { name: 'setImmediate', message: 'Use env.timers (DESIGN.md determinism rule).' },
        { name: 'clearTimeout', message: 'Use env.timers (DESIGN.md determinism rule).' },
        { name: 'clearInterval', message: 'Use env.timers (DESIGN.md determinism rule).' },
        { name: 'performance', message: 'Use env.clock (DESIGN.md determinism rule).' },
        { name: 'fetch', message: 'Use the Env network (DESIGN.md determinism rule).' },
        { name: 'process', message: 'Package code must not read process state; pass configuration in.' }],
      'no-restricted-properties': ['error',
        { object: 'Date', property: 'now', message: 'Use env.clock.nowMs() (DESIGN.md determinism rule).' },
        { object: 'Math', property: 'random', message: 'Use env.random (DESIGN.md determinism rule).' },
        { object: 'crypto', property: 'getRandomValues', message: 'Use env.random (DESIGN.md determinism rule).' },
        { object: 'crypto', property: 'randomUUID', message: 'Use env.random (DESIGN.md determinism rule).' }],
      'no-restricted-syntax': ['error',
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'new Date() reads the wall clock: use env.clock (DESIGN.md determinism rule).' }],
    },
  },
);
