import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/** Unit tests of the console's pure modules (translations, the message tree); the browser tests are Playwright's (e2e/). */
export default defineConfig({
  resolve: { alias: [{ find: /^@\//, replacement: fileURLToPath(new URL('./src/', import.meta.url)) }] },
  test: { include: ['src/**/*.test.ts'] },
});
