/**
 * `pnpm bench:stream`: what the api adds to a streamed reply, and how many streams it carries.
 *
 * 1. Added cost: time to first token and inter-token delay, p50/p99, streaming straight from the
 *    inference server (SSE, the default model) and through the api (sendMessage, then
 *    messageStream over graphql-ws, timed from the mutation request), same prompts and
 *    parameters (temperature 0, ignore_eos, fixed max tokens), interleaved rounds.
 * 2. Capacity: 100, 500 and 1,000 concurrent subscriptions fed by a stand-in OpenAI-compatible
 *    upstream in this process that emits `--rate` tokens/s a stream, each token carrying its
 *    number, so that the api (a child process, with a core of its own) is what is measured:
 *    delivered tokens/s, inter-token delay, added delay (client receive − stand-in emit, one
 *    clock), time-to-first-token overhead, lost, duplicated or reordered tokens, api CPU and RSS.
 * 3. The same capacity run on embedded PGlite (`--pglite-levels`, 100 streams by default).
 * 5. A burst: `--burst` sends (200) spread over one second, against a stand-in that runs
 *    `--burst-capacity` (8) streams at once and answers 429 beyond, first straight to it (what the
 *    api did before its reply queue), then through the api: completed, failed by code, and the
 *    wait from the send to the first token, p50/p99.
 * 4. Recovery: `--recovery-streams` replies (100) generating through api process A, subscribed
 *    on process B (Redis, PostgreSQL); A gets SIGKILL, then (a new A) SIGTERM. Time from the
 *    signal to each stream's final event (the last one: how long until every subscriber knows),
 *    final events per stream, and stored text against what the subscriber received.
 * Each level also says where a send's milliseconds go (the api's `dialoop_api_stage_seconds`:
 * authenticate, admission, history, transaction, start…), how many sends failed and why, and how
 * busy the database pool was. The previous committed result is printed beside the new one.
 * Prints tables and writes tests/bench/results/stream.json. `--cpu-prof` profiles the api during
 * part 2 and prints where its time goes.
 *
 * `--apis 1,2` (a list) runs part 2 once per number of api processes: one is the api alone, as
 * above; two or more share the database and Redis (REDIS_URL, default 127.0.0.1:6379: fan-out,
 * replay and the reply queue across processes) behind haproxy (least connections, readiness
 * checks on /readyz), and every client sends and subscribes through haproxy, so a reply is
 * usually generated on one process and relayed by another. `--through-haproxy` puts a single
 * process behind haproxy with Redis as well. The rows say how many api processes carried them,
 * side by side with the ratio to the first, with where the machine's CPU went (each api process,
 * this process: the load generator and the stand-in, haproxy, PostgreSQL, Redis, other) and
 * where the limit is. They go to the file's `scaleOut` section; the other sections are left as
 * they are (an --apis run writes them to a temporary folder, as any partial run does).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { cpus, tmpdir, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DEMO_PASSWORD, SEND, STREAM, connect, gqlOk, login, newUser, spawnNode, type Proc, type StreamEventT } from '@dialoop/api/testing';
import { createTestDatabase } from '@dialoop/db/testing';
import type { Client } from 'graphql-ws';
import { defer, ms, quantile, sleep, sseData, stopAtCleanup } from './lib.js';
import { cpuBetween, cpuSnapshot, requireHaproxy, requireRedis, startHaproxy, type CpuSnapshot, type Haproxy, type ServerStats } from './scale-out.js';


const root = fileURLToPath(new URL('../../', import.meta.url));
const apiDir = dirname(dirname(fileURLToPath(import.meta.resolve('@dialoop/api'))));
const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    part: { type: 'string', default: '1,2,4,5' },
    'recovery-streams': { type: 'string', default: '100' },
    burst: { type: 'string', default: '200' },
    'burst-capacity': { type: 'string', default: '8' },
    levels: { type: 'string' },
    /** Levels run again against an api on embedded PGlite (none: skip). */
    'pglite-levels': { type: 'string' },
    rate: { type: 'string', default: '20' },
    duration: { type: 'string' },
    ramp: { type: 'string', default: '50' },
    rounds: { type: 'string' },
    tokens: { type: 'string', default: '256' },
    users: { type: 'string', default: '10' },
    'cpu-prof': { type: 'boolean', default: false },
    /** Extra node flags for the api of part 2, e.g. --api-node-args=--max-semi-space-size=64. */
    'api-node-args': { type: 'string', default: '' },
    /** Part 2 once per number of api processes, e.g. 1,2; two or more run behind haproxy with Redis. */
    apis: { type: 'string' },
    /** With --apis, a single api process runs behind haproxy with Redis too. */
    'through-haproxy': { type: 'boolean', default: false },
  },
});
const quick = args.quick!;
const parts = new Set(args.part!.split(',').map(Number));
const levels = (args.levels ?? (quick ? '20,50' : '100,300,1000')).split(',').map(Number);
const pgliteLevels = (args['pglite-levels'] ?? (quick ? 'none' : '100')).split(',').filter((l) => l && l !== 'none').map(Number);
const rate = Number(args.rate);
/** Seconds every level runs with all its streams active (the steady window), after the ramp. */
const duration = Number(args.duration ?? (quick ? '3' : '15'));
/** Streams started per second while a level ramps up. */
const rampPerSecond = Number(args.ramp);
const rounds = Number(args.rounds ?? (quick ? '3' : '20'));
const overheadTokens = Number(args.tokens);
const userCount = Number(args.users);
const JWT_SECRET = 'bench-secret-bench-secret-bench-secret-0123';
const apisList = args.apis?.split(',').map(Number);
if (apisList?.some((n) => !Number.isInteger(n) || n < 1)) throw new Error(`--apis: a list of process counts, e.g. 1,2 (got ${args.apis})`);
const throughHaproxy = args['through-haproxy']!;
/** A count of api processes that runs behind haproxy, with Redis. */
const proxied = (n: number) => n >= 2 || throughHaproxy;
/** "1 api process", "2 api processes". */
const processes = (n: number) => `${n} api process${n === 1 ? '' : 'es'}`;


// ---- processes ----------------------------------------------------------------------------------
/** utime + stime in seconds, and RSS in MiB, of a process, from /proc. */
function procUsage(pid: number): { cpuS: number; sysS: number; rssMiB: number } {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // fields 14 and 15 of proc(5)
  const rssPages = Number(fields[21]); // field 24
  return { cpuS: ticks / 100, sysS: Number(fields[12]) / 100, rssMiB: (rssPages * 4096) / 2 ** 20 };
}

// ---- GraphQL ------------------------------------------------------------------------------------
/** `count` people (created by the demo admin), each with an access token. */
async function benchUsers(url: string, count: number): Promise<string[]> {
  const admin = await login(url, 'admin@demo.local');
  const tokens = [];
  for (let i = 0; i < count; i++) tokens.push((await newUser(url, 'USER', admin)).token);
  return tokens;
}

const sendMessage = (url: string, token: string, content: string, maxTokens: number) =>
  gqlOk<{ sendMessage: { assistantMessage: { id: string } } }>(url, SEND, { input: { content, params: { maxTokens, ignoreEos: true, temperature: 0 } } }, token);

// ---- 1. added cost over the inference server ----------------------------------------------------
interface Timeline {
  ttft: number;
  /** Receive time of each delta. */
  at: number[];
}

