/**
 * `pnpm bench:export`: how long a dataset export of `--pairs` (1,000,000) preference pairs to
 * DPO JSONL takes, and how much memory it needs (goal: ≤ 60 s and ≤ 300 MB at 1,000,000 pairs,
 * streaming from the database rather than loading every row).
 *
 * 1. Generation (not measured as the export): a fresh database (`createTestDatabase`, migrated);
 *    a few thousand users and conversations (foreign keys); pools of English and Chinese
 *    paragraphs and questions built here from a seeded mulberry32 (a few thousand rows sent);
 *    then the pairs themselves written by PostgreSQL alone, `INSERT … SELECT` over
 *    `generate_series` (in `--gen-workers` (2) ranges at once), every value a pure function of
 *    the row number: about three pairs a prompt (the prompt's rows share its promptKey,
 *    conversation and owner), prompts of 1–3 turns ending in a user turn (a system prompt, or an
 *    earlier exchange), chosen and rejected replies of ~200–800 characters (two paragraphs,
 *    ~20% of prompts Chinese), ~2% of replies with an e-mail address or a phone number (in
 *    several shapes) so that redaction runs, ~1% exact duplicates (a row repeating the previous
 *    row's prompt and pair: same promptKey and pairKey) so that deduplication runs, sources
 *    COMPARISON/RANKING/RATING/CORRECTION mixed, reviewers' pseudonyms in `authors`, promptKey
 *    and pairKey as 64 hex digits (two MD5s). Then VACUUM (ANALYZE), as a table written over
 *    months would be (hint bits set, statistics current).
 * 2. The export, in a fresh child process (this file with `--child`), so that its peak RSS is
 *    the export's alone: `buildDataset` (api/src/modules/datasets/builder.ts) with formats
 *    ['dpo'], testShare 0.1, no filters, nobody erased, into a temporary `LocalDatasetStore`, as
 *    the api runs it on PostgreSQL (`buildInWorkers`): `--workers` (cores, at most 4; the api's
 *    DATASET_BUILD_WORKERS) worker threads, each on a range of prompt hashes with a connection of
 *    its own, sharing a heap budget of `--heap-mb` (128, DATASET_BUILD_HEAP_MB); then their parts
 *    joined into the store in order, hashed on the way. Wall seconds, rows/s, peak RSS
 *    (`process.resourceUsage().maxRSS` at the end, and `process.memoryUsage().rss` sampled every
 *    100 ms), bytes and records written, duplicates dropped, redactions (against the PII the
 *    generator planted in the exported rows). `--all-formats on` (default) also runs all five
 *    formats at `--pairs`.
 * 3. Side by side, like for like on a second fresh database of `--baseline-pairs` (100,000): the
 *    streaming builder and a naive baseline that loads every row with one `findMany`, then does
 *    the same per-record work (dedup, redaction, DPO line, split) and writes; `--rounds` (2)
 *    rounds each, interleaved; the faster run of each and the ratios. Their outputs are compared
 *    by SHA-256.
 * Prints a table and the goals, and writes tests/bench/results/export.json with the machine,
 * commit, settings and results (a `--quick` smoke run, 50,000 and 20,000 pairs, writes to a
 * temporary folder). Both databases are dropped at the end, also on failure or Ctrl-C.
 * Options: --pairs, --baseline-pairs, --rounds, --all-formats on|off, --batch (the builder's
 * page size; its default when unset), --gen-workers, --seed.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
// The Prisma client and the test-database helpers are imported where they are used: the measured
// export's process (`--child`) hosts only the build's worker threads, and so loads neither.
import type { Database, DatabaseOptions, PrismaClient } from '@dialoop/db';
import type { TestDatabase } from '@dialoop/db/testing';
const openDatabase = async (o: DatabaseOptions) => (await import('@dialoop/db')).openDatabase(o);
const createTestDatabase = async () => (await import('@dialoop/db/testing')).createTestDatabase();
// The builder and the store straight from their files: the datasets module's index also brings the
// resolver and service (and with them most of the api) into the measured process.
import { ALL_FORMATS, pairOf, type BuildCounts, type FormatId } from '../../api/src/modules/datasets/builder.js';
import { buildInWorkers } from '../../api/src/modules/datasets/runner.js';
import { LocalDatasetStore, type DatasetStore } from '../../api/src/modules/datasets/store.js';
import { redactPii, splitOfKey, toTrlDpo, type PiiKind, type Turn } from '../../feedback/src/index.js';
import { ROOT, cleanup, defer, prng, resultOfChild, runInfo } from './lib.js';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    pairs: { type: 'string' },
    'baseline-pairs': { type: 'string' },
    rounds: { type: 'string', default: '2' },
    'all-formats': { type: 'string', default: 'on' },
    batch: { type: 'string' },
    /** The build workers and their shared heap budget (the api's DATASET_BUILD_WORKERS, DATASET_BUILD_HEAP_MB). */
    workers: { type: 'string', default: String(Math.min(cpus().length, 4)) },
    'heap-mb': { type: 'string', default: '128' },
    'gen-workers': { type: 'string', default: '2' },
    seed: { type: 'string', default: '20261128' },
    /** Internal: one measured export, run by the benchmark in a fresh process (a JSON ChildSpec). */
    child: { type: 'string' },
  },
});
const quick = args.quick!;
const pairs = Number(args.pairs ?? (quick ? '50000' : '1000000'));
const baselinePairs = Number(args['baseline-pairs'] ?? (quick ? '20000' : '100000'));
const rounds = Math.max(1, Number(args.rounds));
const allFormats = args['all-formats'] !== 'off';
const batch = args.batch === undefined ? undefined : Number(args.batch);
const heapMb = Number(args['heap-mb']);
const workers = Number(args.workers);
const genWorkers = Math.max(1, Number(args['gen-workers']));
const seed = Number(args.seed);
const TEST_SHARE = 0.1;
const GOAL_SECONDS = 60;
const GOAL_MB = 300;
const USERS = 2000;
const CONVERSATIONS = 5000;
/** Reviewers are the first REVIEWERS users; `authors` of compared and ranked pairs come from them. */
const REVIEWERS = 100;
const PAIRS_PER_PROMPT = 3;
const PARAGRAPHS = 8192;
const QUESTIONS = 4096;

