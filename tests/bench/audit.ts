/**
 * `pnpm bench:audit`: what the audit trail costs on the write path, and how fast it verifies and
 * reads at a million entries.
 *
 * 1. Added latency of auditing on `sendMessage`: two api processes on two fresh databases, one
 *    with AUDIT=on (the default) and one with AUDIT=off (records nothing), both on one inference
 *    server (the default model, maxTokens 1, so the mutation measures the write path and not
 *    generation). The `sendMessage` round trip over HTTP is timed, the two servers interleaved
 *    round by round (the order alternating) after a warm-up; each reply is awaited (graphql-ws
 *    `messageStream`) before the next request, untimed, so nothing generates in the background.
 * 2. Chain verification: a fresh database is seeded with a valid chain of `--entries` (1,000,000)
 *    realistic entries spread over 100 days, hashed with the api's chain functions (bodyHash,
 *    linkHash) and inserted in bulk (INSERT … unnest, 10,000 rows a statement) with the chain
 *    trigger off for those statements (it would stamp every entry with the insert time), then
 *    VACUUM (ANALYZE). In a fresh process (this file with `--verify-db`, so that the heap the
 *    seeding churned through does not weigh on it), `AuditLog.verify()` over the whole range is
 *    timed twice (an AuditLog on @dialoop/db's PrismaClient and textRows, as the api builds it)
 *    and taken apart: the rows read alone (as `verify` reads them), decoded alone, and hashed from
 *    memory alone (`ChainWalker.entry`); then a third run under V8's profiler (`--profile off`
 *    skips it) says where the time goes.
 * 3. Query latency: `auditEntries(filter, first: 50)` over HTTP as compliance@demo.local (an api
 *    process on the seeded database, which appends its own entries through the trigger), for
 *    filters by actor, action, subject, outcome, a time window, a second page through `after`,
 *    and none; `--requests` (50) timed requests each, interleaved. Each call records an entry
 *    itself (an officer reading the trail is audited). Then `verifyAuditChain` once over GraphQL,
 *    with the api's /healthz timed meanwhile (the verifier hashes on the api's event loop).
 * Prints tables and the goals, and writes tests/bench/results/audit.json with the machine, commit
 * and settings (a --quick smoke run, 100,000 entries and 40 rounds, writes to a temporary
 * folder). Options: --part 1,2,3 (2 and 3 share the seeded database), --rounds, --warmup,
 * --entries, --requests, --seed, --profile on|off.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DEMO_PASSWORD, SEND, TEST_KEYS, connect, gqlOk, login, type Proc } from '@dialoop/api/testing';
import { openDatabase, type Database } from '@dialoop/db';
import { createTestDatabase, type TestDatabase } from '@dialoop/db/testing';
import type { Client } from 'graphql-ws';
import pino from 'pino';
import { AuditLog } from '../../api/src/modules/audit/audit.service.js';
import { ChainWalker, type EntryRecord, type Json } from '../../api/src/modules/audit/chain.js';
import { CheckpointSigner, Pseudonyms, parseSigningKey } from '../../api/src/modules/audit/keys.js';
import { seedChain, type Trail } from './audit-trail.js';
import { ROOT, cleanup, defer, ms, quantile, resultOfChild, runInfo, sleep, spawnApi, startInference } from './lib.js';

const { values: args } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    part: { type: 'string', default: '1,2,3' },
    rounds: { type: 'string' },
    warmup: { type: 'string' },
    entries: { type: 'string' },
    requests: { type: 'string', default: '50' },
    seed: { type: 'string', default: '20261128' },
    /** `off`: no third, profiled verification. */
    profile: { type: 'string', default: 'on' },
    /** Internal: part 2's measurement, run by the benchmark in a fresh process of its own on this database. */
    'verify-db': { type: 'string' },
  },
});
const quick = args.quick!;
const parts = new Set(args.part!.split(',').map(Number));
const rounds = Number(args.rounds ?? (quick ? '40' : '300'));
const warmup = Number(args.warmup ?? (quick ? '5' : '20'));
const entries = Number(args.entries ?? (quick ? '100000' : '1000000'));
const requests = Number(args.requests);
const seed = Number(args.seed);
const profileVerify = args.profile !== 'off';
const CHUNK = 10_000;
const GOAL_VERIFY_PER_S = 100_000;
const GOAL_QUERY_P50_MS = 50;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const perS = (n: number, msTaken: number) => Math.round((n * 1000) / msTaken);
const fmt = (n: number) => n.toLocaleString('en-US');
const stats = (xs: number[]) => ({ n: xs.length, p50Ms: ms(quantile(xs, 0.5)), p99Ms: ms(quantile(xs, 0.99)), meanMs: ms(xs.reduce((a, b) => a + b, 0) / xs.length), minMs: ms(quantile(xs, 0)), maxMs: ms(quantile(xs, 1)) });

async function testDatabase(): Promise<TestDatabase> {
  const db = await createTestDatabase();
  defer(() => db.drop());
  return db;
}

