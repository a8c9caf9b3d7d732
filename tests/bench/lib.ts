/**
 * What the benchmarks share besides the api's test client (`@dialoop/api/testing`: free ports,
 * GraphQL over HTTP, sign-in, graphql-ws, child processes): statistics, clean-up on exit, child
 * processes stopped at clean-up, and what a run is of.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { cpus, loadavg, totalmem } from 'node:os';
import { fileURLToPath } from 'node:url';
import * as testing from '@dialoop/api/testing';

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
/** Runs a benchmark's measurements, then `cleanup()` whatever happened; rethrows their error. */
export async function measuring(fn: () => Promise<void>) {
  try {
    await fn();
  } finally {
    await cleanup();
  }
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void cleanup().finally(() => process.exit(130)));
}
/** Children still running when the process exits anyway (an uncaught error): killed synchronously. */
const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
});

/** Children of the test client's starters that `cleanup()` stops; 2 minutes to start. */
const stoppedAtCleanup: testing.SpawnOptions = {
  readyTimeoutMs: 120_000,
  onSpawn: (proc) => {
    children.add(proc.child);
    proc.child.once('exit', () => children.delete(proc.child));
    defer(() => proc.stop());
  },
};

/** For a starter's `onSpawn`: the child is stopped at `cleanup()` (Ctrl-C), and killed if this process exits first. */
export const stopAtCleanup: NonNullable<testing.SpawnOptions['onSpawn']> = (proc) => stoppedAtCleanup.onSpawn!(proc);

/** Runs `script` (relative to the repository root) on a free port (`portVar`) until `cleanup()`: see `spawnNode` of `@dialoop/api/testing`. */
export const spawnNode = (script: string, env: Record<string, string>, portVar: string, readyPath: string) =>
  testing.spawnNode(script, env, portVar, readyPath, stoppedAtCleanup);
/** The inference server until `cleanup()`. */
export const startInference = (env: Record<string, string> = {}) => testing.startInference(env, stoppedAtCleanup);
/** The api with the test secrets until `cleanup()`. */
export const spawnApi = (env: Record<string, string>) => testing.spawnApi(env, stoppedAtCleanup);

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
