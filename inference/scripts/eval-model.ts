/**
 * `pnpm eval:model [--model-dir DIR] [--write-card]`: runs the held-out prompts
 * (heldout.jsonl in the model folder, written by the corpus generator and never seen in
 * training) through a real inference server, greedy, and prints a table: share of replies
 * that end with the end-of-turn token, share of valid UTF-8 replies, and exact-answer
 * accuracy on arithmetic, capital and conversion questions, in English and Chinese.
 * With --write-card, the table also replaces the measured-quality section of the
 * folder's README.md; the JSON goes to tests/bench/results/eval-model.json. `--precision`
 * picks the graph as INFERENCE_PRECISION does (default auto: the INT8 graph when the folder has
 * one); the table says which one it measured.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { DEFAULT_MODEL_DIR, EXACT_KINDS, isExactAnswer, parseEnv, startInferenceServer } from '../src/index.js';

interface HeldoutItem {
  id: string;
  lang: 'en' | 'zh';
  kind: string;
  messages: { role: string; content: string }[];
  answer: string | null;
  reference: string;
}

const CARD_MARK = '<!-- eval:model writes below this line -->';
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

const { values: args } = parseArgs({
  options: {
    'model-dir': { type: 'string', default: DEFAULT_MODEL_DIR },
    'write-card': { type: 'boolean', default: false },
    concurrency: { type: 'string', default: '16' },
    'max-tokens': { type: 'string', default: '160' },
    precision: { type: 'string', default: 'auto' },
    json: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  console.log(`usage: pnpm eval:model [--model-dir DIR] [--write-card] [--concurrency 16] [--max-tokens 160] [--precision auto|fp32|int8]
  --model-dir    a model folder with heldout.jsonl (default: the committed dialoop-tiny)
  --write-card   also write the table into the folder's README.md
  --concurrency  requests in flight (and the server's batch size)
  --max-tokens   most tokens per reply
  --precision    which graph of the folder to serve (INFERENCE_PRECISION; default auto: model_int8.onnx when there is one)
  --json         where to write the results (default tests/bench/results/eval-model.json)`);
  process.exit(0);
}
// Relative paths are taken from where the command was started (npm and pnpm set INIT_CWD).
const modelDir = resolve(process.env.INIT_CWD ?? process.cwd(), args['model-dir']!);
const items: HeldoutItem[] = readFileSync(join(modelDir, 'heldout.jsonl'), 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((l) => JSON.parse(l) as HeldoutItem);
const modelId = basename(modelDir);

const server = await startInferenceServer(
  parseEnv({ MODEL_DIR: `${modelId}=${modelDir}`, INFERENCE_PORT: '0', INFERENCE_MAX_BATCH: args.concurrency, INFERENCE_PRECISION: args.precision, LOG_LEVEL: 'warn' }),
  pino({ level: 'warn' }),
);
const precision = server.models.get(modelId)!.precision;
const graph = precision === 'int8' ? 'the INT8 graph' : 'the FP32 graph';
const t0 = performance.now();
interface Outcome { item: HeldoutItem; reply: string; finish: string; validUtf8: boolean; correct: boolean | null }
const outcomes: Outcome[] = [];
let next = 0;
async function worker() {
  while (next < items.length) {
    const item = items[next++]!;
    const res = await fetch(`${server.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: modelId, messages: item.messages, temperature: 0, max_tokens: Number(args['max-tokens']) }),
    });
    const bytes = new Uint8Array(await res.arrayBuffer());
    if (res.status !== 200) throw new Error(`${item.id}: HTTP ${res.status} ${new TextDecoder().decode(bytes)}`);
    let validUtf8 = true;
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    } catch {
      validUtf8 = false;
    }
    const body = JSON.parse(new TextDecoder().decode(bytes));
    const reply: string = body.choices[0].message.content;
    validUtf8 &&= !reply.includes('\uFFFD');
    const correct = isExactAnswer(item, reply);
    outcomes.push({ item, reply, finish: body.choices[0].finish_reason, validUtf8, correct });
  }
}
await Promise.all(Array.from({ length: Number(args.concurrency) }, worker));
const seconds = (performance.now() - t0) / 1000;
await server.close();

const pct = (num: number, den: number) => (den === 0 ? '-' : `${((100 * num) / den).toFixed(1)}%`);
const rows: string[][] = [];
const summary: Record<string, unknown> = {};
for (const lang of ['en', 'zh'] as const) {
  const mine = outcomes.filter((o) => o.item.lang === lang);
  const ended = mine.filter((o) => o.finish === 'stop').length;
  const valid = mine.filter((o) => o.validUtf8).length;
  const acc: Record<string, { n: number; correct: number }> = {};
  for (const kind of EXACT_KINDS) {
    const k = mine.filter((o) => o.item.kind === kind && o.correct !== null);
    acc[kind] = { n: k.length, correct: k.filter((o) => o.correct).length };
  }
  const exact = Object.values(acc).reduce((a, b) => ({ n: a.n + b.n, correct: a.correct + b.correct }), { n: 0, correct: 0 });
  rows.push([lang, String(mine.length), pct(ended, mine.length), pct(valid, mine.length),
    ...EXACT_KINDS.map((k) => `${pct(acc[k]!.correct, acc[k]!.n)} (${acc[k]!.n})`), pct(exact.correct, exact.n)]);
  summary[lang] = { replies: mine.length, endsWithImEnd: ended / mine.length, validUtf8: valid / mine.length, accuracy: acc };
}
const header = ['lang', 'replies', 'ends with <\\|im_end\\|>', 'valid UTF-8', 'arithmetic', 'capital', 'conversion', 'exact overall'];
const table = [
  `| ${header.join(' | ')} |`,
  `| ${header.map(() => '---').join(' | ')} |`,
  ...rows.map((r) => `| ${r.join(' | ')} |`),
].join('\n');

let commit = 'unknown';
try {
  commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot, encoding: 'utf8' }).trim();
} catch {
  /* not a git checkout */
}
console.log(`\nHeld-out evaluation of ${modelDir}, ${graph} (${items.length} prompts, greedy, max_tokens ${args['max-tokens']}, ${seconds.toFixed(1)} s)\n`);
console.log(table);
console.log('\nGoals: ends with <|im_end|> >= 99%, valid UTF-8 = 100%, exact answers >= 50%.');
const samples = outcomes.filter((o) => o.correct === false).slice(0, 6).map((o) => ({ prompt: o.item.messages.at(-1)!.content, expected: o.item.answer, reply: o.reply }));
if (samples.length) console.log('\nSome wrong answers:\n' + samples.map((s) => `  ${s.prompt} -> ${JSON.stringify(s.reply)} (expected ${s.expected})`).join('\n'));

const jsonPath = args.json ? resolve(process.env.INIT_CWD ?? process.cwd(), args.json) : join(repoRoot, 'tests', 'bench', 'results', 'eval-model.json');
mkdirSync(dirname(jsonPath), { recursive: true });
writeFileSync(jsonPath, JSON.stringify({ model: modelDir, precision, commit, date: new Date().toISOString(), seconds, summary, table }, null, 2) + '\n');

if (args['write-card']) {
  const cardPath = join(modelDir, 'README.md');
  const card = readFileSync(cardPath, 'utf8');
  const at = card.indexOf(CARD_MARK);
  if (at < 0) throw new Error(`${cardPath} has no "${CARD_MARK}" line`);
  const section = `${CARD_MARK}\n\nMeasured by \`pnpm eval:model\` (commit ${commit}): ${items.length} held-out prompts, greedy decoding of ${graph} (${precision}) through the inference server.\n\n${table}\n`;
  writeFileSync(cardPath, card.slice(0, at) + section);
  console.log(`\nupdated ${cardPath}`);
}
