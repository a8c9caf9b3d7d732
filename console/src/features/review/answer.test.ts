import { describe, expect, it } from 'vitest';
import { buildInput, move, rubricCandidate, skipInput } from './answer';
import { emptyDraft, reconcile, type Draft, type Item } from './draft';

const candidates = [
  { id: 'c1', label: 'A', content: 'Paris is the capital.', model: 'm' },
  { id: 'c2', label: 'B', content: 'Lyon.', model: 'm' },
  { id: 'c3', label: 'C', content: 'France.', model: 'm' },
];
const rubric = [
  { id: 'helpfulness', label: 'Helpfulness', min: 1, max: 5 },
  { id: 'honesty', label: 'Honesty', min: 1, max: 5 },
];
const item = (kind: Item['kind'], n = 2) => ({ kind, candidates: candidates.slice(0, n), rubric });
const draft = (i: ReturnType<typeof item>, d: Partial<Draft> = {}): Draft => ({ ...emptyDraft(i), ...d });

describe('buildInput', () => {
  it('pairwise needs a choice, and a strength unless it is a tie', () => {
    const i = item('PAIRWISE');
    expect(buildInput(i, draft(i))).toEqual({ ok: false, missing: 'choice' });
    expect(buildInput(i, draft(i, { choice: 'A' }))).toEqual({ ok: false, missing: 'strength' });
    expect(buildInput(i, draft(i, { choice: 'A', strength: 2, tags: [' short ', ''], comment: '  ' }))).toEqual({
      ok: true,
      input: { kind: 'PAIRWISE', choice: 'A', strength: 2, tags: ['short'], comment: null },
    });
    expect(buildInput(i, draft(i, { choice: 'TIE', strength: 3 }))).toMatchObject({ ok: true, input: { choice: 'TIE', strength: null } });
  });

  it('ranking sends every candidate once, best first', () => {
    const i = item('RANKING', 3);
    expect(buildInput(i, draft(i, { ranking: ['c3', 'c1', 'c2'] }))).toMatchObject({ ok: true, input: { kind: 'RANKING', ranking: ['c3', 'c1', 'c2'] } });
    expect(buildInput(i, draft(i, { ranking: ['c3', 'c3', 'c2'] }))).toEqual({ ok: false, missing: 'ranking' });
  });

  it('rubric scores one candidate on every criterion, the first not scored yet by default', () => {
    const i = item('RUBRIC');
    expect(buildInput(i, draft(i, { scores: { c1: { helpfulness: 4 } } }))).toEqual({ ok: false, missing: 'scores' });
    expect(buildInput(i, draft(i, { scores: { c1: { helpfulness: 4, honesty: 5 } } }))).toMatchObject({
      ok: true,
      input: { kind: 'RUBRIC', candidateId: 'c1', scores: [{ criterion: 'helpfulness', score: 4 }, { criterion: 'honesty', score: 5 }] },
    });
    expect(rubricCandidate(i, draft(i, { candidateId: 'c1', scored: ['c1'] }))).toBe('c2');
  });

  it('a correction must change the reply', () => {
    const i = item('CORRECTION');
    expect(buildInput(i, draft(i))).toEqual({ ok: false, missing: 'unchanged' });
    expect(buildInput(i, draft(i, { texts: { c1: '  Paris is   the capital. ' } }))).toEqual({ ok: false, missing: 'unchanged' });
    expect(buildInput(i, draft(i, { texts: { c1: '   ' } }))).toEqual({ ok: false, missing: 'text' });
    expect(buildInput(i, draft(i, { texts: { c1: 'Paris is the capital of France.' } }))).toMatchObject({ ok: true, input: { kind: 'CORRECTION', candidateId: 'c1', text: 'Paris is the capital of France.' } });
  });

  it('refuses too many tags or too long a comment before the api does', () => {
    const i = item('PAIRWISE');
    expect(buildInput(i, draft(i, { choice: 'TIE', tags: Array.from({ length: 11 }, (_, k) => `t${k}`) }))).toEqual({ ok: false, missing: 'tags' });
    expect(buildInput(i, draft(i, { choice: 'TIE', comment: 'x'.repeat(2001) }))).toEqual({ ok: false, missing: 'comment' });
  });

  it('a skip carries its reason with the tags and comment', () => {
    const i = item('PAIRWISE');
    expect(skipInput('OFFENSIVE', draft(i, { comment: 'insults' }))).toEqual({ ok: true, input: { kind: 'SKIP', reason: 'OFFENSIVE', tags: [], comment: 'insults' } });
  });
});

describe('move', () => {
  it('moves one entry, clamped at the ends', () => {
    expect(move(['a', 'b', 'c'], 2, -1)).toEqual(['a', 'c', 'b']);
    expect(move(['a', 'b', 'c'], 0, -1)).toEqual(['a', 'b', 'c']);
    expect(move(['a', 'b', 'c'], 0, 5)).toEqual(['b', 'c', 'a']);
  });
});

describe('drafts', () => {
  it('a stored draft is fitted to the item: unknown candidates dropped, the ranking completed, scores in range', () => {
    const i = { ...item('RANKING', 3), id: 'x' };
    const d = reconcile(i, { ranking: ['c2', 'gone', 'c2'], choice: 'Z', scores: { c1: { helpfulness: 9, honesty: 2 }, gone: {} }, tags: ['a', 3], comment: 7 });
    expect(d.ranking).toEqual(['c2', 'c1', 'c3']);
    expect(d.choice).toBeNull();
    expect(d.scores).toEqual({ c1: { honesty: 2 } });
    expect(d.tags).toEqual(['a']);
    expect(d.comment).toBe('');
  });
});
