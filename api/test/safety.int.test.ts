/**
 * Content safety through the public API: term lists managed by admins, prompts refused or masked
 * before they reach the model, replies filtered on the stream at every token boundary (what any
 * subscriber receives equals what is stored, and no disguised term leaks), rewrite rules,
 * conversation monitoring, and a term change reaching a second api process over Redis.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Matcher, type TermSpec } from '../src/modules/safety/engine.js';
import { EVASIONS, TERMS } from './fixtures/safety-cases.js';
import { SCRIPTED_MODEL, script, startScriptedUpstream } from './scripted-upstream.js';
import {
  SEND,
  codeOf,
  collect,
  gql,
  gqlOk,
  login,
  newUser,
  spawnApi,
  startApi,
  startInference,
  textOf,
  waitFor,
  wsClient,
  type Proc,
  type TestApi,
} from './stack.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const REFUSAL = '[stopped by the content filter]';
const CSV = ['term,level,language,category,wholeWord', ...TERMS.map((t) => [t.term, t.level, t.language, t.category, String(t.wholeWord)].join(','))].join('\n');
const IMPORT = `mutation($csv: String!) { importSafetyTerms(csv: $csv) { rows created updated unchanged version } }`;
const CREATE_TERM = `mutation($i: CreateSafetyTermInput!) { createSafetyTerm(input: $i) { id term level language category wholeWord enabled version } }`;
const MESSAGE = `query($id: ID!) { message(id: $id) { content status finishReason safety } }`;
const SEND_SAFE = `mutation($input: SendMessageInput!) {
  sendMessage(input: $input) { conversation { id safetyStep lockedAt } userMessage { id content safety } assistantMessage { id } }
}`;

/** A query straight to the test database (reading the audit trail as stored). */
async function sql<T>(url: string, text: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text)).rows as T[];
  } finally {
    await client.end();
  }
}

/** The same filter, built here from the same terms: what the api must produce for a text. */
const reference = new Matcher(TERMS.map((t, i): TermSpec => ({ id: String(i), term: t.term, level: t.level, category: t.category, wholeWord: t.wholeWord })));
const termOf = (term: string) => TERMS.find((t) => t.term === term)!;

