/**
 * `pnpm bench:int8`: the committed FP32 default model (inference/models/dialoop-tiny) against its
 * INT8 copy, in one run, one table.
 *
 * 1. The INT8 copy is made by the training code's quantizer (`python3 -m dialoop_train.quantize`,
 *    weight-only int8 per output channel, DequantizeLinear -> MatMul) into a temporary folder; its
 *    OUT/quantization.json gives both model.onnx sizes and the held-out loss of FP32 and INT8
 *    (computed by the quantizer in PyTorch on the model's heldout.jsonl).
 * 2. Decode speed through the inference server: one server process (a child, `--threads` 1
 *    intra-op thread) serves both folders (`MODEL_DIR=fp32=...,int8=...`). `--prompts` 20 prompts
 *    spread over the model's heldout.jsonl are streamed (`/v1/chat/completions`, stream with
 *    include_usage, temperature 0, `--max-tokens` 64) to each model, one request at a time,
 *    FP32 and INT8 interleaved prompt by prompt (which goes first alternates), `--rounds` 3
 *    rounds after a warm-up. Per request: time to first token (request sent -> first content
 *    delta) and decode tokens/s = completion tokens / (last content delta - first content delta).
 *    Medians per model, and how many prompts got the identical reply from both models.
 * Prints a table with INT8/FP32 ratios and writes tests/bench/results/int8.json with the machine,
 * commit and settings. `--ignore-eos` makes every reply `--max-tokens` long (the same work for
 * both models; the replies then run past the end of the answer).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_MODEL_DIR } from '@dialoop/inference';
import { ROOT, cleanup, defer, ms, quantile, runInfo, spawnNode, sseData } from './lib.js';

const { values: args } = parseArgs({
  options: {
    prompts: { type: 'string', default: '20' },
    'max-tokens': { type: 'string', default: '64' },
    rounds: { type: 'string', default: '3' },
    threads: { type: 'string', default: '1' },
    'ignore-eos': { type: 'boolean', default: false },
  },
});
const promptCount = Number(args.prompts);
const maxTokens = Number(args['max-tokens']);
const rounds = Number(args.rounds);
const threads = Number(args.threads);
const ignoreEos = args['ignore-eos']!;
const WARMUP_PER_MODEL = 3;
const MODELS = ['fp32', 'int8'] as const;
type ModelId = (typeof MODELS)[number];

const median = (xs: number[]) => quantile(xs, 0.5);
const r2 = (x: number) => Number(x.toFixed(2));
const r3 = (x: number) => Number(x.toFixed(3));
const fmt = (n: number) => n.toLocaleString('en-US');

interface Message { role: string; content: string }
interface Quantization {
  method: string;
  quantized_initializers: number;
  quantized_parameters: number;
  max_abs_weight_error: number;
  size_bytes: { fp32: number; int8: number };
  size_ratio: number;
  heldout: { file: string; dialogues: number; loss_fp32: number; loss_int8: number; loss_delta: number; layers_matched: number } | null;
}

/** `count` prompts evenly spread over the held-out set (it is sorted by kind and language). */
function heldoutPrompts(count: number): { id: string; messages: Message[] }[] {
  const rows = readFileSync(join(DEFAULT_MODEL_DIR, 'heldout.jsonl'), 'utf8').split('\n').filter(Boolean)
    .map((l) => JSON.parse(l) as { id: string; messages: Message[] });
  const step = rows.length / count;
  return Array.from({ length: Math.min(count, rows.length) }, (_, i) => rows[Math.floor(i * step)]!);
}

/** Runs the quantizer on the FP32 folder into `out`; returns its quantization.json. */
function quantize(out: string): Quantization {
  execFileSync('/usr/bin/python3', ['-m', 'dialoop_train.quantize', '--model-dir', DEFAULT_MODEL_DIR, '--out', out],
    { cwd: join(ROOT, 'training'), stdio: ['ignore', 'ignore', 'inherit'] });
  return JSON.parse(readFileSync(join(out, 'quantization.json'), 'utf8')) as Quantization;
}

interface Sample { ttftMs: number; tokensPerSecond: number; tokens: number; text: string; finishReason: string | null }

