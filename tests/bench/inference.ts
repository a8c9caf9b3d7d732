/**
 * `pnpm bench:inference`: speed of the inference service, side by side in one run, same
 * weights and prompts.
 *
 * 1. single-stream decode tokens/s: onnxruntime-node (the engine, in process) on the FP32 and
 *    the INT8 graph vs PyTorch eager (the training code's model and KV cache,
 *    `python3 -m dialoop_train.bench`);
 * 2. aggregate tokens/s through the HTTP server (a separate process) at 1, 4 and 16
 *    concurrent streams, with 64- and 400-token contexts, on the graph served by default
 *    (INT8 where the folder has one) and on FP32; and 16 vs 1 concurrent short chats through
 *    the official `openai` client, replies ending on their own (at most 96 tokens);
 * 3. time to first token p50/p99 at each concurrency, and the time from a client
 *    disconnecting to its batch slot being freed;
 * 5. the prefix cache: time to first token of each turn of ten-turn conversations, cache on
 *    (default) vs a server prefilling whole prompts without a cache;
 * 6. the inter-token gaps of four running streams while 16 new 400-token prompts arrive,
 *    chunked prefill (default) vs whole.
 * Sections 2, 5 and 6 run `--runs` times (default 3): tables show the median and range, each
 * ratio measured within a run; the load average is noted at the start, each run and the end.
 * Prints the tables and writes tests/bench/results/inference.json.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { existsSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
// The inference package first: it switches ONNX Runtime's telemetry off before the runtime loads.
import { createMetrics, DEFAULT_MODEL_DIR, Engine, kvNames, openSession, readModelFolder } from '@dialoop/inference';
import * as ort from 'onnxruntime-node';
import OpenAI from 'openai';
import { quantile, runInfo, sseData } from './lib.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const { values: args } = parseArgs({
  options: {
    'model-dir': { type: 'string', default: DEFAULT_MODEL_DIR },
    'new-tokens': { type: 'string', default: '128' },
    rounds: { type: 'string', default: '3' },
    threads: { type: 'string', default: '2' },
    contexts: { type: 'string', default: '64,400' },
    spin: { type: 'string', default: '0' },
    runs: { type: 'string', default: '3' },
  },
});
// Relative paths are taken from where the command was started (npm and pnpm set INIT_CWD).
const modelDir = resolve(process.env.INIT_CWD ?? process.cwd(), args['model-dir']!);
const newTokens = Number(args['new-tokens']);
const rounds = Number(args.rounds);
const threads = Number(args.threads);
const spin = args.spin === '1';
const log = pino({ level: 'warn' });

const median = (xs: number[]) => quantile(xs, 0.5);

const folder = readModelFolder('bench', modelDir);
const sessionOptions = { device: 'cpu', cudaDeviceId: 0, intraOpThreads: threads, interOpThreads: 1, allowSpinning: spin } as const;
// The same 64 byte tokens that dialoop_train.bench uses by default.
const prompt64 = [...'Hello Dialoop! '.repeat(8).slice(0, 64)].map((c) => c.charCodeAt(0));

// ---- 1. single stream: onnxruntime-node engine vs PyTorch eager -------------------------
/** Whether the folder has an INT8 graph beside model.onnx (which the server then serves by default). */
function hasInt8(dir: string): boolean {
  return ['model_int8.onnx', 'onnx/model_int8.onnx', 'onnx/model_quantized.onnx'].some((p) => existsSync(join(dir, p)));
}

async function ortSingleStream(precision: 'fp32' | 'int8'): Promise<number> {
  const f = readModelFolder('bench', modelDir, { precision });
  const loaded = await openSession(f.spec, sessionOptions, log);
  const engine = new Engine(f, loaded, { maxBatch: 1, maxQueue: 1 }, createMetrics(), log);
  const once = () =>
    new Promise<number>((resolve, reject) => {
      engine.submit(
        { promptIds: prompt64, maxTokens: newTokens, ignoreEos: true, stop: [], sampling: { temperature: 0, topP: 1, topK: 0, seed: 0 } },
        { onText: () => {}, onError: reject, onFinish: (r) => resolve(r.tokensPerSecond ?? NaN) },
      );
    });
  await once(); // warm-up
  const runs = [];
  for (let i = 0; i < 3; i++) runs.push(await once());
  await engine.close();
  return median(runs);
}