describe('content safety', () => {
  let inference: Proc;
  let upstream: Awaited<ReturnType<typeof startScriptedUpstream>>;
  let api: TestApi;
  let admin: string;

  beforeAll(async () => {
    [inference, upstream] = await Promise.all([startInference(), startScriptedUpstream()]);
    api = await startApi(`${inference.url},${upstream.url}`, {
      REDIS_URL,
      SAFETY_REFUSAL: REFUSAL,
      // Monitoring is tested on its own below; here every case may hit.
      SAFETY_WARN_AT: '100000',
      SAFETY_SLOW_AT: '100000',
      SAFETY_LOCK_AT: '100000',
      SAFETY_REVIEW_AT: '100000',
    });
    admin = await login(api.url, 'admin@demo.local');
  });
  afterAll(async () => {
    await api?.close();
    await upstream?.close();
    await inference?.stop();
  });

  describe('term lists', () => {
    it('admins import a CSV; a bad row refuses the whole file; others may not', async () => {
      const bad = await gql(api.url, IMPORT, { csv: `${CSV}\nfoo,NOPE,en,x,true\n,MASK,en,x,true` }, admin);
      expect(codeOf(bad)).toBe('BAD_USER_INPUT');
      expect((bad.errors![0]!.extensions as { errors: string[] }).errors).toEqual([expect.stringMatching(/^line 20: level/), expect.stringMatching(/^line 21: term/)]);
      expect((await gqlOk(api.url, `{ safetyTerms { id } }`, {}, admin)).safetyTerms).toEqual([]);

      const user = await newUser(api.url);
      expect(codeOf(await gql(api.url, IMPORT, { csv: CSV }, user.token))).toBe('FORBIDDEN');
      expect(codeOf(await gql(api.url, `{ safetyTerms { id } }`, {}, user.token))).toBe('FORBIDDEN');

      const r = (await gqlOk(api.url, IMPORT, { csv: CSV }, admin)).importSafetyTerms;
      expect(r).toMatchObject({ rows: TERMS.length, created: TERMS.length, updated: 0 });
      const again = (await gqlOk(api.url, IMPORT, { csv: CSV }, admin)).importSafetyTerms;
      expect(again).toMatchObject({ created: 0, updated: 0, unchanged: TERMS.length });
      expect(again.version).toBeGreaterThan(r.version);
    });

    it('createSafetyTerm follows the contract; one term per normal form; changes are versioned and audited without the words', async () => {
      const t = (await gqlOk(api.url, CREATE_TERM, { i: { term: 'Verboten', level: 'REVIEW', category: 'Test' } }, admin)).createSafetyTerm;
      expect(t).toMatchObject({ term: 'Verboten', level: 'REVIEW', language: null, category: 'test', wholeWord: true, enabled: true });
      expect(codeOf(await gql(api.url, CREATE_TERM, { i: { term: 'ＶＥＲＢＯＴＥＮ', level: 'BLOCK' } }, admin))).toBe('CONFLICT');
      expect(codeOf(await gql(api.url, CREATE_TERM, { i: { term: '...', level: 'BLOCK' } }, admin))).toBe('BAD_USER_INPUT');
      const zh = (await gqlOk(api.url, CREATE_TERM, { i: { term: '禁词', level: 'REVIEW', language: 'zh' } }, admin)).createSafetyTerm;
      expect(zh.wholeWord).toBe(false);
      const revisions = (await gqlOk(api.url, `{ safetyRevisions(first: 2) { version kind op entityId } }`, {}, admin)).safetyRevisions;
      expect(revisions[0]).toMatchObject({ kind: 'term', op: 'create', entityId: zh.id, version: zh.version });
      // The refused create took no revision (its number is skipped).
      expect(revisions[1]).toMatchObject({ kind: 'term', op: 'create', entityId: t.id, version: t.version });
      expect(t.version).toBeLessThan(zh.version);
      const trail = await sql<{ after: unknown }>(api.db.url, `SELECT after FROM "AuditEntry" WHERE action IN ('createSafetyTerm', 'importSafetyTerms')`);
      expect(trail.length).toBeGreaterThanOrEqual(3);
      const text = JSON.stringify(trail);
      for (const word of ['Verboten', '禁词', ...TERMS.map((x) => x.term)]) expect(text).not.toContain(word);
      await gqlOk(api.url, `mutation($id: ID!) { deleteSafetyTerm(id: $id) }`, { id: t.id }, admin);
      await gqlOk(api.url, `mutation($id: ID!) { deleteSafetyTerm(id: $id) }`, { id: zh.id }, admin);
    });
  });

  describe('prompts', () => {
    it.each(EVASIONS.map((e) => [e.how, e.term, e.text] as const))('%s (%s): %j is refused, masked or flagged before the model sees it', async (_how, term, text) => {
      const t = termOf(term);
      const user = await newUser(api.url);
      const r = await gql(api.url, SEND_SAFE, { input: { content: text, params: { maxTokens: 1 } } }, user.token);
      if (t.level === 'BLOCK') {
        expect(codeOf(r)).toBe('SAFETY_BLOCKED');
        expect(r.errors![0]!.extensions!.category).toBe(t.category);
        // Nothing stored, nothing sent upstream.
        expect((await gqlOk(api.url, `{ conversations(first: 5) { edges { node { id } } } }`, {}, user.token)).conversations.edges).toEqual([]);
      } else {
        expect(r.errors).toBeUndefined();
        const stored = r.data.sendMessage.userMessage;
        expect(stored.content).toBe(reference.apply(text).text);
        expect(stored.safety).toBe(t.level);
        if (t.level === 'MASK') expect(reference.scan(stored.content).hits).toEqual([]);
      }
      const events = (await gqlOk(api.url, `query($u: ID!) { safetyEvents(userId: $u) { direction level category action messageId } }`, { u: user.id }, admin)).safetyEvents;
      expect(events).toContainEqual(expect.objectContaining({ direction: 'INPUT', level: t.level, category: t.category, action: { BLOCK: 'refused', MASK: 'masked', REVIEW: 'flagged' }[t.level] }));
    });

    it('titles are filtered too: a rename, and a title made from a prompt', async () => {
      const user = await newUser(api.url);
      const sent = await gqlOk(api.url, `mutation($input: SendMessageInput!) { sendMessage(input: $input) { conversation { id title } } }`, { input: { content: 'you    shit', params: { maxTokens: 1 } } }, user.token);
      expect(sent.sendMessage.conversation.title).toBe('you ****');
      const rename = `mutation($id: ID!, $t: String!) { renameConversation(id: $id, title: $t) { title } }`;
      const id = sent.sendMessage.conversation.id;
      expect((await gqlOk(api.url, rename, { id, t: 'a ｓｈｉｔ title' }, user.token)).renameConversation.title).toBe('a **** title');
      const refused = await gql(api.url, rename, { id, t: 'kill yourself' }, user.token);
      expect(codeOf(refused)).toBe('SAFETY_BLOCKED');
      expect(refused.errors![0]!.extensions!.category).toBe('self-harm');
    });

    it('a refused prompt is recorded as DENIED with its category, never its words', async () => {
      const rows = await sql<{ outcome: string; after: { code: string; category: string } }>(
        api.db.url,
        `SELECT outcome, after FROM "AuditEntry" WHERE action = 'sendMessage' AND outcome = 'DENIED'`,
      );
      expect(rows.length).toBe(EVASIONS.filter((e) => termOf(e.term).level === 'BLOCK').length);
      expect(rows.every((r) => r.after.code === 'SAFETY_BLOCKED' && r.after.category)).toBe(true);
      const all = JSON.stringify(await sql(api.db.url, `SELECT after FROM "AuditEntry"`));
      for (const e of EVASIONS) expect(all).not.toContain(e.text);
    });
  });

  describe('replies, on the stream', () => {
    /** Streams `tokens` as the scripted model's reply: what a live subscriber, a late one and the database hold. */
    async function reply(token: string, tokens: string[]) {
      const sent = (await gqlOk(api.url, SEND, { input: { content: script(tokens), model: SCRIPTED_MODEL } }, token)).sendMessage;
      const id = sent.assistantMessage.id;
      const client = wsClient(api.url, token);
      try {
        const live = textOf(await collect(client, id));
        const late = textOf(await collect(client, id));
        const stored = (await gqlOk(api.url, MESSAGE, { id }, token)).message;
        return { live, late, stored };
      } finally {
        await client.dispose();
      }
    }

    it('drops U+0000 a model samples (PostgreSQL text cannot hold it) instead of failing the reply', async () => {
      const { token } = await newUser(api.url);
      const r = await reply(token, ['Fi', '\u0000', 'ne\u0000 to', 'day.']);
      expect(r.stored).toMatchObject({ status: 'COMPLETE', content: 'Fine today.' });
      expect(r.live).toBe('Fine today.');
      expect(r.late).toBe('Fine today.');
    });

    /** Unit by unit (every boundary at once), then cut at every boundary into two tokens. */
    const cuts = (text: string): string[][] => {
      const units = [...text];
      return [units, ...units.slice(1).map((_, i) => [units.slice(0, i + 1).join(''), units.slice(i + 1).join('')])];
    };

    it.each(EVASIONS.map((e) => [e.how, e.term, e.text] as const))('%s (%s): no cut of %j leaks to any subscriber or into storage', async (_how, term, core) => {
      const t = termOf(term);
      const { token } = await newUser(api.url);
      const text = `Sure: ${core}!`;
      const expected = reference.apply(text);
      const all = cuts(text);
      // Every cut for the short texts; unit-by-unit and a spread of cuts for the rest.
      const chosen = all.length <= 16 ? all : all.filter((_, i) => i === 0 || i % Math.ceil(all.length / 12) === 0);
      for (let i = 0; i < chosen.length; i += 4) {
        const results = await Promise.all(chosen.slice(i, i + 4).map((tokens) => reply(token, tokens)));
        for (const r of results) {
          expect(r.live).toBe(r.stored.content);
          expect(r.late).toBe(r.stored.content);
          if (t.level === 'BLOCK') {
            expect(r.stored).toMatchObject({ status: 'COMPLETE', finishReason: 'content_filter', safety: 'BLOCK' });
            expect(r.stored.content.endsWith(REFUSAL)).toBe(true);
            const released = r.stored.content.slice(0, -REFUSAL.length).replace(/\n\n$/, '');
            expect(text.startsWith(released)).toBe(true);
            expect(released.length).toBeLessThanOrEqual(expected.blocked!.start);
          } else {
            expect(r.stored.content).toBe(expected.text);
            expect(r.stored.safety).toBe(t.level);
          }
          expect(reference.scan(r.stored.content).hits.filter((h) => h.term.level !== 'REVIEW')).toEqual([]);
        }
      }
    });

    it('rewrite rules apply across token boundaries, before the term filter', async () => {
      const rule = `mutation($i: CreateRewriteRuleInput!) { createRewriteRule(input: $i) { id } }`;
      const r1 = (await gqlOk(api.url, rule, { i: { pattern: 'OpenAI', replacement: 'Dialoop' } }, admin)).createRewriteRule;
      const r2 = (await gqlOk(api.url, rule, { i: { pattern: '\\[ticket-(\\d+)\\]', replacement: '(ref $1)', regex: true } }, admin)).createRewriteRule;
      expect(codeOf(await gql(api.url, rule, { i: { pattern: '([', replacement: 'x', regex: true } }, admin))).toBe('BAD_USER_INPUT');
      const { token } = await newUser(api.url);
      const text = 'I was trained by openAI [ticket-42], you shit.';
      for (const tokens of [[...text], ['I was trained by ope', 'nAI [tick', 'et-4', '2], you sh', 'it.']]) {
        const r = await reply(token, tokens);
        expect(r.stored.content).toBe('I was trained by Dialoop (ref 42), you ****.');
        expect(r.live).toBe(r.stored.content);
      }
      for (const id of [r1.id, r2.id]) await gqlOk(api.url, `mutation($id: ID!) { deleteRewriteRule(id: $id) }`, { id }, admin);
    });

    it('masks a term in the real model’s own words, split however its tokenizer split them', async () => {
      const { token } = await newUser(api.url);
      const params = { temperature: 0, maxTokens: 40, seed: 1 };
      const first = (await gqlOk(api.url, SEND, { input: { content: 'Tell me a story about the sea.', params } }, token)).sendMessage;
      const client = wsClient(api.url, token);
      try {
        const original = textOf(await collect(client, first.assistantMessage.id));
        const word = original.match(/[A-Za-z]{4,}/g)?.find((w) => !TERMS.some((x) => x.term === w.toLowerCase()));
        expect(word, `a word in ${JSON.stringify(original)}`).toBeDefined();
        const created = (await gqlOk(api.url, CREATE_TERM, { i: { term: word!, level: 'MASK', wholeWord: false } }, admin)).createSafetyTerm;
        const again = (await gqlOk(api.url, `mutation($id: ID!, $i: RegenerateInput) { regenerate(messageId: $id, input: $i) { id } }`, { id: first.assistantMessage.id, i: { params } }, token)).regenerate;
        const live = textOf(await collect(client, again.id));
        const stored = (await gqlOk(api.url, MESSAGE, { id: again.id }, token)).message;
        expect(live).toBe(stored.content);
        expect(stored.content.toLowerCase()).not.toContain(word!.toLowerCase());
        expect(stored.content).toContain('*'.repeat(word!.length));
        expect(stored.safety).toBe('MASK');
        await gqlOk(api.url, `mutation($id: ID!) { deleteSafetyTerm(id: $id) }`, { id: created.id }, admin);
      } finally {
        await client.dispose();
      }
    });
  });

  it('a term list change reaches a second api process within seconds (Redis), without a restart', async () => {
    const second = await spawnApi({ DATABASE_URL: api.db.url, INFERENCE_URL: inference.url, REDIS_URL, SAFETY_RELOAD_INTERVAL_S: '600', DEMO_ACCOUNTS: 'false' });
    try {
      const { token } = await newUser(api.url);
      const onSecond = await login(second.url, 'admin@demo.local');
      const probe = 'quokkaphobia is real';
      expect((await gql(second.url, SEND_SAFE, { input: { content: probe, params: { maxTokens: 1 } } }, token)).errors).toBeUndefined();
      const started = Date.now();
      const t = (await gqlOk(api.url, CREATE_TERM, { i: { term: 'quokkaphobia', level: 'BLOCK', category: 'test' } }, admin)).createSafetyTerm;
      await waitFor(async () => codeOf(await gql(second.url, SEND_SAFE, { input: { content: probe, params: { maxTokens: 1 } } }, token)) === 'SAFETY_BLOCKED', 5_000, 'the second process to refuse');
      expect(Date.now() - started).toBeLessThan(5_000);
      expect((await gqlOk(second.url, `{ safetyStatus { version latestVersion } }`, {}, onSecond)).safetyStatus.version).toBe(t.version);
      await gqlOk(api.url, `mutation($id: ID!) { deleteSafetyTerm(id: $id) }`, { id: t.id }, admin);
    } finally {
      await second.stop();
    }
  });
});

