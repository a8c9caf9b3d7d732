/**
 * `pnpm bench:inference`: decode speed of the inference service, side by side in one run,
 * same weights and prompts.
 *
 * 1. single-stream decode tokens/s: onnxruntime-node (the engine, in process) vs PyTorch
 *    eager (the training code's model and KV cache, `python3 -m dialoop_train.bench`);
 * 2. aggregate tokens/s through the HTTP server (a separate process) at 1, 4 and 16
 *    concurrent streams, with 64- and 400-token contexts;
 * 3. time to first token p50/p99 at each concurrency, and the time from a client
 *    disconnecting to its batch slot being freed.
 * Prints a table and writes tests/bench/results/inference.json.
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
// The inference package first: it switches ONNX Runtime's telemetry off before the runtime loads.
import { createMetrics, DEFAULT_MODEL_DIR, Engine, kvNames, openSession, readModelFolder } from '@dialoop/inference';
import * as ort from 'onnxruntime-node';
import { quantile, sseData } from './lib.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const { values: args } = parseArgs({
  options: {
    'model-dir': { type: 'string', default: DEFAULT_MODEL_DIR },
    'new-tokens': { type: 'string', default: '128' },
    rounds: { type: 'string', default: '3' },
    threads: { type: 'string', default: '2' },
    contexts: { type: 'string', default: '64,400' },
    spin: { type: 'string', default: '0' },
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
async function ortSingleStream(): Promise<number> {
  const loaded = await openSession(folder.spec, sessionOptions, log);
  const engine = new Engine(folder, loaded, { maxBatch: 1, maxQueue: 1 }, createMetrics(), log);
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
async function startServer(): Promise<{ url: string; stop: () => void }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'inference/src/main.ts')], {
    env: { ...process.env, MODEL_DIR: `bench=${modelDir}`, INFERENCE_PORT: '0', INFERENCE_MAX_BATCH: '16', INFERENCE_MAX_QUEUE: '64', INFERENCE_INTRA_OP_THREADS: String(threads), INFERENCE_SPIN: spin ? '1' : '0', LOG_LEVEL: 'warn' },
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

async function stream(url: string, content: string, maxTokens: number, signal?: AbortSignal, onChunk?: (n: number) => void): Promise<StreamResult> {
  const start = performance.now();
  const res = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'bench', messages: [{ role: 'user', content }], stream: true, stream_options: { include_usage: true },
      max_tokens: maxTokens, ignore_eos: true, temperature: 0 }),
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
    if (ev.choices?.[0]?.delta?.content) {
      if (Number.isNaN(ttft)) ttft = at - start;
      onChunk?.(++chunks);
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
    const p = stream(url, promptOf(64, i), folder.spec.maxPositions - 72, abort.signal, (n) => {
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
 * `new_key_values.*` outputs of Dialoop's export, what the engine does); and fetching the
 * whole `present.*` cache of the Optimum layout (what a server without those outputs must do).
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
  const present = await time(['logits', ...names.map((n) => `present.${n}`)]);
  await session.release();
  const kvMiB = (2 * layers * batch * h * (past + 1) * d * 4) / 2 ** 20;
  return { batch, past, kvMiB, logitsOnlyMs: logitsOnly, newKeyValuesMs: newKv, wholePresentMs: present };
}

// ---- run -----------------------------------------------------------------------------------
const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
const dirty = execFileSync('git', ['status', '--porcelain'], { cwd: root, encoding: 'utf8' }).trim() !== '';
const machine = { cpu: cpus()[0]?.model ?? 'unknown', cores: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version };
console.log(`bench:inference — ${modelDir}\n${machine.cpu}, ${machine.cores} cores, node ${machine.node}, commit ${commit}${dirty ? '+changes' : ''}; ${newTokens} new tokens a stream, ${threads} threads, spinning ${spin ? 'on' : 'off'}\n`);

const ortRate = await ortSingleStream();
const torch = torchSingleStream();
console.log('1. Single-stream decode (64-token prompt, greedy, same weights)');
console.table({ 'onnxruntime-node': { 'tokens/s': Math.round(ortRate) }, 'PyTorch eager': { 'tokens/s': Math.round(torch.decode_tokens_per_s) }, ratio: { 'tokens/s': `${(ortRate / torch.decode_tokens_per_s).toFixed(2)}x (goal >= 1.5x)` } });

const server = await startServer();
const runs = [];
let cancel: Awaited<ReturnType<typeof cancelLatency>>;
let profile: Record<string, number>;
try {
  // Warm-up: first requests pay for lazy initialisation in onnxruntime and V8.
  await Promise.all(Array.from({ length: 4 }, (_, i) => stream(server.url, promptOf(64, i), 16)));
  for (const context of args.contexts!.split(',').map(Number)) for (const c of [1, 4, 16]) runs.push(await concurrencyRun(server.url, context, c));
  cancel = await cancelLatency(server.url, 10);
  profile = {
    decodeStepMeanMs: (1000 * (await metric(server.url, 'dialoop_inference_step_seconds_sum{model="bench",phase="decode"}'))) / (await metric(server.url, 'dialoop_inference_step_seconds_count{model="bench",phase="decode"}')),
    prefillStepMeanMs: (1000 * (await metric(server.url, 'dialoop_inference_step_seconds_sum{model="bench",phase="prefill"}'))) / (await metric(server.url, 'dialoop_inference_step_seconds_count{model="bench",phase="prefill"}')),
    kvRepackTotalMs: 1000 * (await metric(server.url, 'dialoop_inference_kv_repack_seconds_sum{model="bench"}')),
  };
} finally {
  server.stop();
}

console.log('\n2. Aggregate decode through the HTTP server, and 3. time to first token');
const table: Record<string, Record<string, string | number>> = {};
for (const r of runs) {
  const one = runs.find((x) => x.context === r.context && x.concurrency === 1)!;
  table[`ctx ${r.context} × ${r.concurrency}`] = {
    'tokens/s': Math.round(r.tokensPerSecond),
    'vs 1 stream': `${(r.tokensPerSecond / one.tokensPerSecond).toFixed(2)}x`,
    'TTFT p50 ms': Math.round(r.ttftP50Ms),
    'TTFT p99 ms': Math.round(r.ttftP99Ms),
  };
}
console.table(table);
console.log('Goal: 16 streams >= 4x one stream.');
console.log(`\n3. Client disconnect -> slot freed (${cancel.trials} trials): client-observed p50 ${cancel.clientP50Ms.toFixed(1)} ms, max ${cancel.clientMaxMs.toFixed(1)} ms; server-measured mean ${cancel.serverMeanMs.toFixed(2)} ms`);
const profiles = [];
for (const [batch, past] of [[1, 464], [16, 80], [16, 464]] as const) profiles.push(await stepProfile(batch, past));
console.log('\nDecode step profile (ms per step; synthetic caches; 464 = a 400-token context half-way through 128 new tokens)');
console.table(Object.fromEntries(profiles.map((p) => [`${p.batch} × ${p.past}`, {
  'KV MiB': Number(p.kvMiB.toFixed(1)),
  'logits only': Number(p.logitsOnlyMs.toFixed(2)),
  '+ new KV (engine)': Number.isNaN(p.newKeyValuesMs) ? '-' : Number(p.newKeyValuesMs.toFixed(2)),
  '+ whole present (Optimum)': Number(p.wholePresentMs.toFixed(2)),
}])));
console.log(`Served: mean decode step ${profile.decodeStepMeanMs!.toFixed(2)} ms, mean prefill ${profile.prefillStepMeanMs!.toFixed(2)} ms, KV repacking ${profile.kvRepackTotalMs!.toFixed(0)} ms in all`);

const results = { date: new Date().toISOString(), commit, dirty, machine, model: modelDir, newTokens, threads, spin,
  singleStream: { onnxruntimeNode: ortRate, pytorchEager: torch.decode_tokens_per_s, torchVersion: torch.torch, ratio: ortRate / torch.decode_tokens_per_s },
  http: runs, cancel, profile, stepProfiles: profiles };
const dir = join(root, 'tests', 'bench', 'results');
mkdirSync(dir, { recursive: true });
writeFileSync(join(dir, 'inference.json'), JSON.stringify(results, null, 2) + '\n');
console.log(`\nwrote ${join(dir, 'inference.json')}`);