/** One streamed chat completion, timed at the client. */
async function stream(url: string, model: ModelId, messages: Message[]): Promise<Sample> {
  const start = performance.now();
  const res = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages, stream: true, stream_options: { include_usage: true }, max_tokens: maxTokens, temperature: 0, ignore_eos: ignoreEos }),
  });
  if (res.status !== 200) throw new Error(`${model}: HTTP ${res.status}: ${await res.text()}`);
  let text = '';
  let first = NaN;
  let last = NaN;
  let tokens = NaN;
  let finishReason: string | null = null;
  for await (const { data, at } of sseData(res)) {
    if (data === '[DONE]') continue;
    const ev = JSON.parse(data) as { error?: unknown; usage?: { completion_tokens: number } | null; choices?: { delta?: { content?: string }; finish_reason?: string | null }[] };
    if (ev.error) throw new Error(`${model}: ${JSON.stringify(ev.error)}`);
    if (ev.usage) tokens = ev.usage.completion_tokens;
    const choice = ev.choices?.[0];
    if (choice?.delta?.content) {
      if (Number.isNaN(first)) first = at;
      last = at;
      text += choice.delta.content;
    }
    if (choice?.finish_reason) finishReason = choice.finish_reason;
  }
  if (Number.isNaN(tokens)) throw new Error(`${model}: no usage in the stream`);
  // A reply of one delta has no decode interval: no rate.
  return { ttftMs: first - start, tokensPerSecond: last > first ? tokens / ((last - first) / 1000) : NaN, tokens, text, finishReason };
}

// ---- run ----------------------------------------------------------------------------------------
const { commit, dirty, machine, date, load, noteLoad } = runInfo();
const params = { prompts: promptCount, maxTokens, rounds, warmupPerModel: WARMUP_PER_MODEL, threads, temperature: 0, ignoreEos };
console.log(`bench:int8 — ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, node ${process.version}, commit ${commit}, ${date}`);
console.log(`${DEFAULT_MODEL_DIR} vs its INT8 copy; ${promptCount} prompts × ${rounds} rounds, max_tokens ${maxTokens}, greedy${ignoreEos ? ', ignore_eos' : ''}, ${threads} intra-op thread(s)\n`);

const work = mkdtempSync(join(tmpdir(), 'bench-int8-'));
defer(async () => rmSync(work, { recursive: true, force: true }));
const prompts = heldoutPrompts(promptCount);
const samples: Record<ModelId, Sample[][]> = { fp32: prompts.map(() => []), int8: prompts.map(() => []) };
let quant: Quantization;
let failure: unknown;
try {
  noteLoad('start');
  const int8Dir = join(work, 'dialoop-tiny-int8');
  quant = quantize(int8Dir);
  const server = await spawnNode('inference/src/main.ts', { MODEL_DIR: `fp32=${DEFAULT_MODEL_DIR},int8=${int8Dir}`, INFERENCE_INTRA_OP_THREADS: String(threads),
    // Each folder's model.onnx: the default folder's FP32 graph (not the INT8 one beside it, served by default) and the copy's INT8 graph.
    INFERENCE_PRECISION: 'fp32' }, 'INFERENCE_PORT', '/readyz');
  // Warm-up: the first requests pay for lazy initialisation in onnxruntime and V8.
  for (const p of prompts.slice(0, WARMUP_PER_MODEL)) for (const m of MODELS) await stream(server.url, m, p.messages);
  noteLoad('measureStart');
  for (let r = 0; r < rounds; r++) {
    for (const [i, p] of prompts.entries()) {
      const order = (i + r) % 2 === 0 ? MODELS : ([...MODELS].reverse() as ModelId[]);
      for (const m of order) samples[m][i]!.push(await stream(server.url, m, p.messages));
    }
  }
  noteLoad('end');
  await server.stop();
} catch (err) {
  failure = err;
} finally {
  await cleanup();
}
if (failure) throw failure;

