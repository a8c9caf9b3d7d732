import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { MemoryReplyQueue, RedisReplyQueue, fairOrder, type QueuedReply, type ReplyQueue } from '../src/modules/chat/reply-queue.js';

/** Redis must be running (CI starts it); each run uses upstream names of its own. */
const redis = new Redis(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379', { lazyConnect: true, maxRetriesPerRequest: 1 });
afterAll(() => redis.quit());
let U = 'http://upstream';
const reply = (id: string, person: string): QueuedReply => ({
  messageId: id,
  userId: person,
  conversationId: 'c',
  model: 'm',
  upstream: U,
  messages: [],
  params: {},
  person,
  enqueuedAt: 0,
  deadline: Date.now() + 60_000,
});

it('orders people round-robin, each person in order', () => {
  expect(fairOrder(['a', 'b', 'c'], new Map([['a', ['a1', 'a2', 'a3']], ['b', ['b1']], ['c', ['c1', 'c2']]]))).toEqual(['a1', 'b1', 'c1', 'a2', 'c2', 'a3']);
});

describe.each([
  ['one process (memory)', () => new MemoryReplyQueue('me') as ReplyQueue],
  ['several processes (Redis, Lua)', () => new RedisReplyQueue(redis, 'me') as ReplyQueue],
])('the reply queue: %s', (_name, make) => {
  const fresh = () => {
    U = `http://upstream-${randomUUID()}`;
    return make();
  };

  it('serves people round-robin, each person in order', async () => {
    const q = fresh();
    for (const id of ['a1', 'a2', 'a3', 'a4']) await q.enqueue(reply(id, 'a'));
    await q.enqueue(reply('b1', 'b'));
    await q.enqueue(reply('c1', 'c'));
    expect(await q.order(U)).toEqual(['a1', 'b1', 'c1', 'a2', 'a3', 'a4']);
    expect(await q.positionOf('c1')).toEqual({ upstream: U, position: 3 });
    const claimed = [];
    for (let r = await q.claim(U); r; r = await q.claim(U)) claimed.push(r.messageId);
    expect(claimed).toEqual(['a1', 'b1', 'c1', 'a2', 'a3', 'a4']);
  });

  it('starts a reply at once only when nobody waits and the upstream has room', async () => {
    const q = fresh();
    expect(await q.tryStart(U, 'x')).toBe(true);
    await q.enqueue(reply('w', 'p'));
    expect(await q.tryStart(U, 'y')).toBe(false);
    await q.remove('w');
    await q.release(U, 'x');
  });

  it('learns the limit from a refusal, pauses until Retry-After or a slot frees, and probes higher later', async () => {
    const q = fresh();
    for (const id of ['r1', 'r2', 'r3']) expect(await q.tryStart(U, id)).toBe(true);
    // r3 refused while three were out: the upstream carries two.
    await q.refused(U, 'r3', Date.now() + 60_000);
    expect(await q.capacity(U)).toEqual({ held: 2, limit: 2 });
    await q.enqueue(reply('r3', 'p'), true);
    expect(await q.claim(U)).toBeNull(); // paused, and full
    await q.release(U, 'r1');
    expect((await q.claim(U))?.messageId).toBe('r3'); // a reply ended: room, pause over
    await q.enqueue(reply('r4', 'p'));
    expect(await q.claim(U)).toBeNull(); // at the limit
    await q.started(U, 0); // no refusal for the probe time: one more
    expect((await q.capacity(U)).limit).toBe(3);
    await q.remove('r4');
    for (const id of ['r2', 'r3']) await q.release(U, id);
  });

  it('takes a waiting reply out, and finds those past their deadline', async () => {
    const q = fresh();
    await q.enqueue({ ...reply('late', 'p'), deadline: Date.now() - 1 });
    await q.enqueue(reply('ok', 'p'));
    const expired = await q.expired(Date.now());
    expect(expired).toContain('late');
    expect(expired).not.toContain('ok');
    expect((await q.remove('late'))?.messageId).toBe('late');
    expect(await q.remove('late')).toBeNull();
    expect(await q.order(U)).toEqual(['ok']);
    expect(await q.order(U)).toEqual(['ok']);
    await q.remove('ok');
  });

  it('frees the slots of processes that are gone', async () => {
    const q = fresh();
    await q.tryStart(U, 'mine');
    await q.tryStart(U, 'theirs');
    await q.releaseHeldBy(['other'], 'gone');
    expect((await q.capacity(U)).held).toBe(2);
    await q.releaseHeldBy(['other'], 'live');
    expect((await q.capacity(U)).held).toBe(0);
  });
});
