import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two files at a time, whatever the machine: most of a file's time is spent waiting (on the local
    // stage's servers, DynamoDB Local, Chromium), so on two cores a second file fills that wait. The
    // default, one fewer than the cores, would run them one by one here.
    maxWorkers: 2,
    env: {
      // The SDK's documented switch for its notice that it drops Node 20 in 2027, printed by every worker.
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      // Nothing is traced in a test (the tracer traces only inside Lambda), yet the X-Ray SDK's automatic
      // mode puts an async hook on every promise: about half the CPU of a test's DynamoDB calls against
      // dynalite. Manual mode leaves it out, as the local runtime does when it does not trace.
      AWS_XRAY_MANUAL_MODE: 'true',
    },
  },
});