async function directStream(url: string, model: string, content: string, maxTokens: number): Promise<Timeline> {
  const start = performance.now();
  const res = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content }], stream: true, stream_options: { include_usage: true },
      max_tokens: maxTokens, ignore_eos: true, temperature: 0 }),
  });
  if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${await res.text()}`);
  const at: number[] = [];
  const dec = new TextDecoder();
  let buf = '';
  for await (const bytes of res.body!) {
    const now = performance.now();
    buf += dec.decode(bytes, { stream: true });
    for (let i; (i = buf.indexOf('\n\n')) >= 0; ) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 2);
      if (!line.startsWith('data: {')) continue;
      const chunk = JSON.parse(line.slice(6)) as { choices?: { delta?: { content?: string } }[] };
      if (chunk.choices?.[0]?.delta?.content) at.push(now);
    }
  }
  return { ttft: (at[0] ?? NaN) - start, at };
}

async function apiStream(url: string, token: string, client: Client, content: string, maxTokens: number): Promise<Timeline & { mutationMs: number }> {
  const start = performance.now();
  const id = (await sendMessage(url, token, content, maxTokens)).sendMessage.assistantMessage.id;
  const mutationMs = performance.now() - start;
  const at: number[] = [];
  await new Promise<void>((resolve, reject) => {
    client.subscribe<{ messageStream: StreamEventT }>({ query: STREAM, variables: { id, from: null } }, {
      next: (r) => {
        const e = r.data?.messageStream;
        if (e?.delta) at.push(performance.now());
        if (e?.error) reject(new Error(e.error.message));
      },
      error: reject,
      complete: resolve,
    });
  });
  return { ttft: (at[0] ?? NaN) - start, at, mutationMs };
}

/**
 * Inter-token gaps over the second half of a reply. Through the api, what the model generated
 * before the subscription began arrives as one replayed burst; the second half is relayed live.
 */
const gapsOf = (t: Timeline) => {
  const half = Math.floor(t.at.length / 2);
  return t.at.slice(half + 1).map((x, i) => x - t.at[half + i]!);
};

async function addedCost(tokens: string[]) {
  // Run in the repository root, where tsx finds no tsconfig.
  const inference = await spawnNode('inference/src/main.ts', { INFERENCE_INTRA_OP_THREADS: '1' }, 'INFERENCE_PORT', '/readyz', { cwd: root, readyTimeoutMs: 90_000 });
  const profDir = args['cpu-prof'] ? mkdtempSync(join(tmpdir(), 'bench-stream-prof1-')) : undefined;
  const api = await spawnApi(inference.url, profDir ? ['--cpu-prof', '--cpu-prof-dir', profDir] : []);
  try {
    const model = ((await (await fetch(`${inference.url}/v1/models`)).json()) as { data: { id: string }[] }).data[0]!.id;
    const token = tokens[0]!;
    const client = await connect(api.url, token);
    const prompts = ['What is 2 plus 3?', 'Name a weekday.', 'Tell me about the sea.', 'How do I boil an egg?'];
    const direct: Timeline[] = [];
    const through: (Timeline & { mutationMs: number })[] = [];
    let stagesBefore: StageSums = new Map();
    for (let r = -2; r < rounds; r++) {
      if (r === 0) stagesBefore = await scrapeStages(api.url);
      // Round -2 and -1 warm both paths up; the order alternates so neither always goes first.
      for (const [i, p] of prompts.entries()) {
        const d = () => directStream(inference.url, model, p, overheadTokens);
        const a = () => apiStream(api.url, token, client, p, overheadTokens);
        const pair = (r + i) % 2 === 0 ? { d: await d(), a: await a() } : { a: await a(), d: await d() };
        if (r >= 0) {
          direct.push(pair.d);
          through.push(pair.a);
        }
      }
    }
    const stages = stageDelta(stagesBefore, await scrapeStages(api.url), 'sendMessage');
    await client.dispose();
    const stats = (ts: Timeline[]) => {
      const ttft = ts.map((t) => t.ttft);
      const gaps = ts.flatMap(gapsOf);
      return { streams: ts.length, deltas: ts.reduce((n, t) => n + t.at.length, 0), ttftP50Ms: quantile(ttft, 0.5), ttftP99Ms: quantile(ttft, 0.99), interTokenP50Ms: quantile(gaps, 0.5), interTokenP99Ms: quantile(gaps, 0.99) };
    };
    return { model, prompts, maxTokens: overheadTokens, rounds, direct: stats(direct), api: { ...stats(through), mutationP50Ms: quantile(through.map((t) => t.mutationMs), 0.5), mutationP99Ms: quantile(through.map((t) => t.mutationMs), 0.99) }, stages };
  } finally {
    await api.stop();
    await inference.stop();
    if (profDir) printProfile('1. api', summariseProfile(profDir));
  }
}

// ---- 2. capacity against a fixed-rate stand-in upstream -----------------------------------------
interface Emission {
  arrivedAt: number;
  /** Emit time of token `seq` at index `seq`. */
  emitAt: Float64Array;
  /** Emit time minus due time, per token (the stand-in's own lateness). */
  late: Float64Array;
  sent: number;
}

interface Active {
  res: http.ServerResponse;
  e: Emission;
  total: number;
  t0: number;
  next: number;
}

/**
 * An OpenAI-compatible upstream that streams `max_tokens` tokens at `rate` tokens/s a stream, the
 * first one at once. Token `n` reads `t<n> `; the last user message names the stream. Due tokens
 * are written from a 1 ms timing wheel, so 1,000 streams cost one timer.
 */
class StandIn {
  readonly emissions = new Map<string, Emission>();
  private readonly wheel = new Map<number, Active[]>();
  private cursor = Math.floor(performance.now());
  private readonly server: http.Server;
  private readonly timer: NodeJS.Timeout;
  private readonly interval: number;
  url = '';
  /** What GET /v1/models lists: the registry's active version, as a production upstream would serve it. */
  models = ['stand-in'];
  /** Streams it runs at once; beyond, it answers 429 with Retry-After: 1, as an inference server with no queue does. */
  capacity = Infinity;
  private running = 0;
  /** Requests it refused (429). */
  refused = 0;

  constructor(rate: number) {
    this.interval = 1000 / rate;
    this.server = http.createServer((req, res) => this.handle(req, res));
    this.server.keepAliveTimeout = 60_000;
    this.timer = setInterval(() => this.tick(), 1);
  }

  async listen(): Promise<string> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    const addr = this.server.address();
    return (this.url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`);
  }

  close() {
    clearInterval(this.timer);
    this.server.closeAllConnections();
    this.server.close();
  }

  private static chunk(delta: object, finish: string | null) {
    return `data: ${JSON.stringify({ id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: 0, model: 'stand-in', choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`;
  }
  private static readonly HEAD = 'data: {"id":"chatcmpl-bench","object":"chat.completion.chunk","created":0,"model":"stand-in","choices":[{"index":0,"delta":{"content":"t';
  private static readonly TAIL = ' "},"finish_reason":null}]}\n\n';

  private handle(req: http.IncomingMessage, res: http.ServerResponse) {
    if (req.method === 'GET' && req.url === '/v1/models') {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ object: 'list', data: this.models.map((id) => ({ id, object: 'model', created: 0, owned_by: 'bench' })) }));
      return;
    }
    if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
      res.statusCode = 404;
      res.end();
      return;
    }
    if (this.running >= this.capacity) {
      this.refused += 1;
      res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '1' });
      res.end(JSON.stringify({ error: { message: 'The server is at capacity; retry later.', type: 'rate_limit_error', code: 'rate_limit_exceeded' } }));
      req.resume();
      return;
    }
    this.running += 1;
    let counted = true;
    res.on('close', () => {
      if (counted) this.running -= 1;
      counted = false;
    });
    const arrivedAt = performance.now();
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      const r = JSON.parse(body) as { messages: { content: string }[]; max_tokens?: number };
      const key = r.messages.at(-1)!.content;
      const total = r.max_tokens ?? 16;
      const e: Emission = { arrivedAt, emitAt: new Float64Array(total + 1), late: new Float64Array(total + 1), sent: 0 };
      this.emissions.set(key, e);
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      res.write(StandIn.chunk({ role: 'assistant', content: '' }, null));
      const a: Active = { res, e, total, t0: performance.now(), next: 1 };
      res.on('close', () => (a.next = Infinity));
      this.emit(a, a.t0);
    });
  }

  /** Writes token `a.next` (due at `due`) and schedules the one after. */
  private emit(a: Active, due: number) {
    if (a.next > a.total) return;
    const now = performance.now();
    const seq = a.next++;
    a.res.write(StandIn.HEAD + seq + StandIn.TAIL);
    a.e.emitAt[seq] = now;
    a.e.late[seq] = now - due;
    a.e.sent = seq;
    if (seq === a.total) {
      a.res.write(StandIn.chunk({}, 'length'));
      a.res.write(`data: ${JSON.stringify({ id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: 0, model: 'stand-in', choices: [], usage: { prompt_tokens: 8, completion_tokens: a.total, total_tokens: 8 + a.total } })}\n\n`);
      a.res.end('data: [DONE]\n\n');
      return;
    }
    const slot = Math.floor(a.t0 + (a.next - 1) * this.interval);
    let list = this.wheel.get(slot);
    if (!list) this.wheel.set(slot, (list = []));
    list.push(a);
  }

  private tick() {
    const now = Math.floor(performance.now());
    for (; this.cursor <= now; this.cursor++) {
      const list = this.wheel.get(this.cursor);
      if (!list) continue;
      this.wheel.delete(this.cursor);
      for (const a of list) if (a.next <= a.total) this.emit(a, a.t0 + (a.next - 1) * this.interval);
    }
  }
}

interface ClientStream {
  key: string;
  startAt: number;
  mutationMs: number;
  firstAt: number;
  seqs: number[];
  at: number[];
  status: string | null;
  finishReason: string | null;
  error: string | null;
  /** The sendMessage refusal's extensions.code (the stream never started). */
  sendError: string | null;
  done: boolean;
}

const TOKEN = /t(\d+) /g;

/**
 * What part 2 measures: one api process, or (`--apis`) several behind haproxy. Clients send and
 * subscribe at `url`; each process's metrics and CPU are read from the process itself.
 */
interface ApiTarget {
  url: string;
  procs: Proc[];
  haproxy?: Haproxy;
  /** An --apis run: where the machine's CPU goes, per process, and how haproxy spread the connections. */
  scaleOut: boolean;
}

/** Sums of several processes' usage; RSS: the largest process's. A process that is gone (stopped at Ctrl-C) counts nothing. */
function usageOf(procs: Proc[]) {
  const each = procs.map((p) => {
    try {
      return procUsage(p.child.pid!);
    } catch {
      return { cpuS: 0, sysS: 0, rssMiB: 0 };
    }
  });
  return { cpuS: each.reduce((t, u) => t + u.cpuS, 0), sysS: each.reduce((t, u) => t + u.sysS, 0), rssMiB: Math.max(...each.map((u) => u.rssMiB)), each };
}

/** The stage sums of every process, added up. */
async function scrapeStagesOf(procs: Proc[]): Promise<StageSums> {
  const out: StageSums = new Map();
  for (const one of await Promise.all(procs.map((p) => scrapeStages(p.url)))) {
    for (const [key, v] of one) {
      const e = out.get(key) ?? { sum: 0, count: 0 };
      out.set(key, { sum: e.sum + v.sum, count: e.count + v.count });
    }
  }
  return out;
}