describe('conversation monitoring', () => {
  let upstream: Awaited<ReturnType<typeof startScriptedUpstream>>;
  let api: TestApi;
  let admin: string;

  beforeAll(async () => {
    upstream = await startScriptedUpstream();
    api = await startApi(upstream.url, { SAFETY_WARN_AT: '1', SAFETY_SLOW_AT: '2', SAFETY_LOCK_AT: '3', SAFETY_REVIEW_AT: '4', SAFETY_SLOW_INTERVAL_S: '1' });
    admin = await login(api.url, 'admin@demo.local');
    await gqlOk(api.url, CREATE_TERM, { i: { term: 'nazi', level: 'REVIEW', category: 'hate' } }, admin);
  });
  afterAll(async () => {
    await api?.close();
    await upstream?.close();
  });

  it('escalates in order — warn, slow down, lock, an item for reviewers — each step audited and visible to admins', async () => {
    const user = await newUser(api.url);
    const client = wsClient(api.url, user.token);
    const say = async (conversationId?: string) => {
      const r = await gql(api.url, SEND_SAFE, { input: { content: `nazi ${script(['fine'])}`, ...(conversationId ? { conversationId } : {}) } }, user.token);
      if (!r.errors) await collect(client, r.data.sendMessage.assistantMessage.id);
      return r;
    };
    try {
      const one = await say();
      const conv = one.data.sendMessage.conversation.id;
      expect(one.data.sendMessage.conversation.safetyStep).toBe('WARN');
      const two = await say(conv);
      expect(two.data.sendMessage.conversation.safetyStep).toBe('SLOW');
      // Slowed down: the next message within a second is refused, and says when to retry.
      const early = await say(conv);
      expect(codeOf(early)).toBe('RATE_LIMITED');
      expect(early.errors![0]!.extensions).toMatchObject({ reason: 'SAFETY_SLOW' });
      await new Promise((r) => setTimeout(r, 1_100));
      const three = await say(conv);
      expect(three.data.sendMessage.conversation).toMatchObject({ safetyStep: 'LOCK', lockedAt: expect.any(String) });
      await new Promise((r) => setTimeout(r, 1_100));
      expect(codeOf(await say(conv))).toBe('CONVERSATION_LOCKED');
      // A fourth hit, in a new conversation: reviewers get an item.
      const four = await say();
      expect(four.data.sendMessage.conversation.safetyStep).toBe('REVIEW');

      const steps = (await gqlOk(api.url, `{ safetyEscalations { step scope count personPseudonym } }`, {}, admin)).safetyEscalations;
      expect(steps.map((s: { step: string }) => s.step).reverse()).toEqual(['WARN', 'SLOW', 'LOCK', 'LOCK', 'REVIEW']);
      const trail = await sql<{ action: string }>(api.db.url, `SELECT action FROM "AuditEntry" WHERE action LIKE 'safetyEscalate%' ORDER BY seq`);
      expect(trail.map((r) => r.action)).toEqual(['safetyEscalateWarn', 'safetyEscalateSlow', 'safetyEscalateLock', 'safetyEscalateLock', 'safetyEscalateReview']);

      // The reviewer's item: listed, resolved; admins unlock the conversation.
      const reviewer = await newUser(api.url, 'REVIEWER');
      const items = (await gqlOk(api.url, `{ safetyEscalations(step: REVIEW, open: true) { id count } }`, {}, reviewer.token)).safetyEscalations;
      expect(items).toHaveLength(1);
      await gqlOk(api.url, `mutation($id: ID!) { resolveSafetyEscalation(id: $id, resolution: "warned the person") { resolvedAt } }`, { id: items[0].id }, reviewer.token);
      expect(codeOf(await gql(api.url, `mutation($id: ID!) { unlockConversation(id: $id) { id } }`, { id: conv }, reviewer.token))).toBe('FORBIDDEN');
      expect(codeOf(await gql(api.url, `{ safetyEscalations { id } }`, {}, user.token))).toBe('FORBIDDEN');
      await gqlOk(api.url, `mutation($id: ID!) { unlockConversation(id: $id) { lockedAt } }`, { id: conv }, admin);
      await new Promise((r) => setTimeout(r, 1_100));
      const after = await gql(api.url, SEND_SAFE, { input: { content: 'hello again', conversationId: conv } }, user.token);
      expect(after.errors).toBeUndefined();
    } finally {
      await client.dispose();
    }
  });
});
