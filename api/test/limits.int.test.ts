import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SEND, codeOf, gql, login, metric, startApi, startInference, waitFor, wsClient, type Proc, type TestApi } from './stack.js';

/** Guards, on an api in production mode with tight limits. */
describe('guards: rate limits, concurrent replies, production introspection', () => {
  let inference: Proc;
  let api: TestApi;
  const accounts: string[] = [];

  /** Production has no demo accounts: people are created through the service, as an admin would. */
  const person = async () => {
    const email = `p${accounts.length}-${Date.now()}@limits.test`;
    accounts.push(email);
    await api.server.services.users.create({ audit: api.server.services.audit.serviceScope('test') }, { email, password: 'password-123', role: 'USER' });
    return { email, token: await login(api.url, email, 'password-123') };
  };

  beforeAll(async () => {
    inference = await startInference();
    api = await startApi(inference.url, {
      NODE_ENV: 'production',
      DEMO_ACCOUNTS: 'false',
      RATE_LIMIT_MESSAGES_PER_MINUTE: '3',
      MAX_CONCURRENT_GENERATIONS: '1',
    });
  });
  afterAll(async () => {
    await api?.close();
    await inference?.stop();
  });

  it('refuses a person’s messages beyond the per-minute limit, with the wait', async () => {
    const { token } = await person();
    const codes: unknown[] = [];
    for (let i = 0; i < 4; i++) {
      const r = await gql(api.url, SEND, { input: { content: `hi ${i}`, params: { maxTokens: 1 } } }, token);
      codes.push(codeOf(r) ?? 'ok');
      if (r.errors) expect(r.errors[0]!.extensions!.retryAfterSeconds).toBeGreaterThan(0);
      // Let each short reply finish so that only the rate limit can refuse.
      else {
        const id = r.data.sendMessage.assistantMessage.id;
        await waitFor(async () => (await gql(api.url, `query($id: ID!) { message(id: $id) { status } }`, { id }, token)).data.message.status !== 'STREAMING');
      }
    }
    expect(codes).toEqual(['ok', 'ok', 'ok', 'RATE_LIMITED']);
  });

  it('refuses a second reply while one is streaming', async () => {
    const { token } = await person();
    const first = await gql(api.url, SEND, { input: { content: 'long', params: { maxTokens: 900, ignoreEos: true } } }, token);
    expect(first.errors).toBeUndefined();
    const second = await gql(api.url, SEND, { input: { content: 'another', params: { maxTokens: 900, ignoreEos: true } } }, token);
    expect(codeOf(second)).toBe('TOO_MANY_GENERATIONS');
    // The refused reply had been started while its turn was written (its prefill overlapping the
    // write): it is dropped without a trace, its upstream request cancelled, nothing stored.
    await waitFor(async () => (await metric(inference.url, 'dialoop_inference_running_sequences')) === 1, 5_000, 'the refused reply’s request to end');
    const stored = await gql(api.url, `{ conversations(first: 10) { edges { node { messages { role status } } } } }`, {}, token);
    expect(stored.data.conversations.edges.map((e: { node: { messages: unknown[] } }) => e.node.messages)).toEqual([[{ role: 'USER', status: 'COMPLETE' }, { role: 'ASSISTANT', status: 'STREAMING' }]]);
    await gql(api.url, `mutation($id: ID!) { cancelGeneration(messageId: $id) { status } }`, { id: first.data.sendMessage.assistantMessage.id }, token);
  });

  it('refuses sign-ins after 10 failures for one email, even with the right password', async () => {
    const { email } = await person();
    const LOGIN = `mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }`;
    for (let i = 0; i < 10; i++) expect(codeOf(await gql(api.url, LOGIN, { e: email, p: 'wrong-password' }))).toBe('UNAUTHENTICATED');
    expect(codeOf(await gql(api.url, LOGIN, { e: email, p: 'password-123' }))).toBe('RATE_LIMITED');
  });

  it('has introspection off in production, over HTTP and WebSocket', async () => {
    const { token } = await person();
    const INTROSPECT = `{ __schema { queryType { name } } }`;
    expect(codeOf(await gql(api.url, INTROSPECT, {}, token))).toBe('GRAPHQL_VALIDATION_FAILED');
    const client = wsClient(api.url, token);
    const result = await new Promise<any>((resolve) => {
      client.subscribe({ query: INTROSPECT }, { next: () => undefined, error: resolve, complete: () => resolve(null) });
    });
    await client.dispose();
    expect(result?.[0]?.extensions?.code).toBe('GRAPHQL_VALIDATION_FAILED');
  });
});
