/**
 * `pnpm bench:audit`: what the audit trail costs on the write path, and how fast it verifies and
 * reads at a million entries.
 *
 * 1. Added latency of auditing on `sendMessage`: two api processes on two fresh databases, one
 *    with AUDIT=on (the default) and one with AUDIT=off (records nothing), both on one inference
 *    server (the default model, maxTokens 1, so the mutation measures the write path and not
 *    generation). The `sendMessage` round trip over HTTP is timed, the two servers interleaved
 *    round by round (the order alternating) after a warm-up; each reply is awaited (graphql-ws
 *    `messageStream`) before the next request, untimed, so nothing generates in the background.
 * 2. Chain verification: a fresh database is seeded with a valid chain of `--entries` (1,000,000)
 *    realistic entries hashed with the chain functions of the api (bulk INSERT … unnest, 10,000
 *    rows a statement), then VACUUM (ANALYZE). `AuditLog.verify()` over the whole range is timed in
 *    this process (an AuditLog built on a PrismaClient of @dialoop/db, as the api builds it), and
 *    taken apart: reading the rows alone (`AuditLog.rows`), and the same chain recomputed from
 *    records already in memory (`ChainWalker`, the verifier's own loop; JCS alone and SHA-256
 *    alone). `verifyAuditChain` over GraphQL (the api process) is timed once too, after part 3.
 * 3. Query latency: `auditEntries(filter, first: 50)` over HTTP as compliance@demo.local on the
 *    seeded database, for filters by actor, action, subject, outcome, a time window, a second
 *    page through `after`, and no filter; `--requests` (50) timed requests each, interleaved.
 *    Each call records an audit entry itself (an officer reading the trail is audited).
 * Prints tables and writes tests/bench/results/audit.json (a --quick smoke run writes to a
 * temporary folder). Options: --part 1,2,3 (2 and 3 share the seeded database), --rounds,
 * --warmup, --entries, --requests, --seed.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { openDatabase, type Database } from '@dialoop/db';
import { createTestDatabase, type TestDatabase } from '@dialoop/db/testing';
import { createClient, type Client } from 'graphql-ws';
import pino from 'pino';
import { AuditLog } from '../../api/src/modules/audit/audit.service.js';
import { ChainWalker, GENESIS_HASH, bodyOf, canonicalJson, entryHash, type EntryRecord, type Json } from '../../api/src/modules/audit/chain.js';
import { CheckpointSigner, Pseudonyms, parseSigningKey } from '../../api/src/modules/audit/keys.js';

// `ws` ships no types and @types/ws is the api's dev dependency; graphql-ws takes the class as `unknown`.
const WebSocketImpl: unknown = createRequire(import.meta.url)('ws');

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    part: { type: 'string', default: '1,2,3' },
    rounds: { type: 'string' },
    warmup: { type: 'string' },
    entries: { type: 'string' },
    requests: { type: 'string', default: '50' },
    seed: { type: 'string', default: '20261128' },
  },
});
const quick = args.quick!;
const parts = new Set(args.part!.split(',').map(Number));
const rounds = Number(args.rounds ?? (quick ? '40' : '300'));
const warmup = Number(args.warmup ?? (quick ? '5' : '20'));
const entries = Number(args.entries ?? (quick ? '100000' : '1000000'));
const requests = Number(args.requests);
const seed = Number(args.seed);
const PASSWORD = 'dialoop-demo';
/** The api's test secrets (api/test/stack.ts): the seeded pseudonyms use the same key as the api. */
const KEYS = {
  JWT_SECRET: 'test-secret-test-secret-test-secret-0123',
  PSEUDONYM_KEY: 'test-pseudonym-key-test-pseudonym-key-0123',
  AUDIT_SIGNING_KEY: '5a'.repeat(32),
};
const CHUNK = 10_000;
const GOAL_VERIFY_PER_S = 100_000;
const GOAL_QUERY_P50_MS = 50;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
function quantile(xs: ArrayLike<number>, q: number): number {
  const s = Float64Array.from(xs).sort();
  if (s.length === 0) return NaN;
  const at = (s.length - 1) * q;
  const lo = Math.floor(at);
  return s[lo]! + (s[Math.min(lo + 1, s.length - 1)]! - s[lo]!) * (at - lo);
}
const ms = (x: number) => (Number.isFinite(x) ? Number(x.toFixed(x < 10 ? 2 : 1)) : NaN);
const perS = (n: number, msTaken: number) => Math.round((n * 1000) / msTaken);
const fmt = (n: number) => n.toLocaleString('en-US');
const stats = (xs: number[]) => ({ n: xs.length, p50Ms: ms(quantile(xs, 0.5)), p99Ms: ms(quantile(xs, 0.99)), meanMs: ms(xs.reduce((a, b) => a + b, 0) / xs.length), minMs: ms(quantile(xs, 0)), maxMs: ms(quantile(xs, 1)) });

// ---- cleanup: databases dropped and processes stopped, even on failure or Ctrl-C -----------------
const cleanups: (() => Promise<unknown>)[] = [];
const defer = (fn: () => Promise<unknown>) => cleanups.push(fn);
async function cleanup() {
  for (let fn = cleanups.pop(); fn; fn = cleanups.pop()) await fn().catch((err: unknown) => console.error('cleanup:', err));
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void cleanup().finally(() => process.exit(130)));
}

async function testDatabase(): Promise<TestDatabase> {
  const db = await createTestDatabase();
  defer(() => db.drop());
  return db;
}