async function capacityLevel(target: ApiTarget, standIn: StandIn, tokens: string[], n: number, steadyS = duration) {
  const { procs } = target;
  const rampS = n / rampPerSecond;
  const total = Math.round(rate * (rampS + steadyS));
  const clients: Client[] = [];
  for (let i = 0; i < n; i += 50) {
    clients.push(...(await Promise.all(Array.from({ length: Math.min(50, n - i) }, (_, j) => connect(target.url, tokens[(i + j) % tokens.length]!)))));
  }
  const streams: ClientStream[] = [];
  const loop = monitorEventLoopDelay({ resolution: 5 });
  const samples: { t: number; api: ReturnType<typeof usageOf>; benchCpuS: number }[] = [];
  const sample = () => {
    const u = process.cpuUsage();
    samples.push({ t: performance.now(), api: usageOf(procs), benchCpuS: (u.user + u.system) / 1e6 });
  };
  const sampler = setInterval(sample, 250);
  sample();
  // An --apis run also reads every process on the machine (a few ms a time): once a second.
  const machine: CpuSnapshot[] = [];
  const machineSampler = target.scaleOut ? setInterval(() => machine.push(cpuSnapshot()), 1000) : undefined;
  if (target.scaleOut) machine.push(cpuSnapshot());
  const proxyBefore = await target.haproxy?.stats();
  let proxyAtWindow: ServerStats[] | undefined;
  const stagesBefore = await scrapeStagesOf(procs);
  let poolWaitingMax = 0;
  let poolTotalMax = 0;
  const poolPoller = setInterval(() => {
    void Promise.all(procs.map((p) => scrapePool(p.url))).then((all) => {
      poolWaitingMax = Math.max(poolWaitingMax, all.reduce((t, p) => t + (p.waiting ?? 0), 0));
      poolTotalMax = Math.max(poolTotalMax, all.reduce((t, p) => t + (p.total ?? 0), 0));
    }, () => undefined);
  }, 500);
  /** The largest of the processes' event-loop lag p99. */
  const lagP99 = async () => {
    const lags = await Promise.all(procs.map(async (p) => {
      const text = await (await fetch(`${p.url}/metrics`)).text();
      const line = text.split('\n').find((l) => l.startsWith('dialoop_api_nodejs_eventloop_lag_p99_seconds'));
      return line ? Number(line.split(' ')[1]) * 1000 : NaN;
    }));
    return Math.max(...lags);
  };
  const levelStart = performance.now();
  // The planned steady window: every stream started, none finished yet (the first ends at its end).
  const plannedStart = levelStart + rampS * 1000 + 1000;
  const windowEnd = levelStart + (rampS + steadyS) * 1000;
  let apiLagP99Ms = NaN;
  const lagAtWindow = (async () => {
    await sleep(plannedStart - performance.now());
    await lagP99(); // resets the api's histogram: the next read covers the window only
    loop.enable();
    await sleep(windowEnd - performance.now());
    apiLagP99Ms = await lagP99();
    proxyAtWindow = await target.haproxy?.stats();
    loop.disable();
  })();
  // Awaited below; until then a failure (the api stopped at Ctrl-C) is not an unhandled rejection.
  lagAtWindow.catch(() => undefined);

  const finished: Promise<void>[] = [];
  for (let i = 0; i < n; i++) {
    await sleep(levelStart + (i * 1000) / rampPerSecond - performance.now());
    const s: ClientStream = { key: `bench L${n} #${i}`, startAt: performance.now(), mutationMs: NaN, firstAt: NaN, seqs: [], at: [], status: null, finishReason: null, error: null, sendError: null, done: false };
    streams.push(s);
    finished.push((async () => {
      try {
        let id: string;
        try {
          id = (await sendMessage(target.url, tokens[i % tokens.length]!, s.key, total)).sendMessage.assistantMessage.id;
        } catch (err) {
          const m = (err as Error).message;
          s.sendError = /Unable to start a transaction/.test(m) ? 'TX_START_TIMEOUT' : (/"code":"([A-Z_]+)"/.exec(m)?.[1] ?? 'NETWORK');
          throw err;
        }
        s.mutationMs = performance.now() - s.startAt;
        await new Promise<void>((resolve) => {
          clients[i]!.subscribe<{ messageStream: StreamEventT }>({ query: STREAM, variables: { id, from: null } }, {
            next: (r) => {
              const now = performance.now();
              const e = r.data?.messageStream;
              if (!e) return void (s.error ??= JSON.stringify(r.errors));
              if (e.delta) {
                if (Number.isNaN(s.firstAt)) s.firstAt = now;
                for (const m of e.delta.matchAll(TOKEN)) {
                  s.seqs.push(Number(m[1]));
                  s.at.push(now);
                }
              }
              if (e.done) {
                s.done = true;
                s.status = e.status;
                s.finishReason = e.finishReason;
                if (e.error) s.error = e.error.code;
              }
            },
            error: (err: unknown) => {
              s.error ??= err instanceof Error ? err.message : JSON.stringify(err);
              resolve();
            },
            complete: resolve,
          });
        });
      } catch (err) {
        s.error ??= (err as Error).message;
      }
    })());
  }
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), (rampS * 2 + steadyS + 60) * 1000)));
  const timedOut = (await Promise.race([Promise.all(finished), timeout])) === 'timeout';
  clearTimeout(timer);
  await lagAtWindow;
  clearInterval(sampler);
  clearInterval(poolPoller);
  clearInterval(machineSampler);
  sample();
  if (target.scaleOut) machine.push(cpuSnapshot());
  const proxyAfter = await target.haproxy?.stats();
  const stages = stageDelta(stagesBefore, await scrapeStagesOf(procs), 'sendMessage');
  await Promise.all(clients.map((c) => c.dispose()));

  // Per token: loss, duplicates, order, added delay; per stream: inter-token gaps.
  // The steady window begins once the last stream has its first token (starts can lag the ramp).
  const lastFirst = streams.reduce((t, s) => (Number.isNaN(s.firstAt) ? t : Math.max(t, s.firstAt)), 0);
  const steady = Math.max(plannedStart, lastFirst) < windowEnd - 1000;
  const windowStart = steady ? Math.max(plannedStart, lastFirst) : plannedStart;
  let received = 0, lost = 0, duplicated = 0, outOfOrder = 0, inWindow = 0, incomplete = 0, failed = 0;
  const added: number[] = [];
  const addedSteady: number[] = [];
  const gaps: number[] = [];
  const ttftOverhead: number[] = [];
  const late: number[] = [];
  for (const s of streams) {
    if (!s.done || s.status !== 'COMPLETE') incomplete++;
    if (s.error) failed++;
    const e = standIn.emissions.get(s.key);
    const seen = new Uint8Array(total + 1);
    let max = 0;
    for (let k = 0; k < s.seqs.length; k++) {
      const seq = s.seqs[k]!;
      const at = s.at[k]!;
      received++;
      if (seq < max) outOfOrder++;
      max = Math.max(max, seq);
      if (seq > total || seen[seq]) duplicated++;
      else seen[seq] = 1;
      const inSteady = at >= windowStart && at <= windowEnd;
      if (e && seq <= total) {
        added.push(at - e.emitAt[seq]!);
        if (inSteady) addedSteady.push(at - e.emitAt[seq]!);
      }
      if (k > 0) gaps.push(at - s.at[k - 1]!);
      if (inSteady) inWindow++;
    }
    if (e) {
      for (let seq = 1; seq <= e.sent; seq++) if (!seen[seq]) lost++;
      ttftOverhead.push(s.firstAt - s.startAt - (e.emitAt[1]! - e.arrivedAt));
      for (let seq = 1; seq <= e.sent; seq++) late.push(e.late[seq]!);
    }
  }
  const near = (t: number) => samples.reduce((best, x) => (Math.abs(x.t - t) < Math.abs(best.t - t) ? x : best));
  const [w0, w1] = [near(windowStart), near(windowEnd)];
  const windowS = (w1.t - w0.t) / 1000;
  let sampledTokens = 0;
  for (const s of streams) for (const at of s.at) if (at >= w0.t && at < w1.t) sampledTokens++;
  const result = {
    streams: n,
    tokensPerStream: total,
    rampSeconds: rampS,
    windowSeconds: (windowEnd - windowStart) / 1000,
    /** False when streams were still starting when the first ones ended: the api never carried them all at once. */
    steady,
    expectedTokensPerSecond: n * rate,
    deliveredTokensPerSecond: inWindow / ((windowEnd - windowStart) / 1000),
    interTokenP50Ms: quantile(gaps, 0.5),
    interTokenP99Ms: quantile(gaps, 0.99),
    addedP50Ms: quantile(added, 0.5),
    addedP99Ms: quantile(added, 0.99),
    addedMaxMs: quantile(added, 1),
    /** Over the steady window only (no streams starting). */
    addedSteadyP99Ms: quantile(addedSteady, 0.99),
    ttftOverheadP50Ms: quantile(ttftOverhead, 0.5),
    ttftOverheadP99Ms: quantile(ttftOverhead, 0.99),
    mutationP50Ms: quantile(streams.map((s) => s.mutationMs), 0.5),
    mutationP99Ms: quantile(streams.map((s) => s.mutationMs), 0.99),
    /** Sends refused, by GraphQL error code (TX_START_TIMEOUT: the database pool gave no connection in time). */
    failuresByCode: streams.reduce<Record<string, number>>((m, s) => (s.sendError ? { ...m, [s.sendError]: (m[s.sendError] ?? 0) + 1 } : m), {}),
    /** Mean milliseconds per stage of a send at this level, from the api's own timings. */
    stages,
    poolWaitingMax,
    poolTotalMax,
    received,
    lost,
    duplicated,
    outOfOrder,
    incompleteStreams: incomplete,
    failedStreams: failed,
    timedOut,
    firstErrors: [...new Set(streams.flatMap((s) => (s.error ? [s.error] : [])))].slice(0, 3),
    apiCpuPercent: (100 * (w1.api.cpuS - w0.api.cpuS)) / windowS,
    apiCpuMicrosPerToken: ((w1.api.cpuS - w0.api.cpuS) * 1e6) / sampledTokens,
    /** The part of it spent in the kernel (socket reads and writes). */
    apiSystemCpuMicrosPerToken: ((w1.api.sysS - w0.api.sysS) * 1e6) / sampledTokens,
    apiRssMiBMax: Math.max(...samples.map((x) => x.api.rssMiB)),
    apiEventLoopLagP99Ms: apiLagP99Ms,
    benchCpuPercent: (100 * (w1.benchCpuS - w0.benchCpuS)) / windowS,
    benchEventLoopDelayP99Ms: loop.percentile(99) / 1e6,
    standInLateP99Ms: quantile(late, 0.99),
  };
  for (const s of streams) standIn.emissions.delete(s.key);
  // Over the steady window (the nearest once-a-second snapshots): every process on the machine.
  const nearest = (t: number) => machine.reduce((best, x) => (Math.abs(x.t - t) < Math.abs(best.t - t) ? x : best));
  const byServer = (list: ServerStats[] | undefined, server: string) => list?.find((x) => x.server === server);
  const cpuOf = () => cpuBetween(nearest(windowStart), nearest(windowEnd), { apis: procs.map((p) => p.child.pid!), bench: process.pid, haproxy: target.haproxy?.pid });
  return {
    ...result,
    /** An --apis run only (absent from the JSON otherwise). */
    scaleOut: target.scaleOut
      ? {
          apis: procs.length,
          behindHaproxy: target.haproxy !== undefined,
          /** % of one core each, over the steady window; the machine has `cores` × 100%. */
          cpu: { ...cpuOf(), cores: cpus().length },
          apiCpuMicrosPerTokenEach: procs.map((_, k) => ((w1.api.each[k]!.cpuS - w0.api.each[k]!.cpuS) * 1e6) / sampledTokens),
          apiRssMiBMaxEach: procs.map((_, k) => Math.max(...samples.map((x) => x.api.each[k]!.rssMiB))),
          /**
           * haproxy's spread over the processes: connections open at the window's end (the
           * subscriptions' WebSockets, mostly), and requests passed during the level (the sends:
           * the WebSockets opened before it began).
           */
          spread: proxyAfter?.map((x) => ({
            server: x.server,
            openAtWindowEnd: byServer(proxyAtWindow, x.server)?.current ?? NaN,
            requests: x.total - (byServer(proxyBefore, x.server)?.total ?? 0),
          })),
        }
      : undefined,
  };
}

