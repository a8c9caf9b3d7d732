/**
 * `@dialoop/api/testing`: how the api's tests and the benchmarks (tests/bench) reach an api.
 * - The client: `gql`/`gqlOk` (GraphQL over HTTP), `login`/`newUser` (sign-in), `wsClient`/`connect`
 *   (graphql-ws), `collect` (a reply's stream events), the operations they send (`SEND`, `STREAM`).
 * - Child processes: `spawnNode` runs a TypeScript entry point with tsx on a free port and waits
 *   for its health path; `startInference` and `spawnApi` run the inference server and the api.
 * Nothing here imports the api's source: a benchmark that uses it measures an api in another
 * process. `startApi` (the api in the test's own process) is in ./stack.ts.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** The demo accounts' password (the api's default DEMO_PASSWORD). */
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

// ---- child processes ----------------------------------------------------------------------------
export interface Proc {
  url: string;
  child: ChildProcess;
  /** The last 20 kB of its stdout and stderr. */
  output: () => string;
  /** SIGTERM and wait for exit. */
  stop(): Promise<void>;
  /** SIGKILL: a crash. */
  kill(): Promise<void>;
}

export interface SpawnOptions {
  /** The folder to run in; tsx then reads the tsconfig.json there, if any. Default: the repository root, with the script's package's tsconfig. */
  cwd?: string;
  /** Node flags before `--import tsx` (`--cpu-prof`, …). */
  nodeArgs?: string[];
  /** How long it may take until its health path answers (default 60 s). */
  readyTimeoutMs?: number;
  /** Called once it runs, before it is ready: a harness that stops its children on exit registers it here. */
  onSpawn?: (proc: Proc) => void;
  /** The port to listen on (default: a free one), e.g. to start a killed server again where it was. */
  port?: number;
}

const OUTPUT_KEPT = 20_000;

/**
 * Runs `script` (relative to `cwd`) with tsx, on a free port given in `portVar`, and resolves when
 * `readyPath` answers. A child that exits first, or is not ready in time, fails at once, killed,
 * with its output.
 */
export async function spawnNode(script: string, env: Record<string, string>, portVar: string, readyPath: string, opts: SpawnOptions = {}): Promise<Proc> {
  const port = opts.port ?? (await freePort());
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), '--import', 'tsx', script], {
    cwd: opts.cwd ?? ROOT,
    env: {
      ...process.env,
      LOG_LEVEL: 'warn',
      // tsx takes decorator settings from the package's tsconfig, not from the working directory's.
      ...(opts.cwd === undefined ? { TSX_TSCONFIG_PATH: join(ROOT, script.split('/')[0]!, 'tsconfig.json') } : {}),
      ...env,
      [portVar]: String(port),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const keep = (d: Buffer) => (out = (out + d.toString()).slice(-OUTPUT_KEPT));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const running = () => child.exitCode === null && child.signalCode === null;
  const url = `http://127.0.0.1:${port}`;
  const proc: Proc = {
    url,
    child,
    output: () => out,
    stop: async () => {
      if (running()) child.kill('SIGTERM');
      await exited;
    },
    kill: async () => {
      if (running()) child.kill('SIGKILL');
      await exited;
    },
  };
  opts.onSpawn?.(proc);
  const timeoutMs = opts.readyTimeoutMs ?? 60_000;
  for (const end = Date.now() + timeoutMs; ; await new Promise((r) => setTimeout(r, 25))) {
    const failed = !running()
      ? `exited with ${child.exitCode ?? child.signalCode} before it was ready`
      : Date.now() > end
        ? `was not ready within ${timeoutMs / 1000} s`
        : undefined;
    if (failed) {
      await proc.kill();
      throw new Error(`${script} ${failed}:\n${out}`);
    }
    if (await fetch(url + readyPath).then((r) => r.ok, () => false)) return proc;
  }
}

/** The inference server (the default model, one intra-op thread unless `env` says otherwise). */
export function startInference(env: Record<string, string> = {}, opts: SpawnOptions = {}): Promise<Proc> {
  return spawnNode('inference/src/main.ts', { INFERENCE_INTRA_OP_THREADS: '1', ...env }, 'INFERENCE_PORT', '/readyz', opts);
}

/** The api as a child process with the test secrets; `env` gives at least DATABASE_URL (or DIALOOP_DATA_DIR) and INFERENCE_URL. */
export function spawnApi(env: Record<string, string>, opts: SpawnOptions = {}): Promise<Proc> {
  return spawnNode(
    'api/src/main.ts',
    { ...TEST_KEYS, RATE_LIMIT_MESSAGES_PER_MINUTE: '1000', MAX_CONCURRENT_GENERATIONS: '20', ...env },
    'API_PORT',
    '/healthz',
    opts,
  );
}

// ---- GraphQL over HTTP --------------------------------------------------------------------------
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
  if (r.errors?.length || !r.data) throw new Error(`GraphQL error (HTTP ${r.status}): ${JSON.stringify(r.errors)}`);
  return r.data;
}

