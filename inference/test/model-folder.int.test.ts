import { cpSync, mkdtempSync, readFileSync, renameSync, rmSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_MODEL_DIR, ModelFolderError, readModelFolder } from '../src/index.js';
import { postJson, startServer } from './helpers.js';

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

    const server = await startServer({ MODEL_DIR: `original=${DEFAULT_MODEL_DIR},other=${dir}` });
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
});
