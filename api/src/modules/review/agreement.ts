import type { PrismaClient } from '@dialoop/db';
import { cohenKappa, krippendorffAlpha, reviewerAgreement } from '@dialoop/feedback';
import type { Answer } from './conclude.js';
import { itemWhere, type ItemFilter } from './items.js';

/**
 * Agreement over the items the filter selects (reviews, not adjudications): Krippendorff's
 * alpha (nominal) on choices — a pairwise choice, a ranking's top candidate — and (ordinal) on
 * rubric scores, Cohen's kappa for every two reviewers on the choices they share, and per
 * reviewer their mean kappa and the alpha without them.
 */
export async function agreementReport(db: PrismaClient, filter: ItemFilter) {
  const items = await db.reviewItem.findMany({
    where: { ...itemWhere(filter), reviewCount: { gt: 0 } },
    include: { reviews: { where: { adjudication: false } }, candidates: true },
  });
  const choices = new Map<string, Map<string, string>>(); // reviewer → unit → label
  const scores = new Map<string, Map<string, number>>();
  let reviews = 0;
  const reviewsBy = new Map<string, number>();
  for (const item of items) {
    for (const r of item.reviews) {
      reviews++;
      reviewsBy.set(r.reviewerPseudonym, (reviewsBy.get(r.reviewerPseudonym) ?? 0) + 1);
      const a = r.answer as unknown as Answer;
      const put = <L>(m: Map<string, Map<string, L>>, unit: string, label: L) => {
        const row = m.get(r.reviewerPseudonym) ?? new Map<string, L>();
        m.set(r.reviewerPseudonym, row);
        row.set(unit, label);
      };
      if (a.kind === 'PAIRWISE') put(choices, item.id, a.choice);
      else if (a.kind === 'RANKING') put(choices, item.id, `#${item.candidates.find((c) => c.id === a.ranking[0])?.position ?? '?'}`);
      else if (a.kind === 'RUBRIC') for (const [criterion, v] of Object.entries(a.scores)) put(scores, `${item.id}/${a.candidateId}/${criterion}`, v);
    }
  }
  const alphaOf = <L extends string | number>(m: Map<string, Map<string, L>>, level: 'nominal' | 'ordinal', without?: string) => {
    const coders = [...m.keys()].filter((k) => k !== without);
    const units = [...new Set(coders.flatMap((c) => [...m.get(c)!.keys()]))];
    const matrix = units.map((u) => coders.map((c) => m.get(c)!.get(u) ?? null));
    const v = krippendorffAlpha(matrix, level);
    return Number.isFinite(v) ? v : null;
  };
  const reviewers = [...new Set([...choices.keys(), ...scores.keys()])].sort();
  const kappa: { reviewerA: string; reviewerB: string; items: number; kappa: number | null }[] = [];
  for (let i = 0; i < reviewers.length; i++) {
    for (let j = i + 1; j < reviewers.length; j++) {
      const a = choices.get(reviewers[i]!) ?? new Map<string, string>();
      const b = choices.get(reviewers[j]!) ?? new Map<string, string>();
      const shared = [...a.keys()].filter((u) => b.has(u));
      if (shared.length === 0) continue;
      kappa.push({
        reviewerA: reviewers[i]!,
        reviewerB: reviewers[j]!,
        items: shared.length,
        kappa: shared.length >= 2 ? cohenKappa(shared.map((u) => a.get(u)!), shared.map((u) => b.get(u)!)) : null,
      });
    }
  }
  const per = new Map(reviewerAgreement(choices).map((r) => [r.reviewer, r]));
  return {
    items: items.length,
    reviews,
    choiceAlpha: alphaOf(choices, 'nominal'),
    scoreAlpha: alphaOf(scores, 'ordinal'),
    kappa,
    reviewers: reviewers.map((r) => ({
      reviewer: r,
      reviews: reviewsBy.get(r) ?? 0,
      meanKappa: per.get(r)?.meanKappa ?? null,
      pairs: per.get(r)?.pairs ?? 0,
      alphaWithout: choices.has(r) ? alphaOf(choices, 'nominal', r) : null,
    })),
  };
}
