import { dashboard, labelVariable, stat, timeseries } from './build.js';

const M = '{model=~"$model"}';
const SEQ = 'dialoop_inference_sequences_total';

/**
 * Model rollout, seen from the inference servers: each model version is served under its own
 * model id, so the active version and its canary compare side by side.
 */
export const rollout = dashboard({
  uid: 'dialoop-rollout',
  title: 'Dialoop / Model rollout',
  description:
    'Model versions side by side as the inference servers see them: traffic share (the canary’s share), latency, finish reasons and reply length by model. ' +
    'Win rates of a canary against the active version are read in the console (model comparisons): the api exports no metric of them yet.',
  variables: [labelVariable('model', 'Model', 'dialoop_inference_generated_tokens_total')],
  rows: [
    {
      title: 'Traffic',
      panels: [
        stat({ title: 'Models served', description: 'Model ids loaded on at least one inference server.', unit: 'short', queries: [{ expr: 'count(count by (model) (dialoop_inference_running_sequences))' }] }),
        stat({
          title: 'Replicas per model (fewest)',
          description: 'The fewest inference servers serving any one model: a version served by one replica has no failover.',
          unit: 'short',
          queries: [{ expr: 'min(count by (model) (dialoop_inference_running_sequences))' }],
        }),
        timeseries({
          title: 'Traffic share by model',
          description: 'Each model’s share of the sequences finished: a canary at 10% should sit near 0.1 once enough people start new conversations.',
          unit: 'percentunit',
          min: 0,
          max: 1,
          width: 12,
          queries: [
            {
              expr: `sum by (model) (rate(${SEQ}${M}[$__rate_interval])) / ignoring (model) group_left () sum(rate(${SEQ}[$__rate_interval]))`,
              legend: '{{model}}',
            },
          ],
        }),
        timeseries({
          title: 'Replies/s by model',
          description: 'Sequences finished per second by model, every finish reason.',
          unit: 'reqps',
          width: 12,
          queries: [{ expr: `sum by (model) (rate(${SEQ}${M}[$__rate_interval]))`, legend: '{{model}}' }],
        }),
      ],
    },
    {
      title: 'Quality of service by model',
      panels: [
        timeseries({
          title: 'Time to first token p99 by model',
          description: '5-minute p99 (recording rule) by model: a canary slower than the active version shows here first.',
          unit: 's',
          queries: [{ expr: `dialoop:inference_time_to_first_token_seconds:p99_5m${M}`, legend: '{{model}}' }],
        }),
        timeseries({
          title: 'Inter-token latency p99 by model',
          description: '5-minute p99 (recording rule) by model; DialoopInterTokenLatencyHigh fires over 200 ms.',
          unit: 's',
          redAbove: 0.2,
          queries: [{ expr: `dialoop:inference_inter_token_latency_seconds:p99_5m${M}`, legend: '{{model}}' }],
        }),
        timeseries({
          title: 'Finish reasons by model',
          description: 'The share of sequences that stopped by themselves (stop), hit max_tokens (length) or were cancelled: a canary that runs to length more often rambles.',
          unit: 'percentunit',
          queries: [
            {
              expr: `sum by (model, finish_reason) (rate(${SEQ}${M}[$__rate_interval])) / ignoring (finish_reason) group_left () sum by (model) (rate(${SEQ}${M}[$__rate_interval]))`,
              legend: '{{model}} {{finish_reason}}',
            },
          ],
        }),
        timeseries({
          title: 'Mean reply length by model',
          description: 'Generated tokens per finished sequence.',
          unit: 'short',
          queries: [
            {
              expr: `sum by (model) (rate(dialoop_inference_generated_tokens_total${M}[$__rate_interval])) / sum by (model) (rate(${SEQ}${M}[$__rate_interval]))`,
              legend: '{{model}}',
            },
          ],
        }),
        timeseries({
          title: 'Tokens/s by model',
          description: 'Generated tokens per second by model over the last minute (recording rule).',
          unit: 'short',
          queries: [{ expr: `dialoop:inference_generated_tokens:rate1m${M}`, legend: '{{model}}' }],
        }),
      ],
    },
  ],
});
