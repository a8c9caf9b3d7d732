/**
 * Tenant isolation: two people chatting at once see only their own conversations, messages and
 * streams; every way another person could reach them is refused with NOT_FOUND or FORBIDDEN and
 * leaks nothing (the raw response bodies are searched for the owner's text and ids); a reviewer
 * reads but cannot act. The owner's rows are compared before and after, straight from the database.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { EVERY_DELTA, SEND, STREAM, collect, gqlOk, newUser, startApi, startInference, textOf, wsClient, type Proc, type StreamEventT, type TestApi } from './stack.js';

interface Person {
  token: string;
  id: string;
}

/** A GraphQL request whose raw body is kept, to search it for leaks. */
async function rawGql(baseUrl: string, query: string, variables: Record<string, unknown>, token: string) {
  const res = await fetch(`${baseUrl}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const text = await res.text();
  const body = JSON.parse(text) as { data?: Record<string, unknown> | null; errors?: { extensions?: { code?: string } }[] };
  return { text, body, code: body.errors?.[0]?.extensions?.code };
}

interface Subscribed {
  frames: string[];
  /** extensions.code of every error received. */
  codes: string[];
  /** `next` frames that carried data. */
  data: unknown[];
}

/** Subscribes over a raw graphql-ws socket and returns every frame received until the operation ends. */
function rawSubscribe(baseUrl: string, token: string, messageId: string): Promise<Subscribed> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/graphql`, 'graphql-transport-ws');
    const frames: string[] = [];
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error(`subscription did not end; frames: ${frames.join('\n')}`));
    }, 15_000);
    ws.once('error', reject);
    ws.once('open', () => ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } })));
    ws.on('message', (data) => {
      const text = String(data);
      frames.push(text);
      const m = JSON.parse(text) as { type: string; payload?: any };
      if (m.type === 'connection_ack') ws.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: STREAM, variables: { id: messageId } } }));
      if (m.type === 'error' || m.type === 'complete') {
        clearTimeout(timer);
        ws.close();
        const payloads = frames.map((f) => JSON.parse(f) as { type: string; payload?: any });
        // A refused subscription ends with `error`, or (graphql-js: the source could not be created) a `next` holding only errors.
        const errors = payloads.flatMap((p) => (p.type === 'error' ? p.payload : p.type === 'next' ? (p.payload.errors ?? []) : []));
        resolve({ frames, codes: errors.map((e: any) => e.extensions?.code), data: payloads.filter((p) => p.type === 'next' && p.payload.data != null) });
      }
    });
    ws.once('close', (code) => {
      clearTimeout(timer);
      reject(new Error(`socket closed with ${code}; frames: ${frames.join('\n')}`));
    });
  });
}

const CONVERSATION = `query($id: ID!) { conversation(id: $id) { id title messages { id role content status myRating { score } } } }`;
const MESSAGE = `query($id: ID!) { message(id: $id) { id content status conversationId } }`;
const CONVERSATIONS = `{ conversations(first: 100) { edges { node { id title } } } }`;
const RATE = `mutation($id: ID!) { rateMessage(messageId: $id, input: { score: 1, comment: "hijacked" }) { id score } }`;
const CANCEL = `mutation($id: ID!) { cancelGeneration(messageId: $id) { id status content } }`;
const REGENERATE = `mutation($id: ID!) { regenerate(messageId: $id) { id status content } }`;
const CONTINUE = `mutation($id: ID!) { continueGeneration(messageId: $id) { id status content } }`;
const EDIT = `mutation($id: ID!) { editAndResend(messageId: $id, content: "edited by someone else") { conversation { id title } userMessage { id } assistantMessage { id } } }`;
const RENAME = `mutation($id: ID!) { renameConversation(id: $id, title: "taken over") { id title } }`;
const DELETE = `mutation($id: ID!) { deleteConversation(id: $id) }`;
const SEND_FULL = `mutation($input: SendMessageInput!) { sendMessage(input: $input) { conversation { id title } userMessage { id content } assistantMessage { id status } } }`;

