// Migrations: applied by the wasm schema engine to PostgreSQL and to PGlite, kept in Prisma's
// `_prisma_migrations` table; and the drift check that keeps schema.prisma and migrations/ in step.
import { createHash } from 'node:crypto';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyMigrations, openDatabase } from '../src/index.js';
import { applyMigrationsFrom, createMigration, planMigration } from '../src/migrations.js';
import { migrationsDir, schemaPath } from '../src/paths.js';
import { createTestDatabase } from '../src/testing.js';

const MIGRATIONS_TABLE = `SELECT migration_name, checksum, finished_at, rolled_back_at, logs
  FROM _prisma_migrations ORDER BY migration_name`;

interface MigrationRow {
  migration_name: string;
  checksum: string;
  finished_at: Date | string | null;
  rolled_back_at: Date | string | null;
  logs: string | null;
}

async function migrationFolders(dir = migrationsDir): Promise<{ name: string; checksum: string }[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const names = entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
  return Promise.all(
    names.map(async (name) => ({
      name,
      checksum: createHash('sha256').update(await readFile(join(dir, name, 'migration.sql'))).digest('hex'),
    })),
  );
}

function expectRecorded(rows: MigrationRow[], folders: { name: string; checksum: string }[]): void {
  expect(rows.map((r) => ({ name: r.migration_name, checksum: r.checksum }))).toEqual(folders);
  for (const row of rows) {
    expect(row.finished_at).not.toBeNull();
    expect(row.rolled_back_at).toBeNull();
  }
}

let tmp: string;
/** The real migrations plus one whose second statement fails (its first has a `;` in a string). */
let brokenDir: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'dialoop-db-'));
  brokenDir = join(tmp, 'broken-migrations');
  await cp(migrationsDir, brokenDir, { recursive: true });
  await mkdir(join(brokenDir, '29990101000000_broken'));
  await writeFile(
    join(brokenDir, '29990101000000_broken', 'migration.sql'),
    `ALTER TABLE "User" ADD COLUMN "nickname" TEXT DEFAULT 'a;b';\nALTER TABLE "NoSuchTable" ADD COLUMN "x" INT;\n`,
  );
});

const FAILED_BROKEN = `SELECT migration_name, finished_at FROM _prisma_migrations WHERE migration_name LIKE '%_broken'`;
const NICKNAME_COLUMN = `SELECT 1 FROM information_schema.columns WHERE table_name = 'User' AND column_name = 'nickname'`;
afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

describe('migrations/', () => {
  it('holds at least the init migration and a postgresql lock file', async () => {
    const folders = await migrationFolders();
    expect(folders.length).toBeGreaterThan(0);
    expect(folders[0]!.name).toMatch(/^\d{14}_init$/);
    expect(await readFile(join(migrationsDir, 'migration_lock.toml'), 'utf8')).toContain('provider = "postgresql"');
  });

  it('captures everything in schema.prisma (run `pnpm db:migration NAME` when this fails)', async () => {
    const pending = await planMigration();
    // On failure this prints the SQL that a new migration would contain.
    expect(pending?.script ?? '').toBe('');
  });
});

describe('on PostgreSQL', () => {
  it('createTestDatabase applies every migration, recorded with checksums; drop() removes the database', async () => {
    const testDb = await createTestDatabase();
    const name = new URL(testDb.url).pathname.slice(1);
    const admin = new pg.Client({ connectionString: testDb.url });
    await admin.connect();
    try {
      expectRecorded((await admin.query<MigrationRow>(MIGRATIONS_TABLE)).rows, await migrationFolders());
      expect(await applyMigrations({ databaseUrl: testDb.url })).toEqual({ applied: [] });
    } finally {
      await admin.end();
      await testDb.drop();
    }
    const server = new pg.Client({ connectionString: testDb.url.replace(`/${name}`, '/postgres') });
    await server.connect();
    try {
      const left = await server.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
      expect(left.rowCount).toBe(0);
    } finally {
      await server.end();
    }
  });

  it('honours ?schema=NAME for migrations, Prisma queries and raw SQL', async () => {
    const testDb = await createTestDatabase();
    const url = new URL(testDb.url);
    url.searchParams.set('schema', 'tenant_a');
    const logs: string[] = [];
    const db = await openDatabase({ databaseUrl: url.toString(), migrate: true, log: (m) => logs.push(m) });
    try {
      expect(logs.join('\n')).toMatch(/applied migrations \d{14}_init/);
      await db.prisma.user.create({ data: { email: 'schema@example.com' } });
      const rows = await db.prisma.$queryRaw<{ schema: string; n: number }[]>`
        SELECT current_schema() AS schema, (SELECT count(*)::int FROM "User") AS n`;
      expect(rows).toEqual([{ schema: 'tenant_a', n: 1 }]);
      // createTestDatabase migrated `public`; openDatabase migrated `tenant_a` as well.
      const tables = await db.prisma.$queryRaw<{ table_schema: string }[]>`
        SELECT table_schema FROM information_schema.tables WHERE table_name = 'Message' ORDER BY 1`;
      expect(tables).toEqual([{ table_schema: 'public' }, { table_schema: 'tenant_a' }]);
    } finally {
      await db.close();
      await testDb.drop();
    }
  });

  it('stops at a failing migration, reports the PostgreSQL error and records the failure', async () => {
    const testDb = await createTestDatabase();
    const client = new pg.Client({ connectionString: testDb.url });
    try {
      await expect(applyMigrationsFrom(brokenDir, { databaseUrl: testDb.url })).rejects.toThrow(/NoSuchTable/);
      await client.connect();
      expect((await client.query(FAILED_BROKEN)).rows).toEqual([{ migration_name: '29990101000000_broken', finished_at: null }]);
      expect((await client.query(NICKNAME_COLUMN)).rows).toHaveLength(0);
    } finally {
      await client.end();
      await testDb.drop();
    }
  });

  it('createTestDatabase fails loudly when PostgreSQL is unreachable', async () => {
    const saved = process.env.TEST_DATABASE_URL;
    process.env.TEST_DATABASE_URL = 'postgres://postgres@127.0.0.1:1/postgres';
    try {
      await expect(createTestDatabase()).rejects.toThrow(/cannot reach PostgreSQL at postgres:\/\/postgres@127\.0\.0\.1:1\/postgres/);
    } finally {
      if (saved === undefined) delete process.env.TEST_DATABASE_URL;
      else process.env.TEST_DATABASE_URL = saved;
    }
  });
});

