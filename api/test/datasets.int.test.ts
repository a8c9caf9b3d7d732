/**
 * Dataset versions through GraphQL: built from reviewed and rated replies of the real model,
 * in every format, with the card and manifest; stable across versions, deduplicated, redacted,
 * without erased people, immutable, and downloadable only by roles allowed to export (audited).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { redactPii, toTrlDpo } from '@dialoop/feedback';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEnv, startApiServer, type ApiServer } from '../src/index.js';
import { SEND, TEST_KEYS, codeOf, collect, gql, gqlOk, login, newUser, startApi, startInference, waitFor, wsClient, type Proc, type TestApi } from './stack.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
let inference: Proc;
let api: TestApi;
let admin: string;
let reviewer: string;
let ml: string;

const PARAMS = { maxTokens: 12, ignoreEos: true, temperature: 1 };

beforeAll(async () => {
  inference = await startInference();
  api = await startApi(inference.url, { REVIEWS_PER_ITEM: '1', REVIEW_COLLECT_INTERVAL_S: '0' });
  [admin, reviewer, ml] = await Promise.all([login(api.url, 'admin@demo.local'), login(api.url, 'reviewer@demo.local'), login(api.url, 'ml@demo.local')]);
}, 120_000);
afterAll(async () => {
  await api?.close();
  await inference?.stop();
});

async function finish(token: string, messageId: string) {
  const client = wsClient(api.url, token);
  try {
    const events = await collect(client, messageId);
    expect(events.at(-1)).toMatchObject({ done: true, status: 'COMPLETE' });
  } finally {
    await client.dispose();
  }
}

/** A prompt and two replies to it (the second by regenerate, another seed). */
async function twoReplies(token: string, content: string) {
  const sent = (await gqlOk(api.url, SEND, { input: { content, params: { ...PARAMS, seed: 1 } } }, token)).sendMessage;
  await finish(token, sent.assistantMessage.id);
  const again = (await gqlOk(api.url, 'mutation($id: ID!, $p: GenerationParamsInput) { regenerate(messageId: $id, input: { params: $p }) { id } }', { id: sent.assistantMessage.id, p: { ...PARAMS, seed: 2 } }, token)).regenerate;
  await finish(token, again.id);
  return { conversationId: sent.conversation.id, promptId: sent.userMessage.id, replies: [sent.assistantMessage.id as string, again.id as string] };
}

/** An admin's PAIRWISE item over the replies, reviewed once (REVIEWS_PER_ITEM=1): A wins. */
async function reviewed(replies: string[]) {
  const item = (await gqlOk(api.url, 'mutation($i: CreateReviewItemInput!) { createReviewItem(input: $i) { id status kind } }', { i: { messageIds: replies } }, admin)).createReviewItem;
  expect(item).toMatchObject({ status: 'OPEN', kind: 'PAIRWISE' });
  const claim = (await gqlOk(api.url, 'mutation { claimReviewItem { id item { id } } }', {}, reviewer)).claimReviewItem;
  expect(claim.item.id).toBe(item.id);
  const done = (await gqlOk(api.url, 'mutation($id: ID!, $r: ReviewInput!) { submitReview(itemId: $id, input: $r) { status } }', { id: item.id, r: { kind: 'PAIRWISE', choice: 'A', strength: 2 } }, reviewer)).submitReview;
  expect(done.status).toBe('SUBMITTED');
  return item.id as string;
}

const VERSION = `{ id number status error progress counts sha256 files { path sha256 bytes records } }`;

async function build(token: string, input: Record<string, unknown> = {}) {
  const v = (await gqlOk(api.url, `mutation($i: CreateDatasetVersionInput) { createDatasetVersion(input: $i) ${VERSION} }`, { i: input }, token)).createDatasetVersion;
  expect(v.status).toBe('BUILDING');
  let ready: any;
  await waitFor(async () => {
    ready = (await gqlOk(api.url, `query($id: ID!) { datasetVersion(id: $id) ${VERSION} }`, { id: v.id }, token)).datasetVersion;
    return ready.status !== 'BUILDING';
  }, 60_000, 'the dataset version');
  expect(ready.error).toBeNull();
  expect(ready.status).toBe('READY');
  return ready;
}

