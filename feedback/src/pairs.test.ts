import { describe, expect, it } from 'vitest';
import { dedupe, guessLanguage, pairKey, splitOf } from './dataset.js';
import { fromComparisons, fromCorrection, fromRankings, fromRatings, type Reply } from './pairs.js';
import type { Turn } from './types.js';

const prompt: Turn[] = [{ role: 'user', content: '天空为什么是蓝色的？' }];
const ctx = { prompt, language: 'zh' };
const A: Reply = { id: 'a', text: '因为瑞利散射。', model: 'v1' };
const B: Reply = { id: 'b', text: '不知道。', model: 'v2' };
const C: Reply = { id: 'c', text: '天空反射了海洋。', model: 'v1' };

describe('pairs from comparisons', () => {
  it('votes strengths: A by 3 and 1 against B by 2 → A wins, margin (3+1−2)/3, agreement 2/3', () => {
    const [p] = fromComparisons(ctx, [A, B], [
      { reviewer: 'r1', choice: 'A', strength: 3 },
      { reviewer: 'r2', choice: 'A', strength: 1 },
      { reviewer: 'r3', choice: 'B', strength: 2 },
    ]);
    expect(p).toMatchObject({ chosen: A.text, rejected: B.text, source: 'comparison', chosenModel: 'v1', rejectedModel: 'v2', language: 'zh' });
    expect(p!.margin).toBeCloseTo(2 / 3);
    expect(p!.agreement).toBeCloseTo(2 / 3);
  });

  it('excludes ties: all ties, or equal totals', () => {
    expect(fromComparisons(ctx, [A, B], [{ reviewer: 'r1', choice: 'TIE', strength: 1 }])).toEqual([]);
    expect(fromComparisons(ctx, [A, B], [{ reviewer: 'r1', choice: 'A', strength: 2 }, { reviewer: 'r2', choice: 'B', strength: 2 }])).toEqual([]);
  });
});

describe('pairs from rankings', () => {
  it('merges rankings by ranked pairs: a>b>c twice, b>a>c once → a>b (1/3), a>c (1), b>c (1)', () => {
    const pairs = fromRankings(ctx, [A, B, C], [{ ranking: ['a', 'b', 'c'] }, { ranking: ['a', 'b', 'c'] }, { ranking: ['b', 'a', 'c'] }]);
    const byKey = Object.fromEntries(pairs.map((p) => [`${p.chosen}>${p.rejected}`, [p.margin, p.agreement]]));
    expect(byKey).toEqual({ [`${A.text}>${C.text}`]: [1, 1], [`${B.text}>${C.text}`]: [1, 1], [`${A.text}>${B.text}`]: [1 / 3, 2 / 3] });
  });

  it('refuses a ranking of a reply the item does not have', () => {
    expect(() => fromRankings(ctx, [A, B], [{ ranking: ['a', 'x'] }])).toThrow(RangeError);
  });
});

describe('pairs from corrections and ratings', () => {
  it('a correction is chosen over the original; an edit of white space only is none', () => {
    expect(fromCorrection(ctx, B, '因为瑞利散射：短波长的蓝光散射得最多。')).toEqual([
      expect.objectContaining({ chosen: '因为瑞利散射：短波长的蓝光散射得最多。', rejected: B.text, source: 'correction', margin: 1, chosenModel: null, rejectedModel: 'v2' }),
    ]);
    expect(fromCorrection(ctx, B, '  不知道。 ')).toEqual([]);
  });

  it('ratings give the higher over the lower for each two replies with different scores', () => {
    const pairs = fromRatings(ctx, [
      { ...A, score: 5, ratings: 2 },
      { ...B, score: 1, ratings: 1 },
      { ...C, score: 5, ratings: 1 },
      { id: 'd', text: '未评分', model: 'v1', score: 0, ratings: 0 },
    ]);
    expect(pairs.map((p) => [p.chosen, p.rejected, p.margin])).toEqual([
      [A.text, B.text, 4],
      [C.text, B.text, 4],
    ]);
  });
});

describe('dataset keys and splits', () => {
  it('dedupes pairs that differ only in case, width and white space', () => {
    const p = { prompt: [{ role: 'user' as const, content: 'Hello  World' }], chosen: 'Ａ', rejected: 'b' };
    const q = { prompt: [{ role: 'user' as const, content: 'hello world' }], chosen: 'a', rejected: 'B ' };
    expect(pairKey(p)).toBe(pairKey(q));
    expect(dedupe([p, q, { ...q, chosen: 'c' }])).toMatchObject({ duplicates: 1, kept: [p, { ...q, chosen: 'c' }] });
  });

  it('splits by the prompt alone, the same on every run, near the share asked', () => {
    const prompts = Array.from({ length: 2000 }, (_, i) => [{ role: 'user' as const, content: `question ${i}` }]);
    const sides = prompts.map((p) => splitOf(p, 0.1));
    expect(prompts.map((p) => splitOf(p, 0.1))).toEqual(sides);
    const test = sides.filter((s) => s === 'test').length;
    expect(test).toBeGreaterThan(140);
    expect(test).toBeLessThan(260);
    expect(splitOf(prompts[0]!, 0)).toBe('train');
    expect(splitOf(prompts[0]!, 1)).toBe('test');
  });

  it('guesses Chinese or English', () => {
    expect(guessLanguage('天空为什么是蓝色的？')).toBe('zh');
    expect(guessLanguage('Why is the sky blue?')).toBe('en');
    expect(guessLanguage('用 Python 写一个函数')).toBe('zh');
  });
});
