import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { CANDIDATE_PROBLEMS } from '@dialoop/feedback';

/** Operation types of `dialoop_api_graphql_operations_total`; `unknown` is one that did not parse or resolve. */
export type OperationType = 'query' | 'mutation' | 'subscription' | 'unknown';

/**
 * The code an operation is counted under: "OK", or the `extensions.code` of its first error as
 * the client sees it (formatted). Unknown errors are INTERNAL_SERVER_ERROR by then.
 */
export const operationCode = (errors: readonly { extensions?: { code?: unknown } | undefined }[] | undefined): string => {
  if (!errors || errors.length === 0) return 'OK';
  const code = errors[0]!.extensions?.code;
  return typeof code === 'string' ? code : 'INTERNAL_SERVER_ERROR';
};

/**
 * Label values known in advance, whose counters start at 0 (a series exists from the start, so
 * that rate() and increase() see the first event after a restart).
 */
const KNOWN = {
  replyStatus: ['COMPLETE', 'CANCELLED', 'INTERRUPTED', 'FAILED'],
  escalationStep: ['WARN', 'SLOW', 'LOCK', 'REVIEW'],
  refusalReason: ['queue_full', 'deadline', 'upstream_full'],
  operationType: ['query', 'mutation', 'subscription'],
  /** Codes an operation is counted under from the start: success, and the server's own failures the error-rate alert reads. */
  operationCode: ['OK', 'INTERNAL_SERVER_ERROR', 'UPSTREAM_ERROR', 'SERVICE_UNAVAILABLE'],
  lostReason: ['client_gone', 'server_error'],
  verification: ['valid', 'broken', 'error'],
  checkpointOutcome: ['ok', 'broken', 'error'],
  datasetStatus: ['READY', 'FAILED'],
  reviewKind: ['PAIRWISE', 'RANKING', 'RUBRIC', 'CORRECTION', 'SKIP', 'ADJUDICATION'],
  candidateRejection: [...CANDIDATE_PROBLEMS, 'blocked'],
} as const;

