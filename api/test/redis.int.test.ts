/**
 * Two api processes behind Redis, on one database: a reply generated through one streams to a
 * subscriber on the other (live and replayed), and the other can cancel it. Everything is keyed
 * by fresh ids (database, account, messages), so parallel runs sharing the Redis do not clash.
 */
import { randomUUID } from 'node:crypto';
import { openDatabase, type Database } from '@dialoop/db';
import { createTestDatabase, type TestDatabase } from '@dialoop/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../src/modules/users/passwords.js';
import { EVERY_DELTA, SEND, collect, gqlOk, login, metric, spawnApi, startInference, textOf, waitFor, wsClient, type Proc, type StreamEventT } from './stack.js';

/** Redis must be running (CI starts it); TEST_REDIS_URL points elsewhere. */
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
/** stack.ts starts the api from the repository root, where tsx would find no tsconfig (no decorators). */
const MESSAGE = `query($id: ID!) { message(id: $id) { status content finishReason } }`;


describe('two api processes sharing Redis', () => {
  let inference: Proc;
  let db: TestDatabase;
  let direct: Database;
  let api1: Proc;
  let api2: Proc;
  let token: string;

  beforeAll(async () => {
    inference = await startInference();
    db = await createTestDatabase();
    // One account made straight in the database: no demo accounts, so no sign-in of a shared
    // email that other runs on this Redis would count against the same login rate limit.
    direct = await openDatabase({ databaseUrl: db.url });
    const email = `redis-${randomUUID()}@test.local`;
    await direct.prisma.user.create({ data: { email, role: 'USER', passwordHash: await hashPassword('password-123') } });
    const env = { ...EVERY_DELTA, DATABASE_URL: db.url, INFERENCE_URL: inference.url, REDIS_URL, DEMO_ACCOUNTS: 'false' };
    // Started together, as replicas behind a load balancer are: both migrate the same database at once.
    // Both are kept once started, so that one failing to start does not leave the other running.
    const [one, two] = await Promise.allSettled([spawnApi(env), spawnApi(env)]);
    if (one.status === 'fulfilled') api1 = one.value;
    if (two.status === 'fulfilled') api2 = two.value;
    for (const r of [one, two]) if (r.status === 'rejected') throw r.reason;
    token = await login(api1.url, email, 'password-123');
  });
  afterAll(async () => {
    await api1?.stop();
    await api2?.stop();
    await inference?.stop();
    await direct?.close();
    await db?.drop();
  });

  it('streams a reply generated through one process to a subscriber on the other, in order, then replays it', async () => {
    const sent = (await gqlOk(api1.url, SEND, { input: { content: 'Tell me about rivers.', params: { maxTokens: 300, ignoreEos: true } } }, token)).sendMessage;
    const id = sent.assistantMessage.id;
    const c1 = wsClient(api1.url, token);
    const c2 = wsClient(api2.url, token);
    // Subscribed on both from the start: the one on api 2 hears it over Redis.
    const [on1, on2] = await Promise.all([collect(c1, id), collect(c2, id)]);

    const deltas = on2.filter((e) => !e.done);
    expect(deltas.length).toBeGreaterThan(50);
    expect(on2.map((e) => e.seq)).toEqual(on2.map((_, i) => i + 1));
    expect(on2.at(-1)).toMatchObject({ done: true, seq: deltas.length + 1, status: 'COMPLETE', finishReason: 'length', error: null });
    expect(on2.at(-1)!.usage!.completionTokens).toBe(300);
    expect(on2).toEqual(on1);
    const stored = (await gqlOk(api2.url, MESSAGE, { id }, token)).message;
    expect(stored).toEqual({ status: 'COMPLETE', content: textOf(on2), finishReason: 'length' });

    // Late subscribers on api 2: the whole stream, then its tail from a seq.
    expect(await collect(c2, id)).toEqual(on2);
    expect(await collect(c2, id, { fromSeq: 40 })).toEqual(on2.filter((e) => e.seq >= 40));
    await Promise.all([c1.dispose(), c2.dispose()]);
  });

  it('joins a stream mid-reply on the other process without loss or duplicates', async () => {
    const sent = (await gqlOk(api1.url, SEND, { input: { content: 'Describe the sea.', params: { maxTokens: 600, ignoreEos: true } } }, token)).sendMessage;
    const id = sent.assistantMessage.id;
    const c1 = wsClient(api1.url, token);
    const c2 = wsClient(api2.url, token);
    const whole = collect(c1, id);
    // Resume on api 2 after the first few events seen on api 1.
    const head = await collect(c1, id, { until: (_e, all) => all.length === 10 });
    const rest = await collect(c2, id, { fromSeq: head.at(-1)!.seq + 1 });
    const joined = [...head, ...rest];
    expect(joined).toEqual(await whole);
    expect(joined.at(-1)).toMatchObject({ done: true, status: 'COMPLETE' });
    await Promise.all([c1.dispose(), c2.dispose()]);
  });

  it('cancels, through one process, a reply generated through the other', async () => {
    await waitFor(async () => (await metric(inference.url, 'dialoop_inference_running_sequences')) === 0, 10_000, 'an idle inference server');
    const tokensBefore = await metric(inference.url, 'dialoop_inference_generated_tokens_total');
    const maxTokens = 900;
    const sent = (await gqlOk(api1.url, SEND, { input: { content: 'Write a long story.', params: { maxTokens, ignoreEos: true } } }, token)).sendMessage;
    const id = sent.assistantMessage.id;
    const c2 = wsClient(api2.url, token);
    const events: StreamEventT[] = [];
    const streamed = collect(c2, id, { onEvent: (e) => events.push(e) });
    await waitFor(() => events.length >= 5, 20_000, 'the first deltas on api 2');

    const cancelled = (await gqlOk(api2.url, `mutation($id: ID!) { cancelGeneration(messageId: $id) { status content finishReason } }`, { id }, token)).cancelGeneration;
    expect(cancelled).toMatchObject({ status: 'CANCELLED', finishReason: 'cancelled' });
    expect(cancelled.content.length).toBeGreaterThan(0);

    const all = await streamed;
    await c2.dispose();
    expect(all.at(-1)).toMatchObject({ done: true, status: 'CANCELLED', finishReason: 'cancelled', error: null });
    expect(textOf(all)).toBe(cancelled.content);
    // The generating process stopped the upstream request: the slot is free, well short of maxTokens.
    await waitFor(async () => (await metric(inference.url, 'dialoop_inference_running_sequences')) === 0, 5_000, 'the slot to be freed');
    expect((await metric(inference.url, 'dialoop_inference_generated_tokens_total')) - tokensBefore).toBeLessThan(maxTokens / 2);
    expect((await gqlOk(api1.url, MESSAGE, { id }, token)).message).toMatchObject({ status: 'CANCELLED', content: cancelled.content });
  });
});
