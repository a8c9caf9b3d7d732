import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * Typed GraphQL documents: every `graphql(`…`)` in src/ is checked against the api's committed
 * schema; a schema change that breaks a console query fails `pnpm typecheck` (which runs this
 * with --check, so stale generated files fail too).
 */
const config: CodegenConfig = {
  schema: '../api/schema.graphql',
  documents: ['src/**/*.{ts,tsx}', '!src/gql/**/*'],
  ignoreNoDocuments: false,
  generates: {
    './src/gql/': {
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        documentMode: 'string',
        enumsAsTypes: true,
        useTypeImports: true,
        strictScalars: true,
        scalars: { DateTimeISO: 'string', JSON: 'unknown', JSONObject: 'Record<string, unknown>', SafeInt: 'number' },
      },
    },
  },
};

export default config;