const fmt = (n: number) => n.toLocaleString('en-US');
const r1 = (x: number) => Number(x.toFixed(1));
const r2 = (x: number) => Number(x.toFixed(2));
/** MB = 10^6 bytes throughout (the goal's 300 MB is 300,000,000 bytes). */
const mb = (bytes: number) => r1(bytes / 1e6);

// ---- the measured export, in a child process ----------------------------------------------------
interface ChildSpec {
  url: string;
  mode: 'stream' | 'baseline';
  formats: FormatId[];
  batch?: number | undefined;
  heapMb: number;
  workers: number;
}

interface ExportResult {
  mode: 'stream' | 'baseline';
  formats: FormatId[];
  wallMs: number;
  rowsRead: number;
  rowsPerSecond: number;
  /** process.resourceUsage().maxRSS at the end: the process's peak, sampling gaps included. */
  peakRssBytes: number;
  /** The largest of process.memoryUsage().rss sampled every 100 ms (a blocked event loop samples late). */
  sampledPeakRssBytes: number;
  sampledPeakHeapUsedBytes: number;
  samples: number;
  /** RSS once the modules were loaded and the database opened, before the export began. */
  rssBeforeBytes: number;
  bytesWritten: number;
  records: number;
  duplicatesDropped: number;
  redactions: Record<PiiKind, number>;
  files: { path: string; bytes: number; records: number; sha256: string }[];
  counts: Pick<BuildCounts, 'records' | 'pairs' | 'sft' | 'invalid'>;
}

/**
 * The naive export the builder is compared with: every row at once through one `findMany`, then
 * the builder's per-record work for DPO (dedup by pairKey within a prompt, redaction with the same
 * pre-check, the DPO line, the split) and the same writes (a page's lines joined per file).
 */
async function naiveExport(db: PrismaClient, store: DatasetStore, location: string) {
  const rows = await db.preferencePair.findMany({ where: { flagged: false }, orderBy: [{ promptKey: 'asc' }, { id: 'asc' }] });
  const redactions: Record<PiiKind, number> = { email: 0, phone: 0, idCard: 0, bankCard: 0 };
  const redact = (text: string) => {
    const r = redactPii(text);
    for (const k of Object.keys(r.found) as PiiKind[]) redactions[k] += r.found[k];
    return r.text;
  };
  const files = { train: await store.create(location, 'dpo/train.jsonl'), test: await store.create(location, 'dpo/test.jsonl') };
  const records = { train: 0, test: 0 };
  const seen = new Set<string>();
  let duplicates = 0;
  const PAGE = 4000;
  for (let i = 0; i < rows.length; i += PAGE) {
    const lines: Record<'train' | 'test', string[]> = { train: [], test: [] };
    for (const row of rows.slice(i, i + PAGE)) {
      const key = `${row.promptKey}\u0001${row.pairKey}`;
      if (seen.has(key)) {
        duplicates++;
        continue;
      }
      seen.add(key);
      const pair = pairOf({ ...row, prompt: row.prompt as unknown as Turn[] }, redact);
      const split = splitOfKey(row.promptKey, TEST_SHARE);
      lines[split].push(toTrlDpo(pair));
      records[split]++;
    }
    for (const split of ['train', 'test'] as const) if (lines[split].length) await files[split].write(lines[split].join('\n') + '\n');
  }
  const out = [];
  for (const split of ['train', 'test'] as const) out.push({ path: `dpo/${split}.jsonl`, records: records[split], ...(await files[split].close()) });
  return { rowsRead: rows.length, duplicates, redactions, files: out };
}

