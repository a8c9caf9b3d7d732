import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MODEL_DIR, readModelFolder, type InferenceServer } from '../src/index.js';
import { postJson, startServer } from './helpers.js';

const model = 'dialoop-tiny';
const msg = [{ role: 'user', content: 'Hi' }];
const ok = { model, messages: msg };
const context = readModelFolder(model, DEFAULT_MODEL_DIR).spec.maxPositions;

/** [name, body (object, or raw string), expected status, expected error code, expected param]. */
const cases: [string, unknown, number, string, string | null][] = [
  ['invalid JSON', '{"model": "dialoop-tiny", "messages": [', 400, 'invalid_json', null],
  ['empty body', '', 400, 'invalid_json', null],
  ['body is an array', [ok], 400, 'invalid_body', null],
  ['body is a string', '"hello"', 400, 'invalid_body', null],
  ['model missing', { messages: msg }, 400, 'missing_required_parameter', 'model'],
  ['model not a string', { model: 42, messages: msg }, 400, 'invalid_type', 'model'],
  ['unknown model', { ...ok, model: 'gpt-17' }, 404, 'model_not_found', 'model'],
  ['messages missing', { model }, 400, 'missing_required_parameter', 'messages'],
  ['messages empty', { model, messages: [] }, 400, 'invalid_value', 'messages'],
  ['messages not a list', { model, messages: 'Hi' }, 400, 'invalid_type', 'messages'],
  ['message content a number', { model, messages: [{ role: 'user', content: 5 }] }, 400, 'invalid_type', 'messages[0].content'],
  ['message content empty', { model, messages: [{ role: 'user', content: '' }] }, 400, 'invalid_value', 'messages[0].content'],
  ['message content missing', { model, messages: [{ role: 'user' }] }, 400, 'invalid_type', 'messages[0].content'],
  ['message role unknown', { model, messages: [{ role: 'wizard', content: 'Hi' }] }, 400, 'invalid_value', 'messages[0].role'],
  ['message is null', { model, messages: [null] }, 400, 'invalid_type', 'messages[0]'],
  ['temperature negative', { ...ok, temperature: -0.5 }, 400, 'invalid_value', 'temperature'],
  ['temperature too high', { ...ok, temperature: 2.5 }, 400, 'invalid_value', 'temperature'],
  ['temperature a string', { ...ok, temperature: 'hot' }, 400, 'invalid_type', 'temperature'],
  ['top_p zero', { ...ok, top_p: 0 }, 400, 'invalid_value', 'top_p'],
  ['top_p above one', { ...ok, top_p: 1.5 }, 400, 'invalid_value', 'top_p'],
  ['top_k negative', { ...ok, top_k: -1 }, 400, 'invalid_value', 'top_k'],
  ['top_k above the vocabulary', { ...ok, top_k: 100000 }, 400, 'invalid_value', 'top_k'],
  ['max_tokens zero', { ...ok, max_tokens: 0 }, 400, 'invalid_value', 'max_tokens'],
  ['max_tokens fractional', { ...ok, max_tokens: 2.5 }, 400, 'invalid_type', 'max_tokens'],
  ['max_tokens over the limit', { ...ok, max_tokens: 1_000_000 }, 400, 'invalid_value', 'max_tokens'],
  ['max_completion_tokens over the context left', { model, messages: [{ role: 'user', content: 'x'.repeat(context - 100) }], max_completion_tokens: 200 }, 400, 'context_length_exceeded', 'max_completion_tokens'],
  ['prompt over the context length', { model, messages: [{ role: 'user', content: 'long '.repeat(context / 4) }] }, 400, 'context_length_exceeded', 'messages'],
  ['prompt of 300,000 characters', { model, messages: [{ role: 'user', content: 'x'.repeat(300_000) }] }, 400, 'context_length_exceeded', 'messages'],
  ['n zero', { ...ok, n: 0 }, 400, 'invalid_value', 'n'],
  ['n over the limit', { ...ok, n: 50 }, 400, 'invalid_value', 'n'],
  ['stop list too long', { ...ok, stop: ['a', 'b', 'c', 'd', 'e'] }, 400, 'invalid_value', 'stop'],
  ['stop empty string', { ...ok, stop: '' }, 400, 'invalid_value', 'stop'],
  ['seed fractional', { ...ok, seed: 1.5 }, 400, 'invalid_type', 'seed'],
  ['stream not a boolean', { ...ok, stream: 'yes' }, 400, 'invalid_type', 'stream'],
  ['logprobs requested', { ...ok, logprobs: true }, 400, 'unsupported_parameter', 'logprobs'],
  ['tools requested', { ...ok, tools: [{ type: 'function', function: { name: 'f' } }] }, 400, 'unsupported_parameter', 'tools'],
];

