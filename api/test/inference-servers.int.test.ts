/**
 * `inferenceServers` through GraphQL over HTTP: the real inference server (its /readyz,
 * /v1/models and Prometheus /metrics, and the token rate between two looks), a URL nobody listens
 * on and a server that never answers (each reported, never a failed query, within the ~2 s
 * limit), and who may ask.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEND, codeOf, collect, freePort, gql, gqlOk, login, newUser, startApi, startInference, wsClient, type Proc, type TestApi } from './stack.js';

const SERVERS = `{ inferenceServers { url reachable ready responseTimeMs models runningSequences queuedSequences generatedTokensTotal tokensPerSecond scrapedAt error } }`;

interface Server {
  url: string; reachable: boolean; ready: boolean; responseTimeMs: number | null; models: string[]; runningSequences: number | null;
  queuedSequences: number | null; generatedTokensTotal: number | null; tokensPerSecond: number | null; scrapedAt: string; error: string | null;
}

describe('inferenceServers', () => {
  let inference: Proc;
  let api: TestApi;
  let admin: string;
  let silent: http.Server;
  let deadUrl: string;
  let silentUrl: string;

  beforeAll(async () => {
    // A server that accepts connections and never answers.
    silent = http.createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    silentUrl = `http://127.0.0.1:${(silent.address() as AddressInfo).port}`;
    // With credentials in it, as a deployment may write it: never shown, never echoed in an error.
    deadUrl = `http://scott:tiger@127.0.0.1:${await freePort()}`;
    inference = await startInference();
    // The chat's own model lists wait less for the silent one.
    api = await startApi(`${inference.url},${deadUrl},${silentUrl}`, { UPSTREAM_CONNECT_TIMEOUT_MS: '1000' });
    admin = await login(api.url, 'admin@demo.local');
  });
  afterAll(async () => {
    await api?.close();
    await inference?.stop();
    silent?.closeAllConnections();
    await new Promise((r) => silent?.close(r));
  });

  it('reports each upstream: the real one ready with its models and load, the others with what failed, within the limit', async () => {
    const started = Date.now();
    const servers: Server[] = (await gqlOk(api.url, SERVERS, {}, admin)).inferenceServers;
    // Looked at in parallel: one after another, the silent server alone would take 3 × 2 s.
    expect(Date.now() - started).toBeLessThan(5_500);
    expect(servers.map((s) => s.url)).toEqual([inference.url, deadUrl.replace('scott:tiger@', ''), silentUrl]);
    const [real, dead, hung] = servers as [Server, Server, Server];
    expect(real).toMatchObject({ reachable: true, ready: true, runningSequences: 0, queuedSequences: 0, tokensPerSecond: null, error: null });
    expect(real.models).toContain('dialoop-tiny');
    expect(real.responseTimeMs).toBeGreaterThan(0);
    expect(real.generatedTokensTotal).toBeGreaterThanOrEqual(0);
    expect(dead).toMatchObject({ reachable: false, ready: false, responseTimeMs: null, models: [], runningSequences: null, queuedSequences: null, generatedTokensTotal: null, tokensPerSecond: null });
    expect(dead.error).toMatch(/\/readyz: ECONNREFUSED/);
    expect(dead.error).toMatch(/\/metrics: ECONNREFUSED/);
    expect(JSON.stringify(servers)).not.toContain('tiger');
    expect(hung).toMatchObject({ reachable: false, ready: false, models: [] });
    expect(hung.error).toContain('/v1/models: no answer within 2000 ms');
  });

  it('computes tokens per second from the counter between two looks', async () => {
    const first: Server = (await gqlOk(api.url, SERVERS, {}, admin)).inferenceServers[0];
    const user = await newUser(api.url);
    const sent = (await gqlOk(api.url, SEND, { input: { content: 'Count to ten.', params: { maxTokens: 40, ignoreEos: true } } }, user.token)).sendMessage;
    const client = wsClient(api.url, user.token);
    const events = await collect(client, sent.assistantMessage.id);
    await client.dispose();
    expect(events.at(-1)).toMatchObject({ done: true, status: 'COMPLETE', usage: { completionTokens: 40 } });
    // The rate needs looks at least a second apart.
    await new Promise((r) => setTimeout(r, Math.max(0, 1_100 - (Date.now() - Date.parse(first.scrapedAt)))));
    const second: Server = (await gqlOk(api.url, SERVERS, {}, admin)).inferenceServers[0];
    expect(second.generatedTokensTotal! - first.generatedTokensTotal!).toBeGreaterThanOrEqual(40);
    const seconds = (Date.parse(second.scrapedAt) - Date.parse(first.scrapedAt)) / 1000;
    expect(second.tokensPerSecond).toBeCloseTo((second.generatedTokensTotal! - first.generatedTokensTotal!) / seconds, 0);
    expect(second.tokensPerSecond).toBeGreaterThan(0);
    expect(second.runningSequences).toBe(0);
  });

  it('is for admins and ML engineers only', async () => {
    const ml = await newUser(api.url, 'ML_ENGINEER');
    expect((await gqlOk(api.url, SERVERS, {}, ml.token)).inferenceServers.length).toBeGreaterThan(0);
    for (const role of ['REVIEWER', 'SENIOR_REVIEWER', 'COMPLIANCE', 'USER']) {
      const { token } = await newUser(api.url, role);
      expect(codeOf(await gql(api.url, SERVERS, {}, token)), role).toBe('FORBIDDEN');
    }
    expect(codeOf(await gql(api.url, SERVERS))).toBe('UNAUTHENTICATED');
  });
});
