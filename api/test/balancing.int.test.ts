/**
 * Balancing over two real inference servers serving the same model, seen through the api's own
 * /metrics: concurrent replies go to both; killing one while replies stream interrupts only its
 * replies, new ones keep completing on the survivor, the dead one is ejected by its health checks
 * and returns once it answers on the same port again; and (health checks off, so the dead one is
 * still in rotation) a request refused before its first token is retried once on the other, as is
 * one that gets no response in time, and a replica that never answers leaves the rotation.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEND, collect, freePort, gqlOk, metric, newUser, startApi, startInference, waitFor, wsClient, type Proc, type StreamEventT, type TestApi } from './stack.js';

const SHORT = { maxTokens: 12 };
/** Long enough to be mid-reply when its server dies (≈1-2 ms a token, more on a loaded machine), short enough to finish on the survivor within seconds. */
const LONG = { maxTokens: 900, ignoreEos: true };

/** One series of the api's Prometheus text, by its upstream label (0 when absent). */
const upstreamMetric = (api: TestApi, name: string, upstream: Proc) => metric(api.url, name, { upstream: new URL(upstream.url).host });

/** Sends `n` messages at once and follows each reply; `started` resolves once every reply has streamed `atLeast` deltas. */
async function sendMany(api: TestApi, token: string, n: number, params: Record<string, unknown>, atLeast = 1) {
  const sent = await Promise.all(
    Array.from({ length: n }, (_, i) => gqlOk(api.url, SEND, { input: { content: `Tell me something, number ${i}.`, params } }, token)),
  );
  const replies = sent.map((s) => {
    const events: StreamEventT[] = [];
    const client = wsClient(api.url, token);
    const done = collect(client, s.sendMessage.assistantMessage.id, { onEvent: (e) => events.push(e) }).finally(() => client.dispose());
    return { events, done };
  });
  const started = waitFor(() => replies.every((r) => r.events.some((e) => e.done) || (r.events.findLast((e) => !e.done)?.seq ?? 0) >= atLeast), 20_000, `${atLeast} deltas of each reply`);
  return { started, finals: () => Promise.all(replies.map(async (r) => (await r.done).at(-1)!)) };
}

