import { defineConfig } from 'prisma/config';

// Used by `prisma generate`; migrations go through scripts/migrate.ts (schema-engine-wasm).
export default defineConfig({
  schema: 'schema.prisma',
  migrations: { path: 'migrations' },
});
