/**
 * What only operators see: in production `/metrics` and `/readyz`'s details need METRICS_TOKEN on
 * the api port, or live on METRICS_PORT alone; a refused model folder never names server paths.
 */
import { tmpdir } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import { codeOf, freePort, gql, startApi, newUser, type TestApi } from './stack.js';

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
