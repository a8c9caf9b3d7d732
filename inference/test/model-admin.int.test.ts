import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MODEL_DIR, type InferenceServer } from '../src/index.js';
import { metricValue, postJson, startServer } from './helpers.js';

const KEY = 'admin-key-admin-key-0123';

/** Model versions load and unload without a restart, for callers holding the admin key. */
describe('loading and unloading models at run time', () => {
  let server: InferenceServer;
  let plain: InferenceServer;
  beforeAll(async () => {
    [server, plain] = await Promise.all([startServer({ INFERENCE_ADMIN_KEY: KEY }), startServer()]);
  });
  afterAll(async () => {
    await server?.close();
    await plain?.close();
  });

  const admin = { authorization: `Bearer ${KEY}` };
  const ask = (model: string) => postJson(`${server.url}/v1/chat/completions`, { model, messages: [{ role: 'user', content: 'What is the capital of Japan?' }], temperature: 0, max_tokens: 12 });
  const ids = async () => ((await (await fetch(`${server.url}/v1/models`)).json()) as { data: { id: string }[] }).data.map((m) => m.id).sort();

  it('loads a folder under a new id, serves it beside the others, and unloads it', async () => {
    const loaded = await postJson(`${server.url}/admin/models`, { id: 'v2', path: DEFAULT_MODEL_DIR }, admin);
    expect(loaded.status).toBe(201);
    expect(loaded.json).toMatchObject({ id: 'v2', object: 'model' });
    expect(await ids()).toEqual(['dialoop-tiny', 'v2']);
    const [a, b] = await Promise.all([ask('dialoop-tiny'), ask('v2')]);
    expect(b.status).toBe(200);
    expect(b.json.choices[0].message.content).toBe(a.json.choices[0].message.content);

    // A request in flight when the model is unloaded still finishes.
    const running = postJson(`${server.url}/v1/chat/completions`, { model: 'v2', messages: [{ role: 'user', content: 'Count to ten.' }], max_tokens: 64, ignore_eos: true });
    await new Promise((r) => setTimeout(r, 50));
    const removed = await fetch(`${server.url}/admin/models/v2`, { method: 'DELETE', headers: admin });
    expect(removed.status).toBe(200);
    expect((await running).json.choices[0].finish_reason).toBe('length');
    expect(await ids()).toEqual(['dialoop-tiny']);
    expect((await ask('v2')).json.error.code).toBe('model_not_found');
  });

  it('loads a folder at the precision asked for, else at INFERENCE_PRECISION', async () => {
    const fp32 = await postJson(`${server.url}/admin/models`, { id: 'v-fp32', path: DEFAULT_MODEL_DIR, precision: 'fp32' }, admin);
    expect([fp32.status, fp32.json]).toEqual([201, expect.objectContaining({ id: 'v-fp32', object: 'model', precision: 'fp32' })]);
    const auto = await postJson(`${server.url}/admin/models`, { id: 'v-auto', path: DEFAULT_MODEL_DIR }, admin);
    expect([auto.status, auto.json.precision]).toEqual([201, 'int8']);
    const [a, b] = await Promise.all([ask('v-fp32'), ask('v-auto')]);
    expect(a.json.choices[0].message.content).toBe(b.json.choices[0].message.content);
    const bad = await postJson(`${server.url}/admin/models`, { id: 'v-fp16', path: DEFAULT_MODEL_DIR, precision: 'fp16' }, admin);
    expect([bad.status, bad.json.error.code, bad.json.error.param]).toEqual([400, 'invalid_value', 'precision']);
    for (const id of ['v-fp32', 'v-auto']) expect((await fetch(`${server.url}/admin/models/${id}`, { method: 'DELETE', headers: admin })).status).toBe(200);
    expect(await metricValue(server.url, 'dialoop_inference_model_info{model="v-fp32",precision="fp32",device="cpu"}')).toBeNaN(); // its series went with it
    expect(await ids()).toEqual(['dialoop-tiny']);
  });

  it('refuses precision int8 for a folder without an INT8 graph', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dialoop-admin-'));
    try {
      cpSync(DEFAULT_MODEL_DIR, dir, { recursive: true });
      rmSync(join(dir, 'model_int8.onnx'));
      const r = await postJson(`${server.url}/admin/models`, { id: 'no-int8', path: dir, precision: 'int8' }, admin);
      expect([r.status, r.json.error.code, r.json.error.param]).toEqual([400, 'invalid_value', 'path']);
      expect(r.json.error.message).toMatch(/precision int8 .*needs an INT8 graph/);
      expect(await ids()).toEqual(['dialoop-tiny']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a wrong key, a taken id, a bad folder and bad input with OpenAI-style errors', async () => {
    const wrong = await postJson(`${server.url}/admin/models`, { id: 'x', path: DEFAULT_MODEL_DIR }, { authorization: 'Bearer nope' });
    expect([wrong.status, wrong.json.error.code]).toEqual([401, 'invalid_api_key']);
    const taken = await postJson(`${server.url}/admin/models`, { id: 'dialoop-tiny', path: DEFAULT_MODEL_DIR }, admin);
    expect([taken.status, taken.json.error.code]).toEqual([409, 'model_exists']);
    const missing = await postJson(`${server.url}/admin/models`, { id: 'ghost', path: '/nonexistent/model' }, admin);
    expect([missing.status, missing.json.error.param]).toEqual([400, 'path']);
    const relative = await postJson(`${server.url}/admin/models`, { id: 'rel', path: 'models/x' }, admin);
    expect([relative.status, relative.json.error.code]).toEqual([400, 'invalid_value']);
    const gone = await fetch(`${server.url}/admin/models/none`, { method: 'DELETE', headers: admin });
    expect(gone.status).toBe(404);
    expect(await ids()).toEqual(['dialoop-tiny']);
  });

  it('does not exist without INFERENCE_ADMIN_KEY', async () => {
    const r = await postJson(`${plain.url}/admin/models`, { id: 'v2', path: DEFAULT_MODEL_DIR }, admin);
    expect([r.status, r.json.error.code]).toEqual([404, 'not_found']);
  });
});