async function open(url: string): Promise<Database> {
  const d = await openDatabase({ databaseUrl: url });
  defer(() => d.close());
  return d;
}

// ---- processes ----------------------------------------------------------------------------------
// The api has the test secrets (TEST_KEYS): the pseudonyms and checkpoints seeded here use the same keys.
const startApi = (databaseUrl: string, inferenceUrl: string, env: Record<string, string> = {}) =>
  spawnApi({
    DATABASE_URL: databaseUrl,
    INFERENCE_URL: inferenceUrl,
    DEMO_PASSWORD,
    RATE_LIMIT_MESSAGES_PER_MINUTE: '100000',
    MAX_CONCURRENT_GENERATIONS: '1000',
    ACCESS_TOKEN_TTL_S: '86400',
    // No periodic checkpoint (a verification of the whole chain) in the middle of a measurement.
    AUDIT_CHECKPOINT_INTERVAL_S: '86400',
    ...env,
  });

// ---- GraphQL ------------------------------------------------------------------------------------
const STREAM = 'subscription($id: ID!) { messageStream(messageId: $id) { seq done status error { code message } } }';

/** Waits for the reply's final event (replayed when it already finished); its status. */
function waitReply(client: Client, id: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let status = 'NO FINAL EVENT';
    const timer = setTimeout(() => {
      dispose();
      reject(new Error(`reply ${id} did not finish within 60 s`));
    }, 60_000);
    const dispose = client.subscribe<{ messageStream: { done: boolean; status: string | null; error: { code: string } | null } }>({ query: STREAM, variables: { id } }, {
      next: (r) => {
        const e = r.data?.messageStream;
        if (e?.done) status = e.error ? `${e.status}:${e.error.code}` : (e.status ?? 'DONE');
      },
      error: (err: unknown) => {
        clearTimeout(timer);
        reject(err instanceof Error ? err : new Error(JSON.stringify(err)));
      },
      complete: () => {
        clearTimeout(timer);
        resolve(status);
      },
    });
  });
}

// ---- 1. added latency of auditing on sendMessage ------------------------------------------------
async function writePath() {
  const inference = await startInference();
  const model = ((await (await fetch(`${inference.url}/v1/models`)).json()) as { data: { id: string }[] }).data[0]!.id;
  const servers = [];
  for (const audit of ['on', 'off'] as const) {
    const db = await testDatabase();
    const api = await startApi(db.url, inference.url, { AUDIT: audit });
    const token = await login(api.url, 'user@demo.local');
    const client = await connect(api.url, token);
    defer(async () => client.dispose());
    servers.push({ audit, db, api, token, client, samples: [] as number[], statuses: new Map<string, number>() });
  }
  const prompts = ['Say hi.', 'What is 2 plus 3?', 'Name a colour.', 'Hello!'];
  const params = { maxTokens: 1, temperature: 0 };
  const started = performance.now();
  for (let r = -warmup; r < rounds; r++) {
    const order = r % 2 === 0 ? servers : [...servers].reverse();
    for (const s of order) {
      const t0 = performance.now();
      const sent = await gqlOk<{ sendMessage: { assistantMessage: { id: string } } }>(s.api.url, SEND, { input: { content: prompts[(r + warmup) % prompts.length], params } }, s.token);
      const took = performance.now() - t0;
      const status = await waitReply(s.client, sent.sendMessage.assistantMessage.id);
      if (r >= 0) {
        s.samples.push(took);
        s.statuses.set(status, (s.statuses.get(status) ?? 0) + 1);
      }
    }
  }
  const wallS = (performance.now() - started) / 1000;
  // What each database holds: the audited one an entry per action, the other none.
  const written: Record<string, number> = {};
  for (const s of servers) {
    const d = await openDatabase({ databaseUrl: s.db.url });
    try {
      const [row] = await d.prisma.$queryRawUnsafe<{ n: bigint }[]>(`SELECT count(*) AS n FROM "AuditEntry" WHERE "action" = 'sendMessage'`);
      written[s.audit] = Number(row?.n ?? 0);
    } finally {
      await d.close();
    }
  }
  const [on, off] = servers as [(typeof servers)[number], (typeof servers)[number]];
  const a = stats(on.samples);
  const b = stats(off.samples);
  for (const s of servers) await s.client.dispose();
  for (const s of servers) await s.api.stop();
  await inference.stop();
  return {
    model,
    params,
    rounds,
    warmupRounds: warmup,
    wallSeconds: Number(wallS.toFixed(1)),
    audited: { ...a, replyStatuses: Object.fromEntries(on.statuses), sendMessageEntriesWritten: written.on },
    notAudited: { ...b, replyStatuses: Object.fromEntries(off.statuses), sendMessageEntriesWritten: written.off },
    addedP50Ms: ms(a.p50Ms - b.p50Ms),
    addedP99Ms: ms(a.p99Ms - b.p99Ms),
    ratioP50: Number((a.p50Ms / b.p50Ms).toFixed(2)),
    ratioP99: Number((a.p99Ms / b.p99Ms).toFixed(2)),
  };
}

