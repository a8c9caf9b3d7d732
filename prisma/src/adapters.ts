// Driver adapter factories for the wasm schema engine (migrations). Prisma Client itself uses the
// stock PrismaPg / PrismaPGlite adapters; these wrappers only change what migrations need:
//
// - executeScript runs a migration script as one multi-statement command, as Prisma's native engine
//   does. (adapter-pg splits scripts on every `;`, which breaks on semicolons inside string literals
//   or function bodies; pglite-prisma-adapter 0.7.2 does not await the script, so a failing
//   migration would be recorded as applied and its error lost.)
// - PGlite's shadow database (used to replay migrations when creating or diffing) is an in-memory
//   PGlite that is closed when the engine releases it, or by close(): an open PGlite keeps the
//   process alive.
import { PGlite } from '@electric-sql/pglite';
import { PrismaPg } from '@prisma/adapter-pg';
import {
  DriverAdapterError,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
} from '@prisma/driver-adapter-utils';
import type pg from 'pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';

interface PostgresErrorFields {
  code: string;
  severity: string;
  message: string;
  detail?: string;
  column?: string;
  hint?: string;
}

function isPostgresError(error: unknown): error is PostgresErrorFields {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as Record<string, unknown>;
  return typeof e.code === 'string' && typeof e.severity === 'string' && typeof e.message === 'string';
}

/** Errors from PostgreSQL become DriverAdapterErrors, so the engine reports their message. */
async function runScript(run: () => Promise<unknown>): Promise<void> {
  try {
    await run();
  } catch (error) {
    if (!isPostgresError(error)) throw error;
    throw new DriverAdapterError({
      kind: 'postgres',
      code: error.code,
      severity: error.severity,
      message: error.message,
      detail: error.detail,
      column: error.column,
      hint: error.hint,
    });
  }
}

export interface MigrationAdapterFactory extends SqlMigrationAwareDriverAdapterFactory {
  /** Releases what the factory opened (shadow databases); the main connection stays the caller's. */
  close(): Promise<void>;
}

export class PgMigrationAdapterFactory implements MigrationAdapterFactory {
  readonly provider = 'postgres';
  readonly adapterName: string;
  private readonly inner: PrismaPg;

  constructor(
    private readonly pool: pg.Pool,
    schema: string | undefined,
  ) {
    this.inner = new PrismaPg(pool, schema === undefined ? {} : { schema });
    this.adapterName = this.inner.adapterName;
  }

  async connect(): Promise<SqlDriverAdapter> {
    const adapter = await this.inner.connect();
    adapter.executeScript = (script) => runScript(() => this.pool.query(script));
    return adapter;
  }

  /** Creates (and on dispose drops) a temporary database: needs CREATEDB. Unused by this package. */
  connectToShadowDb(): Promise<SqlDriverAdapter> {
    return this.inner.connectToShadowDb();
  }

  async close(): Promise<void> {}
}

export class PgliteMigrationAdapterFactory implements MigrationAdapterFactory {
  readonly provider = 'postgres';
  readonly adapterName: string;
  private readonly inner: PrismaPGlite;
  private readonly shadows = new Set<PGlite>();

  constructor(private readonly pglite: PGlite) {
    this.inner = new PrismaPGlite(pglite);
    this.adapterName = this.inner.adapterName;
  }

  async connect(): Promise<SqlDriverAdapter> {
    return withWholeScripts(await this.inner.connect(), this.pglite);
  }

  async connectToShadowDb(): Promise<SqlDriverAdapter> {
    const shadow = await PGlite.create();
    this.shadows.add(shadow);
    const adapter = withWholeScripts(await new PrismaPGlite(shadow).connect(), shadow);
    const dispose = adapter.dispose.bind(adapter);
    adapter.dispose = async () => {
      await dispose();
      await this.closeShadow(shadow);
    };
    return adapter;
  }

  async close(): Promise<void> {
    await Promise.all([...this.shadows].map((shadow) => this.closeShadow(shadow)));
  }

  private async closeShadow(shadow: PGlite): Promise<void> {
    if (!this.shadows.delete(shadow)) return;
    await shadow.close();
  }
}

function withWholeScripts(adapter: SqlDriverAdapter, pglite: PGlite): SqlDriverAdapter {
  adapter.executeScript = (script) => runScript(() => pglite.exec(script));
  return adapter;
}
