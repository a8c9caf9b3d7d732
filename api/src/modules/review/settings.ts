import type { Criterion } from '@dialoop/feedback';
import type { LastCollection } from './collect.js';
import type { Source } from './items.js';
import type { ReviewSettings } from './options.js';

/** One source of review items as configured (nothing here is a setting of its own: each comes from ReviewSettings). */
export interface SourceSetting {
  source: Source;
  /** Swept by collection (else made by an admin's mutation). */
  collected: boolean;
  enabled: boolean;
  /** SAMPLE: the share of conversations sampled. */
  share: number | null;
  /** LOW_RATING: a score at or below this (or a thumb down). */
  lowScore: number | null;
  description: string;
}

export interface ReviewSettingsView {
  rubric: Criterion[];
  reviewsPerItem: number;
  minAgreement: number;
  leaseSeconds: number;
  collectIntervalSeconds: number;
  arenaModels: string[];
  sources: SourceSetting[];
  lastCollection: LastCollection | null;
}

/** The review queue's configuration as the console shows it, and this process's last sweep. */
export function settingsView(s: ReviewSettings, last: LastCollection | null): ReviewSettingsView {
  const source = (source: Source, collected: boolean, enabled: boolean, description: string, extra: Partial<Pick<SourceSetting, 'share' | 'lowScore'>> = {}): SourceSetting => ({
    source,
    collected,
    enabled,
    share: extra.share ?? null,
    lowScore: extra.lowScore ?? null,
    description,
  });
  return {
    rubric: s.rubric,
    reviewsPerItem: s.perItem,
    minAgreement: s.minAgreement,
    leaseSeconds: s.leaseSeconds,
    collectIntervalSeconds: s.collectIntervalSeconds,
    arenaModels: s.arenaModels,
    sources: [
      source('SIBLINGS', true, true, 'Prompts with two or more complete replies (regenerations)'),
      source('LOW_RATING', true, true, `Replies thumbed down or scored ${s.lowScore} or lower (REVIEW_LOW_SCORE)`, { lowScore: s.lowScore }),
      source('SAFETY', true, true, 'Prompts or replies the content filter flagged at level REVIEW'),
      source('SAMPLE', true, s.sampleShare > 0, `A share of conversations, chosen by a hash of their id (REVIEW_SAMPLE_SHARE; 0 turns it off)`, { share: s.sampleShare }),
      source('MANUAL', false, true, 'Made by an admin (createReviewItem)'),
      source('ARENA', false, true, 'Two model versions head to head (createArenaItems)'),
    ],
    lastCollection: last,
  };
}