async function runChild(spec: ChildSpec): Promise<ExportResult> {
  let sampledPeak = process.memoryUsage().rss;
  let heapPeak = 0;
  let samples = 0;
  const sample = () => {
    const m = process.memoryUsage();
    samples++;
    if (m.rss > sampledPeak) sampledPeak = m.rss;
    if (m.heapUsed > heapPeak) heapPeak = m.heapUsed;
  };
  const timer = setInterval(sample, 100);
  // The streaming build runs as the api runs it on PostgreSQL: in a worker thread with its own
  // connection and a capped heap; this process's main thread opens no Prisma client for it.
  const d = spec.mode === 'stream' ? null : await openDatabase({ databaseUrl: spec.url });
  const dir = mkdtempSync(join(tmpdir(), 'bench-export-'));
  try {
    const store = new LocalDatasetStore(dir);
    const location = 'v1';
    sample();
    const rssBefore = process.memoryUsage().rss;
    const t0 = performance.now();
    let rowsRead: number;
    let duplicates: number;
    let redactions: Record<PiiKind, number>;
    let files: ExportResult['files'];
    let counts: ExportResult['counts'];
    if (spec.mode === 'stream') {
      const options = { filters: {}, testShare: TEST_SHARE, formats: spec.formats, erased: [], ...(spec.batch ? { batch: spec.batch } : {}) };
      const built = await buildInWorkers({ databaseUrl: spec.url, store, storeRoot: dir, location, options }, { workers: spec.workers, heapMb: spec.heapMb });
      rowsRead = built.counts.rowsRead;
      duplicates = built.counts.duplicates.pairs;
      redactions = built.counts.redactions;
      files = built.files;
      counts = { records: built.counts.records, pairs: built.counts.pairs, sft: built.counts.sft, invalid: built.counts.invalid };
    } else {
      const naive = await naiveExport(d!.prisma, store, location);
      ({ rowsRead, duplicates, redactions, files } = naive);
      const train = files.find((f) => f.path === 'dpo/train.jsonl')!.records;
      const test = files.find((f) => f.path === 'dpo/test.jsonl')!.records;
      counts = { records: { dpo: { train, test } }, pairs: { total: train + test, bySource: {}, byLanguage: {}, bySplit: { train, test } }, sft: { total: 0, fromPairs: 0, imported: 0 }, invalid: {} };
    }
    const wallMs = performance.now() - t0;
    sample();
    clearInterval(timer);
    return {
      mode: spec.mode,
      formats: spec.formats,
      wallMs: Math.round(wallMs),
      rowsRead,
      rowsPerSecond: Math.round((rowsRead * 1000) / wallMs),
      peakRssBytes: process.resourceUsage().maxRSS * 1024,
      sampledPeakRssBytes: sampledPeak,
      sampledPeakHeapUsedBytes: heapPeak,
      samples,
      rssBeforeBytes: rssBefore,
      bytesWritten: files.reduce((t, f) => t + f.bytes, 0),
      records: files.reduce((t, f) => t + f.records, 0),
      duplicatesDropped: duplicates,
      redactions,
      files,
      counts,
    };
  } finally {
    clearInterval(timer);
    rmSync(dir, { recursive: true, force: true });
    await d?.close();
  }
}

const RESULT_MARK = 'bench-export-result ';

if (args.child) {
  console.log(RESULT_MARK + JSON.stringify(await runChild(JSON.parse(args.child) as ChildSpec)));
  process.exit(0);
}

/** One export in a fresh process of its own (this file, `--child`). */
const exportInChild = (spec: ChildSpec) => resultOfChild<ExportResult>(fileURLToPath(import.meta.url), ['--child', JSON.stringify(spec)], RESULT_MARK, 'export');

// ---- generation ---------------------------------------------------------------------------------

const EN_WORDS = (
  'the a an of to in for on with by from at as is are was be can will should may use using make sure first then next finally ' +
  'model data training reply answer question user assistant prompt example function value list table file code error result ' +
  'step method approach simple better faster clear short long small large common useful important different same each every ' +
  'you your we our it its this that these those which when where how why what if because so but and or not also only just ' +
  'write read run check test build change keep add remove return call set get open close start stop find show explain help ' +
  'time memory speed database query index page row column key text string number date language word sentence paragraph ' +
  'python javascript server client request response network cache log config option default version release update install'
).split(' ');
const EN_CODE = ['`npm install`', '`SELECT * FROM users`', '`const x = "a\\\\b";`', '`git status`', '`print("hello")`', '`{"key": "value"}`'];
const ZH_CHARS =
  '的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经' +
  '十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相' +
  '全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果' +
  '料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则' +
  '任取据处理世车模型数据训练回答问题用户助手示例函数列表文件代码错误结果步骤方法简单清楚重要不同检查测试构建修改添加删除返回调用设置获取';
const ZH_PUNCT = ['，', '，', '，', '、', '；'];

