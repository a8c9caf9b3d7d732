/**
 * `pnpm feedback` against a real api: chats become preference pairs through the review queue
 * (replies regenerated beside each other, items made by an admin, two reviewers agreeing on
 * PAIRWISE reviews), then the CLI, as a child process signed in as the demo ML engineer, builds
 * and downloads dataset versions and imports dialogue data.
 *
 * Checked: exit statuses; every file present and matching manifest.json (and manifest.json the
 * version's hash); DPO lines in TRL's conversational form; emails and phone numbers redacted in
 * every file; two exports of the same data byte-identical (content and split); a USER refused
 * with FORBIDDEN; the import report (duplicate, unreadable line, control character, no exchange)
 * and the imported dialogue in a later export's SFT set; downloads in the audit trail.
 */
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { splitOf } from '@dialoop/feedback';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_PASSWORD, SEND, collect, gqlOk, login, newUser, startApi, startInference, wsClient, type Proc, type TestApi } from './stack.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = 'api/scripts/feedback.ts';

const EMAIL = 'jane.roe@example.com';
const PHONE = '415-555-0134';
const PROMPTS = ['What is the capital of France?', '请用一句话介绍一下长城。', `My email is ${EMAIL} and my phone is +1 ${PHONE}. Write me a short greeting.`];

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI as `tsx api/scripts/feedback.ts …` would, from the repository root, with no DIALOOP_* settings but `extraEnv`. */
function cli(args: string[], extraEnv: Record<string, string> = {}): Promise<Run> {
  const env = { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('DIALOOP_') && k !== 'INIT_CWD')), ...extraEnv };
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the CLI did not finish in 60 s\n${stdout}\n${stderr}`));
    }, 60_000);
    child.once('error', reject);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

const sha256 = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

/** Every file under `dir`, as paths relative to it. */
function walk(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? walk(p).map((q) => join(name, q)) : [name];
  });
}

const jsonl = (path: string): any[] =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l));

/** The version number an export printed, and the folder it wrote. */
function versionOf(run: Run, out: string): { number: number; id: string; dir: string } {
  const m = /dataset version #(\d+)\b.*\(([0-9a-f-]{36})\)/.exec(run.stdout);
  expect(m, `no version in the output:\n${run.stdout}\n${run.stderr}`).not.toBeNull();
  return { number: Number(m![1]), id: m![2]!, dir: join(out, m![1]!) };
}

describe('pnpm feedback', () => {
  let inference: Proc;
  let api: TestApi;
  let work: string;
  let ml: string;
  const base = () => ['--api', api.url, '--email', 'ml@demo.local', '--password', DEMO_PASSWORD];
  /** The first export, kept for the later checks. */
  let first: { number: number; id: string; dir: string };

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'dialoop-feedback-cli-'));
    inference = await startInference();
    // No sweep (startApi turns the timer off) and no sampling: the items are the ones made here.
    api = await startApi(inference.url, { REVIEW_SAMPLE_SHARE: '0', REVIEWS_PER_ITEM: '2' });
    ml = await login(api.url, 'ml@demo.local');

    // Each prompt gets a reply and a regenerated sibling of another length (so the two differ).
    const user = await newUser(api.url, 'USER');
    const admin = await login(api.url, 'admin@demo.local');
    const ws = wsClient(api.url, user.token);
    try {
      for (const content of PROMPTS) {
        const sent = (await gqlOk(api.url, SEND, { input: { content, params: { maxTokens: 16, ignoreEos: true } } }, user.token)).sendMessage;
        const a = sent.assistantMessage.id as string;
        expect((await collect(ws, a)).at(-1)).toMatchObject({ done: true, status: 'COMPLETE' });
        const b = (
          await gqlOk(api.url, 'mutation($id: ID!, $i: RegenerateInput) { regenerate(messageId: $id, input: $i) { id } }', { id: a, i: { params: { maxTokens: 8, ignoreEos: true } } }, user.token)
        ).regenerate.id as string;
        expect((await collect(ws, b)).at(-1)).toMatchObject({ done: true, status: 'COMPLETE' });
        await gqlOk(api.url, 'mutation($i: CreateReviewItemInput!) { createReviewItem(input: $i) { id status } }', { i: { messageIds: [a, b], kind: 'PAIRWISE' } }, admin);
      }
    } finally {
      await ws.dispose();
    }

    // Two reviewers, each through the whole queue, both preferring A: they agree, so pairs follow.
    const reviewers = [await login(api.url, 'reviewer@demo.local'), (await newUser(api.url, 'REVIEWER')).token];
    for (const token of reviewers) {
      for (let i = 0; i < 10; i++) {
        const claim = (await gqlOk(api.url, 'mutation { claimReviewItem(kind: PAIRWISE) { id item { id } } }', {}, token)).claimReviewItem;
        if (!claim) break;
        await gqlOk(
          api.url,
          'mutation($id: ID!, $i: ReviewInput!) { submitReview(itemId: $id, input: $i) { status } }',
          { id: claim.item.id, i: { kind: 'PAIRWISE', choice: 'A', strength: 2 } },
          token,
        );
      }
    }
    const pairs = (await gqlOk(api.url, '{ preferencePairs(first: 50) { nodes { id source } } }', {}, ml)).preferencePairs.nodes;
    expect(pairs.filter((p: { source: string }) => p.source === 'COMPARISON')).toHaveLength(PROMPTS.length);
  }, 120_000);

  afterAll(async () => {
    await api?.close();
    await inference?.stop();
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('exports a version: every file downloaded and verified, DPO in TRL form, PII redacted', async () => {
    const out = join(work, 'a');
    const run = await cli(['export', ...base(), '--out', out, '--name', 'cli test', '--test-share', '0.5']);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    first = versionOf(run, out);
    // Not a terminal: progress as plain lines on stderr.
    expect(run.stderr).toMatch(new RegExp(`^building #${first.number}: \\d+ rows read$`, 'm'));
    expect(run.stderr).toMatch(new RegExp(`^dataset version #${first.number}: READY`, 'm'));

    // manifest.json: its hash is the version's, and it lists every other file with its hash.
    const manifestText = readFileSync(join(first.dir, 'manifest.json'));
    const version = (await gqlOk(api.url, 'query($id: ID!) { datasetVersion(id: $id) { status sha256 files { path sha256 } } }', { id: first.id }, ml)).datasetVersion;
    expect(version.status).toBe('READY');
    expect(sha256(manifestText)).toBe(version.sha256);
    const manifest = JSON.parse(manifestText.toString('utf8'));
    const listed = (manifest.files as { path: string; sha256: string; bytes: number }[]).map((f) => f.path).sort();
    for (const format of ['dpo', 'kto', 'openai-preference', 'hh', 'sft']) {
      expect(listed).toContain(`${format}/train.jsonl`);
      expect(listed).toContain(`${format}/test.jsonl`);
    }
    expect(listed).toContain('README.md');
    expect(walk(first.dir).sort()).toEqual([...listed, 'manifest.json'].sort());
    for (const f of manifest.files) {
      const body = readFileSync(join(first.dir, f.path));
      expect(sha256(body), f.path).toBe(f.sha256);
      expect(body.length, f.path).toBe(f.bytes);
    }

    // The summary table names the files, with records and bytes.
    expect(run.stdout).toMatch(/dpo\/train\.jsonl\s+\d+\s+\d+/);
    expect(run.stdout).toMatch(/total \(\d+ files\)/);

    // DPO: TRL's conversational preference form, one line per pair, split between train and test.
    const dpo = [...jsonl(join(first.dir, 'dpo/train.jsonl')), ...jsonl(join(first.dir, 'dpo/test.jsonl'))];
    expect(dpo).toHaveLength(PROMPTS.length);
    for (const r of dpo) {
      for (const key of ['prompt', 'chosen', 'rejected']) {
        expect(Array.isArray(r[key]), key).toBe(true);
        for (const m of r[key]) expect(m).toEqual({ role: expect.any(String), content: expect.any(String) });
      }
      expect(r.prompt.at(-1).role).toBe('user');
      expect(r.chosen[0].role).toBe('assistant');
      expect(r.rejected[0].role).toBe('assistant');
    }
    // The split is the prompt hash's: each line on the side splitOf puts its prompt (with these
    // prompts and a share of 0.5, both sides hold some).
    expect(jsonl(join(first.dir, 'dpo/test.jsonl')).length).toBeGreaterThan(0);
    for (const side of ['train', 'test'] as const) {
      for (const r of jsonl(join(first.dir, `dpo/${side}.jsonl`))) expect(splitOf(r.prompt, 0.5), r.prompt.at(-1).content).toBe(side);
    }
    const prompts = dpo.map((r) => r.prompt.at(-1).content as string);
    expect(prompts).toContain(PROMPTS[0]);
    expect(prompts).toContain(PROMPTS[1]);
    expect(prompts.some((p) => p.includes('[EMAIL]') && p.includes('[PHONE]'))).toBe(true);

    // No file holds the email or the phone number.
    for (const f of walk(first.dir)) {
      const text = readFileSync(join(first.dir, f), 'utf8');
      expect(text.includes(EMAIL), `${f} holds the email`).toBe(false);
      expect(text.includes(PHONE), `${f} holds the phone number`).toBe(false);
    }
  });

  it('gives byte-identical DPO files when the same export runs again', async () => {
    const out = join(work, 'b');
    const run = await cli(['export', ...base(), '--out', out, '--name', 'cli test', '--test-share', '0.5']);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const again = versionOf(run, out);
    expect(again.number).toBeGreaterThan(first.number);
    for (const f of ['dpo/train.jsonl', 'dpo/test.jsonl']) {
      expect(readFileSync(join(again.dir, f)).equals(readFileSync(join(first.dir, f))), f).toBe(true);
    }

    // --version downloads an existing version again, with the same hashes.
    const reuse = await cli(['export', ...base(), '--out', join(work, 'c'), '--version', first.id]);
    expect(reuse.code, reuse.stdout + reuse.stderr).toBe(0);
    expect(versionOf(reuse, join(work, 'c')).number).toBe(first.number);
    expect(readFileSync(join(work, 'c', String(first.number), 'manifest.json')).equals(readFileSync(join(first.dir, 'manifest.json')))).toBe(true);

    // Every filter reaches the api in the form it takes; these keep every pair made here.
    const filtered = await cli([
      'export', ...base(), '--out', join(work, 'f'), '--from', '2000-01-01', '--to', '2100-01-01T00:00:00Z', '--source', 'COMPARISON,RATING',
      '--language', 'en', '--language', 'zh', '--min-agreement', '0.5', '--include-flagged', '--format', 'dpo', '--test-share', '0.5',
    ]);
    expect(filtered.code, filtered.stdout + filtered.stderr).toBe(0);
    const f = versionOf(filtered, join(work, 'f'));
    expect(walk(f.dir).sort()).toEqual(['README.md', 'dpo/test.jsonl', 'dpo/train.jsonl', 'manifest.json']);
    expect(readFileSync(join(f.dir, 'dpo/train.jsonl')).equals(readFileSync(join(first.dir, 'dpo/train.jsonl')))).toBe(true);
    const mixed = await cli(['export', ...base(), '--version', first.id, '--source', 'RATING']);
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toContain('cannot be combined with --source');

    // An API key with the datasets scope, from the environment, does as well (its version by number).
    const key = (await gqlOk(api.url, 'mutation($i: CreateApiKeyInput!) { createApiKey(input: $i) { secret } }', { i: { name: 'cli', scopes: ['datasets'] } }, ml)).createApiKey.secret;
    const keyed = await cli(['export', '--out', join(work, 'e'), '--version', String(first.number)], { DIALOOP_API_URL: api.url, DIALOOP_TOKEN: key });
    expect(keyed.code, keyed.stdout + keyed.stderr).toBe(0);
    expect(readFileSync(join(work, 'e', String(first.number), 'dpo/train.jsonl')).equals(readFileSync(join(first.dir, 'dpo/train.jsonl')))).toBe(true);
  });

  it('refuses a USER with FORBIDDEN, and bad arguments with the usage', async () => {
    const run = await cli(['export', '--api', api.url, '--email', 'user@demo.local', '--password', DEMO_PASSWORD, '--out', join(work, 'denied')]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^FORBIDDEN: /m);
    expect(existsSync(join(work, 'denied'))).toBe(false);

    const bad = await cli(['export', ...base(), '--source', 'VIBES']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('usage: pnpm feedback export');
    const unknown = await cli(['export', '--frobnicate']);
    expect(unknown.code).toBe(2);
    const help = await cli(['import', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('usage: pnpm feedback import FILE');
  });

  it('imports ShareGPT JSONL, reports what it kept, and the dialogue reaches the SFT set', async () => {
    const egg = { conversations: [{ from: 'human', value: 'How do I boil an egg?\u0007' }, { from: 'gpt', value: 'Put it in boiling water for nine minutes.' }] };
    const lines = [
      JSON.stringify(egg),
      JSON.stringify(egg), // an exact duplicate
      '{"conversations": [{"from": "human", "value": "cut off', // unreadable
      JSON.stringify({ conversations: [{ from: 'human', value: '只有问题，没有回答' }] }), // no exchange
      JSON.stringify({ conversations: [{ from: 'human', value: '你好，请介绍一下你自己。' }, { from: 'gpt', value: '我是一个乐于助人的助手。' }] }),
    ];
    const file = join(work, 'dialogues.jsonl');
    writeFileSync(file, lines.join('\n') + '\n');

    const run = await cli(['import', file, ...base()]);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(/records read\s+4\n/);
    expect(run.stdout).toMatch(/imported\s+2\n/);
    expect(run.stdout).toMatch(/duplicates\s+1\n/);
    expect(run.stdout).toMatch(/dropped \(no-exchange: 1\)\s+1\n/);
    expect(run.stdout).toMatch(/errors\s+1\n/);
    expect(run.stdout).toMatch(/^ {2}line 3: invalid JSON/m);

    const out = join(work, 'd');
    const exported = await cli(['export', ...base(), '--out', out, '--format', 'SFT', '--format', 'DPO']);
    expect(exported.code, exported.stdout + exported.stderr).toBe(0);
    const { dir } = versionOf(exported, out);
    const sft = [...jsonl(join(dir, 'sft/train.jsonl')), ...jsonl(join(dir, 'sft/test.jsonl'))];
    const turns = sft.map((r) => (r.messages as { role: string; content: string }[]).map((m) => `${m.role}: ${m.content}`).join('\n'));
    expect(turns).toContain('user: How do I boil an egg?\nassistant: Put it in boiling water for nine minutes.');
    expect(turns).toContain('user: 你好，请介绍一下你自己。\nassistant: 我是一个乐于助人的助手。');
    expect(turns.some((t) => t.includes('只有问题'))).toBe(false);
    expect(walk(dir).some((f) => f.startsWith('kto/'))).toBe(false);
  });

  it('leaves every download in the audit trail', async () => {
    const officer = await login(api.url, 'compliance@demo.local');
    const d = await gqlOk(
      api.url,
      'query($f: AuditFilterInput) { auditEntries(filter: $f, first: 100) { edges { node { action outcome actor { role } subject { type id } after } } } }',
      { f: { action: 'datasetDownload' } },
      officer,
    );
    const entries = d.auditEntries.edges.map((e: any) => e.node);
    const mine = entries.filter((e: any) => e.subject.id === first.id && e.outcome === 'ALLOWED');
    expect(mine.length, JSON.stringify(entries.slice(0, 3))).toBeGreaterThan(0);
    expect(mine[0]).toMatchObject({ action: 'datasetDownload', actor: { role: 'ML_ENGINEER' } });
  });
});

/**
 * The CLI against a stub api that answers with a failed build or with files that do not match
 * their hashes: it must say so and exit 1, never leave a download it could not verify unnoticed.
 */
describe('pnpm feedback export, when the api cannot be trusted', () => {
  let server: Server;
  let url: string;
  let work: string;
  /** What the stub serves: the version the api states, and the bytes behind each download. */
  let state: { version: Record<string, unknown>; files: Record<string, string> };

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'dialoop-feedback-stub-'));
    server = createServer((req, res) => {
      if (req.method === 'GET' && req.url?.startsWith('/files/')) {
        const body = state.files[decodeURIComponent(req.url.slice('/files/'.length))];
        res.writeHead(body === undefined ? 404 : 200).end(body ?? 'not found');
        return;
      }
      let raw = '';
      req.on('data', (d: Buffer) => (raw += d.toString()));
      req.on('end', () => {
        const { query, variables } = JSON.parse(raw) as { query: string; variables: Record<string, string> };
        const data = query.includes('login(')
          ? { login: { accessToken: 'stub-token' } }
          : query.includes('createDatasetVersion')
            ? { createDatasetVersion: { ...state.version, status: 'BUILDING', progress: 0 } }
            : query.includes('datasetDownload')
              ? { datasetDownload: { url: `/files/${encodeURIComponent(variables.p!)}`, expiresAt: new Date().toISOString() } }
              : { datasetVersion: state.version };
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const addr = server.address();
    url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  });
  afterAll(async () => {
    await new Promise((r) => server?.close(r));
    if (work) rmSync(work, { recursive: true, force: true });
  });

  const base = { id: '00000000-0000-4000-8000-000000000001', number: 7, name: null, progress: 3, error: null, counts: {}, files: null };
  const args = () => ['export', '--api', url, '--email', 'ml@demo.local', '--password', 'x', '--out', work, '--poll-ms', '50'];
  const manifestOf = (files: Record<string, string>, claimed: Record<string, string> = files) =>
    JSON.stringify({
      format: 'dialoop-dataset/v1',
      files: Object.keys(files).map((path) => ({ path, sha256: sha256(claimed[path]!), bytes: Buffer.byteLength(claimed[path]!), records: 1 })),
    });

  it('reports a FAILED build', async () => {
    state = { version: { ...base, status: 'FAILED', error: 'the store is full', sha256: null }, files: {} };
    const run = await cli(args());
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('dataset version #7 (00000000-0000-4000-8000-000000000001) FAILED: the store is full');
  });

  it('refuses a file whose SHA-256 is not the manifest’s', async () => {
    const manifest = manifestOf({ 'dpo/train.jsonl': '{"tampered":true}\n' }, { 'dpo/train.jsonl': '{"prompt":[]}\n' });
    state = { version: { ...base, status: 'READY', sha256: sha256(manifest) }, files: { 'manifest.json': manifest, 'dpo/train.jsonl': '{"tampered":true}\n' } };
    const run = await cli(args());
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/1 file\(s\) do not match manifest\.json:\n {2}dpo\/train\.jsonl: SHA-256 /);
    expect(existsSync(join(work, '7', 'dpo', 'train.jsonl'))).toBe(false);
  });

  it('refuses a manifest whose SHA-256 is not the version’s', async () => {
    const manifest = manifestOf({ 'dpo/train.jsonl': '{}\n' });
    state = { version: { ...base, status: 'READY', sha256: '0'.repeat(64) }, files: { 'manifest.json': manifest, 'dpo/train.jsonl': '{}\n' } };
    const run = await cli(args());
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('manifest.json does not match the version');
  });

  it('refuses a manifest that names a file outside the version’s folder', async () => {
    const manifest = manifestOf({ '../escape.txt': 'x' });
    state = { version: { ...base, status: 'READY', sha256: sha256(manifest) }, files: { 'manifest.json': manifest, '../escape.txt': 'x' } };
    const run = await cli(args());
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('outside the version');
    expect(existsSync(join(work, 'escape.txt'))).toBe(false);
  });

  it('refuses a malformed --version before signing in, and says why it cannot write --out', async () => {
    const ref = await cli(['export', '--api', 'http://127.0.0.1:1', '--email', 'ml@demo.local', '--password', 'x', '--version', 'latest']);
    expect(ref.code).toBe(2);
    expect(ref.stderr).toContain('--version takes a version');

    const manifest = manifestOf({ 'dpo/train.jsonl': '{}\n' });
    state = { version: { ...base, status: 'READY', sha256: sha256(manifest) }, files: { 'manifest.json': manifest, 'dpo/train.jsonl': '{}\n' } };
    const file = join(work, 'a-file');
    writeFileSync(file, '');
    const run = await cli(['export', '--api', url, '--email', 'ml@demo.local', '--password', 'x', '--out', file, '--poll-ms', '50']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('ENOTDIR');
    expect(run.stderr).not.toMatch(/^\s+at /m);
  });
});
