/**
 * What only operators see: in production `/metrics` and `/readyz`'s details need METRICS_TOKEN on
 * the api port, or live on METRICS_PORT alone; a refused model folder never names server paths.
 */
import { tmpdir } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import type { Client } from 'graphql-ws';
import { codeOf, connect, freePort, gql, metric, startApi, newUser, type TestApi } from './stack.js';

const TOKEN = 'metrics-token-metrics-token-0123';
const started: TestApi[] = [];
afterAll(async () => {
  for (const api of started) await api.close();
});

describe('operators’ endpoints', () => {
  it('in production: /metrics and readiness details only with METRICS_TOKEN', async () => {
    const api = await startApi('http://127.0.0.1:9', { NODE_ENV: 'production', METRICS_TOKEN: TOKEN, DEMO_ACCOUNTS: 'false' });
    started.push(api);
    expect((await fetch(`${api.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${api.url}/metrics`, { headers: { authorization: 'Bearer wrong-token-wrong-token' } })).status).toBe(401);
    const ok = await fetch(`${api.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('dialoop_api_reply_queue_length');
    expect(await (await fetch(`${api.url}/readyz`)).json()).toEqual({ status: 'ready' });
    expect(await (await fetch(`${api.url}/readyz`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()).toMatchObject({ status: 'ready', database: 'postgres' });
  });

  it('with METRICS_PORT: /metrics and readiness details there, and not on the api port', async () => {
    const port = await freePort();
    const api = await startApi('http://127.0.0.1:9', { METRICS_PORT: String(port) });
    started.push(api);
    expect((await fetch(`${api.url}/metrics`)).status).toBe(404);
    expect(await (await fetch(`${api.url}/readyz`)).json()).toEqual({ status: 'ready' });
    expect(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()).toContain('dialoop_api_generations_total');
    expect(await (await fetch(`http://127.0.0.1:${port}/readyz`)).json()).toMatchObject({ status: 'ready', database: 'postgres' });
  });

  it('counts GraphQL operations by type and the code the client got, over HTTP and WebSocket; labelled counters start at 0', async () => {
    const api = await startApi('http://127.0.0.1:9');
    started.push(api);
    const text = await (await fetch(`${api.url}/metrics`)).text();
    // Series that exist before their first event, so that rate() sees it.
    for (const series of [
      'dialoop_api_graphql_operations_total{type="mutation",code="INTERNAL_SERVER_ERROR"} 0',
      'dialoop_api_generations_total{status="FAILED"} 0',
      'dialoop_api_safety_escalations_total{step="LOCK"} 0',
      'dialoop_api_reply_queue_refusals_total{reason="deadline"} 0',
      'dialoop_api_subscriptions_lost_total{reason="server_error"} 0',
      'dialoop_api_audit_checkpoint_runs_total{outcome="broken"} 0',
      'dialoop_api_training_runs_total{status="FAILED",executor="LOCAL"} 0',
      'dialoop_api_dataset_builds_total{status="FAILED"} 0',
      'dialoop_api_reviews_total{kind="ADJUDICATION"} 0',
    ]) {
      expect(text).toContain(series);
    }
    // Safety hits: for every level and category of the loaded terms, in both directions.
    const admin = await newUser(api.url, 'ADMIN');
    const term = 'mutation { createSafetyTerm(input: { term: "plorbzang", level: BLOCK, category: "operators-test" }) { id } }';
    expect(codeOf(await gql(api.url, term, {}, admin.token))).toBeUndefined();
    for (const direction of ['INPUT', 'OUTPUT']) {
      expect(await (await fetch(`${api.url}/metrics`)).text()).toContain(`dialoop_api_safety_hits_total{level="BLOCK",category="operators-test",direction="${direction}"} 0`);
    }

    const user = await newUser(api.url, 'USER');
    const ops = (type: string, code: string) => metric(api.url, 'dialoop_api_graphql_operations_total', { type, code });
    const kinds: [string, string][] = [
      ['query', 'OK'],
      ['query', 'NOT_FOUND'],
      ['mutation', 'BAD_USER_INPUT'],
      ['unknown', 'GRAPHQL_VALIDATION_FAILED'],
      ['subscription', 'NOT_FOUND'],
      ['subscription', 'BAD_REQUEST'],
    ];
    const before = await Promise.all(kinds.map(([t, c]) => ops(t, c)));
    // Over HTTP: a query, a mutation with bad input, an invalid document, a subscription (refused: WebSocket only).
    expect(codeOf(await gql(api.url, '{ me { id } }', {}, user.token))).toBeUndefined();
    expect(codeOf(await gql(api.url, 'mutation { registerModelVersion(input: { name: "probe", path: "/etc" }) { id } }', {}, admin.token))).toBe('BAD_USER_INPUT');
    expect(codeOf(await gql(api.url, '{ noSuchField }', {}, user.token))).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(codeOf(await gql(api.url, 'subscription { messageStream(messageId: "00000000-0000-4000-8000-000000000000") { seq } }', {}, user.token))).toBe('BAD_REQUEST');
    // Over the WebSocket: a query, a query and a subscription for a message that does not exist, an invalid document.
    const ws = await connect(api.url, user.token);
    try {
      const run = (query: string) => firstResult(ws, query);
      expect(await run('{ me { id } }')).toBe('OK');
      expect(await run('{ conversation(id: "00000000-0000-4000-8000-000000000000") { id } }')).toBe('NOT_FOUND');
      expect(await run('subscription { messageStream(messageId: "00000000-0000-4000-8000-000000000000") { seq } }')).toBe('NOT_FOUND');
      expect(await run('{ noSuchField }')).toBe('GRAPHQL_VALIDATION_FAILED');
    } finally {
      await ws.dispose();
    }
    const after = await Promise.all(kinds.map(([t, c]) => ops(t, c)));
    expect(Object.fromEntries(kinds.map(([t, c], i) => [`${t} ${c}`, after[i]! - before[i]!]))).toEqual({
      'query OK': 2,
      'query NOT_FOUND': 1,
      'mutation BAD_USER_INPUT': 1,
      'unknown GRAPHQL_VALIDATION_FAILED': 2,
      'subscription NOT_FOUND': 1,
      'subscription BAD_REQUEST': 1,
    });
  });

  it('refuses a model folder without naming the server’s folders', async () => {
    const api = await startApi('http://127.0.0.1:9');
    started.push(api);
    const admin = await newUser(api.url, 'ADMIN');
    for (const path of ['/etc', `${tmpdir()}/nothing-here`]) {
      const r = await gql(api.url, 'mutation($p: String!) { registerModelVersion(input: { name: "probe", path: $p }) { id } }', { p: path }, admin.token);
      expect(codeOf(r)).toBe('BAD_USER_INPUT');
      expect(r.errors![0]!.message).not.toMatch(/\/(tmp|work|data|home|root|var)\b/);
      expect(r.errors![0]!.message).toContain('MODEL_STORE');
    }
  });
});

/** Runs one operation over graphql-ws: "OK", or the code of its first error (a result's, or the operation's). */
async function firstResult(ws: Client, query: string): Promise<string> {
  try {
    for await (const r of ws.iterate({ query })) return (r.errors?.[0]?.extensions?.code as string | undefined) ?? 'OK';
    return 'OK';
  } catch (err) {
    const errors = Array.isArray(err) ? (err as { extensions?: { code?: string } }[]) : [];
    return errors[0]?.extensions?.code ?? String(err);
  }
}
