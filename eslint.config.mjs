// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', 'inference/models/**', 'tests/bench/results/**', 'console/.next/**', 'console/src/gql/**', 'console/next-env.d.ts', 'console/test-results/**', 'console/playwright-report/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx'],
    rules: {
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'Read configuration through src/env.ts.' }],
    },
  },
  {
    // Only the env modules and test/bench harnesses read the environment directly.
    files: ['**/src/env.ts', '**/test/**', 'tests/**', '**/scripts/**', 'console/e2e/**', 'console/*.config.ts'],
    rules: { 'no-restricted-properties': 'off' },
  },
  {
    files: ['**/test/**/*.ts', 'tests/**/*.ts', 'console/e2e/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // Modules reach each other only through their public index.ts (CASL rules are data shared by
    // the api and the console; a module's other files are its own business).
    files: ['api/src/modules/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ regex: '^\\.\\./[a-z-]+/(?!index\\.js$)', message: 'Import another module through its index.js.' }] }],
    },
  },
  {
    // The api's own files (server, schema, env) too.
    files: ['api/src/*.ts', 'api/src/server/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ regex: '/modules/[a-z-]+/(?!index\\.js$)', message: 'Import a module through its index.js.' }] }],
    },
  },
  {
    files: ['**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', fetch: 'readonly' } },
  },
);
