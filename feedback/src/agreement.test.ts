import { describe, expect, it } from 'vitest';
import { cohenKappa, krippendorffAlpha, reviewerAgreement, weightedCohenKappa } from './agreement.js';

describe('cohenKappa', () => {
  it('matches a hand-computed 2×2 example', () => {
    //            b: Y   N
    //   a: Y        5   1    (a: 6 Y, 4 N)
    //   a: N        1   3    (b: 6 Y, 4 N)
    // p_o = (5 + 3)/10 = 0.8
    // p_e = 0.6·0.6 + 0.4·0.4 = 0.52
    // κ   = (0.8 − 0.52)/(1 − 0.52) = 0.28/0.48 = 7/12 ≈ 0.5833
    const a = ['Y', 'Y', 'Y', 'Y', 'Y', 'Y', 'N', 'N', 'N', 'N'];
    const b = ['Y', 'Y', 'Y', 'Y', 'Y', 'N', 'Y', 'N', 'N', 'N'];
    expect(cohenKappa(a, b)).toBeCloseTo(7 / 12, 12);
  });

  it('matches a hand-computed 3-category example', () => {
    //               b: good ok bad
    //   a: good          3   1   0     a marginals: good 4, ok 3, bad 3
    //   a: ok            0   2   1     b marginals: good 3, ok 4, bad 3
    //   a: bad           0   1   2
    // p_o = (3 + 2 + 2)/10 = 0.7
    // p_e = (4·3 + 3·4 + 3·3)/100 = 0.33
    // κ   = (0.7 − 0.33)/(1 − 0.33) = 0.37/0.67 = 37/67 ≈ 0.5522
    const a = ['good', 'good', 'good', 'good', 'ok', 'ok', 'ok', 'bad', 'bad', 'bad'];
    const b = ['good', 'good', 'good', 'ok', 'ok', 'ok', 'bad', 'ok', 'bad', 'bad'];
    expect(cohenKappa(a, b)).toBeCloseTo(37 / 67, 12);
  });

  it('is 1 for perfect agreement and independent of the label type', () => {
    expect(cohenKappa([1, 2, 3, 2], [1, 2, 3, 2])).toBe(1);
    expect(cohenKappa(['x', 'y'], ['x', 'y'])).toBe(1);
  });

  it('is negative for systematic disagreement', () => {
    // p_o = 0, p_e = 0.5·0.5 + 0.5·0.5 = 0.5, κ = (0 − 0.5)/(1 − 0.5) = −1
    expect(cohenKappa(['Y', 'N', 'Y', 'N'], ['N', 'Y', 'N', 'Y'])).toBe(-1);
    // Mostly disagreeing: p_o = 1/4 (item 3 only); a: Y 2, N 2; b: Y 3, N 1
    // p_e = (2·3 + 2·1)/16 = 1/2; κ = (1/4 − 1/2)/(1 − 1/2) = −0.5
    expect(cohenKappa(['Y', 'N', 'Y', 'N'], ['N', 'Y', 'Y', 'Y'])).toBe(-0.5);
  });

  it('returns 1 in the degenerate case p_e = 1 (both reviewers used one and the same label)', () => {
    expect(cohenKappa(['ok', 'ok', 'ok'], ['ok', 'ok', 'ok'])).toBe(1);
    expect(cohenKappa(['ok'], ['ok'])).toBe(1);
  });

  it('does not treat 1 and "1" as the same label', () => {
    expect(cohenKappa<string | number>([1, 2], ['1', '2'])).toBeLessThan(1);
  });

  it('throws RangeError on a length mismatch or empty input', () => {
    expect(() => cohenKappa(['a'], ['a', 'b'])).toThrow(RangeError);
    expect(() => cohenKappa([], [])).toThrow(RangeError);
  });
});

