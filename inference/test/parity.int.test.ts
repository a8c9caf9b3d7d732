import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MODEL_DIR, readModelFolder } from '../src/index.js';
import { expectParity, onnxGreedy, readParityFixture } from './helpers.js';

/**
 * Greedy decoding through onnxruntime-node against the PyTorch reference that the
 * training code wrote (test/fixtures/parity.json) for the committed model.
 */
describe('ONNX through onnxruntime-node matches the PyTorch checkpoint (committed model)', () => {
  const fixture = readParityFixture();
  const folder = readModelFolder('dialoop-tiny', DEFAULT_MODEL_DIR);
  let session: ort.InferenceSession;
  beforeAll(async () => {
    session = await ort.InferenceSession.create(folder.spec.onnxPath);
  });
  afterAll(async () => {
    await session.release();
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
