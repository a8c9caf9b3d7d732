import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // The images test builds and runs containers: `pnpm test:ops` (vitest.ops.config.ts), not `pnpm test`.
    exclude: ['**/node_modules/**', 'test/**/*.ops.test.ts'],
    // Some tests start Prometheus and the platform on a 2-core machine: one file at a time.
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
});
