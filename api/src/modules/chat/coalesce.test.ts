import { afterEach, describe, expect, it, vi } from 'vitest';
import { DeltaCoalescer, joinDelta, type CoalescedEvent } from './coalesce.js';
import { EventQueue } from './event-queue.js';

const delta = (seq: number, text = `t${seq} `): CoalescedEvent => ({ seq, delta: text });

/** A coalescer over a queue, and what its reader has taken so far. */
function setup(windowMs: number) {
  const queue = new EventQueue<CoalescedEvent>(() => undefined, joinDelta);
  const c = new DeltaCoalescer(windowMs, queue);
  const read = async (n: number) => {
    const out: CoalescedEvent[] = [];
    for (let i = 0; i < n; i++) out.push((await queue.next()).value as CoalescedEvent);
    return out;
  };
  return { queue, c, read };
}

describe('DeltaCoalescer', () => {
  afterEach(() => vi.useRealTimers());

  it('sends the first delta at once, joins the next ones within the window into one event with its seq range', async () => {
    vi.useFakeTimers();
    const { c, read } = setup(50);
    const first = read(1);
    c.push(delta(1));
    expect(await first).toEqual([{ seq: 1, delta: 't1 ' }]);
    const second = read(1);
    c.push(delta(2));
    c.push(delta(3));
    vi.advanceTimersByTime(49);
    c.push(delta(4));
    vi.advanceTimersByTime(1);
    expect(await second).toEqual([{ seq: 4, firstSeq: 2, delta: 't2 t3 t4 ' }]);
  });

  it('sends what is held before a final event, and a delta after a quiet window at once', async () => {
    vi.useFakeTimers();
    const { c, read } = setup(50);
    c.push(delta(1));
    c.push(delta(2));
    c.push(delta(3));
    c.push({ seq: 4, done: true, status: 'COMPLETE' });
    // The reader was not waiting: the first delta and those held join while they wait too.
    expect(await read(2)).toEqual([{ seq: 3, firstSeq: 1, delta: 't1 t2 t3 ' }, { seq: 4, done: true, status: 'COMPLETE' }]);

    const later = setup(50);
    const one = later.read(1);
    later.c.push(delta(1));
    await one;
    vi.advanceTimersByTime(60);
    const two = later.read(1);
    later.c.push(delta(2));
    expect(await two).toEqual([{ seq: 2, delta: 't2 ' }]);
  });

  it('passes every event through as it is with a window of 0', async () => {
    const { c, read } = setup(0);
    for (let seq = 1; seq <= 3; seq++) c.push(delta(seq));
    expect(await read(3)).toEqual([delta(1), delta(2), delta(3)]);
  });

  it('never joins across a gap or with a non-delta', () => {
    const a = delta(1);
    expect(joinDelta(a, delta(3))).toBe(false);
    expect(joinDelta(a, { seq: 0, queuePosition: 1 })).toBe(false);
    expect(joinDelta(a, { seq: 2, done: true })).toBe(false);
    expect(a).toEqual(delta(1));
    expect(joinDelta(a, { seq: 3, firstSeq: 2, delta: 'x' })).toBe(true);
    expect(a).toEqual({ seq: 3, firstSeq: 1, delta: 't1 x' });
  });
});
