/**
 * `pnpm bench:safety`: what the api's content-safety filter (api/src/modules/safety) costs, in one
 * run, on one list of 10,018 terms.
 *
 * 1. Matcher throughput: 5,000 English-like terms (letters, 4–12 a word, a fifth two-word phrases,
 *    nine in ten whole-word), 5,000 Chinese terms of 2–4 Han characters drawn from the characters
 *    of the Chinese corpus (common characters, U+4E00–U+9FFF), both built from a seeded mulberry32
 *    and kept off the clean corpora, plus the 18 real terms of api/test/fixtures/safety-cases.ts;
 *    levels BLOCK/MASK/REVIEW mixed. Four corpora of `--mb` (16) MB of UTF-8 each: the clean
 *    English corpus repeated, the clean Chinese corpus repeated, both interleaved line by line, and
 *    an adversarial one (the English corpus with 2% of its words replaced by the evasion table's
 *    texts). Each is scanned in chunks of whole lines of at most 64 KiB (`Matcher.scan`), after
 *    `--warmup` rounds, `--rounds` (7) times: median, min and max MB/s (MB = 10^6 bytes of UTF-8)
 *    and the hits found; side by side, interleaved round by round, @monyone/aho-corasick (`fast`)
 *    on the same terms lower-cased and the same chunks (no normalization at all: a lower bound on
 *    the work) and the ratio. Also the compile time of both, and `Matcher.apply` (scan and mask)
 *    on the mixed corpus.
 * 2. The delay the filter adds to a stream: the inference server (a child process, the default
 *    model, one intra-op thread) streams `--streams` (20) chat completions (temperature 0.8,
 *    max_tokens 128, prompts from the model's held-out set), each delta recorded with its arrival
 *    time. Each recording is replayed `--replays` (5) times through `ReplyFilter` with the term
 *    filter (TermStream on the 10,018 terms) and without (a passthrough), on a virtual clock: each
 *    push happens at the delta's recorded arrival time, plus the CPU time the push itself takes,
 *    and `end()` at the stream's recorded end, so `onDelay` reports how long each delta waited
 *    until its last character was released. Per delta: added delay p50/p99/max, characters held
 *    back after each push (pushed − released), CPU per push, and the delay in tokens at the
 *    model's recorded tokens/s.
 * Prints tables and the goal, and writes tests/bench/results/safety.json with the machine, commit
 * and settings (a --quick smoke run, 2 MB corpora and 4 streams, writes to a temporary folder).
 * Options: --part 1,2, --rounds, --warmup, --mb, --streams, --replays, --seed.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Matcher, ReplyFilter, TermStream, type SafetyLevelName, type TermSpec } from '@dialoop/api/safety-engine';
import { AhoCorasick } from '@monyone/aho-corasick/fast';
import { EVASIONS, TERMS } from '../../api/test/fixtures/safety-cases.js';
import { ROOT, cleanup, ms, prng, quantile, runInfo, spawnNode, sseData } from './lib.js';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    part: { type: 'string', default: '1,2' },
    rounds: { type: 'string' },
    warmup: { type: 'string' },
    mb: { type: 'string' },
    streams: { type: 'string' },
    replays: { type: 'string' },
    seed: { type: 'string', default: '20261128' },
  },
});
const quick = args.quick!;
const parts = new Set(args.part!.split(',').map(Number));
const rounds = Number(args.rounds ?? (quick ? '5' : '7'));
const warmup = Number(args.warmup ?? (quick ? '1' : '2'));
const corpusMB = Number(args.mb ?? (quick ? '2' : '16'));
const streamCount = Number(args.streams ?? (quick ? '4' : '20'));
const replays = Number(args.replays ?? (quick ? '2' : '5'));
const seed = Number(args.seed);
const CHUNK_BYTES = 64 * 1024;
const GOAL_MB_PER_S = 50;
const TERMS_PER_LANGUAGE = 5000;
const EVASION_RATE = 0.02;
const MAX_TOKENS = 128;
const TEMPERATURE = 0.8;

const fmt = (n: number) => n.toLocaleString('en-US');
const mbps = (bytes: number, msTaken: number) => bytes / 1e6 / (msTaken / 1000);
const r1 = (x: number) => Number(x.toFixed(1));
const r2 = (x: number) => Number(x.toFixed(2));
/** Milliseconds for the stream's table: 3 decimals under 1 (a passthrough's delay is its CPU time, µs). */
const ms3 = (x: number) => (Number.isFinite(x) && Math.abs(x) < 1 ? Number(x.toFixed(3)) : ms(x));
const median = (xs: number[]) => quantile(xs, 0.5);