describe('on PGlite', () => {
  it('applies every migration to a new folder; re-opening keeps data and applies nothing', async () => {
    const dataDir = join(tmp, 'pglite', 'nested'); // created if missing
    const folders = await migrationFolders();
    expect(await applyMigrations({ dataDir })).toEqual({ applied: folders.map((f) => f.name) });

    const first = await openDatabase({ dataDir, migrate: true });
    try {
      expect(first.kind).toBe('pglite');
      await first.prisma.user.create({ data: { email: 'kept@example.com' } });
      expectRecorded(await first.prisma.$queryRawUnsafe<MigrationRow[]>(MIGRATIONS_TABLE), folders);
    } finally {
      await first.close();
    }

    const logs: string[] = [];
    const second = await openDatabase({ dataDir, migrate: true, log: (m) => logs.push(m) });
    try {
      expect(logs).toEqual([expect.stringContaining('no pending migrations')]);
      expect(await second.prisma.user.findUnique({ where: { email: 'kept@example.com' } })).not.toBeNull();
    } finally {
      await second.close();
      await second.close(); // idempotent
    }
  });

  it('applies to an open PGlite instance and leaves it open', async () => {
    const pglite = await PGlite.create();
    try {
      const { applied } = await applyMigrations({ pglite });
      expect(applied.length).toBeGreaterThan(0);
      const rows = await pglite.query<{ n: number }>('SELECT count(*)::int AS n FROM "User"');
      expect(rows.rows[0]?.n).toBe(0);
    } finally {
      await pglite.close();
    }
  });

  it('stops at a failing migration, reports the PostgreSQL error and records the failure', async () => {
    const pglite = await PGlite.create();
    try {
      await expect(applyMigrationsFrom(brokenDir, { pglite })).rejects.toThrow(/NoSuchTable/);
      expect((await pglite.query(FAILED_BROKEN)).rows).toEqual([{ migration_name: '29990101000000_broken', finished_at: null }]);
      // The script ran as one command, so its first statement was rolled back with the second.
      expect((await pglite.query(NICKNAME_COLUMN)).rows).toHaveLength(0);
    } finally {
      await pglite.close();
    }
  });
});

describe('createMigration', () => {
  // Also the proof that the drift check above can fail: the engine sees a change no migration makes.
  // (No changes → null is the drift check's own case.)
  it('writes a new migration folder for a schema change, which then applies', async () => {
    const dir = join(tmp, 'new-migrations');
    await cp(migrationsDir, dir, { recursive: true });
    const before = await migrationFolders(dir);
    const schema = await readFile(schemaPath, 'utf8');
    const changed = {
      path: schemaPath,
      content: schema.replace(/^model Rating \{$/m, 'model Rating {\n  pinned Boolean @default(false)'),
    };

    const created = await createMigration({ name: 'Add rating pins', schema: changed, migrationsDir: dir });
    expect(created?.name).toMatch(/^\d{14}_add_rating_pins$/);
    expect(await readFile(created!.path, 'utf8')).toContain('ADD COLUMN     "pinned" BOOLEAN NOT NULL DEFAULT false');
    expect((await migrationFolders(dir)).map((f) => f.name)).toEqual([...before.map((f) => f.name), created!.name]);


    const pglite = await PGlite.create();
    try {
      expect((await applyMigrationsFrom(dir, { pglite })).applied).toHaveLength(before.length + 1);
      const column = await pglite.query(`SELECT 1 FROM information_schema.columns WHERE table_name = 'Rating' AND column_name = 'pinned'`);
      expect(column.rows).toHaveLength(1);
    } finally {
      await pglite.close();
    }
  });
});