// ---- 2. a realistic chain, seeded (audit-trail.ts) ---------------------------------------------

/** An AuditLog as the api builds it on PostgreSQL: long verifications in worker threads (one per core, up to 4). */
function auditLogOn(d: Database, databaseUrl?: string) {
  const options = {
    db: d.prisma,
    textRows: d.textRows,
    parallel: databaseUrl ? { databaseUrl, workers: Math.min(availableParallelism(), 4), minEntries: 100_000 } : undefined,
    pseudonyms: new Pseudonyms(TEST_KEYS.PSEUDONYM_KEY),
    signer: new CheckpointSigner(parseSigningKey(TEST_KEYS.AUDIT_SIGNING_KEY)),
    previousKeys: [],
    enabled: true,
    log: pino({ level: 'silent' }),
  };
  return new AuditLog(options);
}

interface ProfileNode { id: number; callFrame: { functionName: string; url: string; lineNumber: number }; children?: number[] }

/** Self time of `fn` by package or file, and its busiest functions, as % of its busy time (V8's sampling profiler, in process). */
async function profiled<T>(fn: () => Promise<T>) {
  const session = new Session();
  session.connect();
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 250 });
    await session.post('Profiler.start');
    await fn();
    const { profile: p } = (await session.post('Profiler.stop')) as unknown as { profile: { nodes: ProfileNode[]; samples: number[]; timeDeltas: number[] } };
    const byId = new Map(p.nodes.map((n) => [n.id, n]));
    // The inspector session's own work (its `post`, e.g. writing the profile out) is not the verifier's.
    const parent = new Map<number, number>();
    for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    const inspector = new Set<number>();
    for (const n of p.nodes) {
      for (let at: number | undefined = n.id; at !== undefined; at = parent.get(at)) {
        if (byId.get(at)!.callFrame.url.startsWith('node:inspector')) {
          inspector.add(n.id);
          break;
        }
      }
    }
    const area = (url: string, name: string) => {
      if (!url) return name.startsWith('(') ? name : '(native)';
      const pkg = /node_modules\/\.pnpm\/[^/]+\/node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
      if (pkg) return pkg[1]!;
      if (url.startsWith('node:')) return url.split('/').slice(0, 2).join('/');
      const local = url.replace(/^file:\/\//, '');
      return local.startsWith(ROOT) ? local.slice(ROOT.length) : local;
    };
    const areas = new Map<string, number>();
    const fns = new Map<string, number>();
    let busy = 0;
    p.samples.forEach((id, i) => {
      const { functionName, url } = byId.get(id)!.callFrame;
      const us = p.timeDeltas[i] ?? 0;
      if (functionName === '(idle)' || functionName === '(program)' || inspector.has(id)) return;
      busy += us;
      const a = area(url, functionName);
      areas.set(a, (areas.get(a) ?? 0) + us);
      const f = `${functionName || '(anonymous)'} (${a})`;
      fns.set(f, (fns.get(f) ?? 0) + us);
    });
    const top = (m: Map<string, number>, k: number) =>
      [...m].sort((a, b) => b[1] - a[1]).slice(0, k).map(([name, us]) => ({ name, percent: Number(((100 * us) / busy).toFixed(1)) }));
    return { busySeconds: Number((busy / 1e6).toFixed(2)), byArea: top(areas, 12), topFunctions: top(fns, 15) };
  } finally {
    session.disconnect();
  }
}

/** What `AuditLog.verify` reads (audit.service.ts, VERIFY_SELECT): an entry's columns as text, 10,000 at a time. */
const VERIFY_SELECT = `SELECT "seq"::text, ((extract(epoch FROM "at") * 1000)::bigint)::text, "actorKind"::text, "actorPseudonym", "actorRole",
  "apiKeyId", "action", "subjectType", "subjectId", "subjectOwner", "outcome"::text, "requestId", "clientIp", "userAgent", "before"::text,
  "after"::text, "prevHash", "hash" FROM "AuditEntry" e WHERE e."seq" > $1 AND e."seq" <= $2 ORDER BY e."seq" LIMIT 10000`;

/** An entry from a VERIFY_SELECT row (its `bodyHash` left out: the walk recomputes it). */
const recordFrom = (x: (string | null)[]): EntryRecord => ({
  seq: Number(x[0]),
  at: new Date(Number(x[1])).toISOString(),
  actorKind: x[2] as EntryRecord['actorKind'],
  actorPseudonym: x[3] ?? null,
  actorRole: x[4] ?? null,
  apiKeyId: x[5] ?? null,
  action: x[6]!,
  subjectType: x[7] ?? null,
  subjectId: x[8] ?? null,
  subjectOwner: x[9] ?? null,
  outcome: x[10] as EntryRecord['outcome'],
  requestId: x[11] ?? null,
  clientIp: x[12] ?? null,
  userAgent: x[13] ?? null,
  before: x[14] === null ? null : (JSON.parse(x[14]!) as Json),
  after: x[15] === null ? null : (JSON.parse(x[15]!) as Json),
  bodyHash: '',
  prevHash: x[16]!,
  hash: x[17]!,
});