// ---- terms --------------------------------------------------------------------------------------
const fixture = (name: string) => readFileSync(join(ROOT, 'api', 'test', 'fixtures', name), 'utf8');
const enText = fixture('clean-corpus-en.txt');
const zhText = fixture('clean-corpus-zh.txt');
const enLines = enText.split('\n').filter((l) => l.trim() !== '');
const zhLines = zhText.split('\n').filter((l) => l.trim() !== '');

const ONSETS = ['b', 'c', 'd', 'f', 'g', 'h', 'j', 'k', 'l', 'm', 'n', 'p', 'qu', 'r', 's', 't', 'v', 'w', 'y', 'z', 'bl', 'br', 'ch', 'cl', 'cr', 'dr', 'fl', 'fr', 'gl', 'gr', 'pl', 'pr', 'sc', 'sh', 'sk', 'sl', 'sm', 'sn', 'sp', 'st', 'sw', 'th', 'tr', 'wh'];
const VOWELS = ['a', 'e', 'i', 'o', 'u', 'y', 'ai', 'ea', 'ee', 'ie', 'oa', 'oo', 'ou'];
const CODAS = ['', '', '', 'b', 'ck', 'd', 'ft', 'g', 'k', 'l', 'ld', 'lt', 'm', 'mp', 'n', 'nd', 'ng', 'nk', 'nt', 'p', 'r', 'rd', 'rk', 'rn', 'rt', 's', 'sh', 'sk', 'st', 't', 'th', 'x'];

/**
 * 5,000 English-like and 5,000 Chinese terms from `seed`, none occurring in the clean corpora
 * (a block list over clean text), then the fixture's real terms.
 */
function buildTerms(s: number): { specs: TermSpec[]; hanCharacters: number } {
  const rand = prng(s);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const level = (): SafetyLevelName => {
    const r = rand();
    return r < 0.2 ? 'BLOCK' : r < 0.6 ? 'MASK' : 'REVIEW';
  };
  const word = (): string => {
    for (;;) {
      let w = '';
      for (let n = 1 + Math.floor(rand() * 4), i = 0; i < n; i++) w += pick(ONSETS) + pick(VOWELS) + pick(CODAS);
      if (w.length >= 4 && w.length <= 12) return w;
    }
  };
  const real = new Set(TERMS.map((t) => t.term));
  const enLower = enText.toLowerCase();
  const specs: TermSpec[] = [];
  const seen = new Set<string>();
  while (specs.length < TERMS_PER_LANGUAGE) {
    const term = rand() < 0.2 ? `${word()} ${word()}` : word();
    if (seen.has(term) || real.has(term) || enLower.includes(term)) continue;
    seen.add(term);
    specs.push({ id: `en${specs.length}`, term, level: level(), category: 'bench-en', wholeWord: rand() < 0.9 });
  }
  const han = [...new Set([...zhText].filter((c) => c >= '\u4e00' && c <= '\u9fff'))].sort();
  while (specs.length < 2 * TERMS_PER_LANGUAGE) {
    let term = '';
    for (let n = 2 + Math.floor(rand() * 3), i = 0; i < n; i++) term += pick(han);
    if (seen.has(term) || real.has(term) || zhText.includes(term)) continue;
    seen.add(term);
    specs.push({ id: `zh${specs.length}`, term, level: level(), category: 'bench-zh', wholeWord: false });
  }
  TERMS.forEach((t, i) => specs.push({ id: `case${i}`, term: t.term, level: t.level, category: t.category, wholeWord: t.wholeWord }));
  return { specs, hanCharacters: han.length };
}

// ---- corpora ------------------------------------------------------------------------------------
interface Corpus {
  name: string;
  text: string;
  /** Whole lines, at most CHUNK_BYTES of UTF-8 each. */
  chunks: string[];
  bytes: number;
  lines: number;
}

