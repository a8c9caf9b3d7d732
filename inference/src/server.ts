import type { FastifyInstance } from 'fastify';
import { pino, type Logger } from 'pino';
import type { InferenceEnv } from './env.js';
import { createMetrics, type Metrics } from './metrics.js';
import { loadModels, type ServedModel } from './models.js';
import { buildApp } from './server/app.js';

export interface InferenceServer {
  app: FastifyInstance;
  models: Map<string, ServedModel>;
  metrics: Metrics;
  /** http://host:port of the listening server. */
  url: string;
  close(): Promise<void>;
}

/** Loads the models and starts listening; `INFERENCE_PORT=0` picks a free port. */
export async function startInferenceServer(env: InferenceEnv, log?: Logger): Promise<InferenceServer> {
  const logger = log ?? pino({ level: env.LOG_LEVEL, base: { service: 'inference' } });
  const metrics = createMetrics();
  const models = await loadModels(env, metrics, logger);
  const app = buildApp({ env, models, metrics, log: logger });
  await app.listen({ host: env.INFERENCE_HOST, port: env.INFERENCE_PORT });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : env.INFERENCE_PORT;
  const host = env.INFERENCE_HOST.includes(':') ? `[${env.INFERENCE_HOST}]` : env.INFERENCE_HOST;
  return {
    app,
    models,
    metrics,
    url: `http://${host}:${port}`,
    close: async () => {
      await app.close();
      for (const m of models.values()) await m.engine.close();
    },
  };
}