/**
 * `AuditLog.verify()` over everything, twice (the first run also warms the JIT up); then its
 * work taken apart, without the overlap `verify` has (it reads the next batch while it hashes
 * one): the same rows read as `verify` reads them (`Database.textRows`), batch by batch; decoded
 * (before/after parsed, an entry object each); hashed from memory by `ChainWalker.entry` (the
 * canonical body, its SHA-256, the link's SHA-256, the checks); and a third verification,
 * profiled.
 */
async function verification(d: Database, total: number, databaseUrl: string) {
  const audit = auditLogOn(d, databaseUrl);
  const runs = [];
  for (let i = 0; i < 2; i++) {
    const t = performance.now();
    const result = await audit.verify();
    const wallMs = performance.now() - t;
    runs.push({ ...result, wallMs: Math.round(wallMs), entriesPerSecond: perS(result.checked, wallMs) });
  }
  // The same verification on one thread (the path embedded PGlite, and short ranges, take), side by side.
  const single = auditLogOn(d);
  const t1 = performance.now();
  const one = await single.verify();
  const oneMs = performance.now() - t1;
  const singleThread = { ...one, wallMs: Math.round(oneMs), entriesPerSecond: perS(one.checked, oneMs) };

  const walker = new ChainWalker(undefined);
  let readMs = 0;
  let decodeMs = 0;
  let walkMs = 0;
  for (let cursor = 0; cursor < total && !walker.broken; ) {
    let t = performance.now();
    const rows = await d.textRows(VERIFY_SELECT, [cursor, total]);
    readMs += performance.now() - t;
    if (rows.length === 0) break;
    cursor = Number(rows[rows.length - 1]![0]);
    t = performance.now();
    const records = rows.map(recordFrom);
    decodeMs += performance.now() - t;
    t = performance.now();
    for (const r of records) if (walker.entry(r)) break;
    walkMs += performance.now() - t;
  }
  const n = walker.count;
  return {
    method: `AuditLog.verify() in a fresh process of the benchmark, as the api builds it on PostgreSQL: ${Math.min(availableParallelism(), 4)} worker threads`,
    runs,
    singleThread,
    /** Database.textRows with verify's query: PostgreSQL, the driver, text arrays; batches of 10,000, one at a time. */
    read: { rows: n, ms: Math.round(readMs), entriesPerSecond: perS(n, readMs) },
    /** before/after JSON.parse and an entry object per row. */
    decode: { rows: n, ms: Math.round(decodeMs), entriesPerSecond: perS(n, decodeMs) },
    /** ChainWalker.entry over entries in memory: canonical body, SHA-256 of the body and of the link, checks. */
    walk: { entries: n, valid: !walker.broken && n === total, broken: walker.broken ?? null, ms: Math.round(walkMs), entriesPerSecond: perS(n, walkMs) },
    /** Of the single-thread path (the workers' time is not in this thread's profile). */
    profile: profileVerify ? await profiled(() => single.verify()) : undefined,
  };
}

// ---- 3. filtered pages --------------------------------------------------------------------------
const ENTRIES = `query($f: AuditFilterInput, $first: Int, $after: String) {
  auditEntries(filter: $f, first: $first, after: $after) {
    edges { cursor node { seq at actor { kind pseudonym role apiKeyId } action subject { type id owner } outcome requestId clientIp userAgent before after prevHash hash } }
    pageInfo { hasNextPage endCursor }
  }
}`;
type Page = { auditEntries: { edges: { cursor: string }[]; pageInfo: { hasNextPage: boolean; endCursor: string | null } } };