/** Prometheus metrics of one api process (GET /metrics). */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'dialoop_api_' });
  const metrics = {
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
    /** By the schema's subscription fields only, each from 0 (set in ws.ts, which has the schema). */
    subscriptionsOpen: new Gauge({
      name: 'dialoop_api_subscriptions_open',
      help: 'graphql-ws subscriptions open on this process, by root field (messageStream, trainingRunProgress): from the start of their stream to its end, however it ends (completed, stopped by the client, socket closed, failed, shut down)',
      labelNames: ['field'] as const,
      registers: [registry],
    }),
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
    graphqlOperations: new Counter({
      name: 'dialoop_api_graphql_operations_total',
      help: 'GraphQL operations answered (HTTP and WebSocket), by type (query, mutation, subscription; unknown: did not parse or resolve) and code (OK, or the first error\'s extensions.code); a subscription counts once, when it starts or is refused',
      labelNames: ['type', 'code'] as const,
      registers: [registry],
    }),
    streams: {
      lag: new Histogram({
        name: 'dialoop_api_stream_delivery_lag_seconds',
        help: 'From a reply delta received from the upstream by the api (any process, with Redis) to its event handed to a live subscriber',
        buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
        registers: [registry],
      }),
      lost: new Counter({
        name: 'dialoop_api_subscriptions_lost_total',
        help: 'Reply subscriptions (messageStream) that ended before their final event: client_gone (unsubscribed, socket closed, the process drained) or server_error',
        labelNames: ['reason'] as const,
        registers: [registry],
      }),
    },
    audit: {
      verifications: new Counter({
        name: 'dialoop_api_audit_chain_verifications_total',
        help: 'Audit chain verifications (asked for, and each checkpoint\'s), by result: valid, broken (a link, hash, gap or checkpoint failed), error (could not finish)',
        labelNames: ['result'] as const,
        registers: [registry],
      }),
      checkpointRuns: new Counter({
        name: 'dialoop_api_audit_checkpoint_runs_total',
        help: 'Runs of the periodic audit checkpoint job, by outcome: ok (the head is signed), broken (the chain does not verify: nothing signed), error',
        labelNames: ['outcome'] as const,
        registers: [registry],
      }),
      checkpointLastSuccess: new Gauge({
        name: 'dialoop_api_audit_checkpoint_last_success_timestamp_seconds',
        help: 'When the periodic audit checkpoint job last succeeded (Unix time), or the process started, before its first run',
        registers: [registry],
      }),
      checkpointInterval: new Gauge({
        name: 'dialoop_api_audit_checkpoint_interval_seconds',
        help: 'How often the audit checkpoint job runs (AUDIT_CHECKPOINT_INTERVAL_S)',
        registers: [registry],
      }),
    },
    trainingRuns: new Counter({
      name: 'dialoop_api_training_runs_total',
      help: 'Training runs ended, by status (SUCCEEDED, FAILED, CANCELLED) and executor (LOCAL, KUBERNETES); counted by the process that recorded the end',
      labelNames: ['status', 'executor'] as const,
      registers: [registry],
    }),
    datasetBuilds: new Counter({
      name: 'dialoop_api_dataset_builds_total',
      help: 'Dataset version builds ended, by status (READY, FAILED; FAILED also for builds a stopped process left)',
      labelNames: ['status'] as const,
      registers: [registry],
    }),
    models: {
      winRate: new Gauge({
        name: 'dialoop_api_model_comparison_win_rate',
        help: 'The last computed win rate of a candidate version against a baseline (compareModelVersions), with its confidence interval: bound estimate, lower, upper',
        labelNames: ['candidate', 'baseline', 'bound'] as const,
        registers: [registry],
      }),
      share: new Gauge({
        name: 'dialoop_api_model_canary_share',
        help: 'Share of the people starting a conversation each version in traffic gets: the canary its share, the active version the rest',
        labelNames: ['version'] as const,
        registers: [registry],
      }),
    },
    review: {
      items: new Gauge({
        name: 'dialoop_api_review_items',
        help: 'Review items by status (PENDING, OPEN, ADJUDICATION, DONE), counted at most every 30 s when /metrics is read',
        labelNames: ['status'] as const,
        registers: [registry],
      }),
      reviews: new Counter({
        name: 'dialoop_api_reviews_total',
        help: 'Reviews submitted, by kind (PAIRWISE, RANKING, RUBRIC: a complete claim; CORRECTION; SKIP: a claim given back; ADJUDICATION: an admin\'s decision)',
        labelNames: ['kind'] as const,
        registers: [registry],
      }),
      rejected: new Counter({
        name: 'dialoop_api_review_candidates_rejected_total',
        help: 'Generated review candidates not put before reviewers, by reason (empty, unfinished, fragment, repetitive, duplicate, blocked): another was generated, or the item waits',
        labelNames: ['reason'] as const,
        registers: [registry],
      }),
      agreement: new Gauge({
        name: 'dialoop_api_review_agreement',
        help: 'Reviewer agreement over the whole queue, set when reviewAgreement is computed without a filter: choice_alpha (Krippendorff, nominal), score_alpha (ordinal)',
        labelNames: ['measure'] as const,
        registers: [registry],
      }),
    },
  };
  for (const status of KNOWN.replyStatus) metrics.generations.inc({ status }, 0);
  for (const step of KNOWN.escalationStep) metrics.safetyEscalations.inc({ step }, 0);
  for (const reason of KNOWN.refusalReason) metrics.queueRefusals.inc({ reason }, 0);
  for (const type of KNOWN.operationType) for (const code of KNOWN.operationCode) metrics.graphqlOperations.inc({ type, code }, 0);
  for (const reason of KNOWN.lostReason) metrics.streams.lost.inc({ reason }, 0);
  for (const result of KNOWN.verification) metrics.audit.verifications.inc({ result }, 0);
  for (const outcome of KNOWN.checkpointOutcome) metrics.audit.checkpointRuns.inc({ outcome }, 0);
  for (const status of KNOWN.datasetStatus) metrics.datasetBuilds.inc({ status }, 0);
  for (const kind of KNOWN.reviewKind) metrics.review.reviews.inc({ kind }, 0);
  for (const reason of KNOWN.candidateRejection) metrics.review.rejected.inc({ reason }, 0);
  metrics.audit.checkpointLastSuccess.set(Date.now() / 1000);
  return metrics;
}

export type ApiMetrics = ReturnType<typeof createMetrics>;
