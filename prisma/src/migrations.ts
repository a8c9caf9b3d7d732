// Prisma migrations without Prisma's native engine: the wasm schema engine (see schema-engine.ts)
// reads the same folders as `prisma migrate deploy` (migrations/<timestamp>_<name>/migration.sql
// and migration_lock.toml) and keeps the same `_prisma_migrations` table, with checksums.
// Migrations are applied to PostgreSQL through adapter-pg and to PGlite through its adapter;
// new migrations are computed against an in-memory PGlite, which needs no server (creating them
// through adapter-pg 7.10 failed in trials: "Column type 'char' could not be deserialized").
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import {
  PgliteMigrationAdapterFactory,
  PgMigrationAdapterFactory,
  type MigrationAdapterFactory,
} from './adapters.js';
import { migrationsDir as defaultMigrationsDir, schemaPath as defaultSchemaPath } from './paths.js';
import { postgresTarget, type PostgresTarget } from './postgres-url.js';
import { NO_FILTER, withSchemaEngine, type MigrationList } from './schema-engine.js';

export type ApplyMigrationsOptions = { databaseUrl?: string; dataDir?: string } | { pglite: PGlite };

export interface ApplyMigrationsResult {
  /** Names of the migration folders applied by this call, oldest first; empty when up to date. */
  applied: string[];
}

const LOCKFILE = 'migration_lock.toml';