function torchSingleStream(): { decode_tokens_per_s: number; torch: string } {
  const r = spawnSync('/usr/bin/python3', ['-m', 'dialoop_train.bench', '--model-dir', modelDir, '--prompt-ids', JSON.stringify(prompt64),
    '--new-tokens', String(newTokens), '--repeats', '3', '--threads', String(threads)], { cwd: join(root, 'training'), encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`PyTorch bench failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').at(-1)!);
}

// ---- 2 and 3. through the HTTP server ------------------------------------------------------
async function startServer(env: Record<string, string> = {}): Promise<{ url: string; stop: () => void }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'inference/src/main.ts')], {
    env: { ...process.env, MODEL_DIR: `bench=${modelDir}`, INFERENCE_PORT: '0', INFERENCE_MAX_BATCH: '16', INFERENCE_MAX_QUEUE: '64', INFERENCE_INTRA_OP_THREADS: String(threads), INFERENCE_SPIN: spin ? '1' : '0', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /ready at (http:\/\/\S+)\/v1/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.on('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  return { url, stop: () => child.kill('SIGTERM') };
}

/** A user message whose rendered chat prompt is `tokens` tokens long. */
function promptOf(tokens: number, variant: number): string {
  const overhead = folder.tokenizer.encodeChat([{ role: 'user', content: 'x' }]).length - 1;
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  let s = '';
  for (let i = 0; s.length < tokens - overhead; i++) s += letters[(i * 7 + variant) % 26];
  const ids = folder.tokenizer.encodeChat([{ role: 'user', content: s }]);
  if (ids.length !== tokens) throw new Error(`prompt of ${ids.length} tokens, wanted ${tokens}`);
  return s;
}

interface StreamResult { ttft: number; tokens: number; start: number; end: number }

type Message = { role: 'system' | 'user' | 'assistant'; content: string };

async function stream(url: string, content: string | Message[], maxTokens: number, signal?: AbortSignal, onChunk?: (n: number, at: number, text: string) => void, ignoreEos = true): Promise<StreamResult> {
  const start = performance.now();
  const messages = typeof content === 'string' ? [{ role: 'user', content }] : content;
  const res = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'bench', messages, stream: true, stream_options: { include_usage: true },
      max_tokens: maxTokens, ignore_eos: ignoreEos, temperature: 0 }),
    signal,
  });
  if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${await res.text()}`);
  let ttft = NaN;
  let tokens = 0;
  let chunks = 0;
  for await (const { data, at } of sseData(res)) {
    if (data === '[DONE]') continue;
    const ev = JSON.parse(data);
    if (ev.usage) tokens = ev.usage.completion_tokens;
    const text = ev.choices?.[0]?.delta?.content;
    if (text) {
      if (Number.isNaN(ttft)) ttft = at - start;
      onChunk?.(++chunks, at, text);
    }
  }
  return { ttft, tokens, start, end: performance.now() };
}

async function metric(url: string, sample: string): Promise<number> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${sample} `));
  return line ? Number(line.slice(sample.length + 1)) : NaN;
}

async function concurrencyRun(url: string, context: number, concurrency: number) {
  const ttfts: number[] = [];
  const rates: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const results = await Promise.all(Array.from({ length: concurrency }, (_, i) => stream(url, promptOf(context, r * 31 + i), newTokens)));
    const wall = (Math.max(...results.map((x) => x.end)) - Math.min(...results.map((x) => x.start))) / 1000;
    rates.push(results.reduce((s, x) => s + x.tokens, 0) / wall);
    ttfts.push(...results.map((x) => x.ttft));
  }
  return { context, concurrency, tokensPerSecond: median(rates), ttftP50Ms: quantile(ttfts, 0.5), ttftP99Ms: quantile(ttfts, 0.99) };
}

async function cancelLatency(url: string, trials: number) {
  const ms: number[] = [];
  for (let i = 0; i < trials; i++) {
    const abort = new AbortController();
    let abortedAt = 0;
    const p = stream(url, promptOf(64, i), folder.spec.maxPositions - 72, abort.signal, (n: number) => {
      if (n === 20) {
        abortedAt = performance.now();
        abort.abort();
      }
    }).catch(() => undefined);
    await p;
    if (abortedAt === 0) throw new Error('the stream ended before 20 chunks; nothing was cancelled');
    while ((await metric(url, 'dialoop_inference_running_sequences{model="bench"}')) !== 0) await new Promise((r) => setImmediate(r));
    ms.push(performance.now() - abortedAt);
  }
  const serverSum = await metric(url, 'dialoop_inference_cancel_to_free_seconds_sum{model="bench"}');
  const serverCount = await metric(url, 'dialoop_inference_cancel_to_free_seconds_count{model="bench"}');
  return { trials, clientP50Ms: median(ms), clientMaxMs: Math.max(...ms), serverMeanMs: (1000 * serverSum) / serverCount };
}

/**
 * Where a decode step's time goes at a given batch and context, on synthetic caches: the
 * step fetching only the logits; fetching the step's new keys and values as well (the
 * `new_key_values.*` outputs of Dialoop's export, what the engine does); and, for a graph that
 * has them, fetching the whole `present.*` cache of the Optimum layout (what a server without
 * new_key_values must do).
 */
async function stepProfile(batch: number, past: number) {
  const { session, hasNewKeyValues } = await openSession(folder.spec, sessionOptions, log);
  const { numLayers: layers, numKvHeads: h, headDim: d } = folder.spec;
  const names = kvNames('past_key_values', layers).map((n) => n.slice('past_key_values.'.length));
  const feeds: Record<string, ort.Tensor> = {
    input_ids: new ort.Tensor('int64', new BigInt64Array(batch).fill(65n), [batch, 1]),
    attention_mask: new ort.Tensor('int64', new BigInt64Array(batch * (past + 1)).fill(1n), [batch, past + 1]),
    position_ids: new ort.Tensor('int64', new BigInt64Array(batch).fill(BigInt(past)), [batch, 1]),
  };
  for (const n of names) feeds[`past_key_values.${n}`] = new ort.Tensor('float32', new Float32Array(batch * h * past * d).fill(0.01), [batch, h, past, d]);
  const time = async (fetches: string[]) => {
    for (let i = 0; i < 3; i++) await session.run(feeds, fetches);
    const t = performance.now();
    for (let i = 0; i < 10; i++) await session.run(feeds, fetches);
    return (performance.now() - t) / 10;
  };
  const logitsOnly = await time(['logits']);
  const newKv = hasNewKeyValues ? await time(['logits', ...names.map((n) => `new_key_values.${n}`)]) : NaN;
  // Dialoop's own export has no presents (its attention reads the past in place).
  const present = session.outputNames.includes('present.0.key') ? await time(['logits', ...names.map((n) => `present.${n}`)]) : NaN;
  await session.release();
  const kvMiB = (2 * layers * batch * h * (past + 1) * d * 4) / 2 ** 20;
  return { batch, past, kvMiB, logitsOnlyMs: logitsOnly, newKeyValuesMs: newKv, wholePresentMs: present };
}

// ---- 4. short chats through the official openai client, as an app would ------------------
const SHORT_QUESTIONS = [
  (a: number, b: number) => `What is ${a} + ${b}?`,
  (a: number, b: number) => `What is ${a} times ${b}?`,
  (a: number) => `Convert ${a} km to meters.`,
  (a: number, b: number) => `请计算${a}加${b}。`,
  () => 'What is the capital of Japan?',
  () => '你好！你是谁？',
  () => 'Name a weekday.',
  (a: number) => `把${a}千米换算成米。`,
];

/**
 * `concurrency` chats at once (one at a time for 1), 16 chats a round, each a new question
 * whose reply ends on its own (at most 96 tokens), through `openai`'s streaming chat API.
 */
async function shortChats(url: string, concurrency: number, seed: number) {
  const client = new OpenAI({ baseURL: `${url}/v1`, apiKey: 'not-needed', maxRetries: 0 });
  const rates: number[] = [];
  const ttfts: number[] = [];
  const lengths: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const ask = async (i: number) => {
      const k = seed * 1000 + r * 16 + i;
      const q = SHORT_QUESTIONS[k % SHORT_QUESTIONS.length]!(10 + (k % 89), 2 + ((k * 7) % 97));
      const t0 = performance.now();
      let ttft = NaN;
      let tokens = 0;
      const s = await client.chat.completions.create({ model: 'bench', messages: [{ role: 'user', content: q }], max_tokens: 96, temperature: 0, stream: true, stream_options: { include_usage: true } });
      for await (const chunk of s) {
        if (Number.isNaN(ttft) && chunk.choices[0]?.delta?.content) ttft = performance.now() - t0;
        if (chunk.usage) tokens = chunk.usage.completion_tokens;
      }
      ttfts.push(ttft);
      lengths.push(tokens);
      return tokens;
    };
    const t0 = performance.now();
    let total = 0;
    for (let i = 0; i < 16; i += concurrency) total += (await Promise.all(Array.from({ length: Math.min(concurrency, 16 - i) }, (_, j) => ask(i + j)))).reduce((a, b) => a + b, 0);
    rates.push(total / ((performance.now() - t0) / 1000));
  }
  return { concurrency, tokensPerSecond: median(rates), ttftP50Ms: quantile(ttfts, 0.5), ttftP99Ms: quantile(ttfts, 0.99), replyTokensMean: lengths.reduce((a, b) => a + b, 0) / lengths.length };
}

// ---- 5. prefix cache: time to first token, turn by turn, of a ten-turn conversation ----------
const SYSTEM_PROMPT = 'You are Dialoop, the assistant of a review team. ' +
  'Answer in the language of the question. Keep answers short and exact: numbers as digits, units spelled out, no filler. ';

/** `conversations` conversations of ten turns each (the model's own replies, at most 40 tokens, kept as history); TTFT per turn. */
async function conversationTtft(url: string, tag: string, conversations = 3) {
  const perTurn: number[][] = Array.from({ length: 10 }, () => []);
  let promptTokens = 0;
  for (let c = 0; c < conversations; c++) {
    const history: Message[] = [{ role: 'system', content: `${SYSTEM_PROMPT}Session ${tag}-${c}.` }];
    for (let t = 0; t < 10; t++) {
      const k = c * 10 + t;
      history.push({ role: 'user', content: SHORT_QUESTIONS[k % SHORT_QUESTIONS.length]!(11 + k, 3 + c) });
      let reply = '';
      const r = await stream(url, history, 40, undefined, (_n, _at, text) => (reply += text), false);
      perTurn[t]!.push(r.ttft);
      history.push({ role: 'assistant', content: reply });
    }
    promptTokens = folder.tokenizer.encodeChat(history.slice(0, -1)).length;
  }
  return { ttftMsByTurn: perTurn.map((xs) => median(xs)), tenthTurnTtftMs: median(perTurn[9]!), tenthTurnPromptTokens: promptTokens };
}

// ---- 6. running streams while 16 new 400-token prompts arrive ------------------------------
async function arrivals(url: string, running = 4, arriving = 16, seed = 0) {
  const gaps: { at: number; gap: number }[] = [];
  const abort = new AbortController();
  let started = 0;
  let ready!: () => void;
  const allStarted = new Promise<void>((r) => (ready = r));
  const streams = Array.from({ length: running }, (_, i) => {
    let last = NaN;
    return stream(url, promptOf(64, 500 + i), 900, abort.signal, (n, at) => {
      if (!Number.isNaN(last)) gaps.push({ at, gap: at - last });
      last = at;
      if (n === 5 && ++started === running) ready();
    }).catch(() => undefined);
  });
  await allStarted;
  const sent = performance.now();
  const late = await Promise.all(Array.from({ length: arriving }, (_, i) => stream(url, promptOf(400, 700 + seed * 37 + i), 8)));
  const settled = Math.max(...late.map((r) => r.start + r.ttft));
  abort.abort();
  await Promise.all(streams);
  const during = gaps.filter((g) => g.at > sent && g.at <= settled).map((g) => g.gap);
  return {
    running, arriving,
    interTokenP50Ms: quantile(during, 0.5), interTokenP99Ms: quantile(during, 0.99), interTokenMaxMs: Math.max(...during),
    arrivingTtftP50Ms: quantile(late.map((r) => r.ttft), 0.5), arrivingTtftP99Ms: quantile(late.map((r) => r.ttft), 0.99),
    windowMs: settled - sent,
  };
}

// ---- run -----------------------------------------------------------------------------------
const info = runInfo();
const { commit, dirty, machine } = info;
const runsWanted = Number(args.runs);
const int8Present = hasInt8(modelDir);
console.log(`bench:inference — ${modelDir}\n${machine.cpu}, ${machine.cores} cores, node ${process.version}, commit ${commit}; ${newTokens} new tokens a stream, ${threads} threads, spinning ${spin ? 'on' : 'off'}; ${runsWanted} runs\n`);
info.noteLoad('start');

const ortRate = await ortSingleStream('fp32');
const ortInt8Rate = int8Present ? await ortSingleStream('int8') : NaN;
const torch = torchSingleStream();
console.log('1. Single-stream decode (64-token prompt, greedy, same weights)');
console.table({
  'onnxruntime-node FP32': { 'tokens/s': Math.round(ortRate) },
  'onnxruntime-node INT8': { 'tokens/s': int8Present ? Math.round(ortInt8Rate) : '- (no INT8 graph)' },
  'PyTorch eager (FP32)': { 'tokens/s': Math.round(torch.decode_tokens_per_s) },
  'ORT FP32 / PyTorch': { 'tokens/s': `${(ortRate / torch.decode_tokens_per_s).toFixed(2)}x (goal >= 2x)` },
});

/**
 * The servers compared, all in this run: the default configuration (INT8 graph where the folder
 * has one, chunked prefill, prefix cache), the same on the FP32 graph, and the same graph with
 * prefill whole and no prefix cache (the engine before chunking and caching).
 */
const servers = {
  default: await startServer(),
  fp32: await startServer({ INFERENCE_PRECISION: 'fp32' }),
  whole: await startServer({ INFERENCE_PREFILL_CHUNK_TOKENS: '100000', INFERENCE_PREFIX_CACHE_MB: '0' }),
};
type Run = {
  load: number;
  http: Awaited<ReturnType<typeof concurrencyRun>>[];
  httpFp32: Awaited<ReturnType<typeof concurrencyRun>>[];
  shortChats: Awaited<ReturnType<typeof shortChats>>[];
  conversation: { cached: Awaited<ReturnType<typeof conversationTtft>>; uncached: Awaited<ReturnType<typeof conversationTtft>> };
  arrivals: { chunked: Awaited<ReturnType<typeof arrivals>>; whole: Awaited<ReturnType<typeof arrivals>> };
};
const runs: Run[] = [];
let cancel: Awaited<ReturnType<typeof cancelLatency>>;
let profile: Record<string, number>;
try {
  // Warm-up: first requests pay for lazy initialisation in onnxruntime and V8.
  for (const s of Object.values(servers)) await Promise.all(Array.from({ length: 4 }, (_, i) => stream(s.url, promptOf(64, i), 16)));
  const contexts = args.contexts!.split(',').map(Number);
  for (let k = 0; k < runsWanted; k++) {
    const load = Number(loadavg()[0]!.toFixed(2));
    const http = [];
    for (const context of contexts) for (const c of [1, 4, 16]) http.push(await concurrencyRun(servers.default.url, context, c));
    const httpFp32 = [];
    for (const context of contexts) for (const c of [1, 16]) httpFp32.push(await concurrencyRun(servers.fp32.url, context, c));
    const chats = [await shortChats(servers.default.url, 1, k), await shortChats(servers.default.url, 16, k + 100)];
    const conversation = { cached: await conversationTtft(servers.default.url, `r${k}`), uncached: await conversationTtft(servers.whole.url, `r${k}`) };
    const arr = { chunked: await arrivals(servers.default.url, 4, 16, k), whole: await arrivals(servers.whole.url, 4, 16, k) };
    runs.push({ load, http, httpFp32, shortChats: chats, conversation, arrivals: arr });
    console.log(`run ${k + 1} of ${runsWanted} done (load ${load})`);
  }
  cancel = await cancelLatency(servers.default.url, 10);
  const url = servers.default.url;
  profile = {
    decodeStepMeanMs: (1000 * (await metric(url, 'dialoop_inference_step_seconds_sum{model="bench",phase="decode"}'))) / (await metric(url, 'dialoop_inference_step_seconds_count{model="bench",phase="decode"}')),
    prefillStepMeanMs: (1000 * (await metric(url, 'dialoop_inference_step_seconds_sum{model="bench",phase="prefill"}'))) / (await metric(url, 'dialoop_inference_step_seconds_count{model="bench",phase="prefill"}')),
    kvRepackTotalMs: 1000 * (await metric(url, 'dialoop_inference_kv_repack_seconds_sum{model="bench"}')),
    prefixCacheHits: await metric(url, 'dialoop_inference_prefix_cache_hits_total{model="bench"}'),
    prefixCacheReusedTokens: await metric(url, 'dialoop_inference_prefix_cache_reused_tokens_total{model="bench"}'),
    prefixCacheBytes: await metric(url, 'dialoop_inference_prefix_cache_bytes{model="bench"}'),
  };
} finally {
  for (const s of Object.values(servers)) s.stop();
}
info.noteLoad('end');

/** Median and range over the runs of one number: "4.21x (3.98–4.40)". */
const spread = (xs: number[], digits = 2, unit = '') => {
  const sorted = [...xs].sort((a, b) => a - b);
  const f = (x: number) => x.toFixed(digits);
  return { median: median(sorted), min: sorted[0]!, max: sorted.at(-1)!, text: `${f(median(sorted))}${unit} (${f(sorted[0]!)}–${f(sorted.at(-1)!)})` };
};
const ratioOf = (rows: (r: Run) => { context?: number; concurrency: number; tokensPerSecond: number }[], context: number | undefined, c: number) =>
  spread(runs.map((r) => {
    const all = rows(r).filter((x) => x.context === context);
    return all.find((x) => x.concurrency === c)!.tokensPerSecond / all.find((x) => x.concurrency === 1)!.tokensPerSecond;
  }), 2, 'x');
const rateOf = (rows: (r: Run) => { context?: number; concurrency: number; tokensPerSecond: number }[], context: number | undefined, c: number) =>
  spread(runs.map((r) => rows(r).find((x) => x.context === context && x.concurrency === c)!.tokensPerSecond), 0);

console.log(`\n2. Aggregate decode through the HTTP server, ${runsWanted} runs: median (range) — the ratio is measured within each run`);
const contexts = args.contexts!.split(',').map(Number);
const table: Record<string, Record<string, string>> = {};
for (const context of contexts) {
  for (const c of [1, 4, 16]) {
    const ttft = spread(runs.map((r) => r.http.find((x) => x.context === context && x.concurrency === c)!.ttftP50Ms), 1);
    table[`${int8Present ? 'INT8' : 'FP32'} ctx ${context} × ${c}`] = { 'tokens/s': rateOf((r) => r.http, context, c).text, 'vs 1 stream': c === 1 ? '' : ratioOf((r) => r.http, context, c).text, 'TTFT p50 ms': ttft.text };
  }
  for (const c of [1, 16]) {
    const ttft = spread(runs.map((r) => r.httpFp32.find((x) => x.context === context && x.concurrency === c)!.ttftP50Ms), 1);
    table[`FP32 ctx ${context} × ${c}`] = { 'tokens/s': rateOf((r) => r.httpFp32, context, c).text, 'vs 1 stream': c === 1 ? '' : ratioOf((r) => r.httpFp32, context, c).text, 'TTFT p50 ms': ttft.text };
  }
}
for (const c of [1, 16]) {
  const ttft = spread(runs.map((r) => r.shortChats.find((x) => x.concurrency === c)!.ttftP50Ms), 1);
  table[`short chats (openai client) × ${c}`] = { 'tokens/s': rateOf((r) => r.shortChats, undefined, c).text, 'vs 1 stream': c === 1 ? '' : ratioOf((r) => r.shortChats, undefined, c).text, 'TTFT p50 ms': ttft.text };
}
console.table(table);
console.log('Goal: 16 streams >= 4x one stream (ctx 64, ctx 400, short chats).');

console.log('\n5. Prefix cache: time to first token of the tenth turn of a conversation (median of 3 conversations), per run');
const tenth = spread(runs.map((r) => r.conversation.uncached.tenthTurnTtftMs / r.conversation.cached.tenthTurnTtftMs), 2, 'x');
console.table({
  'cache off (whole prefill)': { 'TTFT ms, 10th turn': spread(runs.map((r) => r.conversation.uncached.tenthTurnTtftMs), 1).text, 'prompt tokens': runs[0]!.conversation.uncached.tenthTurnPromptTokens },
  'cache on (default)': { 'TTFT ms, 10th turn': spread(runs.map((r) => r.conversation.cached.tenthTurnTtftMs), 1).text, 'prompt tokens': runs[0]!.conversation.cached.tenthTurnPromptTokens },
  'speed-up': { 'TTFT ms, 10th turn': `${tenth.text} (goal >= 5x)`, 'prompt tokens': '' },
});

console.log('\n6. Four running streams while 16 new 400-token prompts arrive: their inter-token gaps until the last new prompt has its first token');
console.table(Object.fromEntries((['whole', 'chunked'] as const).map((k) => [k === 'whole' ? 'prefill whole' : 'chunked prefill (default)', {
  'inter-token p50 ms': spread(runs.map((r) => r.arrivals[k].interTokenP50Ms), 1).text,
  'inter-token p99 ms': spread(runs.map((r) => r.arrivals[k].interTokenP99Ms), 1).text,
  'inter-token max ms': spread(runs.map((r) => r.arrivals[k].interTokenMaxMs), 1).text,
  'new prompts TTFT p50 ms': spread(runs.map((r) => r.arrivals[k].arrivingTtftP50Ms), 1).text,
  'new prompts TTFT p99 ms': spread(runs.map((r) => r.arrivals[k].arrivingTtftP99Ms), 1).text,
}])));

console.log(`\n3. Client disconnect -> slot freed (${cancel.trials} trials): client-observed p50 ${cancel.clientP50Ms.toFixed(1)} ms, max ${cancel.clientMaxMs.toFixed(1)} ms; server-measured mean ${cancel.serverMeanMs.toFixed(2)} ms`);
const profiles = [];
for (const [batch, past] of [[1, 464], [16, 80], [16, 464]] as const) profiles.push(await stepProfile(batch, past));
console.log('\nDecode step profile (ms per step; synthetic caches; 464 = a 400-token context half-way through 128 new tokens)');
console.table(Object.fromEntries(profiles.map((p) => [`${p.batch} × ${p.past}`, {
  'KV MiB': Number(p.kvMiB.toFixed(1)),
  'logits only': Number(p.logitsOnlyMs.toFixed(2)),
  '+ new KV (engine)': Number.isNaN(p.newKeyValuesMs) ? '-' : Number(p.newKeyValuesMs.toFixed(2)),
  '+ whole present (Optimum)': Number.isNaN(p.wholePresentMs) ? '- (no presents)' : Number(p.wholePresentMs.toFixed(2)),
}])));
console.log(`Served (default server): mean decode step ${profile.decodeStepMeanMs!.toFixed(2)} ms, mean prefill step ${profile.prefillStepMeanMs!.toFixed(2)} ms, KV repacking ${profile.kvRepackTotalMs!.toFixed(0)} ms in all; prefix cache ${profile.prefixCacheHits} hits, ${profile.prefixCacheReusedTokens} tokens reused, ${(profile.prefixCacheBytes! / 2 ** 20).toFixed(1)} MiB held`);
console.log(`Load average: ${JSON.stringify(info.load)}; per run ${runs.map((r) => r.load).join(', ')}`);

const summary = {
  ratio16vs1: Object.fromEntries([
    ...contexts.map((c) => [`ctx${c}`, ratioOf((r) => r.http, c, 16)]),
    ...contexts.map((c) => [`ctx${c}Fp32`, ratioOf((r) => r.httpFp32, c, 16)]),
    ['shortChats', ratioOf((r) => r.shortChats, undefined, 16)],
  ]),
  prefixTenthTurnSpeedup: tenth,
  ortVsTorchFp32: ortRate / torch.decode_tokens_per_s,
  int8VsFp32SingleStream: ortInt8Rate / ortRate,
};
const results = { date: info.date, commit, dirty, machine: { ...machine, node: process.version }, model: modelDir, precisionServed: int8Present ? 'int8' : 'fp32', newTokens, threads, spin, runs: runsWanted, loadAverage: info.load,
  singleStream: { onnxruntimeNode: ortRate, onnxruntimeNodeInt8: ortInt8Rate, pytorchEager: torch.decode_tokens_per_s, torchVersion: torch.torch, ratio: ortRate / torch.decode_tokens_per_s },
  summary, perRun: runs, cancel, profile, stepProfiles: profiles };
const dir = join(root, 'tests', 'bench', 'results');
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, 'inference.json'), JSON.stringify(results, null, 2) + '\n');
console.log(`\nwrote ${join(dir, 'inference.json')}`);
