import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEnv, startApiServer, type ApiServer } from '../src/index.js';
import { SEND, collect, gql, gqlOk, login, startInference, textOf, waitFor, wsClient, type Proc } from './stack.js';

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
    expect(first.demoAccounts.map((a) => a.email).sort()).toEqual(['admin@demo.local', 'compliance@demo.local', 'ml@demo.local', 'reviewer@demo.local', 'senior@demo.local', 'user@demo.local']);
    const token = await login(first.url, 'user@demo.local');
    const sent = (await gqlOk(first.url, SEND, { input: { content: 'What is 1 plus 1?', params: { temperature: 0 } } }, token)).sendMessage;
    const client = wsClient(first.url, token);
    const events = await collect(client, sent.assistantMessage.id);
    await client.dispose();
    expect(events.at(-1)).toMatchObject({ done: true, status: 'COMPLETE' });
    const officer = await login(first.url, 'compliance@demo.local');
    const pseudonym = (await gqlOk(first.url, '{ me { pseudonym } }', {}, token)).me.pseudonym;
    await first.close();
    // The generated keys are kept (owner-only) in the data folder, so tokens, pseudonyms and the
    // audit signature outlive a restart.
    for (const file of ['jwt-secret', 'pseudonym-key', 'audit-signing-key.pem']) expect((await stat(join(dataDir, file))).mode & 0o777).toBe(0o600);

    const second = await start();
    try {
      expect(second.demoAccounts).toEqual([]);
      const conv = await gqlOk(second.url, `query($id: ID!) { conversation(id: $id) { messages { role content status } } }`, { id: sent.conversation.id }, token);
      expect(conv.conversation.messages[1]).toEqual({ role: 'ASSISTANT', content: textOf(events), status: 'COMPLETE' });
      // The audit trail on PGlite: the same triggers, one chain across both runs, signed on demand.
      expect((await gqlOk(second.url, '{ me { pseudonym } }', {}, token)).me.pseudonym).toBe(pseudonym);
      const trail = await gqlOk(second.url, '{ auditEntries(first: 200) { edges { node { action actor { pseudonym } } } } }', {}, officer);
      const actions = trail.auditEntries.edges.map((e: { node: { action: string } }) => e.node.action);
      expect(actions.filter((a: string) => a === 'config.change')).toHaveLength(1); // the same settings twice: recorded once
      expect(actions).toEqual(expect.arrayContaining(['createUser', 'login', 'sendMessage']));
      // Content safety on PGlite: list changes and monitoring take advisory locks there too.
      const admin = await login(second.url, 'admin@demo.local');
      const term = `mutation($i: CreateSafetyTermInput!) { createSafetyTerm(input: $i) { version } }`;
      await gqlOk(second.url, term, { i: { term: 'verboten', level: 'MASK' } }, admin);
      await gqlOk(second.url, term, { i: { term: 'forbidden fruit', level: 'BLOCK', category: 'test' } }, admin);
      const masked = await gqlOk(second.url, `mutation($input: SendMessageInput!) { sendMessage(input: $input) { userMessage { content safety } } }`, { input: { content: 'this is VERBOTEN', params: { maxTokens: 1 } } }, token);
      expect(masked.sendMessage.userMessage).toEqual({ content: 'this is ********', safety: 'MASK' });
      const refused = await gql(second.url, SEND, { input: { content: 'some forbidden  fruit' } }, token);
      expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'SAFETY_BLOCKED', category: 'test' });
      // The review queue and a dataset version on PGlite (the build runs in the api's thread there).
      // A greeting, not the sum: the default model answers "1 plus 1" the same way at every
      // temperature, so that item would wait for a second candidate (review-candidates test).
      const hello = (await gqlOk(second.url, SEND, { input: { content: 'Hello! What can you do?', params: { temperature: 0 } } }, token)).sendMessage;
      const ws = wsClient(second.url, token);
      expect((await collect(ws, hello.assistantMessage.id)).at(-1)).toMatchObject({ done: true, status: 'COMPLETE' });
      await ws.dispose();
      await gqlOk(second.url, 'mutation($id: ID!) { rateMessage(messageId: $id, input: { thumb: UP }) { id } }', { id: hello.assistantMessage.id }, token);
      const item = (await gqlOk(second.url, 'mutation($i: CreateReviewItemInput!) { createReviewItem(input: $i) { id status } }', { i: { messageIds: [hello.assistantMessage.id] } }, admin)).createReviewItem;
      expect(item.status).toBe('OPEN');
      const reviewer = await login(second.url, 'reviewer@demo.local');
      expect((await gqlOk(second.url, 'mutation { claimReviewItem { item { id } } }', {}, reviewer)).claimReviewItem.item.id).toBe(item.id);
      const ml = await login(second.url, 'ml@demo.local');
      const version = (await gqlOk(second.url, 'mutation { createDatasetVersion(input: { formats: [KTO] }) { id } }', {}, ml)).createDatasetVersion;
      let built: { status: string; counts: { labelled: { total: number } } } | undefined;
      await waitFor(async () => {
        built = (await gqlOk(second.url, 'query($id: ID!) { datasetVersion(id: $id) { status counts } }', { id: version.id }, ml)).datasetVersion;
        return built!.status !== 'BUILDING';
      });
      expect(built).toMatchObject({ status: 'READY', counts: { labelled: { total: 1 } } });
      await gqlOk(second.url, 'mutation { createAuditCheckpoint { seq } }', {}, admin);
      const v = await gqlOk(second.url, '{ verifyAuditChain { valid firstSeq checkpointsVerified } }', {}, officer);
      expect(v.verifyAuditChain).toEqual({ valid: true, firstSeq: 1, checkpointsVerified: 1 });
    } finally {
      await second.close();
    }
  });
});
