/**
 * Test harness: real servers, real PostgreSQL, real inference with the default model.
 * - `startInference()` runs the inference server as a child process (so a test can kill it).
 * - `startApi()` starts the api in this process on a fresh PostgreSQL database.
 * - `spawnApi()` runs the api as a child process (restart and multi-process tests).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTestDatabase, type TestDatabase } from '@dialoop/db/testing';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { parseEnv, startApiServer, type ApiServer } from '../src/index.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const DEMO_PASSWORD = 'dialoop-demo';
/** Secrets every test api shares (processes of one test must agree on them). */
export const TEST_KEYS = {
  JWT_SECRET: 'test-secret-test-secret-test-secret-0123',
  PSEUDONYM_KEY: 'test-pseudonym-key-test-pseudonym-key-0123',
  // A fixed Ed25519 seed; its public key is what offline verification is given.
  AUDIT_SIGNING_KEY: '5a'.repeat(32),
};

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

export async function waitFor(check: () => Promise<boolean> | boolean, ms = 20_000, what = 'condition'): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    try {
      if (await check()) return;
    } catch {
      /* not yet */
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export interface Proc {
  url: string;
  child: ChildProcess;
  output: () => string;
  /** SIGTERM and wait for exit. */
  stop(): Promise<void>;
  /** SIGKILL: a crash. */
  kill(): Promise<void>;
}

function spawnNode(script: string, env: Record<string, string>, url: string, readyPath: string): Promise<Proc> {
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: ROOT,
    // tsx takes decorator settings from the package's tsconfig, not from the working directory's.
    env: { ...process.env, LOG_LEVEL: 'warn', TSX_TSCONFIG_PATH: join(ROOT, script.split('/')[0]!, 'tsconfig.json'), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const proc: Proc = {
    url,
    child,
    output: () => out,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
  // Ready when the health path answers; a child that exits first fails at once, with its output.
  const ready = waitFor(async () => (await fetch(url + readyPath)).ok, 60_000, `${script} to start`);
  const died = exited.then(() => Promise.reject(new Error(`${script} exited before it was ready`)));
  return Promise.race([ready, died]).then(
    () => proc,
    async (err: unknown) => {
      await proc.kill();
      throw new Error(`${String(err)}\n${out}`);
    },
  );
}

export async function startInference(env: Record<string, string> = {}): Promise<Proc> {
  const port = await freePort();
  return spawnNode('inference/src/main.ts', { INFERENCE_PORT: String(port), INFERENCE_INTRA_OP_THREADS: '1', ...env }, `http://127.0.0.1:${port}`, '/readyz');
}

export interface TestApi {
  server: ApiServer;
  url: string;
  db: TestDatabase;
  close(): Promise<void>;
}

/** The api in this process, on a fresh database, talking to `inferenceUrl`. */
export async function startApi(inferenceUrl: string, env: Record<string, string> = {}): Promise<TestApi> {
  const db = await createTestDatabase();
  // Dataset versions' files go to a folder of this api's own, removed with it.
  const store = await mkdtemp(join(tmpdir(), 'dialoop-datasets-'));
  // And trained model versions to another.
  const models = await mkdtemp(join(tmpdir(), 'dialoop-models-'));
  const server = await startApiServer(
    parseEnv({
      API_PORT: '0',
      DATABASE_URL: db.url,
      INFERENCE_URL: inferenceUrl,
      ...TEST_KEYS,
      LOG_LEVEL: 'silent',
      RATE_LIMIT_MESSAGES_PER_MINUTE: '1000',
      MAX_CONCURRENT_GENERATIONS: '20',
      DATASET_STORE: store,
      MODEL_STORE: models,
      // Tests make the registry load versions when they change the rollout, not on a timer.
      MODEL_SYNC_INTERVAL_S: '0',
      // Tests sweep the review sources when they mean to (collectReviewItems), not on a timer.
      REVIEW_COLLECT_INTERVAL_S: '0',
      ...env,
    }),
  );
  return {
    server,
    url: server.url,
    db,
    close: async () => {
      await server.close();
      await db.drop();
      await rm(store, { recursive: true, force: true });
      await rm(models, { recursive: true, force: true });
    },
  };
}

/** The api as a child process, on `databaseUrl`. */
export async function spawnApi(env: Record<string, string>): Promise<Proc> {
  const port = await freePort();
  return spawnNode(
    'api/src/main.ts',
    { API_PORT: String(port), ...TEST_KEYS, RATE_LIMIT_MESSAGES_PER_MINUTE: '1000', MAX_CONCURRENT_GENERATIONS: '20', ...env },
    `http://127.0.0.1:${port}`,
    '/healthz',
  );
}

export interface GqlResult<T = any> {
  status: number;
  data: T | null;
  errors: { message: string; extensions?: { code?: string; [k: string]: unknown } }[] | undefined;
}

/** A GraphQL-over-HTTP request; `token` goes in the Authorization header. */
export async function gql<T = any>(baseUrl: string, query: string, variables: Record<string, unknown> = {}, token?: string): Promise<GqlResult<T>> {
  const res = await fetch(`${baseUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: T; errors?: GqlResult['errors'] };
  return { status: res.status, data: body.data ?? null, errors: body.errors };
}

/** Like `gql`, but throws on errors and returns the data. */
export async function gqlOk<T = any>(baseUrl: string, query: string, variables: Record<string, unknown> = {}, token?: string): Promise<T> {
  const r = await gql<T>(baseUrl, query, variables, token);
  if (r.errors?.length || !r.data) throw new Error(`GraphQL error: ${JSON.stringify(r.errors)}`);
  return r.data;
}

export const codeOf = (r: GqlResult) => r.errors?.[0]?.extensions?.code;

export async function login(baseUrl: string, email: string, password = DEMO_PASSWORD): Promise<string> {
  const d = await gqlOk<{ login: { accessToken: string } }>(
    baseUrl,
    'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }',
    { e: email, p: password },
  );
  return d.login.accessToken;
}

let userCounter = 0;
/** Creates a person with `role` (as the demo admin) and returns their access token and id. */
export async function newUser(baseUrl: string, role = 'USER'): Promise<{ token: string; id: string; email: string }> {
  const admin = await login(baseUrl, 'admin@demo.local');
  const email = `${role.toLowerCase()}${++userCounter}-${Date.now()}@test.local`;
  const d = await gqlOk<{ createUser: { id: string } }>(
    baseUrl,
    'mutation($i: CreateUserInput!) { createUser(input: $i) { id } }',
    { i: { email, password: 'password-123', role } },
    admin,
  );
  return { token: await login(baseUrl, email, 'password-123'), id: d.createUser.id, email };
}

export const SEND = `mutation($input: SendMessageInput!) {
  sendMessage(input: $input) { conversation { id } userMessage { id } assistantMessage { id status } }
}`;

export const STREAM = `subscription($id: ID!, $from: Int) {
  messageStream(messageId: $id, fromSeq: $from) {
    messageId seq delta done status finishReason usage { promptTokens completionTokens totalTokens }
    timings { timeToFirstTokenMs tokensPerSecond } error { code message }
  }
}`;

export interface StreamEventT {
  messageId: string;
  seq: number;
  delta: string | null;
  done: boolean;
  status: string | null;
  finishReason: string | null;
  usage: { promptTokens: number; completionTokens: number; totalTokens: number } | null;
  timings: { timeToFirstTokenMs: number | null; tokensPerSecond: number | null } | null;
  error: { code: string; message: string } | null;
}

export function wsClient(baseUrl: string, token: string | undefined, extra: Partial<Parameters<typeof createClient>[0]> = {}): Client {
  return createClient({
    url: baseUrl.replace(/^http/, 'ws') + '/graphql',
    webSocketImpl: WebSocket,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    retryAttempts: 0,
    lazy: true,
    ...extra,
  });
}

/** Subscribes to a reply and collects its events until the final one (or `until` says stop). */
export async function collect(
  client: Client,
  messageId: string,
  opts: { fromSeq?: number; until?: (e: StreamEventT, all: StreamEventT[]) => boolean; onEvent?: (e: StreamEventT) => void } = {},
): Promise<StreamEventT[]> {
  const events: StreamEventT[] = [];
  const it = client.iterate<{ messageStream: StreamEventT }>({ query: STREAM, variables: { id: messageId, from: opts.fromSeq ?? null } });
  try {
    for await (const r of it) {
      if (r.errors?.length) throw Object.assign(new Error(r.errors[0]!.message), { extensions: (r.errors[0] as any).extensions });
      const e = r.data!.messageStream;
      events.push(e);
      opts.onEvent?.(e);
      if (e.done || opts.until?.(e, events)) break;
    }
  } finally {
    await it.return?.();
  }
  return events;
}

export const textOf = (events: StreamEventT[]) => events.map((e) => e.delta ?? '').join('');
