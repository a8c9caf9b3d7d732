/**
 * An api process dies, or drains, mid-reply: two api processes on Redis and PostgreSQL, the real
 * inference server. Twenty replies generate through process A with subscribers on A and B.
 * SIGKILL A: every subscriber on B gets exactly one final event (INTERRUPTED, GENERATOR_STOPPED)
 * within the detection time, each stored row's text is what its subscribers received (rebuilt
 * from the replay log, ahead of the last flush), no row stays STREAMING, a subscriber of A
 * resumes on B with exactly the rest, and continueGeneration goes on from one of them through B.
 * SIGTERM: replies finish within the grace period or end with the same final event; new sends
 * are refused meanwhile.
 */
import { randomUUID } from 'node:crypto';
import { openDatabase, type Database } from '@dialoop/db';
import { createTestDatabase, type TestDatabase } from '@dialoop/db/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { hashPassword } from '../src/modules/users/passwords.js';
import { EVERY_DELTA, SEND, codeOf, collect, gql, gqlOk, login, spawnApi, startInference, textOf, waitFor, wsClient, type Proc, type StreamEventT } from './stack.js';

const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
/** Long enough to act mid-reply with twenty running at once, within the model's 1,024 positions. */
const LONG = { maxTokens: 900, ignoreEos: true };
/** The api's defaults: a heartbeat every second, dead after 3 s of silence. */
const DETECTION_MS = 3_000 + 1_000;
const MESSAGE = `query($id: ID!) { message(id: $id) { id status content errorCode parentId } }`;
const CONTINUE = `mutation($id: ID!, $i: RegenerateInput) { continueGeneration(messageId: $id, input: $i) { id status parentId } }`;

/** Follows a reply on one process, keeping every event and when the final one came. */
function follow(baseUrl: string, token: string, messageId: string, fromSeq?: number) {
  const client = wsClient(baseUrl, token);
  const events: StreamEventT[] = [];
  let endedAt = 0;
  const done = collect(client, messageId, { fromSeq, onEvent: (e) => events.push(e) })
    .then(() => void (endedAt = Date.now()))
    .finally(() => client.dispose());
  done.catch(() => undefined); // awaited by the test, or lost with its process
  return {
    events,
    done,
    endedAt: () => endedAt,
    deltas: () => events.filter((e) => !e.done).length,
  };
}
type Follower = ReturnType<typeof follow>;

/** Exactly one final event, last, after seqs without a gap from `from`. */
function expectOneFinal(events: StreamEventT[], from = 1) {
  expect(events.filter((e) => e.done)).toHaveLength(1);
  expect(events.at(-1)!.done).toBe(true);
  expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + from));
}

