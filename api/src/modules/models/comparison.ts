import { winRate } from '@dialoop/feedback';
import { badInput } from '../../errors.js';
import type { ModelRegistry } from './registry.js';

/** Reviewers' pairwise choices between two versions (kept by the review module). */
export type HeadToHeadOf = (challenger: string, baseline: string) => Promise<{ wins: number; losses: number; ties: number; items: number }>;

/** The two versions a comparison is about: those named, or by default the canary against the active one. */
export async function versionPair(models: ModelRegistry, challengerId: string | null | undefined, baselineId: string | null | undefined) {
  const state = await models.rolloutState();
  const cid = challengerId ?? state.canary?.id;
  const bid = baselineId ?? state.active?.id;
  if (!cid) throw badInput('No challenger: name one, or set a canary', { field: 'challengerId' });
  if (!bid) throw badInput('No baseline: name one, or activate one', { field: 'baselineId' });
  return { challenger: await models.get(cid), baseline: await models.get(bid) };
}

/** The challenger's win rate against the baseline, with a confidence interval. */
export async function compareVersions(
  models: ModelRegistry,
  headToHead: HeadToHeadOf,
  input: { challengerId?: string | null | undefined; baselineId?: string | null | undefined; confidence: number },
) {
  if (!(input.confidence >= 0.5 && input.confidence < 1)) throw badInput('confidence must be at least 0.5 and below 1', { field: 'confidence' });
  const { challenger, baseline } = await versionPair(models, input.challengerId, input.baselineId);
  const h = await headToHead(challenger.name, baseline.name);
  const r = winRate(h, input.confidence);
  models.observeComparison(challenger.name, baseline.name, r);
  return { challenger, baseline, ...r, winRate: r.rate, items: h.items };
}
