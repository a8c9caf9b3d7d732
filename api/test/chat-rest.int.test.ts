/**
 * `POST /chat`, the plain REST endpoint, against the real stack: the inference server (dialoop-tiny)
 * and the scripted upstream (to see exactly what the model was asked), a fresh database. Its bad
 * inputs are rows of test/bad-input.int.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCRIPTED_MODEL, script, startScriptedUpstream, type ScriptedUpstream } from './scripted-upstream.js';
import { gqlOk, login, newUser, startApi, startInference, waitFor, type Proc, type TestApi } from './stack.js';

const CONVERSATION = `query($id: ID!) { conversation(id: $id) { id title messages { id parentId role content status model finishReason } } }`;
const ENTRIES = `query($f: AuditFilterInput) { auditEntries(filter: $f, first: 50) {
  edges { node { action outcome actor { kind apiKeyId } subject { type id } after } }
} }`;

interface ChatAnswer {
  status: number;
  headers: Headers;
  body: any;
}

async function chat(url: string, body: unknown, authorization?: string): Promise<ChatAnswer> {
  const res = await fetch(`${url}/chat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(authorization ? { authorization } : {}) },
    body: JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, body: await res.json() };
}

interface SseEvent {
  event: string | undefined;
  data: string;
}

/** Reads a server-sent event stream to its end (or until `stop` says so, then drops the connection). */
async function sse(url: string, body: unknown, authorization: string, stop?: (e: SseEvent, all: SseEvent[]) => boolean): Promise<{ status: number; headers: Headers; events: SseEvent[] }> {
  const abort = new AbortController();
  const res = await fetch(`${url}/chat`, { method: 'POST', headers: { 'content-type': 'application/json', authorization }, body: JSON.stringify({ ...(body as object), stream: true }), signal: abort.signal });
  const events: SseEvent[] = [];
  const decoder = new TextDecoder();
  let buffer = '';
  try {
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const e: SseEvent = { event: undefined, data: '' };
        for (const line of block.split('\n')) {
          if (line.startsWith('event: ')) e.event = line.slice(7);
          else if (line.startsWith('data: ')) e.data += line.slice(6);
        }
        events.push(e);
        if (stop?.(e, events)) {
          abort.abort();
          return { status: res.status, headers: res.headers, events };
        }
      }
    }
  } catch (err) {
    if (!abort.signal.aborted) throw err;
  }
  return { status: res.status, headers: res.headers, events };
}

