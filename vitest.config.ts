import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    pool: 'forks',
    // Vitest's default is one worker per core minus one: a single worker on a 2-core machine, which
    // then waits on DynamoDB Local, Chromium, esbuild and child processes one file at a time. One
    // per core (at least two) overlaps those waits; more made the browser tests and the store's 1 s
    // request timeout fail on a loaded 2-core machine.
    maxWorkers: Math.max(2, Math.min(availableParallelism(), 8)),
    env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    // Generous: on 2 cores the browser, esbuild, cdk synth and DynamoDB Local share the CPU, and a
    // test that waits on all of them must not fail for the wait alone.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    projects: [
      {
        // Pure rules: no store, so `npm run test:unit` starts no DynamoDB Local.
        extends: true,
        test: { name: 'unit', include: ['test/unit/**/*.test.ts'] },
      },
      {
        // One DynamoDB Local for the run (test/support/global-setup.ts), shared by every worker;
        // each test file works in tables of its own.
        extends: true,
        test: {
          name: 'store',
          include: ['test/**/*.test.ts'],
          exclude: ['test/unit/**', 'test/bench/**', 'node_modules/**'],
          globalSetup: ['test/support/global-setup.ts'],
        },
      },
    ],
  },
});
