import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InferenceServer } from '../src/index.js';
import { metricValue, startServer } from './helpers.js';

/** The server through the official `openai` npm client, streaming and not. */
describe('OpenAI-compatible API through the openai client', () => {
  let server: InferenceServer;
  let client: OpenAI;
  const model = 'dialoop-tiny';
  const ask = (content: string) => [{ role: 'user' as const, content }];

  beforeAll(async () => {
    server = await startServer();
    client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'unused', maxRetries: 0 });
  });
  afterAll(async () => {
    await server.close();
  });

  it('lists the served models', async () => {
    const list = await client.models.list();
    expect(list.data.map((m) => m.id)).toEqual([model]);
    expect((await client.models.retrieve(model)).id).toBe(model);
  });

  it('answers a non-streaming completion with usage', async () => {
    const r = await client.chat.completions.create({ model, messages: ask('What is 2 + 3?'), temperature: 0, max_tokens: 40 });
    expect(r.object).toBe('chat.completion');
    expect(r.choices).toHaveLength(1);
    expect(r.choices[0]!.message.role).toBe('assistant');
    expect(typeof r.choices[0]!.message.content).toBe('string');
    expect(['stop', 'length']).toContain(r.choices[0]!.finish_reason);
    expect(r.usage!.prompt_tokens).toBeGreaterThan(5);
    expect(r.usage!.completion_tokens).toBeGreaterThan(0);
    expect(r.usage!.total_tokens).toBe(r.usage!.prompt_tokens + r.usage!.completion_tokens);
  });

  it('streams the same text as the non-streaming reply, with usage in the final chunk', async () => {
    const params = { model, messages: ask('Hello!'), temperature: 0, max_tokens: 48 };
    const whole = await client.chat.completions.create(params);
    const stream = await client.chat.completions.create({ ...params, stream: true, stream_options: { include_usage: true } });
    let text = '';
    let finish: string | null = null;
    let usage: OpenAI.CompletionUsage | null | undefined;
    let chunks = 0;
    let role: string | undefined;
    for await (const chunk of stream) {
      chunks++;
      if (chunk.choices.length === 0) {
        usage = chunk.usage;
        continue;
      }
      expect(chunk.usage ?? null).toBeNull();
      const c = chunk.choices[0]!;
      role ??= c.delta.role;
      text += c.delta.content ?? '';
      finish = c.finish_reason ?? finish;
    }
    expect(role).toBe('assistant');
    expect(chunks).toBeGreaterThan(3);
    expect(text).toBe(whole.choices[0]!.message.content);
    expect(finish).toBe(whole.choices[0]!.finish_reason);
    expect(usage).toEqual(whole.usage);
  });

  it('returns n choices, each seeded from the request seed', async () => {
    const params = { model, messages: ask('Tell me about Dialoop.'), temperature: 1, seed: 1234, max_tokens: 32, n: 2 };
    const a = await client.chat.completions.create(params);
    const b = await client.chat.completions.create(params);
    expect(a.choices.map((c) => c.index)).toEqual([0, 1]);
    expect(a.choices.map((c) => c.message.content)).toEqual(b.choices.map((c) => c.message.content));
    expect(a.usage!.completion_tokens).toBe(a.choices.length === 2 ? b.usage!.completion_tokens : -1);

    const stream = await client.chat.completions.create({ ...params, stream: true });
    const texts = ['', ''];
    for await (const chunk of stream) for (const c of chunk.choices) texts[c.index] += c.delta.content ?? '';
    expect(texts).toEqual(a.choices.map((c) => c.message.content));
  });

  it('gives the same reply for the same seed, and a different one for another seed', async () => {
    const base = { model, messages: ask('Say something.'), temperature: 1.2, max_tokens: 40 };
    const one = await client.chat.completions.create({ ...base, seed: 7 });
    const two = await client.chat.completions.create({ ...base, seed: 7 });
    expect(two.choices[0]!.message.content).toBe(one.choices[0]!.message.content);
    const others = await Promise.all([8, 9, 10].map((seed) => client.chat.completions.create({ ...base, seed })));
    expect(others.some((o) => o.choices[0]!.message.content !== one.choices[0]!.message.content)).toBe(true);
  });

  it('stops at a stop sequence that spans token boundaries, and leaves it out', async () => {
    const base = { model, messages: ask('What is the capital of France?'), temperature: 0, max_tokens: 60 };
    const full = (await client.chat.completions.create(base)).choices[0]!.message.content!;
    expect(full.length).toBeGreaterThan(6);
    // Three characters from the middle of the reply: at least three byte tokens.
    const at = Math.floor(full.length / 2);
    const stop = full.slice(at, at + 3);
    const cut = full.slice(0, full.indexOf(stop));
    const r = await client.chat.completions.create({ ...base, stop: [stop, 'never-appears-xyz'] });
    expect(r.choices[0]!.message.content).toBe(cut);
    expect(r.choices[0]!.finish_reason).toBe('stop');

    const stream = await client.chat.completions.create({ ...base, stop, stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe(cut);
  });

  it('honours max_completion_tokens and max_tokens with finish_reason length', async () => {
    const r = await client.chat.completions.create({ model, messages: ask('Hi'), max_completion_tokens: 3, temperature: 0, ignore_eos: true } as OpenAI.ChatCompletionCreateParamsNonStreaming);
    expect(r.usage!.completion_tokens).toBe(3);
    expect(r.choices[0]!.finish_reason).toBe('length');
  });

  it('only ever streams valid UTF-8, even when sampling hot', async () => {
    const replies = await Promise.all(
      [1, 2, 3, 4].map((seed) => client.chat.completions.create({ model, messages: ask('你好，请介绍一下你自己。'), temperature: 2, seed, max_tokens: 60 })),
    );
    for (const r of replies) {
      const text = r.choices[0]!.message.content!;
      expect(text).not.toContain('\uFFFD');
      expect(Buffer.from(text, 'utf8').toString('utf8')).toBe(text);
    }
  });

  it('exports Prometheus metrics about what it served', async () => {
    const tokens = await metricValue(server.url, `dialoop_inference_generated_tokens_total{model="${model}"}`);
    expect(tokens).toBeGreaterThan(100);
    const text = await (await fetch(`${server.url}/metrics`)).text();
    for (const name of [
      'dialoop_inference_time_to_first_token_seconds_bucket',
      'dialoop_inference_inter_token_latency_seconds_bucket',
      'dialoop_inference_running_sequences',
      'dialoop_inference_queued_sequences',
      'dialoop_inference_batch_size_bucket',
      'dialoop_inference_step_seconds_bucket',
    ]) {
      expect(text).toContain(name);
    }
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${server.url}/readyz`)).status).toBe(200);
  });
});
