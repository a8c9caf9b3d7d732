import { createHash } from 'node:crypto';
import { mkdir, readFile, realpath } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { openDatabase, type Database } from '@dialoop/db';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { DEFAULT_BASE_MODEL_DIR, randomSecret, type ApiEnv } from '../env.js';
import { Limits } from '../limits.js';
import type { ApiMetrics } from '../metrics.js';
import { persistedSecret } from '../secrets.js';
import type { Services } from '../services.js';
import { AuditLog, AuditReader, CheckpointSigner, ExportTokens, Pseudonyms, newSigningKeyPem, parseSigningKey } from '../modules/audit/index.js';
import { AccessTokens, ACCOUNT_CHANNEL, AccountStatus, AuthService, OidcVerifier } from '../modules/auth/index.js';
import {
  ChatService,
  GenerationManager,
  MemoryReplyQueue,
  MemoryStreamBus,
  RedisReplyQueue,
  RedisStreamBus,
  ReplyDispatcher,
  Upstreams,
  jobOf,
  type StreamBus,
} from '../modules/chat/index.js';
import { DatasetService, LocalDatasetStore } from '../modules/datasets/index.js';
import { InferenceMonitor } from '../modules/inference/index.js';
import { ModelRegistry } from '../modules/models/index.js';
import { PrivacyService } from '../modules/privacy/index.js';
import { RatingService } from '../modules/ratings/index.js';
import { ReviewService } from '../modules/review/index.js';
import { SafetyService } from '../modules/safety/index.js';
import { KubernetesExecutor, LocalExecutor, TrainingService, type TrainingExecutor } from '../modules/training/index.js';
import { UserService } from '../modules/users/index.js';

/** Each request of `inferenceServers` to an upstream (readiness, models, metrics) gets this long. */
const INFERENCE_SCRAPE_TIMEOUT_MS = 2_000;

/** Everything a process holds once built: its connections, its services, and what drains replies. */
export interface Core {
  database: Database;
  redis: Redis | undefined;
  services: Services;
  dispatcher: ReplyDispatcher;
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

/**
 * Builds the services of one api process from its configuration: the database (migrated), Redis,
 * secrets, the audit trail, and every module's service, with what each recovers at start (dataset
 * builds and training runs left by a stopped process, the registry's base model).
 */
export async function buildServices(env: ApiEnv, log: Logger, metrics: ApiMetrics): Promise<Core> {
  const database = await openDatabase({
    databaseUrl: env.DATABASE_URL,
    dataDir: env.DATABASE_URL ? undefined : join(env.DIALOOP_DATA_DIR, 'pglite'),
    migrate: true,
    poolMax: env.DATABASE_POOL_MAX,
    log: (msg) => log.info(msg),
  });
  const db = database.prisma;
  log.info({ database: database.kind }, 'database ready');

  // One Redis client for the stream bus, rate limits, the reply queue and liveness (the bus adds a subscriber connection).
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
    health: {
      intervalMs: env.INFERENCE_HEALTH_INTERVAL_S * 1000,
      timeoutMs: env.INFERENCE_HEALTH_TIMEOUT_MS,
      failures: env.INFERENCE_HEALTH_FAILURES,
      path: env.INFERENCE_HEALTH_PATH,
    },
    metrics: metrics.upstream,
    log,
  });
  const limits = new Limits({ messagesPerMinute: env.RATE_LIMIT_MESSAGES_PER_MINUTE, redis });
  const secret = (value: string | undefined, file: string, variable: string, generate: () => string) =>
    persistedSecret({ value, dataDir: env.DIALOOP_DATA_DIR, file, variable, generate }, log);
  const jwtSecret = await secret(env.JWT_SECRET, 'jwt-secret', 'JWT_SECRET', randomSecret);
  const pseudonymKey = await secret(env.PSEUDONYM_KEY, 'pseudonym-key', 'PSEUDONYM_KEY', randomSecret);
  const signer = new CheckpointSigner(env.AUDIT_SIGNING_KEY ?? parseSigningKey(await secret(undefined, 'audit-signing-key.pem', 'AUDIT_SIGNING_KEY', newSigningKeyPem)));
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
    previousKeys: env.AUDIT_PREVIOUS_PUBLIC_KEYS,
    enabled: env.AUDIT === 'on',
    verifications: metrics.audit.verifications,
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
    metrics: metrics.models,
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

  const accounts = new AccountStatus(database.textRows);
  await database.listen(ACCOUNT_CHANNEL, accounts);
  const auth = new AuthService({
    db,
    accounts,
    audit,
    tokens: new AccessTokens(jwtSecret, env.ACCESS_TOKEN_TTL_S),
    oidc: env.OIDC_ISSUER && env.OIDC_AUDIENCE ? new OidcVerifier({ issuer: env.OIDC_ISSUER, audience: env.OIDC_AUDIENCE, jwksUrl: env.OIDC_JWKS_URL }) : undefined,
    oidcRoleClaim: env.OIDC_ROLE_CLAIM,
    refreshTtlSeconds: env.REFRESH_TOKEN_TTL_S,
  });
  const users = new UserService(db, audit);
  const chat = new ChatService({
    db,
    textRows: database.textRows,
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
    coalesceMs: env.STREAM_COALESCE_MS,
    stages: metrics.stages,
    streams: metrics.streams,
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
      rubric: env.REVIEW_RUBRIC,
      defaultModel: env.DEFAULT_MODEL,
      collectIntervalSeconds: env.REVIEW_COLLECT_INTERVAL_S,
    },
    metrics: metrics.review,
  });
  const datasetRoot = env.DATASET_STORE ? resolve(env.DATASET_STORE) : join(env.DIALOOP_DATA_DIR, 'datasets');
  const datasets = new DatasetService({
    db,
    audit,
    store: new LocalDatasetStore(datasetRoot),
    secret: jwtSecret,
    log,
    builds: metrics.datasetBuilds,
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
    runs: metrics.trainingRuns,
  });
  const failedRuns = await training.start();
  if (failedRuns > 0) log.warn({ count: failedRuns }, 'training runs left running by a stopped process marked FAILED');
  const exportTokens = new ExportTokens(jwtSecret);
  const services: Services = {
    audit,
    auditReader: new AuditReader({ audit, db, exportTokens }),
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
    inference: new InferenceMonitor({ urls: env.INFERENCE_URL, apiKey: env.INFERENCE_API_KEY, timeoutMs: INFERENCE_SCRAPE_TIMEOUT_MS, healthPath: env.INFERENCE_HEALTH_PATH }),
    generations,
    bus,
    limits,
  };
  return { database, redis, services, dispatcher };
}
