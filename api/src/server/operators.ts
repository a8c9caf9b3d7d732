import http from 'node:http';
import express from 'express';
import type { Logger } from 'pino';
import type { ApiEnv } from '../env.js';
import type { ApiMetrics } from '../metrics.js';
import type { Core } from './services.js';

/**
 * Operators' endpoints: `/healthz`; `/readyz` tells a load balancer ready or not to anyone; what
 * backs it (database kind, models served) and `/metrics` are for operators: on METRICS_PORT when
 * set (that server is returned, to be closed), else on the api's port — in production only with METRICS_TOKEN.
 */
export async function operatorEndpoints(
  app: express.Express,
  { database, services }: Pick<Core, 'database' | 'services'>,
  env: ApiEnv,
  metrics: ApiMetrics,
  log: Logger,
): Promise<http.Server | undefined> {
  const { generations, upstreams } = services;
  app.get('/healthz', (_req, res) => void res.json({ status: 'ok' }));
  const readiness = async (details: boolean): Promise<[number, object]> => {
    // Draining (SIGTERM): a load balancer stops sending new work here; replies in flight go on.
    if (!generations.accepting) return [503, { status: 'draining' }];
    try {
      await database.prisma.$queryRaw`SELECT 1`;
      return [200, details ? { status: 'ready', database: database.kind, models: (await upstreams.models()).map((m) => m.id) } : { status: 'ready' }];
    } catch {
      return [503, { status: 'unavailable' }];
    }
  };
  const sendMetrics = async (res: express.Response) => {
    metrics.activeGenerations.set(generations.activeCount);
    // Read when scraped, each at most every so often (the queue's counts: 30 s; the rollout: its routing cache).
    await Promise.all([services.review.refreshMetrics(), services.models.rolloutState()]).catch((err: unknown) => log.warn({ err }, 'metrics: could not read the review queue or the rollout'));
    const pool = database.poolStats?.();
    if (pool) for (const [state, n] of Object.entries(pool)) metrics.dbPool.set({ state }, n);
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  };
  const operator = (req: express.Request) =>
    env.METRICS_PORT === undefined && (env.NODE_ENV !== 'production' || (env.METRICS_TOKEN !== undefined && req.headers.authorization === `Bearer ${env.METRICS_TOKEN}`));
  app.get('/readyz', async (req, res) => {
    const [status, body] = await readiness(operator(req));
    res.status(status).json(body);
  });
  app.get('/metrics', async (req, res) => {
    if (operator(req)) return sendMetrics(res);
    res.status(env.METRICS_PORT === undefined ? 401 : 404).json({ error: env.METRICS_PORT === undefined ? 'METRICS_TOKEN needed' : 'Not here: see METRICS_PORT' });
  });
  let metricsServer: http.Server | undefined;
  if (env.METRICS_PORT !== undefined) {
    const ops = express();
    ops.get('/metrics', (_req, res) => void sendMetrics(res));
    ops.get('/readyz', async (_req, res) => {
      const [status, body] = await readiness(true);
      res.status(status).json(body);
    });
    metricsServer = http.createServer(ops);
    await new Promise<void>((resolve, reject) => {
      metricsServer!.once('error', reject);
      metricsServer!.listen(env.METRICS_PORT, env.API_HOST, () => resolve());
    });
  }
  return metricsServer;
}
