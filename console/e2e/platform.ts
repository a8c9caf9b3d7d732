/**
 * The real platform for the browser tests: the inference server with the default model, the api
 * on a fresh PostgreSQL database (and Redis when TEST_REDIS_URL says so), and the console's
 * production build, each a child process on a free port.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const PG_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

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

interface Child {
  name: string;
  child: ChildProcess;
  output(): string;
}

function start(name: string, args: string[], env: Record<string, string>, ready: string, timeoutMs = 90_000): Promise<Child> {
  const child = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, LOG_LEVEL: 'warn', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20_000)));
  child.stderr?.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20_000)));
  return new Promise((resolve, reject) => {
    const end = Date.now() + timeoutMs;
    const poll = async () => {
      if (child.exitCode !== null || child.signalCode !== null) return reject(new Error(`${name} exited before it was ready:\n${out}`));
      try {
        if ((await fetch(ready, { redirect: 'manual' })).status < 500) return resolve({ name, child, output: () => out });
      } catch {
        /* not yet */
      }
      if (Date.now() > end) {
        child.kill('SIGKILL');
        return reject(new Error(`${name} did not start in time:\n${out}`));
      }
      setTimeout(poll, 100);
    };
    void poll();
  });
}

export interface Platform {
  consoleUrl: string;
  apiUrl: string;
  inferenceUrl: string;
  databaseUrl: string;
  stop(): Promise<void>;
}

export interface PlatformOptions {
  /** Extra api settings (a short lease, a short access-token life…). */
  apiEnv?: Record<string, string>;
  /** Serve the console too (off: bring your own, e.g. `next dev`, at one of `extraOrigins`). */
  console?: boolean;
  extraOrigins?: string[];
  /** A database made elsewhere (e.g. seeded for a benchmark) instead of a new one; the caller drops it. */
  databaseUrl?: string;
}

export async function startPlatform(o: PlatformOptions = {}): Promise<Platform> {
  const dbName = `console_e2e_${randomBytes(6).toString('hex')}`;
  if (!o.databaseUrl) {
    const admin = new pg.Client({ connectionString: PG_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${dbName}`);
    await admin.end();
  }
  const databaseUrl = o.databaseUrl ?? PG_URL.replace(/\/[^/]*$/, `/${dbName}`);

  const [inferencePort, apiPort, consolePort] = await Promise.all([freePort(), freePort(), freePort()]);
  const consoleUrl = `http://127.0.0.1:${consolePort}`;
  const apiUrl = `http://127.0.0.1:${apiPort}/graphql`;
  const children: Child[] = [];
  const stop = async () => {
    await Promise.all(
      children.map(
        ({ child }) =>
          new Promise<void>((r) => {
            if (child.exitCode !== null || child.signalCode !== null) return r();
            child.once('exit', () => r());
            child.kill('SIGTERM');
            setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
          }),
      ),
    );
    if (o.databaseUrl) return;
    const c = new pg.Client({ connectionString: PG_URL });
    await c.connect();
    await c.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`).catch(() => undefined);
    await c.end();
  };
  // The registry loads new model versions (a training run's output) into the inference server through its admin endpoint, as under npm start.
  const adminKey = randomBytes(24).toString('base64url');
  try {
    const tsx = (pkg: string) => ['--import', 'tsx', join(ROOT, pkg, 'src', 'main.ts')];
    children.push(
      await start('inference', tsx('inference'), { INFERENCE_PORT: String(inferencePort), INFERENCE_INTRA_OP_THREADS: '1', INFERENCE_ADMIN_KEY: adminKey, TSX_TSCONFIG_PATH: join(ROOT, 'inference', 'tsconfig.json') }, `http://127.0.0.1:${inferencePort}/readyz`),
    );
    children.push(
      await start(
        'api',
        tsx('api'),
        {
          TSX_TSCONFIG_PATH: join(ROOT, 'api', 'tsconfig.json'),
          API_PORT: String(apiPort),
          DATABASE_URL: databaseUrl,
          INFERENCE_URL: `http://127.0.0.1:${inferencePort}`,
          INFERENCE_ADMIN_KEY: adminKey,
          DIALOOP_DATA_DIR: join(ROOT, 'console', 'test-results', dbName),
          CONSOLE_ORIGINS: [consoleUrl, ...(o.extraOrigins ?? [])].join(','),
          RATE_LIMIT_MESSAGES_PER_MINUTE: '1000',
          MAX_CONCURRENT_GENERATIONS: '20',
          REVIEW_COLLECT_INTERVAL_S: '0',
          REVIEW_SAMPLE_SHARE: '0',
          MODEL_SYNC_INTERVAL_S: '0',
          ...(process.env.TEST_REDIS_URL ? { REDIS_URL: process.env.TEST_REDIS_URL } : {}),
          ...o.apiEnv,
        },
        `http://127.0.0.1:${apiPort}/readyz`,
      ),
    );
    if (o.console !== false) {
      children.push(
        await start(
          'console',
          [join(ROOT, 'console', 'node_modules', 'next', 'dist', 'bin', 'next'), 'start', join(ROOT, 'console'), '-p', String(consolePort), '-H', '127.0.0.1'],
          { CONSOLE_API_URL: apiUrl, NEXT_TELEMETRY_DISABLED: '1', NODE_ENV: 'production' },
          `${consoleUrl}/signin`,
        ),
      );
    }
  } catch (err) {
    await stop();
    throw err;
  }
  return { consoleUrl, apiUrl, inferenceUrl: `http://127.0.0.1:${inferencePort}`, databaseUrl, stop };
}
