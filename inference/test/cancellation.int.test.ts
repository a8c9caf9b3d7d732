import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MODEL_DIR, readModelFolder, type InferenceServer } from '../src/index.js';
import { metricValue, postJson, startServer } from './helpers.js';

// A 'hog' streams until the context is full unless its client leaves.
const hogTokens = readModelFolder('dialoop-tiny', DEFAULT_MODEL_DIR).spec.maxPositions - 40;

/** One batch slot and one queue place make capacity visible. */
describe('cancellation and back-pressure', () => {
  let server: InferenceServer;
  const model = 'dialoop-tiny';
  const url = () => `${server.url}/v1/chat/completions`;
  const running = () => metricValue(server.url, `dialoop_inference_running_sequences{model="${model}"}`);
  const queued = () => metricValue(server.url, `dialoop_inference_queued_sequences{model="${model}"}`);
  const until = async (check: () => Promise<boolean>, ms = 10_000) => {
    const end = Date.now() + ms;
    while (!(await check())) {
      if (Date.now() > end) throw new Error('condition not reached in time');
      await new Promise((r) => setTimeout(r, 5));
    }
  };

  /** Starts a stream that holds the only batch slot until its client aborts. */
  const startHog = async () => {
    const abort = new AbortController();
    const hog = await fetch(url(), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: 'Hi' }], stream: true, ignore_eos: true, max_tokens: hogTokens }),
      signal: abort.signal,
    });
    expect(hog.status).toBe(200);
    await hog.body!.getReader().read(); // the stream is flowing
    await until(async () => (await running()) === 1);
    return abort;
  };

  beforeAll(async () => {
    server = await startServer({ INFERENCE_MAX_BATCH: '1', INFERENCE_MAX_QUEUE: '1', INFERENCE_MAX_N: '1' });
  });
  afterAll(async () => {
    await server.close();
  });

  it('frees the slot when a streaming client disconnects, so the queued request starts', async () => {
    const abort = await startHog();

    // One request waits in the queue...
    let waitingDone = false;
    const waiting = postJson(url(), { model, messages: [{ role: 'user', content: 'Hello' }], max_tokens: 5, temperature: 0 }).then((r) => {
      waitingDone = true;
      return r;
    });
    await until(async () => (await queued()) === 1);
    // ...so the next one is refused with 429 and Retry-After.
    const refused = await postJson(url(), { model, messages: [{ role: 'user', content: 'Hey' }], max_tokens: 5 });
    expect(refused.status).toBe(429);
    expect(refused.headers.get('retry-after')).toMatch(/^\d+$/);
    expect(refused.json.error.code).toBe('rate_limit_exceeded');
    await new Promise((r) => setTimeout(r, 100));
    expect(waitingDone).toBe(false); // still blocked behind the hog

    abort.abort();
    const r = await waiting;
    expect(r.status).toBe(200);
    expect(r.json.choices[0].finish_reason).toMatch(/stop|length/);
    await until(async () => (await running()) === 0 && (await queued()) === 0);
    expect(await metricValue(server.url, `dialoop_inference_sequences_total{model="${model}",finish_reason="cancelled"}`)).toBe(1);
    expect(await metricValue(server.url, `dialoop_inference_cancel_to_free_seconds_count{model="${model}"}`)).toBe(1);
  });

  it('drops a queued request whose client leaves before it starts', async () => {
    const hogAbort = await startHog();
    const queuedAbort = new AbortController();
    const gone = fetch(url(), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: 'Hello' }], max_tokens: 5 }),
      signal: queuedAbort.signal,
    }).catch((e: Error) => e);
    await until(async () => (await queued()) === 1);
    queuedAbort.abort();
    expect(await gone).toBeInstanceOf(Error);
    await until(async () => (await queued()) === 0);
    expect(await running()).toBe(1);
    hogAbort.abort();
    await until(async () => (await running()) === 0);
  });
});