async function open(url: string): Promise<Database> {
  const d = await openDatabase({ databaseUrl: url });
  defer(() => d.close());
  return d;
}

// ---- processes (the api/test/stack.ts pattern) --------------------------------------------------
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
}

interface Child {
  url: string;
  child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

/** Runs `script` (relative to the root) with tsx and its package's tsconfig; waits for `readyPath`. */
async function spawnNode(script: string, env: Record<string, string>, portVar: string, readyPath: string): Promise<Child> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: ROOT,
    // tsx takes decorator settings from the package's tsconfig, not from the working directory's.
    env: { ...process.env, LOG_LEVEL: 'warn', TSX_TSCONFIG_PATH: join(ROOT, script.split('/')[0]!, 'tsconfig.json'), ...env, [portVar]: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20_000)));
  child.stderr!.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20_000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  defer(stop);
  const url = `http://127.0.0.1:${port}`;
  for (const end = Date.now() + 120_000; ; await sleep(100)) {
    if (child.exitCode !== null) throw new Error(`${script} exited with ${child.exitCode}:\n${out}`);
    if (Date.now() > end) throw new Error(`${script} did not start:\n${out}`);
    if (await fetch(url + readyPath).then((r) => r.ok, () => false)) break;
  }
  return { url, child, output: () => out, stop };
}

const startInference = () => spawnNode('inference/src/main.ts', { INFERENCE_INTRA_OP_THREADS: '1' }, 'INFERENCE_PORT', '/readyz');

const startApi = (databaseUrl: string, inferenceUrl: string, env: Record<string, string> = {}) =>
  spawnNode('api/src/main.ts', {
    DATABASE_URL: databaseUrl,
    INFERENCE_URL: inferenceUrl,
    ...KEYS,
    DEMO_PASSWORD: PASSWORD,
    RATE_LIMIT_MESSAGES_PER_MINUTE: '100000',
    MAX_CONCURRENT_GENERATIONS: '1000',
    ACCESS_TOKEN_TTL_S: '86400',
    // No periodic checkpoint (a verification of the whole chain) in the middle of a measurement.
    AUDIT_CHECKPOINT_INTERVAL_S: '86400',
    ...env,
  }, 'API_PORT', '/healthz');