const summary = (m: ModelId) => {
  const all = samples[m].flat();
  return {
    tokensPerSecondMedian: r2(median(all.map((s) => s.tokensPerSecond).filter(Number.isFinite))),
    ttftMedianMs: ms(median(all.map((s) => s.ttftMs))),
    ttftP90Ms: ms(quantile(all.map((s) => s.ttftMs), 0.9)),
    completionTokensMean: r2(all.reduce((a, s) => a + s.tokens, 0) / all.length),
    requests: all.length,
    /** Prompts whose reply changed between rounds (greedy decoding should not). */
    unstablePrompts: samples[m].filter((runs) => new Set(runs.map((s) => s.text)).size > 1).length,
  };
};
const fp32 = summary('fp32');
const int8 = summary('int8');
const replies = prompts.map((p, i) => ({
  id: p.id,
  identical: samples.fp32[i]!.every((s) => s.text === samples.int8[i]![0]!.text) && samples.int8[i]!.every((s) => s.text === samples.int8[i]![0]!.text),
  fp32: samples.fp32[i]![0]!.text,
  int8: samples.int8[i]![0]!.text,
}));
const identical = replies.filter((r) => r.identical).length;
const size = quant!.size_bytes;
const heldout = quant!.heldout;

console.log(`INT8: ${quant!.method}; ${quant!.quantized_initializers} initializers, ${fmt(quant!.quantized_parameters)} parameters`);
const row = (a: number, b: number, digits = 3) => ({ FP32: a, INT8: b, 'INT8/FP32': Number.isFinite(a) && a !== 0 ? Number((b / a).toFixed(digits)) : '-' });
console.table({
  'model.onnx bytes': row(size.fp32, size.int8),
  'model.onnx MB': row(r2(size.fp32 / 1e6), r2(size.int8 / 1e6)),
  'decode tokens/s (median)': row(fp32.tokensPerSecondMedian, int8.tokensPerSecondMedian),
  'TTFT ms (median)': row(fp32.ttftMedianMs, int8.ttftMedianMs),
  'TTFT ms (p90)': row(fp32.ttftP90Ms, int8.ttftP90Ms),
  'completion tokens (mean)': row(fp32.completionTokensMean, int8.completionTokensMean),
  ...(heldout ? { [`held-out loss (nats/token, ${heldout.dialogues} dialogues)`]: row(Number(heldout.loss_fp32.toFixed(5)), Number(heldout.loss_int8.toFixed(5)), 5) } : {}),
});
console.log(`identical replies FP32 vs INT8 (every round): ${identical} of ${prompts.length} prompts`);
if (heldout) console.log(`held-out loss Δ (INT8 − FP32): ${heldout.loss_delta.toExponential(2)} nats/token (quantizer, PyTorch with the dequantized weights)`);
if (fp32.unstablePrompts || int8.unstablePrompts) console.log(`note: replies changed between rounds for ${fp32.unstablePrompts} (FP32) and ${int8.unstablePrompts} (INT8) prompts`);
const differing = replies.filter((r) => !r.identical).slice(0, 3);
for (const d of differing) console.log(`  differs, ${d.id}: FP32 ${JSON.stringify(d.fp32.slice(0, 60))} | INT8 ${JSON.stringify(d.int8.slice(0, 60))}`);
console.log(`1-minute load average (${machine.cores} = all cores busy): ${JSON.stringify(load)}`);

const results = {
  date, commit, dirty, machine, node: process.version, params, loadAverage: load,
  model: { fp32: relative(ROOT, DEFAULT_MODEL_DIR), int8: 'temporary copy made by python3 -m dialoop_train.quantize' },
  quantization: { method: quant!.method, quantizedInitializers: quant!.quantized_initializers, quantizedParameters: quant!.quantized_parameters, maxAbsWeightError: quant!.max_abs_weight_error },
  size: { fp32Bytes: size.fp32, int8Bytes: size.int8, fp32MB: r3(size.fp32 / 1e6), int8MB: r3(size.int8 / 1e6), ratio: r3(size.int8 / size.fp32) },
  decode: { fp32, int8, tokensPerSecondRatio: r3(int8.tokensPerSecondMedian / fp32.tokensPerSecondMedian), ttftRatio: r3(int8.ttftMedianMs / fp32.ttftMedianMs) },
  heldoutLoss: heldout ? { dialogues: heldout.dialogues, fp32: heldout.loss_fp32, int8: heldout.loss_int8, delta: heldout.loss_delta, ratio: heldout.loss_int8 / heldout.loss_fp32 } : null,
  replies: { identical, prompts: prompts.length, perPrompt: replies },
};
const out = join(ROOT, 'tests', 'bench', 'results');
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'int8.json'), JSON.stringify(results, null, 2) + '\n');
console.log(`\nwrote ${join(out, 'int8.json')}`);
