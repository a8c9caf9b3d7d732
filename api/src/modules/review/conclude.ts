/**
 * What an item's reviews add up to: their agreement, whether they need an admin's decision,
 * and the preference pairs and labelled replies they yield. Pure: the service reads the rows
 * and writes what this returns.
 */
import {
  fromComparisons,
  fromCorrection,
  fromRankings,
  fromRatings,
  rankedPairs,
  type Comparison,
  type Criterion,
  type PreferencePair,
  type Reply,
  type Turn,
} from '@dialoop/feedback';
import { UnreachableCaseError } from '../../errors.js';

export type Kind = 'PAIRWISE' | 'RANKING' | 'RUBRIC' | 'CORRECTION';

/** A stored review's answer (Review.answer), by kind. */
export type Answer =
  | { kind: 'PAIRWISE'; choice: 'A' | 'B' | 'TIE'; strength: number | null }
  | { kind: 'RANKING'; ranking: string[] }
  | { kind: 'RUBRIC'; candidateId: string; scores: Record<string, number> }
  | { kind: 'CORRECTION'; candidateId: string; text: string };

export interface StoredReview {
  reviewer: string;
  answer: Answer;
}

export interface Outcome {
  /** 0..1, or null where it means nothing (corrections). */
  agreement: number | null;
  /** The reviews disagree: an admin decides. */
  disputed: boolean;
  pairs: PreferencePair[];
  /** Candidates judged on their own (rubric means): KTO data. */
  labelled: { candidateId: string; score: number }[];
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

/** A rubric review's overall score: the mean of its criteria, rescaled to 1-5. */
export function rubricScore(scores: Record<string, number>, rubric: readonly Criterion[]): number {
  const parts = rubric.map((c) => (c.max === c.min ? 1 : ((scores[c.id] ?? c.min) - c.min) / (c.max - c.min)));
  return 1 + 4 * mean(parts);
}

/**
 * Agreement by kind:
 * - PAIRWISE: the share of reviews with the most common choice (2 reviewers: 1 or 0.5);
 * - RANKING: the mean support of the consensus pairs (share of rankings agreeing with each);
 * - RUBRIC: 1 − mean spread of the scores given to one candidate on one criterion, as a share of its range;
 * - CORRECTION: none (every correction is its own pair).
 * Reviews are disputed when agreement is below `minAgreement`.
 */
export function conclude(
  kind: Kind,
  ctx: { prompt: Turn[]; language: string },
  candidates: readonly Reply[],
  reviews: readonly StoredReview[],
  rubric: readonly Criterion[],
  minAgreement: number,
): Outcome {
  const none: Outcome = { agreement: null, disputed: false, pairs: [], labelled: [] };
  if (reviews.length === 0) return none;
  switch (kind) {
    case 'PAIRWISE': {
      const votes: Comparison[] = reviews.map((r) => {
        const a = r.answer as Extract<Answer, { kind: 'PAIRWISE' }>;
        return { reviewer: r.reviewer, choice: a.choice, strength: a.strength ?? 1 };
      });
      const counts = new Map<string, number>();
      for (const v of votes) counts.set(v.choice, (counts.get(v.choice) ?? 0) + 1);
      const agreement = Math.max(...counts.values()) / votes.length;
      const pairs = fromComparisons(ctx, [candidates[0]!, candidates[1]!], votes);
      return { agreement, disputed: agreement < minAgreement, pairs, labelled: [] };
    }
    case 'RANKING': {
      const ballots = reviews.map((r) => ({ reviewer: r.reviewer, ranking: (r.answer as Extract<Answer, { kind: 'RANKING' }>).ranking }));
      const consensus = rankedPairs(ballots);
      const agreement = consensus.pairs.length ? mean(consensus.pairs.map((p) => p.support / p.compared)) : 0;
      return { agreement, disputed: agreement < minAgreement, pairs: fromRankings(ctx, candidates, ballots), labelled: [] };
    }
    case 'RUBRIC': {
      const byCandidate = new Map<string, Map<string, number[]>>();
      const totals = new Map<string, number[]>();
      for (const r of reviews) {
        const a = r.answer as Extract<Answer, { kind: 'RUBRIC' }>;
        const crit = byCandidate.get(a.candidateId) ?? new Map<string, number[]>();
        byCandidate.set(a.candidateId, crit);
        for (const c of rubric) crit.set(c.id, [...(crit.get(c.id) ?? []), a.scores[c.id] ?? c.min]);
        totals.set(a.candidateId, [...(totals.get(a.candidateId) ?? []), rubricScore(a.scores, rubric)]);
      }
      const spreads: number[] = [];
      for (const crit of byCandidate.values()) {
        for (const c of rubric) {
          const xs = crit.get(c.id) ?? [];
          if (xs.length >= 2 && c.max > c.min) spreads.push((Math.max(...xs) - Math.min(...xs)) / (c.max - c.min));
        }
      }
      const agreement = spreads.length ? 1 - mean(spreads) : null;
      const rated = candidates.map((c) => ({ ...c, score: totals.has(c.id) ? mean(totals.get(c.id)!) : 0, ratings: totals.get(c.id)?.length ?? 0 }));
      return {
        agreement,
        disputed: agreement !== null && agreement < minAgreement,
        pairs: fromRatings(ctx, rated).map((p) => ({ ...p, agreement })),
        labelled: rated.filter((c) => c.ratings > 0).map((c) => ({ candidateId: c.id, score: c.score })),
      };
    }
    case 'CORRECTION': {
      const byId = new Map(candidates.map((c) => [c.id, c]));
      const pairs = reviews.flatMap((r) => {
        const a = r.answer as Extract<Answer, { kind: 'CORRECTION' }>;
        const original = byId.get(a.candidateId);
        return original ? fromCorrection(ctx, original, a.text) : [];
      });
      return { ...none, pairs };
    }
    default:
      throw new UnreachableCaseError(kind);
  }
}
