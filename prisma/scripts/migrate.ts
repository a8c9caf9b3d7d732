// pnpm db:migrate — applies pending migrations to DATABASE_URL when set, otherwise to the PGlite
// folder DIALOOP_DATA_DIR (default ./data, relative to where pnpm was run).
import { parseDbEnv } from '../src/env.js';
import { applyMigrations } from '../src/migrations.js';
import { redactUrl } from '../src/postgres-url.js';

const env = parseDbEnv();
const target = env.databaseUrl ? `PostgreSQL ${redactUrl(env.databaseUrl)}` : `PGlite ${env.dataDir}`;
const { applied } = await applyMigrations(env.databaseUrl ? { databaseUrl: env.databaseUrl } : { dataDir: env.dataDir });

if (applied.length === 0) {
  console.log(`${target}: no pending migrations`);
} else {
  console.log(`${target}: applied ${applied.length} migration(s)`);
  for (const name of applied) console.log(`  ${name}`);
}