function buildPools(s: number) {
  const rand = prng(s);
  const int = (lo: number, hi: number) => lo + Math.floor(rand() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)]!;
  const enSentence = () => {
    const n = int(6, 18);
    const words = Array.from({ length: n }, () => (rand() < 0.02 ? pick(EN_CODE) : pick(EN_WORDS)));
    for (let i = 2; i < n - 2; i++) if (rand() < 0.08) words[i] += ',';
    const s = words.join(' ');
    return s[0]!.toUpperCase() + s.slice(1) + (rand() < 0.1 ? '!' : '.');
  };
  const zhSentence = () => {
    let out = '';
    const clauses = int(1, 3);
    for (let c = 0; c < clauses; c++) {
      const n = int(5, 14);
      for (let i = 0; i < n; i++) out += ZH_CHARS[Math.floor(rand() * ZH_CHARS.length)]!;
      if (c < clauses - 1) out += pick(ZH_PUNCT);
    }
    if (rand() < 0.05) out += ' ' + pick(EN_CODE) + ' ';
    return out + (rand() < 0.1 ? '！' : '。');
  };
  /** 100–400 characters: sentences, sometimes a bulleted list (line breaks for JSON to escape). */
  const paragraph = (sentence: () => string, sep: string) => {
    const target = int(100, 400);
    const list = rand() < 0.15;
    let out = '';
    while (out.length < target) out += (out ? (list ? '\n- ' : sep) : list ? '- ' : '') + sentence();
    return out.length > 400 ? out.slice(0, 399).trimEnd() + (sep ? '.' : '。') : out;
  };
  const question = (lang: 'en' | 'zh') => {
    if (lang === 'en') {
      const s = enSentence().slice(0, -1);
      return pick(['How do I ', 'Can you explain ', 'What is the best way to ', 'Why does ', 'Please help me ']) + s[0]!.toLowerCase() + s.slice(1) + '?' + (rand() < 0.3 ? ' ' + enSentence() : '');
    }
    return pick(['请问', '怎么', '能不能解释一下', '为什么', '帮我看看']) + zhSentence().slice(0, -1) + '？';
  };
  const paragraphs = [...Array.from({ length: PARAGRAPHS }, () => paragraph(enSentence, ' ')), ...Array.from({ length: PARAGRAPHS }, () => paragraph(zhSentence, ''))];
  const questions = [...Array.from({ length: QUESTIONS }, () => question('en')), ...Array.from({ length: QUESTIONS }, () => question('zh'))];
  return { paragraphs, questions };
}

/** A hash of the row number (or prompt number) `x` with `salt`: a non-negative bigint, uniform. */
const h = (x: string, salt: number) => `abs(hashint8extended(${x}, ${salt}))`;

/**
 * PII appended to a reply in ~2% of texts, chosen by hash of the content number `k`: e-mail
 * (40%), Chinese mobile contiguous (30%), Chinese mobile written 3-4-4 with spaces (10%), North
 * American phone `(415) 555-0123` (20%). Returns the expression and its kind's condition.
 */
function piiSql(salt: number) {
  const roll = h('x.k', salt);
  const kind = h('x.k', salt + 1) + ' % 10';
  const digits9 = `lpad(((x.k * 7919) % 1000000000)::text, 9, '0')`;
  const mobile = `('1' || (3 + x.k % 7)::text || ${digits9})`;
  const expr = `CASE WHEN ${roll} % 100 < 2 THEN CASE
      WHEN ${kind} < 4 THEN (CASE WHEN x.zh THEN '请发邮件到 ' ELSE ' You can write to me at ' END) || 'user' || x.k || '@example.com' || (CASE WHEN x.zh THEN ' 。' ELSE '.' END)
      WHEN ${kind} < 7 THEN (CASE WHEN x.zh THEN '我的手机号是' ELSE ' My number is ' END) || ${mobile} || (CASE WHEN x.zh THEN '。' ELSE '.' END)
      WHEN ${kind} < 8 THEN (CASE WHEN x.zh THEN '电话 ' ELSE ' Phone: ' END) || substr(${mobile}, 1, 3) || ' ' || substr(${mobile}, 4, 4) || ' ' || substr(${mobile}, 8, 4) || (CASE WHEN x.zh THEN '。' ELSE '.' END)
      ELSE (CASE WHEN x.zh THEN '美国电话 ' ELSE ' Call me on ' END) || '(415) 555-' || lpad((x.k % 10000)::text, 4, '0') || (CASE WHEN x.zh THEN '。' ELSE '.' END)
    END ELSE '' END`;
  return { expr, roll, kind };
}

/** The rows: `k` (content number) is g, or g − 1 for a duplicate of the previous row (~1%, never two in a row). */
const ROWS = (lo: string, hi: string) => `
  SELECT g, CASE WHEN g > 1 AND ${h('g', 1)} % 100 = 0 AND ${h('g - 1', 1)} % 100 <> 0 THEN g - 1 ELSE g END AS k
  FROM generate_series(${lo}::bigint, ${hi}::bigint) AS g`;

