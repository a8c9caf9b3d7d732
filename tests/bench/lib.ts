/**
 * What the benchmarks share: statistics, free ports, clean-up on exit, child processes (the
 * api/test/stack.ts pattern), GraphQL over HTTP and graphql-ws connections.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createClient, type Client } from 'graphql-ws';

// `ws` ships no types and @types/ws is the api's dev dependency; graphql-ws takes the class as `unknown`.
const WebSocketImpl: unknown = createRequire(import.meta.url)('ws');

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The repository root. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

// ---- clean-up: databases dropped and processes stopped, even on failure or Ctrl-C --------------
const cleanups: (() => Promise<unknown>)[] = [];
/** Runs `fn` at `cleanup()` (last registered first), or on SIGINT/SIGTERM. */
export const defer = (fn: () => Promise<unknown>) => void cleanups.push(fn);
export async function cleanup() {
  for (let fn = cleanups.pop(); fn; fn = cleanups.pop()) await fn().catch((err: unknown) => console.error('cleanup:', err));
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void cleanup().finally(() => process.exit(130)));
}
/** Children still running when the process exits anyway (an uncaught error): killed synchronously. */
const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

export interface Child {
  url: string;
  child: ChildProcess;
  output(): string;
  stop(): Promise<void>;
}

/**
 * Runs `script` (relative to the repository root) with tsx and its package's tsconfig on a free
 * port (`portVar`), waits up to 2 minutes for `readyPath`, and stops it at `cleanup()`.
 */
export async function spawnNode(script: string, env: Record<string, string>, portVar: string, readyPath: string): Promise<Child> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: ROOT,
    // tsx takes decorator settings from the package's tsconfig, not from the working directory's.
    env: { ...process.env, LOG_LEVEL: 'warn', TSX_TSCONFIG_PATH: join(ROOT, script.split('/')[0]!, 'tsconfig.json'), ...env, [portVar]: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20_000)));
  child.stderr!.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20_000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    children.delete(child);
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

/**
 * Runs `script` (an absolute path) again with tsx in a process of its own with `args` (a
 * benchmark measuring something in a fresh process), and returns the JSON it prints after `mark`.
 */
export async function resultOfChild<T>(script: string, args: string[], mark: string, what: string): Promise<T> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'inherit'] });
  defer(async () => void (child.exitCode === null && child.signalCode === null && child.kill('SIGTERM')));
  let out = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  const line = out.split('\n').find((l) => l.startsWith(mark));
  if (code !== 0 || !line) throw new Error(`the ${what} process exited with ${code}:\n${out.slice(-4000)}`);
  return JSON.parse(line.slice(mark.length)) as T;
}

/** mulberry32: a small seeded generator in [0, 1), the same numbers every run for a seed. */
export function prng(s: number) {
  let a = s >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The `q` quantile of `xs`, interpolated between neighbours. */
export function quantile(xs: ArrayLike<number>, q: number): number {
  const s = Float64Array.from(xs).sort();
  if (s.length === 0) return NaN;
  const at = (s.length - 1) * q;
  const lo = Math.floor(at);
  return s[lo]! + (s[Math.min(lo + 1, s.length - 1)]! - s[lo]!) * (at - lo);
}

/** Milliseconds rounded for a table: 2 decimals under 10, else 1. */
export const ms = (x: number) => (Number.isFinite(x) ? Number(x.toFixed(x < 10 ? 2 : 1)) : NaN);

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
}

/** A GraphQL request over HTTP; throws on errors. */
export async function gql<T>(url: string, query: string, variables: Record<string, unknown>, token?: string): Promise<T> {
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
export const login = async (url: string, email: string, password: string) =>
  (await gql<{ login: { accessToken: string } }>(url, LOGIN, { e: email, p: password })).login.accessToken;

export const SEND = `mutation($input: SendMessageInput!) {
  sendMessage(input: $input) { conversation { id } userMessage { id } assistantMessage { id status } }
}`;

/** An open, acknowledged graphql-ws connection. */
export function connect(url: string, token: string): Promise<Client> {
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

/**
 * The `data:` payloads of a server-sent-events response (an OpenAI-style stream), each with the
 * time its chunk was read (performance.now()); `[DONE]` included.
 */
export async function* sseData(res: Response): AsyncGenerator<{ data: string; at: number }> {
  const reader = res.body!.getReader();
  const dec = new TextDecoder();
  let buf = '';
  for (;;) {
    const { value, done } = await reader.read();
    const at = performance.now();
    if (done) return;
    buf += dec.decode(value, { stream: true });
    let cut;
    while ((cut = buf.indexOf('\n\n')) >= 0) {
      const event = buf.slice(0, cut);
      buf = buf.slice(cut + 2);
      for (const line of event.split('\n')) if (line.startsWith('data:')) yield { data: line.slice(5).trim(), at };
    }
  }
}

/**
 * What a benchmark's results are of: the commit (`-dirty`, with the uncommitted files, when the
 * tree has changes), the machine and when it started; and `noteLoad(when)`, which keeps the
 * 1-minute load average at a named moment in `load` (anything else busy on the machine shows there).
 */
export function runInfo() {
  const git = (...a: string[]) => execFileSync('git', a, { cwd: ROOT, encoding: 'utf8' });
  const changes = git('status', '--porcelain').split('\n').filter(Boolean);
  const dirty = changes.length > 0;
  const load: Record<string, number> = {};
  return {
    commit: git('rev-parse', '--short', 'HEAD').trim() + (dirty ? '-dirty' : ''),
    dirty,
    changes,
    machine: { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30) },
    date: new Date().toISOString(),
    load,
    noteLoad: (when: string) => (load[when] = Number(loadavg()[0]!.toFixed(2))),
  };
}
