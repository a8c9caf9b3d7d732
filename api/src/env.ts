import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { KeyObject } from 'node:crypto';
import { DEFAULT_RUBRIC, type Criterion } from '@dialoop/feedback';
import { z } from 'zod';
// Configuration parses keys without loading the audit module's GraphQL types (its index): main.ts reads the environment first.
// eslint-disable-next-line no-restricted-imports
import { parsePublicKeys } from './modules/audit/chain.js';
// eslint-disable-next-line no-restricted-imports
import { parseSigningKey } from './modules/audit/keys.js';

export const DEFAULT_DEMO_PASSWORD = 'dialoop-demo';
/** The repository's committed default model, training job and Job template (where the api runs from a checkout). */
export const DEFAULT_BASE_MODEL_DIR = fileURLToPath(new URL('../../inference/models/dialoop-tiny', import.meta.url));
const DEFAULT_TRAINING_DIR = fileURLToPath(new URL('../../training', import.meta.url));
const DEFAULT_K8S_TEMPLATE = fileURLToPath(new URL('../../infra/k8s/training-job.yaml', import.meta.url));

const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
const positiveInt = z.coerce.number().int().positive();

/** A value parsed once here, so nothing downstream parses configuration again: a parse error is a configuration error. */
const parsed = <T>(parse: (raw: string) => T) =>
  z.string().transform((raw, ctx): T => {
    try {
      return parse(raw);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
      return z.NEVER;
    }
  });

const criterion = z.object({ id: z.string().regex(/^[a-z][a-z0-9_]{0,31}$/), label: z.string().min(1), min: z.number().int(), max: z.number().int() }).refine((c) => c.min < c.max);
/** `REVIEW_RUBRIC`: the rubric as JSON, checked. */
const rubric = z
  .string()
  .optional()
  .transform((raw, ctx): Criterion[] => {
    if (!raw) return [...DEFAULT_RUBRIC];
    let json: unknown = null;
    try {
      json = JSON.parse(raw);
    } catch {
      // reported below
    }
    const r = z.array(criterion).min(1).safeParse(json);
    if (r.success) return r.data;
    ctx.addIssue({ code: 'custom', message: 'REVIEW_RUBRIC: a JSON list of {id (a-z0-9_), label, min, max} with min < max' });
    return z.NEVER;
  });

/** `INFERENCE_URL`: one or more OpenAI-compatible base URLs, comma-separated. */
const upstreamUrls = z
  .string()
  .default('http://127.0.0.1:8000')
  .transform((raw, ctx) => {
    const urls = raw.split(',').map((s) => s.trim().replace(/\/+$/, '')).filter(Boolean);
    for (const u of urls) {
      if (!z.url({ protocol: /^https?$/ }).safeParse(u).success) ctx.addIssue({ code: 'custom', message: `INFERENCE_URL: not an http(s) URL: ${u}` });
    }
    if (urls.length === 0) ctx.addIssue({ code: 'custom', message: 'INFERENCE_URL names no upstream' });
    return urls;
  });

