import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readModelFolder, type InferenceServer } from '../src/index.js';
import { expectParity, onnxGreedy, postJson, readParityFixture, startServer } from './helpers.js';

const trainingDir = fileURLToPath(new URL('../../training', import.meta.url));

/**
 * The training code end to end on a tiny configuration (seconds): corpus, a few SFT
 * steps, ONNX export with grouped-query attention and a KV cache, then parity of the
 * exported FP32 graph (model.onnx) through onnxruntime-node against PyTorch, and the folder
 * served with INFERENCE_PRECISION=fp32 — both as exported (with `new_key_values.*`) and
 * re-exported in the plain Optimum layout, which the engine serves from the `present.*`
 * outputs instead. The export also writes model_int8.onnx beside model.onnx, which a
 * server with the default precision (auto) would serve.
 */
describe('a freshly trained and exported model', () => {
  const out = mkdtempSync(join(tmpdir(), 'dialoop-export-'));
  const modelDir = join(out, 'model');
  const optimumDir = join(out, 'optimum');
  const fixturePath = join(out, 'parity.json');
  let server: InferenceServer;

  beforeAll(async () => {
    const r = spawnSync(
      '/usr/bin/python3',
      ['-m', 'dialoop_train.base', '--preset', 'tiny-test', '--steps', '30', '--dialogues', '300', '--batch-size', '4', '--seq-len', '64',
        '--out', modelDir, '--work', join(out, 'work'), '--fixture', fixturePath],
      { cwd: trainingDir, encoding: 'utf8' },
    );
    if (r.status !== 0) throw new Error(`training failed:\n${r.stderr}\n${r.stdout}`);
    cpSync(modelDir, optimumDir, { recursive: true });
    const e = spawnSync('/usr/bin/python3', ['-m', 'dialoop_train.export', '--model-dir', optimumDir, '--optimum-only'], { cwd: trainingDir, encoding: 'utf8' });
    if (e.status !== 0) throw new Error(`export failed:\n${e.stderr}`);
    server = await startServer({ MODEL_DIR: `fresh=${modelDir},optimum=${optimumDir}`, INFERENCE_PRECISION: 'fp32' });
  });
  afterAll(async () => {
    await server?.close();
    rmSync(out, { recursive: true, force: true });
  });

  it.each([['with new_key_values', 'model'], ['plain Optimum layout', 'optimum']])('matches PyTorch token for token and logit for logit (%s)', async (_label, sub) => {
    const fixture = readParityFixture(fixturePath);
    const folder = readModelFolder('fresh', join(out, sub), { precision: 'fp32' });
    expect(basename(folder.spec.onnxPath)).toBe('model.onnx');
    expect(folder.spec.numKvHeads).toBeLessThan(folder.spec.numHeads); // grouped-query attention is exercised
    const session = await ort.InferenceSession.create(folder.spec.onnxPath);
    try {
      const results = [];
      for (const c of fixture.cases) {
        expect(folder.tokenizer.encodeChat(c.messages)).toEqual(c.prompt_ids);
        results.push(await onnxGreedy(session, folder.spec, c.prompt_ids, fixture.steps));
      }
      expectParity(fixture.cases, results);
    } finally {
      await session.release();
    }
  });

  it('has the INT8 graph beside model.onnx, both hashed in metrics.json, and auto picks it', async () => {
    for (const dir of [modelDir, optimumDir]) {
      const metrics = JSON.parse(readFileSync(join(dir, 'metrics.json'), 'utf8')) as { files: Record<string, string> };
      const quant = JSON.parse(readFileSync(join(dir, 'quantization.json'), 'utf8')) as { sha256: { fp32: string; int8: string } };
      const sha = (f: string) => createHash('sha256').update(readFileSync(join(dir, f))).digest('hex');
      expect(quant.sha256).toEqual({ fp32: sha('model.onnx'), int8: sha('model_int8.onnx') }); // re-made by the re-export
      expect([metrics.files['model.onnx'], metrics.files['model_int8.onnx']]).toEqual([sha('model.onnx'), sha('model_int8.onnx')]);
      const spec = readModelFolder('fresh', dir).spec;
      expect([spec.precision, basename(spec.onnxPath)]).toEqual(['int8', 'model_int8.onnx']);
    }
    expect([...server.models.values()].map((m) => m.precision)).toEqual(['fp32', 'fp32']);
  });

  it('is served alike from either layout, alone and in a batch', async () => {
    const ask = (model: string, content: string) =>
      postJson(`${server.url}/v1/chat/completions`, { model, messages: [{ role: 'user', content }], max_tokens: 24, temperature: 0, ignore_eos: true });
    const prompts = ['Hi', 'What is 2 + 2?', '你好，今天星期几？'];
    const alone = [];
    for (const p of prompts) alone.push((await ask('fresh', p)).json.choices[0].message.content);
    const both = await Promise.all(prompts.flatMap((p) => [ask('fresh', p), ask('optimum', p)]));
    for (const r of both) expect(r.status).toBe(200);
    expect(both.map((r) => r.json.choices[0].message.content)).toEqual(alone.flatMap((t) => [t, t]));
  });
});
