import 'reflect-metadata';
import type http from 'node:http';
import type { Database } from '@dialoop/db';
import type { GraphQLSchema } from 'graphql';
import type { Logger } from 'pino';
import { parseEnv, type ApiEnv } from './env.js';
import { createLogger } from './logger.js';
import { createMetrics } from './metrics.js';
import { startBackground } from './server/background.js';
import { startHttp } from './server/http.js';
import { buildServices } from './server/services.js';
import type { Services } from './services.js';

export interface ApiServer {
  /** http://host:port — GraphQL at /graphql (HTTP and WebSocket). */
  url: string;
  httpServer: http.Server;
  services: Services;
  database: Database;
  schema: GraphQLSchema;
  /** Demo accounts created by this start (empty unless the database had no users). */
  demoAccounts: { email: string; role: string }[];
  close(): Promise<void>;
}

/**
 * Starts the api: builds its services (server/services.ts), starts what runs beside requests
 * (server/background.ts) and serves GraphQL over HTTP and WebSocket on one port (server/http.ts).
 * `close()` drains: new sends are refused, replies in flight finish or end with their final event.
 */
export async function startApiServer(env: ApiEnv = parseEnv(), logger?: Logger): Promise<ApiServer> {
  const log = logger ?? createLogger(env);
  const metrics = createMetrics();
  const core = await buildServices(env, log, metrics);
  const { services, dispatcher, database, redis } = core;
  const background = await startBackground(core, env, log, metrics);
  const demoAccounts = env.DEMO_ACCOUNTS ? await services.users.ensureDemoAccounts(env.DEMO_PASSWORD) : [];
  const web = await startHttp(core, env, log, metrics);

  let closing: Promise<void> | undefined;
  return {
    url: web.url,
    httpServer: web.httpServer,
    services,
    database,
    schema: web.schema,
    demoAccounts,
    close: () =>
      (closing ??= (async () => {
        background.stopJobs();
        // Draining: new sends are refused, running replies finish or end with their final event
        // (the heartbeat goes on meanwhile, so no other process takes them for orphans).
        await dispatcher.close();
        await services.generations.close(env.SHUTDOWN_GRACE_MS);
        // Their final events reach this process's own subscribers (over Redis) and go out on
        // their sockets before the sockets close.
        await services.bus.delivered();
        await new Promise((r) => setTimeout(r, 50));
        await background.stopLiveness();
        await services.safety.close();
        await services.datasets.close();
        await services.training.close();
        await web.stop();
        services.upstreams.close();
        await services.bus.close();
        if (redis) await redis.quit().catch(() => undefined);
        await database.close();
      })()),
  };
}