// ---- where a send's time goes -------------------------------------------------------------------
type StageSums = Map<string, { sum: number; count: number }>;

/** `dialoop_api_stage_seconds` sums and counts by "operation/stage", from the api's /metrics. */
async function scrapeStages(url: string): Promise<StageSums> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const out: StageSums = new Map();
  for (const m of text.matchAll(/^dialoop_api_stage_seconds_(sum|count)\{operation="([^"]+)",stage="([^"]+)"\} (\S+)$/gm)) {
    const key = `${m[2]}/${m[3]}`;
    const e = out.get(key) ?? { sum: 0, count: 0 };
    e[m[1] as 'sum' | 'count'] = Number(m[4]);
    out.set(key, e);
  }
  return out;
}

/** Mean ms per stage of `operation` between two scrapes (the request's authentication included). */
function stageDelta(before: StageSums, after: StageSums, operation: string): Record<string, { meanMs: number; count: number }> {
  const out: Record<string, { meanMs: number; count: number }> = {};
  for (const [key, a] of after) {
    const [op, stage] = key.split('/') as [string, string];
    if (op !== operation && op !== 'request') continue;
    const b = before.get(key) ?? { sum: 0, count: 0 };
    const count = a.count - b.count;
    if (count > 0) out[op === 'request' ? `${stage} (any request)` : stage] = { meanMs: ((a.sum - b.sum) * 1000) / count, count };
  }
  return out;
}

async function scrapePool(url: string): Promise<Record<string, number>> {
  const text = await (await fetch(`${url}/metrics`)).text();
  return Object.fromEntries([...text.matchAll(/^dialoop_api_db_pool_connections\{state="(\w+)"\} (\S+)$/gm)].map((m) => [m[1]!, Number(m[2])]));
}

/** The stage table: mean ms per stage, one column per level. */
function printStages(rows: { label: string; stages: Record<string, { meanMs: number; count: number }> }[]) {
  const names = [...new Set(rows.flatMap((r) => Object.keys(r.stages)))];
  const order = (n: string) => (n.startsWith('authenticate') ? -1 : n === 'total' ? 1e9 : n.startsWith('http') ? 2e9 : names.indexOf(n));
  names.sort((a, b) => order(a) - order(b));
  console.table(Object.fromEntries(names.map((n) => [n, Object.fromEntries(rows.map((r) => [r.label, r.stages[n] ? ms(r.stages[n].meanMs) : '']))])));
}

// ---- CPU profile of the api ---------------------------------------------------------------------
interface ProfileNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; hitCount?: number }

/** Self time of the api's busiest functions, and by package or source file, as % of busy time. */
function summariseProfile(dir: string) {
  // CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile: thread 0 is the main one (others: tsx's loader).
  const file = readdirSync(dir).find((f) => /\.\d+\.0\.\d+\.cpuprofile$/.test(f));
  if (!file) return undefined;
  const p = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] };
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  p.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (p.timeDeltas[i] ?? 0)));
  const area = (url: string, fn: string) => {
    if (!url) return fn.startsWith('(') ? fn : '(native)';
    const pkg = /node_modules\/\.pnpm\/[^/]+\/node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
    if (pkg) return pkg[1]!;
    if (url.startsWith('node:')) return 'node:' + url.slice(5).split('/')[0];
    const local = url.replace(/^file:\/\//, '');
    return local.startsWith(root) ? local.slice(root.length) : local;
  };
  const fns = new Map<string, number>();
  const areas = new Map<string, number>();
  let busy = 0;
  for (const [id, us] of self) {
    const n = byId.get(id)!;
    const { functionName: fn, url, lineNumber } = n.callFrame;
    if (fn === '(idle)') continue;
    busy += us;
    const a = area(url, fn);
    areas.set(a, (areas.get(a) ?? 0) + us);
    const name = `${fn || '(anonymous)'} ${a}${url ? `:${lineNumber + 1}` : ''}`;
    fns.set(name, (fns.get(name) ?? 0) + us);
  }
  const top = (m: Map<string, number>, k: number) =>
    [...m].sort((a, b) => b[1] - a[1]).slice(0, k).map(([name, us]) => ({ name, percent: Number(((100 * us) / busy).toFixed(1)) }));
  return { file: join(dir, file), busySeconds: busy / 1e6, byArea: top(areas, 20), topFunctions: top(fns, 30) };
}

function printProfile(title: string, p: ReturnType<typeof summariseProfile>) {
  if (!p) return;
  console.log(`\n${title}: api CPU profile (${p.file}), self time as % of ${p.busySeconds.toFixed(1)} busy seconds:`);
  console.table(Object.fromEntries(p.byArea.map((a) => [a.name, { '%': a.percent }])));
  console.table(Object.fromEntries(p.topFunctions.map((a) => [a.name, { '%': a.percent }])));
}

// ---- run ----------------------------------------------------------------------------------------
let dbUrl = '';
/** An api on the bench's PostgreSQL database, or (`dataDir`) on embedded PGlite in that folder. */
function spawnApi(inferenceUrl: string, nodeArgs: string[] = [], dataDir?: string, env: Record<string, string> = {}, onSpawn?: (p: Proc) => void): Promise<Proc> {
  return spawnNode('src/main.ts', {
    ...(dataDir ? { DATABASE_URL: '', DIALOOP_DATA_DIR: dataDir } : { DATABASE_URL: dbUrl }),
    INFERENCE_URL: inferenceUrl,
    JWT_SECRET,
    RATE_LIMIT_MESSAGES_PER_MINUTE: '1000000',
    MAX_CONCURRENT_GENERATIONS: '100000',
    DEMO_PASSWORD,
    ...env,
  }, 'API_PORT', '/healthz', { cwd: apiDir, nodeArgs, readyTimeoutMs: 90_000, onSpawn });
}

// ---- part 5: a burst against a small upstream ---------------------------------------------------
const BURST_TOKENS = 20;

interface BurstOutcome {
  completed: number;
  failedByCode: Record<string, number>;
  waitP50Ms: number;
  waitP99Ms: number;
  lastDoneS: number;
}

function summariseBurst(rows: { ok: boolean; code?: string; waitMs?: number; doneAt?: number }[], t0: number): BurstOutcome {
  const waits = rows.filter((r) => r.ok && r.waitMs !== undefined).map((r) => r.waitMs!);
  const failedByCode: Record<string, number> = {};
  for (const r of rows.filter((x) => !x.ok)) failedByCode[r.code ?? '?'] = (failedByCode[r.code ?? '?'] ?? 0) + 1;
  return {
    completed: rows.filter((r) => r.ok).length,
    failedByCode,
    waitP50Ms: quantile(waits, 0.5),
    waitP99Ms: quantile(waits, 0.99),
    lastDoneS: (Math.max(...rows.map((r) => r.doneAt ?? t0)) - t0) / 1000,
  };
}

