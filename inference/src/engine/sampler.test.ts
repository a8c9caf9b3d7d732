import { describe, expect, it } from 'vitest';
import { Sampler } from './sampler.js';

const logits = Float32Array.from([1, 3, 2, 0.5, -1]);
const all = new Uint8Array(5).fill(1);

describe('Sampler', () => {
  it('is greedy at temperature 0 and respects the mask', () => {
    const s = new Sampler({ temperature: 0, topP: 1, topK: 0, seed: 1 });
    expect(s.next(logits, 0, 5, all)).toBe(1);
    expect(s.next(logits, 0, 5, Uint8Array.from([1, 0, 1, 1, 1]))).toBe(2);
  });

  it('repeats itself for the same seed and varies across seeds', () => {
    const draw = (seed: number) => {
      const s = new Sampler({ temperature: 1, topP: 1, topK: 0, seed });
      return Array.from({ length: 20 }, () => s.next(logits, 0, 5, all)).join(',');
    };
    expect(draw(5)).toBe(draw(5));
    expect(new Set([1, 2, 3, 4, 5].map(draw)).size).toBeGreaterThan(1);
  });

  it('keeps to the top-k and the nucleus', () => {
    const k = new Sampler({ temperature: 5, topP: 1, topK: 2, seed: 3 });
    const p = new Sampler({ temperature: 1, topP: 0.5, topK: 0, seed: 3 });
    for (let i = 0; i < 200; i++) {
      expect([1, 2]).toContain(k.next(logits, 0, 5, all));
      expect(p.next(logits, 0, 5, all)).toBe(1); // token 1 alone holds over half the mass
    }
  });

  it('reads the row at the given offset', () => {
    const two = Float32Array.from([0, 9, 0, 0, 0, 9, 0, 0, 0, 0]);
    expect(new Sampler({ temperature: 0, topP: 1, topK: 0, seed: 0 }).next(two, 5, 5, all)).toBe(0);
  });
});
