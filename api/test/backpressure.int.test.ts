/**
 * Backpressure, against the real inference server limited to one running sequence and no queue
 * (INFERENCE_MAX_BATCH=1, INFERENCE_MAX_QUEUE=0): replies that find it full wait in the api's
 * queue, fair between people, instead of failing; their streams count their place down; cancel
 * takes one out; a deadline ends a wait with UPSTREAM_BUSY; a full queue refuses the send with
 * SERVICE_UNAVAILABLE before storing anything; two api processes on Redis share the queue.
 */
import { randomUUID } from 'node:crypto';
import { openDatabase, type Database } from '@dialoop/db';
import { createTestDatabase, type TestDatabase } from '@dialoop/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../src/modules/users/passwords.js';
import { SEND, codeOf, gql, gqlOk, login, newUser, spawnApi, startApi, startInference, waitFor, wsClient, type Proc, type StreamEventT, type TestApi } from './stack.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const SHORT = { maxTokens: 24, ignoreEos: true };
/**
 * Long enough (≈0.15 s at one sequence: the default model streams about 3,000 tokens/s) that every
 * burst is queued before the first replies end and waiting replies hear their place move.
 */
const MEDIUM = { maxTokens: 480, ignoreEos: true };
const STREAM_Q = `subscription($id: ID!) {
  messageStream(messageId: $id) { seq delta done status finishReason queuePosition estimatedWaitMs error { code message retryAfterMs } }
}`;
const MESSAGE = `query($id: ID!) { message(id: $id) { status content errorCode } }`;
const CANCEL = `mutation($id: ID!) { cancelGeneration(messageId: $id) { status content finishReason } }`;

interface Followed {
  person: string;
  id: string;
  events: (StreamEventT & { queuePosition: number | null; estimatedWaitMs: number | null; error: { code: string; message: string; retryAfterMs: number | null } | null })[];
  /** When each event arrived (performance.now()). */
  at: number[];
  firstDeltaAt: number;
  done: Promise<void>;
}

/** Sends `n` replies for `person` at once through `url` and follows each (with the queue fields). */
async function burst(url: string, token: string, person: string, n: number, params: object = SHORT): Promise<Followed[]> {
  const sent = await Promise.all(Array.from({ length: n }, (_, i) => gqlOk(url, SEND, { input: { content: `${person} asks question ${i}.`, params } }, token)));
  return sent.map((s) => {
    const client = wsClient(url, token);
    const f: Followed = { person, id: s.sendMessage.assistantMessage.id, events: [], at: [], firstDeltaAt: Infinity, done: Promise.resolve() };
    f.done = (async () => {
      try {
        for await (const r of client.iterate<{ messageStream: Followed['events'][number] }>({ query: STREAM_Q, variables: { id: f.id } })) {
          const e = r.data!.messageStream;
          if (e.delta && f.firstDeltaAt === Infinity) f.firstDeltaAt = performance.now();
          f.events.push(e);
          f.at.push(performance.now());
          if (e.done) break;
        }
      } finally {
        await client.dispose();
      }
    })();
    return f;
  });
}

/** People in the order their replies started (first token). */
const startOrder = (all: Followed[]) => [...all].filter((f) => f.firstDeltaAt < Infinity).sort((a, b) => a.firstDeltaAt - b.firstDeltaAt).map((f) => f.person);

/** A person with a burst of eight goes first; the others' first replies start before its fourth. */
function expectFair(all: Followed[], burster: string, others: string[]) {
  const order = startOrder(all);
  const fourth = order.reduce((at, p, i) => (p === burster && order.slice(0, i + 1).filter((x) => x === burster).length === 4 ? i : at), -1);
  expect(fourth, `start order: ${order.join(' ')}`).toBeGreaterThan(0);
  for (const p of others) expect(order.indexOf(p), `${p} in ${order.join(' ')}`).toBeLessThan(fourth);
}