/** The lines, each ending in a newline, as one flat string (`a + b` would make a rope). */
const flat = (lines: string[]) => [...lines, ''].join('\n');

/** Lines `next(0)`, `next(1)`… until `targetBytes` of UTF-8, cut into chunks of whole lines. */
function corpus(name: string, text: string, next: (i: number) => string, targetBytes: number): Corpus {
  const chunks: string[] = [];
  let cur: string[] = [];
  let curBytes = 0;
  let bytes = 0;
  let i = 0;
  for (; bytes < targetBytes; i++) {
    const line = next(i);
    const b = Buffer.byteLength(line) + 1;
    if (curBytes + b > CHUNK_BYTES && cur.length > 0) {
      chunks.push(flat(cur));
      cur = [];
      curBytes = 0;
    }
    cur.push(line);
    curBytes += b;
    bytes += b;
  }
  if (cur.length > 0) chunks.push(flat(cur));
  return { name, text, chunks, bytes, lines: i };
}

function buildCorpora(targetBytes: number, s: number) {
  const rand = prng(s ^ 0x5a5a5a5a);
  let evasions = 0;
  let words = 0;
  const adversarialLine = (i: number) =>
    enLines[i % enLines.length]!.split(' ').map((w) => {
      words++;
      if (rand() >= EVASION_RATE) return w;
      evasions++;
      return EVASIONS[Math.floor(rand() * EVASIONS.length)]!.text;
    }).join(' ');
  const corpora = [
    corpus('english', 'clean-corpus-en.txt repeated', (i) => enLines[i % enLines.length]!, targetBytes),
    corpus('chinese', 'clean-corpus-zh.txt repeated', (i) => zhLines[i % zhLines.length]!, targetBytes),
    corpus('mixed', 'both, interleaved line by line', (i) => (i % 2 === 0 ? enLines[(i >> 1) % enLines.length]! : zhLines[(i >> 1) % zhLines.length]!), targetBytes),
    corpus('adversarial', `English with ${EVASION_RATE * 100}% of words replaced by evasions`, adversarialLine, targetBytes),
  ];
  return { corpora, adversarial: { words, evasions } };
}

// ---- 1. matcher throughput ----------------------------------------------------------------------
function timeCompile<T>(build: () => T, times: number): { value: T; firstMs: number; medianMs: number } {
  const took: number[] = [];
  let value: T | undefined;
  for (let i = 0; i < times; i++) {
    const t = performance.now();
    value = build();
    took.push(performance.now() - t);
  }
  return { value: value!, firstMs: took[0]!, medianMs: median(took) };
}

/** One pass over the chunks: milliseconds and hits. */
function pass(chunks: string[], scan: (chunk: string) => number): { ms: number; hits: number } {
  let hits = 0;
  const t = performance.now();
  for (const c of chunks) hits += scan(c);
  return { ms: performance.now() - t, hits };
}

function summarize(bytes: number, times: number[], hits: number) {
  const rates = times.map((t) => mbps(bytes, t));
  return { medianMBps: r1(median(rates)), minMBps: r1(Math.min(...rates)), maxMBps: r1(Math.max(...rates)), medianMs: ms(median(times)), hits, roundsMBps: rates.map(r1) };
}

function throughput(matcher: Matcher, baseline: AhoCorasick, corpora: Corpus[]) {
  const ours = (c: string) => matcher.scan(c).hits.length;
  const theirs = (c: string) => baseline.matchInText(c).length;
  const out = [];
  for (const c of corpora) {
    // Warm-up rounds, untimed; the first also counts the hits by level and distinct terms.
    const byLevel: Record<SafetyLevelName, number> = { BLOCK: 0, MASK: 0, REVIEW: 0 };
    const distinct = new Set<string>();
    for (const chunk of c.chunks) {
      for (const h of matcher.scan(chunk).hits) {
        byLevel[h.term.level]++;
        distinct.add(h.term.id);
      }
    }
    for (let r = 0; r < warmup; r++) {
      pass(c.chunks, ours);
      pass(c.chunks, theirs);
    }
    const a: number[] = [];
    const b: number[] = [];
    let hitsA = 0;
    let hitsB = 0;
    for (let r = 0; r < rounds; r++) {
      // Interleaved, the order alternating round by round.
      const runs = r % 2 === 0 ? ([[ours, a], [theirs, b]] as const) : ([[theirs, b], [ours, a]] as const);
      for (const [scan, into] of runs) {
        const p = pass(c.chunks, scan);
        into.push(p.ms);
        if (scan === ours) hitsA = p.hits;
        else hitsB = p.hits;
      }
    }
    const oursS = summarize(c.bytes, a, hitsA);
    const theirsS = summarize(c.bytes, b, hitsB);
    out.push({
      corpus: c.name,
      text: c.text,
      megabytes: r2(c.bytes / 1e6),
      characters: c.chunks.reduce((n, x) => n + x.length, 0),
      lines: c.lines,
      chunks: c.chunks.length,
      ours: { ...oursS, hitsByLevel: byLevel, distinctTermsHit: distinct.size },
      baseline: theirsS,
      ratioMedian: r2(oursS.medianMBps / theirsS.medianMBps),
    });
  }
  return out;
}