describe('weightedCohenKappa', () => {
  // a = [1, 2, 3], b = [1, 3, 3] over categories 1..3 (ranks 0..2).
  // Marginals: a: 1→1, 2→1, 3→1; b: 1→1, 2→0, 3→2; n = 3.
  const a = [1, 2, 3];
  const b = [1, 3, 3];

  it('matches a hand-computed example with linear weights', () => {
    // Observed Σ w·o: only item 2 differs, |2 − 3| = 1 → 1.
    // Expected Σ w·n_a(i)·n_b(j):
    //   a=1: n_b(1)·0 + n_b(3)·2 = 4;  a=2: n_b(1)·1 + n_b(3)·1 = 3;  a=3: n_b(1)·2 + n_b(3)·0 = 2  → 9
    // κ_w = 1 − n·1/9 = 1 − 3/9 = 2/3
    expect(weightedCohenKappa(a, b, [1, 2, 3], 'linear')).toBeCloseTo(2 / 3, 12);
  });

  it('matches a hand-computed example with quadratic weights', () => {
    // Observed: (2 − 3)² = 1.
    // Expected Σ w·n_a(i)·n_b(j):
    //   a=1: n_b(3)·(1 − 3)² = 2·4 = 8;  a=2: n_b(1)·1 + n_b(3)·1 = 3;  a=3: n_b(1)·(3 − 1)² = 4  → 15
    // κ_w = 1 − 3·1/15 = 4/5
    expect(weightedCohenKappa(a, b, [1, 2, 3], 'quadratic')).toBeCloseTo(4 / 5, 12);
  });

  it('gives partial credit that plain kappa does not', () => {
    // Plain: p_o = 2/3, p_e = (1·1 + 1·0 + 1·2)/9 = 1/3, κ = (1/3)/(2/3) = 1/2 < 2/3.
    expect(cohenKappa(a, b)).toBeCloseTo(1 / 2, 12);
  });

  it('equals plain kappa with two categories', () => {
    const x = ['Y', 'Y', 'Y', 'Y', 'Y', 'Y', 'N', 'N', 'N', 'N'];
    const y = ['Y', 'Y', 'Y', 'Y', 'Y', 'N', 'Y', 'N', 'N', 'N'];
    expect(weightedCohenKappa(x, y, ['N', 'Y'], 'linear')).toBeCloseTo(7 / 12, 12);
    expect(weightedCohenKappa(x, y, ['N', 'Y'], 'quadratic')).toBeCloseTo(7 / 12, 12);
  });

  it('is 1 for perfect agreement, including the degenerate single-score case', () => {
    expect(weightedCohenKappa([1, 5, 3], [1, 5, 3], [1, 2, 3, 4, 5], 'quadratic')).toBe(1);
    expect(weightedCohenKappa([4, 4], [4, 4], [1, 2, 3, 4, 5], 'linear')).toBe(1);
  });

  it('throws RangeError on bad input', () => {
    expect(() => weightedCohenKappa([1], [1, 2], [1, 2], 'linear')).toThrow(RangeError);
    expect(() => weightedCohenKappa([], [], [1, 2], 'linear')).toThrow(RangeError);
    expect(() => weightedCohenKappa([1], [1], [], 'linear')).toThrow(RangeError);
    expect(() => weightedCohenKappa([1], [1], [1, 1], 'linear')).toThrow(RangeError);
    expect(() => weightedCohenKappa([1, 6], [1, 2], [1, 2, 3, 4, 5], 'linear')).toThrow(RangeError);
  });
});

