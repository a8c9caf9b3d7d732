// The only module of @dialoop/db that reads the environment (scripts/ and testing.ts go through it).
// The library entry point (index.ts) takes everything as arguments instead.
import { resolve } from 'node:path';
import { z } from 'zod';

export const DEFAULT_TEST_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

/** Empty or blank variables count as unset (`DATABASE_URL=` in a shell or .env file). */
const unsetIfBlank = (value: unknown): unknown =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;

const postgresUrl = z
  .string()
  .trim()
  .refine((value) => /^postgres(ql)?:\/\//.test(value) && URL.canParse(value), {
    message: 'must be a postgres:// or postgresql:// URL',
  });

const EnvSchema = z.object({
  /** Secret (may hold a password). PostgreSQL to use; unset → embedded PGlite. */
  DATABASE_URL: z.preprocess(unsetIfBlank, postgresUrl.optional()),
  /** PGlite data folder when DATABASE_URL is unset. */
  DIALOOP_DATA_DIR: z.preprocess(unsetIfBlank, z.string().default('./data')),
  /** Set by pnpm/npm to the folder the command was typed in; relative paths resolve against it. */
  INIT_CWD: z.preprocess(unsetIfBlank, z.string().optional()),
  /** Secret (may hold a password). Server on which createTestDatabase() creates databases. */
  TEST_DATABASE_URL: z.preprocess(unsetIfBlank, postgresUrl.default(DEFAULT_TEST_DATABASE_URL)),
});

export interface DbEnv {
  databaseUrl: string | undefined;
  /** Absolute path of the PGlite data folder: `pglite` inside DIALOOP_DATA_DIR, where the api keeps it. */
  dataDir: string;
  testDatabaseUrl: string;
}

export function parseDbEnv(source: NodeJS.ProcessEnv = process.env): DbEnv {
  const parsed = EnvSchema.safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new Error(`Invalid environment for @dialoop/db: ${problems.join('; ')}`);
  }
  const env = parsed.data;
  return {
    databaseUrl: env.DATABASE_URL,
    dataDir: resolve(env.INIT_CWD ?? process.cwd(), env.DIALOOP_DATA_DIR, 'pglite'),
    testDatabaseUrl: env.TEST_DATABASE_URL,
  };
}
