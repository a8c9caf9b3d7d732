import { defineConfig } from 'vitest/config';

// `pnpm test:ops`: the tests that build the images and run the platform from them (podman).
export default defineConfig({
  test: {
    include: ['test/**/*.ops.test.ts'],
    fileParallelism: false,
    testTimeout: 180_000,
    // A first build (debootstrap, five images, the console's production build) takes minutes.
    hookTimeout: 40 * 60_000,
  },
});