// ---- GraphQL ------------------------------------------------------------------------------------
async function gql<T>(url: string, query: string, variables: Record<string, unknown>, token?: string): Promise<T> {
  const res = await fetch(`${url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: T; errors?: unknown[] };
  if (body.errors?.length || !body.data) throw new Error(`GraphQL error (HTTP ${res.status}): ${JSON.stringify(body.errors)}`);
  return body.data;
}

const LOGIN = 'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }';
const login = async (url: string, email: string) => (await gql<{ login: { accessToken: string } }>(url, LOGIN, { e: email, p: PASSWORD })).login.accessToken;

const SEND = `mutation($input: SendMessageInput!) {
  sendMessage(input: $input) { conversation { id } userMessage { id } assistantMessage { id status } }
}`;
const STREAM = 'subscription($id: ID!) { messageStream(messageId: $id) { seq done status error { code message } } }';

/** An open, acknowledged graphql-ws connection. */
function connect(url: string, token: string): Promise<Client> {
  return new Promise((resolve, reject) => {
    const client: Client = createClient({
      url: url.replace(/^http/, 'ws') + '/graphql',
      webSocketImpl: WebSocketImpl,
      connectionParams: { authorization: `Bearer ${token}` },
      lazy: false,
      retryAttempts: 0,
      onNonLazyError: reject,
      on: { connected: () => resolve(client) },
    });
  });
}

/** Waits for the reply's final event (replayed when it already finished); its status. */
function waitReply(client: Client, id: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let status = 'NO FINAL EVENT';
    const timer = setTimeout(() => {
      dispose();
      reject(new Error(`reply ${id} did not finish within 60 s`));
    }, 60_000);
    const dispose = client.subscribe<{ messageStream: { done: boolean; status: string | null; error: { code: string } | null } }>({ query: STREAM, variables: { id } }, {
      next: (r) => {
        const e = r.data?.messageStream;
        if (e?.done) status = e.error ? `${e.status}:${e.error.code}` : (e.status ?? 'DONE');
      },
      error: (err: unknown) => {
        clearTimeout(timer);
        reject(err instanceof Error ? err : new Error(JSON.stringify(err)));
      },
      complete: () => {
        clearTimeout(timer);
        resolve(status);
      },
    });
  });
}

// ---- 1. added latency of auditing on sendMessage ------------------------------------------------
async function writePath() {
  const inference = await startInference();
  const model = ((await (await fetch(`${inference.url}/v1/models`)).json()) as { data: { id: string }[] }).data[0]!.id;
  const servers = [];
  for (const audit of ['on', 'off'] as const) {
    const db = await testDatabase();
    const api = await startApi(db.url, inference.url, { AUDIT: audit });
    const token = await login(api.url, 'user@demo.local');
    const client = await connect(api.url, token);
    defer(async () => client.dispose());
    servers.push({ audit, db, api, token, client, samples: [] as number[], statuses: new Map<string, number>() });
  }
  const prompts = ['Say hi.', 'What is 2 plus 3?', 'Name a colour.', 'Hello!'];
  const params = { maxTokens: 1, temperature: 0 };
  const started = performance.now();
  for (let r = -warmup; r < rounds; r++) {
    const order = r % 2 === 0 ? servers : [...servers].reverse();
    for (const s of order) {
      const t0 = performance.now();
      const sent = await gql<{ sendMessage: { assistantMessage: { id: string } } }>(s.api.url, SEND, { input: { content: prompts[(r + warmup) % prompts.length], params } }, s.token);
      const took = performance.now() - t0;
      const status = await waitReply(s.client, sent.sendMessage.assistantMessage.id);
      if (r >= 0) {
        s.samples.push(took);
        s.statuses.set(status, (s.statuses.get(status) ?? 0) + 1);
      }
    }
  }
  const wallS = (performance.now() - started) / 1000;
  // What each database holds: the audited one an entry per action, the other none.
  const written: Record<string, number> = {};
  for (const s of servers) {
    const d = await openDatabase({ databaseUrl: s.db.url });
    try {
      const [row] = await d.prisma.$queryRawUnsafe<{ n: bigint }[]>(`SELECT count(*) AS n FROM "AuditEntry" WHERE "action" = 'sendMessage'`);
      written[s.audit] = Number(row?.n ?? 0);
    } finally {
      await d.close();
    }
  }
  const [on, off] = servers as [(typeof servers)[number], (typeof servers)[number]];
  const a = stats(on.samples);
  const b = stats(off.samples);
  for (const s of servers) await s.client.dispose();
  for (const s of servers) await s.api.stop();
  await inference.stop();
  return {
    model,
    params,
    rounds,
    warmupRounds: warmup,
    wallSeconds: Number(wallS.toFixed(1)),
    audited: { ...a, replyStatuses: Object.fromEntries(on.statuses), sendMessageEntriesWritten: written.on },
    notAudited: { ...b, replyStatuses: Object.fromEntries(off.statuses), sendMessageEntriesWritten: written.off },
    addedP50Ms: ms(a.p50Ms - b.p50Ms),
    addedP99Ms: ms(a.p99Ms - b.p99Ms),
    ratioP50: Number((a.p50Ms / b.p50Ms).toFixed(2)),
    ratioP99: Number((a.p99Ms / b.p99Ms).toFixed(2)),
  };
}

// ---- 2. a realistic chain, seeded ---------------------------------------------------------------
/** mulberry32: a small deterministic generator, so that the chain can be rebuilt identically in memory. */
function prng(s: number) {
  let a = s >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Body = Omit<EntryRecord, 'prevHash' | 'hash'>;
type Kind = 'message' | 'conversation' | 'rating' | 'self' | 'user' | 'apiKey' | 'audit' | 'service';
const ROLES = ['USER', 'REVIEWER', 'COMPLIANCE', 'ADMIN'] as const;
const USER_AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15',
  'Mozilla/5.0 (X11; Linux x86_64; rv:144.0) Gecko/20100101 Firefox/144.0',
  'dialoop-console/0.1.0',
  'python-httpx/0.28.1',
  'curl/8.14.1',
];
/** Actions, their weights and what they are about; `roles`: who may do it (others are DENIED). */
const ACTIONS: { action: string; w: number; kind: Kind; roles?: string[] }[] = [
  { action: 'sendMessage', w: 40, kind: 'message' },
  { action: 'regenerate', w: 5, kind: 'message' },
  { action: 'editAndResend', w: 3, kind: 'message' },
  { action: 'cancelGeneration', w: 2, kind: 'message' },
  { action: 'rateMessage', w: 9, kind: 'rating' },
  { action: 'login', w: 9, kind: 'self' },
  { action: 'refresh', w: 14, kind: 'self' },
  { action: 'logout', w: 2, kind: 'self' },
  { action: 'renameConversation', w: 3, kind: 'conversation' },
  { action: 'deleteConversation', w: 2, kind: 'conversation' },
  { action: 'createApiKey', w: 0.4, kind: 'apiKey' },
  { action: 'revokeApiKey', w: 0.3, kind: 'apiKey' },
  { action: 'apiKeys', w: 1.5, kind: 'apiKey' },
  { action: 'users', w: 1, kind: 'user', roles: ['ADMIN', 'COMPLIANCE'] },
  { action: 'createUser', w: 0.3, kind: 'user', roles: ['ADMIN'] },
  { action: 'updateUser', w: 0.5, kind: 'user', roles: ['ADMIN'] },
  { action: 'deleteMyAccount', w: 0.05, kind: 'self' },
  { action: 'auditEntries', w: 1.5, kind: 'audit', roles: ['COMPLIANCE', 'ADMIN'] },
  { action: 'verifyAuditChain', w: 0.1, kind: 'audit', roles: ['COMPLIANCE', 'ADMIN'] },
  { action: 'exportAudit', w: 0.1, kind: 'audit', roles: ['COMPLIANCE'] },
  { action: 'retention.deleteConversation', w: 1, kind: 'service' },
  { action: 'config.change', w: 0.002, kind: 'service' },
];
const WEIGHT = ACTIONS.reduce((t, a) => t + a.w, 0);

/**
 * Builds the same entry bodies, in the same order, from the same seed: a few hundred people
 * (pseudonyms of the api's key) with a skewed activity, ~20 actions, messages under conversations,
 * mostly ALLOWED with some DENIED and FAILED, small before/after objects, `at` rising over 100 days.
 */
class Trail {
  private readonly rand: () => number;
  private seq = 0;
  private atMs: number;
  private readonly stepMs: number;
  readonly people: { pseudonym: string; role: string; keys: string[] }[];
  readonly conversations: string[];

  constructor(seed: number, private readonly total: number, endMs: number) {
    this.rand = prng(seed);
    const span = 100 * 86_400_000;
    this.atMs = endMs - span;
    this.stepMs = span / total;
    const pseudonyms = new Pseudonyms(KEYS.PSEUDONYM_KEY);
    this.people = Array.from({ length: 300 }, (_, i) => ({
      pseudonym: pseudonyms.user(this.uuid()),
      role: i < 6 ? 'ADMIN' : i < 14 ? 'COMPLIANCE' : i < 40 ? 'REVIEWER' : 'USER',
      keys: Array.from({ length: this.rand() < 0.2 ? 2 : 0 }, () => this.uuid()),
    }));
    this.conversations = Array.from({ length: Math.max(1000, Math.round(total / 25)) }, () => this.uuid());
  }

  private pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.rand() * xs.length)]!;
  }

  private hex8(): string {
    return ((this.rand() * 4294967296) >>> 0).toString(16).padStart(8, '0');
  }

  uuid(): string {
    const [a, b, c, d] = [this.hex8(), this.hex8(), this.hex8(), this.hex8()];
    return `${a}-${b.slice(0, 4)}-4${b.slice(5, 8)}-${'89ab'[c.charCodeAt(0) & 3]}${c.slice(1, 4)}-${c.slice(4)}${d}`;
  }

  get done(): boolean {
    return this.seq >= this.total;
  }

  next(): Body {
    const r = this.rand;
    this.seq += 1;
    this.atMs += 1 + Math.floor(r() * 2 * this.stepMs);
    let w = r() * WEIGHT;
    let spec = ACTIONS[0]!;
    for (const a of ACTIONS) if ((w -= a.w) < 0) {
      spec = a;
      break;
    }
    // Activity skewed towards the first people (index ~ 300 · u^1.6).
    const person = this.people[Math.min(this.people.length - 1, Math.floor(this.people.length * r() ** 1.6))]!;
    const roll = r();
    const outcome = spec.roles && !spec.roles.includes(person.role) ? 'DENIED' : roll < 0.03 ? 'DENIED' : roll < 0.045 ? 'FAILED' : 'ALLOWED';
    const viaKey = person.keys.length > 0 && spec.kind === 'message' && r() < 0.5;
    const anonymousLogin = spec.action === 'login' && outcome === 'DENIED';
    const service = spec.kind === 'service';
    const conversation = this.pick(this.conversations);
    let subjectType: string | null = null;
    let subjectId: string | null = null;
    let subjectOwner: string | null = person.pseudonym;
    let before: Json = null;
    let after: Json = null;
    switch (spec.kind) {
      case 'message':
        subjectType = 'Message';
        subjectId = this.uuid();
        after = spec.action === 'cancelGeneration' ? null : {
          conversationId: conversation,
          newConversation: r() < 0.3,
          userMessageId: spec.action === 'regenerate' ? null : this.uuid(),
          parentId: r() < 0.3 ? null : this.uuid(),
          model: 'dialoop-tiny',
          contentLength: spec.action === 'regenerate' ? null : 5 + Math.floor(r() * 600),
        };
        break;
      case 'conversation':
        subjectType = 'Conversation';
        subjectId = conversation;
        if (spec.action === 'renameConversation') {
          before = { titleLength: 5 + Math.floor(r() * 40) };
          after = { titleLength: 5 + Math.floor(r() * 40) };
        } else after = { messages: 2 + Math.floor(r() * 30) };
        break;
      case 'rating':
        subjectType = 'Rating';
        subjectId = this.uuid();
        after = { messageId: this.uuid(), thumb: r() < 0.7 ? 'UP' : 'DOWN', hasComment: r() < 0.2 };
        break;
      case 'self':
        subjectType = 'User';
        subjectId = anonymousLogin ? 'e_' + this.hex8() + this.hex8() + this.hex8() : person.pseudonym;
        if (anonymousLogin) after = { reason: 'invalid credentials' };
        break;
      case 'user': {
        const other = this.pick(this.people);
        subjectType = 'User';
        subjectId = spec.action === 'users' ? null : other.pseudonym;
        subjectOwner = spec.action === 'users' ? null : other.pseudonym;
        if (spec.action === 'updateUser') {
          before = { role: other.role, disabled: false };
          after = { role: this.pick(ROLES), disabled: r() < 0.1 };
        } else if (spec.action === 'createUser') after = { role: 'USER' };
        else after = { returned: Math.floor(r() * 50) };
        break;
      }
      case 'apiKey':
        subjectType = 'ApiKey';
        subjectId = spec.action === 'apiKeys' ? null : this.uuid();
        if (spec.action === 'createApiKey') after = { scopes: ['chat'] };
        else if (spec.action === 'revokeApiKey') {
          before = { revoked: false };
          after = { revoked: true };
        } else after = { othersReturned: 0 };
        break;
      case 'audit':
        subjectType = 'AuditEntry';
        subjectOwner = null;
        after = spec.action === 'auditEntries' ? { filter: r() < 0.5 ? {} : { outcome: 'DENIED' }, returned: 50 } : { from: null, to: null, valid: true, checked: this.seq - 1 };
        break;
      case 'service':
        subjectType = spec.action === 'config.change' ? 'Config' : 'Conversation';
        subjectId = spec.action === 'config.change' ? null : conversation;
        after = spec.action === 'config.change' ? { digest: this.hex8(), changed: ['rateLimitMessagesPerMinute'] } : { olderThanDays: 90 };
        break;
    }
    if (outcome !== 'ALLOWED' && !anonymousLogin) {
      before = null;
      after = outcome === 'DENIED' ? { code: 'FORBIDDEN' } : { code: 'INTERNAL_SERVER_ERROR' };
    }
    const actorKind = service ? 'SERVICE' : anonymousLogin ? 'ANONYMOUS' : viaKey ? 'API_KEY' : 'USER';
    return {
      seq: this.seq,
      at: new Date(this.atMs).toISOString(),
      actorKind,
      actorPseudonym: service ? (spec.action === 'config.change' ? 'service:api' : 'service:retention') : anonymousLogin ? null : person.pseudonym,
      actorRole: service || anonymousLogin ? null : person.role,
      apiKeyId: viaKey ? this.pick(person.keys) : null,
      action: spec.action,
      subjectType,
      subjectId,
      subjectOwner: service || anonymousLogin ? null : subjectOwner,
      outcome,
      requestId: service ? null : this.uuid(),
      clientIp: service ? null : `10.${(person.pseudonym.charCodeAt(3) * 7) & 255}.${person.pseudonym.charCodeAt(5)}.${1 + Math.floor(r() * 250)}`,
      userAgent: service ? null : viaKey ? 'python-httpx/0.28.1' : USER_AGENTS[person.pseudonym.charCodeAt(4) % USER_AGENTS.length]!,
      before,
      after,
    };
  }

  chunk(n: number): Body[] {
    const out: Body[] = [];
    while (out.length < n && !this.done) out.push(this.next());
    return out;
  }
}

const INSERT = `INSERT INTO "AuditEntry" ("seq", "at", "actorKind", "actorPseudonym", "actorRole", "apiKeyId", "action", "subjectType", "subjectId",
  "subjectOwner", "outcome", "requestId", "clientIp", "userAgent", "before", "after", "prevHash", "hash")
SELECT s, a, k::"AuditActorKind", ap, ar, ak, ac, st, si, so, o::"AuditOutcome", rq, ip, ua, b, af, ph, h
FROM unnest($1::bigint[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[],
  $11::text[], $12::text[], $13::text[], $14::text[], $15::jsonb[], $16::jsonb[], $17::text[], $18::text[])
  AS t(s, a, k, ap, ar, ak, ac, st, si, so, o, rq, ip, ua, b, af, ph, h)`;

function insertChunk(d: Database, rows: Body[], hashes: string[], first: number): Promise<number> {
  const col = <T>(f: (r: Body) => T) => rows.map(f);
  const json = (v: Json) => (v === null ? null : JSON.stringify(v));
  return d.prisma.$executeRawUnsafe(
    INSERT,
    col((r) => r.seq),
    col((r) => r.at),
    col((r) => r.actorKind),
    col((r) => r.actorPseudonym),
    col((r) => r.actorRole),
    col((r) => r.apiKeyId),
    col((r) => r.action),
    col((r) => r.subjectType),
    col((r) => r.subjectId),
    col((r) => r.subjectOwner),
    col((r) => r.outcome),
    col((r) => r.requestId),
    col((r) => r.clientIp),
    col((r) => r.userAgent),
    col((r) => json(r.before)),
    col((r) => json(r.after)),
    rows.map((_, i) => (first + i === 0 ? GENESIS_HASH : hashes[first + i - 1]!)),
    rows.map((_, i) => hashes[first + i]!),
  );
}

/** Seeds `total` entries; the hash of entry `seq` is `hashes[seq - 1]`. Generating the next chunk overlaps the insert of the last. */
async function seedChain(d: Database, total: number, endMs: number) {
  const trail = new Trail(seed, total, endMs);
  const hashes: string[] = new Array<string>(total);
  let prev = GENESIS_HASH;
  let inFlight: Promise<number> | undefined;
  let inserted = 0;
  const started = performance.now();
  let lastReport = started;
  while (!trail.done) {
    const rows = trail.chunk(CHUNK);
    const first = rows[0]!.seq - 1;
    for (const [i, r] of rows.entries()) prev = hashes[first + i] = entryHash(prev, bodyOf(r));
    if (inFlight) inserted += await inFlight;
    inFlight = insertChunk(d, rows, hashes, first);
    if (performance.now() - lastReport > 10_000) {
      lastReport = performance.now();
      console.log(`   seeding: ${fmt(inserted)} entries in ${((lastReport - started) / 1000).toFixed(0)} s`);
    }
  }
  if (inFlight) inserted += await inFlight;
  const seedS = (performance.now() - started) / 1000;
  const vacuumStarted = performance.now();
  // What autovacuum would have done to a trail written over months: hint bits, visibility map, statistics.
  await d.prisma.$executeRawUnsafe('VACUUM (ANALYZE) "AuditEntry"');
  const vacuumS = (performance.now() - vacuumStarted) / 1000;
  const [size] = await d.prisma.$queryRawUnsafe<{ table: bigint; indexes: bigint }[]>(
    `SELECT pg_table_size('"AuditEntry"') AS "table", pg_indexes_size('"AuditEntry"') AS "indexes"`,
  );
  return { trail, hashes, inserted, seedS, vacuumS, tableMiB: Math.round(Number(size!.table) / 2 ** 20), indexesMiB: Math.round(Number(size!.indexes) / 2 ** 20) };
}

/**
 * The chain rebuilt in memory (same seed) and walked by `ChainWalker` (what `verify` does to each
 * row), timed per chunk with the records already built; and, separately, the canonical JSON alone.
 */
function inMemory(total: number, endMs: number, hashes: string[]) {
  const trail = new Trail(seed, total, endMs);
  const walker = new ChainWalker(undefined);
  let walkMs = 0;
  let jcsMs = 0;
  let jcsBytes = 0;
  while (!trail.done) {
    const rows = trail.chunk(CHUNK);
    const records: EntryRecord[] = rows.map((r) => ({ ...r, prevHash: r.seq === 1 ? GENESIS_HASH : hashes[r.seq - 2]!, hash: hashes[r.seq - 1]! }));
    let t = performance.now();
    for (const r of records) jcsBytes += canonicalJson(bodyOf(r)).length;
    jcsMs += performance.now() - t;
    t = performance.now();
    for (const r of records) if (walker.entry(r)) break;
    walkMs += performance.now() - t;
    if (walker.broken) break;
  }
  return {
    checked: walker.count,
    valid: !walker.broken && walker.count === total,
    broken: walker.broken ?? null,
    walkMs: Math.round(walkMs),
    entriesPerSecond: perS(walker.count, walkMs),
    canonicalJsonMs: Math.round(jcsMs),
    canonicalJsonPerSecond: perS(walker.count, jcsMs),
    /** The walk minus the canonical JSON: bodyOf, two SHA-256 and the comparisons. */
    restMs: Math.round(walkMs - jcsMs),
    meanBodyBytes: Math.round(jcsBytes / Math.max(1, walker.count)),
  };
}

function auditLogOn(d: Database) {
  return new AuditLog({
    db: d.prisma,
    pseudonyms: new Pseudonyms(KEYS.PSEUDONYM_KEY),
    signer: new CheckpointSigner(parseSigningKey(KEYS.AUDIT_SIGNING_KEY)),
    enabled: true,
    log: pino({ level: 'silent' }),
  });
}

async function verification(d: Database, total: number, endMs: number, hashes: string[]) {
  const audit = auditLogOn(d);
  // Reading alone: the rows the verifier reads, batch by batch, as records, hashing nothing.
  let t = performance.now();
  let read = 0;
  for await (const batch of audit.rows(1, total)) read += batch.length;
  const readMs = performance.now() - t;
  // The verifier itself, over everything.
  t = performance.now();
  const result = await audit.verify();
  const verifyMs = performance.now() - t;
  const memory = inMemory(total, endMs, hashes);
  return {
    method: 'AuditLog.verify() in the benchmark process (PrismaClient of @dialoop/db on PostgreSQL, as the api builds it)',
    verify: { ...result, wallMs: Math.round(verifyMs), entriesPerSecond: perS(result.checked, verifyMs) },
    readOnly: { rows: read, ms: Math.round(readMs), entriesPerSecond: perS(read, readMs) },
    inMemory: memory,
  };
}

// ---- 3. filtered pages --------------------------------------------------------------------------
const ENTRIES = `query($f: AuditFilterInput, $first: Int, $after: String) {
  auditEntries(filter: $f, first: $first, after: $after) {
    edges { cursor node { seq at actor { kind pseudonym role apiKeyId } action subject { type id owner } outcome requestId clientIp userAgent before after prevHash hash } }
    pageInfo { hasNextPage endCursor }
  }
}`;
type Page = { auditEntries: { edges: { cursor: string }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } };

async function queries(d: Database, trail: Trail, total: number, api: Child) {
  const token = await login(api.url, 'compliance@demo.local');
  const one = async <T>(sql: string, ...params: unknown[]) => (await d.prisma.$queryRawUnsafe<T[]>(sql, ...params))[0]!;
  // A person of median activity, an action of middling frequency, a busy conversation, a person as a subject.
  const { p: actor } = await one<{ p: string }>(
    `SELECT p FROM (SELECT "actorPseudonym" AS p, count(*) AS n FROM "AuditEntry" WHERE "actorKind" = 'USER' AND "seq" <= $1 GROUP BY 1) c ORDER BY n, p LIMIT 1 OFFSET 100`, total);
  const { id: conversation } = await one<{ id: string }>(
    `SELECT "subjectId" AS id FROM "AuditEntry" WHERE "subjectType" = 'Conversation' AND "seq" <= $1 GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1`, total);
  const person = trail.people[150]!.pseudonym;
  const { at: midAt } = await one<{ at: Date }>(`SELECT "at" FROM "AuditEntry" WHERE "seq" = $1`, Math.floor(total / 2));
  const from = midAt.toISOString();
  const to = new Date(midAt.getTime() + 3_600_000).toISOString();
  const filters: { name: string; f: Record<string, string>; page2?: boolean }[] = [
    { name: 'actor (a pseudonym)', f: { actor } },
    { name: 'action rateMessage', f: { action: 'rateMessage' } },
    { name: 'subject Conversation + id (UUID)', f: { subjectType: 'Conversation', subjectId: conversation } },
    { name: 'subject User + pseudonym', f: { subjectType: 'User', subjectId: person } },
    { name: 'outcome DENIED', f: { outcome: 'DENIED' } },
    { name: 'actor + outcome DENIED', f: { actor, outcome: 'DENIED' } },
    { name: 'time window (1 h, mid-range)', f: { from, to } },
    { name: 'action rateMessage, page 2 (after)', f: { action: 'rateMessage' }, page2: true },
    { name: 'no filter', f: {} },
  ];
  // How many seeded entries each filter matches (SQL, for the table).
  const where = (f: Record<string, string>) => {
    const c: string[] = [`"seq" <= ${total}`];
    const p: unknown[] = [];
    const add = (sql: string, v: unknown) => {
      p.push(v);
      c.push(sql.replace('?', `$${p.length}`));
    };
    if (f.actor) add('"actorPseudonym" = ?', f.actor);
    if (f.action) add('"action" = ?', f.action);
    if (f.subjectType) add('"subjectType" = ?', f.subjectType);
    if (f.subjectId) add('"subjectId" = ?', f.subjectId);
    if (f.outcome) add('"outcome"::text = ?', f.outcome);
    if (f.from) add('"at" >= ?::timestamptz', f.from);
    if (f.to) add('"at" <= ?::timestamptz', f.to);
    return { sql: c.join(' AND '), p };
  };
  type Plan = (typeof filters)[number] & { matching: number; after: string | undefined; samples: number[]; returned: number };
  const plans: Plan[] = [];
  for (const x of filters) {
    const w = where(x.f);
    const { n } = await one<{ n: bigint }>(`SELECT count(*) AS n FROM "AuditEntry" WHERE ${w.sql}`, ...w.p);
    let after: string | undefined;
    if (x.page2) after = (await gql<Page>(api.url, ENTRIES, { f: x.f, first: 50 }, token)).auditEntries.pageInfo.endCursor ?? undefined;
    plans.push({ ...x, matching: Number(n), after, samples: [] as number[], returned: 0 });
  }
  const run = async (x: Plan) => {
    const t = performance.now();
    const page = await gql<Page>(api.url, ENTRIES, { f: x.f, first: 50, ...(x.after ? { after: x.after } : {}) }, token);
    const took = performance.now() - t;
    x.returned = page.auditEntries.edges.length;
    return took;
  };
  for (let i = 0; i < 5; i++) for (const x of plans) await run(x);
  for (let i = 0; i < requests; i++) for (const x of plans) x.samples.push(await run(x));
  return {
    token,
    filters: plans.map((x) => ({ name: x.name, filter: x.f, after: x.after ?? null, matching: x.matching, returned: x.returned, ...stats(x.samples) })),
  };
}

async function verifyOverGraphql(api: Child, token: string) {
  const t = performance.now();
  const r = await gql<{ verifyAuditChain: { valid: boolean; checked: number; ms: number; broken: { seq: number; reason: string } | null } }>(
    api.url, 'query { verifyAuditChain { valid checked ms broken { seq reason } } }', {}, token);
  const wallMs = performance.now() - t;
  const v = r.verifyAuditChain;
  return { method: 'verifyAuditChain over GraphQL as compliance@demo.local (api child process)', ...v, wallMs: Math.round(wallMs), entriesPerSecond: perS(v.checked, wallMs) };
}

// ---- run ----------------------------------------------------------------------------------------
const git = (...a: string[]) => execFileSync('git', a, { cwd: ROOT, encoding: 'utf8' }).trim();
const dirty = git('status', '--porcelain') !== '';
const commit = git('rev-parse', '--short', 'HEAD') + (dirty ? '-dirty' : '');
const machine = { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30) };
const params = { quick, parts: [...parts], rounds, warmupRounds: warmup, entries, requestsPerFilter: requests, pageSize: 50, seed, insertRowsPerStatement: CHUNK };
console.log(`bench:audit — ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, node ${process.version}, commit ${commit}`);
console.log(`parts ${[...parts].join(',')}: ${rounds} rounds (+${warmup} warm-up) of sendMessage; a chain of ${fmt(entries)} entries; ${requests} requests a filter\n`);

let writeCost: Awaited<ReturnType<typeof writePath>> | undefined;
let verify: Awaited<ReturnType<typeof verification>> | undefined;
let seeding: { entries: number; seconds: number; vacuumAnalyzeSeconds: number; entriesPerSecond: number; tableMiB: number; indexesMiB: number } | undefined;
let query: Omit<Awaited<ReturnType<typeof queries>>, 'token'> | undefined;
let verifyGraphql: Awaited<ReturnType<typeof verifyOverGraphql>> | undefined;
let postgres = '';
let failure: unknown;
try {
  if (parts.has(1)) {
    writeCost = await writePath();
    const w = writeCost;
    console.log(`1. Added latency of auditing on sendMessage (HTTP round trip; ${w.model}, maxTokens 1; ${w.rounds} interleaved rounds, each reply awaited)`);
    console.table({
      'AUDIT=on': { 'p50 ms': w.audited.p50Ms, 'p99 ms': w.audited.p99Ms, 'mean ms': w.audited.meanMs, 'min ms': w.audited.minMs, 'max ms': w.audited.maxMs, 'sendMessage entries': w.audited.sendMessageEntriesWritten },
      'AUDIT=off': { 'p50 ms': w.notAudited.p50Ms, 'p99 ms': w.notAudited.p99Ms, 'mean ms': w.notAudited.meanMs, 'min ms': w.notAudited.minMs, 'max ms': w.notAudited.maxMs, 'sendMessage entries': w.notAudited.sendMessageEntriesWritten },
      'added (on − off)': { 'p50 ms': w.addedP50Ms, 'p99 ms': w.addedP99Ms, 'mean ms': ms(w.audited.meanMs - w.notAudited.meanMs), 'min ms': ms(w.audited.minMs - w.notAudited.minMs) },
      'ratio (on / off)': { 'p50 ms': `${w.ratioP50}x`, 'p99 ms': `${w.ratioP99}x` },
    });
    console.log(`   reply statuses: on ${JSON.stringify(w.audited.replyStatuses)}, off ${JSON.stringify(w.notAudited.replyStatuses)}\n`);
  }

  if (parts.has(2) || parts.has(3)) {
    const db = await testDatabase();
    const d = await open(db.url);
    postgres = (await d.prisma.$queryRawUnsafe<{ v: string }[]>('SELECT version() AS v'))[0]!.v.split(' on ')[0]!;
    // The trail ends an hour ago, so that what the api records next follows it in time too.
    const endMs = Date.now() - 3_600_000;
    console.log(`Seeding ${fmt(entries)} entries (${postgres})…`);
    const seeded = await seedChain(d, entries, endMs);
    seeding = { entries: seeded.inserted, seconds: Number(seeded.seedS.toFixed(1)), vacuumAnalyzeSeconds: Number(seeded.vacuumS.toFixed(1)), entriesPerSecond: perS(seeded.inserted, seeded.seedS * 1000), tableMiB: seeded.tableMiB, indexesMiB: seeded.indexesMiB };
    console.log(`   seeded ${fmt(seeded.inserted)} entries in ${seeding.seconds} s (${fmt(seeding.entriesPerSecond)}/s), VACUUM (ANALYZE) ${seeding.vacuumAnalyzeSeconds} s; table ${seeding.tableMiB} MiB, indexes ${seeding.indexesMiB} MiB (not measured)\n`);

    if (parts.has(2)) {
      verify = await verification(d, entries, endMs, seeded.hashes);
      const v = verify;
      console.log(`2. Chain verification over ${fmt(entries)} entries (${v.method})`);
      console.table({
        'AuditLog.verify() (read + hash)': { entries: v.verify.checked, valid: v.verify.valid, 'seconds': ms(v.verify.wallMs / 1000), 'entries/s': fmt(v.verify.entriesPerSecond) },
        '  reading alone (AuditLog.rows)': { entries: v.readOnly.rows, valid: '', 'seconds': ms(v.readOnly.ms / 1000), 'entries/s': fmt(v.readOnly.entriesPerSecond) },
        '  hashing alone (ChainWalker, in memory)': { entries: v.inMemory.checked, valid: v.inMemory.valid, 'seconds': ms(v.inMemory.walkMs / 1000), 'entries/s': fmt(v.inMemory.entriesPerSecond) },
        '    of which canonical JSON (JCS)': { entries: v.inMemory.checked, valid: '', 'seconds': ms(v.inMemory.canonicalJsonMs / 1000), 'entries/s': fmt(v.inMemory.canonicalJsonPerSecond) },
        '    of which bodyOf + 2 SHA-256 + checks': { entries: v.inMemory.checked, valid: '', 'seconds': ms(v.inMemory.restMs / 1000), 'entries/s': fmt(perS(v.inMemory.checked, v.inMemory.restMs)) },
      });
      console.log(`   mean canonical body ${v.inMemory.meanBodyBytes} bytes. Goal: >= ${fmt(GOAL_VERIFY_PER_S)} entries/s.\n`);
    }

    if (parts.has(3)) {
      // Demo accounts (compliance@demo.local) are created on the empty user table; the api appends to the seeded chain.
      const api = await startApi(db.url, 'http://127.0.0.1:9');
      const q = await queries(d, seeded.trail, entries, api);
      query = { filters: q.filters };
      console.log(`3. auditEntries(filter, first: 50) over HTTP as compliance@demo.local, ${fmt(entries)} entries, ${requests} requests a filter (each also records one entry)`);
      console.table(Object.fromEntries(q.filters.map((f) => [f.name, { matching: f.matching, returned: f.returned, 'p50 ms': f.p50Ms, 'p99 ms': f.p99Ms, 'max ms': f.maxMs }])));
      console.log(`   Goal: p50 <= ${GOAL_QUERY_P50_MS} ms for every filter.\n`);
      if (parts.has(2)) {
        verifyGraphql = await verifyOverGraphql(api, q.token);
        const g = verifyGraphql;
        console.log(`   ${g.method}: ${fmt(g.checked)} entries (now with the api's own), valid ${g.valid}, ${ms(g.wallMs / 1000)} s, ${fmt(g.entriesPerSecond)} entries/s\n`);
      }
      await api.stop();
    }
  }
} catch (err) {
  failure = err;
} finally {
  await cleanup();
}
if (failure) throw failure;