describe('backpressure: replies wait their turn when the model servers are full', () => {
  let inference: Proc;
  let api: TestApi;
  const people: Record<string, string> = {};

  beforeAll(async () => {
    inference = await startInference({ INFERENCE_MAX_BATCH: '1', INFERENCE_MAX_QUEUE: '0', INFERENCE_MAX_N: '1' });
    api = await startApi(inference.url, { REPLY_QUEUE_MAX: '40' });
    for (const p of ['A', 'B', 'C', 'D', 'E']) people[p] = (await newUser(api.url)).token;
  });
  afterAll(async () => {
    await api?.close();
    await inference?.stop();
  });

  it('twenty replies from five people over one slot all complete, interleaving the people; positions count down; one cancelled while waiting frees its place', async () => {
    // A bursts eight at once; then B to E send three each.
    const a = await burst(api.url, people.A!, 'A', 8, MEDIUM);
    const rest = (await Promise.all(['B', 'C', 'D', 'E'].map((p) => burst(api.url, people[p]!, p, 3, MEDIUM)))).flat();
    const allSent = performance.now();
    // One of E's, cancelled while it waits.
    const waiting = rest.filter((f) => f.person === 'E').at(-1)!;
    await waitFor(async () => (await gqlOk(api.url, MESSAGE, { id: waiting.id }, people.E!)).message.status === 'QUEUED', 10_000, 'a waiting reply');
    const cancelled = (await gqlOk(api.url, CANCEL, { id: waiting.id }, people.E!)).cancelGeneration;
    expect(cancelled).toMatchObject({ status: 'CANCELLED', content: '', finishReason: 'cancelled' });

    const all = [...a, ...rest];
    await Promise.all(all.map((f) => f.done));
    for (const f of all.filter((x) => x !== waiting)) {
      expect(f.events.at(-1), f.id).toMatchObject({ done: true, status: 'COMPLETE', finishReason: 'length', error: null });
      expect(f.events.filter((e) => e.done)).toHaveLength(1);
    }
    expect(waiting.events.at(-1)).toMatchObject({ done: true, status: 'CANCELLED' });
    expect(waiting.events.some((e) => e.delta)).toBe(false);
    expect((await gqlOk(api.url, MESSAGE, { id: waiting.id }, people.E!)).message).toEqual({ status: 'CANCELLED', content: '', errorCode: null });

    expectFair(all, 'A', ['B', 'C', 'D', 'E']);
    // Waiting replies heard where they stood, before their first token; once everyone had sent
    // (a newcomer's first reply goes ahead of a burst's later ones), counting down to 1.
    for (const f of all) {
      const positions = f.events.filter((e) => e.queuePosition !== null);
      const firstDelta = f.events.findIndex((e) => e.delta);
      expect(positions.every((e) => e.seq === 0 && f.events.indexOf(e) < (firstDelta < 0 ? Infinity : firstDelta))).toBe(true);
      const after = positions.filter((e) => f.at[f.events.indexOf(e)]! > allSent).map((e) => e.queuePosition!);
      expect(after, `positions of a reply of ${f.person}`).toEqual([...after].sort((x, y) => y - x));
    }
    const counted = all.filter((f) => f.events.filter((e) => e.queuePosition !== null).length >= 3);
    expect(counted.length).toBeGreaterThan(5);
    expect(all.some((f) => f.events.some((e) => e.queuePosition === 1))).toBe(true);
    // The queue's own metrics saw it.
    const metrics = await (await fetch(`${api.url}/metrics`)).text();
    expect(metrics).toMatch(/dialoop_api_reply_queue_wait_seconds_count \d+/);
    expect(Number(/dialoop_api_reply_queue_wait_seconds_count (\d+)/.exec(metrics)![1])).toBeGreaterThan(5);
  });

  it('ends a wait past its deadline with UPSTREAM_BUSY and a retry hint, storing no text', async () => {
    // The one slot busy with a long reply (900 tokens, ≈0.3 s); then one that may wait 50 ms only.
    const [long] = await burst(api.url, people.A!, 'A', 1, { maxTokens: 900, ignoreEos: true });
    await waitFor(() => long!.events.some((e) => e.delta), 10_000, 'the long reply to start');
    const [hurried] = await burst(api.url, people.B!, 'B', 1, { ...SHORT, maxWaitMs: 50 });
    await hurried!.done;
    // The premise: the slot stayed busy all the while (the wait ended on its deadline, not on a free slot).
    expect(long!.events.some((e) => e.done)).toBe(false);
    const last = hurried!.events.at(-1)!;
    expect(last).toMatchObject({ done: true, status: 'FAILED', error: { code: 'UPSTREAM_BUSY' } });
    expect(last.error!.retryAfterMs).toBeGreaterThan(0);
    expect(hurried!.events.some((e) => e.delta)).toBe(false);
    expect((await gqlOk(api.url, MESSAGE, { id: hurried!.id }, people.B!)).message).toEqual({ status: 'FAILED', content: '', errorCode: 'UPSTREAM_BUSY' });
    await long!.done;
  });

  it('refuses a send with SERVICE_UNAVAILABLE and a retry hint when the queue is full, storing nothing', async () => {
    const small = await startApi(inference.url, { REPLY_QUEUE_MAX: '2' });
    const rows = await openDatabase({ databaseUrl: small.db.url });
    try {
      const user = await newUser(small.url);
      const [long] = await burst(small.url, user.token, 'U', 1, { maxTokens: 900, ignoreEos: true });
      await waitFor(() => long!.events.some((e) => e.delta), 10_000, 'the long reply to start');
      const queued = await burst(small.url, user.token, 'U', 2);
      await waitFor(async () => (await rows.prisma.message.count({ where: { status: 'QUEUED' } })) === 2, 10_000, 'two replies waiting');
      const before = await rows.prisma.message.count();
      const refused = await gql(small.url, SEND, { input: { content: 'One too many.', params: SHORT } }, user.token);
      expect(codeOf(refused)).toBe('SERVICE_UNAVAILABLE');
      expect(refused.errors![0]!.extensions!.retryAfterMs).toBeGreaterThan(0);
      expect(await rows.prisma.message.count()).toBe(before);
      await Promise.all([long!, ...queued].map((f) => f.done));
      for (const f of queued) expect(f.events.at(-1)).toMatchObject({ status: 'COMPLETE' });
    } finally {
      await rows.close();
      await small.close();
    }
  });
});

