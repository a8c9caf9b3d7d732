import 'reflect-metadata';
import { createHash, randomUUID } from 'node:crypto';
import http from 'node:http';
import { mkdir, readFile, realpath } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled } from '@apollo/server/plugin/disabled';
import { ApolloServerPluginDrainHttpServer } from '@apollo/server/plugin/drainHttpServer';
import { expressMiddleware } from '@as-integrations/express5';
import { openDatabase, type Database } from '@dialoop/db';
import { costLimitRule } from '@escape.tech/graphql-armor-cost-limit';
import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import cors from 'cors';
import express from 'express';
import { GraphQLError, NoSchemaIntrospectionCustomRule, specifiedRules, type GraphQLSchema, type ValidationContext, type ValidationRule } from 'graphql';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { clientRequestId, type Context } from './context.js';
import { DEFAULT_BASE_MODEL_DIR, parseEnv, randomSecret, type ApiEnv } from './env.js';
import { AppError, createFormatError } from './errors.js';
import { Limits } from './limits.js';
import { createLogger } from './logger.js';
import { createMetrics } from './metrics.js';
import { timed } from './stage-timer.js';
import {
  AuditLog,
  CheckpointSigner,
  ExportTokens,
  Pseudonyms,
  auditOperationErrors,
  exportHandler,
  newSigningKeyPem,
  parseSigningKey,
} from './modules/audit/index.js';
import { parsePublicKeys } from './modules/audit/chain.js';
import { AccessTokens, AuthService, OidcVerifier, type Authenticated } from './modules/auth/index.js';
import { PrivacyService } from './modules/privacy/index.js';
import {
  ChatService,
  GenerationManager,
  Liveness,
  MemoryReplyQueue,
  MemoryStreamBus,
  RedisReplyQueue,
  RedisStreamBus,
  ReplyDispatcher,
  Upstreams,
  jobOf,
  type StreamBus,
} from './modules/chat/index.js';
import { DatasetService, LocalDatasetStore } from './modules/datasets/index.js';
import { ModelRegistry } from './modules/models/index.js';
import { KubernetesExecutor } from './modules/training/kubernetes.js';
import { LocalExecutor, TrainingService, type TrainingExecutor } from './modules/training/index.js';
import { RatingService } from './modules/ratings/index.js';
import { ReviewService, type ReviewSettings } from './modules/review/index.js';
import { SafetyService } from './modules/safety/index.js';
import { DEFAULT_RUBRIC } from '@dialoop/feedback';
import { abilityFor } from './modules/rbac/index.js';
import { UserService } from './modules/users/index.js';
import { createSchema } from './schema.js';
import { persistedSecret } from './secrets.js';
import type { Services } from './services.js';
import { startGraphqlWs } from './ws.js';

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

/** The settings whose changes the audit trail records (never secrets: a key appears as its fingerprint). */
function auditedConfig(env: ApiEnv, signer: CheckpointSigner, pseudonymKey: string) {
  return {
    database: env.DATABASE_URL ? 'postgresql' : 'pglite',
    redis: Boolean(env.REDIS_URL),
    upstreams: env.INFERENCE_URL.length,
    defaultModel: env.DEFAULT_MODEL ?? null,
    oidcIssuer: env.OIDC_ISSUER ?? null,
    oidcRoleClaim: env.OIDC_ROLE_CLAIM,
    demoAccounts: env.DEMO_ACCOUNTS,
    accessTokenTtlS: env.ACCESS_TOKEN_TTL_S,
    refreshTokenTtlS: env.REFRESH_TOKEN_TTL_S,
    maxMessageChars: env.MAX_MESSAGE_CHARS,
    rateLimitMessagesPerMinute: env.RATE_LIMIT_MESSAGES_PER_MINUTE,
    maxConcurrentGenerations: env.MAX_CONCURRENT_GENERATIONS,
    introspection: env.introspection,
    auditSigningKeyId: signer.keyId,
    pseudonymKeyFingerprint: createHash('sha256').update(`fingerprint\0${pseudonymKey}`).digest('hex').slice(0, 16),
    auditCheckpointIntervalS: env.AUDIT_CHECKPOINT_INTERVAL_S,
    conversationRetentionDays: env.CONVERSATION_RETENTION_DAYS,
    auditRetentionDays: env.AUDIT_RETENTION_DAYS,
    trainingExecutor: env.TRAINING_EXECUTOR,
    inferenceAdminKey: Boolean(env.INFERENCE_ADMIN_KEY),
    consoleOrigins: env.CONSOLE_ORIGINS,
  };
}

