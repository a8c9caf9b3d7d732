import { resolve } from 'node:path';
import { PrismaPg } from '@prisma/adapter-pg';
import pg from 'pg';
import { PrismaPGlite } from 'pglite-prisma-adapter';
import { PrismaClient } from './generated/client.js';
import {
  applyMigrations,
  applyMigrationsToPglite,
  checkConnection,
  openPglite,
  type ApplyMigrationsResult,
} from './migrations.js';
import { once } from './once.js';
import { postgresTarget } from './postgres-url.js';

export interface DatabaseOptions {
  /** PostgreSQL URL (`?schema=NAME` honoured). When unset, an embedded PGlite is used. */
  databaseUrl?: string | undefined;
  /** PGlite data folder (created if missing); PGlite keeps data in memory when unset. */
  dataDir?: string | undefined;
  /** Apply pending migrations before returning. */
  migrate?: boolean;
  /** Most PostgreSQL connections the pool opens (pg's default: 10). */
  poolMax?: number | undefined;
  log?: (msg: string) => void;
}

/**
 * Rows as arrays of the values' text (select text columns: `::text`), straight from the driver.
 * `prepared` names the statement: PostgreSQL parses and plans it once per connection, not on every
 * call (for hot statements of a fixed text; PGlite ignores it).
 */
export type TextRows = (sql: string, params: readonly unknown[], prepared?: string) => Promise<(string | null)[][]>;

export interface Database {
  prisma: PrismaClient;
  kind: 'postgres' | 'pglite';
  /**
   * Runs a statement past Prisma's per-query and per-row work: for bulk reads (audit verification
   * reads millions) and the hottest statements (a request's credential, a chat turn's write).
   * Select only text columns.
   */
  textRows: TextRows;
  /**
   * LISTENs on a channel: `message` gets each NOTIFY's payload, `state` whether notifications can
   * arrive (false while the listening connection is down: what was learnt from them may be stale,
   * and anything sent meanwhile is lost; on PostgreSQL the connection is opened again, with back-off).
   * Stopped by `close()`.
   */
  listen(channel: string, handlers: NotificationHandlers): Promise<void>;
  /** PostgreSQL only: connections open, idle, and queries waiting for one. */
  poolStats?: () => { total: number; idle: number; waiting: number };
  /** Disconnects Prisma and closes the pool or the PGlite. Safe to call more than once. */
  close(): Promise<void>;
}


export interface NotificationHandlers {
  message(payload: string): void;
  state(listening: boolean): void;
}

/** The listening connection's name in pg_stat_activity (`application_name`). */
export const LISTENER_APPLICATION_NAME = 'dialoop-listen';
/** How often the listening connection is checked with a query, and how long that may take. */
const PING_MS = 15_000;
const PING_TIMEOUT_MS = 5_000;

/**
 * A PostgreSQL connection of its own that LISTENs on `channel` (a pooled one would be handed to
 * other queries), opened again after a failure, until `stop`. An idle connection can die without
 * a word (a NAT or a load balancer dropping it, a failover without a reset): TCP keepalives and a
 * query every PING_MS find out, and the handlers are told it was lost.
 */
function pgListener(config: pg.ClientConfig, channel: string, handlers: NotificationHandlers, log: (msg: string) => void) {
  let stopped = false;
  let client: pg.Client | undefined;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let ping: ReturnType<typeof setInterval> | undefined;
  let delay = 500;
  /** Lets go of `c` (once, and only while it is the current connection) and opens another. */
  const lost = (c: pg.Client, why: string) => {
    if (client !== c) return;
    client = undefined;
    clearInterval(ping);
    handlers.state(false);
    c.removeAllListeners();
    c.on('error', () => undefined);
    void c.end().catch(() => undefined);
    if (stopped) return;
    log(`database: LISTEN ${channel} connection lost (${why}); again in ${delay} ms`);
    retry = setTimeout(() => void open(), delay);
    delay = Math.min(delay * 2, 10_000);
  };
  const open = async (): Promise<void> => {
    const c = new pg.Client({ ...config, application_name: LISTENER_APPLICATION_NAME, keepAlive: true, keepAliveInitialDelayMillis: 10_000 });
    client = c;
    c.on('error', (err) => lost(c, err.message));
    c.on('end', () => lost(c, 'closed'));
    c.on('notification', (n) => handlers.message(n.payload ?? ''));
    try {
      await c.connect();
      await c.query(`LISTEN "${channel.replaceAll('"', '""')}"`);
      if (stopped || client !== c) return;
      delay = 500;
      handlers.state(true);
      ping = setInterval(() => {
        const timeout = setTimeout(() => lost(c, `no answer to a ping within ${PING_TIMEOUT_MS} ms`), PING_TIMEOUT_MS);
        c.query('SELECT 1').then(
          () => clearTimeout(timeout),
          (err: Error) => {
            clearTimeout(timeout);
            lost(c, err.message);
          },
        );
      }, PING_MS);
      ping.unref();
    } catch (err) {
      lost(c, (err as Error).message);
    }
  };
  return {
    started: open(),
    stop: async () => {
      stopped = true;
      clearTimeout(retry);
      clearInterval(ping);
      const c = client;
      client = undefined;
      if (c) {
        c.removeAllListeners();
        c.on('error', () => undefined);
        await c.end().catch(() => undefined);
      }
    },
  };
}