describe('balancing over two inference servers', () => {
  let a: Proc;
  let b: Proc;
  let aPort: number;
  let api: TestApi;
  let token: string;
  const apis: TestApi[] = [];

  beforeAll(async () => {
    aPort = await freePort();
    [a, b] = await Promise.all([startInference({}, { port: aPort }), startInference()]);
    // Checked often, so that a dead server (refused at once) is out within a second; a live one
    // slow to answer on a loaded machine (CI ran every suite at once) is not taken for dead.
    api = await startApi(`${a.url},${b.url}`, { INFERENCE_HEALTH_INTERVAL_S: '0.2', INFERENCE_HEALTH_FAILURES: '2', INFERENCE_HEALTH_TIMEOUT_MS: '3000' });
    apis.push(api);
    token = (await newUser(api.url)).token;
  });
  afterAll(async () => {
    for (const x of apis) await x.close();
    await a?.kill();
    await b?.kill();
  });

  const requests = (p: Proc, on = api) => upstreamMetric(on, 'dialoop_api_upstream_requests_total', p);

  it('spreads concurrent replies over both upstreams', async () => {
    expect(await upstreamMetric(api, 'dialoop_api_upstream_healthy', a)).toBe(1);
    expect(await upstreamMetric(api, 'dialoop_api_upstream_healthy', b)).toBe(1);
    const run = await sendMany(api, token, 6, SHORT);
    const finals = await run.finals();
    expect(finals.map((f) => f.status)).toEqual(Array(6).fill('COMPLETE'));
    // Ties go round robin, and a reply already streaming counts against its upstream.
    const [onA, onB] = [await requests(a), await requests(b)];
    expect(onA + onB).toBe(6);
    expect(Math.min(onA, onB)).toBeGreaterThanOrEqual(2);
    expect(await upstreamMetric(api, 'dialoop_api_upstream_outstanding_requests', a)).toBe(0);
  });

  it('survives one dying under load: its replies end INTERRUPTED, new ones complete, it is ejected and returns', async () => {
    const inFlight = await sendMany(api, token, 4, LONG, 3);
    await inFlight.started;
    const onA = await upstreamMetric(api, 'dialoop_api_upstream_outstanding_requests', a);
    expect(onA).toBeGreaterThanOrEqual(1);
    expect(onA + (await upstreamMetric(api, 'dialoop_api_upstream_outstanding_requests', b))).toBe(4);
    await a.kill();

    // New sends keep succeeding meanwhile (before the ejection, by a retry; after it, on the survivor).
    const during = await sendMany(api, token, 4, SHORT);
    const finals = await inFlight.finals();
    // Exactly the replies that were streaming from the dead one are cut short.
    expect(finals.filter((f) => f.status === 'INTERRUPTED')).toHaveLength(onA);
    expect(finals.filter((f) => f.status === 'COMPLETE')).toHaveLength(4 - onA);
    for (const f of finals.filter((x) => x.status === 'INTERRUPTED')) expect(f.error).toMatchObject({ code: 'UPSTREAM_INTERRUPTED' });
    expect((await during.finals()).map((f) => f.status)).toEqual(Array(4).fill('COMPLETE'));

    await waitFor(async () => (await upstreamMetric(api, 'dialoop_api_upstream_healthy', a)) === 0, 5_000, 'the dead upstream to be ejected');
    expect(await upstreamMetric(api, 'dialoop_api_upstream_ejections_total', a)).toBe(1);
    expect(await upstreamMetric(api, 'dialoop_api_upstream_healthy', b)).toBe(1);
    const ejected = { a: await requests(a), b: await requests(b) };
    const after = await sendMany(api, token, 4, SHORT);
    expect((await after.finals()).map((f) => f.status)).toEqual(Array(4).fill('COMPLETE'));
    // Ejected, it gets nothing: the survivor took everything sent since.
    expect(await requests(a)).toBe(ejected.a);
    expect(await requests(b)).toBe(ejected.b + 4);

    // Started again on the same port, it answers ready and is back in rotation.
    a = await startInference({}, { port: aPort });
    await waitFor(async () => (await upstreamMetric(api, 'dialoop_api_upstream_healthy', a)) === 1, 5_000, 'the upstream to return');
    const back = await sendMany(api, token, 4, SHORT);
    expect((await back.finals()).map((f) => f.status)).toEqual(Array(4).fill('COMPLETE'));
    expect(await requests(a)).toBeGreaterThan(ejected.a);
  });

  it('retries a request refused before its first token once, on the other replica; a replica that never answers leaves the rotation', async () => {
    // Without health checks the dead server stays in rotation until requests to it fail:
    // INFERENCE_HEALTH_FAILURES (2) of them in a row eject it, as failed checks would.
    const blind = await startApi(`${a.url},${b.url}`, { INFERENCE_HEALTH_INTERVAL_S: '0' });
    apis.push(blind);
    const user = await newUser(blind.url);
    expect((await (await sendMany(blind, user.token, 2, SHORT)).finals()).map((f) => f.status)).toEqual(['COMPLETE', 'COMPLETE']);
    expect(await requests(a, blind)).toBe(1);
    await a.kill();
    for (let i = 0; i < 4; i++) {
      const [final] = await (await sendMany(blind, user.token, 1, SHORT)).finals();
      expect(final).toMatchObject({ done: true, status: 'COMPLETE', error: null });
    }
    // Round robin sends the next two that pick it to the dead server; each is retried once on
    // the other, and the second failure ejects it: the rest go straight to the live one.
    expect(await upstreamMetric(blind, 'dialoop_api_upstream_retries_total', a)).toBe(2);
    expect(await upstreamMetric(blind, 'dialoop_api_upstream_healthy', a)).toBe(0);
    expect(await upstreamMetric(blind, 'dialoop_api_upstream_ejections_total', a)).toBe(1);
    expect(await requests(a, blind)).toBe(3);
    expect(await requests(b, blind)).toBe(5);
  });

  it('retries a request that gets no response within the connect timeout on another replica', async () => {
    // A server that lists the model but never answers a completion (hung, or a black-holed route).
    const models = await (await fetch(`${b.url}/v1/models`)).text();
    const hung = createServer((req, res) => {
      if (req.url === '/v1/models') return void res.setHeader('content-type', 'application/json').end(models);
      // Never answered; closed with the test.
    });
    await new Promise<void>((resolve) => hung.listen(0, '127.0.0.1', resolve));
    const hungUrl = `http://127.0.0.1:${(hung.address() as AddressInfo).port}`;
    const api2 = await startApi(`${hungUrl},${b.url}`, { INFERENCE_HEALTH_INTERVAL_S: '0', UPSTREAM_CONNECT_TIMEOUT_MS: '400' });
    apis.push(api2);
    try {
      const user = await newUser(api2.url);
      for (let i = 0; i < 3; i++) {
        const [final] = await (await sendMany(api2, user.token, 1, SHORT)).finals();
        expect(final).toMatchObject({ done: true, status: 'COMPLETE', error: null });
      }
      // Two sent to it, each retried after 400 ms; the second silence ejects it.
      const asUpstream = { url: hungUrl } as Proc;
      expect(await upstreamMetric(api2, 'dialoop_api_upstream_retries_total', asUpstream)).toBe(2);
      expect(await upstreamMetric(api2, 'dialoop_api_upstream_healthy', asUpstream)).toBe(0);
    } finally {
      hung.closeAllConnections();
      hung.close();
    }
  });
});
