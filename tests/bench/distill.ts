/**
 * `pnpm bench:distill [--student DIR] [--teacher DIR]`: a distilled student (`pnpm train:distill`)
 * beside its teacher, in one run, one table.
 *
 * 1. Quality: `pnpm eval:model` on each folder (its held-out set, greedy, through the inference
 *    server, each folder's default graph: model_int8.onnx when there is one), exact answers per
 *    kind and language, ending on its own, valid UTF-8.
 * 2. Speed: one server process serves both folders (`MODEL_DIR=teacher=…,student=…`). Decode tokens/s
 *    single-stream: `--prompts` held-out prompts one at a time per model, interleaved (which goes
 *    first alternates), `--max-tokens` tokens each with ignore_eos (the same work for both), median
 *    of completion tokens / (last delta − first delta). At 16 streams: 16 requests at once per
 *    model, aggregate tokens/s = all completion tokens / wall time, median of `--rounds` rounds.
 * 3. Size: parameters (metrics.json), model.onnx and model_int8.onnx bytes.
 * Prints a table with student/teacher ratios; writes tests/bench/results/distill.json.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_MODEL_DIR } from '@dialoop/inference';
import { ROOT, defer, measuring, quantile, runInfo, spawnNode, sseData } from './lib.js';

const { values: args } = parseArgs({
  options: {
    student: { type: 'string', default: join(ROOT, 'training/runs/distill/dialoop-tiny-student') },
    teacher: { type: 'string', default: DEFAULT_MODEL_DIR },
    prompts: { type: 'string', default: '12' },
    'max-tokens': { type: 'string', default: '64' },
    rounds: { type: 'string', default: '3' },
  },
});
const cwd = process.env.INIT_CWD ?? process.cwd();
const dirs = { teacher: resolve(cwd, args.teacher!), student: resolve(cwd, args.student!) };
const MODELS = ['teacher', 'student'] as const;
type ModelId = (typeof MODELS)[number];
for (const m of MODELS) if (!existsSync(join(dirs[m], 'model.onnx'))) throw new Error(`${m}: ${dirs[m]} has no model.onnx (pnpm train:distill writes the student)`);
const promptCount = Number(args.prompts);
const maxTokens = Number(args['max-tokens']);
const rounds = Number(args.rounds);
const median = (xs: number[]) => quantile(xs, 0.5);
const r2 = (x: number) => Number(x.toFixed(2));

interface Message { role: string; content: string }
interface EvalResult { precision: string; seconds: number; summary: Record<'en' | 'zh', { endsWithImEnd: number; validUtf8: number; accuracy: Record<string, { n: number; correct: number }> }> }

function evaluate(dir: string, json: string): EvalResult {
  execFileSync(process.execPath, ['--import', 'tsx', join(ROOT, 'inference/scripts/eval-model.ts'), '--model-dir', dir, '--json', json],
    { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  return JSON.parse(readFileSync(json, 'utf8')) as EvalResult;
}

async function stream(url: string, model: ModelId, messages: Message[]): Promise<{ tokens: number; rate: number }> {
  const res = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages, stream: true, stream_options: { include_usage: true }, max_tokens: maxTokens, temperature: 0, ignore_eos: true }),
  });
  if (res.status !== 200) throw new Error(`${model}: HTTP ${res.status}: ${await res.text()}`);
  let first = NaN;
  let last = NaN;
  let tokens = NaN;
  for await (const { data, at } of sseData(res)) {
    if (data === '[DONE]') continue;
    const ev = JSON.parse(data) as { error?: unknown; usage?: { completion_tokens: number } | null; choices?: { delta?: { content?: string } }[] };
    if (ev.error) throw new Error(`${model}: ${JSON.stringify(ev.error)}`);
    if (ev.usage) tokens = ev.usage.completion_tokens;
    if (ev.choices?.[0]?.delta?.content) {
      if (Number.isNaN(first)) first = at;
      last = at;
    }
  }
  return { tokens, rate: last > first ? tokens / ((last - first) / 1000) : NaN };
}

const { commit, dirty, machine, date, load, noteLoad } = runInfo();
console.log(`bench:distill — ${machine.cpu}, ${machine.cores} cores, node ${process.version}, commit ${commit}, ${date}`);
console.log(`teacher ${relative(ROOT, dirs.teacher)} vs student ${relative(ROOT, dirs.student)}\n`);
const work = mkdtempSync(join(tmpdir(), 'bench-distill-'));
defer(async () => rmSync(work, { recursive: true, force: true }));
const evals = {} as Record<ModelId, EvalResult>;
const single: Record<ModelId, number[]> = { teacher: [], student: [] };
const sixteen: Record<ModelId, number[]> = { teacher: [], student: [] };
await measuring(async () => {
  noteLoad('start');
  for (const m of MODELS) evals[m] = evaluate(dirs[m], join(work, `${m}.json`));
  const rows = readFileSync(join(dirs.teacher, 'heldout.jsonl'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { messages: Message[] });
  const prompts = Array.from({ length: promptCount }, (_, i) => rows[Math.floor((i * rows.length) / promptCount)]!.messages);
  const server = await spawnNode('inference/src/main.ts', { MODEL_DIR: `teacher=${dirs.teacher},student=${dirs.student}`, INFERENCE_MAX_BATCH: '16' }, 'INFERENCE_PORT', '/readyz');
  for (const m of MODELS) await stream(server.url, m, prompts[0]!); // warm-up
  noteLoad('measureStart');
  for (let r = 0; r < rounds; r++) {
    for (const [i, p] of prompts.entries()) {
      for (const m of (i + r) % 2 ? [...MODELS].reverse() : MODELS) single[m].push((await stream(server.url, m, p)).rate);
    }
    for (const m of r % 2 ? [...MODELS].reverse() : MODELS) {
      const t0 = performance.now();
      const all = await Promise.all(Array.from({ length: 16 }, (_, i) => stream(server.url, m, prompts[i % prompts.length]!)));
      sixteen[m].push(all.reduce((a, s) => a + s.tokens, 0) / ((performance.now() - t0) / 1000));
    }
  }
  noteLoad('end');
  await server.stop();
});

const exact = (e: EvalResult, lang: 'en' | 'zh', kind?: string) => {
  const acc = Object.entries(e.summary[lang].accuracy).filter(([k]) => !kind || k === kind).map(([, v]) => v);
  const n = acc.reduce((a, v) => a + v.n, 0);
  return n ? Number(((100 * acc.reduce((a, v) => a + v.correct, 0)) / n).toFixed(1)) : NaN;
};
const bytes = (dir: string, f: string) => (existsSync(join(dir, f)) ? statSync(join(dir, f)).size : NaN);
const params = (dir: string) => (JSON.parse(readFileSync(join(dir, 'metrics.json'), 'utf8')) as { parameters: number }).parameters;
const table: Record<string, Record<string, number | string>> = {};
const row = (name: string, f: (m: ModelId) => number) => {
  const t = f('teacher');
  const s = f('student');
  table[name] = { teacher: t, student: s, 'student/teacher': Number.isFinite(t) && t ? Number((s / t).toFixed(3)) : '-' };
};
row('parameters', (m) => params(dirs[m]));
row('model.onnx bytes', (m) => bytes(dirs[m], 'model.onnx'));
row('model_int8.onnx bytes', (m) => bytes(dirs[m], 'model_int8.onnx'));
for (const lang of ['en', 'zh'] as const) {
  for (const kind of ['arithmetic', 'capital', 'conversion']) row(`exact ${kind} % (${lang})`, (m) => exact(evals[m], lang, kind));
  row(`exact overall % (${lang})`, (m) => exact(evals[m], lang));
  row(`ends on its own % (${lang})`, (m) => r2(100 * evals[m].summary[lang].endsWithImEnd));
}
row('decode tokens/s, 1 stream (median)', (m) => r2(median(single[m].filter(Number.isFinite))));
row('tokens/s, 16 streams (median of rounds)', (m) => r2(median(sixteen[m])));
console.table(table);
console.log(`graphs served: teacher ${evals.teacher.precision}, student ${evals.student.precision}; ${promptCount} prompts × ${rounds} rounds, ${maxTokens} tokens (ignore_eos)`);
console.log(`1-minute load average (${machine.cores} = all cores busy): ${JSON.stringify(load)}`);
const out = join(ROOT, 'tests', 'bench', 'results');
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'distill.json'), JSON.stringify({
  date, commit, dirty, machine, node: process.version, loadAverage: load,
  params: { prompts: promptCount, maxTokens, rounds, ignoreEos: true },
  teacher: relative(ROOT, dirs.teacher), student: relative(ROOT, dirs.student), table,
  eval: evals, tokensPerSecond: { single, sixteen },
}, null, 2) + '\n');
console.log(`wrote ${relative(process.cwd(), join(out, 'distill.json'))}`);
