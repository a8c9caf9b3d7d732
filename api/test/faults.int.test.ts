/**
 * Faults, with real processes: cancelling a reply stops the model (the inference server's own
 * metrics say so); killing the inference server mid-reply leaves an INTERRUPTED reply with its
 * text and a typed error event, and later sends fail cleanly while the api stays up; killing the
 * api mid-reply and starting it again recovers the reply as INTERRUPTED with the text flushed.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '@dialoop/db';
import { createTestDatabase, type TestDatabase } from '@dialoop/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVERY_DELTA, DEFAULT_MODEL as MODEL, SEND, collect, gql, gqlOk, metric, newUser, spawnApi, startApi, startInference, textOf, waitFor, wsClient, type Proc, type StreamEventT, type TestApi } from './stack.js';

/** Long enough to act mid-reply (≈1-2 ms a token), short enough to fit the model's 1,024 positions. */
const LONG = { maxTokens: 900, ignoreEos: true };
const MESSAGE = `query($id: ID!) { message(id: $id) { id status content finishReason errorCode errorMessage completionTokens } }`;



const running = (inferenceUrl: string) => metric(inferenceUrl, 'dialoop_inference_running_sequences');
const generated = (inferenceUrl: string) => metric(inferenceUrl, 'dialoop_inference_generated_tokens_total');

/** Starts collecting a reply's events and resolves `atLeast` once `n` deltas have arrived. */
function streamReply(baseUrl: string, token: string, messageId: string) {
  const client = wsClient(baseUrl, token);
  const events: StreamEventT[] = [];
  const done = collect(client, messageId, { onEvent: (e) => events.push(e) }).finally(() => client.dispose());
  done.catch(() => undefined); // awaited by the test, or abandoned when the api dies
  return {
    events,
    done,
    // Deltas, not events: some may come joined in one event (STREAM_COALESCE_MS), whose seq is the last of them.
    atLeast: (n: number) => waitFor(() => (events.findLast((e) => !e.done)?.seq ?? 0) >= n, 20_000, `${n} deltas`),
  };
}

