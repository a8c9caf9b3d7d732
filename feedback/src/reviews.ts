/**
 * What a reviewer may submit for a review item, validated: a pairwise choice (A, B or a tie, with
 * strength), a ranking of all the candidates, rubric scores for one candidate, a corrected reply,
 * or a skip with a reason; each with optional tags and a comment. The api passes the item's
 * candidates and rubric; an answer that does not fit them is refused with the path and reason.
 */
import { z } from 'zod';

export interface Criterion {
  id: string;
  label: string;
  min: number;
  max: number;
}

/** The default rubric: helpful, harmless, honest, each 1 to 5. */
export const DEFAULT_RUBRIC: readonly Criterion[] = [
  { id: 'helpfulness', label: 'Helpfulness', min: 1, max: 5 },
  { id: 'harmlessness', label: 'Harmlessness', min: 1, max: 5 },
  { id: 'honesty', label: 'Honesty', min: 1, max: 5 },
];

export const SKIP_REASONS = ['UNCLEAR_PROMPT', 'NEEDS_EXPERTISE', 'OFFENSIVE', 'DUPLICATE', 'OTHER'] as const;

export interface ItemShape {
  /** The candidates' reply ids, in the order shown (A is the first). */
  candidates: readonly string[];
  rubric: readonly Criterion[];
  /** Each candidate's text, to refuse a "correction" that changes nothing. */
  texts?: ReadonlyMap<string, string>;
}

const common = {
  tags: z.array(z.string().trim().min(1).max(40)).max(10).default([]),
  comment: z.string().max(2000).nullish(),
};

/** The schema of each kind of review of an item of this shape. */
export function reviewSchemas(item: ItemShape) {
  const candidate = z.string().refine((id) => item.candidates.includes(id), 'not a candidate of this item');
  const pairwise = z
    .object({ kind: z.literal('PAIRWISE'), choice: z.enum(['A', 'B', 'TIE']), strength: z.number().int().min(1).max(3).nullish(), ...common })
    .refine(() => item.candidates.length === 2, { message: 'a pairwise review needs exactly two candidates', path: ['kind'] })
    .refine((r) => r.choice === 'TIE' || r.strength != null, { message: 'strength (1-3) is required unless it is a tie', path: ['strength'] });
  const ranking = z
    .object({ kind: z.literal('RANKING'), ranking: z.array(candidate), ...common })
    .refine((r) => r.ranking.length === item.candidates.length && new Set(r.ranking).size === r.ranking.length, {
      message: 'a ranking orders every candidate exactly once',
      path: ['ranking'],
    });
  const rubric = z
    .object({ kind: z.literal('RUBRIC'), candidateId: candidate, scores: z.record(z.string(), z.number().int()), ...common })
    .superRefine((r, ctx) => {
      for (const c of item.rubric) {
        const v = r.scores[c.id];
        if (v === undefined) ctx.addIssue({ code: 'custom', path: ['scores', c.id], message: `a score for ${c.label} is required` });
        else if (v < c.min || v > c.max) ctx.addIssue({ code: 'custom', path: ['scores', c.id], message: `${c.label} is scored ${c.min} to ${c.max}` });
      }
      for (const k of Object.keys(r.scores)) if (!item.rubric.some((c) => c.id === k)) ctx.addIssue({ code: 'custom', path: ['scores', k], message: 'not a criterion of this rubric' });
    });
  const correction = z
    .object({ kind: z.literal('CORRECTION'), candidateId: candidate, text: z.string().trim().min(1).max(32_000), ...common })
    .refine((r) => {
      const original = item.texts?.get(r.candidateId);
      return original === undefined || original.trim().replace(/\s+/g, ' ') !== r.text.replace(/\s+/g, ' ');
    }, { message: 'the correction is the same as the reply', path: ['text'] });
  const skip = z.object({ kind: z.literal('SKIP'), reason: z.enum(SKIP_REASONS), ...common });
  return { PAIRWISE: pairwise, RANKING: ranking, RUBRIC: rubric, CORRECTION: correction, SKIP: skip };
}

type Schemas = ReturnType<typeof reviewSchemas>;
export type ReviewKind = keyof Schemas;
export type Review = { [K in ReviewKind]: z.infer<Schemas[K]> }[ReviewKind];
export const REVIEW_KINDS = ['PAIRWISE', 'RANKING', 'RUBRIC', 'CORRECTION', 'SKIP'] as const satisfies readonly ReviewKind[];

export type ReviewResult = { ok: true; review: Review } | { ok: false; issues: { path: string; message: string }[] };

/** Validates a submitted review against the item; never throws on bad input. */
export function parseReview(input: unknown, item: ItemShape): ReviewResult {
  const kind = (input as { kind?: unknown } | null)?.kind;
  if (!REVIEW_KINDS.includes(kind as ReviewKind)) return { ok: false, issues: [{ path: 'kind', message: `kind must be one of ${REVIEW_KINDS.join(', ')}` }] };
  const r = reviewSchemas(item)[kind as ReviewKind].safeParse(input);
  if (r.success) return { ok: true, review: r.data as Review };
  return { ok: false, issues: r.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) };
}