describe('people see only their own chats', () => {
  let inference: Proc;
  let api: TestApi;
  let alice: Person;
  let bob: Person;
  let reviewer: Person;
  const tag = randomUUID().slice(0, 8);
  const ALICE_PROMPT = `Alice-secret-${tag}: plan the surprise party`;
  const BOB_PROMPT = `Bob-private-${tag}: list my groceries`;

  /** Alice's first exchange, made in the concurrent test and attacked in the next ones. */
  let a: { conversationId: string; userMessageId: string; replyId: string; reply: string };
  let bobConversationId: string;

  beforeAll(async () => {
    inference = await startInference();
    api = await startApi(inference.url, EVERY_DELTA);
    [alice, bob, reviewer] = [await newUser(api.url), await newUser(api.url), await newUser(api.url, 'REVIEWER')];
  });
  afterAll(async () => {
    await api?.close();
    await inference?.stop();
  });

  /** Everything of Alice's conversation, as stored. */
  type Attempt = [what: string, query: string, variables: Record<string, unknown>];
  /** Every way to change Alice's conversation or write into it: refused to anyone but her. */
  const writeAttempts = (): Attempt[] => [
    ['rateMessage', RATE, { id: a.replyId }],
    ['cancelGeneration', CANCEL, { id: a.replyId }],
    ['regenerate', REGENERATE, { id: a.replyId }],
    ['continueGeneration', CONTINUE, { id: a.replyId }],
    ['editAndResend', EDIT, { id: a.userMessageId }],
    ['renameConversation', RENAME, { id: a.conversationId }],
    ['deleteConversation', DELETE, { id: a.conversationId }],
    ['sendMessage into the conversation', SEND_FULL, { input: { conversationId: a.conversationId, content: 'hello?' } }],
    ['sendMessage under the reply', SEND_FULL, { input: { parentId: a.replyId, content: 'hello?' } }],
  ];
  const snapshot = async (conversationId: string) => {
    const db = api.server.database.prisma;
    return {
      conversation: await db.conversation.findUnique({ where: { id: conversationId } }),
      messages: await db.message.findMany({ where: { conversationId }, orderBy: { ordinal: 'asc' } }),
      ratings: await db.rating.findMany({ where: { message: { conversationId } }, orderBy: { id: 'asc' } }),
      conversationCount: await db.conversation.count({ where: { userId: alice.id } }),
    };
  };

  /** Asserts that a response body holds none of Alice's data. */
  const leaksNothing = (text: string, what: string) => {
    const secrets = [ALICE_PROMPT, `Alice-secret-${tag}`, a.conversationId, a.userMessageId, a.replyId, ...(a.reply.length >= 12 ? [a.reply] : [])];
    for (const s of secrets) expect(text.includes(s), `${what} leaks ${s}`).toBe(false);
  };

  it('streams two people’s replies at once, each to its owner only', async () => {
    const chat = async (who: Person, content: string) => {
      const sent = (await gqlOk(api.url, SEND, { input: { content, params: { maxTokens: 48, ignoreEos: true } } }, who.token)).sendMessage;
      const client = wsClient(api.url, who.token);
      try {
        return { sent, events: await collect(client, sent.assistantMessage.id) };
      } finally {
        await client.dispose();
      }
    };
    const [ra, rb] = await Promise.all([chat(alice, ALICE_PROMPT), chat(bob, BOB_PROMPT)]);
    for (const r of [ra, rb]) {
      const own = r.sent.assistantMessage.id;
      expect(r.events.every((e: StreamEventT) => e.messageId === own)).toBe(true);
      expect(r.events.map((e) => e.seq)).toEqual(r.events.map((_, i) => i + 1));
      expect(r.events.at(-1)).toMatchObject({ done: true, status: 'COMPLETE' });
    }
    a = { conversationId: ra.sent.conversation.id, userMessageId: ra.sent.userMessage.id, replyId: ra.sent.assistantMessage.id, reply: textOf(ra.events) };
    bobConversationId = rb.sent.conversation.id;

    // Each reads back exactly their own reply; each list holds only their own conversation.
    expect((await gqlOk(api.url, MESSAGE, { id: a.replyId }, alice.token)).message.content).toBe(a.reply);
    expect((await gqlOk(api.url, MESSAGE, { id: rb.sent.assistantMessage.id }, bob.token)).message.content).toBe(textOf(rb.events));
    const lists = await Promise.all([alice, bob].map(async (p) => (await gqlOk(api.url, CONVERSATIONS, {}, p.token)).conversations.edges.map((e: any) => e.node)));
    expect(lists[0]).toEqual([{ id: a.conversationId, title: ALICE_PROMPT }]);
    expect(lists[1]).toEqual([{ id: bobConversationId, title: BOB_PROMPT }]);
    const bobConv = (await gqlOk(api.url, CONVERSATION, { id: bobConversationId }, bob.token)).conversation;
    expect(JSON.stringify(bobConv)).not.toContain(`Alice-secret-${tag}`);
  });

  it('refuses every way another person could read, stream, rate, cancel or change a reply, and leaks nothing', async () => {
    // Alice rates her reply, then asks for a long one: attacks on a reply that is still streaming first.
    await gqlOk(api.url, `mutation($id: ID!) { rateMessage(messageId: $id, input: { score: 5 }) { id } }`, { id: a.replyId }, alice.token);
    const long = (await gqlOk(api.url, SEND, { input: { conversationId: a.conversationId, content: 'Tell me more.', params: { maxTokens: 700, ignoreEos: true } } }, alice.token)).sendMessage;
    const aliceClient = wsClient(api.url, alice.token);
    let firstDelta!: () => void;
    const started = new Promise<void>((r) => (firstDelta = r));
    const aliceStream = collect(aliceClient, long.assistantMessage.id, { onEvent: () => firstDelta() });
    await started;

    for (const [who, person] of [['another user', bob], ['a reviewer', reviewer]] as const) {
      const cancel = await rawGql(api.url, CANCEL, { id: long.assistantMessage.id }, person.token);
      expect(['NOT_FOUND', 'FORBIDDEN'], `${who} cancelling`).toContain(cancel.code);
      expect(cancel.body.data ?? null).toBeNull();
      const rate = await rawGql(api.url, RATE, { id: long.assistantMessage.id }, person.token);
      expect(['NOT_FOUND', 'FORBIDDEN'], `${who} rating`).toContain(rate.code);
    }
    const bobSub = await rawSubscribe(api.url, bob.token, long.assistantMessage.id);
    expect(bobSub.codes).toHaveLength(1);
    expect(['NOT_FOUND', 'FORBIDDEN']).toContain(bobSub.codes[0]);
    expect(bobSub.data).toEqual([]);
    // The attempts did not stop Alice's reply: it was still streaming, and it ran to its length.
    expect((await gqlOk(api.url, MESSAGE, { id: long.assistantMessage.id }, alice.token)).message.status).toBe('STREAMING');
    const aliceEvents = await aliceStream;
    await aliceClient.dispose();
    expect(aliceEvents.at(-1)).toMatchObject({ done: true, status: 'COMPLETE', finishReason: 'length' });
    expect(aliceEvents.at(-1)!.usage!.completionTokens).toBe(700);

    const before = await snapshot(a.conversationId);
    const attempts: Attempt[] = [
      ['conversation', CONVERSATION, { id: a.conversationId }],
      ['message (reply)', MESSAGE, { id: a.replyId }],
      ['message (prompt)', MESSAGE, { id: a.userMessageId }],
      ...writeAttempts(),
      ['sendMessage under the reply, from own conversation', SEND_FULL, { input: { conversationId: bobConversationId, parentId: a.replyId, content: 'hello?' } }],
      ['sendMessage under the prompt', SEND_FULL, { input: { parentId: a.userMessageId, content: 'hello?' } }],
    ];
    for (const [what, query, variables] of attempts) {
      const r = await rawGql(api.url, query, variables, bob.token);
      expect(['NOT_FOUND', 'FORBIDDEN'], what).toContain(r.code);
      expect(Object.values(r.body.data ?? {}).every((v) => v === null), what).toBe(true);
      leaksNothing(r.text, what);
    }
    // Bob's own list and conversation still show nothing of Alice's.
    const list = await rawGql(api.url, CONVERSATIONS, {}, bob.token);
    expect((list.body.data as any).conversations.edges.map((e: any) => e.node.id)).toEqual([bobConversationId]);
    leaksNothing(list.text, 'conversations');
    leaksNothing((await rawGql(api.url, CONVERSATION, { id: bobConversationId }, bob.token)).text, 'own conversation');
    // A finished reply: the subscription is refused before any replay.
    const replay = await rawSubscribe(api.url, bob.token, a.replyId);
    expect(replay.codes).toHaveLength(1);
    expect(['NOT_FOUND', 'FORBIDDEN']).toContain(replay.codes[0]);
    expect(replay.data).toEqual([]);
    leaksNothing(replay.frames.join('\n'), 'messageStream');

    expect(await snapshot(a.conversationId)).toEqual(before);
    expect(before.messages).toHaveLength(4);
    expect(before.ratings).toMatchObject([{ userId: alice.id, score: 5 }]);
  });

  it('lets a reviewer read another person’s conversation and stream, but not cancel, rate, rename, delete or write in it', async () => {
    const before = await snapshot(a.conversationId);
    const conv = (await gqlOk(api.url, CONVERSATION, { id: a.conversationId }, reviewer.token)).conversation;
    expect(conv).toMatchObject({ id: a.conversationId, title: ALICE_PROMPT });
    expect(conv.messages.map((m: any) => m.id)).toEqual(before.messages.map((m) => m.id));
    // The reviewer sees no rating of their own on it (Alice's rating is hers).
    expect(conv.messages.every((m: any) => m.myRating === null)).toBe(true);
    expect((await gqlOk(api.url, MESSAGE, { id: a.replyId }, reviewer.token)).message.content).toBe(a.reply);
    const client = wsClient(api.url, reviewer.token);
    const replay = await collect(client, a.replyId);
    await client.dispose();
    expect(textOf(replay)).toBe(a.reply);

    const attempts = writeAttempts();
    for (const [what, query, variables] of attempts) {
      const r = await rawGql(api.url, query, variables, reviewer.token);
      expect(['NOT_FOUND', 'FORBIDDEN'], what).toContain(r.code);
      expect(Object.values(r.body.data ?? {}).every((v) => v === null), what).toBe(true);
    }
    expect(await snapshot(a.conversationId)).toEqual(before);
  });
});