export const codeOf = (r: GqlResult) => r.errors?.[0]?.extensions?.code;

/** The default model's name, as the inference server labels its metrics. */
export const DEFAULT_MODEL = 'dialoop-tiny';

/**
 * One sample of a server's Prometheus text: the series `name` whose labels include `labels`
 * (by default, the default model's); 0 when it does not exist yet.
 */
export async function metric(baseUrl: string, name: string, labels: Record<string, string> = { model: DEFAULT_MODEL }): Promise<number> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const want = Object.entries(labels);
  for (const line of text.split('\n')) {
    const m = /^([a-z_]+)\{([^}]*)\} (\S+)$/.exec(line);
    if (!m || m[1] !== name) continue;
    const have = new Map([...m[2]!.matchAll(/(\w+)="([^"]*)"/g)].map((x) => [x[1]!, x[2]!]));
    if (want.every(([k, v]) => have.get(k) === v)) return Number(m[3]);
  }
  return 0;
}

// ---- sign-in ------------------------------------------------------------------------------------
export async function login(baseUrl: string, email: string, password = DEMO_PASSWORD): Promise<string> {
  const d = await gqlOk<{ login: { accessToken: string } }>(
    baseUrl,
    'mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }',
    { e: email, p: password },
  );
  return d.login.accessToken;
}

let userCounter = 0;
/**
 * Creates a person with `role` as the demo admin (signed in here unless `adminToken` is given) and
 * returns their access token, id and email; their password is `password-123`.
 */
export async function newUser(baseUrl: string, role = 'USER', adminToken?: string): Promise<{ token: string; id: string; email: string }> {
  const admin = adminToken ?? (await login(baseUrl, 'admin@demo.local'));
  const email = `${role.toLowerCase()}${++userCounter}-${Date.now()}@test.local`;
  const d = await gqlOk<{ createUser: { id: string } }>(
    baseUrl,
    'mutation($i: CreateUserInput!) { createUser(input: $i) { id } }',
    { i: { email, password: 'password-123', role } },
    admin,
  );
  return { token: await login(baseUrl, email, 'password-123'), id: d.createUser.id, email };
}

// ---- chat and its stream ------------------------------------------------------------------------
/**
 * An api's env for a test that checks the stream delta by delta (seq 1, 2, … without a skip,
 * replay and live alike): no coalescing. The coalesced stream is checked in stream-coalesce.int.test.ts.
 */
export const EVERY_DELTA = { STREAM_COALESCE_MS: '0' } as const;

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

/** A graphql-ws client that connects on first use (`lazy`), never retrying. */
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

/** A graphql-ws connection, open and acknowledged when it resolves. */
export function connect(baseUrl: string, token: string): Promise<Client> {
  return new Promise((resolve, reject) => {
    const client: Client = wsClient(baseUrl, token, { lazy: false, onNonLazyError: reject, on: { connected: () => resolve(client) } });
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
