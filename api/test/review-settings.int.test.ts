/**
 * The review queue's configuration as the console reads it (`reviewSettings`), and the retries a
 * creation gives a candidate that fails to generate: through GraphQL over HTTP, the real api,
 * PostgreSQL and inference server, behind a proxy that refuses chat completions on demand.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEND, codeOf, collect, gql, gqlOk, login, newUser, startApi, startInference, wsClient, type Proc, type TestApi } from './stack.js';

const RUBRIC = [
  { id: 'accuracy', label: 'Accuracy', min: 1, max: 7 },
  { id: 'tone', label: 'Tone', min: 0, max: 3 },
];
const SETTINGS = `{ reviewSettings { rubric { id label min max } reviewsPerItem minAgreement leaseSeconds collectIntervalSeconds arenaModels
  sources { source collected enabled share lowScore description }
  lastCollection { startedAt finishedAt trigger report { siblings lowRating safety sample generated } error } } }`;
const CREATE = `mutation($i: CreateReviewItemInput!) { createReviewItem(input: $i) { id status kind candidates { label model messageId content } } }`;
const ITEM = `query($id: ID!) { reviewItem(id: $id) { id status candidates { label model content } } }`;
const COLLECT = `mutation { collectReviewItems { generated } }`;

/**
 * The inference server behind a proxy: while `refuse` is above 0, each chat completion is answered
 * 503 (and counts it down); everything else passes through.
 */
async function refusingProxy(target: string) {
  const state = { refuse: 0, refused: 0 };
  const server = http.createServer((req, res) => {
    if (req.method === 'POST' && req.url === '/v1/chat/completions' && state.refuse > 0) {
      state.refuse--;
      state.refused++;
      req.resume();
      res.writeHead(503, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: 'restarting', type: 'server_error' } }));
      return;
    }
    const up = http.request(new URL(req.url!, target), { method: req.method, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode!, r.headers);
      r.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    state,
    close: () => new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    }),
  };
}