async function burstRun(tokens: string[], active: string | undefined, n: number, capacity: number) {
  const standIn = new StandIn(rate);
  standIn.models = active ? [active, 'stand-in'] : ['stand-in'];
  standIn.capacity = capacity;
  await standIn.listen();
  const model = standIn.models[0]!;
  try {
    // Straight to the upstream: what a reply got before the api queued it.
    let t0 = performance.now();
    const direct = await Promise.all(
      Array.from({ length: n }, async (_, i) => {
        await sleep((i * 1000) / n);
        const sentAt = performance.now();
        const res = await fetch(`${standIn.url}/v1/chat/completions`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ model, messages: [{ role: 'user', content: `direct ${i} ${Math.random()}` }], max_tokens: BURST_TOKENS, stream: true }),
        });
        if (res.status !== 200) return { ok: false, code: `HTTP ${res.status}` };
        let waitMs: number | undefined;
        for await (const d of sseData(res)) if (waitMs === undefined && d.data.includes('"content":"t')) waitMs = d.at - sentAt;
        return { ok: true, waitMs, doneAt: performance.now() };
      }),
    );
    const directOutcome = summariseBurst(direct, t0);

    const api = await spawnApi(standIn.url);
    const clients = await Promise.all(tokens.map((t) => connect(api.url, t)));
    let positions = 0;
    try {
      t0 = performance.now();
      const through = await Promise.all(
        Array.from({ length: n }, async (_, i) => {
          await sleep((i * 1000) / n);
          const token = tokens[i % tokens.length]!;
          const sentAt = performance.now();
          const res = await fetch(`${api.url}/graphql`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
            body: JSON.stringify({ query: SEND, variables: { input: { content: `burst ${i} ${Math.random()}`, params: { maxTokens: BURST_TOKENS } } } }),
          });
          const body = (await res.json()) as { data?: { sendMessage: { assistantMessage: { id: string } } }; errors?: { extensions?: { code?: string } }[] };
          if (!body.data) return { ok: false, code: body.errors?.[0]?.extensions?.code ?? `HTTP ${res.status}` };
          const id = body.data.sendMessage.assistantMessage.id;
          return await new Promise<{ ok: boolean; code?: string; waitMs?: number; doneAt?: number }>((resolve) => {
            let waitMs: number | undefined;
            clients[i % clients.length]!.subscribe<{ messageStream: StreamEventT & { queuePosition: number | null } }>({ query: BURST_STREAM, variables: { id } }, {
              next: (r) => {
                const e = r.data?.messageStream;
                if (!e) return;
                if (e.queuePosition !== null) positions += 1;
                if (e.delta && waitMs === undefined) waitMs = performance.now() - sentAt;
                if (e.done) resolve(e.status === 'COMPLETE' ? { ok: true, waitMs, doneAt: performance.now() } : { ok: false, code: e.error?.code ?? e.status ?? '?' });
              },
              error: () => resolve({ ok: false, code: 'SUBSCRIPTION_ERROR' }),
              complete: () => undefined,
            });
          });
        }),
      );
      const throughOutcome = summariseBurst(through, t0);
      console.log(`\n5. A burst: ${n} sends over 1 s, ${BURST_TOKENS} tokens each at ${rate} tokens/s, against an upstream that runs ${capacity} at once and answers 429 beyond (Retry-After: 1)`);
      const row = (o: BurstOutcome) => ({
        completed: `${o.completed} of ${n}`,
        'failed by code': Object.entries(o.failedByCode).map(([c, k]) => `${c} ${k}`).join(', ') || '-',
        'wait to first token p50 / p99 ms': `${ms(o.waitP50Ms)} / ${ms(o.waitP99Ms)}`,
        'last reply done s': ms(o.lastDoneS),
      });
      console.table({ 'straight to the upstream (the api before its queue)': row(directOutcome), 'through the api (reply queue)': row(throughOutcome) });
      console.log(`   queue position events heard: ${positions}; the upstream refused ${standIn.refused} requests in all (the api learns the upstream's capacity from them)`);
      return { sends: n, capacity, replyTokens: BURST_TOKENS, direct: directOutcome, throughApi: throughOutcome, positionEvents: positions, upstreamRefusals: standIn.refused };
    } finally {
      await Promise.all(clients.map((c) => c.dispose()));
      await api.stop();
    }
  } finally {
    standIn.close();
  }
}

const BURST_STREAM = `subscription($id: ID!) {
  messageStream(messageId: $id) { seq delta done status queuePosition estimatedWaitMs error { code message } }
}`;

// ---- part 4: an api process dies or drains mid-reply --------------------------------------------
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const GRACE_MS = 1_000;
const STORED = 'query($id: ID!) { message(id: $id) { content status errorCode } }';

/** `n` replies through A, followed on B; A is sent `signal` once each has streamed a few tokens. */
async function recoveryCase(b: Proc, standIn: StandIn, tokens: string[], n: number, signal: 'SIGKILL' | 'SIGTERM') {
  const a = await spawnApi(standIn.url, [], undefined, { REDIS_URL, SHUTDOWN_GRACE_MS: String(GRACE_MS) });
  const clients = await Promise.all(tokens.map((t) => connect(b.url, t)));
  const streams: { id: string; token: string; text: string; deltas: number; finals: StreamEventT[]; finalAt: number }[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const token = tokens[i % tokens.length]!;
      const sent = await gqlOk<{ sendMessage: { assistantMessage: { id: string } } }>(a.url, SEND, { input: { content: `recovery ${signal} ${i} ${Math.random()}`, params: { maxTokens: 5_000 } } }, token);
      const s = { id: sent.sendMessage.assistantMessage.id, token, text: '', deltas: 0, finals: [] as StreamEventT[], finalAt: NaN };
      streams.push(s);
      clients[i % clients.length]!.subscribe<{ messageStream: StreamEventT }>({ query: STREAM, variables: { id: s.id, from: null } }, {
        next: (r) => {
          const e = r.data?.messageStream;
          if (!e) return;
          if (e.done) {
            s.finals.push(e);
            s.finalAt = performance.now();
          } else {
            s.text += e.delta ?? '';
            s.deltas += 1;
          }
        },
        error: () => undefined,
        complete: () => undefined,
      });
    }
    for (const end = Date.now() + 30_000; streams.some((s) => s.deltas < 3) && Date.now() < end; ) await sleep(20);
    const exited = new Promise<void>((resolve) => a.child.once('exit', () => resolve()));
    const t0 = performance.now();
    a.child.kill(signal);
    for (const end = Date.now() + 60_000; streams.some((s) => s.finals.length === 0) && Date.now() < end; ) await sleep(20);
    await exited;
    await sleep(500); // a second final event, if any were sent, would have arrived by now
    const times = streams.filter((s) => s.finals.length > 0).map((s) => s.finalAt - t0);
    let matching = 0;
    const codes: Record<string, number> = {};
    for (const s of streams) {
      const m = (await gqlOk<{ message: { content: string; status: string; errorCode: string | null } }>(b.url, STORED, { id: s.id }, s.token)).message;
      if (m.content === s.text) matching += 1;
      const code = `${m.status}${m.errorCode ? ` ${m.errorCode}` : ''}`;
      codes[code] = (codes[code] ?? 0) + 1;
    }
    return {
      signal,
      streams: n,
      graceMs: signal === 'SIGTERM' ? GRACE_MS : null,
      toFinalP50Ms: quantile(times, 0.5),
      toLastFinalMs: Math.max(...times),
      withoutFinal: streams.filter((s) => s.finals.length === 0).length,
      withSeveralFinals: streams.filter((s) => s.finals.length > 1).length,
      storedEqualsDelivered: matching,
      deliveredTokens: streams.reduce((k, s) => k + s.deltas, 0),
      storedOutcomes: codes,
    };
  } finally {
    await Promise.all(clients.map((c) => c.dispose()));
    if (a.child.exitCode === null && a.child.signalCode === null) a.child.kill('SIGKILL');
  }
}

async function recoveryRun(tokens: string[], active: string | undefined, n: number) {
  const standIn = new StandIn(rate);
  standIn.models = active ? [active, 'stand-in'] : ['stand-in'];
  await standIn.listen();
  const b = await spawnApi(standIn.url, [], undefined, { REDIS_URL });
  const out = [];
  try {
    for (const signal of ['SIGKILL', 'SIGTERM'] as const) out.push(await recoveryCase(b, standIn, tokens, n, signal));
  } finally {
    await b.stop();
    standIn.close();
  }
  console.log(`\n4. An api process dies or drains mid-reply: ${n} replies through A at ${rate} tokens/s, subscribers on B (Redis, PostgreSQL; heartbeat 1 s, window 3 s; SIGTERM grace ${GRACE_MS} ms)`);
  console.table(Object.fromEntries(out.map((r) => [r.signal, {
    'signal → final event p50 ms': ms(r.toFinalP50Ms),
    'signal → last final event ms': ms(r.toLastFinalMs),
    'streams without / with >1 final': `${r.withoutFinal} / ${r.withSeveralFinals}`,
    'stored text = delivered': `${r.storedEqualsDelivered} of ${r.streams}`,
    'tokens delivered': r.deliveredTokens,
    'stored as': Object.entries(r.storedOutcomes).map(([c, k]) => `${c} ${k}`).join(', '),
  }])));
  return out;
}