describe('backpressure across two api processes sharing Redis', () => {
  let inference: Proc;
  let db: TestDatabase;
  let direct: Database;
  const procs: Proc[] = [];

  beforeAll(async () => {
    inference = await startInference({ INFERENCE_MAX_BATCH: '1', INFERENCE_MAX_QUEUE: '0', INFERENCE_MAX_N: '1' });
    db = await createTestDatabase();
    direct = await openDatabase({ databaseUrl: db.url });
  });
  afterAll(async () => {
    for (const p of procs) await p.kill();
    await inference?.stop();
    await direct?.close();
    await db?.drop();
  });

  it('keeps one fair queue: a burst through one process does not starve people sending through the other', async () => {
    const env = { DATABASE_URL: db.url, INFERENCE_URL: inference.url, REDIS_URL, DEMO_ACCOUNTS: 'false' };
    const [one, two] = await Promise.all([spawnApi(env), spawnApi(env)]);
    procs.push(one!, two!);
    const tokens: Record<string, string> = {};
    for (const p of ['A', 'B', 'C']) {
      const email = `queue-${p.toLowerCase()}-${randomUUID()}@test.local`;
      await direct.prisma.user.create({ data: { email, role: 'USER', passwordHash: await hashPassword('password-123') } });
      tokens[p] = await login(one!.url, email, 'password-123');
    }
    const a = await burst(one!.url, tokens.A!, 'A', 8, MEDIUM);
    const rest = (await Promise.all(['B', 'C'].map((p) => burst(two!.url, tokens[p]!, p, 3, MEDIUM)))).flat();
    const all = [...a, ...rest];
    await Promise.all(all.map((f) => f.done));
    for (const f of all) expect(f.events.at(-1), f.id).toMatchObject({ done: true, status: 'COMPLETE', error: null });
    expectFair(all, 'A', ['B', 'C']);
    expect(await direct.prisma.message.count({ where: { status: { in: ['QUEUED', 'STREAMING'] } } })).toBe(0);
  });
});
