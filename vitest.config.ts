import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Most test files spend their time waiting on child processes, sockets and timers: two files at a
    // time even on 2 cores (vitest's default there is one), which overlaps one file's waiting and
    // start-up with the other's work.
    maxWorkers: Math.max(2, availableParallelism() - 1),
  },
});