function pairsInsert(prompts: number) {
  const zh = `${h('p', 3)} % 100 < 20`;
  const chosenPii = piiSql(20);
  const rejectedPii = piiSql(30);
  const owner = `'u_' || left(md5('user:' || (x.conv % ${USERS})), 24)`;
  const reviewer = (salt: number) => `'u_' || left(md5('user:' || (${h('x.k', salt)} % ${REVIEWERS})), 24)`;
  const para = (alias: string, key: string, salt: number) => `JOIN bench_paragraph ${alias} ON ${alias}.id = (CASE WHEN x.zh THEN ${PARAGRAPHS} ELSE 0 END) + ${h(key, salt)} % ${PARAGRAPHS}`;
  const question = (alias: string, salt: number) => `JOIN bench_question ${alias} ON ${alias}.id = (CASE WHEN x.zh THEN ${QUESTIONS} ELSE 0 END) + ${h('x.p', salt)} % ${QUESTIONS}`;
  const sep = (salt: number) => `(CASE WHEN x.zh THEN '' WHEN ${h('x.k', salt)} % 2 = 0 THEN E'\\n\\n' ELSE ' ' END)`;
  const turn = (role: string, content: string) => `jsonb_build_object('role', '${role}', 'content', ${content})`;
  const system = `(CASE WHEN x.zh THEN '你是 Dialoop，一个乐于助人的助手。请用中文简洁地回答。' ELSE 'You are Dialoop, a helpful assistant. Answer briefly and accurately.' END)`;
  return `
WITH s AS (${ROWS('$1', '$2')}),
r AS (SELECT g, k, ${h('k', 2)} % ${prompts} AS p FROM s),
x AS (
  SELECT g, k, p, ${zh} AS zh, 1 + ${h('p', 4)} % 3 AS turns, ${h('p', 5)} % ${CONVERSATIONS} AS conv, ${h('k', 6)} % 100 AS src, ${h('k', 7)} AS hk
  FROM r
)
INSERT INTO "PreferencePair" ("id", "createdAt", "source", "conversationId", "promptMessageId", "ownerPseudonym", "authors", "prompt",
  "chosen", "rejected", "margin", "agreement", "chosenModel", "rejectedModel", "language", "promptKey", "pairKey")
SELECT
  md5('pair:' || x.g)::uuid,
  $3::timestamptz - make_interval(secs => (x.hk % 7776000)::double precision),
  (CASE WHEN x.src < 45 THEN 'COMPARISON' WHEN x.src < 75 THEN 'RANKING' WHEN x.src < 90 THEN 'RATING' ELSE 'CORRECTION' END)::"PreferenceSource",
  md5('conv:' || x.conv)::uuid,
  md5('message:' || x.p)::uuid,
  ${owner},
  CASE WHEN x.src < 75 THEN (ARRAY[${reviewer(40)}, ${reviewer(41)}, ${reviewer(42)}])[1:(1 + x.hk % 3)::int] ELSE ARRAY[${owner}] END,
  CASE x.turns
    WHEN 1 THEN jsonb_build_array(${turn('user', 'q1.t')})
    WHEN 2 THEN jsonb_build_array(${turn('system', system)}, ${turn('user', 'q1.t')})
    ELSE jsonb_build_array(${turn('user', 'q2.t')}, ${turn('assistant', 'a.t')}, ${turn('user', 'q1.t')})
  END,
  c1.t || ${sep(50)} || c2.t || ${chosenPii.expr},
  r1.t || ${sep(51)} || r2.t || ${rejectedPii.expr},
  CASE WHEN x.src < 75 THEN (1 + x.hk % 3)::double precision WHEN x.src < 90 THEN (1 + x.hk % 4)::double precision ELSE 1 END,
  CASE WHEN x.src < 75 THEN 0.5 + (x.hk % 51) / 100.0 ELSE NULL END,
  CASE WHEN x.src >= 90 THEN NULL ELSE (ARRAY['dialoop-tiny-2026-10', 'dialoop-tiny-2026-11', 'dialoop-small-2026-11'])[(1 + (x.hk / 7) % 3)::int] END,
  (ARRAY['dialoop-tiny-2026-10', 'dialoop-tiny-2026-11', 'dialoop-small-2026-11'])[(1 + (x.hk / 11) % 3)::int],
  CASE WHEN x.zh THEN 'zh' ELSE 'en' END,
  md5('prompt:' || x.p) || md5('prompt-key:' || x.p),
  md5('pair:' || x.k) || md5('pair-key:' || x.k)
FROM x
${question('q1', 60)}
${question('q2', 61)}
${para('a', 'x.p', 62)}
${para('c1', 'x.k', 63)}
${para('c2', 'x.k', 64)}
${para('r1', 'x.k', 65)}
${para('r2', 'x.k', 66)}`;
}

/** The PII the generator planted in the rows an export keeps (duplicates left out), by kind; from the row numbers alone. */
function plantedSql(prompts: number) {
  const count = (p: ReturnType<typeof piiSql>, lo: number, hi: number) => `count(*) FILTER (WHERE ${p.roll} % 100 < 2 AND ${p.kind} >= ${lo} AND ${p.kind} < ${hi})`;
  const c = piiSql(20);
  const r = piiSql(30);
  const both = (lo: number, hi: number) => `${count(c, lo, hi)} + ${count(r, lo, hi)}`;
  return `
WITH s AS (${ROWS('1', '$1')}),
x AS (SELECT g, k, ${h('k', 2)} % ${prompts} AS p FROM s WHERE k = g)
SELECT count(*)::int AS kept, (${both(0, 4)})::int AS email, (${both(4, 7)})::int AS "mobileContiguous",
  (${both(7, 8)})::int AS "mobileSpaced", (${both(8, 10)})::int AS "northAmerican",
  count(DISTINCT p)::int AS prompts
FROM x`;
}

interface Generated {
  pairs: number;
  prompts: number;
  seconds: number;
  poolsSeconds: number;
  usersAndConversationsSeconds: number;
  insertSeconds: number;
  vacuumAnalyzeSeconds: number;
  pairsPerSecond: number;
  tableMB: number;
  indexesMB: number;
  rows: { total: number; duplicates: number; zh: number; bySource: Record<string, number>; promptTurns: Record<string, number>; chosenChars: { avg: number; min: number; max: number } };
  plantedInKept: { kept: number; email: number; mobileContiguous: number; mobileSpaced: number; northAmerican: number; prompts: number };
}