const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
const dirty = execFileSync('git', ['status', '--porcelain'], { cwd: root, encoding: 'utf8' }).trim() !== '';
const machine = { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version };
const params = { quick, parts: [...parts], levels, rate, durationSeconds: duration, rampStreamsPerSecond: rampPerSecond, overheadRounds: rounds, overheadMaxTokens: overheadTokens, users: userCount, cpuProf: args['cpu-prof'], apiNodeArgs: args['api-node-args'] };
console.log(`bench:stream — ${machine.cpu}, ${machine.cores} cores, node ${machine.node}, commit ${commit}${dirty ? '+changes' : ''}`);
console.log(`levels ${levels.join(', ')} at ${rate} tokens/s a stream; ${duration} s steady after a ramp of ${rampPerSecond} streams/s; ${rounds} rounds of ${overheadTokens} tokens for the added cost\n`);
let haproxyVersion: string | undefined;
if (apisList) {
  // Fail before anything starts when what several processes need is missing.
  if (apisList.some(proxied)) {
    haproxyVersion = requireHaproxy();
    await requireRedis(REDIS_URL);
  }
  console.log(`part 2 with ${apisList.map(processes).join(', then ')}${apisList.some(proxied) ? ` (${apisList.filter(proxied).join(', ')} behind ${haproxyVersion}, Redis at ${new URL(REDIS_URL).host})` : ''}; on ${machine.cores} cores shared with the stand-in, the load generator, PostgreSQL, Redis and haproxy\n`);
}

const db = await createTestDatabase();
dbUrl = db.url;
let dropped = false;
const dropDb = async () => {
  if (!dropped) await db.drop();
  dropped = true;
};
// An --apis run's processes are stopped on Ctrl-C (lib's cleanup); the database goes after them.
if (apisList) defer(dropDb);
const scaleOut: ScaleRow[] = [];
let overhead: Awaited<ReturnType<typeof addedCost>> | undefined;
const capacity: Awaited<ReturnType<typeof capacityLevel>>[] = [];
const pglite: Awaited<ReturnType<typeof capacityLevel>>[] = [];
let recovery: Awaited<ReturnType<typeof recoveryRun>> | undefined;
let burstResult: Awaited<ReturnType<typeof burstRun>> | undefined;
let profile: ReturnType<typeof summariseProfile>;
const MODELS = '{ modelVersions { name status } }';

/** Bench people, and the registry's active version (what the stand-in must serve, as a production upstream does). */
async function seedApi(dataDir?: string): Promise<{ tokens: string[]; active: string | undefined }> {
  // The first api start on a fresh database creates the demo accounts; the bench people with them.
  const seed = await spawnApi('http://127.0.0.1:9', [], dataDir);
  try {
    const tokens = await benchUsers(seed.url, userCount);
    const admin = await login(seed.url, 'admin@demo.local');
    const versions = (await gqlOk<{ modelVersions: { name: string; status: string }[] }>(seed.url, MODELS, {}, admin)).modelVersions;
    return { tokens, active: versions.find((v) => v.status === 'ACTIVE')?.name };
  } finally {
    await seed.stop();
  }
}

/**
 * Where a scale-out row ran out first, from its CPU: the machine's cores (when at least 90% of
 * them were busy), else a process's one thread (an api process's, or this one's: the load
 * generator and the stand-in) at 90% of a core or more.
 */
function limitOf(r: ScaleRow): string {
  const c = r.scaleOut.cpu;
  const pc = (x: number) => `${Math.round(x)}%`;
  const where = `api ${c.apiPercent.map(pc).join(' + ')}, bench ${pc(c.benchPercent)}, haproxy ${pc(c.haproxyPercent)}, PostgreSQL ${pc(c.postgresPercent)}, Redis ${pc(c.redisPercent)}, other ${pc(c.otherPercent)}`;
  if (c.machineBusyPercent >= 90 * c.cores) return `the machine's ${c.cores} cores: ${pc(c.machineBusyPercent)} of ${c.cores * 100}% busy (${where})`;
  const hot = c.apiPercent.map((p, k) => ({ p, k })).filter((x) => x.p >= 90);
  if (hot.length) return `${hot.map((x) => `api process ${x.k + 1} (${pc(x.p)})`).join(' and ')}: one event loop's core; machine ${pc(c.machineBusyPercent)} of ${c.cores * 100}% (${where})`;
  if (c.benchPercent >= 90) return `this process (load generator and stand-in) at ${pc(c.benchPercent)}: the measurement, not the api; machine ${pc(c.machineBusyPercent)} of ${c.cores * 100}%`;
  return `none reached 90% of a core or of the machine (${pc(c.machineBusyPercent)} of ${c.cores * 100}%; ${where})`;
}

/** Part 2 (or 3): every level against one api fed by the stand-in, or (`apis`, an --apis run) that many processes. */
async function capacityRun(title: string, levelsToRun: number[], tokens: string[], active: string | undefined, dataDir?: string, apis?: number) {
  const out: Awaited<ReturnType<typeof capacityLevel>>[] = [];
  const count = apis ?? 1;
  const scaleOut = apis !== undefined;
  const behindHaproxy = scaleOut && proxied(count);
  const profDir = args['cpu-prof'] && !dataDir ? mkdtempSync(join(tmpdir(), 'bench-stream-prof-')) : undefined;
  const standIn = new StandIn(rate);
  standIn.models = active ? [active, 'stand-in'] : ['stand-in'];
  await standIn.listen();
  const nodeArgs = args['api-node-args']!.split(' ').filter(Boolean);
  // With several processes, the first one is profiled.
  const apiNodeArgs = [...nodeArgs, ...(profDir ? ['--cpu-prof', '--cpu-prof-dir', profDir] : [])];
  const procs: Proc[] = [];
  let haproxy: Haproxy | undefined;
  try {
    for (let k = 0; k < count; k++) {
      procs.push(await spawnApi(standIn.url, k === 0 ? apiNodeArgs : nodeArgs, dataDir, behindHaproxy ? { REDIS_URL } : {}, scaleOut ? stopAtCleanup : undefined));
    }
    if (behindHaproxy) haproxy = await startHaproxy(procs.map((p) => p.url));
    const target: ApiTarget = { url: haproxy?.url ?? procs[0]!.url, procs, haproxy, scaleOut };
    // Warm-up: a few streams through every path before measuring.
    await capacityLevel(target, standIn, tokens, Math.min(10, levelsToRun[0]!), 2);
    for (const n of levelsToRun) {
      const r = await capacityLevel(target, standIn, tokens, n);
      out.push(r);
      const each = r.scaleOut && count > 1 ? ` (${r.scaleOut.cpu.apiPercent.map((x) => `${Math.round(x)}%`).join(' + ')})` : '';
      const machine = r.scaleOut ? `, machine ${Math.round(r.scaleOut.cpu.machineBusyPercent)}% of ${r.scaleOut.cpu.cores * 100}%` : '';
      console.log(`   ${title}, ${n} streams: ${Math.round(r.deliveredTokensPerSecond)} tokens/s delivered, sendMessage p50 ${ms(r.mutationP50Ms)} ms, added p99 ${ms(r.addedP99Ms)} ms, api CPU ${Math.round(r.apiCpuPercent)}%${each}${machine}`);
      await sleep(1000);
    }
  } finally {
    await haproxy?.stop();
    await Promise.all(procs.map((p) => p.stop()));
    standIn.close();
  }
  const said = (p: Proc) => p.output().split('\n').filter(Boolean).slice(-5).map((l) => `  ${l.slice(0, 300)}`);
  if (out.some((r) => r.incompleteStreams > 0)) {
    if (procs.length === 1) console.log(`\nSome streams failed; the api's last words:\n${said(procs[0]!).join('\n')}`);
    else for (const [k, p] of procs.entries()) console.log(`\nSome streams failed; api process ${k + 1}'s last words:\n${said(p).join('\n')}`);
    if (haproxy?.output().trim()) console.log(`haproxy said:\n${haproxy.output().trim().split('\n').slice(-5).join('\n')}`);
  }
  if (procs.some((p) => p.output().includes('a version with traffic is not served'))) console.log('\nWARNING: the api logged that a version with traffic is not served: the run measured an error path.');
  const setup = !scaleOut ? 'api in its own process' : behindHaproxy ? `${processes(count)}, each its own, behind haproxy, with Redis` : 'api in its own process, clients straight to it';
  console.log(`\n${title}: concurrent subscriptions, stand-in upstream at ${rate} tokens/s a stream (${setup})`);
  console.table(Object.fromEntries(out.map((r) => [`${r.streams} streams`, {
    ...(scaleOut ? { apis: count } : {}),
    'tokens/s (expected)': `${Math.round(r.deliveredTokensPerSecond)} (${r.expectedTokensPerSecond})`,
    'sendMessage p50/p99 ms': `${ms(r.mutationP50Ms)} / ${ms(r.mutationP99Ms)}`,
    'TTFT overhead p50/p99 ms': `${ms(r.ttftOverheadP50Ms)} / ${ms(r.ttftOverheadP99Ms)}`,
    'added p50/p99 ms': `${ms(r.addedP50Ms)} / ${ms(r.addedP99Ms)}`,
    'lost/dup/reordered': `${r.lost}/${r.duplicated}/${r.outOfOrder}`,
    'failed streams': r.incompleteStreams,
    'refused sends by code': Object.entries(r.failuresByCode).map(([c, k]) => `${c} ${k}`).join(', ') || '-',
    'api CPU %': Math.round(r.apiCpuPercent),
    'api RSS MiB': Math.round(r.apiRssMiBMax),
  }])));
  console.log(`   Diagnostics: api CPU per token and event-loop lag, database pool, and whether this process kept up (its CPU, loop delay, stand-in lateness).${count > 1 ? ' CPU and pool: all api processes together; loop lag and RSS: the worst one.' : ''}`);
  console.table(Object.fromEntries(out.map((r) => [`${r.streams} streams`, {
    'steady window s': r.steady ? ms(r.windowSeconds) : 'none',
    'added p99 steady ms': ms(r.addedSteadyP99Ms),
    'inter-token p99 ms': ms(r.interTokenP99Ms),
    'api CPU µs/token (kernel)': `${Math.round(r.apiCpuMicrosPerToken)} (${Math.round(r.apiSystemCpuMicrosPerToken)})`,
    'api loop lag p99 ms': ms(r.apiEventLoopLagP99Ms),
    'pool max open / waiting': dataDir ? '(PGlite)' : `${r.poolTotalMax} / ${r.poolWaitingMax}`,
    'bench CPU %': Math.round(r.benchCpuPercent),
    'bench loop delay p99 ms': ms(r.benchEventLoopDelayP99Ms),
    'stand-in late p99 ms': ms(r.standInLateP99Ms),
  }])));
  console.log(`   Where a send goes (${title}): mean ms per stage of sendMessage, from the api's dialoop_api_stage_seconds`);
  printStages(out.map((r) => ({ label: `${r.streams} streams`, stages: r.stages })));
  if (profDir) printProfile(title, (profile = summariseProfile(profDir)));
  return out;
}

