/**
 * The images (infra/images/, built by infra/scripts/images.ts) and the platform run from them:
 * - every image builds offline with podman (cached images whose inputs did not change are reused);
 *   each runs as UID/GID 10001, has a health check, and carries no secret or password in its
 *   configuration;
 * - the platform runs from the images on loopback (`--network host`, read-only root file systems
 *   with a /tmp tmpfs, /data a host folder owned by 10001), against the host's PostgreSQL (a fresh
 *   database, which the api's image migrates itself) and Redis, with NODE_ENV=production and
 *   every secret given at run time: the health checks pass (`podman healthcheck run`), a person
 *   signs in through the console's server, chats over graphql-ws and a reply streams, and the
 *   audit chain verifies;
 * - SIGTERM: the api (PID 1) lets a reply in flight finish and exits 0, as under `npm start`; the
 *   inference server and the console exit at once;
 * - the training image runs Debian's PyTorch and the training job as 10001.
 * The dev overlay is not run under `podman kube play`: its PostgreSQL and Redis images cannot be
 * pulled here (no registry), so the host's servers stand in for them.
 * Needs podman, runc and debootstrap (installed with apt-get when missing and root; otherwise the
 * test fails saying so), PostgreSQL at 127.0.0.1:5432 and Redis at 127.0.0.1:6379. `pnpm test:ops`.
 */
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collect, connect, freePort, gqlOk, login, SEND } from '@dialoop/api/testing';
import { signInChatAndVerify } from './platform-checks.js';
import { APP_IMAGES, buildImages, imageRef, mb, podman, podmanEnv, type BuiltImage } from '../scripts/images.js';

const PG = { host: '127.0.0.1', port: 5432, user: 'postgres' };
const REDIS_URL = 'redis://127.0.0.1:6379';
const run = randomBytes(3).toString('hex');
const name = (service: string) => `dialoop-ops-${service}-${run}`;
const database = `dialoop_images_${run}`;
// Secrets made for this run and given at run time, as a Secret would be.
const secrets = {
  JWT_SECRET: randomBytes(32).toString('base64url'),
  PSEUDONYM_KEY: randomBytes(32).toString('base64url'),
  AUDIT_SIGNING_KEY: randomBytes(32).toString('hex'),
  INFERENCE_ADMIN_KEY: randomBytes(24).toString('base64url'),
  DEMO_PASSWORD: `ops-${randomBytes(9).toString('base64url')}`,
};
const SECRET_NAMES = ['JWT_SECRET', 'PSEUDONYM_KEY', 'AUDIT_SIGNING_KEY', 'AUDIT_PREVIOUS_PUBLIC_KEYS', 'INFERENCE_ADMIN_KEY', 'INFERENCE_API_KEY', 'DEMO_PASSWORD', 'DATABASE_URL', 'REDIS_URL', 'METRICS_TOKEN'];

function psql(sql: string): void {
  const r = spawnSync('psql', ['-h', PG.host, '-p', String(PG.port), '-U', PG.user, '-d', 'postgres', '-v', 'ON_ERROR_STOP=1', '-qc', sql], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`PostgreSQL at ${PG.host}:${PG.port} (user ${PG.user}) is needed: ${r.error?.message ?? r.stderr}`);
}

async function redisPing(): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const sock = createConnection({ host: '127.0.0.1', port: 6379 }, () => sock.write('PING\r\n'));
    sock.setTimeout(3000, () => sock.destroy(new Error('timed out')));
    sock.once('data', (d) => (d.toString().startsWith('+PONG') ? resolve() : reject(new Error(d.toString()))));
    sock.once('error', (e) => reject(new Error(`Redis at 127.0.0.1:6379 is needed: ${e.message}`)));
  }).finally(() => undefined);
}

/** `podman run -d` on the host's network, read-only, with a /tmp tmpfs. */
function runContainer(service: string, image: string, env: Record<string, string>, extra: string[] = []): void {
  const envArgs = Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
  podman(['run', '-d', '--name', name(service), '--network', 'host', '--read-only', '--tmpfs', '/tmp:rw,mode=1777', ...extra, ...envArgs, image]);
}