function applyThroughput(matcher: Matcher, c: Corpus) {
  let blocked = 0;
  let masked = 0;
  const run = (chunk: string) => {
    const r = matcher.apply(chunk);
    if (r.blocked) blocked++;
    if (r.text !== chunk) masked++;
    return r.hits.length;
  };
  for (let r = 0; r < warmup; r++) pass(c.chunks, run);
  const times: number[] = [];
  let hits = 0;
  for (let r = 0; r < rounds; r++) {
    blocked = 0;
    masked = 0;
    const p = pass(c.chunks, run);
    times.push(p.ms);
    hits = p.hits;
  }
  return { corpus: c.name, megabytes: r2(c.bytes / 1e6), chunks: c.chunks.length, ...summarize(c.bytes, times, hits), chunksBlocked: blocked, chunksWithMasking: masked };
}

// ---- 2. the stream ------------------------------------------------------------------------------
interface Message {
  role: string;
  content: string;
}

interface Recording {
  prompt: string;
  lang: string;
  /** Each delta's text and arrival time (ms after the request was sent). */
  deltas: { text: string; at: number }[];
  /** When the stream ended ([DONE], or the body's end). */
  end: number;
  tokens: number;
  finishReason: string | null;
}

/** `count` prompts from the model's held-out set, spread over its kinds and both languages. */
function prompts(count: number, s: number): { messages: Message[]; lang: string }[] {
  const items = readFileSync(join(ROOT, 'inference', 'models', 'dialoop-tiny', 'heldout.jsonl'), 'utf8')
    .split('\n').filter(Boolean).map((l) => JSON.parse(l) as { messages: Message[]; lang: string; kind: string });
  const rand = prng(s ^ 0x1234567);
  const out = [];
  const used = new Set<number>();
  while (out.length < count && used.size < items.length) {
    const i = Math.floor(rand() * items.length);
    if (used.has(i)) continue;
    used.add(i);
    out.push({ messages: items[i]!.messages, lang: items[i]!.lang });
  }
  return out;
}