async function generate(d: Database, n: number): Promise<Generated> {
  const prompts = Math.max(1, Math.round(n / PAIRS_PER_PROMPT));
  const exec = (sql: string, ...params: unknown[]) => d.prisma.$executeRawUnsafe(sql, ...params);
  const t0 = performance.now();
  const { paragraphs, questions } = buildPools(seed);
  await exec('CREATE TABLE bench_paragraph (id int PRIMARY KEY, t text NOT NULL)');
  await exec('CREATE TABLE bench_question (id int PRIMARY KEY, t text NOT NULL)');
  await exec('INSERT INTO bench_paragraph SELECT * FROM unnest($1::int[], $2::text[])', paragraphs.map((_, i) => i), paragraphs);
  await exec('INSERT INTO bench_question SELECT * FROM unnest($1::int[], $2::text[])', questions.map((_, i) => i), questions);
  await exec('ANALYZE bench_paragraph');
  await exec('ANALYZE bench_question');
  const t1 = performance.now();
  await exec(`INSERT INTO "User" ("id", "email", "name", "role", "updatedAt")
    SELECT md5('user:' || i)::uuid, 'person' || i || '@bench.local', 'Person ' || i, (CASE WHEN i < ${REVIEWERS} THEN 'REVIEWER' ELSE 'USER' END)::"Role", now()
    FROM generate_series(0, ${USERS - 1}) AS i`);
  await exec(`INSERT INTO "Conversation" ("id", "userId", "title", "updatedAt")
    SELECT md5('conv:' || c)::uuid, md5('user:' || (c % ${USERS}))::uuid, 'Conversation ' || c, now()
    FROM generate_series(0, ${CONVERSATIONS - 1}) AS c`);
  const t2 = performance.now();
  // Ranges inserted at once, one a connection: PostgreSQL builds the rows on every core.
  const sql = pairsInsert(prompts);
  const end = new Date().toISOString();
  const step = Math.ceil(n / genWorkers);
  let done = 0;
  const ticker = setInterval(() => console.log(`   generating: ${((performance.now() - t2) / 1000).toFixed(0)} s…`), 30_000);
  try {
    await Promise.all(
      Array.from({ length: genWorkers }, async (_, w) => {
        const lo = w * step + 1;
        const hi = Math.min(n, (w + 1) * step);
        if (lo > hi) return;
        await exec(sql, lo, hi, end);
        done += hi - lo + 1;
      }),
    );
  } finally {
    clearInterval(ticker);
  }
  const t3 = performance.now();
  await exec('DROP TABLE bench_paragraph');
  await exec('DROP TABLE bench_question');
  await exec('VACUUM (ANALYZE) "PreferencePair"');
  const t4 = performance.now();
  const one = async <T>(q: string, ...p: unknown[]) => (await d.prisma.$queryRawUnsafe<T[]>(q, ...p))[0]!;
  const size = await one<{ table: bigint; indexes: bigint }>(`SELECT pg_table_size('"PreferencePair"') AS "table", pg_indexes_size('"PreferencePair"') AS "indexes"`);
  const stats = await one<{ total: number; distinct: number; zh: number; avg: number; min: number; max: number }>(`
    SELECT count(*)::int AS total, count(DISTINCT ("promptKey", "pairKey"))::int AS "distinct", count(*) FILTER (WHERE language = 'zh')::int AS zh,
      avg(char_length(chosen))::float8 AS avg, min(char_length(chosen))::int AS min, max(char_length(chosen))::int AS max
    FROM "PreferencePair"`);
  const bySource = await d.prisma.$queryRawUnsafe<{ s: string; n: number }[]>(`SELECT source::text AS s, count(*)::int AS n FROM "PreferencePair" GROUP BY 1 ORDER BY 1`);
  const turns = await d.prisma.$queryRawUnsafe<{ t: number; n: number }[]>(`SELECT jsonb_array_length(prompt) AS t, count(*)::int AS n FROM "PreferencePair" GROUP BY 1 ORDER BY 1`);
  const planted = await one<Generated['plantedInKept']>(plantedSql(prompts), n);
  if (done !== n || stats.total !== n) throw new Error(`generated ${stats.total} pairs, expected ${n}`);
  return {
    pairs: n,
    prompts: planted.prompts,
    seconds: r1((t4 - t0) / 1000),
    poolsSeconds: r1((t1 - t0) / 1000),
    usersAndConversationsSeconds: r1((t2 - t1) / 1000),
    insertSeconds: r1((t3 - t2) / 1000),
    vacuumAnalyzeSeconds: r1((t4 - t3) / 1000),
    pairsPerSecond: Math.round((n * 1000) / (t3 - t2)),
    tableMB: mb(Number(size.table)),
    indexesMB: mb(Number(size.indexes)),
    rows: {
      total: stats.total,
      duplicates: stats.total - stats.distinct,
      zh: stats.zh,
      bySource: Object.fromEntries(bySource.map((b) => [b.s, b.n])),
      promptTurns: Object.fromEntries(turns.map((t) => [String(t.t), t.n])),
      chosenChars: { avg: Math.round(stats.avg), min: stats.min, max: stats.max },
    },
    plantedInKept: planted,
  };
}

