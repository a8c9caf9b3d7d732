import { Writable } from 'node:stream';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { parseEnv, startInferenceServer } from '../src/index.js';

/**
 * INFERENCE_DEVICE=cuda on a host whose onnxruntime-node has no CUDA provider (as the
 * workspace installs it) must still serve, on the CPU, and say so in the log.
 */
describe('execution provider fall-back', () => {
  it('serves on the CPU with a logged warning when CUDA is unavailable', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const server = await startInferenceServer(parseEnv({ INFERENCE_PORT: '0', INFERENCE_DEVICE: 'cuda', LOG_LEVEL: 'info' }), pino({ level: 'info' }, sink));
    try {
      expect([...server.models.values()].map((m) => m.device)).toEqual(['cpu']);
      const warning = lines.map((l) => JSON.parse(l)).find((l) => l.msg === 'CUDA execution provider unavailable; falling back to CPU');
      expect(warning).toBeDefined();
      expect(warning.level).toBe(40);
      const r = await fetch(`${server.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'dialoop-tiny', messages: [{ role: 'user', content: 'Hi' }], max_tokens: 4 }),
      });
      expect(r.status).toBe(200);
      expect(((await r.json()) as { system_fingerprint: string }).system_fingerprint).toBe('dialoop-cpu');
    } finally {
      await server.close();
    }
  });
});
