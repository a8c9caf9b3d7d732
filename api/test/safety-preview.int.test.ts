/**
 * What admins use to tune the content filter, through GraphQL over HTTP against the real api,
 * database and inference server: `safetyPreview` (the live filter's verdict on a text, as a prompt
 * and as a reply, recording nothing) and `safetyStats` (recorded hits per UTC day, level and
 * direction); who may call them, their bad inputs, and the read the trail records.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TERMS } from './fixtures/safety-cases.js';
import { SEND, codeOf, gql, gqlOk, login, newUser, startApi, startInference, type Proc, type TestApi } from './stack.js';

const REFUSAL = '[stopped by the content filter]';
const CSV = ['term,level,language,category,wholeWord', ...TERMS.map((t) => [t.term, t.level, t.language, t.category, String(t.wholeWord)].join(','))].join('\n');
const PREVIEW = `query($t: String!, $d: SafetyDirection) { safetyPreview(text: $t, direction: $d) {
  direction enabled version outcome level text scannedText
  matches { termId term category level wholeWord action matched start end normalized termNormalized afterMasking }
  rewrites { ruleId pattern regex replacement applications } } }`;
const COUNTS = 'review mask block total';
const SEND_CONTENT = `mutation($input: SendMessageInput!) { sendMessage(input: $input) { userMessage { id content safety } } }`;
const STATS = `query($from: DateTimeISO, $to: DateTimeISO) { safetyStats(from: $from, to: $to) {
  from to days { day input { ${COUNTS} } output { ${COUNTS} } all { ${COUNTS} } } input { ${COUNTS} } output { ${COUNTS} } all { ${COUNTS} } } }`;

async function sql<T>(url: string, text: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text, values)).rows as T[];
  } finally {
    await client.end();
  }
}

interface Match { term: string; level: string; action: string; matched: string; start: number; end: number; normalized: string; termNormalized: string; afterMasking: boolean }

describe('safety previews and statistics', () => {
  let inference: Proc;
  let api: TestApi;
  let admin: string;
  const events = async () => Number((await sql<{ n: string }>(api.db.url, 'SELECT count(*) AS n FROM "SafetyEvent"'))[0]!.n);

  beforeAll(async () => {
    inference = await startInference();
    api = await startApi(inference.url, { SAFETY_REFUSAL: REFUSAL });
    admin = await login(api.url, 'admin@demo.local');
    await gqlOk(api.url, 'mutation($csv: String!) { importSafetyTerms(csv: $csv) { rows } }', { csv: CSV }, admin);
    await gqlOk(api.url, 'mutation($i: CreateRewriteRuleInput!) { createRewriteRule(input: $i) { id } }', { i: { pattern: 'OpenAI', replacement: 'Dialoop' } }, admin);
  });
  afterAll(async () => {
    await api?.close();
    await inference?.stop();
  });

  describe('safetyPreview', () => {
    it('judges a prompt as a turn would: masked text, each match with its exact characters, offsets and normal form, nothing recorded', async () => {
      const before = await events();
      const text = 'Oh ｓ\u200bh.i.t, you ＢＡＳＴＡＲＤ — a nazi?';
      const p = (await gqlOk(api.url, PREVIEW, { t: text, d: 'INPUT' }, admin)).safetyPreview;
      expect(p).toMatchObject({ direction: 'INPUT', enabled: true, outcome: 'MASKED', level: 'MASK', scannedText: text, rewrites: [] });
      expect(p.version).toBeGreaterThan(0);
      // Every masked term's characters, one * per code point; the flagged one left as it is.
      expect(p.text).toBe('Oh *******, you ******* — a nazi?');
      const byTerm = Object.fromEntries((p.matches as Match[]).map((m) => [m.term, m]));
      expect(Object.keys(byTerm).sort()).toEqual(['bastard', 'nazi', 'shit']);
      for (const m of p.matches as Match[]) expect(text.slice(m.start, m.end)).toBe(m.matched);
      expect(byTerm.shit).toMatchObject({ level: 'MASK', action: 'masked', matched: 'ｓ\u200bh.i.t', normalized: 'shit', termNormalized: 'shit', afterMasking: false });
      expect(byTerm.bastard).toMatchObject({ matched: 'ＢＡＳＴＡＲＤ', normalized: 'bastard' });
      expect(byTerm.nazi).toMatchObject({ level: 'REVIEW', action: 'flagged', matched: 'nazi' });
      // The same text sent for real: the stored prompt is exactly the preview's text.
      const user = await newUser(api.url);
      const sent = (await gqlOk(api.url, SEND_CONTENT, { input: { content: text, params: { maxTokens: 2 } } }, user.token)).sendMessage;
      expect(sent.userMessage).toMatchObject({ content: p.text, safety: 'MASK' });
      // The preview itself recorded nothing (the real send recorded its three hits).
      expect(await events()).toBe(before + 3);
    });

    it('refuses a prompt with a BLOCK term (no text) and explains a disguised Chinese term', async () => {
      const before = await events();
      const p = (await gqlOk(api.url, PREVIEW, { t: '哪里能买到賭．博的东西', d: 'INPUT' }, admin)).safetyPreview;
      expect(p).toMatchObject({ outcome: 'BLOCKED', level: 'BLOCK', text: null });
      expect(p.matches).toEqual([expect.objectContaining({ term: '赌博', action: 'refused', matched: '賭．博', normalized: '赌博', start: 5, end: 8 })]);
      // As the real send: refused with SAFETY_BLOCKED.
      const user = await newUser(api.url);
      expect(codeOf(await gql(api.url, SEND, { input: { content: '哪里能买到賭．博的东西' } }, user.token))).toBe('SAFETY_BLOCKED');
      expect(await events()).toBe(before + 1);
    });

    it('judges a reply: rewrite rules first, then the terms; a BLOCK term stops it and the refusal follows', async () => {
      const before = await events();
      const masked = (await gqlOk(api.url, PREVIEW, { t: 'OpenAI says: shit happens.' }, admin)).safetyPreview;
      expect(masked).toMatchObject({ direction: 'OUTPUT', outcome: 'MASKED', text: 'Dialoop says: **** happens.', scannedText: 'Dialoop says: shit happens.' });
      expect(masked.rewrites).toEqual([expect.objectContaining({ pattern: 'OpenAI', replacement: 'Dialoop', regex: false, applications: 1 })]);
      expect(masked.matches).toEqual([expect.objectContaining({ term: 'shit', action: 'masked', start: 14, end: 18, matched: 'shit' })]);

      const text = 'Here is how. First you get some c-o-c-a-i-n-e and then more.';
      const stopped = (await gqlOk(api.url, PREVIEW, { t: text, d: 'OUTPUT' }, admin)).safetyPreview;
      expect(stopped).toMatchObject({ outcome: 'BLOCKED', level: 'BLOCK', rewrites: [] });
      const at = text.indexOf('c-o-c');
      expect(stopped.matches).toEqual([expect.objectContaining({ term: 'cocaine', action: 'stopped', start: at, end: at + 13, matched: 'c-o-c-a-i-n-e', normalized: 'cocaine' })]);
      // What went out before the term, then the refusal; nothing of the term.
      expect(stopped.text.endsWith(`\n\n${REFUSAL}`)).toBe(true);
      expect(text.startsWith(stopped.text.slice(0, -REFUSAL.length - 2))).toBe(true);
      expect(stopped.text).not.toContain('c-o');
      expect(stopped.text).toContain('First you get');

      const clean = (await gqlOk(api.url, PREVIEW, { t: 'A classic pipeline.', d: 'OUTPUT' }, admin)).safetyPreview;
      expect(clean).toMatchObject({ outcome: 'ALLOWED', level: null, text: 'A classic pipeline.', matches: [] });
      expect(await events()).toBe(before);
    });

    it('is for admins only, and refuses empty, overlong and malformed text', async () => {
      for (const role of ['REVIEWER', 'ML_ENGINEER', 'USER', 'COMPLIANCE']) {
        const { token } = await newUser(api.url, role);
        expect(codeOf(await gql(api.url, PREVIEW, { t: 'shit' }, token)), role).toBe('FORBIDDEN');
      }
      expect(codeOf(await gql(api.url, PREVIEW, { t: 'shit' }))).toBe('UNAUTHENTICATED');
      expect(codeOf(await gql(api.url, PREVIEW, { t: '' }, admin))).toBe('BAD_USER_INPUT');
      const long = await gql(api.url, PREVIEW, { t: 'a'.repeat(32_001) }, admin);
      expect(codeOf(long)).toBe('BAD_USER_INPUT');
      expect(long.errors?.[0]?.extensions).toMatchObject({ field: 'text', maxLength: 32_000 });
      expect((await gqlOk(api.url, PREVIEW, { t: 'a'.repeat(32_000) }, admin)).safetyPreview.outcome).toBe('ALLOWED');
      expect(codeOf(await gql(api.url, PREVIEW, { t: 'a\uD800b' }, admin))).toBe('BAD_USER_INPUT');
      expect(codeOf(await gql(api.url, PREVIEW, { t: 'x', d: 'SIDEWAYS' }, admin))).toBe('BAD_USER_INPUT');
    });
  });

  describe('safetyStats', () => {
    it('counts recorded hits per UTC day, direction and level, days without hits included, and records the read', async () => {
      // Events on known days (as the filter records them), beside those the tests above made today.
      const rows: [string, string, string][] = [
        ['2024-02-28T23:59:59.000Z', 'INPUT', 'MASK'],
        ['2024-02-29T00:00:00.000Z', 'INPUT', 'MASK'],
        ['2024-02-29T12:00:00.000Z', 'INPUT', 'BLOCK'],
        ['2024-02-29T23:59:59.999Z', 'OUTPUT', 'REVIEW'],
        ['2024-03-02T08:00:00.000Z', 'OUTPUT', 'BLOCK'],
        ['2024-03-05T00:00:00.000Z', 'OUTPUT', 'BLOCK'],
      ];
      for (const [at, direction, level] of rows) {
        await sql(api.db.url, `INSERT INTO "SafetyEvent" (id, at, direction, level, category, action, start, "end") VALUES (gen_random_uuid(), $1, $2::"SafetyDirection", $3::"SafetyLevel", 'test', 'masked', 0, 1)`, [at, direction, level]);
      }
      const s = (await gqlOk(api.url, STATS, { from: '2024-02-29T00:00:00.000Z', to: '2024-03-05T00:00:00.000Z' }, admin)).safetyStats;
      expect(s.days.map((d: { day: string }) => d.day)).toEqual(['2024-02-29', '2024-03-01', '2024-03-02', '2024-03-03', '2024-03-04']);
      expect(s.days[0]).toEqual({
        day: '2024-02-29',
        input: { review: 0, mask: 1, block: 1, total: 2 },
        output: { review: 1, mask: 0, block: 0, total: 1 },
        all: { review: 1, mask: 1, block: 1, total: 3 },
      });
      expect(s.days[1].all.total).toBe(0);
      expect(s.days[2].output).toEqual({ review: 0, mask: 0, block: 1, total: 1 });
      expect(s).toMatchObject({ input: { total: 2 }, output: { total: 2, block: 1 }, all: { total: 4 } });

      // Default: the last 30 days up to now, which hold the hits of the previews' real sends.
      const recent = (await gqlOk(api.url, STATS, {}, admin)).safetyStats;
      expect(Date.parse(recent.to) - Date.parse(recent.from)).toBe(30 * 86_400_000);
      expect(recent.days).toHaveLength(31);
      expect(recent.days.at(-1).day).toBe(new Date().toISOString().slice(0, 10));
      expect(recent.input.total).toBeGreaterThanOrEqual(4);
      expect(recent.days.at(-1).input.total).toBe(recent.input.total);

      const trail = await sql<{ after: { from: string; to: string; total: number } }>(api.db.url, `SELECT after FROM "AuditEntry" WHERE action = 'safetyStats' ORDER BY seq`);
      expect(trail.map((t) => t.after)).toEqual([
        { from: '2024-02-29T00:00:00.000Z', to: '2024-03-05T00:00:00.000Z', total: 4 },
        { from: recent.from, to: recent.to, total: recent.all.total },
      ]);
    });

    it('refuses ranges that are empty, backwards or longer than 366 days, and callers who are not admins', async () => {
      const bad = async (from: string, to: string) => gql(api.url, STATS, { from, to }, admin);
      expect(codeOf(await bad('2024-03-01T00:00:00.000Z', '2024-03-01T00:00:00.000Z'))).toBe('BAD_USER_INPUT');
      expect(codeOf(await bad('2024-03-02T00:00:00.000Z', '2024-03-01T00:00:00.000Z'))).toBe('BAD_USER_INPUT');
      const long = await bad('2023-01-01T00:00:00.000Z', '2024-01-02T00:00:00.001Z');
      expect(codeOf(long)).toBe('BAD_USER_INPUT');
      expect(long.errors?.[0]?.extensions).toMatchObject({ maxDays: 366 });
      expect((await gqlOk(api.url, STATS, { from: '2023-01-01T00:00:00.000Z', to: '2024-01-02T00:00:00.000Z' }, admin)).safetyStats.days).toHaveLength(366);
      expect(codeOf(await gql(api.url, STATS, { from: 'yesterday' }, admin))).toBe('BAD_USER_INPUT');
      for (const role of ['REVIEWER', 'ML_ENGINEER', 'USER', 'COMPLIANCE']) {
        const { token } = await newUser(api.url, role);
        expect(codeOf(await gql(api.url, STATS, {}, token)), role).toBe('FORBIDDEN');
      }
    });
  });
});