const logs = (service: string) => spawnSync('podman', ['logs', name(service)], { encoding: 'utf8', env: podmanEnv() }).stdout + spawnSync('podman', ['logs', name(service)], { encoding: 'utf8', env: podmanEnv() }).stderr;
const healthy = (service: string) => spawnSync('podman', ['healthcheck', 'run', name(service)], { env: podmanEnv(), stdio: 'ignore' }).status === 0;
const state = (service: string) => JSON.parse(podman(['inspect', '--format', '{{json .State}}', name(service)])) as { Running: boolean; ExitCode: number };

/** Waits until the container's HEALTHCHECK passes; fails with its log if it stops or takes too long. */
async function waitHealthy(service: string, ms: number): Promise<number> {
  const started = Date.now();
  for (;;) {
    if (healthy(service)) return (Date.now() - started) / 1000;
    if (!state(service).Running) throw new Error(`${service} exited (${state(service).ExitCode}):\n${logs(service).slice(-4000)}`);
    if (Date.now() - started > ms) throw new Error(`${service} not healthy within ${ms / 1000} s:\n${logs(service).slice(-4000)}`);
    await sleep(1000);
  }
}

/** SIGTERM (`podman stop`, SIGKILL only after `grace` s); returns the exit code and seconds taken. */
function stop(service: string, grace = 30): { code: number; seconds: number } {
  const started = Date.now();
  podman(['stop', '-t', String(grace), name(service)]);
  return { code: state(service).ExitCode, seconds: (Date.now() - started) / 1000 };
}