async function queries(d: Database, trail: Trail, total: number, api: Proc) {
  const token = await login(api.url, 'compliance@demo.local');
  const one = async <T>(sql: string, ...params: unknown[]) => (await d.prisma.$queryRawUnsafe<T[]>(sql, ...params))[0]!;
  // A person of median activity, an action of middling frequency, a busy conversation, a person as a subject.
  const people = await d.prisma.$queryRawUnsafe<{ p: string }[]>(
    `SELECT "actorPseudonym" AS p FROM "AuditEntry" WHERE "actorKind" = 'USER' AND "seq" <= $1 GROUP BY 1 ORDER BY count(*), 1`, total);
  const actor = people[Math.floor(people.length / 2)]!.p;
  const { id: conversation } = await one<{ id: string }>(
    `SELECT "subjectId" AS id FROM "AuditEntry" WHERE "subjectType" = 'Conversation' AND "seq" <= $1 GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1`, total);
  const person = trail.people[150]!.pseudonym;
  const { at: midAt } = await one<{ at: Date }>(`SELECT "at" FROM "AuditEntry" WHERE "seq" = $1`, Math.floor(total / 2));
  const from = midAt.toISOString();
  const to = new Date(midAt.getTime() + 3_600_000).toISOString();
  // `extra`: beyond the filters the goal names (a combination, and none at all).
  const filters: { name: string; f: Record<string, string>; page2?: boolean; extra?: boolean }[] = [
    { name: 'actor (a pseudonym)', f: { actor } },
    { name: 'action rateMessage', f: { action: 'rateMessage' } },
    { name: 'subject Conversation + id (UUID)', f: { subjectType: 'Conversation', subjectId: conversation } },
    { name: 'subject User + pseudonym', f: { subjectType: 'User', subjectId: person } },
    { name: 'outcome DENIED', f: { outcome: 'DENIED' } },
    { name: 'actor + outcome DENIED', f: { actor, outcome: 'DENIED' }, extra: true },
    { name: 'time window (1 h, mid-range)', f: { from, to } },
    { name: 'action rateMessage, page 2 (after)', f: { action: 'rateMessage' }, page2: true },
    { name: 'no filter', f: {}, extra: true },
  ];
  // How many seeded entries each filter matches (SQL, for the table).
  const where = (f: Record<string, string>) => {
    const c: string[] = [`"seq" <= ${total}`];
    const p: unknown[] = [];
    const add = (sql: string, v: unknown) => {
      p.push(v);
      c.push(sql.replace('?', `$${p.length}`));
    };
    if (f.actor) add('"actorPseudonym" = ?', f.actor);
    if (f.action) add('"action" = ?', f.action);
    if (f.subjectType) add('"subjectType" = ?', f.subjectType);
    if (f.subjectId) add('"subjectId" = ?', f.subjectId);
    if (f.outcome) add('"outcome" = ?::"AuditOutcome"', f.outcome);
    if (f.from) add('"at" >= ?::timestamptz', f.from);
    if (f.to) add('"at" <= ?::timestamptz', f.to);
    return { sql: c.join(' AND '), p };
  };
  type Plan = (typeof filters)[number] & { matching: number; after: string | undefined; samples: number[]; returned: number };
  const pseudonyms = new Pseudonyms(TEST_KEYS.PSEUDONYM_KEY);
  /** PostgreSQL's plan for the page query `AuditLog.list` sends (its conditions, a time window as its seq range), and its execution time. */
  const explain = async (x: Plan) => {
    const c: string[] = [];
    const p: unknown[] = [];
    const add = (sql: string, v: unknown) => {
      p.push(v);
      c.push(sql.replace('?', `$${p.length}`));
    };
    const f = x.f;
    if (f.actor) add('"actorPseudonym" = ?', f.actor);
    if (f.action) add('"action" = ?', f.action);
    if (f.subjectType) add('"subjectType" = ?', f.subjectType);
    // An id that may be a person's is also looked for as their pseudonym (AuditLog.where).
    if (f.subjectId && UUID.test(f.subjectId)) add('"subjectId" = ANY(?::text[])', [f.subjectId, pseudonyms.user(f.subjectId)]);
    else if (f.subjectId) add('"subjectId" = ?', f.subjectId);
    if (f.outcome) add('"outcome" = ?::"AuditOutcome"', f.outcome);
    if (f.from) add('"seq" >= ?', Number((await one<{ s: bigint }>(`SELECT "seq" AS s FROM "AuditEntry" WHERE "at" >= $1::timestamptz ORDER BY "at" LIMIT 1`, f.from)).s));
    if (f.to) add('"seq" <= ?', Number((await one<{ s: bigint }>(`SELECT "seq" AS s FROM "AuditEntry" WHERE "at" <= $1::timestamptz ORDER BY "at" DESC LIMIT 1`, f.to)).s));
    if (x.after) add('"seq" <= ?', Number(x.after) - 1);
    const sql = `EXPLAIN (ANALYZE, FORMAT JSON) SELECT * FROM "AuditEntry"${c.length ? ` WHERE ${c.join(' AND ')}` : ''} ORDER BY "seq" DESC LIMIT 51`;
    const [row] = await d.prisma.$queryRawUnsafe<{ 'QUERY PLAN': unknown }[]>(sql, ...p);
    const json = row!['QUERY PLAN'];
    type Node = { 'Node Type': string; 'Index Name'?: string; Plans?: Node[] };
    const [top] = (typeof json === 'string' ? JSON.parse(json) : json) as { Plan: Node; 'Execution Time': number }[];
    const names: string[] = [];
    const walk = (n: Node) => {
      names.push(n['Index Name'] ? `${n['Node Type']} (${n['Index Name'].replace(/^AuditEntry_|_idx$/g, '')})` : n['Node Type']);
      n.Plans?.forEach(walk);
    };
    walk(top!.Plan);
    return { plan: names.join(' › '), executionMs: ms(top!['Execution Time']) };
  };
  const plans: Plan[] = [];
  for (const x of filters) {
    const w = where(x.f);
    const { n } = await one<{ n: bigint }>(`SELECT count(*) AS n FROM "AuditEntry" WHERE ${w.sql}`, ...w.p);
    let after: string | undefined;
    if (x.page2) after = (await gqlOk<Page>(api.url, ENTRIES, { f: x.f, first: 50 }, token)).auditEntries.pageInfo.endCursor ?? undefined;
    plans.push({ ...x, matching: Number(n), after, samples: [] as number[], returned: 0 });
  }
  const run = async (x: Plan) => {
    const t = performance.now();
    const page = await gqlOk<Page>(api.url, ENTRIES, { f: x.f, first: 50, ...(x.after ? { after: x.after } : {}) }, token);
    const took = performance.now() - t;
    x.returned = page.auditEntries.edges.length;
    return took;
  };
  for (let i = 0; i < 5; i++) for (const x of plans) await run(x);
  for (let i = 0; i < requests; i++) for (const x of plans) x.samples.push(await run(x));
  const filtersOut = [];
  for (const x of plans) {
    filtersOut.push({ name: x.name, extra: x.extra ?? false, filter: x.f, after: x.after ?? null, matching: x.matching, returned: x.returned, ...stats(x.samples), postgres: await explain(x) });
  }
  return { token, filters: filtersOut };
}

