import { cpSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_MODEL_DIR, ModelFolderError, readModelFolder } from '../src/index.js';
import { metricValue, postJson, startServer } from './helpers.js';

/** Folders laid out and described the way other exporters do it load and serve alike. */
describe('model folders', () => {
  const work = mkdtempSync(join(tmpdir(), 'dialoop-folders-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  function copyOfDefault(name: string): string {
    const dir = join(work, name);
    cpSync(DEFAULT_MODEL_DIR, dir, { recursive: true });
    return dir;
  }

  it('serves a folder with onnx/model.onnx and a GPT-2-style config, under several ids at once', async () => {
    const dir = copyOfDefault('gpt2-style');
    mkdirSync(join(dir, 'onnx'));
    renameSync(join(dir, 'model.onnx'), join(dir, 'onnx', 'model.onnx'));
    // transformers.js's names: onnx/model_quantized.onnx (auto and int8 pick it), onnx/model.onnx (fp32).
    renameSync(join(dir, 'model_int8.onnx'), join(dir, 'onnx', 'model_quantized.onnx'));
    expect(readModelFolder('x', dir).spec).toMatchObject({ precision: 'int8', onnxPath: join(dir, 'onnx', 'model_quantized.onnx') });
    expect(readModelFolder('x', dir, { precision: 'fp32' }).spec).toMatchObject({ precision: 'fp32', onnxPath: join(dir, 'onnx', 'model.onnx') });
    const llama = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    if (llama.num_key_value_heads !== llama.num_attention_heads || llama.head_dim * llama.num_attention_heads !== llama.hidden_size) {
      throw new Error('this test needs a model without grouped-query attention');
    }
    writeFileSync(join(dir, 'config.json'), JSON.stringify({
      model_type: 'gpt2', n_layer: llama.num_hidden_layers, n_head: llama.num_attention_heads, n_embd: llama.hidden_size,
      n_positions: llama.max_position_embeddings, vocab_size: llama.vocab_size,
    }));
    const spec = readModelFolder('x', dir).spec;
    expect([spec.numLayers, spec.numHeads, spec.numKvHeads, spec.headDim]).toEqual([llama.num_hidden_layers, llama.num_attention_heads, llama.num_attention_heads, llama.head_dim]);

    const server = await startServer({ MODEL_DIR: `original=${DEFAULT_MODEL_DIR},other=${dir}`, INFERENCE_PRECISION: 'fp32' });
    try {
      const ask = (model: string) => postJson(`${server.url}/v1/chat/completions`, { model, messages: [{ role: 'user', content: 'What is the capital of Japan?' }], temperature: 0, max_tokens: 40 });
      const [a, b] = await Promise.all([ask('original'), ask('other')]);
      expect(a.status).toBe(200);
      expect(b.json.choices[0].message.content).toBe(a.json.choices[0].message.content);
      const models = await (await fetch(`${server.url}/v1/models`)).json() as { data: { id: string }[] };
      expect(models.data.map((m) => m.id)).toEqual(['original', 'other']);
    } finally {
      await server.close();
    }
  });

  it('explains what is wrong with a folder it cannot serve', async () => {
    const noOnnx = copyOfDefault('no-onnx');
    rmSync(join(noOnnx, 'model.onnx'));
    expect(readModelFolder('x', noOnnx).spec.precision).toBe('int8'); // the INT8 graph alone serves
    expect(() => readModelFolder('x', noOnnx, { precision: 'fp32' })).toThrow(/precision fp32 .*needs model.onnx/);
    rmSync(join(noOnnx, 'model_int8.onnx'));
    expect(() => readModelFolder('x', noOnnx)).toThrow(/neither model.onnx nor onnx\/model.onnx/);

    const noTemplate = copyOfDefault('no-template');
    const cfg = JSON.parse(readFileSync(join(noTemplate, 'tokenizer_config.json'), 'utf8'));
    delete cfg.chat_template;
    writeFileSync(join(noTemplate, 'tokenizer_config.json'), JSON.stringify(cfg));
    expect(() => readModelFolder('x', noTemplate)).toThrow(ModelFolderError);
    expect(() => readModelFolder('x', noTemplate)).toThrow(/chat_template/);

    expect(() => readModelFolder('x', join(work, 'missing'))).toThrow(/does not exist/);
    await expect(startServer({ MODEL_DIR: join(work, 'missing') })).rejects.toThrow(ModelFolderError);
  });

  describe('precision (INFERENCE_PRECISION)', () => {
    const chat = (url: string, model = 'dialoop-tiny') =>
      postJson(`${url}/v1/chat/completions`, { model, messages: [{ role: 'user', content: 'What is the capital of Japan?' }], temperature: 0, max_tokens: 40 });
    const listed = async (url: string) => ((await (await fetch(`${url}/v1/models`)).json()) as { data: { id: string; object: string; precision: string }[] }).data;
    let int8Reply: string;

    it('serves the committed folder\'s INT8 graph by default', async () => {
      expect(existsSync(join(DEFAULT_MODEL_DIR, 'model_int8.onnx'))).toBe(true);
      const server = await startServer();
      try {
        expect(await listed(server.url)).toEqual([expect.objectContaining({ id: 'dialoop-tiny', object: 'model', precision: 'int8' })]);
        expect(await (await fetch(`${server.url}/v1/models/dialoop-tiny`)).json()).toMatchObject({ id: 'dialoop-tiny', precision: 'int8' });
        const r = await chat(server.url);
        expect(r.status).toBe(200);
        expect(r.json.choices[0].finish_reason).toBe('stop');
        int8Reply = r.json.choices[0].message.content;
        expect(int8Reply).toContain('Tokyo');
        expect(await metricValue(server.url, 'dialoop_inference_model_info{model="dialoop-tiny",precision="int8",device="cpu"}')).toBe(1);
      } finally {
        await server.close();
      }
    });

    it('serves model.onnx with INFERENCE_PRECISION=fp32, with the same greedy reply', async () => {
      const server = await startServer({ INFERENCE_PRECISION: 'fp32' });
      try {
        expect((await listed(server.url)).map((m) => m.precision)).toEqual(['fp32']);
        const r = await chat(server.url);
        expect(r.status).toBe(200);
        expect(r.json.choices[0].message.content).toBe(int8Reply);
        expect(await metricValue(server.url, 'dialoop_inference_model_info{model="dialoop-tiny",precision="fp32",device="cpu"}')).toBe(1);
      } finally {
        await server.close();
      }
    });

    it('refuses INFERENCE_PRECISION=int8 for a folder without an INT8 graph, saying so; auto serves its model.onnx', async () => {
      const dir = copyOfDefault('fp32-only');
      rmSync(join(dir, 'model_int8.onnx'));
      expect(() => readModelFolder('x', dir, { precision: 'int8' })).toThrow(ModelFolderError);
      expect(() => readModelFolder('x', dir, { precision: 'int8' })).toThrow(/precision int8 \(INFERENCE_PRECISION\) needs an INT8 graph and the folder has none \(model_int8.onnx, onnx\/model_int8.onnx, onnx\/model_quantized.onnx\)/);
      await expect(startServer({ MODEL_DIR: `fp32only=${dir}`, INFERENCE_PRECISION: 'int8' })).rejects.toThrow(/needs an INT8 graph/);
      // With both folders: the committed one is served INT8, this one FP32.
      const server = await startServer({ MODEL_DIR: `fp32only=${dir},dialoop-tiny=${DEFAULT_MODEL_DIR}` });
      try {
        expect((await listed(server.url)).map((m) => [m.id, m.precision])).toEqual([['fp32only', 'fp32'], ['dialoop-tiny', 'int8']]);
        expect((await chat(server.url, 'fp32only')).json.choices[0].message.content).toBe(int8Reply);
      } finally {
        await server.close();
      }
    });
  });
});