async function download(token: string, id: string, path: string): Promise<string> {
  const link = (await gqlOk(api.url, 'mutation($id: ID!, $p: String!) { datasetDownload(id: $id, path: $p) { url expiresAt } }', { id, p: path }, token)).datasetDownload;
  const res = await fetch(new URL(link.url, api.url));
  expect(res.status).toBe(200);
  return res.text();
}

const lines = (text: string) => text.split('\n').filter(Boolean).map((l) => JSON.parse(l));
const sha = (text: string) => createHash('sha256').update(text).digest('hex');

describe('dataset versions', () => {
  let user: { token: string; id: string };
  let victim: { token: string; id: string };
  let first: any;
  const EMAIL = 'alice.liddell@example.com';
  const PHONE = '13812345678';

  beforeAll(async () => {
    user = await newUser(api.url);
    victim = await newUser(api.url);
    const en = await twoReplies(user.token, `Write to ${EMAIL} about the weather please.`);
    const zh = await twoReplies(user.token, `请介绍一下北京。我的手机号是${PHONE}。`);
    const gone = await twoReplies(victim.token, 'Tell me about the victim-only topic: lighthouses.');
    await reviewed(en.replies);
    await reviewed(zh.replies);
    await reviewed(gone.replies);
    // The same two replies reviewed again: an exact duplicate pair.
    await reviewed(en.replies);
    // Ratings: the person prefers the reply the reviewer rejected (KTO labels, and a RATING pair
    // B over A; rated the other way it would be the comparison's pair again, and deduplicated).
    const RATE = 'mutation($id: ID!, $i: RateMessageInput!) { rateMessage(messageId: $id, input: $i) { id } }';
    await gqlOk(api.url, RATE, { id: en.replies[0], i: { thumb: 'DOWN' } }, user.token);
    await gqlOk(api.url, RATE, { id: en.replies[1], i: { thumb: 'UP' } }, user.token);
  }, 180_000);

  it('builds every format with a card and a manifest whose hashes match the files', async () => {
    first = await build(ml, { name: 'first', testShare: 0.5 });
    const paths = first.files.map((f: any) => f.path).sort();
    for (const f of ['dpo', 'kto', 'openai-preference', 'hh', 'sft']) expect(paths).toEqual(expect.arrayContaining([`${f}/train.jsonl`, `${f}/test.jsonl`]));
    expect(paths).toContain('README.md');
    const manifest = await download(ml, first.id, 'manifest.json');
    expect(sha(manifest)).toBe(first.sha256);
    const m = JSON.parse(manifest);
    expect(m).toMatchObject({ format: 'dialoop-dataset/v1', id: first.id, version: first.number, testShare: 0.5 });
    for (const f of m.files) expect(sha(await download(ml, first.id, f.path))).toBe(f.sha256);
    // 3 comparison pairs (one duplicate dropped) + 1 rating pair.
    expect(first.counts.pairs.total).toBe(4);
    expect(first.counts.duplicates.pairs).toBe(1);
    expect(first.counts.pairs.bySource).toEqual({ COMPARISON: 3, RATING: 1 });
    expect(first.counts.pairs.byLanguage).toEqual({ en: 3, zh: 1 });
    expect(first.counts.labelled).toMatchObject({ total: 2, desirable: 1, undesirable: 1 });
    const card = await download(ml, first.id, 'README.md');
    expect(card).toContain(`# Dialoop dataset v${first.number}`);
    expect(card).toMatch(/Exact duplicates dropped: 1 pairs/);
    // The same card through GraphQL (what the console renders), without a download being recorded.
    const exportsBefore = await api.server.database.prisma.auditEntry.count({ where: { action: 'datasetDownload' } });
    expect((await gqlOk(api.url, 'query($id: ID!) { datasetVersion(id: $id) { card } }', { id: first.id }, ml)).datasetVersion.card).toBe(card);
    expect(await api.server.database.prisma.auditEntry.count({ where: { action: 'datasetDownload' } })).toBe(exportsBefore);
  });

  it('writes each format in its consumer schema, redacted', async () => {
    const all: Record<string, any[]> = {};
    for (const f of ['dpo', 'kto', 'openai-preference', 'hh', 'sft']) {
      const text = (await download(ml, first.id, `${f}/train.jsonl`)) + (await download(ml, first.id, `${f}/test.jsonl`));
      expect(text).not.toContain(EMAIL);
      expect(text).not.toContain(PHONE);
      all[f] = lines(text);
    }
    expect(all.dpo).toHaveLength(4);
    for (const r of all.dpo!) {
      expect(Object.keys(r).sort()).toEqual(['chosen', 'prompt', 'rejected']);
      expect(r.prompt.at(-1).role).toBe('user');
      expect(r.chosen).toEqual([{ role: 'assistant', content: expect.any(String) }]);
    }
    const zh = all.dpo!.find((r) => r.prompt.at(-1).content.includes('北京'));
    expect(zh.prompt.at(-1).content).toContain('[PHONE]');
    expect(all.dpo!.some((r) => r.prompt.at(-1).content.includes('[EMAIL]'))).toBe(true);
    expect(all.kto).toHaveLength(2);
    expect(all.kto!.map((r) => r.label).sort()).toEqual([false, true]);
    for (const r of all.kto!) expect(Object.keys(r).sort()).toEqual(['completion', 'label', 'prompt']);
    for (const r of all['openai-preference']!) expect(Object.keys(r).sort()).toEqual(['input', 'non_preferred_output', 'preferred_output']);
    for (const r of all.hh!) expect(r.chosen).toMatch(/^\n\nHuman: [\s\S]*\n\nAssistant: /);
    for (const r of all.sft!) expect(r.messages.at(-1).role).toBe('assistant');
  });

  it("loads in training/'s DPO and KTO loader (the columns and types TRL's trainers need)", async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dialoop-dataset-'));
    try {
      for (const f of ['dpo', 'kto']) {
        await writeFile(join(dir, `${f}.jsonl`), (await download(ml, first.id, `${f}/train.jsonl`)) + (await download(ml, first.id, `${f}/test.jsonl`)));
      }
      const code = 'import sys\nfrom dialoop_train.preference import load_preference_file as load\nprint(len(load(sys.argv[1], "dpo")), len(load(sys.argv[2], "kto")))';
      const out = execFileSync('python3', ['-c', code, join(dir, 'dpo.jsonl'), join(dir, 'kto.jsonl')], { env: { ...process.env, PYTHONPATH: join(ROOT, 'training') }, encoding: 'utf8' });
      expect(out.trim()).toBe('4 2');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('splits by prompt hash: the same files in a later version, and filters narrow it', async () => {
    const again = await build(ml, { name: 'again', testShare: 0.5 });
    const hashes = (v: any) => Object.fromEntries(v.files.filter((f: any) => f.path.endsWith('.jsonl')).map((f: any) => [f.path, f.sha256]));
    expect(hashes(again)).toEqual(hashes(first));
    const zhOnly = await build(ml, { filters: { languages: ['zh'], sources: ['COMPARISON'] }, formats: ['DPO'] });
    expect(zhOnly.counts.pairs).toMatchObject({ total: 1, byLanguage: { zh: 1 } });
    expect(zhOnly.files.map((f: any) => f.path).sort()).toEqual(['README.md', 'dpo/test.jsonl', 'dpo/train.jsonl']);
    // The listing selects with the same conditions, and pages newest first.
    const PAIRS = 'query($f: DatasetFilters, $after: String) { preferencePairs(filters: $f, first: 2, after: $after) { nodes { id language source } endCursor hasNextPage } }';
    const zhPairs = (await gqlOk(api.url, PAIRS, { f: { languages: ['zh'], sources: ['COMPARISON'] } }, ml)).preferencePairs;
    expect(zhPairs.nodes).toEqual([expect.objectContaining({ language: 'zh', source: 'COMPARISON' })]);
    const seen: string[] = [];
    for (let after: string | null = null, more = true; more; ) {
      const page: any = (await gqlOk(api.url, PAIRS, { after }, ml)).preferencePairs;
      seen.push(...page.nodes.map((n: any) => n.id));
      [after, more] = [page.endCursor, page.hasNextPage];
    }
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBe(5); // 4 comparisons (one a duplicate a build drops) and 1 rating pair
  });

  it("leaves an erased person's data out of every later version", async () => {
    const before = await download(ml, first.id, 'dpo/train.jsonl') + (await download(ml, first.id, 'dpo/test.jsonl'));
    expect(before).toContain('lighthouses');
    await gqlOk(api.url, 'mutation($id: ID!) { eraseUser(id: $id) { pseudonym } }', { id: victim.id }, admin);
    const after = await build(ml, { testShare: 0.5 });
    expect(after.counts.pairs.total).toBe(3);
    for (const f of after.files) expect(await download(ml, after.id, f.path)).not.toContain('lighthouses');
  });

  it('is immutable, and only roles allowed to export download it (each download audited)', async () => {
    await expect(api.server.database.prisma.datasetVersion.update({ where: { id: first.id }, data: { name: 'changed' } })).rejects.toThrow(/immutable/);
    for (const token of [user.token, reviewer]) {
      const r = await gql(api.url, 'mutation($id: ID!) { datasetDownload(id: $id, path: "dpo/train.jsonl") { url } }', { id: first.id }, token);
      expect(codeOf(r)).toBe('FORBIDDEN');
      expect(codeOf(await gql(api.url, `mutation { createDatasetVersion ${VERSION} }`, {}, token))).toBe('FORBIDDEN');
    }
    expect(codeOf(await gql(api.url, 'mutation($id: ID!) { datasetDownload(id: $id, path: "../../etc/passwd") { url } }', { id: first.id }, ml))).toBe('BAD_USER_INPUT');
    const res = await fetch(new URL('/exports/datasets/not-a-token', api.url));
    expect(res.status).toBe(404);
    const officer = await login(api.url, 'compliance@demo.local');
    const entries = (
      await gqlOk(api.url, 'query { auditEntries(filter: { action: "downloadDatasetFile" }, first: 100) { edges { node { action subject { type id } actor { role } } } } }', {}, officer)
    ).auditEntries.edges.map((e: any) => e.node);
    expect(entries.length).toBeGreaterThan(0);
    expect(entries.every((e: any) => e.subject.type === 'DatasetVersion' && e.actor.role === 'ML_ENGINEER')).toBe(true);
  });
});

describe('DPO lines of awkward texts', () => {
  let own: TestApi;
  let single: ApiServer | undefined;
  let singleStore: string | undefined;
  afterAll(async () => {
    await single?.close();
    if (singleStore) await rm(singleStore, { recursive: true, force: true });
    await own?.close();
  });

  it('are byte for byte what toTrlDpo writes (redacted, the blank one refused), whether built alone, with another format, in one worker or in three', async () => {
    own = await startApi(inference.url, { DATASET_BUILD_WORKERS: '3' });
    const db = own.server.database.prisma;
    const user = await newUser(own.url);
    const conversation = await db.conversation.create({ data: { userId: user.id, title: 'awkward' } });
    const prompt = await db.message.create({ data: { conversationId: conversation.id, userId: user.id, role: 'USER', content: 'x' } });
    const texts = [
      'quotes " and \\ backslashes \\" and /slashes/',
      'controls \u0001\u0002\u0007 \b \f \n \r \t \u000b \u001f and DEL \u007f',
      'line separators \u2028 \u2029, BOM \ufeff, nbsp\u00a0, ideographic space\u3000end',
      '中文，标点。「引号」 and emoji 😀👍🏽 and 𝒳 (astral)',
      '<script>alert("x")</script> & ampersands',
      'digits 1234567 and 12 34 56 7 (not enough for PII)',
      'e-mail me: someone@example.org',
      'call +1 (415) 555-0123 now',
      '\u3000\u00a0 ',
      'plain',
    ];
    const rows = texts.flatMap((chosen, i) =>
      texts.map((rejected, j) => ({ chosen, rejected, i, j })).filter(({ i: a, j: b }) => a !== b && (a + b) % 3 === 0),
    );
    await db.preferencePair.createMany({
      data: rows.map(({ chosen, rejected, i, j }) => {
        const turns = [
          { role: 'system', content: texts[(i + 1) % texts.length]! },
          { role: 'user', content: `${texts[j]!} ${i}/${j}` },
        ];
        return {
          source: 'COMPARISON' as const,
          conversationId: conversation.id,
          promptMessageId: prompt.id,
          ownerPseudonym: 'u_test',
          authors: [],
          prompt: turns,
          chosen,
          rejected,
          margin: 1,
          language: 'en',
          promptKey: createHash('sha256').update(JSON.stringify(turns)).digest('hex'),
          pairKey: createHash('sha256').update(`${i}/${j}`).digest('hex'),
        };
      }),
    });
    const token = await login(own.url, 'ml@demo.local');
    const build = async (formats: string[], url = own.url) => {
      const v = (await gqlOk(url, 'mutation($f: [DatasetFormat!]) { createDatasetVersion(input: { formats: $f, testShare: 0 }) { id } }', { f: formats }, token)).createDatasetVersion;
      let ready: any;
      await waitFor(async () => {
        ready = (await gqlOk(url, `query($id: ID!) { datasetVersion(id: $id) ${VERSION} }`, { id: v.id }, token)).datasetVersion;
        return ready.status !== 'BUILDING';
      });
      expect(ready.status).toBe('READY');
      const link = (await gqlOk(url, 'mutation($id: ID!) { datasetDownload(id: $id, path: "dpo/train.jsonl") { url } }', { id: v.id }, token)).datasetDownload;
      return { version: ready, text: await (await fetch(new URL(link.url, url))).text() };
    };
    const alone = await build(['DPO']);
    const mixed = await build(['DPO', 'HH']);
    expect(alone.text).toBe(mixed.text);
    // A second api on the same database, building in one worker: the same bytes.
    singleStore = await mkdtemp(join(tmpdir(), 'dialoop-datasets-'));
    single = await startApiServer(
      parseEnv({ API_PORT: '0', DATABASE_URL: own.db.url, INFERENCE_URL: inference.url, ...TEST_KEYS, LOG_LEVEL: 'silent', DATASET_STORE: singleStore, DATASET_BUILD_WORKERS: '1', REVIEW_COLLECT_INTERVAL_S: '0' }),
    );
    expect((await build(['DPO'], single.url)).text).toBe(alone.text);
    // And both are what the writer makes of the rows, in (promptKey, id) order, redacted, blank texts left out.
    const stored = await db.preferencePair.findMany({ orderBy: [{ promptKey: 'asc' }, { id: 'asc' }] });
    const expected = stored.flatMap((r) => {
      try {
        const red = (t: string) => redactPii(t).text;
        return [toTrlDpo({ ...r, prompt: (r.prompt as any[]).map((t) => ({ role: t.role, content: red(t.content) })), chosen: red(r.chosen), rejected: red(r.rejected), source: 'comparison' })];
      } catch {
        return [];
      }
    });
    expect(expected.length).toBeLessThan(stored.length); // the blank text is refused
    expect(alone.text).toBe(expected.map((l) => `${l}\n`).join(''));
    expect(alone.version.counts.invalid).toEqual({ dpo: stored.length - expected.length });
    expect(alone.text).not.toContain('someone@example.org');
  });
});