/**
 * `verifyAuditChain` once, as an officer would call it, while /healthz is requested every 50 ms:
 * how long the api's other requests wait while it verifies (its hashing runs on the event loop).
 */
async function verifyOverGraphql(api: Proc, token: string) {
  const idle: number[] = [];
  for (let i = 0; i < 20; i++) {
    const t = performance.now();
    await fetch(`${api.url}/healthz`).then((r) => r.arrayBuffer());
    idle.push(performance.now() - t);
  }
  const lags: number[] = [];
  let polling = true;
  const poller = (async () => {
    while (polling) {
      const t = performance.now();
      await fetch(`${api.url}/healthz`).then((r) => r.arrayBuffer(), () => undefined);
      lags.push(performance.now() - t);
      await sleep(50);
    }
  })();
  const t = performance.now();
  try {
    const r = await gqlOk<{ verifyAuditChain: { valid: boolean; checked: number; ms: number; broken: { seq: number; reason: string } | null } }>(
      api.url, 'query { verifyAuditChain { valid checked ms broken { seq reason } } }', {}, token);
    const wallMs = performance.now() - t;
    const v = r.verifyAuditChain;
    return {
      method: 'verifyAuditChain over GraphQL as compliance@demo.local (api child process)',
      ...v,
      wallMs: Math.round(wallMs),
      entriesPerSecond: perS(v.checked, wallMs),
      healthzBefore: { requests: idle.length, p50Ms: ms(quantile(idle, 0.5)), maxMs: ms(quantile(idle, 1)) },
      healthzDuringVerify: { requests: lags.length, p50Ms: ms(quantile(lags, 0.5)), p99Ms: ms(quantile(lags, 0.99)), maxMs: ms(quantile(lags, 1)) },
    };
  } finally {
    polling = false;
    await poller;
  }
}

const RESULT_MARK = 'bench-audit-verification ';

/**
 * Part 2 in a fresh process (this file, `--verify-db`): the verifier runs on a heap of its own, as
 * in an api process, not on one that has just built and sent a million entries.
 */
async function verificationInChild(databaseUrl: string, total: number): Promise<Awaited<ReturnType<typeof verification>>> {
  const args = ['--verify-db', databaseUrl, '--entries', String(total), '--profile', profileVerify ? 'on' : 'off'];
  return resultOfChild(fileURLToPath(import.meta.url), args, RESULT_MARK, 'verification');
}

if (args['verify-db']) {
  const d = await openDatabase({ databaseUrl: args['verify-db'] });
  try {
    console.log(RESULT_MARK + JSON.stringify(await verification(d, entries, args['verify-db'])));
  } finally {
    await d.close();
  }
  process.exit(0);
}

// ---- run ----------------------------------------------------------------------------------------
/** The commit and uncommitted changes this run measured, the machine, and the load average when each part began and ended. */
const { commit, dirty, changes, machine, load, noteLoad } = runInfo();
const params = { quick, parts: [...parts], rounds, warmupRounds: warmup, entries, requestsPerFilter: requests, pageSize: 50, seed, insertRowsPerStatement: CHUNK };
console.log(`bench:audit — ${machine.cpu}, ${machine.cores} cores, ${machine.memoryGiB} GiB, node ${process.version}, commit ${commit}`);
console.log(`parts ${[...parts].join(',')}: ${rounds} rounds (+${warmup} warm-up) of sendMessage; a chain of ${fmt(entries)} entries; ${requests} requests a filter\n`);

