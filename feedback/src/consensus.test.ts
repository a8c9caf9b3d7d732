import { describe, expect, it } from 'vitest';
import { rankedPairs } from './consensus.js';

describe('rankedPairs', () => {
  it('finds the textbook result of the Tennessee capital election', () => {
    // 42% Memphis > Nashville > Chattanooga > Knoxville, 26% N > C > K > M, 15% C > K > N > M,
    // 17% K > C > N > M. By hand: N beats C 68-32 (margin 36), N beats K 68-32 (36), C beats K
    // 83-17 (66), N/C/K each beat M 58-42 (16). Taken in order of margin: C>K (66), N>C (36),
    // N>K (36), then C>M, K>M, N>M (16): no cycle, so N > C > K > M.
    const r = rankedPairs([
      { ranking: ['Memphis', 'Nashville', 'Chattanooga', 'Knoxville'], weight: 42 },
      { ranking: ['Nashville', 'Chattanooga', 'Knoxville', 'Memphis'], weight: 26 },
      { ranking: ['Chattanooga', 'Knoxville', 'Nashville', 'Memphis'], weight: 15 },
      { ranking: ['Knoxville', 'Chattanooga', 'Nashville', 'Memphis'], weight: 17 },
    ]);
    expect(r.order).toEqual(['Nashville', 'Chattanooga', 'Knoxville', 'Memphis']);
    expect(r.pairs[0]).toEqual({ winner: 'Chattanooga', loser: 'Knoxville', margin: 66, support: 83, compared: 100 });
    expect(r.pairs).toHaveLength(6);
  });

  it('breaks a cycle at its weakest majority', () => {
    // a>b by 3-2... with three reviewers: a>b>c, b>c>a, c>a>b gives a cycle of 2-1 majorities;
    // a fourth reviewer a>b>c makes a>b 3-1 (2), b>c 3-1 (2), c>a 2-2 (tie, no majority): a > b > c.
    expect(rankedPairs([{ ranking: ['a', 'b', 'c'] }, { ranking: ['b', 'c', 'a'] }, { ranking: ['c', 'a', 'b'] }, { ranking: ['a', 'b', 'c'] }]).order).toEqual(['a', 'b', 'c']);
    // The pure cycle: every majority is 2-1; they are taken by id order, and the last (c > a)
    // would close the cycle, so it is skipped.
    const cycle = rankedPairs([{ ranking: ['a', 'b', 'c'] }, { ranking: ['b', 'c', 'a'] }, { ranking: ['c', 'a', 'b'] }]);
    expect(cycle.pairs.map((p) => `${p.winner}>${p.loser}`)).toEqual(['a>b', 'b>c']);
    expect(cycle.order).toEqual(['a', 'b', 'c']);
  });

  it('compares only what a ranking names, and is the same whatever the order of ballots', () => {
    const ballots = [{ ranking: ['x', 'y'] }, { ranking: ['z', 'x'] }, { ranking: ['y', 'z', 'x'] }];
    const r = rankedPairs(ballots);
    expect(r.pairs.find((p) => p.winner === 'z' && p.loser === 'x')).toMatchObject({ margin: 2, support: 2, compared: 2 });
    expect(rankedPairs([...ballots].reverse())).toEqual(r);
  });

  it('refuses a ranking that names a reply twice, or a weight that is not positive', () => {
    expect(() => rankedPairs([{ ranking: ['a', 'a'] }])).toThrow(RangeError);
    expect(() => rankedPairs([{ ranking: ['a', 'b'], weight: 0 }])).toThrow(RangeError);
  });
});