type ScaleRow = Awaited<ReturnType<typeof capacityLevel>> & { scaleOut: NonNullable<Awaited<ReturnType<typeof capacityLevel>>['scaleOut']> };

/** Where the machine's CPU went in each level's steady window, how haproxy spread the clients, and the limit. */
function printMachine(rows: ScaleRow[], label = (r: ScaleRow) => `${r.streams} streams`) {
  const pc = (x: number) => Math.round(x);
  const cores = rows[0]?.scaleOut.cpu.cores ?? cpus().length;
  console.log(`   Where the CPU went in the steady window, % of one core (the machine: ${cores} cores, ${cores * 100}%; PostgreSQL and Redis: all their processes, whoever uses them; other: the rest of the machine), and how haproxy spread the clients: connections open at the window's end (WebSockets) and requests during the level (sends)`);
  console.table(Object.fromEntries(rows.map((r) => {
    const c = r.scaleOut.cpu;
    return [label(r), {
      'api processes %': c.apiPercent.map(pc).join(' + '),
      'bench (clients + stand-in) %': pc(c.benchPercent),
      'haproxy %': r.scaleOut.behindHaproxy ? pc(c.haproxyPercent) : '-',
      'PostgreSQL %': pc(c.postgresPercent),
      'Redis %': pc(c.redisPercent),
      'other %': pc(c.otherPercent),
      [`machine % of ${cores * 100}`]: pc(c.machineBusyPercent),
      'µs/token per api': r.scaleOut.apiCpuMicrosPerTokenEach.map(pc).join(' / '),
      'connections per api': r.scaleOut.spread?.map((x) => x.openAtWindowEnd).join(' / ') ?? '-',
      'sends per api': r.scaleOut.spread?.map((x) => x.requests).join(' / ') ?? '-',
    }];
  })));
  for (const r of rows) {
    const other = r.scaleOut.cpu.otherPercent;
    const busy = other >= 25 ? ` — NOTE: other work on this machine took ${Math.round(other)}% of a core; rerun on a quiet machine before quoting these rows` : '';
    console.log(`   limit at ${label(r)}: ${limitOf(r)}${busy}`);
  }
}

