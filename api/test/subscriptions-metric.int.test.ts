/**
 * `dialoop_api_subscriptions_open` (what the prod HPA scales the api on), read from /metrics the
 * way Prometheus does: it follows graphql-ws subscriptions, not connections, and falls back to 0
 * however they end — the client's stop, the reply's final event, an abruptly closed socket.
 * Replies come from a stand-in upstream that holds every stream open until the test lets it finish.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type WebSocket from 'ws';
import { SEND, STREAM, connect, gql, gqlOk, metric, newUser, startApi, waitFor, wsClient, type TestApi } from './stack.js';

const MODEL = 'held';

/** An OpenAI-compatible upstream whose replies send one token, then wait for `finish()`. */
async function startHeldUpstream() {
  const held = new Set<http.ServerResponse>();
  const chunk = (body: Record<string, unknown>) => `data: ${JSON.stringify({ id: 'x', object: 'chat.completion.chunk', model: MODEL, ...body })}\n\n`;
  const server = http.createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/v1/models') return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ object: 'list', data: [{ id: MODEL, object: 'model' }] }));
    if (req.method !== 'POST' || req.url !== '/v1/chat/completions') return void res.writeHead(404).end();
    req.resume().on('end', () => {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      res.write(chunk({ choices: [{ index: 0, delta: { content: 'held' }, finish_reason: null }] }));
      held.add(res);
      res.on('close', () => held.delete(res));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    /** Ends every reply held so far, properly. */
    finish: () => {
      for (const res of held) {
        res.write(chunk({ choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] }));
        res.write(chunk({ choices: [], usage: { prompt_tokens: 1, completion_tokens: 1 } }));
        res.end('data: [DONE]\n\n');
      }
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

describe('dialoop_api_subscriptions_open', () => {
  let upstream: Awaited<ReturnType<typeof startHeldUpstream>>;
  let api: TestApi;
  let token: string;
  const clients: Client[] = [];

  beforeAll(async () => {
    upstream = await startHeldUpstream();
    api = await startApi(upstream.url, { DEFAULT_MODEL: MODEL });
    token = (await newUser(api.url)).token;
  });
  afterAll(async () => {
    for (const c of clients) await c.dispose();
    upstream?.finish();
    await api?.close();
    await upstream?.close();
  });

  const open = (field = 'messageStream') => metric(api.url, 'dialoop_api_subscriptions_open', { field });
  const openIs = (n: number, what: string) => waitFor(async () => (await open()) === n, 10_000, `${n} open subscriptions ${what}`);
  /** A reply streaming from the held upstream: its message id. */
  const streamingReply = async () =>
    (await gqlOk(api.url, SEND, { input: { content: 'Hold this one.', model: MODEL } }, token)).sendMessage.assistantMessage.id as string;
  /** Subscribes to a reply's events; resolves with the client's stop at the first event, rejects with the first error. */
  const subscribe = (client: Client, messageId: string, query = STREAM) =>
    new Promise<() => void>((resolve, reject) => {
      const stop = client.subscribe(
        { query, variables: { id: messageId, from: null } },
        { next: (r) => (r.errors ? reject(r.errors) : resolve(stop)), error: reject, complete: () => undefined },
      );
    });

  it('starts at 0 for every subscription field of the schema, and connections alone do not count', async () => {
    const text = await (await fetch(`${api.url}/metrics`)).text();
    expect(text).toContain('dialoop_api_subscriptions_open{field="messageStream"} 0');
    expect(text).toContain('dialoop_api_subscriptions_open{field="trainingRunProgress"} 0');
    const client = await connect(api.url, token);
    clients.push(client);
    const text2 = await (await fetch(`${api.url}/metrics`)).text();
    expect(text2).toMatch(/^dialoop_api_ws_connections 1$/m);
    expect(await open()).toBe(0);
    await client.dispose();
  });

  it('two subscriptions on one connection: 2; one stopped: 1; the socket closed abruptly with one open: 0', async () => {
    let socket: WebSocket | undefined;
    const client = wsClient(api.url, token, { on: { connected: (s) => void (socket = s as WebSocket) } });
    clients.push(client);
    const [a, b] = [await streamingReply(), await streamingReply()];
    const stopA = await subscribe(client, a);
    // Counted under its field, whatever the document calls it.
    await subscribe(client, b, 'subscription($id: ID!) { ...Events } fragment Events on Subscription { events: messageStream(messageId: $id) { seq } }');
    await openIs(2, 'with two subscriptions');
    // Queries, and a subscription refused before it streams, are not open subscriptions.
    expect((await gql(api.url, '{ me { id } }', {}, token)).errors).toBeUndefined();
    await expect(subscribe(client, '00000000-0000-4000-8000-000000000000')).rejects.toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'NOT_FOUND' }) })]);
    expect(await open()).toBe(2);

    stopA();
    await openIs(1, 'after the client stopped one');
    // No close frame: the api sees the TCP connection go, with a subscription still streaming.
    socket!.terminate();
    await openIs(0, 'after the socket was cut');
    expect(await open('trainingRunProgress')).toBe(0);
  });

  it('a subscription that ends with its reply’s final event is no longer open', async () => {
    const client = await connect(api.url, token);
    clients.push(client);
    const id = await streamingReply();
    const events: { done: boolean }[] = [];
    const ended = new Promise<void>((resolve, reject) =>
      client.subscribe<{ messageStream: { done: boolean } }>({ query: STREAM, variables: { id, from: null } }, { next: (r) => void events.push(r.data!.messageStream), error: reject, complete: resolve }),
    );
    await openIs(1, 'while the reply streams');
    upstream.finish();
    await ended;
    expect(events.at(-1)!.done).toBe(true);
    await openIs(0, 'after the final event');
  });
});
