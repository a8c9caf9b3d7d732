/**
 * What `pnpm bench:stream --apis N` needs beside the api processes: a check that Redis answers
 * (their fan-out, replay and shared queue), haproxy in front of them (a generated config, run in
 * the foreground on loopback, stopped at the end, on failure and on Ctrl-C), and where the
 * machine's CPU goes while a level runs (each api process, this process, haproxy, PostgreSQL,
 * Redis, anything else), read from /proc.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@dialoop/api/testing';
import { defer, sleep } from './lib.js';

// ---- Redis --------------------------------------------------------------------------------------
/** Throws, saying how to start it, unless Redis at `url` answers PING. */
export async function requireRedis(url: string): Promise<void> {
  const u = new URL(url);
  const answer = await new Promise<string>((resolve, reject) => {
    const socket = net.connect({ host: u.hostname || '127.0.0.1', port: Number(u.port || 6379) });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('no answer within 2 s'));
    }, 2_000);
    let buf = '';
    socket.on('connect', () => socket.write(u.password ? `AUTH ${decodeURIComponent(u.password)}\r\nPING\r\n` : 'PING\r\n'));
    socket.on('data', (d: Buffer) => {
      buf += d.toString();
      const lines = buf.split('\r\n');
      if (lines.length > (u.password ? 2 : 1)) {
        clearTimeout(timer);
        socket.end();
        resolve(lines[u.password ? 1 : 0]!);
      }
    });
    socket.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
  }).catch((err: unknown) => {
    throw new Error(
      `several api processes need Redis at ${u.host} (REDIS_URL), which did not answer: ${(err as Error).message}. ` +
        'Start it: redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no',
    );
  });
  if (answer !== '+PONG') throw new Error(`Redis at ${u.host} answered ${JSON.stringify(answer)} to PING (REDIS_URL needs its password?)`);
}

// ---- processes, from /proc ----------------------------------------------------------------------
const TICK_S = 1 / 100; // USER_HZ

/** Every process: command name, parent and utime + stime in seconds. */
function processes(): Map<number, { comm: string; ppid: number; cpuS: number }> {
  const out = new Map<number, { comm: string; ppid: number; cpuS: number }>();
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      continue; // gone
    }
    const close = stat.lastIndexOf(')');
    const fields = stat.slice(close + 2).split(' ');
    out.set(pid, { comm: stat.slice(stat.indexOf('(') + 1, close), ppid: Number(fields[1]), cpuS: (Number(fields[11]) + Number(fields[12])) * TICK_S });
  }
  return out;
}

/** The machine's busy and total CPU seconds, all cores together (/proc/stat). */
function machineCpu(): { busyS: number; totalS: number } {
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1, 9).map(Number);
  const total = f.reduce((a, b) => a + b, 0);
  return { busyS: (total - f[3]! - f[4]!) * TICK_S, totalS: total * TICK_S };
}

export interface CpuSnapshot {
  t: number;
  machine: { busyS: number; totalS: number };
  procs: Map<number, { comm: string; ppid: number; cpuS: number }>;
}

export const cpuSnapshot = (): CpuSnapshot => ({ t: performance.now(), machine: machineCpu(), procs: processes() });

/** The processes a run knows by name: each api process, this one, haproxy's master and workers. */
export interface Known {
  apis: number[];
  bench: number;
  haproxy?: number;
}

/**
 * Where CPU went between two snapshots, in % of one core: each api process, this process (the
 * load generator and the stand-in upstream), haproxy, PostgreSQL and Redis (all their processes,
 * whoever else uses them), the machine as a whole (of `cores` × 100%) and what is left (other).
 * A process that exited in between loses its share (a short-lived PostgreSQL backend).
 */
export function cpuBetween(a: CpuSnapshot, b: CpuSnapshot, known: Known) {
  const s = (b.t - a.t) / 1000;
  const used = (pid: number) => {
    const after = b.procs.get(pid);
    return after ? after.cpuS - (a.procs.get(pid)?.cpuS ?? 0) : 0;
  };
  const pct = (cpuS: number) => (100 * cpuS) / s;
  const sumWhere = (keep: (pid: number, p: { comm: string; ppid: number }) => boolean) => {
    let t = 0;
    for (const [pid, p] of b.procs) if (keep(pid, p)) t += used(pid);
    return t;
  };
  const apis = known.apis.map(used);
  const bench = used(known.bench);
  const haproxy = known.haproxy === undefined ? 0 : sumWhere((pid, p) => pid === known.haproxy || (p.ppid === known.haproxy && p.comm === 'haproxy'));
  const postgres = sumWhere((_, p) => p.comm === 'postgres');
  const redis = sumWhere((_, p) => p.comm === 'redis-server');
  const busy = b.machine.busyS - a.machine.busyS;
  const known_ = apis.reduce((x, y) => x + y, 0) + bench + haproxy + postgres + redis;
  return {
    seconds: s,
    apiPercent: apis.map(pct),
    apisPercent: pct(apis.reduce((x, y) => x + y, 0)),
    benchPercent: pct(bench),
    haproxyPercent: pct(haproxy),
    postgresPercent: pct(postgres),
    redisPercent: pct(redis),
    /** Of (cores × 100)%. */
    machineBusyPercent: pct(busy),
    otherPercent: pct(Math.max(0, busy - known_)),
  };
}