try {
  const { tokens, active } = await seedApi();

  if (parts.has(1)) {
    overhead = await addedCost(tokens);
    const o = overhead;
    const row = (k: 'ttftP50Ms' | 'ttftP99Ms' | 'interTokenP50Ms' | 'interTokenP99Ms') => ({
      'direct (SSE)': ms(o.direct[k]), 'through api': ms(o.api[k]), 'added ms': ms(o.api[k] - o.direct[k]), ratio: `${(o.api[k] / o.direct[k]).toFixed(2)}x`,
    });
    console.log(`1. Added cost over the inference server (${o.model}, ${o.direct.streams} streams each way, ${overheadTokens} tokens, temperature 0)`);
    console.table({ 'TTFT p50 ms': row('ttftP50Ms'), 'TTFT p99 ms': row('ttftP99Ms'), 'inter-token p50 ms': row('interTokenP50Ms'), 'inter-token p99 ms': row('interTokenP99Ms') });
    console.log(`   through the api, the sendMessage mutation alone takes ${ms(o.api.mutationP50Ms)} ms p50 (${ms(o.api.mutationP99Ms)} p99). Where it goes (mean ms per stage):`);
    printStages([{ label: 'one at a time', stages: o.stages }]);
    console.log('');
  }

  if (parts.has(2) && apisList) {
    for (const n of apisList) scaleOut.push(...((await capacityRun(`2. Capacity, PostgreSQL, ${processes(n)}`, levels, tokens, active, undefined, n)) as ScaleRow[]));
  } else if (parts.has(2)) capacity.push(...(await capacityRun('2. Capacity, PostgreSQL', levels, tokens, active)));
  if (parts.has(4)) recovery = await recoveryRun(tokens, active, Number(args['recovery-streams']));
  if (parts.has(5)) burstResult = await burstRun(tokens, active, Number(args.burst), Number(args['burst-capacity']));
} finally {
  await dropDb();
}
if (parts.has(2) && pgliteLevels.length) {
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-stream-pglite-'));
  try {
    const seeded = await seedApi(dataDir);
    pglite.push(...(await capacityRun('3. Capacity, embedded PGlite', pgliteLevels, seeded.tokens, seeded.active, dataDir)));
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

// ---- --apis: the runs side by side --------------------------------------------------------------
/** A scale-out row's name: its level and process count (`via haproxy` for one process behind it). */
const scaleLabel = (r: ScaleRow) => `${r.streams} streams, ${processes(r.scaleOut.apis)}${r.scaleOut.apis === 1 && r.scaleOut.behindHaproxy ? ' via haproxy' : ''}`;
if (scaleOut.length) {
  const first = apisList![0]!;
  const sorted = [...scaleOut].sort((a, b) => a.streams - b.streams);
  const base = (r: ScaleRow) => scaleOut.find((x) => x.streams === r.streams && x.scaleOut.apis === first);
  console.log(`\n2. Side by side: ${apisList!.map(processes).join(', ')}; stand-in upstream at ${rate} tokens/s a stream; ratio: tokens/s delivered over the run with ${processes(first)}'s`);
  console.table(Object.fromEntries(sorted.map((r) => [scaleLabel(r), {
    apis: r.scaleOut.apis,
    'tokens/s (expected)': `${Math.round(r.deliveredTokensPerSecond)} (${r.expectedTokensPerSecond})`,
    [`ratio to ${first}`]: base(r) ? Number((r.deliveredTokensPerSecond / base(r)!.deliveredTokensPerSecond).toFixed(2)) : '-',
    'steady s': r.steady ? ms(r.windowSeconds) : 'none',
    'added p50/p99 ms': `${ms(r.addedP50Ms)} / ${ms(r.addedP99Ms)}`,
    'sendMessage p50/p99 ms': `${ms(r.mutationP50Ms)} / ${ms(r.mutationP99Ms)}`,
    'TTFT overhead p50/p99 ms': `${ms(r.ttftOverheadP50Ms)} / ${ms(r.ttftOverheadP99Ms)}`,
    'lost/dup/reordered': `${r.lost}/${r.duplicated}/${r.outOfOrder}`,
    'failed streams': r.incompleteStreams,
    'refused sends': Object.entries(r.failuresByCode).map(([c, k]) => `${c} ${k}`).join(', ') || '-',
  }])));
  printMachine(sorted, scaleLabel);
}

// ---- the previous committed result beside this one ----------------------------------------------
interface Saved { commit?: string; date?: string; overhead?: typeof overhead; capacity?: Partial<(typeof capacity)[number]>[]; pglite?: Partial<(typeof capacity)[number]>[]; recovery?: typeof recovery; burst?: typeof burstResult; scaleOut?: { commit?: string; rows?: Partial<ScaleRow>[] } }
let previous: Saved | undefined;
try {
  previous = JSON.parse(execFileSync('git', ['show', 'HEAD:tests/bench/results/stream.json'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })) as Saved;
} catch {
  previous = undefined;
}
if (previous) {
  const rows: Record<string, { previous: string; now: string }> = {};
  const both = (label: string, was: number | undefined, now: number | undefined) => {
    if (was === undefined && now === undefined) return;
    rows[label] = { previous: was === undefined ? '-' : String(ms(was)), now: now === undefined ? '-' : String(ms(now)) };
  };
  const d = (o: Saved['overhead']) => (o ? o.api.ttftP50Ms - o.direct.ttftP50Ms : undefined);
  both('sendMessage p50 ms, one at a time', previous.overhead?.api.mutationP50Ms, overhead?.api.mutationP50Ms);
  both('TTFT added p50 ms, one at a time', d(previous.overhead), d(overhead));
  const levelRows = (name: string, was: Saved['capacity'], now: Saved['capacity']) => {
    for (const n of [...new Set([...(was ?? []), ...(now ?? [])].map((r) => r.streams!))].sort((a, b) => a - b)) {
      const w = was?.find((r) => r.streams === n);
      const x = now?.find((r) => r.streams === n);
      both(`${name} ${n}: sendMessage p50 ms`, w?.mutationP50Ms, x?.mutationP50Ms);
      both(`${name} ${n}: TTFT overhead p50 ms`, w?.ttftOverheadP50Ms, x?.ttftOverheadP50Ms);
      both(`${name} ${n}: TTFT overhead p99 ms`, w?.ttftOverheadP99Ms, x?.ttftOverheadP99Ms);
      both(`${name} ${n}: tokens/s delivered`, w?.deliveredTokensPerSecond, x?.deliveredTokensPerSecond);
      both(`${name} ${n}: failed streams`, w?.incompleteStreams, x?.incompleteStreams);
    }
  };
  levelRows('PostgreSQL', previous.capacity, capacity);
  levelRows('PGlite', previous.pglite, pglite);
  both('burst: replies completed', previous.burst?.throughApi.completed, burstResult?.throughApi.completed);
  both('burst: wait to first token p99 ms', previous.burst?.throughApi.waitP99Ms, burstResult?.throughApi.waitP99Ms);
  for (const signal of ['SIGKILL', 'SIGTERM']) {
    both(`${signal}: signal → last final event ms`, previous.recovery?.find((r) => r.signal === signal)?.toLastFinalMs, recovery?.find((r) => r.signal === signal)?.toLastFinalMs);
  }
  if (scaleOut.length) {
    const was = previous.scaleOut?.rows ?? [];
    const key = (r: Partial<ScaleRow>) => `${r.streams} streams, ${processes(r.scaleOut?.apis ?? 0)}${r.scaleOut?.apis === 1 && r.scaleOut.behindHaproxy ? ' via haproxy' : ''}`;
    for (const k of [...new Set([...was, ...scaleOut].map(key))]) {
      const w = was.find((r) => key(r) === k);
      const x = scaleOut.find((r) => key(r) === k);
      both(`${k}: tokens/s delivered`, w?.deliveredTokensPerSecond, x?.deliveredTokensPerSecond);
      both(`${k}: added p99 ms`, w?.addedP99Ms, x?.addedP99Ms);
      both(`${k}: failed streams`, w?.incompleteStreams, x?.incompleteStreams);
    }
  }
  console.log(`\nThis run beside the previous committed result (${previous.commit ?? '?'}, ${previous.date?.slice(0, 10) ?? '?'}; its parameters may differ):`);
  console.table(rows);
}

// ---- goals --------------------------------------------------------------------------------------
const goal = (met: boolean, text: string) => ({ met, text });
const goals = [];
const top = capacity.find((r) => r.streams === 1000);
if (top) {
  const clean = top.steady && top.lost + top.duplicated + top.outOfOrder + top.incompleteStreams === 0 && top.deliveredTokensPerSecond >= 0.98 * top.expectedTokensPerSecond;
  goals.push(goal(clean, `1,000 streams at ${rate} tokens/s with zero loss: ${top.lost} lost, ${top.duplicated} duplicated, ${top.outOfOrder} reordered, ${top.incompleteStreams} streams failed or unfinished; ${Math.round(top.deliveredTokensPerSecond)} of ${top.expectedTokensPerSecond} tokens/s delivered`));
  goals.push(goal(top.addedP99Ms <= 50, `p99 added delay <= 50 ms at 1,000 streams: ${ms(top.addedP99Ms)} ms over every token (${ms(top.addedSteadyP99Ms)} ms in the steady window)`));
  const other = Object.keys(top.failuresByCode).filter((c) => c !== 'RATE_LIMITED' && c !== 'SERVICE_UNAVAILABLE');
  goals.push(goal(other.length === 0, `at 1,000 streams no send fails but for a configured limit: ${JSON.stringify(top.failuresByCode)}`));
}
if (overhead) {
  const added = overhead.api.ttftP50Ms - overhead.direct.ttftP50Ms;
  goals.push(goal(added <= 10, `TTFT added <= 10 ms p50 over the real model, one stream at a time: ${ms(added)} ms`));
  goals.push(goal(overhead.api.mutationP50Ms <= 10, `sendMessage p50 <= 10 ms, one at a time: ${ms(overhead.api.mutationP50Ms)} ms`));
}
const at300 = capacity.find((r) => r.streams === 300);
if (at300) {
  goals.push(goal(at300.mutationP50Ms <= 20, `sendMessage p50 <= 20 ms while 300 streams run: ${ms(at300.mutationP50Ms)} ms`));
  goals.push(goal(at300.ttftOverheadP50Ms <= 30, `TTFT added p50 <= 30 ms at 300 streams: ${ms(at300.ttftOverheadP50Ms)} ms`));
}
if (capacity.length + pglite.length) {
  const timeouts = [...capacity, ...pglite].reduce((n, r) => n + (r.failuresByCode.TX_START_TIMEOUT ?? 0), 0);
  goals.push(goal(timeouts === 0, `no transaction-start timeout at any level: ${timeouts}`));
}
const killed = recovery?.find((r) => r.signal === 'SIGKILL');
if (killed) {
  goals.push(goal(killed.toLastFinalMs <= 5_000 && killed.withoutFinal === 0, `every subscriber told within 5 s of a SIGKILL: the last after ${ms(killed.toLastFinalMs)} ms, ${killed.withoutFinal} never`));
  goals.push(goal(killed.storedEqualsDelivered === killed.streams && killed.withSeveralFinals === 0, `stored text = delivered text for every stream, one final event each: ${killed.storedEqualsDelivered} of ${killed.streams}, ${killed.withSeveralFinals} with more than one`));
}
if (burstResult) {
  const b = burstResult.throughApi;
  goals.push(goal(b.completed === burstResult.sends, `a burst of ${burstResult.sends} sends against ${burstResult.capacity} upstream slots: ${b.completed} completed, failed ${JSON.stringify(b.failedByCode)} (straight to the upstream: ${burstResult.direct.completed} completed)`));
}
if (goals.length) {
  console.log('\nGoals (issues 3, 21, 23 and 24):');
  for (const g of goals) console.log(`  ${g.met ? 'MET    ' : 'NOT MET'} ${g.text}`);
}
const clean = (r: (typeof capacity)[number]) => r.steady && r.lost + r.duplicated + r.outOfOrder + r.incompleteStreams === 0 && r.addedP99Ms <= 50;
const carried = capacity.filter(clean).map((r) => r.streams);
if (capacity.length) console.log(`  Levels carried with zero loss and p99 added delay <= 50 ms: ${carried.length ? carried.join(', ') : 'none'}`);

const scaleGoals = [];
for (const r of scaleOut.filter((x) => x.streams === 1000)) {
  const zeroLoss = r.steady && r.lost + r.duplicated + r.outOfOrder + r.incompleteStreams === 0 && r.deliveredTokensPerSecond >= 0.98 * r.expectedTokensPerSecond;
  scaleGoals.push(goal(zeroLoss, `${scaleLabel(r)}, ${rate} tokens/s each, zero loss: ${r.lost} lost, ${r.duplicated} duplicated, ${r.outOfOrder} reordered, ${r.incompleteStreams} streams failed or unfinished; ${Math.round(r.deliveredTokensPerSecond)} of ${r.expectedTokensPerSecond} tokens/s delivered`));
  scaleGoals.push(goal(r.addedP99Ms <= 50, `${scaleLabel(r)}: p99 added delay <= 50 ms: ${ms(r.addedP99Ms)} ms over every token (${ms(r.addedSteadyP99Ms)} ms in the steady window)`));
}
if (scaleGoals.length) {
  console.log('\nGoals with several api processes (issue 18):');
  for (const g of scaleGoals) console.log(`  ${g.met ? 'MET    ' : 'NOT MET'} ${g.text}`);
}
const scaleCarried = Object.fromEntries((apisList ?? []).map((n) => [processes(n), scaleOut.filter((r) => r.scaleOut.apis === n && clean(r)).map((r) => r.streams)]));
if (scaleOut.length) console.log(`  Levels carried with zero loss and p99 added delay <= 50 ms: ${Object.entries(scaleCarried).map(([k, v]) => `${k}: ${v.length ? v.join(', ') : 'none'}`).join('; ')}`);

const date = new Date().toISOString();
const results: Record<string, unknown> = { date, commit, dirty, machine, params: { ...params, pgliteLevels, recoveryStreams: Number(args['recovery-streams']) }, overhead, capacity, pglite, recovery, burst: burstResult, goals, carriedLevels: carried, profile };
/** An --apis run's rows, with what they ran on. */
const scaleOutSection = scaleOut.length
  ? { date, commit, dirty, machine, params: { ...params, apis: apisList, throughHaproxy, haproxy: haproxyVersion, redis: apisList!.some(proxied) ? new URL(REDIS_URL).host : undefined }, rows: scaleOut, goals: scaleGoals, carriedLevels: scaleCarried }
  : undefined;
if (scaleOutSection) results.scaleOut = scaleOutSection;
const committed = join(root, 'tests', 'bench', 'results', 'stream.json');
const saved = () => {
  try {
    return JSON.parse(readFileSync(committed, 'utf8')) as Record<string, unknown>;
  } catch {
    return undefined;
  }
};
// A --quick smoke run, or one of a part or of chosen levels, or an --apis run, leaves the committed results alone.
const partial = quick || ![1, 2, 4, 5].every((p) => parts.has(p)) || args.levels !== undefined || args.duration !== undefined || apisList !== undefined;
// A full run keeps the scaleOut section an --apis run wrote (it did not run that).
const kept = partial ? undefined : saved()?.scaleOut;
if (kept !== undefined) results.scaleOut = kept;
const out = partial ? mkdtempSync(join(tmpdir(), 'bench-stream-')) : join(root, 'tests', 'bench', 'results');
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'stream.json'), JSON.stringify(results, null, 2) + '\n');
console.log(`\nwrote ${join(out, 'stream.json')}`);
// An --apis run of the full steady window (not --quick, no --duration) puts its rows in the committed file's scaleOut section, and only there.
if (scaleOutSection && !quick && args.duration === undefined) {
  writeFileSync(committed, JSON.stringify({ ...saved(), scaleOut: scaleOutSection }, null, 2) + '\n');
  console.log(`wrote its scaleOut section (${scaleOut.length} rows) into ${committed}; the other sections are as they were`);
}
