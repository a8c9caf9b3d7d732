import { dashboard, stat, timeseries } from './build.js';

const ITEMS = 'dialoop_api_review_items';

/**
 * The review queue and reviewers' agreement, from the api: items by status (counted every 30 s
 * at most, when /metrics is read), reviews by kind, and the agreement last computed over the whole queue.
 */
export const review = dashboard({
  uid: 'dialoop-review',
  title: 'Dialoop / Review queue and agreement',
  description:
    'The review queue: items waiting for candidates, open for review, waiting for an admin’s decision, and done; reviews submitted by kind; ' +
    'and reviewers’ agreement (Krippendorff’s alpha) as last computed over the whole queue (reviewAgreement without a filter, e.g. the console’s agreement page).',
  rows: [
    {
      title: 'Queue',
      panels: [
        stat({ title: 'Open items', description: 'Items open for review (OPEN): what reviewers can claim.', unit: 'short', queries: [{ expr: `max(${ITEMS}{status="OPEN"})` }] }),
        stat({
          title: 'Waiting for an admin',
          description: 'Items whose reviews disagree (below REVIEW_MIN_AGREEMENT), waiting for an adjudication (ADJUDICATION).',
          unit: 'short',
          queries: [{ expr: `max(${ITEMS}{status="ADJUDICATION"})` }],
        }),
        stat({
          title: 'Waiting for candidates',
          description: 'Items whose candidate replies are still being generated (PENDING): many and rising means the inference servers are short.',
          unit: 'short',
          queries: [{ expr: `max(${ITEMS}{status="PENDING"})` }],
        }),
        stat({ title: 'Done', description: 'Items concluded (DONE): their preference pairs and labels feed dataset versions.', unit: 'short', queries: [{ expr: `max(${ITEMS}{status="DONE"})` }] }),
        timeseries({
          title: 'Items by status',
          description: 'The queue over time (every api process reports the same database: the highest is shown). OPEN rising while DONE stays flat: reviewers are short.',
          unit: 'short',
          width: 12,
          queries: [{ expr: `max by (status) (${ITEMS})`, legend: '{{status}}' }],
        }),
        timeseries({
          title: 'Items concluded/s',
          description: 'Items that reached DONE per second (from the counts: an item made and concluded between two reads does not show).',
          unit: 'ops',
          width: 12,
          queries: [{ expr: `clamp_min(deriv(max(${ITEMS}{status="DONE"})[15m:]), 0)`, legend: 'DONE' }],
        }),
      ],
    },
    {
      title: 'Reviews and agreement',
      panels: [
        timeseries({
          title: 'Reviews by kind',
          width: 12,
          description: 'Reviews submitted per minute by kind: PAIRWISE, RANKING, RUBRIC (a claim complete), CORRECTION, SKIP (a claim given back), ADJUDICATION (an admin’s decision).',
          unit: 'short',
          stack: true,
          bars: true,
          queries: [{ expr: 'sum by (kind) (increase(dialoop_api_reviews_total[$__rate_interval]))', legend: '{{kind}}' }],
        }),
        timeseries({
          title: 'Reviewer agreement',
          description:
            'Krippendorff’s alpha over the whole queue when last computed: choice_alpha (nominal: pairwise choices, rankings’ top candidate) and score_alpha (ordinal: rubric scores). ' +
            '1 is full agreement, 0 chance; below about 0.67 the labels are weak. Empty until someone computes agreement over two reviewers’ shared items.',
          unit: 'short',
          width: 12,
          max: 1,
          queries: [{ expr: 'max by (measure) (dialoop_api_review_agreement)', legend: '{{measure}}' }],
        }),
        timeseries({
          title: 'Generated candidates rejected',
          description:
            'Generated candidates not put before reviewers per minute, by reason: empty, unfinished (the token limit), fragment, repetitive, duplicate (the same as another candidate), blocked (the content filter). ' +
            'Another is generated at once; when every try is unfit the item waits for the next sweep. An arena candidate whose model answers as the reply did counts as a duplicate; a steady rate of the other reasons means the model (or its settings) makes poor second candidates.',
          unit: 'short',
          width: 24,
          stack: true,
          bars: true,
          queries: [{ expr: 'sum by (reason) (increase(dialoop_api_review_candidates_rejected_total[$__rate_interval]))', legend: '{{reason}}' }],
        }),
      ],
    },
  ],
});
