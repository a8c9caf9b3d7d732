import { basename } from 'node:path';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MODEL_DIR, readModelFolder } from '../src/index.js';
import { expectParity, onnxGreedy, readParityFixture } from './helpers.js';

/**
 * Greedy decoding through onnxruntime-node against the PyTorch reference that the
 * training code wrote (test/fixtures/parity.json) for the committed model's FP32 graph,
 * model.onnx (the server serves its INT8 graph by default: precision fp32 picks model.onnx).
 */
describe('ONNX through onnxruntime-node matches the PyTorch checkpoint (committed model)', () => {
  const fixture = readParityFixture();
  const folder = readModelFolder('dialoop-tiny', DEFAULT_MODEL_DIR, { precision: 'fp32' });
  let session: ort.InferenceSession;
  beforeAll(async () => {
    session = await ort.InferenceSession.create(folder.spec.onnxPath);
  });
  afterAll(async () => {
    await session.release();
  });

  it('reads the FP32 graph', () => {
    expect(folder.spec.precision).toBe('fp32');
    expect(basename(folder.spec.onnxPath)).toBe('model.onnx');
  });

  it('renders and tokenizes the chat template exactly as the training code does', () => {
    for (const c of fixture.cases) expect(folder.tokenizer.encodeChat(c.messages)).toEqual(c.prompt_ids);
  });

  it('gives the same greedy tokens and logits', async () => {
    const results = [];
    for (const c of fixture.cases) results.push(await onnxGreedy(session, folder.spec, c.prompt_ids, fixture.steps));
    expectParity(fixture.cases, results);
  });
});