/** The migrations folder as the engine expects it (the same shape the Prisma CLI builds). */
export async function readMigrationsList(dir: string = defaultMigrationsDir): Promise<MigrationList> {
  const baseDir = resolve(dir);
  const lockfile = await readFile(join(baseDir, LOCKFILE), 'utf8').catch(() => null);
  const entries = await readdir(baseDir, { withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  const folders = entries
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort((a, b) => a.localeCompare(b));
  const migrationDirectories = await Promise.all(
    folders.map(async (folder) => ({
      path: folder,
      migrationFile: {
        path: 'migration.sql',
        content: await readFile(join(baseDir, folder, 'migration.sql'), 'utf8').then(
          (value) => ({ tag: 'ok' as const, value }),
          (error: Error) => ({ tag: 'error' as const, value: error.message }),
        ),
      },
    })),
  );
  return {
    baseDir,
    lockfile: { path: LOCKFILE, content: lockfile },
    shadowDbInitScript: '',
    migrationDirectories,
  };
}

async function applyWith(factory: MigrationAdapterFactory, migrationsDir: string): Promise<ApplyMigrationsResult> {
  const migrationsList = await readMigrationsList(migrationsDir);
  const { appliedMigrationNames } = await withSchemaEngine(factory, (engine) =>
    engine.applyMigrations({ migrationsList, filters: NO_FILTER }),
  );
  return { applied: appliedMigrationNames };
}

/** Applies pending migrations to an open PGlite (which stays open). */
export function applyMigrationsToPglite(
  pglite: PGlite,
  migrationsDir: string = defaultMigrationsDir,
): Promise<ApplyMigrationsResult> {
  return applyWith(new PgliteMigrationAdapterFactory(pglite), migrationsDir);
}

/** Applies pending migrations through a pool (which stays open), creating the URL's schema if needed. */
export async function applyMigrationsToPostgres(
  pool: pg.Pool,
  target: PostgresTarget,
  migrationsDir: string = defaultMigrationsDir,
): Promise<ApplyMigrationsResult> {
  await checkConnection(pool, target);
  if (target.schema !== undefined) await pool.query(`CREATE SCHEMA IF NOT EXISTS "${target.schema}"`);
  return applyWith(new PgMigrationAdapterFactory(pool, target.schema), migrationsDir);
}

export async function checkConnection(pool: pg.Pool, target: PostgresTarget): Promise<void> {
  try {
    await pool.query('SELECT 1');
  } catch (error) {
    const reason = error instanceof Error ? error.message || error.name : String(error);
    throw new Error(`Cannot connect to PostgreSQL at ${target.display}: ${reason}`, { cause: error });
  }
}

/**
 * Applies pending migrations to PostgreSQL (`databaseUrl`), to a PGlite folder (`dataDir`, created
 * if missing; in memory when both are unset), or to an open PGlite instance (left open). Every
 * connection this call opens, it closes.
 */
export function applyMigrations(opts: ApplyMigrationsOptions): Promise<ApplyMigrationsResult> {
  return applyMigrationsFrom(defaultMigrationsDir, opts);
}

/** applyMigrations with another migrations folder. */
export async function applyMigrationsFrom(
  migrationsDir: string,
  opts: ApplyMigrationsOptions,
): Promise<ApplyMigrationsResult> {
  if ('pglite' in opts) return applyMigrationsToPglite(opts.pglite, migrationsDir);
  if (opts.databaseUrl) {
    const target = postgresTarget(opts.databaseUrl);
    const pool = new pg.Pool({ ...target.poolConfig, max: 2 });
    pool.on('error', () => {}); // an idle client dropped by the server; the next query reports it
    try {
      return await applyMigrationsToPostgres(pool, target, migrationsDir);
    } finally {
      await pool.end();
    }
  }
  const pglite = await openPglite(opts.dataDir);
  try {
    return await applyMigrationsToPglite(pglite, migrationsDir);
  } finally {
    await pglite.close();
  }
}

/** A PGlite persisted in `dataDir` (created if missing), or in memory when it is undefined. */
export async function openPglite(dataDir: string | undefined): Promise<PGlite> {
  if (dataDir === undefined) return PGlite.create();
  const dir = resolve(dataDir);
  await mkdir(dir, { recursive: true });
  return PGlite.create({ dataDir: dir });
}

export interface PlanOptions {
  /** Used in the folder name `<timestamp>_<name>`. */
  name?: string;
  /** Target schema; defaults to schema.prisma of this package. */
  schema?: { path: string; content: string };
  migrationsDir?: string;
}

export interface PlannedMigration {
  /** Folder name the engine chose: `<UTC timestamp>_<name>`. */
  name: string;
  script: string;
  /** Content for migration_lock.toml. */
  lockfile: string;
}

async function readSchema(schema: PlanOptions['schema']): Promise<{ path: string; content: string }> {
  if (schema) return schema;
  return { path: defaultSchemaPath, content: await readFile(defaultSchemaPath, 'utf8') };
}

/**
 * The migration that would bring the migrations folder up to the schema, or null when they match:
 * the existing migrations are applied to an in-memory PGlite, which the engine then diffs with the
 * schema (devDiagnostic first, as `prisma migrate dev` does; createMigration needs its state).
 */
export async function planMigration(options: PlanOptions = {}): Promise<PlannedMigration | null> {
  const schema = await readSchema(options.schema);
  const migrationsList = await readMigrationsList(options.migrationsDir);
  const pglite = await PGlite.create();
  try {
    return await withSchemaEngine(
      new PgliteMigrationAdapterFactory(pglite),
      async (engine) => {
        await engine.applyMigrations({ migrationsList, filters: NO_FILTER });
        const { action } = await engine.devDiagnostic({ migrationsList, filters: NO_FILTER });
        if (action.tag === 'reset') {
          throw new Error(`The migrations in ${migrationsList.baseDir} do not replay cleanly: ${action.reason}`);
        }
        const created = await engine.createMigration({
          draft: false,
          migrationName: options.name ?? 'pending',
          migrationsList,
          schema: { files: [schema] },
          filters: NO_FILTER,
        });
        if (created.migrationScript === null) return null;
        return {
          name: created.generatedMigrationName,
          script: created.migrationScript,
          lockfile: lockfileContent(created.connectorType),
        };
      },
      { schema },
    );
  } finally {
    await pglite.close();
  }
}

function lockfileContent(provider: string): string {
  return [
    '# Please do not edit this file manually',
    '# It should be added in your version-control system (e.g., Git)',
    `provider = "${provider}"`,
    '',
  ].join('\n');
}

/** `add messages.pinned` → `add_messages_pinned` (what Prisma's CLI does to --name). */
export function migrationSlug(name: string): string {
  const slug = name
    .trim()
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  if (slug === '') throw new Error(`Migration name ${JSON.stringify(name)} has no letters or digits`);
  return slug;
}

/**
 * Writes `<migrationsDir>/<timestamp>_<name>/migration.sql` (and migration_lock.toml) for the
 * difference between the migrations and the schema; returns null and writes nothing when none.
 */
export async function createMigration(
  options: PlanOptions & { name: string },
): Promise<{ name: string; path: string } | null> {
  const migrationsDir = resolve(options.migrationsDir ?? defaultMigrationsDir);
  const planned = await planMigration({ ...options, name: migrationSlug(options.name), migrationsDir });
  if (planned === null) return null;
  const folder = join(migrationsDir, planned.name);
  await mkdir(migrationsDir, { recursive: true });
  await mkdir(folder); // fails rather than overwrite an existing migration
  await writeFile(join(folder, 'migration.sql'), planned.script);
  await writeFile(join(migrationsDir, LOCKFILE), planned.lockfile);
  return { name: basename(folder), path: join(folder, 'migration.sql') };
}