describe('krippendorffAlpha', () => {
  // Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", the example with missing
  // data: 4 coders × 12 units, values 1..5.
  const _ = null;
  const A = [1, 2, 3, 3, 2, 1, 4, 1, 2, _, _, _];
  const B = [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, _, 3];
  const C = [_, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, _];
  const D = [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, _];
  const canonical = A.map((_v, u) => [A[u], B[u], C[u], D[u]]);
  // Coincidences by hand (unit: values → contribution, each ordered pair weighted 1/(m_u − 1)):
  //   u1  1,1,1      → o11 += 3·2/2 = 3        u7  4,4,4,4   → o44 += 4
  //   u2  2,2,3,2    → o22 += 2, o23 = o32 += 1  u8  1,1,2,1   → o11 += 2, o12 = o21 += 1
  //   u3  3,3,3,3    → o33 += 4                u9  2,2,2,2   → o22 += 4
  //   u4  3,3,3,3    → o33 += 4                u10 5,5,5     → o55 += 3
  //   u5  2,2,2,2    → o22 += 4                u11 1,1       → o11 += 2
  //   u6  1,2,3,4    → every o_ck, c ≠ k, += 1/3  u12 3      → not pairable
  // o11 = 7, o22 = 10, o33 = 8, o44 = 4, o55 = 3; o12 = 4/3, o23 = 4/3, o13 = o14 = o24 = o34 = 1/3
  // n_1 = 9, n_2 = 13, n_3 = 10, n_4 = 5, n_5 = 3; n = 40.

  it('reproduces the published nominal alpha 0.743', () => {
    // Σ o_cc = 32, Σ n_c² = 81 + 169 + 100 + 25 + 9 = 384
    // α = 1 − (n − 1)(n − Σ o_cc)/(n² − Σ n_c²) = 1 − 39·8/(1600 − 384) = 1 − 312/1216 = 113/152 ≈ 0.7434
    const alpha = krippendorffAlpha(canonical, 'nominal');
    expect(alpha).toBeCloseTo(113 / 152, 12);
    expect(alpha).toBeCloseTo(0.743, 3);
  });

  it('reproduces the published interval alpha 0.849', () => {
    // Σ o_ck (c − k)² = 2·(4/3·1 + 1/3·4 + 1/3·9 + 4/3·1 + 1/3·4 + 1/3·1) = 52/3; ·(n − 1) = 676
    // Σ n_c n_k (c − k)² = 2·(117 + 360 + 405 + 432 + 130 + 260 + 351 + 50 + 120 + 15) = 4480
    //   (pairs 12, 13, 14, 15, 23, 24, 25, 34, 35, 45: e.g. 1–5: 9·3·16 = 432)
    // α = 1 − 676/4480 = 951/1120 ≈ 0.8491
    const alpha = krippendorffAlpha(canonical, 'interval');
    expect(alpha).toBeCloseTo(951 / 1120, 12);
    expect(alpha).toBeCloseTo(0.849, 3);
  });

  it('reproduces the published ordinal alpha 0.815', () => {
    // δ²_ck = (Σ_{g=c..k} n_g − (n_c + n_k)/2)² with n = (9, 13, 10, 5, 3):
    //   δ²12 = (22 − 11)² = 121      δ²13 = (32 − 9.5)² = 506.25  δ²14 = (37 − 7)² = 900
    //   δ²15 = (40 − 6)² = 1156      δ²23 = (23 − 11.5)² = 132.25 δ²24 = (28 − 9)² = 361
    //   δ²25 = (31 − 8)² = 529       δ²34 = (15 − 7.5)² = 56.25   δ²35 = (18 − 6.5)² = 132.25
    //   δ²45 = (8 − 4)² = 16
    // Σ o δ² = 2·(4/3·121 + 1/3·506.25 + 1/3·900 + 4/3·132.25 + 1/3·361 + 1/3·56.25) = 1891; ·39 = 73749
    // Σ n n δ² = 2·(117·121 + 90·506.25 + 45·900 + 27·1156 + 130·132.25 + 65·361 + 39·529
    //              + 50·56.25 + 30·132.25 + 15·16) = 2·199740 = 399480
    // α = 1 − 73749/399480 ≈ 0.8154
    const alpha = krippendorffAlpha(canonical, 'ordinal');
    expect(alpha).toBeCloseTo(1 - 73749 / 399480, 12);
    expect(alpha).toBeCloseTo(0.815, 3);
  });

  // 2 coders × 4 units, nominal: (a,a) (a,b) (b,b) (b,b); m_u = 2 so each ordered pair counts 1.
  //   o_aa = 2, o_ab = o_ba = 1, o_bb = 4;  n_a = 3, n_b = 5, n = 8
  //   α = 1 − (n − 1)·(o_ab + o_ba)/(n_a·n_b + n_b·n_a) = 1 − 7·2/30 = 8/15 ≈ 0.5333
  // (Cohen's kappa on the same data is 0.5, Scott's pi 14/30; α corrects pi for the small sample.)
  const tiny = [
    ['a', 'a'],
    ['a', 'b'],
    ['b', 'b'],
    ['b', 'b'],
  ];

  it('matches a tiny fully hand-computed nominal case', () => {
    expect(krippendorffAlpha(tiny, 'nominal')).toBeCloseTo(8 / 15, 12);
  });

  it('agrees across levels when only two values occur', () => {
    // With two values every level's δ² is one constant, which cancels: ordinal δ² = (n/2)², interval (c − k)².
    const numeric = tiny.map((unit) => unit.map((v) => (v === 'a' ? 1 : 7)));
    expect(krippendorffAlpha(numeric, 'ordinal')).toBeCloseTo(8 / 15, 12);
    expect(krippendorffAlpha(numeric, 'interval')).toBeCloseTo(8 / 15, 12);
  });

  it('is 1 for perfect agreement', () => {
    expect(krippendorffAlpha([[1, 1, 1], [2, 2], [3, null, 3]], 'nominal')).toBe(1);
    expect(krippendorffAlpha([[1, 1, 1], [2, 2], [3, null, 3]], 'ordinal')).toBe(1);
    expect(krippendorffAlpha([[1, 1, 1], [2, 2], [3, null, 3]], 'interval')).toBe(1);
  });

  it('ignores missing values and unpairable units', () => {
    const withGaps = [
      ['a', null, 'a'],
      [undefined, 'a', 'b'],
      ['b', 'b'],
      ['b', null, 'b', undefined],
      ['a', null, null], // a single value: not pairable
      [null, undefined], // nothing at all
    ];
    expect(krippendorffAlpha(withGaps, 'nominal')).toBeCloseTo(8 / 15, 12);
  });

  it('is NaN when fewer than 2 pairable values exist or no disagreement is possible', () => {
    expect(krippendorffAlpha([], 'nominal')).toBeNaN();
    expect(krippendorffAlpha([[1], [2, null], [null, 3]], 'interval')).toBeNaN();
    expect(krippendorffAlpha([['ok', 'ok'], ['ok', 'ok', 'ok']], 'nominal')).toBeNaN();
    expect(krippendorffAlpha([[4, 4], [4, 4]], 'ordinal')).toBeNaN();
  });

  it('is negative for systematic disagreement', () => {
    // (a,b) (b,a): o_ab = o_ba = 2, n_a = n_b = 2, n = 4: α = 1 − 3·4/(2·2·2) = −0.5
    expect(krippendorffAlpha([['a', 'b'], ['b', 'a']], 'nominal')).toBeCloseTo(-0.5, 12);
  });

  it('throws TypeError for non-numeric ordinal or interval values', () => {
    expect(() => krippendorffAlpha([['a', 'b']], 'ordinal')).toThrow(TypeError);
    expect(() => krippendorffAlpha([[1, Number.NaN]], 'interval')).toThrow(TypeError);
  });
});

