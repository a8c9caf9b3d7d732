import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVERY_DELTA, SEND, codeOf, collect, gql, gqlOk, newUser, startApi, startInference, textOf, waitFor, wsClient, type Proc, type TestApi } from './stack.js';

const CONVERSATION = `query($id: ID!) { conversation(id: $id) { id title messages {
  id parentId role content status model finishReason promptTokens completionTokens timeToFirstTokenMs tokensPerSecond myRating { thumb score tags comment }
} } }`;

describe('chat over GraphQL and graphql-ws', () => {
  let inference: Proc;
  let api: TestApi;
  let user: { token: string; id: string };

  beforeAll(async () => {
    inference = await startInference();
    api = await startApi(inference.url, EVERY_DELTA);
    user = await newUser(api.url);
  });
  afterAll(async () => {
    await api?.close();
    await inference?.stop();
  });

  it('sends a message, streams the reply token by token, and stores it finished', async () => {
    const sent = await gqlOk(api.url, SEND, { input: { content: 'What is 2 plus 3?', params: { temperature: 0 } } }, user.token);
    const { assistantMessage, userMessage, conversation } = sent.sendMessage;
    expect(assistantMessage.status).toBe('STREAMING');

    const client = wsClient(api.url, user.token);
    const events = await collect(client, assistantMessage.id);
    await client.dispose();

    const deltas = events.filter((e) => !e.done);
    expect(deltas.length).toBeGreaterThan(3);
    expect(deltas.map((e) => e.seq)).toEqual(deltas.map((_, i) => i + 1));
    const last = events.at(-1)!;
    expect(last).toMatchObject({ done: true, seq: deltas.length + 1, status: 'COMPLETE', finishReason: 'stop', error: null });
    expect(last.usage!.completionTokens).toBeGreaterThan(0);
    expect(last.usage!.totalTokens).toBe(last.usage!.promptTokens + last.usage!.completionTokens);
    expect(last.timings!.timeToFirstTokenMs).toBeGreaterThanOrEqual(0);

    const conv = (await gqlOk(api.url, CONVERSATION, { id: conversation.id }, user.token)).conversation;
    expect(conv.title).toBe('What is 2 plus 3?');
    const [u, a] = conv.messages;
    expect(u).toMatchObject({ id: userMessage.id, role: 'USER', parentId: null, content: 'What is 2 plus 3?' });
    expect(a).toMatchObject({ id: assistantMessage.id, role: 'ASSISTANT', parentId: userMessage.id, status: 'COMPLETE', finishReason: 'stop' });
    expect(a.content).toBe(textOf(events));
    expect(a.content).toContain('5');
    expect(a.model).toBe('dialoop-tiny');
    expect(a.completionTokens).toBe(last.usage!.completionTokens);
  });

  it('replays to a late subscriber, from the start or from any seq, without loss or duplicates', async () => {
    const sent = await gqlOk(api.url, SEND, { input: { content: 'Name a weekday.', params: { temperature: 0 } } }, user.token);
    const id = sent.sendMessage.assistantMessage.id;
    const client = wsClient(api.url, user.token);
    const live = await collect(client, id);
    // After the reply finished: the whole stream again, then only its tail.
    const replay = await collect(client, id);
    expect(replay).toEqual(live);
    const tail = await collect(client, id, { fromSeq: 3 });
    expect(tail).toEqual(live.filter((e) => e.seq >= 3));

    // A subscriber that drops mid-stream and resumes from its next seq gets exactly the rest.
    const sent2 = await gqlOk(api.url, SEND, { input: { content: 'Tell me about Dialoop.', params: { maxTokens: 200, ignoreEos: true } } }, user.token);
    const id2 = sent2.sendMessage.assistantMessage.id;
    const first = await collect(client, id2, { until: (_e, all) => all.length === 5 });
    const rest = await collect(client, id2, { fromSeq: first.at(-1)!.seq + 1 });
    const all = [...first, ...rest];
    expect(all.map((e) => e.seq)).toEqual(all.map((_, i) => i + 1));
    expect(all.at(-1)!.done).toBe(true);
    const stored = (await gqlOk(api.url, `query($id: ID!) { message(id: $id) { content } }`, { id: id2 }, user.token)).message;
    expect(stored.content).toBe(textOf(all));
    await client.dispose();
  });

  it('continues a conversation, regenerates a sibling reply and edits a prompt into a new branch', async () => {
    const first = (await gqlOk(api.url, SEND, { input: { content: 'Hello!', params: { temperature: 0 } } }, user.token)).sendMessage;
    const client = wsClient(api.url, user.token);
    await collect(client, first.assistantMessage.id);
    // Follow-up with no parentId answers the newest message.
    const second = (await gqlOk(api.url, SEND, { input: { conversationId: first.conversation.id, content: 'What is 4 plus 4?' } }, user.token)).sendMessage;
    await collect(client, second.assistantMessage.id);

    const regen = (await gqlOk(api.url, `mutation($id: ID!) { regenerate(messageId: $id, input: { params: { seed: 7, temperature: 1 } }) { id status parentId } }`, { id: second.assistantMessage.id }, user.token)).regenerate;
    expect(regen.status).toBe('STREAMING');
    expect(regen.parentId).toBe(second.userMessage.id);
    await collect(client, regen.id);

    const edit = (await gqlOk(api.url, `mutation($id: ID!) { editAndResend(messageId: $id, content: "What is 5 plus 5?") { userMessage { id } assistantMessage { id } } }`, { id: second.userMessage.id }, user.token)).editAndResend;
    await collect(client, edit.assistantMessage.id);
    await client.dispose();

    const conv = (await gqlOk(api.url, CONVERSATION, { id: first.conversation.id }, user.token)).conversation;
    const byId = new Map<string, any>(conv.messages.map((m: any) => [m.id, m]));
    expect(conv.messages).toHaveLength(7);
    expect(byId.get(second.userMessage.id).parentId).toBe(first.assistantMessage.id);
    // Siblings: two replies to one prompt; two prompts under one reply.
    expect(byId.get(regen.id).parentId).toBe(byId.get(second.assistantMessage.id).parentId);
    expect(byId.get(edit.userMessage.id).parentId).toBe(first.assistantMessage.id);
    expect(byId.get(edit.userMessage.id).content).toBe('What is 5 plus 5?');
    expect(conv.messages.every((m: any) => m.status === 'COMPLETE')).toBe(true);
  });

  it('leaves the oldest turns out when a conversation outgrows the model context', async () => {
    // dialoop-tiny has 1,024 positions (bytes): two 600-character prompts do not fit together.
    const long = (n: number) => `Question ${n}: ${'what is the capital of France? '.repeat(20)}`;
    const first = (await gqlOk(api.url, SEND, { input: { content: long(1), params: { maxTokens: 20 } } }, user.token)).sendMessage;
    const client = wsClient(api.url, user.token);
    await collect(client, first.assistantMessage.id);
    const second = (await gqlOk(api.url, SEND, { input: { conversationId: first.conversation.id, content: long(2), params: { maxTokens: 20 } } }, user.token)).sendMessage;
    const events = await collect(client, second.assistantMessage.id);
    await client.dispose();
    expect(events.at(-1)).toMatchObject({ done: true, status: 'COMPLETE', error: null });
    // Only the last prompt was sent: fewer prompt tokens than the two prompts together.
    expect(events.at(-1)!.usage!.promptTokens).toBeLessThan(long(1).length + long(2).length);
  });

  it('rates a reply once per person, updatably, and validates the rating', async () => {
    const sent = (await gqlOk(api.url, SEND, { input: { content: 'Hi' } }, user.token)).sendMessage;
    const client = wsClient(api.url, user.token);
    await collect(client, sent.assistantMessage.id);
    await client.dispose();
    const RATE = `mutation($id: ID!, $i: RateMessageInput!) { rateMessage(messageId: $id, input: $i) { id thumb score tags comment } }`;
    const r1 = (await gqlOk(api.url, RATE, { id: sent.assistantMessage.id, i: { thumb: 'UP', tags: ['helpful', 'helpful'] } }, user.token)).rateMessage;
    const r2 = (await gqlOk(api.url, RATE, { id: sent.assistantMessage.id, i: { score: 2, comment: 'on second thought' } }, user.token)).rateMessage;
    expect(r2.id).toBe(r1.id);
    expect(r1.tags).toEqual(['helpful']);
    expect(r2).toMatchObject({ thumb: null, score: 2, comment: 'on second thought' });
    const conv = (await gqlOk(api.url, CONVERSATION, { id: sent.conversation.id }, user.token)).conversation;
    expect(conv.messages[1].myRating).toMatchObject({ score: 2 });

    expect(codeOf(await gql(api.url, RATE, { id: sent.assistantMessage.id, i: { score: 6 } }, user.token))).toBe('BAD_USER_INPUT');
    expect(codeOf(await gql(api.url, RATE, { id: sent.assistantMessage.id, i: {} }, user.token))).toBe('BAD_USER_INPUT');
    expect(codeOf(await gql(api.url, RATE, { id: sent.userMessage.id, i: { thumb: 'DOWN' } }, user.token))).toBe('BAD_USER_INPUT');
  });

  it('pages conversations newest first with Relay cursors, renames and deletes', async () => {
    const other = await newUser(api.url);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const s = (await gqlOk(api.url, SEND, { input: { content: `conversation ${i}`, params: { maxTokens: 2 } } }, other.token)).sendMessage;
      ids.push(s.conversation.id);
    }
    await waitFor(async () => {
      const d = await gqlOk(api.url, `{ conversations(first: 10) { edges { node { id } } } }`, {}, other.token);
      return d.conversations.edges.length === 5;
    });
    const PAGE = `query($after: String) { conversations(first: 2, after: $after) { edges { cursor node { id title } } pageInfo { hasNextPage endCursor } } }`;
    const seen: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page: any = (await gqlOk(api.url, PAGE, { after }, other.token)).conversations;
      seen.push(...page.edges.map((e: any) => e.node.id));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).toEqual([...ids].reverse());

    const renamed = await gqlOk(api.url, `mutation($id: ID!) { renameConversation(id: $id, title: "Renamed") { title } }`, { id: ids[0] }, other.token);
    expect(renamed.renameConversation.title).toBe('Renamed');
    await waitFor(async () => (await gqlOk(api.url, `query($id: ID!) { message(id: $id) { status } }`, { id: (await gqlOk(api.url, CONVERSATION, { id: ids[1] }, other.token)).conversation.messages[1].id }, other.token)).message.status !== 'STREAMING');
    expect((await gqlOk(api.url, `mutation($id: ID!) { deleteConversation(id: $id) }`, { id: ids[1] }, other.token)).deleteConversation).toBe(true);
    expect(codeOf(await gql(api.url, CONVERSATION, { id: ids[1] }, other.token))).toBe('NOT_FOUND');
    expect(codeOf(await gql(api.url, PAGE, { after: 'not-a-cursor' }, other.token))).toBe('BAD_USER_INPUT');
  });

  it('searches your conversations by title and by any message, in any case, never others\'', async () => {
    const me = await newUser(api.url);
    const someone = await newUser(api.url);
    const send = async (content: string, token: string) => (await gqlOk(api.url, SEND, { input: { content, params: { maxTokens: 2 } } }, token)).sendMessage;
    const byTitle = (await send('Planning the Zanzibar trip', me.token)).conversation.id;
    const first = await send('first a question about tea', me.token);
    const byMessage = first.conversation.id;
    await waitFor(async () => (await gqlOk(api.url, `query($id: ID!) { message(id: $id) { status } }`, { id: first.assistantMessage.id }, me.token)).message.status === 'COMPLETE');
    await gqlOk(api.url, `mutation($id: ID!) { renameConversation(id: $id, title: "Tea") { title } }`, { id: byMessage }, me.token);
    await gqlOk(api.url, SEND, { input: { conversationId: byMessage, content: 'And what about ZANZIBAR spice?', params: { maxTokens: 2 } } }, me.token);
    await send('unrelated', me.token);
    await send('zanzibar is mine, not yours', someone.token);
    const SEARCH = `query($q: String) { conversations(search: $q) { edges { node { id } } } }`;
    const found = async (q: string) => (await gqlOk(api.url, SEARCH, { q }, me.token)).conversations.edges.map((e: any) => e.node.id);
    await waitFor(async () => (await found('zanzibar')).length === 2);
    expect(new Set(await found('zanzibar'))).toEqual(new Set([byTitle, byMessage]));
    expect(await found('  TEA ')).toEqual([byMessage]);
    expect(await found('nothing like this')).toEqual([]);
    expect(codeOf(await gql(api.url, SEARCH, { q: '   ' }, me.token))).toBe('BAD_USER_INPUT');
    expect(codeOf(await gql(api.url, SEARCH, { q: 'x'.repeat(201) }, me.token))).toBe('BAD_USER_INPUT');
  });

  it('lets apps chat with an API key over HTTP and WebSocket, within its scopes', async () => {
    const created = (await gqlOk(api.url, `mutation { createApiKey(input: { name: "app", scopes: [chat] }) { secret apiKey { id prefix scopes } } }`, {}, user.token)).createApiKey;
    expect(created.secret).toMatch(/^dk_/);
    expect(created.secret.startsWith(created.apiKey.prefix)).toBe(true);
    const key = created.secret;
    const sent = (await gqlOk(api.url, SEND, { input: { content: 'Hello from an app' } }, key)).sendMessage;
    const client = wsClient(api.url, key);
    const events = await collect(client, sent.assistantMessage.id);
    await client.dispose();
    expect(events.at(-1)!.done).toBe(true);
    // The chat scope does not cover ratings or creating more keys.
    const rate = await gql(api.url, `mutation($id: ID!) { rateMessage(messageId: $id, input: { thumb: UP }) { id } }`, { id: sent.assistantMessage.id }, key);
    expect(codeOf(rate)).toBe('FORBIDDEN');
    expect(codeOf(await gql(api.url, `mutation { createApiKey(input: { name: "x", scopes: [chat] }) { secret } }`, {}, key))).toBe('FORBIDDEN');
    // Revoked keys stop working.
    await gqlOk(api.url, `mutation($id: ID!) { revokeApiKey(id: $id) { revokedAt } }`, { id: created.apiKey.id }, user.token);
    expect(codeOf(await gql(api.url, `{ conversations { edges { node { id } } } }`, {}, key))).toBe('UNAUTHENTICATED');
  });

  it('rotates refresh tokens and lists models', async () => {
    const login = await gqlOk(api.url, `mutation { login(email: "user@demo.local", password: "dialoop-demo") { accessToken refreshToken expiresIn user { email role } } }`);
    expect(login.login.user).toEqual({ email: 'user@demo.local', role: 'USER' });
    const REFRESH = `mutation($t: String!) { refreshToken(token: $t) { accessToken refreshToken } }`;
    const next = (await gqlOk(api.url, REFRESH, { t: login.login.refreshToken })).refreshToken;
    expect(codeOf(await gql(api.url, REFRESH, { t: login.login.refreshToken }))).toBe('UNAUTHENTICATED');
    const me = await gqlOk(api.url, `{ me { email } models { id } }`, {}, next.accessToken);
    expect(me.me.email).toBe('user@demo.local');
    expect(me.models).toEqual([{ id: 'dialoop-tiny' }]);
  });
});