async function record(url: string, model: string, messages: Message[], lang: string, s: number): Promise<Recording> {
  const start = performance.now();
  const res = await fetch(`${url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages, stream: true, stream_options: { include_usage: true }, max_tokens: MAX_TOKENS, temperature: TEMPERATURE, seed: s }),
  });
  if (res.status !== 200) throw new Error(`HTTP ${res.status}: ${await res.text()}`);
  const deltas: Recording['deltas'] = [];
  let tokens = 0;
  let finishReason: string | null = null;
  let end = NaN;
  for await (const { data, at: read } of sseData(res)) {
    const at = read - start;
    if (data === '[DONE]') {
      end = at;
      continue;
    }
    const ev = JSON.parse(data) as { usage?: { completion_tokens: number }; choices?: { delta?: { content?: string | null }; finish_reason?: string | null }[] };
    if (ev.usage) tokens = ev.usage.completion_tokens;
    const choice = ev.choices?.[0];
    if (choice?.delta?.content) deltas.push({ text: choice.delta.content, at });
    if (choice?.finish_reason) finishReason = choice.finish_reason;
  }
  if (Number.isNaN(end)) end = performance.now() - start;
  const prompt = messages.at(-1)?.content ?? '';
  return { prompt, lang, deltas, end, tokens, finishReason };
}

interface Replay {
  /** Per delta whose last character was released: ms from its arrival. */
  delays: number[];
  /** Units held back after each push (pushed − released). */
  held: number[];
  /** µs of CPU per push. */
  cpuUs: number[];
  endCpuUs: number;
  blocked: boolean;
  output: string;
}

/**
 * Replays a recording through a ReplyFilter on a virtual clock: during a push the clock reads
 * the delta's recorded arrival time plus the time spent in the push so far; during end(), the
 * stream's recorded end plus the time spent in it.
 */
function replay(rec: Recording, matcher: Matcher | undefined): Replay {
  let base = 0;
  let t0 = 0;
  const clock = () => base + (performance.now() - t0);
  const delays: number[] = [];
  const filter = new ReplyFilter(matcher ? new TermStream(matcher) : undefined, [], (d) => delays.push(d), clock);
  const held: number[] = [];
  const cpuUs: number[] = [];
  let pushed = 0;
  let released = 0;
  let output = '';
  let blocked = false;
  for (const d of rec.deltas) {
    base = d.at;
    t0 = performance.now();
    const r = filter.push(d.text);
    cpuUs.push((performance.now() - t0) * 1000);
    pushed += d.text.length;
    released += r.text.length;
    output += r.text;
    held.push(pushed - released);
    if (r.blocked) {
      blocked = true;
      break;
    }
  }
  let endCpuUs = 0;
  if (!blocked) {
    base = rec.end;
    t0 = performance.now();
    const r = filter.end();
    endCpuUs = (performance.now() - t0) * 1000;
    output += r.text;
    blocked = r.blocked !== undefined;
  }
  return { delays, held, cpuUs, endCpuUs, blocked, output };
}

async function streamDelay(matcher: Matcher) {
  const inference = await spawnNode('inference/src/main.ts', { INFERENCE_INTRA_OP_THREADS: '1' }, 'INFERENCE_PORT', '/readyz');
  const model = ((await (await fetch(`${inference.url}/v1/models`)).json()) as { data: { id: string }[] }).data[0]!.id;
  const asked = prompts(streamCount, seed);
  // Warm-up: the first requests pay for lazy initialisation in onnxruntime and V8.
  for (const p of asked.slice(0, 2)) await record(inference.url, model, p.messages, p.lang, seed);
  const recordings: Recording[] = [];
  for (const [i, p] of asked.entries()) recordings.push(await record(inference.url, model, p.messages, p.lang, seed + i));
  await inference.stop();

  const rates = recordings.filter((r) => r.deltas.length > 1).map((r) => ((r.tokens - 1) * 1000) / (r.deltas.at(-1)!.at - r.deltas[0]!.at));
  const modes = { off: undefined, on: matcher } as const;
  const acc = { off: { delays: [] as number[], held: [] as number[], cpuUs: [] as number[], endCpuUs: [] as number[] }, on: { delays: [] as number[], held: [] as number[], cpuUs: [] as number[], endCpuUs: [] as number[] } };
  let blockedStreams = 0;
  const mismatches: string[] = [];
  // Round 0 warms up (untimed); then `replays` rounds, on and off interleaved stream by stream.
  for (let round = 0; round <= replays; round++) {
    for (const [i, rec] of recordings.entries()) {
      const order = (round + i) % 2 === 0 ? (['off', 'on'] as const) : (['on', 'off'] as const);
      for (const mode of order) {
        const r = replay(rec, modes[mode]);
        if (round === 0) {
          const whole = rec.deltas.map((d) => d.text).join('');
          if (mode === 'on') {
            const applied = matcher.apply(whole);
            if (r.blocked) blockedStreams++;
            // The stream must release what filtering the whole reply at once gives (unless it was blocked).
            if (!r.blocked && !applied.blocked && r.output !== applied.text) mismatches.push(rec.prompt);
            if (r.blocked !== (applied.blocked !== undefined)) mismatches.push(`${rec.prompt} (blocked ${r.blocked} vs ${applied.blocked !== undefined})`);
          } else if (r.output !== whole) mismatches.push(`${rec.prompt} (passthrough changed the text)`);
          continue;
        }
        const a = acc[mode];
        a.delays.push(...r.delays);
        a.held.push(...r.held);
        a.cpuUs.push(...r.cpuUs);
        a.endCpuUs.push(r.endCpuUs);
      }
    }
  }
  const tps = median(rates);
  const side = (m: keyof typeof acc) => {
    const a = acc[m];
    const q = (xs: number[], p: number) => quantile(xs, p);
    return {
      deltas: a.delays.length,
      delayP50Ms: ms3(q(a.delays, 0.5)),
      delayP99Ms: ms3(q(a.delays, 0.99)),
      delayMaxMs: ms3(q(a.delays, 1)),
      delayMeanMs: ms3(a.delays.reduce((x, y) => x + y, 0) / a.delays.length),
      delayP50Tokens: r1((q(a.delays, 0.5) * tps) / 1000),
      delayP99Tokens: r1((q(a.delays, 0.99) * tps) / 1000),
      heldP50Chars: r1(q(a.held, 0.5)),
      heldP99Chars: r1(q(a.held, 0.99)),
      heldMaxChars: q(a.held, 1),
      cpuPerPushP50Us: r2(q(a.cpuUs, 0.5)),
      cpuPerPushP99Us: r2(q(a.cpuUs, 0.99)),
      cpuPerPushMaxUs: r2(q(a.cpuUs, 1)),
      cpuEndP50Us: r2(q(a.endCpuUs, 0.5)),
    };
  };
  const gaps = recordings.flatMap((r) => r.deltas.slice(1).map((d, i) => d.at - r.deltas[i]!.at));
  const lengths = recordings.map((r) => r.deltas.reduce((n, d) => n + d.text.length, 0));
  return {
    model,
    maxTokens: MAX_TOKENS,
    temperature: TEMPERATURE,
    streams: recordings.length,
    replays,
    recorded: {
      deltas: recordings.reduce((n, r) => n + r.deltas.length, 0),
      tokens: recordings.reduce((n, r) => n + r.tokens, 0),
      charactersP50: quantile(lengths, 0.5),
      tokensPerSecondP50: Math.round(tps),
      tokensPerSecondMin: Math.round(Math.min(...rates)),
      tokensPerSecondMax: Math.round(Math.max(...rates)),
      interDeltaP50Ms: ms(quantile(gaps, 0.5)),
      interDeltaP99Ms: ms(quantile(gaps, 0.99)),
      finishReasons: recordings.reduce<Record<string, number>>((m, r) => ((m[r.finishReason ?? 'none'] = (m[r.finishReason ?? 'none'] ?? 0) + 1), m), {}),
      languages: recordings.reduce<Record<string, number>>((m, r) => ((m[r.lang] = (m[r.lang] ?? 0) + 1), m), {}),
    },
    holdBackViewUnits: matcher.maxUnits === 0 ? 0 : matcher.maxUnits,
    blockedStreams,
    mismatches,
    off: side('off'),
    on: side('on'),
    samples: recordings.slice(0, 3).map((r) => r.deltas.map((d) => d.text).join('').slice(0, 120)),
  };
}

// ---- run ----------------------------------------------------------------------------------------
/** The commit and uncommitted changes this run measured, the machine, and the load average when each part began and ended. */
const { commit, dirty, changes, machine, date, load, noteLoad } = runInfo();
const params = { quick, parts: [...parts], rounds, warmupRounds: warmup, corpusMegabytes: corpusMB, chunkBytes: CHUNK_BYTES, streams: streamCount, replays, seed, termsPerLanguage: TERMS_PER_LANGUAGE, evasionRate: EVASION_RATE };
console.log(`bench:safety — ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, node ${process.version}, commit ${commit}, ${date}`);

const { specs, hanCharacters } = buildTerms(seed);
const count = (pred: (t: TermSpec) => boolean) => specs.filter(pred).length;
const terms = {
  total: specs.length,
  english: count((t) => t.category === 'bench-en'),
  englishPhrases: count((t) => t.category === 'bench-en' && t.term.includes(' ')),
  englishWholeWord: count((t) => t.category === 'bench-en' && t.wholeWord),
  chinese: count((t) => t.category === 'bench-zh'),
  hanCharactersDrawnFrom: hanCharacters,
  fixture: TERMS.length,
  byLevel: { BLOCK: count((t) => t.level === 'BLOCK'), MASK: count((t) => t.level === 'MASK'), REVIEW: count((t) => t.level === 'REVIEW') },
};
const compiled = timeCompile(() => new Matcher(specs), 3);
const matcher = compiled.value;
const keywords = specs.map((t) => t.term.toLowerCase());
const baselineCompiled = timeCompile(() => new AhoCorasick(keywords), 3);
const automaton = matcher.automaton;
const compile = {
  ours: { firstMs: ms(compiled.firstMs), medianMs: ms(compiled.medianMs), states: automaton.base.length, tableMiB: r2((automaton.table.byteLength + automaton.classOf.byteLength + automaton.fail.byteLength + automaton.out.byteLength + automaton.outLink.byteLength) / 2 ** 20), longestTermViewUnits: matcher.maxUnits },
  baseline: { firstMs: ms(baselineCompiled.firstMs), medianMs: ms(baselineCompiled.medianMs) },
};
console.log(`${fmt(terms.total)} terms (${fmt(terms.english)} English-like, ${terms.englishPhrases} of them phrases, ${fmt(terms.englishWholeWord)} whole-word; ${fmt(terms.chinese)} Chinese from ${terms.hanCharactersDrawnFrom} Han characters; ${terms.fixture} fixture terms), levels ${JSON.stringify(terms.byLevel)}`);
console.log(`compile: ours ${compile.ours.firstMs} ms first, ${compile.ours.medianMs} ms median of 3 (${fmt(compile.ours.states)} slots, ${compile.ours.tableMiB} MiB, longest term ${compile.ours.longestTermViewUnits} view units); @monyone/aho-corasick ${compile.baseline.firstMs} ms first, ${compile.baseline.medianMs} ms median\n`);

let scanning: ReturnType<typeof throughput> | undefined;
let applying: ReturnType<typeof applyThroughput> | undefined;
let adversarial: { words: number; evasions: number } | undefined;
let stream: Awaited<ReturnType<typeof streamDelay>> | undefined;
let failure: unknown;
try {
  if (parts.has(1)) {
    noteLoad('part1Start');
    const made = buildCorpora(corpusMB * 1e6, seed);
    adversarial = made.adversarial;
    scanning = throughput(matcher, baselineCompiled.value, made.corpora);
    applying = applyThroughput(matcher, made.corpora.find((c) => c.name === 'mixed')!);
    noteLoad('part1End');
    console.log(`1. Matcher throughput, ${fmt(terms.total)} terms, chunks of whole lines <= 64 KiB (MB = 10^6 bytes of UTF-8; ${rounds} rounds after ${warmup} warm-up, interleaved)`);
    console.table(Object.fromEntries(scanning.map((s) => [s.corpus, {
      MB: s.megabytes,
      'ours MB/s': s.ours.medianMBps,
      'ours min–max': `${s.ours.minMBps}–${s.ours.maxMBps}`,
      'ours hits': s.ours.hits,
      'baseline MB/s': s.baseline.medianMBps,
      'baseline min–max': `${s.baseline.minMBps}–${s.baseline.maxMBps}`,
      'baseline hits': s.baseline.hits,
      'ours/baseline': `${s.ratioMedian}x`,
    }])));
    console.log(`   baseline: @monyone/aho-corasick (fast), the terms lower-cased, no normalization (a lower bound on the work). Adversarial: ${fmt(adversarial.evasions)} of ${fmt(adversarial.words)} words replaced.`);
    console.log(`   hits by level (ours): ${scanning.map((s) => `${s.corpus} ${JSON.stringify(s.ours.hitsByLevel)}, ${s.ours.distinctTermsHit} terms`).join('; ')}`);
    console.log(`   Matcher.apply (scan + masking) on the mixed corpus: ${applying.medianMBps} MB/s median (${applying.minMBps}–${applying.maxMBps}), ${fmt(applying.hits)} hits, ${applying.chunksBlocked} of ${applying.chunks} chunks blocked\n`);
  }
  if (parts.has(2)) {
    noteLoad('part2Start');
    stream = await streamDelay(matcher);
    noteLoad('part2End');
    const s = stream;
    console.log(`2. Delay added per delta on the stream, ${s.streams} recorded streams (${s.model}, temperature ${s.temperature}, max_tokens ${s.maxTokens}), each replayed ${s.replays} times`);
    console.log(`   recorded: ${fmt(s.recorded.deltas)} deltas, ${fmt(s.recorded.tokens)} tokens, ${s.recorded.tokensPerSecondP50} tokens/s p50 (${s.recorded.tokensPerSecondMin}–${s.recorded.tokensPerSecondMax}), a delta every ${s.recorded.interDeltaP50Ms} ms p50 (p99 ${s.recorded.interDeltaP99Ms} ms); term filter holds ${s.holdBackViewUnits} + 4 view units`);
    const row = (x: typeof s.on) => ({
      'delay p50 ms': x.delayP50Ms,
      'delay p99 ms': x.delayP99Ms,
      'delay max ms': x.delayMaxMs,
      'p50 tokens': x.delayP50Tokens,
      'p99 tokens': x.delayP99Tokens,
      'held p50 chars': x.heldP50Chars,
      'held p99 chars': x.heldP99Chars,
      'CPU/push p50 µs': x.cpuPerPushP50Us,
      'CPU/push p99 µs': x.cpuPerPushP99Us,
    });
    console.table({
      'filter off': row(s.off),
      'filter on (10k terms)': row(s.on),
      'added (on − off)': {
        'delay p50 ms': ms3(s.on.delayP50Ms - s.off.delayP50Ms),
        'delay p99 ms': ms3(s.on.delayP99Ms - s.off.delayP99Ms),
        'delay max ms': ms3(s.on.delayMaxMs - s.off.delayMaxMs),
        'p50 tokens': r1(s.on.delayP50Tokens - s.off.delayP50Tokens),
        'p99 tokens': r1(s.on.delayP99Tokens - s.off.delayP99Tokens),
        'held p50 chars': r1(s.on.heldP50Chars - s.off.heldP50Chars),
        'held p99 chars': r1(s.on.heldP99Chars - s.off.heldP99Chars),
        'CPU/push p50 µs': r2(s.on.cpuPerPushP50Us - s.off.cpuPerPushP50Us),
        'CPU/push p99 µs': r2(s.on.cpuPerPushP99Us - s.off.cpuPerPushP99Us),
      },
    });
    console.log(`   delay: from a delta's recorded arrival until its last character left the filter (virtual clock: recorded times + measured CPU); tokens: delay × ${s.recorded.tokensPerSecondP50} tokens/s.`);
    console.log(`   ${s.blockedStreams} stream(s) blocked; stream output differing from Matcher.apply on the whole reply: ${s.mismatches.length}${s.mismatches.length ? ` (${s.mismatches.join('; ')})` : ''}\n`);
  }
} catch (err) {
  failure = err;
} finally {
  await cleanup();
}
if (failure) throw failure;