export const envSchema = (base = process.cwd()) =>
  z
    .object({
      NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
      API_HOST: z.string().default('127.0.0.1'),
      API_PORT: z.coerce.number().int().min(0).max(65535).default(4000),
      LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),

      /** PostgreSQL; unset → embedded PGlite in DIALOOP_DATA_DIR. */
      DATABASE_URL: z.string().optional(),
      /** Most PostgreSQL connections one api process opens (sends, stream flushes and reads share them). */
      DATABASE_POOL_MAX: positiveInt.default(20),
      DIALOOP_DATA_DIR: z.string().default('data').transform((p) => resolve(base, p)),
      /** Redis for pub/sub fan-out and rate limits across api processes; unset → in-process. */
      REDIS_URL: z.string().optional(),

      INFERENCE_URL: upstreamUrls,
      /** Bearer key sent upstream (vLLM / TGI / hosted endpoints). Secret. */
      INFERENCE_API_KEY: z.string().optional(),
      /** Model used when a message names none; unset → the first model the first upstream lists. */
      DEFAULT_MODEL: z.string().optional(),
      /** Upstream: time allowed to the response headers, and between two chunks of a stream. */
      UPSTREAM_CONNECT_TIMEOUT_MS: positiveInt.default(10_000),
      UPSTREAM_IDLE_TIMEOUT_MS: positiveInt.default(30_000),
      /**
       * Balancing over several upstreams: each one's health path is asked every
       * INFERENCE_HEALTH_INTERVAL_S seconds (0: never); INFERENCE_HEALTH_FAILURES failures in a row
       * (no 200 within INFERENCE_HEALTH_TIMEOUT_MS: unreachable, an error, a draining 503) take it out
       * of rotation until it answers 200 again.
       */
      INFERENCE_HEALTH_INTERVAL_S: z.coerce.number().min(0).default(5),
      INFERENCE_HEALTH_TIMEOUT_MS: positiveInt.default(2_000),
      INFERENCE_HEALTH_FAILURES: positiveInt.default(2),
      /** The readiness path of the upstreams (ours and a Kubernetes-style server: /readyz; vLLM and TGI: /health). */
      INFERENCE_HEALTH_PATH: z.string().startsWith('/').default('/readyz'),

      /** HS256 signing key for access tokens. Secret. Unset outside production → a random key kept in the data folder. */
      JWT_SECRET: z.string().min(32).optional(),
      ACCESS_TOKEN_TTL_S: positiveInt.default(900),
      REFRESH_TOKEN_TTL_S: positiveInt.default(30 * 24 * 3600),
      /** External OpenID Connect issuer whose JWTs are accepted (verified through its JWKS). */
      OIDC_ISSUER: z.url().optional(),
      OIDC_AUDIENCE: z.string().optional(),
      /** JWKS location; unset → discovered from the issuer's /.well-known/openid-configuration. */
      OIDC_JWKS_URL: z.url().optional(),
      /** Claim holding the Dialoop role of an OIDC user (USER when absent). */
      OIDC_ROLE_CLAIM: z.string().default('dialoop_role'),
      /** An open WebSocket re-checks its credential (revoked key, disabled account, new role) at most this often. */
      WS_AUTH_RECHECK_MS: positiveInt.default(30_000),
      /**
       * Browser origins allowed to call the api (the console's): CORS on /graphql and the
       * WebSocket's Origin check. Comma-separated, never `*`; a request with no Origin (an app,
       * the CLI) is not affected.
       */
      CONSOLE_ORIGINS: z
        .string()
        .default('http://127.0.0.1:3000,http://localhost:3000')
        .transform((v) => v.split(',').map((o) => o.trim()).filter(Boolean))
        .pipe(z.array(z.string().regex(/^https?:\/\/[^/*\s]+$/, 'CONSOLE_ORIGINS: each origin is scheme://host[:port], no path and no *'))),
      /** Express's `trust proxy`: whose X-Forwarded-For names the client (the console's sign-in forwards it). */
      TRUST_PROXY: z.string().default('loopback'),

      DEMO_ACCOUNTS: bool.default(true),
      /** Secret. */
      DEMO_PASSWORD: z.string().min(8).default(DEFAULT_DEMO_PASSWORD),

      MAX_MESSAGE_CHARS: positiveInt.default(32_000),
      MAX_QUERY_DEPTH: positiveInt.default(10),
      MAX_QUERY_COST: positiveInt.default(5_000),
      MAX_QUERY_ALIASES: positiveInt.default(15),
      /** Messages (send, regenerate, edit) per person per minute. */
      RATE_LIMIT_MESSAGES_PER_MINUTE: positiveInt.default(30),
      /** Replies one person may have streaming at once. */
      MAX_CONCURRENT_GENERATIONS: positiveInt.default(3),
      /** How often partial replies are written to the database while they stream. */
      STREAM_FLUSH_MS: positiveInt.default(1_000),
      /**
       * A reply's deltas that reach a subscriber within this many ms of the last event it was sent
       * go out as one delta event (their text joined, `firstSeq`..`seq` the deltas it carries); the
       * first delta is never held. 0: every delta its own event.
       */
      STREAM_COALESCE_MS: z.coerce.number().int().min(0).max(10_000).default(10),
      /** How long a finished stream's events stay in the replay log before replay reads the database. */
      STREAM_LOG_TTL_S: positiveInt.default(600),
      /** With Redis: how often each api process says it is alive (and looks for processes that stopped saying so)… */
      API_HEARTBEAT_MS: positiveInt.default(1_000),
      /** …and how long one may stay silent before its replies are settled by another (INTERRUPTED, GENERATOR_STOPPED). Detection takes at most this plus one heartbeat. */
      API_LIVENESS_WINDOW_MS: positiveInt.default(3_000),
      /** …while its heartbeat, beaten by a thread of its own, goes on through a busy main thread unless that one has not turned for this long (hung). */
      API_HUNG_MS: positiveInt.default(30_000),
      /** Serve /metrics and /readyz's details on this port of their own (Prometheus scrapes it; keep it off the public network). */
      METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
      /** Else, in production, /metrics and /readyz's details on the api port need `Authorization: Bearer <METRICS_TOKEN>`. Secret. */
      METRICS_TOKEN: z.string().min(16).optional(),
      /** Replies that may wait for a busy model server at once (all upstreams); beyond, sends get SERVICE_UNAVAILABLE with a retry hint. */
      REPLY_QUEUE_MAX: positiveInt.default(1_000),
      /** The longest a reply waits for a model server (a request's params.maxWaitMs may ask for less); then it fails UPSTREAM_BUSY. */
      REPLY_QUEUE_MAX_WAIT_MS: positiveInt.default(60_000),
      /** On SIGTERM: how long replies in flight may go on before they are ended (INTERRUPTED, GENERATOR_STOPPED). Keep it under Kubernetes' terminationGracePeriodSeconds. */
      SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).default(10_000),
      /** Introspection; defaults to on outside production. */
      GRAPHQL_INTROSPECTION: bool.optional(),

      /** HMAC key for pseudonyms. Secret. Unset outside production → a random key kept in the data folder. Every api process needs the same. */
      PSEUDONYM_KEY: z.string().min(32).optional(),
      /** Ed25519 key signing audit checkpoints: PKCS#8 PEM, or a 32-byte seed in hex/base64. Secret. Unset outside production → generated into the data folder. */
      AUDIT_SIGNING_KEY: parsed<KeyObject>(parseSigningKey).optional(),
      /** Public keys of earlier AUDIT_SIGNING_KEYs (PEM blocks, or raw keys separated by commas): their checkpoints keep verifying after a rotation. */
      AUDIT_PREVIOUS_PUBLIC_KEYS: parsed<KeyObject[]>(parsePublicKeys).optional().transform((keys) => keys ?? []),
      /** Worker threads a long audit verification uses (PostgreSQL; 1: none), and from how many entries. */
      AUDIT_VERIFY_WORKERS: z.coerce.number().int().min(1).max(64).default(Math.min(availableParallelism(), 4)),
      AUDIT_VERIFY_PARALLEL_MIN: positiveInt.default(100_000),
      /** How often the head of the audit chain is verified and signed (when it moved). */
      AUDIT_CHECKPOINT_INTERVAL_S: positiveInt.default(300),
      /** `off` records nothing: for benchmarks only, refused in production. */
      AUDIT: z.enum(['on', 'off']).default('on'),
      /** Conversations not updated for this many days are deleted (0: kept; fractions allowed). */
      CONVERSATION_RETENTION_DAYS: z.coerce.number().nonnegative().default(0),
      /** Audit entries older than this many days are pruned, behind a signed checkpoint (0: kept). */
      AUDIT_RETENTION_DAYS: z.coerce.number().nonnegative().default(0),
      /** How often retention runs. */
      RETENTION_SWEEP_INTERVAL_S: positiveInt.default(3600),
      BODY_LIMIT: z.string().default('1mb'),

      /** `off` skips the content filter (input and stream): for benchmarks comparing with and without. */
      SAFETY: z.enum(['on', 'off']).default('on'),
      /** What a reply stopped by a BLOCK term ends with. */
      SAFETY_REFUSAL: z.string().min(1).default('[This reply was stopped by the content filter.]'),
      /** Units a regular-expression rewrite rule holds back on the stream (its longest expected match). */
      SAFETY_REGEX_HOLD: z.coerce.number().int().min(1).max(1024).default(64),
      /** How often each process checks for a newer term list (Redis, when set, also tells it at once). */
      SAFETY_RELOAD_INTERVAL_S: z.coerce.number().positive().default(5),
      /** Conversation monitoring: the sliding window, and the number of safety events in it at which each step triggers. */
      SAFETY_WINDOW_S: positiveInt.default(3600),
      SAFETY_WARN_AT: positiveInt.default(3),
      SAFETY_SLOW_AT: positiveInt.default(5),
      SAFETY_LOCK_AT: positiveInt.default(8),
      SAFETY_REVIEW_AT: positiveInt.default(8),
      /** While a person is slowed down: seconds between two of their messages. */
      SAFETY_SLOW_INTERVAL_S: z.coerce.number().positive().default(30),

      /** Review queue: reviews each item needs, a claim's lease, and the sources' settings. */
      REVIEWS_PER_ITEM: z.coerce.number().int().min(1).max(10).default(2),
      REVIEW_LEASE_S: positiveInt.default(900),
      /** Share of conversations sampled for review (0 turns sampling off). */
      REVIEW_SAMPLE_SHARE: z.coerce.number().min(0).max(1).default(0.02),
      /** A reply scored this or lower (or thumbed down) goes to review. */
      REVIEW_LOW_SCORE: z.coerce.number().int().min(1).max(5).default(2),
      /** Models that add a candidate to items with a single reply (comma list; default: the reply's own model, another sample). */
      REVIEW_ARENA_MODELS: z.string().default('').transform((v) => v.split(',').map((m) => m.trim()).filter(Boolean)),
      /** Items whose reviews agree less than this go to adjudication. */
      REVIEW_MIN_AGREEMENT: z.coerce.number().min(0).max(1).default(0.75),
      /** The rubric as JSON: [{"id","label","min","max"}…] (default: helpfulness, harmlessness, honesty 1-5). */
      REVIEW_RUBRIC: rubric,
      /** How often each process sweeps the sources for new review items (0: only when an admin asks). */
      REVIEW_COLLECT_INTERVAL_S: z.coerce.number().min(0).default(60),
      /** Folder where dataset versions' files are kept (default: <DIALOOP_DATA_DIR>/datasets). */
      DATASET_STORE: z.string().optional(),
      /** On PostgreSQL, dataset versions are built in this many worker threads (default: cores, at most 4)… */
      DATASET_BUILD_WORKERS: z.coerce.number().int().min(1).max(64).default(Math.min(availableParallelism(), 4)),
      /** …which share a heap budget of this many MB. */
      DATASET_BUILD_HEAP_MB: z.coerce.number().int().min(32).max(8192).default(128),

      /** The inference servers' admin key (their INFERENCE_ADMIN_KEY): the registry loads model versions through it. Secret. */
      INFERENCE_ADMIN_KEY: z.string().min(16).optional(),
      /** Folder the registry registers as the first ACTIVE version when it is empty (default: the committed dialoop-tiny, unless DEFAULT_MODEL names another model). */
      BASE_MODEL_DIR: z
        .string()
        .optional()
        .transform((p) => (p ? resolve(base, p) : undefined)),
      /** Its model id (default: the folder's name). */
      BASE_MODEL_NAME: z.string().optional(),
      /** Folders (comma list) under which registerModelVersion accepts model folders, besides MODEL_STORE and the base model's parent folder. */
      MODEL_REGISTER_ROOTS: z
        .string()
        .default('')
        .transform((v) => v.split(',').map((p) => p.trim()).filter(Boolean).map((p) => resolve(base, p))),
      /** How often each process makes sure the inference servers serve the versions with traffic (0: only on changes). */
      MODEL_SYNC_INTERVAL_S: z.coerce.number().min(0).default(30),
      /** Where training runs write new model folders and their run folders (default: <DIALOOP_DATA_DIR>/models). The inference servers read them there. */
      MODEL_STORE: z.string().optional(),
      /** `local`: the training job runs as a subprocess of the api; `kubernetes`: as a Job from infra/k8s/training-job.yaml. */
      TRAINING_EXECUTOR: z.enum(['local', 'kubernetes']).default('local'),
      /** Python with PyTorch for local runs (Debian's python3-torch by default). */
      TRAINING_PYTHON: z.string().default('/usr/bin/python3'),
      /** The training/ folder (local runs start there). */
      TRAINING_DIR: z.string().default(DEFAULT_TRAINING_DIR).transform((p) => resolve(base, p)),
      /** Runs one api process executes at once (more wait QUEUED), and the CPU threads a local run uses. */
      TRAINING_MAX_CONCURRENT: z.coerce.number().int().min(1).max(64).default(1),
      TRAINING_THREADS: z.coerce.number().int().min(1).max(256).default(availableParallelism()),
      /** A RUNNING run whose process has not beaten its heart for this long is marked FAILED (its process stopped). */
      TRAINING_STALE_S: z.coerce.number().min(1).default(60),
      /** Kubernetes executor: the job's image, the PersistentVolumeClaim holding datasets and models (mounted at the same path as in the api), GPUs and processes per run, deadline, template. */
      TRAINING_K8S_IMAGE: z.string().default('dialoop/training:latest'),
      TRAINING_K8S_NAMESPACE: z.string().optional(),
      TRAINING_K8S_PVC: z.string().default('dialoop-data'),
      TRAINING_K8S_GPUS: z.coerce.number().int().min(0).max(64).default(1),
      TRAINING_K8S_NPROC: z.coerce.number().int().min(1).max(64).default(1),
      TRAINING_K8S_DEADLINE_S: positiveInt.default(86_400),
      TRAINING_K8S_TEMPLATE: z.string().default(DEFAULT_K8S_TEMPLATE).transform((p) => resolve(base, p)),
    })
    .superRefine((env, ctx) => {
      if (env.API_LIVENESS_WINDOW_MS < 2 * env.API_HEARTBEAT_MS) {
        ctx.addIssue({ code: 'custom', path: ['API_LIVENESS_WINDOW_MS'], message: 'API_LIVENESS_WINDOW_MS must be at least twice API_HEARTBEAT_MS (one late heartbeat is not a death)' });
      }
      if (env.API_HUNG_MS < env.API_LIVENESS_WINDOW_MS) {
        ctx.addIssue({ code: 'custom', path: ['API_HUNG_MS'], message: 'API_HUNG_MS must be at least API_LIVENESS_WINDOW_MS (a busy main thread is not a dead process)' });
      }
      if (env.NODE_ENV === 'production') {
        if (!env.JWT_SECRET) ctx.addIssue({ code: 'custom', path: ['JWT_SECRET'], message: 'JWT_SECRET is required in production' });
        if (!env.PSEUDONYM_KEY) ctx.addIssue({ code: 'custom', path: ['PSEUDONYM_KEY'], message: 'PSEUDONYM_KEY is required in production (the same for every api process)' });
        if (!env.AUDIT_SIGNING_KEY) ctx.addIssue({ code: 'custom', path: ['AUDIT_SIGNING_KEY'], message: 'AUDIT_SIGNING_KEY is required in production (`pnpm audit:keygen` makes one)' });
        if (env.AUDIT === 'off') ctx.addIssue({ code: 'custom', path: ['AUDIT'], message: 'production refuses AUDIT=off' });
        if (env.DEMO_ACCOUNTS && env.DEMO_PASSWORD === DEFAULT_DEMO_PASSWORD) {
          ctx.addIssue({ code: 'custom', path: ['DEMO_PASSWORD'], message: 'production refuses the default demo password: set DEMO_PASSWORD or DEMO_ACCOUNTS=false' });
        }
      }
      if (env.AUDIT_RETENTION_DAYS > 0 && (env.CONVERSATION_RETENTION_DAYS === 0 || env.AUDIT_RETENTION_DAYS < env.CONVERSATION_RETENTION_DAYS)) {
        ctx.addIssue({
          code: 'custom',
          path: ['AUDIT_RETENTION_DAYS'],
          message: 'the trail must outlive what it records: AUDIT_RETENTION_DAYS needs CONVERSATION_RETENTION_DAYS set and no longer than it',
        });
      }
      if (!(env.SAFETY_WARN_AT <= env.SAFETY_SLOW_AT && env.SAFETY_SLOW_AT <= env.SAFETY_LOCK_AT && env.SAFETY_LOCK_AT <= env.SAFETY_REVIEW_AT)) {
        ctx.addIssue({ code: 'custom', path: ['SAFETY_WARN_AT'], message: 'escalation steps go in order: SAFETY_WARN_AT ≤ SAFETY_SLOW_AT ≤ SAFETY_LOCK_AT ≤ SAFETY_REVIEW_AT' });
      }
      if (env.NODE_ENV === 'production' && env.SAFETY === 'off') ctx.addIssue({ code: 'custom', path: ['SAFETY'], message: 'production refuses SAFETY=off' });
      if (env.OIDC_AUDIENCE && !env.OIDC_ISSUER) ctx.addIssue({ code: 'custom', path: ['OIDC_ISSUER'], message: 'OIDC_AUDIENCE needs OIDC_ISSUER' });
      // Without an audience, a token the issuer minted for any other application would be accepted.
      if (env.OIDC_ISSUER && !env.OIDC_AUDIENCE) ctx.addIssue({ code: 'custom', path: ['OIDC_AUDIENCE'], message: 'OIDC_ISSUER needs OIDC_AUDIENCE (the client id Dialoop is known by)' });
    })
    .transform((env) => ({ ...env, introspection: env.GRAPHQL_INTROSPECTION ?? env.NODE_ENV !== 'production' }));

export type ApiEnv = z.infer<ReturnType<typeof envSchema>>;

/** Parses the environment once at start; relative paths are taken from where the command was started. */
export function parseEnv(source: Record<string, string | undefined> = process.env): ApiEnv {
  const result = envSchema(source.INIT_CWD ?? process.cwd()).safeParse(source);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.') || '(env)'}: ${i.message}`);
    throw new Error(`invalid api configuration:\n${lines.join('\n')}`);
  }
  return result.data;
}

export const randomSecret = () => randomBytes(32).toString('base64url');
