import { DEFAULT_RUBRIC } from '@dialoop/feedback';
import { describe, expect, it } from 'vitest';
import { conclude, rubricScore, type StoredReview } from './conclude.js';

const ctx = { prompt: [{ role: 'user' as const, content: '北京有什么好玩的？' }], language: 'zh' };
const A = { id: 'a', text: '故宫和长城。', model: 'm1' };
const B = { id: 'b', text: '不知道。', model: 'm2' };
const C = { id: 'c', text: '可以去颐和园。', model: 'm1' };
const scores = (h: number, harm: number, hon: number) => ({ helpfulness: h, harmlessness: harm, honesty: hon });

describe('conclude', () => {
  it('PAIRWISE: agreement is the share of the most common choice; below the threshold it is disputed', () => {
    const agree: StoredReview[] = [
      { reviewer: 'r1', answer: { kind: 'PAIRWISE', choice: 'A', strength: 3 } },
      { reviewer: 'r2', answer: { kind: 'PAIRWISE', choice: 'A', strength: 1 } },
    ];
    const o = conclude('PAIRWISE', ctx, [A, B], agree, DEFAULT_RUBRIC, 0.75);
    expect(o).toMatchObject({ agreement: 1, disputed: false });
    expect(o.pairs).toEqual([expect.objectContaining({ chosen: A.text, rejected: B.text, margin: 2, agreement: 1, source: 'comparison', language: 'zh' })]);
    const split: StoredReview[] = [agree[0]!, { reviewer: 'r2', answer: { kind: 'PAIRWISE', choice: 'B', strength: 1 } }];
    expect(conclude('PAIRWISE', ctx, [A, B], split, DEFAULT_RUBRIC, 0.75)).toMatchObject({ agreement: 0.5, disputed: true });
    // Three reviewers, two agree: 2/3 passes a threshold of 0.6.
    const three: StoredReview[] = [...split, { reviewer: 'r3', answer: { kind: 'PAIRWISE', choice: 'A', strength: 2 } }];
    expect(conclude('PAIRWISE', ctx, [A, B], three, DEFAULT_RUBRIC, 0.6).disputed).toBe(false);
  });

  it('RANKING: agreement is the mean support of the consensus pairs', () => {
    const reviews: StoredReview[] = [
      { reviewer: 'r1', answer: { kind: 'RANKING', ranking: ['a', 'c', 'b'] } },
      { reviewer: 'r2', answer: { kind: 'RANKING', ranking: ['a', 'b', 'c'] } },
    ];
    // a>b 2/2, a>c 2/2, c>b 1/2 vs b>c 1/2 (a tie: no pair) → mean support (1 + 1) / 2.
    const o = conclude('RANKING', ctx, [A, B, C], reviews, DEFAULT_RUBRIC, 0.75);
    expect(o.agreement).toBe(1);
    expect(o.pairs.map((p) => [p.chosen, p.rejected])).toEqual(expect.arrayContaining([[A.text, B.text], [A.text, C.text]]));
  });

  it('RUBRIC: 1 − mean spread per criterion as a share of its range; the higher mean over the lower; KTO labels from the means', () => {
    const reviews: StoredReview[] = [
      { reviewer: 'r1', answer: { kind: 'RUBRIC', candidateId: 'a', scores: scores(5, 5, 5) } },
      { reviewer: 'r2', answer: { kind: 'RUBRIC', candidateId: 'a', scores: scores(4, 5, 5) } },
      { reviewer: 'r1', answer: { kind: 'RUBRIC', candidateId: 'b', scores: scores(1, 5, 3) } },
      { reviewer: 'r2', answer: { kind: 'RUBRIC', candidateId: 'b', scores: scores(1, 5, 3) } },
    ];
    const o = conclude('RUBRIC', ctx, [A, B], reviews, DEFAULT_RUBRIC, 0.75);
    // Spreads: a: 1/4, 0, 0; b: 0, 0, 0 → mean 1/24.
    expect(o.agreement).toBeCloseTo(1 - 1 / 24, 12);
    expect(o.pairs).toEqual([expect.objectContaining({ chosen: A.text, rejected: B.text, source: 'rating' })]);
    expect(rubricScore(scores(5, 5, 5), DEFAULT_RUBRIC)).toBe(5);
    expect(rubricScore(scores(1, 5, 3), DEFAULT_RUBRIC)).toBe(3);
    expect(o.labelled).toEqual([
      { candidateId: 'a', score: (5 + rubricScore(scores(4, 5, 5), DEFAULT_RUBRIC)) / 2 },
      { candidateId: 'b', score: 3 },
    ]);
  });

  it('CORRECTION: every correction is its own pair, with no agreement figure', () => {
    const reviews: StoredReview[] = [
      { reviewer: 'r1', answer: { kind: 'CORRECTION', candidateId: 'b', text: '可以去故宫、长城和颐和园。' } },
      { reviewer: 'r2', answer: { kind: 'CORRECTION', candidateId: 'b', text: '不知道。 ' } },
    ];
    const o = conclude('CORRECTION', ctx, [A, B], reviews, DEFAULT_RUBRIC, 0.75);
    expect(o).toMatchObject({ agreement: null, disputed: false });
    expect(o.pairs).toEqual([expect.objectContaining({ chosen: '可以去故宫、长城和颐和园。', rejected: B.text, source: 'correction', chosenModel: null })]);
  });
});
