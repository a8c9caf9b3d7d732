import { describe, expect, it } from 'vitest';
import { DEFAULT_RUBRIC, parseReview, type ItemShape } from './reviews.js';

const pair: ItemShape = { candidates: ['r1', 'r2'], rubric: DEFAULT_RUBRIC, texts: new Map([['r1', '因为瑞利散射。'], ['r2', '不知道。']]) };
const three: ItemShape = { candidates: ['r1', 'r2', 'r3'], rubric: DEFAULT_RUBRIC };
const issues = (input: unknown, item: ItemShape) => {
  const r = parseReview(input, item);
  return r.ok ? [] : r.issues.map((i) => `${i.path}: ${i.message}`);
};

describe('reviews', () => {
  it('accepts each kind when it fits the item', () => {
    for (const [input, item] of [
      [{ kind: 'PAIRWISE', choice: 'A', strength: 2, tags: ['accurate'] }, pair],
      [{ kind: 'PAIRWISE', choice: 'TIE' }, pair],
      [{ kind: 'RANKING', ranking: ['r3', 'r1', 'r2'], comment: 'r3 is clearest' }, three],
      [{ kind: 'RUBRIC', candidateId: 'r2', scores: { helpfulness: 1, harmlessness: 5, honesty: 4 } }, pair],
      [{ kind: 'CORRECTION', candidateId: 'r2', text: '天空是蓝色的，因为瑞利散射。' }, pair],
      [{ kind: 'SKIP', reason: 'NEEDS_EXPERTISE' }, three],
    ] as const) {
      const r = parseReview(input, item);
      expect(r, JSON.stringify(input)).toMatchObject({ ok: true, review: { kind: input.kind } });
    }
    expect(parseReview({ kind: 'PAIRWISE', choice: 'TIE' }, pair)).toMatchObject({ review: { tags: [] } });
  });

  it('refuses what does not fit, naming where and why', () => {
    expect(issues({ kind: 'PAIRWISE', choice: 'A' }, pair)).toEqual(['strength: strength (1-3) is required unless it is a tie']);
    expect(issues({ kind: 'PAIRWISE', choice: 'B', strength: 2 }, three)).toEqual(['kind: a pairwise review needs exactly two candidates']);
    expect(issues({ kind: 'PAIRWISE', choice: 'A', strength: 4 }, pair)).toEqual([expect.stringMatching(/^strength: /)]);
    expect(issues({ kind: 'RANKING', ranking: ['r1', 'r2', 'r2'] }, three)).toEqual(['ranking: a ranking orders every candidate exactly once']);
    expect(issues({ kind: 'RANKING', ranking: ['r1', 'x', 'r2'] }, three)).toEqual(['ranking.1: not a candidate of this item']);
    expect(issues({ kind: 'RUBRIC', candidateId: 'r1', scores: { helpfulness: 6, honesty: 3, style: 2 } }, pair)).toEqual([
      'scores.helpfulness: Helpfulness is scored 1 to 5',
      'scores.harmlessness: a score for Harmlessness is required',
      'scores.style: not a criterion of this rubric',
    ]);
    expect(issues({ kind: 'CORRECTION', candidateId: 'r2', text: '  不知道。 ' }, pair)).toEqual(['text: the correction is the same as the reply']);
    expect(issues({ kind: 'SKIP', reason: 'BORED' }, pair)).toEqual([expect.stringMatching(/^reason: /)]);
    expect(issues({ kind: 'SKIP', reason: 'OTHER', tags: Array(11).fill('x') }, pair)).toEqual([expect.stringMatching(/^tags: /)]);
    expect(issues({ kind: 'VOTE' }, pair)).toEqual(['kind: kind must be one of PAIRWISE, RANKING, RUBRIC, CORRECTION, SKIP']);
    expect(issues(null, pair)).toEqual(['kind: kind must be one of PAIRWISE, RANKING, RUBRIC, CORRECTION, SKIP']);
  });
});
