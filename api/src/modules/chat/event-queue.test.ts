import { describe, expect, it } from 'vitest';
import { EventQueue } from './event-queue.js';

describe('EventQueue', () => {
  it('hands out pushed values in order, to waiting and later readers, then ends', async () => {
    let closed = 0;
    const q = new EventQueue<number>(() => closed++);
    const first = q.next();
    q.push(1);
    q.push(2);
    q.push(3);
    q.end();
    q.push(4); // after the end: dropped
    expect(await first).toEqual({ value: 1, done: false });
    expect(await q.next()).toEqual({ value: 2, done: false });
    expect(closed).toBe(0);
    expect(await q.next()).toEqual({ value: 3, done: false });
    expect(await q.next()).toEqual({ value: undefined, done: true });
    expect(await q.next()).toEqual({ value: undefined, done: true });
    expect(closed).toBe(1);
  });

  it('rejects once with the error it ended with, after what was queued', async () => {
    const q = new EventQueue<string>(() => undefined);
    q.push('a');
    q.end(new Error('gone'));
    expect(await q.next()).toEqual({ value: 'a', done: false });
    await expect(q.next()).rejects.toThrow('gone');
    expect(await q.next()).toEqual({ value: undefined, done: true });
  });

  it('ends at once on return(), answering a waiting reader and closing once', async () => {
    let closed = 0;
    const q = new EventQueue<number>(() => closed++);
    const waiting = q.next();
    await q.return();
    expect(await waiting).toEqual({ value: undefined, done: true });
    q.push(1);
    q.end(new Error('ignored'));
    expect(await q.next()).toEqual({ value: undefined, done: true });
    expect(closed).toBe(1);
  });

  it('works with for await', async () => {
    const q = new EventQueue<number>(() => undefined);
    setTimeout(() => {
      for (let i = 0; i < 5; i++) q.push(i);
      q.end();
    }, 1);
    const seen = [];
    for await (const v of q) seen.push(v);
    expect(seen).toEqual([0, 1, 2, 3, 4]);
  });
});
