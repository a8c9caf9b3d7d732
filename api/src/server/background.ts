import type { Logger } from 'pino';
import type { ApiEnv } from '../env.js';
import { AppError, ErrorCode } from '../errors.js';
import type { ApiMetrics } from '../metrics.js';
import { Liveness } from '../modules/chat/index.js';
import type { Core } from './services.js';

/** What runs beside the requests of one process, and how it stops. */
export interface Background {
  /** Stops the periodic jobs (first, when the process drains). */
  stopJobs(): void;
  /** Stops the heartbeat (last, once replies in flight ended, so no other process takes them for orphans). */
  stopLiveness(): Promise<void>;
}

/**
 * Starts what runs beside requests: crash recovery (replies and queued replies a stopped process
 * left), liveness with Redis, a first look at the upstreams, and the periodic jobs.
 */
export async function startBackground({ services, redis, dispatcher }: Core, env: ApiEnv, log: Logger, metrics: ApiMetrics): Promise<Background> {
  const { generations, upstreams, audit, models, review, privacy } = services;
  // Crash recovery: replies left STREAMING by a process that is gone are settled INTERRUPTED
  // (GENERATOR_STOPPED) with the text their subscribers received, and the final event.
  // One process: all of them, now. Several (Redis): each process beats a heartbeat, and the one
  // that first finds another silent for the liveness window settles that one's replies.
  let liveness: Liveness | undefined;
  if (redis) {
    liveness = new Liveness({
      redis,
      redisUrl: env.REDIS_URL!,
      instanceId: generations.instanceId,
      heartbeatMs: env.API_HEARTBEAT_MS,
      windowMs: env.API_LIVENESS_WINDOW_MS,
      hungMs: env.API_HUNG_MS,
      recover: async (scope) => {
        // Slots they held on the upstreams are free again.
        if ('dead' in scope) await dispatcher.releaseHeldBy(scope.dead);
        else await dispatcher.releaseHeldBy(await scope.stillLive(), 'live');
        return generations.recover(scope);
      },
      onRecovered: (ms, n) => {
        metrics.recoveries.observe(ms / 1000);
        metrics.recoveredReplies.inc(n);
      },
      log,
    });
    await liveness.start();
  } else {
    const n = await generations.recover('others');
    if (n > 0) log.warn({ count: n }, 'replies left streaming by the previous run settled as INTERRUPTED');
    // Replies that were waiting lived in that run's queue: they fail, and can be sent again.
    const q = await dispatcher.settleStale(new Date());
    if (q > 0) log.warn({ count: q }, 'replies left waiting by the previous run settled as FAILED');
  }

  // Says at start (in the log) whether the upstreams answer, rather than at the first message.
  void upstreams.models().then((served) => {
    if (served.length > 0) log.info({ models: served.map((m) => m.id) }, 'upstream models');
    else log.warn({ upstreams: env.INFERENCE_URL }, 'no upstream answered with a model yet (is the inference server up? INFERENCE_URL)');
  });

  // Periodic jobs of every process (each is safe to run in several at once): sign the head of the
  // audit chain when it moved, sync the registry with the upstreams, collect review items, apply retention.
  const jobs: NodeJS.Timeout[] = [];
  const every = (ms: number, name: string, job: () => Promise<unknown>) => {
    let running = false;
    const timer = setInterval(() => {
      if (running) return;
      running = true;
      job()
        .catch((err: unknown) => log.error({ err }, `${name} failed`))
        .finally(() => (running = false));
    }, ms);
    timer.unref();
    jobs.push(timer);
  };
  // Counted by outcome, and when it last succeeded: DialoopAuditCheckpointOverdue compares that with the interval.
  metrics.audit.checkpointInterval.set(env.AUDIT_CHECKPOINT_INTERVAL_S);
  every(env.AUDIT_CHECKPOINT_INTERVAL_S * 1000, 'audit checkpoint', async () => {
    try {
      await audit.checkpoint();
      metrics.audit.checkpointRuns.inc({ outcome: 'ok' });
      metrics.audit.checkpointLastSuccess.set(Date.now() / 1000);
    } catch (err) {
      metrics.audit.checkpointRuns.inc({ outcome: err instanceof AppError && err.code === ErrorCode.CONFLICT ? 'broken' : 'error' });
      throw err;
    }
  });
  if (env.MODEL_SYNC_INTERVAL_S > 0) every(env.MODEL_SYNC_INTERVAL_S * 1000, 'model sync', () => models.sync());
  void models.sync().catch((err: unknown) => log.warn({ err }, 'model sync failed'));
  if (env.REVIEW_COLLECT_INTERVAL_S > 0) every(env.REVIEW_COLLECT_INTERVAL_S * 1000, 'review collection', () => review.collect());
  if (env.CONVERSATION_RETENTION_DAYS > 0 || env.AUDIT_RETENTION_DAYS > 0) {
    every(env.RETENTION_SWEEP_INTERVAL_S * 1000, 'retention sweep', () => privacy.sweep());
  }

  return {
    stopJobs: () => {
      for (const t of jobs) clearInterval(t);
    },
    stopLiveness: async () => liveness?.stop(),
  };
}