function describeApplied({ applied }: ApplyMigrationsResult): string {
  return applied.length === 0 ? 'no pending migrations' : `applied migrations ${applied.join(', ')}`;
}

/**
 * Opens the database: PostgreSQL through a pg Pool and @prisma/adapter-pg when `databaseUrl` is
 * set, otherwise PGlite (in `dataDir`, or in memory) through pglite-prisma-adapter.
 */
export async function openDatabase(opts: DatabaseOptions): Promise<Database> {
  const log = opts.log ?? (() => {});

  if (opts.databaseUrl) {
    const target = postgresTarget(opts.databaseUrl);
    const pool = new pg.Pool({ ...target.poolConfig, ...(opts.poolMax ? { max: opts.poolMax } : {}) });
    // Without a listener, a server-side disconnect of an idle client would crash the process.
    pool.on('error', (error) => log(`database: idle PostgreSQL connection failed: ${error.message}`));
    try {
      await checkConnection(pool, target);
      if (opts.migrate) {
        // Through a pool of its own, ended before returning: the schema engine takes a session-level
        // advisory lock, which a connection handed back to this long-lived pool would keep holding
        // while idle, stalling (and timing out) every other process migrating the same database.
        log(`database: PostgreSQL ${target.display}: ${describeApplied(await applyMigrations({ databaseUrl: opts.databaseUrl }))}`);
      }
      const prisma = new PrismaClient({
        adapter: new PrismaPg(pool, target.schema === undefined ? {} : { schema: target.schema }),
      });
      const listeners: { stop(): Promise<void> }[] = [];
      return {
        prisma,
        kind: 'postgres',
        textRows: async (sql, params, prepared) =>
          (await pool.query<(string | null)[]>({ ...(prepared ? { name: prepared } : {}), text: sql, values: [...params], rowMode: 'array' })).rows,
        listen: async (channel, handlers) => {
          const l = pgListener(target.poolConfig, channel, handlers, log);
          listeners.push(l);
          await l.started;
        },
        poolStats: () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount }),
        close: once(async () => {
          await Promise.all(listeners.map((l) => l.stop()));
          await prisma.$disconnect();
          await pool.end();
        }),
      };
    } catch (error) {
      await pool.end();
      throw error;
    }
  }

  const where = opts.dataDir === undefined ? 'in memory' : resolve(opts.dataDir);
  const pglite = await openPglite(opts.dataDir);
  try {
    if (opts.migrate) log(`database: PGlite ${where}: ${describeApplied(await applyMigrationsToPglite(pglite))}`);
    const prisma = new PrismaClient({ adapter: new PrismaPGlite(pglite) });
    return {
      prisma,
      kind: 'pglite',
      textRows: async (sql, params) => (await pglite.query<(string | null)[]>(sql, [...params], { rowMode: 'array' })).rows,
      // One process owns the embedded database: its notifications cannot be missed.
      listen: async (channel, handlers) => {
        await pglite.listen(channel, (payload) => handlers.message(payload));
        handlers.state(true);
      },
      close: once(async () => {
        await prisma.$disconnect();
        // An open PGlite keeps the process alive.
        await pglite.close();
      }),
    };
  } catch (error) {
    await pglite.close();
    throw error;
  }
}
