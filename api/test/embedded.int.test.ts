import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEnv, startApiServer, type ApiServer } from '../src/index.js';
import { SEND, collect, gqlOk, login, startInference, textOf, wsClient, type Proc } from './stack.js';

/** The embedded default: no DATABASE_URL → PGlite in the data folder, demo accounts on first start. */
describe('embedded defaults (PGlite)', () => {
  let inference: Proc;
  let dataDir: string;
  const start = (): Promise<ApiServer> =>
    startApiServer(parseEnv({ API_PORT: '0', DIALOOP_DATA_DIR: dataDir, INFERENCE_URL: inference.url, LOG_LEVEL: 'silent' }));

  beforeAll(async () => {
    inference = await startInference();
    dataDir = await mkdtemp(join(tmpdir(), 'dialoop-embedded-'));
  });
  afterAll(async () => {
    await inference?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('creates demo accounts once, chats, and keeps data and sign-ins across a restart', async () => {
    const first = await start();
    expect(first.database.kind).toBe('pglite');
    expect(first.demoAccounts.map((a) => a.email).sort()).toEqual(['admin@demo.local', 'compliance@demo.local', 'reviewer@demo.local', 'user@demo.local']);
    const token = await login(first.url, 'user@demo.local');
    const sent = (await gqlOk(first.url, SEND, { input: { content: 'What is 1 plus 1?', params: { temperature: 0 } } }, token)).sendMessage;
    const client = wsClient(first.url, token);
    const events = await collect(client, sent.assistantMessage.id);
    await client.dispose();
    expect(events.at(-1)).toMatchObject({ done: true, status: 'COMPLETE' });
    await first.close();
    // The signing key is kept (owner-only) in the data folder, so tokens outlive a restart.
    expect((await stat(join(dataDir, 'jwt-secret'))).mode & 0o777).toBe(0o600);

    const second = await start();
    try {
      expect(second.demoAccounts).toEqual([]);
      const conv = await gqlOk(second.url, `query($id: ID!) { conversation(id: $id) { messages { role content status } } }`, { id: sent.conversation.id }, token);
      expect(conv.conversation.messages[1]).toEqual({ role: 'ASSISTANT', content: textOf(events), status: 'COMPLETE' });
    } finally {
      await second.close();
    }
  });
});