// ---- haproxy ------------------------------------------------------------------------------------
export interface ServerStats {
  server: string;
  status: string;
  /** Connections open now (a WebSocket holds one for its life). */
  current: number;
  /** Requests passed to it since start (an HTTP request, or a WebSocket's upgrade). */
  total: number;
}

export interface Haproxy {
  /** Where clients go: HTTP and WebSocket. */
  url: string;
  /** The master's pid (its workers are its children). */
  pid: number;
  config: string;
  stats(): Promise<ServerStats[]>;
  output(): string;
  stop(): Promise<void>;
}

/** The config: HTTP on loopback, least connections over the api processes, readiness checks, WebSocket-friendly timeouts. */
export function haproxyConfig(port: number, statsPort: number, backends: string[]): string {
  return `# Generated by tests/bench/scale-out.ts for pnpm bench:stream --apis
global
  # One thread: this benchmark's machine has few cores, and the api processes need them.
  nbthread 1
  maxconn 5000

defaults
  mode http
  maxconn 5000
  timeout connect 5s
  # A send can wait long under load; a subscription's WebSocket is a tunnel once upgraded.
  timeout client 120s
  timeout server 120s
  timeout http-request 10s
  timeout http-keep-alive 60s
  timeout tunnel 1h
  timeout client-fin 5s
  timeout check 2s

frontend api
  bind 127.0.0.1:${port}
  default_backend apis

backend apis
  balance leastconn
  option httpchk GET /readyz
  http-check expect status 200
  default-server check inter 1s fall 2 rise 1
${backends.map((b, i) => `  server api${i + 1} ${b.replace(/^https?:\/\//, '')}`).join('\n')}

listen stats
  bind 127.0.0.1:${statsPort}
  stats enable
  stats uri /
`;
}

/** Throws unless haproxy can be run (Debian: apt-get install -y haproxy). */
export function requireHaproxy(): string {
  const r = spawnSync('haproxy', ['-v'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) throw new Error(`--apis needs haproxy (apt-get install -y haproxy): ${r.error?.message ?? r.stderr}`);
  return r.stdout.split('\n')[0]!.trim();
}

/**
 * haproxy in front of `backends` (http://host:port each), in the foreground (`-W -db`), ready
 * once every server passed its check and a request through it answers. Stopped by `stop()`, at
 * `cleanup()` (Ctrl-C) and, killed, when this process exits.
 */
export async function startHaproxy(backends: string[]): Promise<Haproxy> {
  const [port, statsPort] = [await freePort(), await freePort()];
  const dir = mkdtempSync(join(tmpdir(), 'bench-haproxy-'));
  const config = join(dir, 'haproxy.cfg');
  writeFileSync(config, haproxyConfig(port, statsPort, backends));
  const child = spawn('haproxy', ['-W', '-db', '-f', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const keep = (d: Buffer) => (out = (out + d.toString()).slice(-20_000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const running = () => child.exitCode === null && child.signalCode === null;
  const workers = () => {
    const pids: number[] = [];
    for (const [pid, p] of processes()) if (p.ppid === child.pid && p.comm === 'haproxy') pids.push(pid);
    return pids;
  };
  const killAll = () => {
    for (const pid of workers()) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
    if (running()) child.kill('SIGKILL');
  };
  const onExit = () => {
    killAll();
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', onExit);
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (running()) {
      child.kill('SIGTERM'); // hard stop: the master stops its workers and exits
      const t = setTimeout(killAll, 5_000);
      await exited;
      clearTimeout(t);
    }
    process.removeListener('exit', onExit);
    rmSync(dir, { recursive: true, force: true });
  };
  defer(stop);
  const url = `http://127.0.0.1:${port}`;
  const stats = async (): Promise<ServerStats[]> => {
    const csv = await (await fetch(`http://127.0.0.1:${statsPort}/;csv`)).text();
    const [head, ...rows] = csv.trim().split('\n');
    const cols = head!.replace(/^# /, '').split(',');
    const at = (name: string) => cols.indexOf(name);
    return rows
      .map((r) => r.split(','))
      .filter((f) => f[at('pxname')] === 'apis' && f[at('svname')] !== 'BACKEND')
      .map((f) => ({ server: f[at('svname')]!, status: f[at('status')]!, current: Number(f[at('scur')]), total: Number(f[at('stot')]) }));
  };
  const proxy: Haproxy = { url, pid: child.pid ?? -1, config, stats, output: () => out, stop };
  const failed = (why: string) => new Error(`haproxy ${why}:\n${out}\n(config ${config}:)\n${readFileSync(config, 'utf8')}`);
  for (const end = Date.now() + 20_000; ; await sleep(100)) {
    const err = await Promise.race([spawnError, sleep(0).then(() => undefined)]);
    if (err) {
      await stop();
      throw new Error(`could not run haproxy (apt-get install -y haproxy): ${err.message}`);
    }
    if (!running()) {
      const e = failed(`exited with ${child.exitCode ?? child.signalCode}`);
      await stop();
      throw e;
    }
    if (Date.now() > end) {
      const e = failed('was not ready within 20 s (every server UP, /healthz through it)');
      await stop();
      throw e;
    }
    const up = await stats().then((s) => s.length === backends.length && s.every((x) => x.status === 'UP'), () => false);
    if (up && (await fetch(`${url}/healthz`).then((r) => r.ok, () => false))) return proxy;
  }
}