// ---- goal ---------------------------------------------------------------------------------------
const goal = scanning
  ? {
      text: `Matcher.scan >= ${GOAL_MB_PER_S} MB/s (UTF-8) with ${fmt(terms.total)} terms, median of ${rounds} rounds, each corpus`,
      mbPerSecond: GOAL_MB_PER_S,
      corpora: Object.fromEntries(scanning.map((s) => [s.corpus, { met: s.ours.medianMBps >= GOAL_MB_PER_S, medianMBps: s.ours.medianMBps, minMBps: s.ours.minMBps }])),
      met: scanning.every((s) => s.ours.medianMBps >= GOAL_MB_PER_S),
    }
  : undefined;
if (goal) {
  console.log('Goal:');
  for (const [name, g] of Object.entries(goal.corpora)) console.log(`  ${g.met ? 'MET    ' : 'NOT MET'} ${name}: ${g.medianMBps} MB/s median (min ${g.minMBps}) >= ${GOAL_MB_PER_S} MB/s`);
}

console.log(`1-minute load average at the start and end of each part (${machine.cores} = all cores busy): ${JSON.stringify(load)}`);
const results = { date, commit, dirty, uncommitted: changes, machine, node: process.version, params, loadAverage: load, terms, compile, throughput: scanning, adversarial, apply: applying, stream, goal };
// A --quick smoke run leaves the committed results alone.
const out = quick ? mkdtempSync(join(tmpdir(), 'bench-safety-')) : join(ROOT, 'tests', 'bench', 'results');
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'safety.json'), JSON.stringify(results, null, 2) + '\n');
console.log(`\nwrote ${join(out, 'safety.json')}`);
