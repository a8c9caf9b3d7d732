import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readModelFolder, type InferenceServer } from '../src/index.js';
import { expectParity, onnxGreedy, postJson, readParityFixture, startServer } from './helpers.js';

const trainingDir = fileURLToPath(new URL('../../training', import.meta.url));

/**
 * The training code end to end on a tiny configuration (seconds): corpus, a few SFT
 * steps, ONNX export with grouped-query attention and a KV cache, then parity of the
 * exported file through onnxruntime-node against PyTorch, and the folder served.
 */
describe('a freshly trained and exported model', () => {
  const out = mkdtempSync(join(tmpdir(), 'dialoop-export-'));
  const modelDir = join(out, 'model');
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
    server = await startServer({ MODEL_DIR: `fresh=${modelDir}` });
  });
  afterAll(async () => {
    await server?.close();
    rmSync(out, { recursive: true, force: true });
  });

  it('matches PyTorch token for token and logit for logit', async () => {
    const fixture = readParityFixture(fixturePath);
    const folder = readModelFolder('fresh', modelDir);
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

  it('is served by the inference server like any model folder', async () => {
    const r = await postJson(`${server.url}/v1/chat/completions`, { model: 'fresh', messages: [{ role: 'user', content: 'Hi' }], max_tokens: 8 });
    expect(r.status).toBe(200);
    expect(r.json.model).toBe('fresh');
    expect(r.json.usage.completion_tokens).toBeGreaterThan(0);
  });
});
