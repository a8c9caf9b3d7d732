import { describe, expect, it } from 'vitest';
import { BatchKvCache } from './kv-cache.js';

// One layer, one KV head, head size 1: a buffer is [rows, 1, capacity, 1], i.e. rows × capacity numbers.
const shape = { layers: 1, kvHeads: 1, headDim: 1, maxPositions: 1000 };

/** Prefill output for rows of the given lengths, left-padded to the longest; values are 100*row + position. */
function prefill(lengths: number[]) {
  const len = Math.max(...lengths);
  const pads = lengths.map((l) => len - l);
  const kv = new Float32Array(lengths.length * len);
  lengths.forEach((l, r) => {
    for (let j = 0; j < l; j++) kv[r * len + pads[r]! + j] = 100 * (r + 1) + j;
  });
  return { kv: [kv, kv.slice()], len, pads };
}

/** The real (unpadded, filled) values of each row. */
function rowsOf(cache: BatchKvCache): number[][] {
  const past = cache.pastTensors()[0]!.data as Float32Array;
  return cache.pads.map((pad, r) => Array.from(past.subarray(r * cache.capacity + pad, r * cache.capacity + cache.filled)));
}

describe('BatchKvCache', () => {
  it('admits left-padded prompts, masks padding and empty slots, and positions each row', () => {
    const c = new BatchKvCache(shape);
    const p = prefill([3, 1]);
    c.admit(p.kv, p.len, p.pads, [0, 1]);
    expect(c.filled).toBe(3);
    expect(c.capacity).toBeGreaterThan(3);
    expect(rowsOf(c)).toEqual([[100, 101, 102], [200]]);
    expect(Array.from(c.nextPositions())).toEqual([3n, 1n]);
    const mask = Array.from(c.attentionMask());
    const w = c.capacity + 1;
    expect(mask.slice(0, w)).toEqual([1n, 1n, 1n, ...Array(c.capacity - 3).fill(0n), 1n]);
    expect(mask.slice(w)).toEqual([0n, 0n, 1n, ...Array(c.capacity - 3).fill(0n), 1n]);
  });

  it('counts the bytes its buffers hold (dialoop_inference_kv_cache_bytes), 0 once cleared', () => {
    const c = new BatchKvCache(shape);
    expect(c.bytes).toBe(0);
    const p = prefill([3, 1]);
    c.admit(p.kv, p.len, p.pads, [0, 1]);
    // A key and a value buffer of rows × capacity float32s.
    expect(c.bytes).toBe(2 * 2 * c.capacity * 4);
    c.keep([1]);
    expect(c.bytes).toBe(2 * 1 * c.capacity * 4);
    c.clear();
    expect(c.bytes).toBe(0);
  });

  it('appends a step from new keys/values or from a whole present', () => {
    const c = new BatchKvCache(shape);
    const p = prefill([2, 2]);
    c.admit(p.kv, p.len, p.pads, [0, 1]);
    c.append([Float32Array.of(7, 8), Float32Array.of(7, 8)], 1, 0);
    const cap = c.capacity;
    const present = new Float32Array(2 * (cap + 1));
    present[cap] = 9;
    present[cap + 1 + cap] = 10;
    c.append([present, present], cap + 1, cap);
    expect(rowsOf(c)).toEqual([[100, 101, 7, 9], [200, 201, 8, 10]]);
  });

  it('grows when full, without moving anything', () => {
    const c = new BatchKvCache(shape);
    const p = prefill([1]);
    c.admit(p.kv, p.len, p.pads, [0]);
    const values = [100];
    while (c.filled < c.capacity) {
      values.push(c.filled);
      c.append([Float32Array.of(c.filled), Float32Array.of(c.filled)], 1, 0);
    }
    const cap = c.capacity;
    c.ensureRoom();
    expect(c.capacity).toBeGreaterThan(cap);
    expect(rowsOf(c)).toEqual([values]);
  });

  it('joins rows to a running batch, dropping a finished joiner’s padding', () => {
    const c = new BatchKvCache(shape);
    const first = prefill([2]);
    c.admit(first.kv, first.len, first.pads, [0]);
    // Joiners of length 6 (finished at once, not live) and 4: only 4 columns are kept.
    const join = prefill([6, 4]);
    c.admit(join.kv, join.len, join.pads, [1]);
    expect(c.filled).toBe(4);
    expect(c.pads).toEqual([2, 0]);
    expect(rowsOf(c)).toEqual([[100, 101], [200, 201, 202, 203]]);
    expect(Array.from(c.nextPositions())).toEqual([2n, 4n]);
  });

  it('drops rows and the padding no remaining row needs', () => {
    const c = new BatchKvCache(shape);
    const p = prefill([5, 2, 3]);
    c.admit(p.kv, p.len, p.pads, [0, 1, 2]);
    c.keep([1, 2]);
    expect(c.rows).toBe(2);
    expect(c.filled).toBe(3);
    expect(c.pads).toEqual([1, 0]);
    expect(rowsOf(c)).toEqual([[200, 201], [300, 301, 302]]);
    c.keep([]);
    expect(c.rows).toBe(0);
    expect(c.capacity).toBe(0);
  });
});