describe('faults', () => {
  let inference: Proc;
  const dbs: TestDatabase[] = [];
  const procs: Proc[] = [];

  beforeAll(async () => {
    inference = await startInference();
  });
  afterAll(async () => {
    for (const p of procs) await p.kill();
    await inference?.stop();
    for (const db of dbs) await db.drop();
  });

  describe('cancelGeneration', () => {
    let api: TestApi;
    beforeAll(async () => {
      api = await startApi(inference.url, EVERY_DELTA);
    });
    afterAll(async () => {
      await api?.close();
    });

    it('stops the reply mid-stream, keeps its partial text, and frees the model’s slot', async () => {
      const user = await newUser(api.url);
      await waitFor(async () => (await running(inference.url)) === 0, 10_000, 'an idle inference server');
      const tokensBefore = await generated(inference.url);
      const cancelledBefore = await metric(inference.url, 'dialoop_inference_sequences_total', { model: MODEL, finish_reason: 'cancelled' });

      const sent = (await gqlOk(api.url, SEND, { input: { content: 'Write a long story.', params: LONG } }, user.token)).sendMessage;
      const id = sent.assistantMessage.id;
      const stream = streamReply(api.url, user.token, id);
      await stream.atLeast(5);
      expect(await running(inference.url)).toBe(1);

      const cancelled = (await gqlOk(api.url, `mutation($id: ID!) { cancelGeneration(messageId: $id) { id status content finishReason } }`, { id }, user.token)).cancelGeneration;
      expect(cancelled).toMatchObject({ id, status: 'CANCELLED', finishReason: 'cancelled' });
      expect(cancelled.content.length).toBeGreaterThan(0);

      const events = await stream.done;
      const last = events.at(-1)!;
      expect(last).toMatchObject({ done: true, status: 'CANCELLED', finishReason: 'cancelled', error: null });
      expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
      expect(textOf(events)).toBe(cancelled.content);

      // The upstream stopped: its slot is free and it generated far fewer tokens than asked.
      await waitFor(async () => (await running(inference.url)) === 0, 5_000, 'the inference server to free the slot');
      await waitFor(
        async () => (await metric(inference.url, 'dialoop_inference_sequences_total', { model: MODEL, finish_reason: 'cancelled' })) === cancelledBefore + 1,
        5_000,
        'the sequence to finish as cancelled',
      );
      const spent = (await generated(inference.url)) - tokensBefore;
      expect(spent).toBeGreaterThanOrEqual(events.length - 1);
      expect(spent).toBeLessThan(LONG.maxTokens / 2);
      // Nothing more arrives afterwards, and cancelling again is a no-op returning the stored reply.
      const again = (await gqlOk(api.url, `mutation($id: ID!) { cancelGeneration(messageId: $id) { status content } }`, { id }, user.token)).cancelGeneration;
      expect(again).toEqual({ status: 'CANCELLED', content: cancelled.content });
      expect(await generated(inference.url)).toBe(tokensBefore + spent);
    });
  });

  describe('the inference server dies', () => {
    let doomed: Proc;
    let api: Proc;
    beforeAll(async () => {
      doomed = await startInference();
      const db = await createTestDatabase();
      dbs.push(db);
      api = await spawnApi({ DATABASE_URL: db.url, INFERENCE_URL: doomed.url, STREAM_FLUSH_MS: '100' });
      procs.push(doomed, api);
    });

    it('interrupts the reply with its partial text and a typed error; later replies fail while the api stays up', async () => {
      const user = await newUser(api.url);
      const sent = (await gqlOk(api.url, SEND, { input: { content: 'Write a long story.', params: LONG } }, user.token)).sendMessage;
      const id = sent.assistantMessage.id;
      const stream = streamReply(api.url, user.token, id);
      await stream.atLeast(10);
      await doomed.kill();

      const events = await stream.done;
      const last = events.at(-1)!;
      expect(last).toMatchObject({ done: true, status: 'INTERRUPTED', error: { code: 'UPSTREAM_INTERRUPTED' } });
      expect(last.error!.message.length).toBeGreaterThan(0);
      const partial = textOf(events);
      expect(partial.length).toBeGreaterThan(0);
      const stored = (await gqlOk(api.url, MESSAGE, { id }, user.token)).message;
      expect(stored).toMatchObject({ status: 'INTERRUPTED', content: partial, errorCode: 'UPSTREAM_INTERRUPTED' });
      // One token a delta; the final event's seq follows the last delta's (deltas may come joined).
      expect(stored.completionTokens).toBe(last.seq - 1);

      // With the inference server gone, a new message is stored and its reply fails with a typed error.
      const next = (await gqlOk(api.url, SEND, { input: { conversationId: sent.conversation.id, content: 'Are you there?' } }, user.token)).sendMessage;
      const client = wsClient(api.url, user.token);
      const failed = await collect(client, next.assistantMessage.id);
      await client.dispose();
      expect(failed).toHaveLength(1);
      expect(failed[0]).toMatchObject({ seq: 1, done: true, status: 'FAILED', error: { code: 'UPSTREAM_ERROR' } });
      expect((await gqlOk(api.url, MESSAGE, { id: next.assistantMessage.id }, user.token)).message).toMatchObject({ status: 'FAILED', content: '', errorCode: 'UPSTREAM_ERROR' });

      // The api is still up and serving.
      expect(api.child.exitCode).toBeNull();
      expect((await fetch(`${api.url}/healthz`)).ok).toBe(true);
      expect((await gqlOk(api.url, '{ me { id } }', {}, user.token)).me.id).toBe(user.id);
      const convs = await gql(api.url, '{ conversations { edges { node { id } } } }', {}, user.token);
      expect(convs.data.conversations.edges).toHaveLength(1);
    });
  });

  describe('the api restarts', () => {
    it('recovers a reply left streaming by a killed api as INTERRUPTED with the text it had flushed, and replays it', async () => {
      const db = await createTestDatabase();
      dbs.push(db);
      const dataDir = await mkdtemp(join(tmpdir(), 'dialoop-faults-'));
      const env = { ...EVERY_DELTA, DATABASE_URL: db.url, INFERENCE_URL: inference.url, STREAM_FLUSH_MS: '100', DIALOOP_DATA_DIR: dataDir };
      const direct = await openDatabase({ databaseUrl: db.url });
      try {
        const first = await spawnApi(env);
        procs.push(first);
        const user = await newUser(first.url);
        const sent = (await gqlOk(first.url, SEND, { input: { content: 'Write a long story.', params: LONG } }, user.token)).sendMessage;
        const id = sent.assistantMessage.id;
        const stream = streamReply(first.url, user.token, id);
        await stream.atLeast(5);
        // Wait until a flush has written part of the reply, then crash.
        await waitFor(async () => ((await direct.prisma.message.findUniqueOrThrow({ where: { id } })).content.length > 0), 10_000, 'a flush');
        await first.kill();
        await stream.done.catch(() => undefined);

        const orphan = await direct.prisma.message.findUniqueOrThrow({ where: { id } });
        expect(orphan.status).toBe('STREAMING');
        const flushed = orphan.content;
        expect(flushed.length).toBeGreaterThan(0);
        const live = textOf(stream.events);
        expect(flushed.startsWith(live) || live.startsWith(flushed)).toBe(true);
        // The inference server saw the connection go and stopped generating.
        await waitFor(async () => (await running(inference.url)) === 0, 5_000, 'the orphaned sequence to be cancelled');

        const second = await spawnApi(env);
        procs.push(second);
        const recovered = (await gqlOk(second.url, MESSAGE, { id }, user.token)).message;
        expect(recovered).toMatchObject({ status: 'INTERRUPTED', content: flushed, errorCode: 'GENERATOR_STOPPED' });

        const client = wsClient(second.url, user.token);
        const replay = await collect(client, id);
        expect(textOf(replay)).toBe(flushed);
        expect(replay.map((e) => e.seq)).toEqual(replay.map((_, i) => i + 1));
        expect(replay.at(-1)).toMatchObject({ done: true, status: 'INTERRUPTED', error: { code: 'GENERATOR_STOPPED' } });
        // The flushed deltas keep their seqs: a client that saw some of them resumes with exactly the rest.
        const seen = stream.events.filter((e) => !e.done && e.seq <= replay.length - 1);
        const resumed = await collect(client, id, { fromSeq: seen.length + 1 });
        expect(textOf([...seen, ...resumed])).toBe(flushed);
        expect(resumed.at(-1)!.done).toBe(true);
        // Resuming past the end completes at once, with nothing.
        expect(await collect(client, id, { fromSeq: replay.length + 5 })).toEqual([]);

        // The conversation goes on from the interrupted reply.
        const more = (await gqlOk(second.url, SEND, { input: { parentId: id, content: 'Go on.', params: { maxTokens: 3, ignoreEos: true } } }, user.token)).sendMessage;
        expect((await collect(client, more.assistantMessage.id)).at(-1)).toMatchObject({ done: true, status: 'COMPLETE' });
        await client.dispose();
        await second.stop();
      } finally {
        await direct.close();
        await rm(dataDir, { recursive: true, force: true });
      }
    });
  });
});