describe('POST /chat', () => {
  let inference: Proc;
  let upstream: ScriptedUpstream;
  let api: TestApi;
  let admin: string;
  let user: { token: string; id: string };
  let chatKey: string;
  let profileKey: string;

  const bearer = (token: string) => `Bearer ${token}`;
  const key = async (token: string, scope: string) =>
    (await gqlOk(api.url, `mutation { createApiKey(input: { name: "rest-${scope}", scopes: [${scope}] }) { secret } }`, {}, token)).createApiKey.secret as string;

  beforeAll(async () => {
    [inference, upstream] = await Promise.all([startInference(), startScriptedUpstream()]);
    // Four sends a minute per person: the rate-limit test below passes it; every other test has a person of its own.
    api = await startApi(`${inference.url},${upstream.url}`, { RATE_LIMIT_MESSAGES_PER_MINUTE: '4' });
    admin = await login(api.url, 'admin@demo.local');
    user = await newUser(api.url, 'USER', admin);
    chatKey = await key(user.token, 'chat');
    profileKey = await key(user.token, 'profile');
  });
  afterAll(async () => {
    await api?.close();
    await upstream?.close();
    await inference?.stop();
  });

  it('answers a question with the reply, stored like a sendMessage turn (access token)', async () => {
    const r = await chat(api.url, { query: 'What is 2 plus 3?', params: { temperature: 0 } }, bearer(user.token));
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ status: 'COMPLETE', finishReason: 'stop', model: 'dialoop-tiny' });
    expect(r.body.reply).toContain('5');
    expect(r.body.usage.totalTokens).toBe(r.body.usage.promptTokens + r.body.usage.completionTokens);
    expect(r.headers.get('x-message-id')).toBe(r.body.messageId);
    expect(r.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);

    const conv = (await gqlOk(api.url, CONVERSATION, { id: r.body.conversationId }, user.token)).conversation;
    expect(conv.title).toBe('What is 2 plus 3?');
    expect(conv.messages).toMatchObject([
      { id: r.body.userMessageId, role: 'USER', parentId: null, content: 'What is 2 plus 3?' },
      { id: r.body.messageId, role: 'ASSISTANT', parentId: r.body.userMessageId, status: 'COMPLETE', content: r.body.reply },
    ]);
  });

  it('streams the reply as server-sent events: deltas, then the final event and [DONE] (API key)', async () => {
    const { status, headers, events } = await sse(api.url, { query: 'Tell me about Dialoop.', params: { maxTokens: 24, ignoreEos: true } }, bearer(chatKey));
    expect(status).toBe(200);
    expect(headers.get('content-type')).toMatch(/^text\/event-stream/);
    const data = events.filter((e) => e.event === undefined);
    expect(data.at(-1)!.data).toBe('[DONE]');
    const parsed = data.slice(0, -1).map((e) => JSON.parse(e.data));
    const deltas = parsed.filter((p) => 'delta' in p);
    // Deltas close together come joined (STREAM_COALESCE_MS): a reply this short may come as one.
    expect(deltas.length).toBeGreaterThanOrEqual(1);
    const last = parsed.at(-1);
    expect(last).toMatchObject({ done: true, status: 'COMPLETE', finishReason: 'length', messageId: headers.get('x-message-id'), conversationId: headers.get('x-conversation-id') });
    expect(last.usage.completionTokens).toBe(24);
    const stored = (await gqlOk(api.url, `query($id: ID!) { message(id: $id) { content status } }`, { id: last.messageId }, user.token)).message;
    expect(stored).toEqual({ content: deltas.map((d) => d.delta).join(''), status: 'COMPLETE' });
  });

  it('refuses no credential and a bad one (401), and a key without the chat scope (403)', async () => {
    const none = await chat(api.url, { query: 'Hello' });
    expect(none.status).toBe(401);
    expect(none.body.error).toMatchObject({ code: 'UNAUTHENTICATED', message: expect.any(String) });
    const forged = await chat(api.url, { query: 'Hello' }, 'Bearer dk_not-a-key');
    expect(forged.status).toBe(401);
    expect(forged.body.error.code).toBe('UNAUTHENTICATED');
    const scheme = await chat(api.url, { query: 'Hello' }, 'Basic dXNlcjpwYXNz');
    expect(scheme.status).toBe(401);
    const profile = await chat(api.url, { query: 'Hello' }, bearer(profileKey));
    expect(profile.status).toBe(403);
    expect(profile.body.error.code).toBe('FORBIDDEN');
    // A compliance officer's role may not create messages either.
    const officer = await chat(api.url, { query: 'Hello' }, bearer(await login(api.url, 'compliance@demo.local')));
    expect(officer.status).toBe(403);
  });

  it('starts the conversation with the history: stored before the prompt, and sent to the model', async () => {
    const person = await newUser(api.url, 'USER', admin);
    const history = [
      { role: 'user', content: 'My name is Ada.' },
      { role: 'assistant', content: 'Hello Ada, nice to meet you.' },
      { role: 'user', content: 'I like tea.' },
      { role: 'assistant', content: 'Tea it is.' },
    ];
    const query = script(['Your ', 'name ', 'is ', 'Ada.']);
    const r = await chat(api.url, { query, model: SCRIPTED_MODEL, history }, bearer(person.token));
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body).toMatchObject({ reply: 'Your name is Ada.', finishReason: 'stop', model: SCRIPTED_MODEL });

    const asked = upstream.received.find((messages) => messages.at(-1)?.content === query)!;
    expect(asked.filter((m) => m.role !== 'system')).toEqual([...history, { role: 'user', content: query }]);

    const conv = (await gqlOk(api.url, CONVERSATION, { id: r.body.conversationId }, person.token)).conversation;
    const chain = conv.messages.map((m: any) => ({ role: m.role, content: m.content, status: m.status, model: m.model }));
    expect(chain).toEqual([
      { role: 'USER', content: 'My name is Ada.', status: 'COMPLETE', model: null },
      { role: 'ASSISTANT', content: 'Hello Ada, nice to meet you.', status: 'COMPLETE', model: 'history' },
      { role: 'USER', content: 'I like tea.', status: 'COMPLETE', model: null },
      { role: 'ASSISTANT', content: 'Tea it is.', status: 'COMPLETE', model: 'history' },
      { role: 'USER', content: query, status: 'COMPLETE', model: null },
      { role: 'ASSISTANT', content: 'Your name is Ada.', status: 'COMPLETE', model: SCRIPTED_MODEL },
    ]);
    // One path from the root: each message answers the one before it.
    conv.messages.forEach((m: any, i: number) => expect(m.parentId).toBe(i === 0 ? null : conv.messages[i - 1].id));
    expect(conv.title).toBe(query.slice(0, 60));

    // The client's own assistant turns are not the model's replies: rated down, they still never
    // become review candidates (nor, through reviews, preference data).
    const planted = conv.messages[1].id;
    await gqlOk(api.url, `mutation($id: ID!) { rateMessage(messageId: $id, input: { thumb: DOWN }) { id } }`, { id: planted }, person.token);
    await gqlOk(api.url, `mutation { collectReviewItems { lowRating } }`, {}, admin);
    const items = (await gqlOk(api.url, `{ reviewItems(first: 200) { nodes { candidates { messageId model } } } }`, {}, admin)).reviewItems.nodes;
    const candidates = items.flatMap((i: any) => i.candidates);
    expect(candidates.some((c: any) => c.messageId === planted || c.model === 'history')).toBe(false);
  });

  it('refuses a blocked query or history turn as sendMessage does (400 SAFETY_BLOCKED), storing nothing', async () => {
    await gqlOk(api.url, `mutation($i: CreateSafetyTermInput!) { createSafetyTerm(input: $i) { id } }`, { i: { term: 'zorblax', level: 'BLOCK', category: 'test' } }, admin);
    const person = await newUser(api.url, 'USER', admin);
    const r = await chat(api.url, { query: 'please say zorblax now' }, bearer(person.token));
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ code: 'SAFETY_BLOCKED', category: 'test' });
    const h = await chat(api.url, { query: 'and now?', history: [{ role: 'user', content: 'zorblax' }, { role: 'assistant', content: 'ok' }] }, bearer(person.token));
    expect(h.status).toBe(400);
    expect(h.body.error).toMatchObject({ code: 'SAFETY_BLOCKED', category: 'test' });
    expect((await gqlOk(api.url, `{ conversations(first: 5) { edges { node { id } } } }`, {}, person.token)).conversations.edges).toEqual([]);
  });

  it('records the same audit entries as sendMessage: the turn, and refusals as DENIED', async () => {
    const person = await newUser(api.url, 'USER', admin);
    const personKey = await key(person.token, 'chat');
    const r = await chat(api.url, { query: script(['fine']), model: SCRIPTED_MODEL, history: [{ role: 'user', content: 'Hi' }, { role: 'assistant', content: 'Hello' }] }, bearer(personKey));
    expect(r.status).toBe(200);
    await chat(api.url, { query: 'Hello' });
    const officer = await login(api.url, 'compliance@demo.local');
    const entries = (await gqlOk(api.url, ENTRIES, { f: { action: 'sendMessage' } }, officer)).auditEntries.edges.map((e: any) => e.node);
    const turn = entries.find((e: any) => e.subject.id === r.body.messageId);
    expect(turn).toMatchObject({
      outcome: 'ALLOWED',
      actor: { kind: 'API_KEY', apiKeyId: expect.any(String) },
      subject: { type: 'Message' },
      after: { conversationId: r.body.conversationId, newConversation: true, userMessageId: r.body.userMessageId, contentLength: script(['fine']).length, history: { turns: 2, contentLength: 7 } },
    });
    // The trail keeps lengths, never text.
    expect(JSON.stringify(turn)).not.toContain('Hello');
    expect(entries.find((e: any) => e.outcome === 'DENIED' && e.actor.kind === 'ANONYMOUS')).toMatchObject({ after: { code: 'UNAUTHENTICATED' } });
    expect(entries.find((e: any) => e.outcome === 'DENIED' && e.after.code === 'SAFETY_BLOCKED')).toBeDefined();
  });

  it('keeps the reply going when the client disconnects: it finishes and is stored', async () => {
    const person = await newUser(api.url, 'USER', admin);
    const { events, headers } = await sse(api.url, { query: 'Tell me a long story.', params: { maxTokens: 48, ignoreEos: true } }, bearer(person.token), (e) => e.data.includes('"delta"'));
    expect(events.filter((e) => e.data.includes('"delta"'))).toHaveLength(1);
    const id = headers.get('x-message-id')!;
    let stored: any;
    await waitFor(async () => {
      stored = (await gqlOk(api.url, `query($id: ID!) { message(id: $id) { status completionTokens } }`, { id }, person.token)).message;
      return stored.status !== 'STREAMING' && stored.status !== 'QUEUED';
    }, 20_000, 'the reply to finish');
    expect(stored).toEqual({ status: 'COMPLETE', completionTokens: 48 });
  });

  it('applies the per-person rate limit: 429 with Retry-After', async () => {
    const person = await newUser(api.url, 'USER', admin);
    const answers: ChatAnswer[] = [];
    for (let i = 0; i < 5; i++) answers.push(await chat(api.url, { query: script(['x']), model: SCRIPTED_MODEL }, bearer(person.token)));
    expect(answers.slice(0, 4).map((a) => a.status)).toEqual([200, 200, 200, 200]);
    const limited = answers[4]!;
    expect(limited.status).toBe(429);
    expect(limited.body.error).toMatchObject({ code: 'RATE_LIMITED', retryAfterSeconds: expect.any(Number) });
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  });
});