async function freshDatabase(n: number) {
  const db: TestDatabase = await createTestDatabase();
  defer(() => db.drop());
  const d = await openDatabase({ databaseUrl: db.url });
  defer(() => d.close());
  const postgres = (await d.prisma.$queryRawUnsafe<{ v: string }[]>('SELECT version() AS v'))[0]!.v.split(' on ')[0]!;
  console.log(`Generating ${fmt(n)} pairs in a fresh database (${postgres})…`);
  const generated = await generate(d, n);
  const g = generated;
  console.log(`   ${fmt(g.pairs)} pairs (${fmt(g.prompts)} prompts, ${fmt(g.rows.duplicates)} duplicates, ${fmt(g.rows.zh)} Chinese) in ${g.seconds} s: ` +
    `pools ${g.poolsSeconds} s, users and conversations ${g.usersAndConversationsSeconds} s, INSERT … SELECT ${g.insertSeconds} s (${fmt(g.pairsPerSecond)} pairs/s), ` +
    `VACUUM (ANALYZE) ${g.vacuumAnalyzeSeconds} s; table ${g.tableMB} MB, indexes ${g.indexesMB} MB (not part of the export's time)`);
  // The measured export is the child's; this connection stays idle meanwhile.
  return { db, d, postgres, generated };
}

// ---- run ----------------------------------------------------------------------------------------
/** The commit and uncommitted changes this run measured, the machine, and the load average when each part began and ended. */
const { commit, dirty, changes, machine, date, load, noteLoad } = runInfo();
const params = { quick, pairs, baselinePairs, rounds, allFormats, batch: batch ?? 'builder default (1000)', heapMb, workers, testShare: TEST_SHARE, genWorkers, seed, users: USERS, conversations: CONVERSATIONS, pairsPerPrompt: PAIRS_PER_PROMPT, filters: {}, erased: [] };
console.log(`bench:export — ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, node ${process.version}, commit ${commit}, ${date}`);
console.log(`${fmt(pairs)} pairs exported to DPO${allFormats ? ' (and to all five formats)' : ''}; streaming vs findMany baseline on ${fmt(baselinePairs)} pairs, ${rounds} round(s) each\n`);

interface Part {
  name: string;
  pairs: number;
  run: ExportResult;
}
let large: Awaited<ReturnType<typeof freshDatabase>>['generated'] | undefined;
let small: Awaited<ReturnType<typeof freshDatabase>>['generated'] | undefined;
let postgres = '';
const parts: Part[] = [];
const comparison: { stream: ExportResult[]; baseline: ExportResult[] } = { stream: [], baseline: [] };
let failure: unknown;
try {
  {
    const big = await freshDatabase(pairs);
    large = big.generated;
    postgres = big.postgres;
    noteLoad('exportStart');
    console.log(`Exporting ${fmt(pairs)} pairs to DPO (streaming builder, child process)…`);
    parts.push({ name: `streaming builder (${workers} workers), DPO`, pairs, run: await exportInChild({ url: big.db.url, mode: 'stream', formats: ['dpo'], batch, heapMb, workers }) });
    noteLoad('exportEnd');
    if (allFormats) {
      console.log(`Exporting ${fmt(pairs)} pairs to all five formats…`);
      parts.push({ name: 'streaming builder, all five formats', pairs, run: await exportInChild({ url: big.db.url, mode: 'stream', formats: ALL_FORMATS, batch, heapMb, workers }) });
      noteLoad('allFormatsEnd');
    }
    await big.d.close();
    await big.db.drop();
  }
  {
    const few = await freshDatabase(baselinePairs);
    small = few.generated;
    noteLoad('comparisonStart');
    for (let r = 0; r < rounds; r++) {
      const order = r % 2 === 0 ? (['stream', 'baseline'] as const) : (['baseline', 'stream'] as const);
      for (const mode of order) {
        console.log(`Exporting ${fmt(baselinePairs)} pairs to DPO (${mode === 'stream' ? 'streaming builder' : 'findMany baseline'}, round ${r + 1})…`);
        comparison[mode].push(await exportInChild({ url: few.db.url, mode, formats: ['dpo'], batch, heapMb, workers }));
      }
    }
    noteLoad('comparisonEnd');
  }
} catch (err) {
  failure = err;
} finally {
  await cleanup();
}
if (failure) throw failure;

const fastest = (xs: ExportResult[]) => xs.reduce((a, b) => (b.wallMs < a.wallMs ? b : a));
const streamSmall = fastest(comparison.stream);
const baselineSmall = fastest(comparison.baseline);
parts.push({ name: `streaming builder, DPO (like for like)`, pairs: baselinePairs, run: streamSmall });
parts.push({ name: `findMany baseline, DPO`, pairs: baselinePairs, run: baselineSmall });