// ---- goals --------------------------------------------------------------------------------------
const goal = (met: boolean, text: string) => ({ met, text });
const goals = [];
if (verify) {
  goals.push(goal(verify.verify.valid && verify.verify.entriesPerSecond >= GOAL_VERIFY_PER_S,
    `chain verification >= ${fmt(GOAL_VERIFY_PER_S)} entries/s over ${fmt(entries)} entries: ${fmt(verify.verify.entriesPerSecond)} entries/s (valid: ${verify.verify.valid})`));
}
if (query) {
  const worst = query.filters.reduce((a, b) => (b.p50Ms > a.p50Ms ? b : a));
  goals.push(goal(worst.p50Ms <= GOAL_QUERY_P50_MS, `filtered page <= ${GOAL_QUERY_P50_MS} ms p50 on ${fmt(entries)} entries: slowest p50 ${worst.p50Ms} ms (${worst.name})`));
}
if (goals.length) {
  console.log('Goals:');
  for (const g of goals) console.log(`  ${g.met ? 'MET    ' : 'NOT MET'} ${g.text}`);
}

const results = { date: new Date().toISOString(), commit, dirty, machine, node: process.version, postgres, params, writeCost, seeding, verification: verify ? { ...verify, graphql: verifyGraphql } : undefined, queries: query, goals };
// A --quick smoke run leaves the committed results alone.
const out = quick ? mkdtempSync(join(tmpdir(), 'bench-audit-')) : join(ROOT, 'tests', 'bench', 'results');
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'audit.json'), JSON.stringify(results, null, 2) + '\n');
console.log(`\nwrote ${join(out, 'audit.json')}`);
