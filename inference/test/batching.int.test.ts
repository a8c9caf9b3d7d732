import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InferenceServer } from '../src/index.js';
import { metricValue, postJson, startServer } from './helpers.js';

/** Continuous batching must not change what any one request gets. */
describe('continuous batching', () => {
  let server: InferenceServer;
  const model = 'dialoop-tiny';
  const prompts = [
    'Hi',
    'What is 12 + 30?',
    'What is the capital of Japan?',
    '请计算7乘以8。',
    'Convert 3 kilometers to meters, please, and explain what a kilometer is in one short sentence.',
    '你好！你是谁？请用一句话介绍一下Dialoop平台的审计日志是什么，以及它有什么用。',
  ];
  const complete = async (content: string, extra: object = {}) => {
    const r = await postJson(`${server.url}/v1/chat/completions`, {
      model, messages: [{ role: 'user', content }], temperature: 0, max_tokens: 48, ...extra,
    });
    expect(r.status).toBe(200);
    return r.json.choices[0].message.content as string;
  };
  const batchCount = async (le: string) =>
    metricValue(server.url, `dialoop_inference_batch_size_bucket{le="${le}",model="${model}"}`);

  beforeAll(async () => {
    server = await startServer({ INFERENCE_MAX_BATCH: '8' });
  });
  afterAll(async () => {
    await server.close();
  });

  it('gives every prompt of a mixed-length batch the greedy reply it gets alone', async () => {
    const alone: string[] = [];
    for (const p of prompts) alone.push(await complete(p));
    const singles = await batchCount('1');
    const all = await batchCount('+Inf');
    expect(all).toBe(singles); // so far every step served one sequence

    const together = await Promise.all(prompts.map((p) => complete(p)));
    expect(together).toEqual(alone);
    // ...and this time steps really did serve several sequences at once.
    expect((await batchCount('+Inf')) - (await batchCount('1'))).toBeGreaterThan(0);
  });

  it('gives a seeded sampled reply the same text alone and in a batch', async () => {
    const extra = { temperature: 0.9, top_p: 0.95, top_k: 40, seed: 42 };
    const alone = await complete(prompts[2]!, extra);
    const mixed = await Promise.all([
      complete(prompts[0]!, { temperature: 1, seed: 1 }),
      complete(prompts[2]!, extra),
      complete(prompts[5]!, { temperature: 0.7, seed: 3 }),
    ]);
    expect(mixed[1]).toBe(alone);
  });

  it('lets requests join a running batch at step boundaries', async () => {
    const order: string[] = [];
    // A long streaming reply is under way (its first token has arrived) when the late one comes.
    const res = await fetch(`${server.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: prompts[0] }], stream: true, max_tokens: 300, ignore_eos: true, temperature: 0 }),
    });
    const reader = res.body!.getReader();
    await reader.read();
    const long = (async () => {
      while (!(await reader.read()).done);
      order.push('long');
    })();
    const late = await complete(prompts[1]!);
    order.push('late');
    await long;
    // The late request did not wait for the long one to finish...
    expect(order).toEqual(['late', 'long']);
    // ...and joining a batch mid-flight did not change its reply.
    expect(late).toBe(await complete(prompts[1]!));
  });
});
