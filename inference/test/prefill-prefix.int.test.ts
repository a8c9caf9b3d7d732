import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InferenceServer } from '../src/index.js';
import { metricValue, postJson, startServer } from './helpers.js';

type Message = { role: 'system' | 'user' | 'assistant'; content: string };

/**
 * Chunked prefill and the prefix cache change how a prompt reaches the model, never what the
 * model answers: every reply here is compared token for token (the default model's tokens are
 * bytes, so equal text is equal tokens) with a server that prefills each prompt whole and
 * caches nothing.
 *
 * Both servers run the FP32 graph. Keys and values computed in other chunks differ from a whole
 * prefill's only by float rounding (~1e-6 in the logits), but the INT8 graph served by default
 * rounds activations to 8 bits inside its matrix products (onnxruntime's MatMulNBits at accuracy
 * level 4, its fast path), which turns such a difference into a different rounding step now and
 * then (~0.05 in the logits): there, replies are the same except where two tokens nearly tie.
 */
describe('chunked prefill and the prefix cache', () => {
  const model = 'dialoop-tiny';
  let plain: InferenceServer;
  let tuned: InferenceServer;

  beforeAll(async () => {
    [plain, tuned] = await Promise.all([
      startServer({ INFERENCE_PREFIX_CACHE_MB: '0', INFERENCE_PREFILL_CHUNK_TOKENS: '4096', INFERENCE_PRECISION: 'fp32' }),
      startServer({ INFERENCE_PREFIX_CACHE_MB: '16', INFERENCE_PREFILL_CHUNK_TOKENS: '16', INFERENCE_PRECISION: 'fp32' }),
    ]);
  });
  afterAll(async () => {
    await Promise.all([plain?.close(), tuned?.close()]);
  });

  const complete = async (server: InferenceServer, messages: Message[], maxTokens = 40) => {
    const r = await postJson(`${server.url}/v1/chat/completions`, { model, messages, temperature: 0, max_tokens: maxTokens });
    expect(r.status).toBe(200);
    return { text: r.json.choices[0].message.content as string, usage: r.json.usage as { prompt_tokens: number; completion_tokens: number } };
  };
  /** A counter that has never moved is not exported yet: 0. */
  const metric = async (server: InferenceServer, name: string) => (await metricValue(server.url, `${name}{model="${model}"}`)) || 0;

  const questions = [
    'What is 12 + 30?', 'Convert 5 km to meters.', '你好！你是谁？', 'What is the capital of Japan?', '请计算7乘以8。',
    'Name a weekday.', 'How do I boil an egg?', 'What is 9 times 6?', '把3千米换算成米。', 'Say goodbye.',
  ];

  it('answers every turn of a ten-turn conversation exactly as without it, reusing the earlier turns', async () => {
    const hits0 = await metric(tuned, 'dialoop_inference_prefix_cache_hits_total');
    const reused0 = await metric(tuned, 'dialoop_inference_prefix_cache_reused_tokens_total');
    const history: Message[] = [{ role: 'system', content: 'You are Dialoop, a helpful assistant. Answer briefly.' }];
    let promptTokens = 0;
    for (const q of questions) {
      history.push({ role: 'user', content: q });
      const [a, b] = [await complete(plain, history), await complete(tuned, history)];
      expect(b.text).toBe(a.text);
      expect(b.usage).toEqual(a.usage);
      promptTokens = a.usage.prompt_tokens;
      history.push({ role: 'assistant', content: a.text });
    }
    // Turns 2 to 10 each found the conversation so far in the cache…
    expect((await metric(tuned, 'dialoop_inference_prefix_cache_hits_total')) - hits0).toBeGreaterThanOrEqual(9);
    // …and skipped most of its prefill: the tenth prompt alone reuses more than half of its tokens.
    const reused = (await metric(tuned, 'dialoop_inference_prefix_cache_reused_tokens_total')) - reused0;
    expect(reused).toBeGreaterThan(promptTokens / 2);
    expect(await metric(tuned, 'dialoop_inference_prefix_cache_bytes')).toBeGreaterThan(0);
    expect(await metric(tuned, 'dialoop_inference_prefix_cache_bytes')).toBeLessThanOrEqual(16 * 2 ** 20);
    // The server without a cache reports none.
    expect(await metric(plain, 'dialoop_inference_prefix_cache_hits_total')).toBe(0);
  });

  it('reuses a shared system prompt across conversations', async () => {
    const system = `You are the assistant of the Dialoop review team. ${'Be precise, cite the rubric, keep to one paragraph. '.repeat(3)}`;
    const hits0 = await metric(tuned, 'dialoop_inference_prefix_cache_hits_total');
    for (const q of ['What is 2 plus 3?', 'Tell me about the sea.', '今天星期几？']) {
      const messages: Message[] = [{ role: 'system', content: system }, { role: 'user', content: q }];
      expect((await complete(tuned, messages)).text).toBe((await complete(plain, messages)).text);
    }
    expect((await metric(tuned, 'dialoop_inference_prefix_cache_hits_total')) - hits0).toBeGreaterThanOrEqual(2);
  });

  it('prefills long prompts in chunks, several at once, with the replies they get whole and alone', async () => {
    const long = (i: number) => [{ role: 'user' as const, content: `Story ${i}: ${'the quick brown fox jumps over the lazy dog and '.repeat(6 + i)}then what?` }];
    const alone: string[] = [];
    for (let i = 0; i < 4; i++) alone.push((await complete(plain, long(i), 24)).text);
    const chunks0 = await metricValue(tuned.url, `dialoop_inference_step_seconds_count{model="${model}",phase="prefill"}`);
    const together = await Promise.all([0, 1, 2, 3].map((i) => complete(tuned, long(i), 24)));
    expect(together.map((r) => r.text)).toEqual(alone);
    // Four prompts of 300+ tokens at 16 tokens per step took many prefill steps, not one or four.
    const chunks = (await metricValue(tuned.url, `dialoop_inference_step_seconds_count{model="${model}",phase="prefill"}`)) - chunks0;
    expect(chunks).toBeGreaterThan(15);
  });

  it('keeps a running stream going while a long prompt is prefilled', async () => {
    // A stream is under way when a long prompt arrives: tokens of the stream arrive between the
    // long prompt's arrival and its first token (its prefill does not hold the stream up).
    const res = await fetch(`${tuned.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: 'Hi' }], stream: true, max_tokens: 400, ignore_eos: true, temperature: 0 }),
    });
    const reader = res.body!.getReader();
    await reader.read();
    const arrivals: number[] = [];
    const streaming = (async () => {
      for (;;) {
        const { done } = await reader.read();
        if (done) return;
        arrivals.push(performance.now());
      }
    })();
    const sent = performance.now();
    const first = await fetch(`${tuned.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model, messages: [{ role: 'user', content: 'x '.repeat(400) }], stream: true, max_tokens: 4, temperature: 0 }),
    });
    const lateReader = first.body!.getReader();
    await lateReader.read(); // the role chunk, sent at once
    await lateReader.read(); // the first token, after the whole prefill
    const firstToken = performance.now();
    while (!(await lateReader.read()).done);
    await streaming;
    const during = arrivals.filter((t) => t > sent && t < firstToken).length;
    // 800 prompt tokens at 16 per step is 50 chunks, each followed by a decode step of the stream.
    expect(during).toBeGreaterThan(10);
  });
});