describe('reviewerAgreement', () => {
  const labels = new Map<string, Map<string, string>>([
    // r1 vs r2 on i1..i4 is the tiny case above: p_o = 3/4, p_e = (2·1 + 2·3)/16 = 1/2, κ = 1/2.
    ['r1', new Map([['i1', 'Y'], ['i2', 'Y'], ['i3', 'N'], ['i4', 'N']])],
    ['r2', new Map([['i1', 'Y'], ['i2', 'N'], ['i3', 'N'], ['i4', 'N']])],
    // r3 shares i1 (Y,Y) and i3 (N,Y) with r1 and with r2: p_o = 1/2, p_e = (1·2 + 1·0)/4 = 1/2, κ = 0.
    ['r3', new Map([['i1', 'Y'], ['i3', 'Y'], ['i5', 'N']])],
    // r4 shares one item with each: every pair skipped.
    ['r4', new Map([['i2', 'N'], ['i6', 'Y']])],
  ]);

  it('averages pairwise kappas over reviewers with at least 2 shared items', () => {
    expect(reviewerAgreement(labels)).toEqual([
      { reviewer: 'r1', meanKappa: 0.25, pairs: 2, sharedItems: 4 }, // (1/2 + 0)/2
      { reviewer: 'r2', meanKappa: 0.25, pairs: 2, sharedItems: 4 },
      { reviewer: 'r3', meanKappa: 0, pairs: 2, sharedItems: 2 }, // i1, i3
      { reviewer: 'r4', meanKappa: null, pairs: 0, sharedItems: 0 },
    ]);
  });

  it('uses weighted kappa when asked', () => {
    const scores = new Map<string, Map<string, number>>([
      ['r1', new Map([['i1', 1], ['i2', 2], ['i3', 3]])],
      ['r2', new Map([['i1', 1], ['i2', 3], ['i3', 3]])],
    ]);
    // The weighted example above: linear κ_w = 2/3 (plain κ would be 1/2).
    const result = reviewerAgreement(scores, { weighted: { categories: [1, 2, 3, 4, 5], weights: 'linear' } });
    expect(result.map((r) => r.meanKappa)).toEqual([expect.closeTo(2 / 3, 12), expect.closeTo(2 / 3, 12)]);
    expect(reviewerAgreement(scores).map((r) => r.meanKappa)).toEqual([expect.closeTo(1 / 2, 12), expect.closeTo(1 / 2, 12)]);
  });

  it('returns an empty list for no reviewers', () => {
    expect(reviewerAgreement(new Map())).toEqual([]);
  });
});