describe('bad input gets an OpenAI-style error and never crashes the server', () => {
  let server: InferenceServer;
  beforeAll(async () => {
    server = await startServer();
  });
  afterAll(async () => {
    await server.close();
  });

  it.each(cases)('%s', async (_name, body, status, code, param) => {
    const r = await postJson(`${server.url}/v1/chat/completions`, body);
    expect(r.status).toBe(status);
    expect(r.json).toEqual({ error: { message: expect.any(String), type: expect.any(String), param, code } });
    expect(r.json.error.message.length).toBeGreaterThan(5);
  });

  it('says what is wrong in the message', async () => {
    const r = await postJson(`${server.url}/v1/chat/completions`, { ...ok, stop: ['a', 'b', 'c', 'd', 'e'] });
    expect(r.json.error.message).toContain('at most 4 stop sequences');
  });

  it('refuses a body that is not JSON with 415', async () => {
    const r = await fetch(`${server.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'text/plain' }, body: 'hi' });
    expect(r.status).toBe(415);
    expect(((await r.json()) as any).error.code).toBe('unsupported_media_type');
  });

  it('refuses an oversized body with 413', async () => {
    const r = await postJson(`${server.url}/v1/chat/completions`, { model, messages: [{ role: 'user', content: 'x'.repeat(2_000_000) }] });
    expect(r.status).toBe(413);
    expect(r.json.error.code).toBe('body_too_large');
  });

  it('refuses prompts that cannot fit by their size, before tokenizing, while /healthz keeps answering', async () => {
    const big = { model, messages: [{ role: 'user', content: 'x'.repeat(1_000_000) }] };
    const health: number[] = [];
    const refusals = Promise.all([1, 2, 3].map(() => postJson(`${server.url}/v1/chat/completions`, big)));
    for (let i = 0; i < 10; i++) {
      const t = performance.now();
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
      health.push(performance.now() - t);
    }
    for (const r of await refusals) {
      expect(r.status).toBe(400);
      expect(r.json.error).toMatchObject({ code: 'context_length_exceeded', param: 'messages' });
      expect(r.json.error.message).toContain('at least');
    }
    // Not a speed test: tokenizing a million characters would hold the event loop for seconds;
    // answered within a second each, /healthz was never stuck behind them (a loaded CI machine
    // took 56 ms once for its first answer).
    expect(Math.max(...health), health.map(Math.round).join(', ')).toBeLessThan(1_000);
  });

  it('runs ONNX Runtime without its telemetry: no mat-debug log of this process in the temp folder', () => {
    expect(process.env.ORT_DISABLE_TELEMETRY).toBe('1');
    expect(existsSync(join(tmpdir(), `mat-debug-${process.pid}.log`))).toBe(false);
  });

  it('answers unknown routes with 404 and wrong methods with 405', async () => {
    const missing = await fetch(`${server.url}/v1/nothing`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as any).error.code).toBe('not_found');
    const wrong = await fetch(`${server.url}/v1/chat/completions`);
    expect(wrong.status).toBe(405);
    expect(((await wrong.json()) as any).error.code).toBe('method_not_allowed');
    const unknownModel = await fetch(`${server.url}/v1/models/nope`);
    expect(unknownModel.status).toBe(404);
    expect(((await unknownModel.json()) as any).error.code).toBe('model_not_found');
  });

  it('still serves requests after all of that', async () => {
    const r = await postJson(`${server.url}/v1/chat/completions`, { ...ok, max_tokens: 4, temperature: 0 });
    expect(r.status).toBe(200);
    expect(r.json.choices[0].message.content).toEqual(expect.any(String));
  });
});