let writeCost: Awaited<ReturnType<typeof writePath>> | undefined;
let verify: Awaited<ReturnType<typeof verification>> | undefined;
let seeding: Record<string, number> | undefined;
let query: Omit<Awaited<ReturnType<typeof queries>>, 'token'> | undefined;
let verifyGraphql: Awaited<ReturnType<typeof verifyOverGraphql>> | undefined;
let postgres = '';
let failure: unknown;
try {
  if (parts.has(1)) {
    noteLoad('part1Start');
    writeCost = await writePath();
    noteLoad('part1End');
    const w = writeCost;
    console.log(`1. Added latency of auditing on sendMessage (HTTP round trip; ${w.model}, maxTokens 1; ${w.rounds} interleaved rounds, each reply awaited)`);
    console.table({
      'AUDIT=on': { 'p50 ms': w.audited.p50Ms, 'p99 ms': w.audited.p99Ms, 'mean ms': w.audited.meanMs, 'min ms': w.audited.minMs, 'max ms': w.audited.maxMs, 'sendMessage entries': w.audited.sendMessageEntriesWritten },
      'AUDIT=off': { 'p50 ms': w.notAudited.p50Ms, 'p99 ms': w.notAudited.p99Ms, 'mean ms': w.notAudited.meanMs, 'min ms': w.notAudited.minMs, 'max ms': w.notAudited.maxMs, 'sendMessage entries': w.notAudited.sendMessageEntriesWritten },
      'added (on − off)': { 'p50 ms': w.addedP50Ms, 'p99 ms': w.addedP99Ms, 'mean ms': ms(w.audited.meanMs - w.notAudited.meanMs), 'min ms': ms(w.audited.minMs - w.notAudited.minMs) },
      'ratio (on / off)': { 'p50 ms': `${w.ratioP50}x`, 'p99 ms': `${w.ratioP99}x` },
    });
    console.log(`   reply statuses: on ${JSON.stringify(w.audited.replyStatuses)}, off ${JSON.stringify(w.notAudited.replyStatuses)}\n`);
  }

  if (parts.has(2) || parts.has(3)) {
    const db = await testDatabase();
    const d = await open(db.url);
    postgres = (await d.prisma.$queryRawUnsafe<{ v: string }[]>('SELECT version() AS v'))[0]!.v.split(' on ')[0]!;
    // The trail ends an hour ago, so that what the api records next follows it in time too.
    const endMs = Date.now() - 3_600_000;
    console.log(`Seeding ${fmt(entries)} entries (${postgres})…`);
    const seeded = await seedChain(d, entries, endMs, { seed, chunk: CHUNK });
    const sd = {
      entries: seeded.inserted,
      seconds: Number(seeded.seedS.toFixed(1)),
      buildAndHashSeconds: Number(seeded.buildS.toFixed(1)),
      waitingForInsertsSeconds: Number(seeded.insertWaitS.toFixed(1)),
      vacuumAnalyzeSeconds: Number(seeded.vacuumS.toFixed(1)),
      entriesPerSecond: perS(seeded.inserted, seeded.seedS * 1000),
      tableMiB: seeded.tableMiB,
      indexesMiB: seeded.indexesMiB,
    };
    seeding = sd;
    console.log(`   seeded ${fmt(sd.entries)} entries in ${sd.seconds} s (${fmt(sd.entriesPerSecond)}/s: building and hashing ${sd.buildAndHashSeconds} s, ` +
      `waiting for inserts ${sd.waitingForInsertsSeconds} s), VACUUM (ANALYZE) ${sd.vacuumAnalyzeSeconds} s; table ${sd.tableMiB} MiB, indexes ${sd.indexesMiB} MiB (not measured)\n`);

    if (parts.has(2)) {
      noteLoad('part2Start');
      verify = await verificationInChild(db.url, entries);
      noteLoad('part2End');
      const v = verify;
      const row = (entries: number, valid: boolean | string, msTaken: number) => ({ entries, valid, seconds: ms(msTaken / 1000), 'entries/s': fmt(perS(entries, msTaken)) });
      console.log(`2. Chain verification over ${fmt(entries)} entries (${v.method})`);
      console.table({
        'AuditLog.verify(), first run': row(v.runs[0]!.checked, v.runs[0]!.valid, v.runs[0]!.wallMs),
        'AuditLog.verify(), second run': row(v.runs[1]!.checked, v.runs[1]!.valid, v.runs[1]!.wallMs),
        'AuditLog.verify() on one thread': row(v.singleThread.checked, v.singleThread.valid, v.singleThread.wallMs),
        '  reading alone (textRows, as verify reads)': row(v.read.rows, '', v.read.ms),
        '  decoding alone (JSON.parse, entry objects)': row(v.decode.rows, '', v.decode.ms),
        '  hashing alone (ChainWalker.entry, in memory)': row(v.walk.entries, v.walk.valid, v.walk.ms),
      });
      console.log(`   Goal: >= ${fmt(GOAL_VERIFY_PER_S)} entries/s.`);
      if (v.profile) {
        console.log(`   verify() on one thread, profiled: self time as % of ${v.profile.busySeconds} busy seconds, by package or file, and the busiest functions`);
        console.table(Object.fromEntries(v.profile.byArea.map((a) => [a.name, { '%': a.percent }])));
        console.table(Object.fromEntries(v.profile.topFunctions.map((a) => [a.name, { '%': a.percent }])));
      }
      console.log('');
    }

    if (parts.has(3)) {
      // Demo accounts (compliance@demo.local) are created on the empty user table; the api appends to the seeded chain.
      const api = await startApi(db.url, 'http://127.0.0.1:9');
      noteLoad('part3Start');
      const q = await queries(d, seeded.trail, entries, api);
      noteLoad('part3End');
      query = { filters: q.filters };
      console.log(`3. auditEntries(filter, first: 50) over HTTP as compliance@demo.local, ${fmt(entries)} entries, ${requests} requests a filter (each also records one entry)`);
      console.table(Object.fromEntries(q.filters.map((f) => [f.name + (f.extra ? ' *' : ''), { matching: f.matching, returned: f.returned, 'p50 ms': f.p50Ms, 'p99 ms': f.p99Ms, 'max ms': f.maxMs, 'PostgreSQL ms': f.postgres.executionMs }])));
      console.log(`   Goal: p50 <= ${GOAL_QUERY_P50_MS} ms for each filter the goal names (* marks the others). PostgreSQL ms: EXPLAIN ANALYZE of the page query alone. Its plans:`);
      console.table(Object.fromEntries(q.filters.map((f) => [f.name, { plan: f.postgres.plan }])));
      console.log('');
      if (parts.has(2)) {
        verifyGraphql = await verifyOverGraphql(api, q.token);
        const g = verifyGraphql;
        console.log(`   ${g.method}: ${fmt(g.checked)} entries (now with the api's own), valid ${g.valid}, ${ms(g.wallMs / 1000)} s, ${fmt(g.entriesPerSecond)} entries/s;`);
        console.log(`   meanwhile GET /healthz on that api took p50 ${g.healthzDuringVerify.p50Ms} ms, p99 ${g.healthzDuringVerify.p99Ms} ms, max ${g.healthzDuringVerify.maxMs} ms (${g.healthzDuringVerify.requests} requests; before: p50 ${g.healthzBefore.p50Ms} ms, max ${g.healthzBefore.maxMs} ms)\n`);
      }
      await api.stop();
    }
  }
} catch (err) {
  failure = err;
} finally {
  await cleanup();
}
if (failure) throw failure;