describe('review settings and candidate retries', () => {
  let inference: Proc;
  let proxy: Awaited<ReturnType<typeof refusingProxy>>;
  let api: TestApi;
  let admin: string;

  beforeAll(async () => {
    inference = await startInference();
    proxy = await refusingProxy(inference.url);
    api = await startApi(proxy.url, {
      REVIEW_COLLECT_INTERVAL_S: '0',
      REVIEWS_PER_ITEM: '3',
      REVIEW_LEASE_S: '600',
      REVIEW_SAMPLE_SHARE: '0',
      REVIEW_LOW_SCORE: '1',
      REVIEW_MIN_AGREEMENT: '0.6',
      REVIEW_RUBRIC: JSON.stringify(RUBRIC),
    });
    admin = await login(api.url, 'admin@demo.local');
  });
  afterAll(async () => {
    await api?.close();
    await proxy?.close();
    await inference?.stop();
  });

  /** A prompt and one complete reply to it; the reply's id. */
  async function oneReply(prompt: string): Promise<string> {
    const user = await newUser(api.url);
    const sent = (await gqlOk(api.url, SEND, { input: { content: prompt, params: { maxTokens: 8, ignoreEos: true } } }, user.token)).sendMessage;
    const client = wsClient(api.url, user.token);
    const events = await collect(client, sent.assistantMessage.id);
    await client.dispose();
    expect(events.at(-1)).toMatchObject({ done: true, status: 'COMPLETE' });
    return sent.assistantMessage.id;
  }

  it('shows the configured rubric, counts, sources and intervals, and this process’s last collection', async () => {
    const before = (await gqlOk(api.url, SETTINGS, {}, admin)).reviewSettings;
    expect(before).toMatchObject({ rubric: RUBRIC, reviewsPerItem: 3, minAgreement: 0.6, leaseSeconds: 600, collectIntervalSeconds: 0, arenaModels: [], lastCollection: null });
    expect(before.sources.map((s: { source: string; collected: boolean; enabled: boolean }) => [s.source, s.collected, s.enabled])).toEqual([
      ['SIBLINGS', true, true],
      ['LOW_RATING', true, true],
      ['SAFETY', true, true],
      ['SAMPLE', true, false],
      ['MANUAL', false, true],
      ['ARENA', false, true],
    ]);
    expect(before.sources[1]).toMatchObject({ lowScore: 1, share: null });
    expect(before.sources[3]).toMatchObject({ share: 0, lowScore: null });

    await gqlOk(api.url, COLLECT, {}, admin);
    const after = (await gqlOk(api.url, SETTINGS, {}, admin)).reviewSettings;
    expect(after.lastCollection).toMatchObject({ trigger: 'REQUEST', error: null, report: { siblings: 0, lowRating: 0, safety: 0, sample: 0, generated: 0 } });
    expect(Date.parse(after.lastCollection.finishedAt)).toBeGreaterThanOrEqual(Date.parse(after.lastCollection.startedAt));
  });

  it('is for admins and ML engineers (as reviewAgreement), not reviewers or anyone else', async () => {
    const ml = await newUser(api.url, 'ML_ENGINEER');
    expect((await gqlOk(api.url, SETTINGS, {}, ml.token)).reviewSettings.reviewsPerItem).toBe(3);
    for (const role of ['REVIEWER', 'SENIOR_REVIEWER', 'COMPLIANCE', 'USER']) {
      const { token } = await newUser(api.url, role);
      expect(codeOf(await gql(api.url, SETTINGS, {}, token)), role).toBe('FORBIDDEN');
    }
    expect(codeOf(await gql(api.url, SETTINGS))).toBe('UNAUTHENTICATED');
  });

  it('retries a candidate that fails to generate, so the item opens at once when the server recovers within the tries', async () => {
    const reply = await oneReply('Name a colour.');
    proxy.state.refused = 0;
    proxy.state.refuse = 2;
    const item = (await gqlOk(api.url, CREATE, { i: { messageIds: [reply], arenaModels: ['dialoop-tiny'] } }, admin)).createReviewItem;
    expect(proxy.state.refused).toBe(2);
    expect(item).toMatchObject({ status: 'OPEN', kind: 'PAIRWISE' });
    expect(item.candidates).toHaveLength(2);
    expect(item.candidates[1]).toMatchObject({ label: 'B', model: 'dialoop-tiny', messageId: null });
    expect(item.candidates[1].content.length).toBeGreaterThan(0);
  });

  it('leaves an item PENDING after its tries, for the next sweep (here an admin’s collectReviewItems) to finish', async () => {
    const reply = await oneReply('Name a fruit.');
    proxy.state.refused = 0;
    proxy.state.refuse = 1_000;
    const item = (await gqlOk(api.url, CREATE, { i: { messageIds: [reply], arenaModels: ['dialoop-tiny'] } }, admin)).createReviewItem;
    // Three tries, then the item waits as PENDING (what every sweep takes up), with its stored reply only.
    expect(proxy.state.refused).toBe(3);
    expect(item).toMatchObject({ status: 'PENDING' });
    expect(item.candidates).toHaveLength(1);
    // A sweep while the server still refuses tries once and leaves it so.
    expect((await gqlOk(api.url, COLLECT, {}, admin)).collectReviewItems.generated).toBe(0);
    expect(proxy.state.refused).toBe(4);
    expect((await gqlOk(api.url, ITEM, { id: item.id }, admin)).reviewItem.status).toBe('PENDING');
    // Once it answers, the next sweep opens it.
    proxy.state.refuse = 0;
    expect((await gqlOk(api.url, COLLECT, {}, admin)).collectReviewItems.generated).toBe(1);
    const opened = (await gqlOk(api.url, ITEM, { id: item.id }, admin)).reviewItem;
    expect(opened.status).toBe('OPEN');
    expect(opened.candidates.map((c: { label: string; model: string }) => [c.label, c.model])).toEqual([['A', 'dialoop-tiny'], ['B', 'dialoop-tiny']]);
  });
});
