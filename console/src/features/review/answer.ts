/**
 * From a draft to the api's `ReviewInput`, with the reason it cannot be sent yet. Mirrors the
 * api's validation (`@dialoop/feedback` parseReview) so the page can say what is missing before
 * a round trip; the api still validates every review.
 */
import type { ReviewInput, SkipReason } from '@/gql/graphql';
import type { Draft, Item } from './draft';

export type Missing = 'choice' | 'strength' | 'ranking' | 'candidate' | 'scores' | 'text' | 'unchanged' | 'tags' | 'comment';

export type Built = { ok: true; input: ReviewInput } | { ok: false; missing: Missing };

export const MAX_TAGS = 10;
export const MAX_TAG_LENGTH = 40;
export const MAX_COMMENT = 2000;

export const SKIP_REASONS: readonly SkipReason[] = ['UNCLEAR_PROMPT', 'NEEDS_EXPERTISE', 'OFFENSIVE', 'DUPLICATE', 'OTHER'];

const sameText = (a: string, b: string) => a.trim().replace(/\s+/g, ' ') === b.trim().replace(/\s+/g, ' ');

function extras(draft: Draft): { ok: true; tags: string[]; comment: string | null } | { ok: false; missing: Missing } {
  const tags = draft.tags.map((t) => t.trim()).filter(Boolean);
  if (tags.length > MAX_TAGS || tags.some((t) => t.length > MAX_TAG_LENGTH)) return { ok: false, missing: 'tags' };
  const comment = draft.comment.trim();
  if (comment.length > MAX_COMMENT) return { ok: false, missing: 'comment' };
  return { ok: true, tags, comment: comment || null };
}

/** The RUBRIC candidate being scored: the one picked, else the first not scored yet. */
export function rubricCandidate(item: Pick<Item, 'candidates'>, draft: Draft): string | null {
  if (draft.candidateId && !draft.scored.includes(draft.candidateId)) return draft.candidateId;
  return item.candidates.find((c) => !draft.scored.includes(c.id))?.id ?? draft.candidateId;
}

/** The text being corrected: the draft's, else the candidate's own. */
export function correctionText(item: Pick<Item, 'candidates'>, draft: Draft): string {
  const id = draft.candidateId ?? item.candidates[0]?.id;
  return (id && draft.texts[id]) ?? item.candidates.find((c) => c.id === id)?.content ?? '';
}

export function buildInput(item: Pick<Item, 'kind' | 'candidates' | 'rubric'>, draft: Draft): Built {
  const x = extras(draft);
  if (!x.ok) return x;
  const common = { tags: x.tags, comment: x.comment };
  switch (item.kind) {
    case 'PAIRWISE': {
      if (!draft.choice) return { ok: false, missing: 'choice' };
      if (draft.choice !== 'TIE' && !draft.strength) return { ok: false, missing: 'strength' };
      return { ok: true, input: { kind: 'PAIRWISE', choice: draft.choice, strength: draft.choice === 'TIE' ? null : draft.strength, ...common } };
    }
    case 'RANKING': {
      const ranking = draft.ranking ?? item.candidates.map((c) => c.id);
      if (ranking.length !== item.candidates.length || new Set(ranking).size !== ranking.length) return { ok: false, missing: 'ranking' };
      return { ok: true, input: { kind: 'RANKING', ranking, ...common } };
    }
    case 'RUBRIC': {
      const candidateId = rubricCandidate(item, draft);
      if (!candidateId) return { ok: false, missing: 'candidate' };
      const given = draft.scores[candidateId] ?? {};
      if (item.rubric.some((c) => given[c.id] === undefined)) return { ok: false, missing: 'scores' };
      return { ok: true, input: { kind: 'RUBRIC', candidateId, scores: item.rubric.map((c) => ({ criterion: c.id, score: given[c.id]! })), ...common } };
    }
    case 'CORRECTION': {
      const candidateId = draft.candidateId ?? item.candidates[0]?.id;
      if (!candidateId) return { ok: false, missing: 'candidate' };
      const text = correctionText(item, draft);
      const original = item.candidates.find((c) => c.id === candidateId)?.content ?? '';
      if (!text.trim()) return { ok: false, missing: 'text' };
      if (sameText(original, text)) return { ok: false, missing: 'unchanged' };
      return { ok: true, input: { kind: 'CORRECTION', candidateId, text, ...common } };
    }
    default: {
      const unknown: never = item.kind;
      throw new Error(`Unknown review kind ${String(unknown)}`);
    }
  }
}

export function skipInput(reason: SkipReason, draft: Draft): Built {
  const x = extras(draft);
  if (!x.ok) return x;
  return { ok: true, input: { kind: 'SKIP', reason, tags: x.tags, comment: x.comment } };
}

/** Moves one entry of a list by `delta` places (clamped); the same list when it cannot move. */
export function move<T>(list: readonly T[], index: number, delta: number): T[] {
  const to = Math.min(Math.max(index + delta, 0), list.length - 1);
  if (index < 0 || index >= list.length || to === index) return [...list];
  const next = [...list];
  const [x] = next.splice(index, 1);
  next.splice(to, 0, x as T);
  return next;
}
