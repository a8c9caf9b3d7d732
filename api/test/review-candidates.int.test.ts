/**
 * Generated review candidates (issue 20): a reviewer never compares a reply with garbage. With the
 * default model, every second candidate an item gets is checked (feedback's checkCandidate: not
 * empty, ended by the model, not a fragment, not repetitive, not the reply it is compared with)
 * and an arena candidate is made with the model's own settings first; where a model can only give
 * unfit replies, the item waits (PENDING) and /metrics counts why. Real api, PostgreSQL and inference server; the
 * scripted upstream stands in for a model that loops, which the default model cannot be made to.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkCandidate } from '@dialoop/feedback';
import { SCRIPTED_MODEL, script, startScriptedUpstream, type ScriptedUpstream } from './scripted-upstream.js';
import { SEND, collect, gqlOk, login, metric, newUser, startApi, startInference, textOf, wsClient, type Proc, type TestApi } from './stack.js';

const CREATE = `mutation($i: CreateReviewItemInput!) { createReviewItem(input: $i) { id status candidates { label content model messageId } } }`;
const COLLECT = `mutation { collectReviewItems { generated } }`;
const ITEM = `query($id: ID!) { reviewItem(id: $id) { id status candidates { content messageId } } }`;
const REJECTED = 'dialoop_api_review_candidates_rejected_total';

/** Prompts of the kinds people ask the default model, in both languages. */
const PROMPTS = ['Convert 5 km to meters.', 'What is 27 + 45?', 'What is the capital of France?', 'Hello! What can you do?', '法国的首都是哪里？', '把3公斤换算成克。'];

describe('generated review candidates', () => {
  let inference: Proc;
  let upstream: ScriptedUpstream;
  let api: TestApi;
  let admin: string;
  let person: { token: string };

  /** Sends `content` (to `model`, default the default model) and waits for the whole reply; its id and text. */
  async function reply(content: string, model?: string, params?: Record<string, number>): Promise<{ id: string; text: string }> {
    const sent = (await gqlOk(api.url, SEND, { input: { content, ...(model ? { model } : {}), ...(params ? { params } : {}) } }, person.token)).sendMessage;
    const client = wsClient(api.url, person.token);
    try {
      const events = await collect(client, sent.assistantMessage.id);
      expect(events.at(-1)).toMatchObject({ done: true, status: 'COMPLETE' });
      return { id: sent.assistantMessage.id, text: textOf(events) };
    } finally {
      await client.dispose();
    }
  }

  beforeAll(async () => {
    [inference, upstream] = await Promise.all([startInference(), startScriptedUpstream()]);
    api = await startApi(`${inference.url},${upstream.url}`, { REVIEW_SAMPLE_SHARE: '0' });
    admin = await login(api.url, 'admin@demo.local');
    person = await newUser(api.url);
  });
  afterAll(async () => {
    await api?.close();
    await upstream?.close();
    await inference?.stop();
  });

  it('gives replies of the default model second candidates fit for review, or keeps the item waiting', async () => {
    const replies = await Promise.all(PROMPTS.map((p) => reply(p)));
    const opened: string[] = [];
    for (const [i, r] of replies.entries()) {
      const item = (await gqlOk(api.url, CREATE, { i: { messageIds: [r.id] } }, admin)).createReviewItem;
      const what = `${PROMPTS[i]} → ${JSON.stringify(item.candidates)}`;
      expect(item.candidates[0], what).toMatchObject({ messageId: r.id, content: r.text });
      if (item.status === 'PENDING') {
        // Every try was unfit (the model answers this one the same way at every setting): nothing put before reviewers.
        expect(item.candidates, what).toHaveLength(1);
        continue;
      }
      expect(item.status, what).toBe('OPEN');
      expect(item.candidates, what).toHaveLength(2);
      const [first, second] = item.candidates;
      expect(second).toMatchObject({ messageId: null, model: 'dialoop-tiny' });
      // Fit to compare: the checks the generator applies, and not the reply it is compared with.
      expect(checkCandidate(second.content, { others: [first.content] }), what).toBeNull();
      expect(second.content.trim(), what).not.toBe(first.content.trim());
      opened.push(PROMPTS[i]!);
    }
    // Most open at once (the default model gives different replies to these when sampled).
    expect(opened.length, `opened: ${opened.join(' | ')}`).toBeGreaterThanOrEqual(PROMPTS.length / 2);
  });

  it('makes an arena candidate with the model’s own settings first: the default model’s greedy reply', async () => {
    const prompt = 'Hello! What can you do?';
    const greedy = await reply(prompt);
    let sampled: { id: string; text: string } | undefined;
    for (let seed = 1; seed <= 8 && !sampled; seed++) {
      const r = await reply(prompt, undefined, { temperature: 0.9, topP: 0.95, seed });
      if (r.text.trim() !== greedy.text.trim() && checkCandidate(r.text) === null) sampled = r;
    }
    expect(sampled, 'a sampled reply unlike the greedy one').toBeDefined();
    const item = (await gqlOk(api.url, CREATE, { i: { messageIds: [sampled!.id], arenaModels: ['dialoop-tiny'] } }, admin)).createReviewItem;
    expect(item).toMatchObject({ status: 'OPEN', candidates: [{ messageId: sampled!.id }, { messageId: null, model: 'dialoop-tiny', content: greedy.text }] });
  });

  it('keeps an item waiting when a model only loops, and counts why', async () => {
    const loop = script(['I can help. ', 'I can help. ', 'I can help. ', 'I can help. ', 'I can help.']);
    const looped = await reply(loop, SCRIPTED_MODEL);
    const before = await metric(api.url, REJECTED, { reason: 'repetitive' });
    const item = (await gqlOk(api.url, CREATE, { i: { messageIds: [looped.id], arenaModels: [SCRIPTED_MODEL] } }, admin)).createReviewItem;
    expect(item.status).toBe('PENDING');
    expect(item.candidates).toHaveLength(1);
    // Every setting tried gave the loop again: counted, nothing put before reviewers.
    expect(await metric(api.url, REJECTED, { reason: 'repetitive' })).toBeGreaterThan(before);
    // A sweep tries again, and the item still waits.
    await gqlOk(api.url, COLLECT, {}, admin);
    const after = (await gqlOk(api.url, ITEM, { id: item.id }, admin)).reviewItem;
    expect(after).toMatchObject({ status: 'PENDING', candidates: [{ messageId: looped.id }] });
  });
});