/** Records the configuration when it differs from the last one recorded (a start with changed settings). */
async function recordConfig(audit: AuditLog, db: Database['prisma'], config: Record<string, unknown>) {
  const digest = createHash('sha256').update(JSON.stringify(config)).digest('hex');
  const last = await db.auditEntry.findFirst({ where: { action: 'config.change' }, orderBy: { seq: 'desc' }, select: { after: true } });
  const previous = (last?.after ?? null) as { digest?: string; config?: Record<string, unknown> } | null;
  if (previous?.digest === digest) return;
  const changed = Object.keys(config).filter((k) => JSON.stringify(config[k]) !== JSON.stringify(previous?.config?.[k]));
  await audit.write(audit.serviceScope('api'), { action: 'config.change', subject: { type: 'Config' }, before: previous?.config ?? null, after: { digest, config, changed } });
}

/** Starts the api: database (migrated), services, GraphQL over HTTP and WebSocket on one port. */
export async function startApiServer(env: ApiEnv = parseEnv(), logger?: Logger): Promise<ApiServer> {
  const log = logger ?? createLogger(env);
  const metrics = createMetrics();
  const database = await openDatabase({
    databaseUrl: env.DATABASE_URL,
    dataDir: env.DATABASE_URL ? undefined : join(env.DIALOOP_DATA_DIR, 'pglite'),
    migrate: true,
    poolMax: env.DATABASE_POOL_MAX,
    log: (msg) => log.info(msg),
  });
  const db = database.prisma;
  log.info({ database: database.kind }, 'database ready');

  // One Redis client for the stream bus, rate limits and liveness (the bus adds a subscriber connection).
  const redis = env.REDIS_URL ? new Redis(env.REDIS_URL, { maxRetriesPerRequest: 3, enableAutoPipelining: true }) : undefined;
  redis?.on('error', (err) => log.warn({ err }, 'redis connection error'));
  let bus: StreamBus;
  if (redis) {
    const rb = new RedisStreamBus(redis, env.STREAM_LOG_TTL_S, log);
    await rb.ready();
    bus = rb;
  } else bus = new MemoryStreamBus(env.STREAM_LOG_TTL_S);

  const upstreams = new Upstreams({
    urls: env.INFERENCE_URL,
    apiKey: env.INFERENCE_API_KEY,
    connectTimeoutMs: env.UPSTREAM_CONNECT_TIMEOUT_MS,
    idleTimeoutMs: env.UPSTREAM_IDLE_TIMEOUT_MS,
    log,
  });
  const limits = new Limits({ messagesPerMinute: env.RATE_LIMIT_MESSAGES_PER_MINUTE, redis });
  const secret = (value: string | undefined, file: string, variable: string, generate: () => string) =>
    persistedSecret({ value, dataDir: env.DIALOOP_DATA_DIR, file, variable, generate }, log);
  const jwtSecret = await secret(env.JWT_SECRET, 'jwt-secret', 'JWT_SECRET', randomSecret);
  const pseudonymKey = await secret(env.PSEUDONYM_KEY, 'pseudonym-key', 'PSEUDONYM_KEY', randomSecret);
  const signer = new CheckpointSigner(parseSigningKey(await secret(env.AUDIT_SIGNING_KEY, 'audit-signing-key.pem', 'AUDIT_SIGNING_KEY', newSigningKeyPem)));
  if (env.AUDIT === 'off') log.warn('AUDIT=off: nothing is recorded in the audit trail (benchmarks only)');
  const audit = new AuditLog({
    db,
    textRows: database.textRows,
    parallel:
      env.DATABASE_URL && env.AUDIT_VERIFY_WORKERS > 1
        ? { databaseUrl: env.DATABASE_URL, workers: env.AUDIT_VERIFY_WORKERS, minEntries: env.AUDIT_VERIFY_PARALLEL_MIN }
        : undefined,
    pseudonyms: new Pseudonyms(pseudonymKey),
    signer,
    previousKeys: env.AUDIT_PREVIOUS_PUBLIC_KEYS ? parsePublicKeys(env.AUDIT_PREVIOUS_PUBLIC_KEYS) : [],
    enabled: env.AUDIT === 'on',
    log,
  });
  await recordConfig(audit, db, auditedConfig(env, signer, pseudonymKey));
  // The registry starts from the committed default model unless DEFAULT_MODEL names another one
  // (an operator's own upstream, whose folder the api does not know: they register it).
  const baseDir = env.BASE_MODEL_DIR ?? (env.DEFAULT_MODEL ? undefined : DEFAULT_BASE_MODEL_DIR);
  const modelStore = env.MODEL_STORE ? resolve(env.MODEL_STORE) : join(env.DIALOOP_DATA_DIR, 'models');
  await mkdir(modelStore, { recursive: true });
  const registerRoots = await Promise.all(
    [modelStore, ...(baseDir ? [dirname(baseDir)] : []), ...env.MODEL_REGISTER_ROOTS].map((p) => realpath(p).catch(() => resolve(p))),
  );
  const models = new ModelRegistry({
    db,
    audit,
    log,
    upstreams,
    adminKey: env.INFERENCE_ADMIN_KEY,
    roots: [...new Set(registerRoots)],
    base: baseDir ? { name: env.BASE_MODEL_NAME ?? basename(baseDir), dir: baseDir } : undefined,
  });
  const safety = new SafetyService({
    db,
    audit,
    redis,
    log,
    metrics,
    settings: {
      enabled: env.SAFETY === 'on',
      refusal: env.SAFETY_REFUSAL,
      regexHold: env.SAFETY_REGEX_HOLD,
      reloadIntervalMs: env.SAFETY_RELOAD_INTERVAL_S * 1000,
      windowSeconds: env.SAFETY_WINDOW_S,
      thresholds: { WARN: env.SAFETY_WARN_AT, SLOW: env.SAFETY_SLOW_AT, LOCK: env.SAFETY_LOCK_AT, REVIEW: env.SAFETY_REVIEW_AT },
      slowIntervalMs: env.SAFETY_SLOW_INTERVAL_S * 1000,
    },
  });
  if (env.SAFETY === 'off') log.warn('SAFETY=off: prompts and replies are not filtered (benchmarks only)');
  await safety.start();
  const generations = new GenerationManager({ db, bus, upstreams, flushMs: env.STREAM_FLUSH_MS, log, metrics, safety });
  // Backpressure: replies that find their upstream full wait in a queue, shared through Redis when set.
  const dispatcher = new ReplyDispatcher({
    queue: redis ? new RedisReplyQueue(redis, generations.instanceId) : new MemoryReplyQueue(generations.instanceId),
    db,
    bus,
    log,
    metrics,
    instanceId: generations.instanceId,
    maxQueued: env.REPLY_QUEUE_MAX,
    maxWaitMs: env.REPLY_QUEUE_MAX_WAIT_MS,
    shared: Boolean(redis),
    start: (reply) => generations.start(jobOf(reply, safety.replyFilter())),
  });
  generations.slots = dispatcher;
  const exportTokens = new ExportTokens(jwtSecret);

  const auth = new AuthService({
    db,
    audit,
    tokens: new AccessTokens(jwtSecret, env.ACCESS_TOKEN_TTL_S),
    oidc: env.OIDC_ISSUER && env.OIDC_AUDIENCE ? new OidcVerifier({ issuer: env.OIDC_ISSUER, audience: env.OIDC_AUDIENCE, jwksUrl: env.OIDC_JWKS_URL }) : undefined,
    oidcRoleClaim: env.OIDC_ROLE_CLAIM,
    refreshTtlSeconds: env.REFRESH_TOKEN_TTL_S,
  });
  const users = new UserService(db, audit);
  const chat = new ChatService({
    db,
    audit,
    safety,
    bus,
    generations,
    dispatcher,
    upstreams,
    limits,
    maxMessageChars: env.MAX_MESSAGE_CHARS,
    maxConcurrentGenerations: env.MAX_CONCURRENT_GENERATIONS,
    defaultModel: env.DEFAULT_MODEL,
    models,
    idleRecheckMs: env.UPSTREAM_IDLE_TIMEOUT_MS + 5_000,
    stages: metrics.stages,
    log,
  });
  const privacy = new PrivacyService({
    db,
    audit,
    chat,
    conversationRetentionDays: env.CONVERSATION_RETENTION_DAYS,
    auditRetentionDays: env.AUDIT_RETENTION_DAYS,
    log,
  });
  const review = new ReviewService({
    db,
    audit,
    upstreams,
    safety,
    log,
    settings: {
      perItem: env.REVIEWS_PER_ITEM,
      leaseSeconds: env.REVIEW_LEASE_S,
      sampleShare: env.REVIEW_SAMPLE_SHARE,
      lowScore: env.REVIEW_LOW_SCORE,
      arenaModels: env.REVIEW_ARENA_MODELS,
      minAgreement: env.REVIEW_MIN_AGREEMENT,
      rubric: env.REVIEW_RUBRIC ? (JSON.parse(env.REVIEW_RUBRIC) as ReviewSettings['rubric']) : [...DEFAULT_RUBRIC],
      defaultModel: env.DEFAULT_MODEL,
    },
  });
  const datasetRoot = env.DATASET_STORE ? resolve(env.DATASET_STORE) : join(env.DIALOOP_DATA_DIR, 'datasets');
  const datasets = new DatasetService({
    db,
    audit,
    store: new LocalDatasetStore(datasetRoot),
    secret: jwtSecret,
    log,
    worker: env.DATABASE_URL ? { databaseUrl: env.DATABASE_URL, storeRoot: datasetRoot, heapMb: env.DATASET_BUILD_HEAP_MB, workers: env.DATASET_BUILD_WORKERS } : undefined,
  });
  const interrupted = await datasets.recover();
  if (interrupted > 0) log.warn({ count: interrupted }, 'dataset versions left building by a stopped process marked FAILED');
  await models.bootstrap();
  const executor: TrainingExecutor =
    env.TRAINING_EXECUTOR === 'kubernetes'
      ? await KubernetesExecutor.fromServiceAccount({
          namespace: env.TRAINING_K8S_NAMESPACE,
          image: env.TRAINING_K8S_IMAGE,
          pvc: env.TRAINING_K8S_PVC,
          gpus: env.TRAINING_K8S_GPUS,
          nproc: env.TRAINING_K8S_NPROC,
          deadlineSeconds: env.TRAINING_K8S_DEADLINE_S,
          template: await readFile(env.TRAINING_K8S_TEMPLATE, 'utf8'),
        })
      : new LocalExecutor({ python: env.TRAINING_PYTHON, cwd: env.TRAINING_DIR });
  const training = new TrainingService({
    db,
    audit,
    log,
    registry: models,
    executor,
    modelStore,
    datasetStore: datasetRoot,
    maxConcurrent: env.TRAINING_MAX_CONCURRENT,
    threads: env.TRAINING_THREADS,
    instanceId: generations.instanceId,
    staleMs: env.TRAINING_STALE_S * 1000,
  });
  const failedRuns = await training.start();
  if (failedRuns > 0) log.warn({ count: failedRuns }, 'training runs left running by a stopped process marked FAILED');
  const services: Services = {
    db,
    audit,
    exportTokens,
    privacy,
    auth,
    users,
    chat,
    ratings: new RatingService(db, audit, review),
    safety,
    review,
    datasets,
    models,
    training,
    upstreams,
    generations,
    bus,
    limits,
  };
  // Crash recovery: replies left STREAMING by a process that is gone are settled INTERRUPTED
  // (GENERATOR_STOPPED) with the text their subscribers received, and the final event.
  // One process: all of them, now. Several (Redis): each process beats a heartbeat, and the one
  // that first finds another silent for the liveness window settles that one's replies.
  let liveness: Liveness | undefined;
  if (redis) {
    liveness = new Liveness({
      redis,
      instanceId: generations.instanceId,
      heartbeatMs: env.API_HEARTBEAT_MS,
      windowMs: env.API_LIVENESS_WINDOW_MS,
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
  void upstreams.models().then((models) => {
    if (models.length > 0) log.info({ models: models.map((m) => m.id) }, 'upstream models');
    else log.warn({ upstreams: env.INFERENCE_URL }, 'no upstream answered with a model yet (is the inference server up? INFERENCE_URL)');
  });

  const demoAccounts = env.DEMO_ACCOUNTS ? await users.ensureDemoAccounts(env.DEMO_PASSWORD) : [];

  // Periodic jobs of every process (each is safe to run in several at once): sign the head of the
  // audit chain when it moved, and apply retention.
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
  every(env.AUDIT_CHECKPOINT_INTERVAL_S * 1000, 'audit checkpoint', () => audit.checkpoint());
  if (env.MODEL_SYNC_INTERVAL_S > 0) every(env.MODEL_SYNC_INTERVAL_S * 1000, 'model sync', () => models.sync());
  void models.sync().catch((err: unknown) => log.warn({ err }, 'model sync failed'));
  if (env.REVIEW_COLLECT_INTERVAL_S > 0) every(env.REVIEW_COLLECT_INTERVAL_S * 1000, 'review collection', () => review.collect());
  if (env.CONVERSATION_RETENTION_DAYS > 0 || env.AUDIT_RETENTION_DAYS > 0) {
    every(env.RETENTION_SWEEP_INTERVAL_S * 1000, 'retention sweep', () => privacy.sweep());
  }

  const schema = await createSchema();
  const formatError = createFormatError(log);
  // graphql-armor throws from inside validate() unless told otherwise, which Apollo answers with
  // a 500 and graphql-ws with a closed socket: report to the validation context instead, so a
  // rejected operation is a GRAPHQL_VALIDATION_FAILED error like any other invalid one.
  const reportRejection = { propagateOnRejection: false, onReject: [(ctx: ValidationContext | null, err: GraphQLError) => ctx?.reportError(err)] };
  const rules: ValidationRule[] = [
    maxDepthRule({ n: env.MAX_QUERY_DEPTH, exposeLimits: true, ...reportRejection }),
    costLimitRule({ maxCost: env.MAX_QUERY_COST, exposeLimits: true, ...reportRejection }),
    // Aliases multiply a field without raising its cost (300 × conversations would fit): cap them.
    maxAliasesRule({ n: env.MAX_QUERY_ALIASES, exposeLimits: true, ...reportRejection }),
  ];

  const contextFor = (auth: Authenticated | null, requestId: string, client: Context['client']): Context => {
    const actor = auth?.actor ?? null;
    return {
      actor,
      ability: abilityFor(actor),
      requestId,
      services,
      client,
      audit: audit.scopeFor(actor, { requestId, ip: client.ip, userAgent: client.userAgent }),
      log: log.child({ requestId, ...(client.requestId ? { clientRequestId: client.requestId } : {}), userId: actor?.userId }),
    };
  };

  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', env.TRUST_PROXY);
  const httpServer = http.createServer(app);
  const wsServer = startGraphqlWs(httpServer, {
    schema,
    rules: [...specifiedRules, ...rules, ...(env.introspection ? [] : [NoSchemaIntrospectionCustomRule])],
    auth,
    contextFor,
    formatError,
    connections: metrics.wsConnections,
    audit,
    log,
    recheckMs: env.WS_AUTH_RECHECK_MS,
    origins: env.CONSOLE_ORIGINS,
  });

  const apollo = new ApolloServer<Context>({
    schema,
    introspection: env.introspection,
    csrfPrevention: true,
    formatError,
    includeStacktraceInErrorResponses: false,
    validationRules: rules,
    // main.ts owns the signals: replies in flight finish before Apollo stops.
    stopOnTerminationSignals: false,
    plugins: [
      // Nothing is cacheable (every /graphql response says `no-store`, below). Apollo's cache-control
      // plugin would also wrap every field resolver of the schema, which graphql-ws shares: each
      // token of a reply stream would pay for it.
      ApolloServerPluginCacheControlDisabled(),
      ApolloServerPluginDrainHttpServer({ httpServer }),
      // Subscriptions stream over the WebSocket only.
      {
        requestDidStart: async () => ({
          didResolveOperation: async ({ operation }) => {
            if (operation?.operation === 'subscription') {
              throw new GraphQLError('Subscriptions run over the WebSocket (graphql-ws) at this URL', { extensions: { code: 'BAD_REQUEST', http: { status: 400 } } });
            }
          },
        }),
      },
      // Denied and failed operations go to the audit trail (successful ones are recorded by their service).
      {
        requestDidStart: async () => ({
          didEncounterErrors: async ({ contextValue, operation, errors }) => auditOperationErrors(contextValue, operation, errors),
        }),
      },
      // One structured line per HTTP operation, under its request id.
      {
        requestDidStart: async ({ contextValue }) => {
          const started = performance.now();
          return {
            willSendResponse: async ({ operationName, errors }) => {
              const elapsed = performance.now() - started;
              metrics.stages.observe({ operation: 'request', stage: 'graphql' }, elapsed / 1000);
              contextValue.log.info(
                { operationName, ms: Math.round(elapsed * 10) / 10, errors: errors?.map((e) => e.extensions.code ?? 'INTERNAL_SERVER_ERROR') },
                'graphql request',
              );
            },
          };
        },
      },
      { serverWillStart: async () => ({ drainServer: async () => void (await wsServer.dispose()) }) },
    ],
  });
  await apollo.start();

  app.get('/healthz', (_req, res) => void res.json({ status: 'ok' }));
  /**
   * Operators' endpoints. `/readyz` tells a load balancer ready or not to anyone; what backs it
   * (database kind, models served) and `/metrics` are for operators: on METRICS_PORT when set,
   * else on this port — in production only with METRICS_TOKEN.
   */
  const readiness = async (details: boolean): Promise<[number, object]> => {
    // Draining (SIGTERM): a load balancer stops sending new work here; replies in flight go on.
    if (!generations.accepting) return [503, { status: 'draining' }];
    try {
      await db.$queryRaw`SELECT 1`;
      return [200, details ? { status: 'ready', database: database.kind, models: (await upstreams.models()).map((m) => m.id) } : { status: 'ready' }];
    } catch {
      return [503, { status: 'unavailable' }];
    }
  };
  const sendMetrics = async (res: express.Response) => {
    metrics.activeGenerations.set(generations.activeCount);
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
  app.get('/exports/audit/:token', exportHandler(audit, exportTokens, log));
  app.get('/exports/datasets/:token', datasets.handler());
  app.use(
    '/graphql',
    // The console calls from its own origin (no cookies: the access token is a header).
    cors({ origin: env.CONSOLE_ORIGINS, methods: ['GET', 'POST'], allowedHeaders: ['content-type', 'authorization', 'x-request-id', 'apollo-require-preflight'], exposedHeaders: ['x-request-id'], maxAge: 600 }),
    (req, res, next) => {
      const started = performance.now();
      res.once('finish', () => metrics.stages.observe({ operation: 'request', stage: 'http' }, (performance.now() - started) / 1000));
      const requestId = randomUUID();
      res.setHeader('x-request-id', requestId);
      res.locals.clientRequestId = clientRequestId(req.headers['x-request-id']);
      res.setHeader('cache-control', 'no-store');
      res.locals.requestId = requestId;
      next();
    },
    express.json({ limit: env.BODY_LIMIT }),
    expressMiddleware(apollo, {
      context: async ({ req, res }) => {
        const client = { ip: req.ip, userAgent: req.headers['user-agent'], requestId: res.locals.clientRequestId as string | undefined };
        try {
          const who = await timed(metrics.stages, 'request', 'authenticate', () => services.auth.authenticate(req.headers.authorization));
          return contextFor(who, String(res.locals.requestId), client);
        } catch (err) {
          if (!(err instanceof AppError)) throw err;
          // A refused credential fails every operation that needs one (401, or 403 for a disabled
          // account), while public ones — login, refreshToken — still work: a client holding an
          // expired access token can refresh it.
          const authError = err.code === 'FORBIDDEN' ? new AppError(err.code, err.message, { http: { status: 403 } }) : err;
          return { ...contextFor(null, String(res.locals.requestId), client), authError };
        }
      },
    }),
  );
  // Malformed JSON bodies and oversize requests get a GraphQL-shaped error, not an HTML page.
  app.use((err: Error & { status?: number; type?: string }, _req: express.Request, res: express.Response, next: express.NextFunction) => {
    if (res.headersSent) return next(err);
    const status = err.status ?? 500;
    const message = err.type === 'entity.too.large' ? 'Request body too large' : status === 400 ? 'Malformed JSON body' : 'Internal server error';
    if (status >= 500) log.error({ err }, 'request failed');
    res.status(status).json({ errors: [{ message, extensions: { code: status >= 500 ? 'INTERNAL_SERVER_ERROR' : 'BAD_REQUEST' } }] });
  });

  await new Promise<void>((resolve, reject) => {
    httpServer.once('error', reject);
    httpServer.listen(env.API_PORT, env.API_HOST, () => resolve());
  });
  const addr = httpServer.address();
  const port = typeof addr === 'object' && addr ? addr.port : env.API_PORT;
  const host = env.API_HOST.includes(':') ? `[${env.API_HOST}]` : env.API_HOST;
  const url = `http://${host}:${port}`;
  log.info({ url: `${url}/graphql` }, 'api listening');

  let closing: Promise<void> | undefined;
  return {
    url,
    httpServer,
    services,
    database,
    schema,
    demoAccounts,
    close: () =>
      (closing ??= (async () => {
        for (const t of jobs) clearInterval(t);
        // Draining: new sends are refused, running replies finish or end with their final event
        // (the heartbeat goes on meanwhile, so no other process takes them for orphans).
        await dispatcher.close();
        await generations.close(env.SHUTDOWN_GRACE_MS);
        // Their final events reach this process's own subscribers (over Redis) and go out on
        // their sockets before the sockets close.
        await bus.delivered();
        await new Promise((r) => setTimeout(r, 50));
        await liveness?.stop();
        await safety.close();
        await datasets.close();
        await training.close();
        await apollo.stop();
        upstreams.close();
        await bus.close();
        if (redis) await redis.quit().catch(() => undefined);
        await new Promise((r) => (metricsServer ? metricsServer.close(r) : r(undefined)));
        await database.close();
      })()),
  };
}
