// @dialoop/db/testing: throwaway PostgreSQL databases for integration tests.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { parseDbEnv } from './env.js';
import { applyMigrations } from './migrations.js';
import { once } from './once.js';
import { postgresTarget } from './postgres-url.js';

export interface TestDatabase {
  /** URL of the new database, migrated to the latest schema. */
  url: string;
  /** Drops the database, terminating connections still open to it. Safe to call more than once. */
  drop(): Promise<void>;
}

async function adminClient(serverUrl: string): Promise<pg.Client> {
  const target = postgresTarget(serverUrl);
  const client = new pg.Client({ ...target.poolConfig, connectionTimeoutMillis: 10_000 });
  client.on('error', () => {}); // reported by the failing query instead
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => {});
    const reason = error instanceof Error ? error.message || error.name : String(error);
    throw new Error(
      `createTestDatabase: cannot reach PostgreSQL at ${target.display} (${reason}). ` +
        'Integration tests need a running PostgreSQL server: start it, or set TEST_DATABASE_URL ' +
        'to a server where this user may CREATE DATABASE.',
      { cause: error },
    );
  }
  return client;
}

async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  const client = await adminClient(serverUrl);
  try {
    await client.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [
      name,
    ]);
    const version = await client.query<{ v: string }>("SELECT current_setting('server_version_num') AS v");
    // WITH (FORCE) (PostgreSQL 13+) also covers a pool reconnecting between the two statements.
    const force = Number(version.rows[0]?.v ?? 0) >= 130000 ? ' WITH (FORCE)' : '';
    await client.query(`DROP DATABASE IF EXISTS "${name}"${force}`);
  } finally {
    await client.end();
  }
}

/**
 * Creates a uniquely named database on the server at TEST_DATABASE_URL (default
 * postgres://postgres@127.0.0.1:5432/postgres) and applies all migrations to it. Throws when the
 * server is unreachable: there is no fallback to PGlite.
 */
export async function createTestDatabase(): Promise<TestDatabase> {
  const serverUrl = parseDbEnv().testDatabaseUrl;
  const name = `dialoop_test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;

  const client = await adminClient(serverUrl);
  try {
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }

  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const drop = once(() => dropDatabase(serverUrl, name));
  try {
    await applyMigrations({ databaseUrl: url.toString() });
  } catch (error) {
    await drop().catch(() => {});
    throw error;
  }
  return { url: url.toString(), drop };
}