const row = (p: Part) => ({
  pairs: fmt(p.pairs),
  's': r2(p.run.wallMs / 1000),
  'rows/s': fmt(p.run.rowsPerSecond),
  'peak RSS MB': mb(p.run.peakRssBytes),
  'sampled peak MB': mb(p.run.sampledPeakRssBytes),
  'RSS before MB': mb(p.run.rssBeforeBytes),
  'MB written': mb(p.run.bytesWritten),
  records: fmt(p.run.records),
  'dups dropped': fmt(p.run.duplicatesDropped),
  redactions: fmt(Object.values(p.run.redactions).reduce((a, b) => a + b, 0)),
});
console.log(`\nExport of preference pairs (child process each; peak RSS = process.resourceUsage().maxRSS; MB = 10^6 bytes)`);
const table: Record<string, ReturnType<typeof row> | Record<string, string>> = {};
for (const p of parts) table[p.name] = row(p);
const ratio = (a: number, b: number) => `${(a / b).toFixed(2)}x`;
table['ratio baseline / streaming'] = {
  pairs: fmt(baselinePairs),
  s: ratio(baselineSmall.wallMs, streamSmall.wallMs),
  'rows/s': ratio(baselineSmall.rowsPerSecond, streamSmall.rowsPerSecond),
  'peak RSS MB': ratio(baselineSmall.peakRssBytes, streamSmall.peakRssBytes),
  'sampled peak MB': ratio(baselineSmall.sampledPeakRssBytes, streamSmall.sampledPeakRssBytes),
  'RSS before MB': ratio(baselineSmall.rssBeforeBytes, streamSmall.rssBeforeBytes),
};
console.table(table);
const sameOutput = JSON.stringify(streamSmall.files.map((f) => [f.path, f.sha256])) === JSON.stringify(baselineSmall.files.map((f) => [f.path, f.sha256]));
console.log(`   The baseline (one findMany of every row, then the builder's per-record work) runs on ${fmt(baselinePairs)} pairs, as does the streaming row above it ` +
  `(a second database, same generator), so the ratio is like for like; fastest of ${rounds} interleaved run(s) each. Identical DPO files (SHA-256): ${sameOutput}.`);
const dpo = parts[0]!.run;
const planted = large!.plantedInKept;
const plantedPhones = planted.mobileContiguous + planted.mobileSpaced + planted.northAmerican;
console.log(`   Redactions at ${fmt(pairs)} pairs: e-mail ${fmt(dpo.redactions.email)} of ${fmt(planted.email)} planted; phone ${fmt(dpo.redactions.phone)} of ${fmt(plantedPhones)} planted ` +
  `(${fmt(planted.mobileContiguous)} Chinese mobile contiguous, ${fmt(planted.mobileSpaced)} Chinese mobile 3-4-4 with spaces, ${fmt(planted.northAmerican)} "(415) 555-0123"); ` +
  `bank card ${dpo.redactions.bankCard}, ID card ${dpo.redactions.idCard}.`);
for (const p of parts.slice(0, allFormats ? 2 : 1)) {
  console.log(`   ${p.name}: ${p.run.files.map((f) => `${f.path} ${fmt(f.records)} records ${mb(f.bytes)} MB`).join(', ')}`);
}

// ---- goals --------------------------------------------------------------------------------------
const goals = [
  { met: dpo.wallMs / 1000 <= GOAL_SECONDS, text: `export of ${fmt(pairs)} pairs to DPO <= ${GOAL_SECONDS} s: ${r2(dpo.wallMs / 1000)} s (${fmt(dpo.rowsPerSecond)} rows/s)` },
  { met: dpo.peakRssBytes <= GOAL_MB * 1e6, text: `peak memory <= ${GOAL_MB} MB: ${mb(dpo.peakRssBytes)} MB peak RSS of the export's process (sampled ${mb(dpo.sampledPeakRssBytes)} MB; ${mb(dpo.rssBeforeBytes)} MB before it began)` },
];
const at1M = pairs >= 1_000_000;
console.log(`\nGoals${at1M ? '' : ` (set for 1,000,000 pairs; this run exported ${fmt(pairs)})`}:`);
for (const g of goals) console.log(`  ${g.met ? 'MET    ' : 'NOT MET'} ${g.text}`);
console.log(`1-minute load average at points of the run (${machine.cores} = all cores busy): ${JSON.stringify(load)}`);

const results = {
  date,
  commit,
  dirty,
  uncommitted: changes,
  machine,
  node: process.version,
  postgres,
  params,
  loadAverage: load,
  generation: { large, small },
  exports: parts.map((p) => ({ name: p.name, pairs: p.pairs, ...p.run, seconds: r2(p.run.wallMs / 1000), peakRssMB: mb(p.run.peakRssBytes), sampledPeakRssMB: mb(p.run.sampledPeakRssBytes), bytesWrittenMB: mb(p.run.bytesWritten) })),
  comparison: {
    pairs: baselinePairs,
    note: 'the findMany baseline and the streaming builder on the same database of baselinePairs pairs; the fastest of the interleaved runs each',
    identicalOutput: sameOutput,
    ratios: {
      wall: r2(baselineSmall.wallMs / streamSmall.wallMs),
      peakRss: r2(baselineSmall.peakRssBytes / streamSmall.peakRssBytes),
    },
    runs: comparison,
  },
  redactionCheck: { pairs, planted, redacted: dpo.redactions },
  goals: { at: pairs, goalsAreFor: 1_000_000, seconds: GOAL_SECONDS, megabytes: GOAL_MB, list: goals },
};
// A --quick smoke run leaves the committed results alone.
const out = quick ? mkdtempSync(join(tmpdir(), 'bench-export-results-')) : join(ROOT, 'tests', 'bench', 'results');
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'export.json'), JSON.stringify(results, null, 2) + '\n');
console.log(`\nwrote ${join(out, 'export.json')}`);
