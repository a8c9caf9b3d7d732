import { dashboard, quantiles, stat, timeseries } from './build.js';

const HITS = 'dialoop_api_safety_hits_total';

/** The content safety filter: term hits by level, direction and category, escalations, and the filter's delay. */
export const safety = dashboard({
  uid: 'dialoop-safety',
  title: 'Dialoop / Safety',
  description: 'The safety filter: term hits (BLOCK, MASK, REVIEW) on prompts (INPUT) and replies (OUTPUT), escalations of conversation monitoring, and the delay the stream filter adds.',
  rows: [
    {
      title: 'Hits',
      panels: [
        stat({
          title: 'BLOCK hits/s (10m)',
          description: 'Refused prompts and stopped replies per second over 10 minutes, both directions.',
          unit: 'short',
          queries: [{ expr: 'sum(dialoop:api_safety_block_hits:rate10m)' }],
        }),
        stat({ title: 'MASK hits/s', description: 'Masked terms per second, both directions.', unit: 'short', queries: [{ expr: `sum(rate(${HITS}{level="MASK"}[$__rate_interval]))` }] }),
        stat({ title: 'REVIEW hits/s', description: 'Terms flagged for review per second, both directions.', unit: 'short', queries: [{ expr: `sum(rate(${HITS}{level="REVIEW"}[$__rate_interval]))` }] }),
        stat({ title: 'Escalations (1h)', description: 'Conversation monitoring steps taken (WARN, SLOW, LOCK, REVIEW) in the last hour.', unit: 'short', queries: [{ expr: 'sum(increase(dialoop_api_safety_escalations_total[1h]))' }] }),
        timeseries({
          title: 'Hits by level and direction',
          description: 'Term hits per second: INPUT (prompts) and OUTPUT (replies), by level.',
          unit: 'short',
          stack: true,
          queries: [{ expr: `sum by (level, direction) (rate(${HITS}[$__rate_interval]))`, legend: '{{level}} {{direction}}' }],
        }),
        timeseries({
          title: 'BLOCK hits against the day before',
          description:
            'BLOCK hits per second over 10 minutes by direction, and three times the previous day’s rate: DialoopSafetyBlockSurge fires when the first stays above the second (and above 0.1/s) for 5 minutes.',
          unit: 'short',
          queries: [
            { expr: 'dialoop:api_safety_block_hits:rate10m', legend: '{{direction}}' },
            { expr: `3 * sum by (direction) (rate(${HITS}{level="BLOCK"}[1d] offset 10m))`, legend: '{{direction}}: 3× the day before' },
          ],
        }),
        timeseries({
          title: 'Hits by category',
          description: 'Term hits per second by the terms’ category, every level and direction.',
          unit: 'short',
          stack: true,
          queries: [{ expr: `sum by (category) (rate(${HITS}[$__rate_interval]))`, legend: '{{category}}' }],
        }),
      ],
    },
    {
      title: 'Monitoring and delay',
      panels: [
        timeseries({
          title: 'Escalations by step',
          description: 'WARN, SLOW, LOCK and REVIEW steps taken by conversation monitoring (SAFETY_*_AT hits in SAFETY_WINDOW_S).',
          unit: 'short',
          bars: true,
          queries: [{ expr: 'sum by (step) (increase(dialoop_api_safety_escalations_total[$__rate_interval]))', legend: '{{step}}' }],
        }),
        timeseries({
          title: 'Stream filter hold-back',
          description: 'How long the filter held each upstream delta before its last character went out: enough text that no blocked term leaks across tokens.',
          unit: 's',
          queries: quantiles('dialoop_api_safety_holdback_seconds', ''),
        }),
      ],
    },
  ],
});
