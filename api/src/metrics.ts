import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics of one api process (GET /metrics). */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'dialoop_api_' });
  return {
    registry,
    generations: new Counter({ name: 'dialoop_api_generations_total', help: 'Replies finished, by final status', labelNames: ['status'] as const, registers: [registry] }),
    timeToFirstToken: new Histogram({
      name: 'dialoop_api_time_to_first_token_seconds',
      help: 'From the upstream request to the first token',
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    activeGenerations: new Gauge({ name: 'dialoop_api_active_generations', help: 'Replies streaming on this process', registers: [registry] }),
    safetyHits: new Counter({
      name: 'dialoop_api_safety_hits_total',
      help: 'Safety term hits, by level, category and direction (INPUT, OUTPUT)',
      labelNames: ['level', 'category', 'direction'] as const,
      registers: [registry],
    }),
    safetyHoldback: new Histogram({
      name: 'dialoop_api_safety_holdback_seconds',
      help: 'How long the stream filter held each upstream delta before its last character went out',
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    safetyEscalations: new Counter({ name: 'dialoop_api_safety_escalations_total', help: 'Conversation monitoring steps taken', labelNames: ['step'] as const, registers: [registry] }),
    wsConnections: new Gauge({ name: 'dialoop_api_ws_connections', help: 'Open graphql-ws connections', registers: [registry] }),
    stages: new Histogram({
      name: 'dialoop_api_stage_seconds',
      help: 'Time per stage of an operation (sendMessage: authenticate, admit, history, transaction, start…)',
      labelNames: ['operation', 'stage'] as const,
      buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5],
      registers: [registry],
    }),
    recoveries: new Histogram({
      name: 'dialoop_api_process_recovery_seconds',
      help: 'From a dead api process\'s last heartbeat to its replies settled by this one (with Redis)',
      buckets: [1, 2, 3, 4, 5, 7.5, 10, 20, 60],
      registers: [registry],
    }),
    recoveredReplies: new Counter({ name: 'dialoop_api_recovered_replies_total', help: 'Replies of stopped api processes settled by this one', registers: [registry] }),
    queueLength: new Gauge({ name: 'dialoop_api_reply_queue_length', help: 'Replies waiting for a model server (the shared queue, with Redis)', registers: [registry] }),
    queueWait: new Histogram({
      name: 'dialoop_api_reply_queue_wait_seconds',
      help: 'How long replies waited in the queue before they started',
      buckets: [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120],
      registers: [registry],
    }),
    queueRefusals: new Counter({
      name: 'dialoop_api_reply_queue_refusals_total',
      help: 'Replies not started at once, by reason: queue_full (send refused), deadline (UPSTREAM_BUSY), upstream_full (a 429 sent it back to the queue)',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
    upstream: {
      requests: new Counter({
        name: 'dialoop_api_upstream_requests_total',
        help: 'Chat completion requests this process started, by upstream (host:port; a retry counts again, on its replica)',
        labelNames: ['upstream'] as const,
        registers: [registry],
      }),
      outstanding: new Gauge({
        name: 'dialoop_api_upstream_outstanding_requests',
        help: 'Chat completion requests of this process in progress, by upstream (what the balancer compares)',
        labelNames: ['upstream'] as const,
        registers: [registry],
      }),
      healthy: new Gauge({
        name: 'dialoop_api_upstream_healthy',
        help: 'Whether an upstream is in rotation (1) or ejected by its health checks (0)',
        labelNames: ['upstream'] as const,
        registers: [registry],
      }),
      ejections: new Counter({
        name: 'dialoop_api_upstream_ejections_total',
        help: 'Times an upstream was taken out of rotation by its health checks',
        labelNames: ['upstream'] as const,
        registers: [registry],
      }),
      retries: new Counter({
        name: 'dialoop_api_upstream_retries_total',
        help: 'Requests that failed before their first token on this upstream (unreachable, 5xx) and were sent to another replica',
        labelNames: ['upstream'] as const,
        registers: [registry],
      }),
    },
    dbPool: new Gauge({
      name: 'dialoop_api_db_pool_connections',
      help: 'PostgreSQL pool connections: total, idle, and requests waiting for one',
      labelNames: ['state'] as const,
      registers: [registry],
    }),
  };
}
export type ApiMetrics = ReturnType<typeof createMetrics>;