// ---- goals --------------------------------------------------------------------------------------
const goal = (met: boolean, text: string) => ({ met, text });
const goals = [];
if (verify) {
  const best = verify.runs.reduce((a, b) => (b.entriesPerSecond > a.entriesPerSecond ? b : a));
  goals.push(goal(best.valid && best.entriesPerSecond >= GOAL_VERIFY_PER_S,
    `chain verification >= ${fmt(GOAL_VERIFY_PER_S)} entries/s over ${fmt(entries)} entries: ${fmt(best.entriesPerSecond)} entries/s, the better of two runs (valid: ${best.valid})`));
}
if (query) {
  const slowest = (fs: typeof query.filters) => fs.reduce((a, b) => (b.p50Ms > a.p50Ms ? b : a));
  const named = slowest(query.filters.filter((f) => !f.extra));
  goals.push(goal(named.p50Ms <= GOAL_QUERY_P50_MS,
    `filtered page <= ${GOAL_QUERY_P50_MS} ms p50 on ${fmt(entries)} entries (actor, action, subject, outcome, time window, next page): slowest p50 ${named.p50Ms} ms (${named.name})`));
  const any = slowest(query.filters);
  if (any.extra) goals.push(goal(any.p50Ms <= GOAL_QUERY_P50_MS, `  and beyond the goal's filters: slowest p50 ${any.p50Ms} ms (${any.name})`));
}
if (goals.length) {
  console.log('Goals:');
  for (const g of goals) console.log(`  ${g.met ? 'MET    ' : 'NOT MET'} ${g.text}`);
}

console.log(`1-minute load average at the start and end of each part (2 = both cores busy): ${JSON.stringify(load)}`);
const results = { date: new Date().toISOString(), commit, dirty, uncommitted: changes, machine, node: process.version, postgres, params, loadAverage: load, writeCost, seeding, verification: verify ? { ...verify, graphql: verifyGraphql } : undefined, queries: query, goals };
// A --quick smoke run leaves the committed results alone.
const out = quick ? mkdtempSync(join(tmpdir(), 'bench-audit-')) : join(ROOT, 'tests', 'bench', 'results');
mkdirSync(out, { recursive: true });
writeFileSync(join(out, 'audit.json'), JSON.stringify(results, null, 2) + '\n');
console.log(`\nwrote ${join(out, 'audit.json')}`);