describe('an api process dies or drains mid-reply', () => {
  let inference: Proc;
  let db: TestDatabase;
  let direct: Database;
  let a: Proc;
  let b: Proc;
  let token: string;
  let env: Record<string, string>;
  const procs: Proc[] = [];

  beforeAll(async () => {
    inference = await startInference({ INFERENCE_MAX_BATCH: '24' });
    db = await createTestDatabase();
    direct = await openDatabase({ databaseUrl: db.url });
    const email = `death-${randomUUID()}@test.local`;
    await direct.prisma.user.create({ data: { email, role: 'USER', passwordHash: await hashPassword('password-123') } });
    // The defaults for heartbeat, liveness window and flushes: what a deployment gets. Process A,
    // the one killed, flushes rarely, so that its rows are surely behind the stream when it dies
    // (with the default second, a loaded machine may have flushed every reply just before the
    // kill, and the test could not tell the replay log's text from the flushed one).
    env = { ...EVERY_DELTA, DATABASE_URL: db.url, INFERENCE_URL: inference.url, REDIS_URL, DEMO_ACCOUNTS: 'false', MAX_CONCURRENT_GENERATIONS: '30' };
    [a, b] = await Promise.all([spawnApi({ ...env, STREAM_FLUSH_MS: '60000' }), spawnApi(env)]);
    procs.push(a, b);
    token = await login(b.url, email, 'password-123');
  });
  afterAll(async () => {
    for (const p of procs) await p.kill();
    await inference?.stop();
    await direct?.close();
    await db?.drop();
  });

  it('SIGKILL: every subscriber is told within the detection time, the rows keep what was delivered, and a reply can be continued', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      ids.push((await gqlOk(a.url, SEND, { input: { content: `Tell me a long story, number ${i}.`, params: LONG } }, token)).sendMessage.assistantMessage.id);
    }
    // Every reply followed on B; every other one on A too.
    const onB = ids.map((id) => follow(b.url, token, id));
    const onA = new Map<string, Follower>(ids.filter((_, i) => i % 2 === 0).map((id) => [id, follow(a.url, token, id)]));
    await waitFor(() => onB.every((f) => f.deltas() >= 5) && [...onA.values()].every((f) => f.deltas() >= 5), 30_000, 'every reply streaming');

    await a.kill();
    const killedAt = Date.now();
    // What the rows held when A died: the last flush, up to a second behind the stream.
    const flushed = new Map((await direct.prisma.message.findMany({ where: { id: { in: ids } } })).map((m) => [m.id, m]));
    await Promise.all(onB.map((f) => f.done));

    for (const [i, f] of onB.entries()) {
      expectOneFinal(f.events);
      expect(f.events.at(-1)).toMatchObject({ done: true, status: 'INTERRUPTED', error: { code: 'GENERATOR_STOPPED' } });
      expect(f.endedAt() - killedAt, `reply ${i}: time from SIGKILL to its final event`).toBeLessThan(DETECTION_MS + 2_000);
      // The stored text is what the subscriber received (the replay log is ahead of the last flush).
      const stored = (await gqlOk(b.url, MESSAGE, { id: ids[i] }, token)).message;
      expect(stored).toMatchObject({ status: 'INTERRUPTED', errorCode: 'GENERATOR_STOPPED', content: textOf(f.events) });
    }
    expect(await direct.prisma.message.count({ where: { id: { in: ids }, status: 'STREAMING' } })).toBe(0);
    // Recovery took the text from the replay log: the rows were behind what was delivered.
    expect([...flushed.values()].every((m) => m.status === 'STREAMING')).toBe(true);
    for (const [i, f] of onB.entries()) expect(flushed.get(ids[i]!)!.content.length).toBeLessThan(textOf(f.events).length);

    // A subscriber of A lost its socket: resuming on B from its last seq gets exactly the rest and the final event.
    for (const [id, f] of onA) {
      await f.done.catch(() => undefined);
      expect(f.events.some((e) => e.done)).toBe(false);
      const last = f.events.at(-1)!.seq;
      const rest = follow(b.url, token, id, last + 1);
      await rest.done;
      expectOneFinal(rest.events, last + 1);
      const whole = onB[ids.indexOf(id)]!.events;
      expect([...f.events, ...rest.events]).toEqual(whole);
    }

    // Continued through B: the new reply starts with the interrupted text and goes on.
    const partial = (await gqlOk(b.url, MESSAGE, { id: ids[0] }, token)).message;
    const next = (await gqlOk(b.url, CONTINUE, { id: ids[0], i: { params: { maxTokens: 12, ignoreEos: true } } }, token)).continueGeneration;
    expect(next).toMatchObject({ status: 'STREAMING', parentId: partial.parentId });
    const cont = follow(b.url, token, next.id);
    await cont.done;
    expectOneFinal(cont.events);
    expect(cont.events[0]!.delta).toBe(partial.content);
    expect(cont.events.at(-1)).toMatchObject({ status: 'COMPLETE', finishReason: 'length', usage: { completionTokens: 12 } });
    const continued = (await gqlOk(b.url, MESSAGE, { id: next.id }, token)).message;
    expect(continued.content.startsWith(partial.content)).toBe(true);
    expect(continued.content.length).toBeGreaterThan(partial.content.length);
    expect(continued.content).toBe(textOf(cont.events));
    // The interrupted reply is left as it was; the continuation is audited like any send.
    expect((await gqlOk(b.url, MESSAGE, { id: ids[0] }, token)).message).toEqual(partial);
    const audited = await direct.prisma.auditEntry.findFirst({ where: { action: 'continueGeneration', subjectId: next.id } });
    expect(audited?.after).toMatchObject({ continues: ids[0], prefixLength: partial.content.length });
  });

  it('refuses to continue a reply still streaming, one with no text, or a user message', async () => {
    const sent = (await gqlOk(b.url, SEND, { input: { content: 'Go on for a while.', params: LONG } }, token)).sendMessage;
    expect(codeOf(await gql(b.url, CONTINUE, { id: sent.assistantMessage.id }, token))).toBe('CONFLICT');
    expect(codeOf(await gql(b.url, CONTINUE, { id: sent.userMessage.id }, token))).toBe('BAD_USER_INPUT');
    await gqlOk(b.url, `mutation($id: ID!) { cancelGeneration(messageId: $id) { status } }`, { id: sent.assistantMessage.id }, token);
  });

  it('SIGTERM: replies finish within the grace period or end with the final event; new sends are refused meanwhile', async () => {
    const drained = await spawnApi({ ...env, SHUTDOWN_GRACE_MS: '800' });
    procs.push(drained);
    const short = [];
    const long = [];
    for (let i = 0; i < 4; i++) short.push((await gqlOk(drained.url, SEND, { input: { content: `A short one, ${i}.`, params: { maxTokens: 16, ignoreEos: true } } }, token)).sendMessage.assistantMessage.id);
    for (let i = 0; i < 4; i++) long.push((await gqlOk(drained.url, SEND, { input: { content: `A long one, ${i}.`, params: LONG } }, token)).sendMessage.assistantMessage.id);
    const followers = [...short, ...long].flatMap((id) => [follow(b.url, token, id), follow(drained.url, token, id)]);
    await waitFor(() => followers.filter((_, i) => i >= 8).every((f) => f.deltas() >= 3), 20_000, 'the long replies streaming');

    const exited = new Promise((resolve) => drained.child.once('exit', resolve));
    drained.child.kill('SIGTERM');
    const termAt = Date.now();
    await waitFor(async () => (await fetch(`${drained.url}/readyz`)).status === 503, 2_000, 'readiness to drop');
    const refused = await gql(drained.url, SEND, { input: { content: 'Too late.' } }, token);
    expect(codeOf(refused)).toBe('SERVICE_UNAVAILABLE');
    // One SIGTERM, as Kubernetes sends (a second one means "now").
    expect(await exited).toBe(0);

    await Promise.all(followers.map((f) => f.done));
    for (const [n, f] of followers.entries()) {
      const id = [...short, ...long][Math.floor(n / 2)]!;
      expectOneFinal(f.events);
      const stored = (await gqlOk(b.url, MESSAGE, { id }, token)).message;
      expect(stored.content).toBe(textOf(f.events));
      if (short.includes(id)) expect(f.events.at(-1)).toMatchObject({ status: 'COMPLETE', finishReason: 'length' });
      else {
        expect(f.events.at(-1)).toMatchObject({ status: 'INTERRUPTED', error: { code: 'GENERATOR_STOPPED' } });
        expect(stored).toMatchObject({ status: 'INTERRUPTED', errorCode: 'GENERATOR_STOPPED' });
        // Ended by the grace period, not before it.
        expect(f.endedAt() - termAt).toBeGreaterThanOrEqual(700);
      }
    }
    expect(await direct.prisma.message.count({ where: { id: { in: [...short, ...long] }, status: 'STREAMING' } })).toBe(0);
  });

  it('a main thread busy for twice the liveness window is not taken for dead: its reply goes on and ends as it would have', async () => {
    // A process whose main thread a test can stall from outside: through its inspector.
    const busy = await spawnApi(env, { nodeArgs: ['--inspect=127.0.0.1:0'] });
    procs.push(busy);
    const inspector = /ws:\/\/127\.0\.0\.1:\d+\/[\w-]+/.exec(busy.output())?.[0];
    expect(inspector, 'the inspector address in the output').toBeDefined();
    const id = (await gqlOk(busy.url, SEND, { input: { content: 'Tell me a long story.', params: { maxTokens: 400, ignoreEos: true } } }, token)).sendMessage.assistantMessage.id as string;
    const onB = follow(b.url, token, id);
    await waitFor(() => onB.deltas() >= 3, 20_000, 'the reply streaming');

    // Six seconds of a busy main thread (the window is 3 s), as under heavy load.
    const socket = new WebSocket(inspector!);
    await new Promise((resolve, reject) => socket.once('open', resolve).once('error', reject));
    const answered = new Promise((resolve) => socket.once('message', resolve));
    socket.send(JSON.stringify({ id: 1, method: 'Runtime.evaluate', params: { expression: '(() => { const end = Date.now() + 6000; while (Date.now() < end); return 1; })()' } }));
    const stalledAt = Date.now();
    await answered;
    socket.close();
    expect(Date.now() - stalledAt).toBeGreaterThanOrEqual(5_500);

    await onB.done;
    expectOneFinal(onB.events);
    // Ended by its token limit, by the process that ran it: not settled elsewhere as stopped.
    expect(onB.events.at(-1)).toMatchObject({ status: 'COMPLETE', finishReason: 'length' });
    expect((await gqlOk(b.url, MESSAGE, { id }, token)).message).toMatchObject({ status: 'COMPLETE', errorCode: null, content: textOf(onB.events) });
    expect(busy.output()).not.toContain('taken for dead');
  });
});