describe('images', () => {
  let built: BuiltImage[] = [];
  let dataDir = '';
  let ports = { inference: 0, api: 0, console: 0 };
  const api = () => `http://127.0.0.1:${ports.api}`;
  const consoleUrl = () => `http://127.0.0.1:${ports.console}`;
  const timings: Record<string, number> = {};

  beforeAll(async () => {
    const started = Date.now();
    built = buildImages();
    timings.build = (Date.now() - started) / 1000;
    process.stdout.write(`[images] ${built.map((b) => `${b.image} ${mb(b.bytes)} (${b.built ? `built in ${b.seconds.toFixed(0)} s` : 'cached'})`).join(', ')}\n`);

    psql(`CREATE DATABASE ${database}`);
    await redisPing();
    dataDir = mkdtempSync(join(tmpdir(), 'dialoop-ops-data-'));
    // The claim as the pods see it (fsGroup 10001).
    chownSync(dataDir, 10001, 10001);
    ports = { inference: await freePort(), api: await freePort(), console: await freePort() };

    runContainer('inference', imageRef('inference'), {
      INFERENCE_HOST: '127.0.0.1',
      INFERENCE_PORT: String(ports.inference),
      INFERENCE_INTRA_OP_THREADS: '1',
      INFERENCE_ADMIN_KEY: secrets.INFERENCE_ADMIN_KEY,
    });
    runContainer(
      'api',
      imageRef('api'),
      {
        ...secrets,
        API_HOST: '127.0.0.1',
        API_PORT: String(ports.api),
        DATABASE_URL: `postgresql://${PG.user}@${PG.host}:${PG.port}/${database}`,
        REDIS_URL,
        INFERENCE_URL: `http://127.0.0.1:${ports.inference}`,
        CONSOLE_ORIGINS: consoleUrl(),
        AUDIT_VERIFY_WORKERS: '1',
        DATASET_BUILD_WORKERS: '1',
      },
      ['-v', `${dataDir}:/data`],
    );
    runContainer(
      'console',
      imageRef('console'),
      { CONSOLE_HOST: '127.0.0.1', CONSOLE_PORT: String(ports.console), CONSOLE_API_URL: `${api()}/graphql` },
      // Next.js's cache folder, an emptyDir in Kubernetes.
      ['--tmpfs', '/app/console/.next/cache:rw,mode=1777'],
    );
    const up = Date.now();
    timings.inferenceHealthy = await waitHealthy('inference', 120_000);
    timings.apiHealthy = await waitHealthy('api', 240_000);
    timings.consoleHealthy = await waitHealthy('console', 120_000);
    timings.platformUp = (Date.now() - up) / 1000;
  });

  afterAll(async () => {
    for (const s of ['console', 'api', 'inference', 'training']) spawnSync('podman', ['rm', '-f', '-t', '2', name(s)], { env: podmanEnv(), stdio: 'ignore' });
    spawnSync('psql', ['-h', PG.host, '-U', PG.user, '-d', 'postgres', '-qc', `DROP DATABASE IF EXISTS ${database} WITH (FORCE)`], { stdio: 'ignore' });
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
    process.stdout.write(`[images] timings (s): ${JSON.stringify(timings)}\n`);
  });

  it('builds every image: UID 10001, a health check, nothing secret in its configuration', () => {
    expect(built.map((b) => b.image)).toEqual(APP_IMAGES.map(imageRef));
    for (const b of built) {
      const [image] = JSON.parse(podman(['image', 'inspect', b.image])) as { Config: { User?: string; Env?: string[] }; Healthcheck?: { Test?: string[] } }[];
      const config = image!.Config;
      expect(config.User, b.image).toBe('10001:10001');
      expect(image!.Healthcheck?.Test?.length, `${b.image} has a HEALTHCHECK`).toBeGreaterThan(1);
      const names = (config.Env ?? []).map((e) => e.split('=')[0]);
      expect(names.filter((n) => SECRET_NAMES.includes(n!)), b.image).toEqual([]);
      expect(b.bytes).toBeGreaterThan(0);
    }
    // The Node images run the host's Node 20, not Debian's 18.
    expect(podman(['run', '--rm', '--network', 'host', '--read-only', imageRef('api'), 'node', '--version']).trim()).toMatch(/^v20\./);
  });

  it('runs the platform from the images: the console signs in, a reply streams, the audit chain verifies', async () => {
    // The console's server answers, and signs a person in through the api (production: the demo
    // password is the one given at run time).
    await signInChatAndVerify(consoleUrl(), api(), secrets.DEMO_PASSWORD);
  });

  it('SIGTERM: the api finishes the reply in flight and exits 0; inference and console exit at once', async () => {
    const token = await login(api(), 'user@demo.local', secrets.DEMO_PASSWORD);
    const client = await connect(api(), token);
    let signalledAt = 0;
    let deltasAfterSignal = 0;
    let events: Awaited<ReturnType<typeof collect>> = [];
    try {
      // A long reply (the model would end its turn sooner: ignoreEos keeps it going).
      const sent = await gqlOk(api(), SEND, { input: { content: 'Tell me a long story.', params: { maxTokens: 900, ignoreEos: true } } }, token);
      events = await collect(client, sent.sendMessage.assistantMessage.id, {
        onEvent: (e) => {
          if (signalledAt && e.delta) deltasAfterSignal++;
          if (!signalledAt && e.delta) {
            signalledAt = Date.now();
            podman(['kill', '--signal', 'TERM', name('api')]);
          }
        },
      });
    } finally {
      await Promise.resolve(client.dispose()).catch(() => undefined);
    }
    const last = events.at(-1)!;
    expect(signalledAt).toBeGreaterThan(0);
    // Tokens kept streaming after SIGTERM reached the api: the reply was in flight, not already done.
    expect(deltasAfterSignal).toBeGreaterThan(0);
    expect(last, 'the reply in flight finished').toMatchObject({ done: true, status: 'COMPLETE', finishReason: 'length' });
    expect(last.usage?.completionTokens).toBe(900);
    for (let i = 0; i < 60 && state('api').Running; i++) await sleep(500);
    expect(state('api')).toMatchObject({ Running: false, ExitCode: 0 });
    expect(logs('api')).toContain('shutting down: letting replies in flight finish');
    expect(logs('api')).toContain('"msg":"stopped"');

    for (const service of ['inference', 'console']) {
      const { code, seconds } = stop(service, 20);
      timings[`${service}Stop`] = seconds;
      // Not killed at the end of the grace period: the process handled SIGTERM (0, or 143 when it
      // exits through the default handler's code).
      expect(seconds, `${service} stopped on SIGTERM`).toBeLessThan(15);
      expect([0, 143], `${service} exit code ${code}`).toContain(code);
    }
  });

  it('the training image: Debian PyTorch and the training job, as 10001 on a read-only root', () => {
    const out = podman([
      'run', '--rm', '--name', name('training'), '--network', 'host', '--read-only', '--tmpfs', '/tmp:rw,mode=1777', imageRef('training'),
      'sh', '-c', 'id -u && python3 -c "import torch, onnx, dialoop_train.preference_train; print(torch.__version__)" && torchrun --standalone --nproc_per_node=1 -m dialoop_train.preference_train --help',
    ]);
    const [uid, torchVersion] = out.trim().split('\n');
    expect(uid).toBe('10001');
    expect(torchVersion).toMatch(/^1\.13/);
    expect(out).toMatch(/usage:.*preference_train|--dataset/s);
  });
});
