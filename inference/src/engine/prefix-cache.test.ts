import { describe, expect, it } from 'vitest';
import { PrefixCache } from './prefix-cache.js';

/** An entry's keys and values: one array of `bytesPerToken / 4` floats per token, in one buffer. */
const kvOf = (tokens: number[], bytesPerToken = 16) => [new Float32Array((tokens.length * bytesPerToken) / 4)];
const seq = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);

describe('PrefixCache', () => {
  it('finds the entry sharing the longest prefix, keeping the last prompt token to run', () => {
    const c = new PrefixCache(1 << 20, 4);
    c.insert(Int32Array.from(seq(1, 10)), kvOf(seq(1, 10)));
    c.insert(Int32Array.from([...seq(1, 5), 99, 98, 97]), kvOf(seq(1, 8)));
    expect(c.lookup([...seq(1, 7), 50])?.length).toBe(7);
    expect(c.lookup([...seq(1, 5), 99, 98, 1])?.length).toBe(7);
    // The whole prompt is cached: all but its last token are reused.
    expect(c.lookup(seq(1, 10))?.length).toBe(9);
    // Shorter shared prefixes than minTokens are no hit.
    expect(c.lookup([1, 2, 3, 77, 78, 79])).toBeNull();
    expect(c.lookup([5, 6, 7, 8, 9, 10])).toBeNull();
  });

  it('drops an entry that a newer one extends, and keeps one a newer prefix is part of', () => {
    const c = new PrefixCache(1 << 20, 4);
    c.insert(Int32Array.from(seq(1, 6)), kvOf(seq(1, 6)));
    expect(c.insert(Int32Array.from(seq(1, 12)), kvOf(seq(1, 12)))).toBe(true);
    expect(c.size).toBe(1);
    expect(c.bytes).toBe(12 * 16);
    expect(c.insert(Int32Array.from(seq(1, 8)), kvOf(seq(1, 8)))).toBe(false);
    expect(c.size).toBe(1);
  });

  it('stays within its byte bound, evicting the least recently used first', () => {
    const c = new PrefixCache(3 * 10 * 16, 4);
    for (const base of [100, 200, 300]) c.insert(Int32Array.from(seq(base, 10)), kvOf(seq(base, 10)));
    expect(c.size).toBe(3);
    // Using the oldest makes it the most recent: the next insert evicts 200…, not 100….
    expect(c.lookup(seq(100, 10))?.length).toBe(9);
    c.insert(Int32Array.from(seq(400, 10)), kvOf(seq(400, 10)));
    expect(c.size).toBe(3);
    expect(c.bytes).toBeLessThanOrEqual(c.maxBytes);
    expect(c.evictions).toBe(1);
    expect(c.lookup(seq(200, 10))).toBeNull();
    expect(c.lookup(seq(100, 10))).not.toBeNull();
    // An entry larger than the whole bound is not stored at all.
    expect(c.insert(Int32Array.from(seq(1, 40)), kvOf(seq(1, 40)))).toBe(false);
  });

  it('does nothing when its bound is 0', () => {
    const c = new PrefixCache(0);
    expect(c.enabled).toBe(false);
    expect(c.insert(Int32Array.from(seq(1, 20)), kvOf(seq(1, 20)))).toBe(false);
    expect(c.lookup(seq(1, 20))).toBeNull();
  });
});
