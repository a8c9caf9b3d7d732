/**
 * Coalesced reply streams (STREAM_COALESCE_MS), against the real inference server: with a window
 * far longer than a reply takes, deltas join into few events, yet the text is exactly what is
 * stored, the seq ranges (firstSeq..seq) follow each other without a gap or an overlap, a client
 * that resumes from its last seq + 1 (mid-reply, or after the end) gets exactly the rest, and the
 * first delta is not held for the window. Also across two processes on Redis, one coalescing and
 * one not: the coalesced stream, resumed from any seq, holds exactly the deltas the other sent one by one.
 */
import { randomUUID } from 'node:crypto';
import { openDatabase, type Database } from '@dialoop/db';
import { createTestDatabase, type TestDatabase } from '@dialoop/db/testing';
import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashPassword } from '../src/modules/users/passwords.js';
import { EVERY_DELTA, SEND, gqlOk, login, newUser, spawnApi, startApi, startInference, wsClient, type Proc, type StreamEventT, type TestApi } from './stack.js';

const WINDOW_MS = 2_000;
/** Redis must be running (CI starts it); TEST_REDIS_URL points elsewhere. */
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const MESSAGE = `query($id: ID!) { message(id: $id) { status content } }`;
const STREAM = `subscription($id: ID!, $from: Int) {
  messageStream(messageId: $id, fromSeq: $from) { messageId seq firstSeq delta done status finishReason error { code message } }
}`;
type Event = Pick<StreamEventT, 'messageId' | 'seq' | 'delta' | 'done' | 'status' | 'finishReason' | 'error'> & { firstSeq: number };

const textOf = (events: Event[]) => events.map((e) => e.delta ?? '').join('');

/** The events of a subscription, until its end or `until` says so. */
async function collect(client: Client, id: string, opts: { fromSeq?: number; until?: (e: Event) => boolean; onEvent?: (e: Event) => void } = {}): Promise<Event[]> {
  const events: Event[] = [];
  const it = client.iterate<{ messageStream: Event }>({ query: STREAM, variables: { id, from: opts.fromSeq ?? null } });
  try {
    for await (const r of it) {
      if (r.errors?.length) throw new Error(r.errors[0]!.message);
      const e = r.data!.messageStream;
      events.push(e);
      opts.onEvent?.(e);
      if (e.done || opts.until?.(e)) break;
    }
  } finally {
    await it.return?.();
  }
  return events;
}

/** Each event's seqs follow the last one's, from `from`; one final event, last, with the next seq. */
function expectExactRanges(events: Event[], from: number) {
  let next = from;
  for (const e of events) {
    expect(e.firstSeq, `event ${JSON.stringify(e)} after seq ${next - 1}`).toBe(next);
    expect(e.seq).toBeGreaterThanOrEqual(e.firstSeq);
    if (e.done) expect(e.seq).toBe(e.firstSeq);
    else expect(e.delta).not.toBe('');
    next = e.seq + 1;
  }
  expect(events.filter((e) => e.done)).toHaveLength(1);
  expect(events.at(-1)!.done).toBe(true);
}

describe('coalesced reply streams', () => {
  let inference: Proc;
  let api: TestApi;
  let user: { token: string; id: string };

  beforeAll(async () => {
    inference = await startInference();
    api = await startApi(inference.url, { STREAM_COALESCE_MS: String(WINDOW_MS) });
    user = await newUser(api.url);
  });
  afterAll(async () => {
    await api?.close();
    await inference?.stop();
  });

  it('joins deltas with exact seq ranges, resumes and replays exactly, and sends the first delta at once', async () => {
    const sent = await gqlOk(api.url, SEND, { input: { content: 'Tell me about the sea.', params: { maxTokens: 600, ignoreEos: true } } }, user.token);
    const id = sent.sendMessage.assistantMessage.id;
    const client = wsClient(api.url, user.token);
    try {
      // Live from the start, and a second subscriber that stops after its first event and resumes mid-reply.
      const subscribedAt = performance.now();
      let firstDeltaAt = NaN;
      const live = collect(client, id, { onEvent: (e) => void (e.delta && Number.isNaN(firstDeltaAt) && (firstDeltaAt = performance.now())) });
      const head = await collect(client, id, { until: (e) => e.delta !== null });
      const rest = await collect(client, id, { fromSeq: head.at(-1)!.seq + 1 });
      const events = await live;

      const stored = (await gqlOk(api.url, MESSAGE, { id }, user.token)).message;
      expect(stored.status).toBe('COMPLETE');
      const final = events.at(-1)!;
      expect(final).toMatchObject({ done: true, status: 'COMPLETE', finishReason: 'length' });
      const deltaCount = final.seq - 1;
      expect(deltaCount).toBeGreaterThan(50);

      // Live: exactly the stored text, in fewer events than deltas, their ranges without gaps.
      expect(textOf(events)).toBe(stored.content);
      expectExactRanges(events, 1);
      expect(events.length - 1).toBeLessThan(deltaCount);
      // The first delta went out at once, not after the window (a reply this short takes well under it).
      expect(firstDeltaAt - subscribedAt).toBeLessThan(WINDOW_MS);

      // Resumed mid-reply from the seq after its first event: exactly the rest, no character twice or missing.
      expect(head.at(-1)!.firstSeq).toBe(1);
      expectExactRanges(rest, head.at(-1)!.seq + 1);
      expect(textOf(head) + textOf(rest)).toBe(stored.content);

      // After the end: the whole reply from the start, and from any seq exactly its tail.
      const replay = await collect(client, id);
      expectExactRanges(replay, 1);
      expect(textOf(replay)).toBe(stored.content);
      expect(replay.at(-1)).toEqual(final);
      let tail = stored.content.length + 1;
      for (const from of [2, Math.floor(deltaCount / 3), Math.floor(deltaCount / 2) + 1, deltaCount]) {
        const part = await collect(client, id, { fromSeq: from });
        expectExactRanges(part, from);
        const text = textOf(part);
        expect(stored.content.endsWith(text)).toBe(true);
        expect(text.length).toBeLessThan(tail);
        tail = text.length;
      }
      // From the seq after the first live event, as a client that lost its socket there would: exactly the rest.
      const after = await collect(client, id, { fromSeq: events[0]!.seq + 1 });
      expect(events[0]!.delta! + textOf(after)).toBe(stored.content);
      // From the final event's seq: the final event alone; past it: nothing.
      expect(await collect(client, id, { fromSeq: final.seq })).toEqual([final]);
      expect(await collect(client, id, { fromSeq: final.seq + 1 })).toEqual([]);
    } finally {
      await client.dispose();
    }
  });
});

