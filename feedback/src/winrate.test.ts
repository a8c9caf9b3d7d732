import { describe, expect, it } from 'vitest';
import { normalQuantile, winRate } from './winrate.js';

describe('winRate', () => {
  it('counts a tie as half a win', () => {
    const r = winRate({ wins: 6, losses: 2, ties: 2 });
    expect(r.n).toBe(10);
    expect(r.rate).toBeCloseTo(0.7, 12);
  });

  it("matches Wilson's interval from the literature (81 of 263 at 95%: 0.2553 to 0.3662)", () => {
    // Newcombe (1998), Statistics in Medicine 17:857, method 3, example (a).
    const r = winRate({ wins: 81, losses: 182, ties: 0 });
    expect(r.low).toBeCloseTo(0.2553, 4);
    expect(r.high).toBeCloseTo(0.3662, 4);
  });

  it('stays within [0, 1] at the extremes and narrows as judgments accumulate', () => {
    const all = winRate({ wins: 5, losses: 0, ties: 0 });
    expect(all.rate).toBe(1);
    expect(all.high).toBe(1);
    expect(all.low).toBeGreaterThan(0.5);
    expect(all.low).toBeLessThan(0.6);
    const small = winRate({ wins: 6, losses: 4, ties: 0 });
    const large = winRate({ wins: 600, losses: 400, ties: 0 });
    expect(large.high! - large.low!).toBeLessThan((small.high! - small.low!) / 5);
  });

  it('has no rate without judgments, and refuses nonsense', () => {
    expect(winRate({ wins: 0, losses: 0, ties: 0 })).toMatchObject({ n: 0, rate: null, low: null, high: null });
    expect(() => winRate({ wins: -1, losses: 0, ties: 0 })).toThrow(RangeError);
    expect(() => winRate({ wins: 1, losses: 0, ties: 0 }, 1)).toThrow(RangeError);
  });

  it('uses the normal quantile of the confidence asked for', () => {
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 6);
    expect(normalQuantile(0.995)).toBeCloseTo(2.575829, 6);
    expect(normalQuantile(0.01)).toBeCloseTo(-2.326348, 6);
    const r90 = winRate({ wins: 30, losses: 20, ties: 0 }, 0.9);
    const r99 = winRate({ wins: 30, losses: 20, ties: 0 }, 0.99);
    expect(r99.high! - r99.low!).toBeGreaterThan(r90.high! - r90.low!);
  });
});