describe('coalesced reply streams across two processes on Redis', () => {
  let inference: Proc;
  let db: TestDatabase;
  let direct: Database;
  /** Sends every delta on its own (the reference)… */
  let plain: Proc;
  /** …and this one coalesces. */
  let joined: Proc;
  let token: string;

  beforeAll(async () => {
    inference = await startInference();
    db = await createTestDatabase();
    // An account of its own, made in the database: other runs sharing this Redis count no sign-in against it.
    direct = await openDatabase({ databaseUrl: db.url });
    const email = `coalesce-${randomUUID()}@test.local`;
    await direct.prisma.user.create({ data: { email, role: 'USER', passwordHash: await hashPassword('password-123') } });
    const env = { DATABASE_URL: db.url, INFERENCE_URL: inference.url, REDIS_URL, DEMO_ACCOUNTS: 'false' };
    const [one, two] = await Promise.allSettled([spawnApi({ ...env, ...EVERY_DELTA }), spawnApi({ ...env, STREAM_COALESCE_MS: String(WINDOW_MS) })]);
    if (one.status === 'fulfilled') plain = one.value;
    if (two.status === 'fulfilled') joined = two.value;
    for (const r of [one, two]) if (r.status === 'rejected') throw r.reason;
    token = await login(plain.url, email, 'password-123');
  });
  afterAll(async () => {
    await plain?.stop();
    await joined?.stop();
    await inference?.stop();
    await direct?.close();
    await db?.drop();
  });

  it('holds exactly the deltas of the uncoalesced stream, live, resumed mid-reply and replayed from any seq', async () => {
    const sent = await gqlOk(plain.url, SEND, { input: { content: 'Describe the rivers.', params: { maxTokens: 600, ignoreEos: true } } }, token);
    const id = sent.sendMessage.assistantMessage.id;
    const one = wsClient(plain.url, token);
    const two = wsClient(joined.url, token);
    try {
      const reference = collect(one, id);
      const live = collect(two, id);
      const head = await collect(two, id, { until: (e) => e.delta !== null });
      const rest = await collect(two, id, { fromSeq: head.at(-1)!.seq + 1 });
      const deltas = (await reference).filter((e) => !e.done);
      expect(deltas.map((e) => e.seq)).toEqual(deltas.map((_, i) => i + 1));
      expect(deltas.length).toBeGreaterThan(50);
      /** The text of deltas `from`.. on, as the uncoalesced stream sent them. */
      const from = (seq: number) => textOf(deltas.slice(seq - 1));

      const events = await live;
      expectExactRanges(events, 1);
      expect(events.length - 1).toBeLessThan(deltas.length);
      for (const e of events.filter((x) => !x.done)) expect(e.delta).toBe(textOf(deltas.slice(e.firstSeq - 1, e.seq)));
      expectExactRanges(rest, head.at(-1)!.seq + 1);
      expect(textOf(rest)).toBe(from(head.at(-1)!.seq + 1));

      for (const seq of [1, 2, 7, Math.floor(deltas.length / 2), deltas.length]) {
        const part = await collect(two, id, { fromSeq: seq });
        expectExactRanges(part, seq);
        expect(textOf(part)).toBe(from(seq));
      }
    } finally {
      await Promise.all([one.dispose(), two.dispose()]);
    }
  });
});
