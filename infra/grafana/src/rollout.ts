import { dashboard, labelVariable, stat, timeseries } from './build.js';

const M = '{model=~"$model"}';
const SEQ = 'dialoop_inference_sequences_total';

/**
 * Training and model rollout: the canary's share and win rate (from the api), training runs and
 * dataset builds; then each model version as the inference servers see it (served under its own
 * model id), so the active version and its canary compare side by side.
 */
export const rollout = dashboard({
  uid: 'dialoop-rollout',
  title: 'Dialoop / Training and model rollout',
  description:
    'The canary: its share of people and its win rate against the baseline as reviewers judged it (the last comparison computed); training runs and dataset builds by outcome; ' +
    'then model versions side by side as the inference servers see them: traffic share, latency, finish reasons and reply length by model.',
  variables: [labelVariable('model', 'Model', 'dialoop_inference_generated_tokens_total')],
  rows: [
    {
      title: 'Canary and training',
      panels: [
        timeseries({
          title: 'Share of people by version',
          description: 'The share of the people starting a conversation each version in traffic gets (the registry’s rollout): the canary its share, the active version the rest.',
          unit: 'percentunit',
          min: 0,
          max: 1,
          width: 6,
          queries: [{ expr: 'max by (version) (dialoop_api_model_canary_share)', legend: '{{version}}' }],
        }),
        timeseries({
          title: 'Win rate against the baseline',
          description:
            'The last comparison computed (compareModelVersions, e.g. the console’s rollout page) of a candidate against a baseline, from reviewers’ head-to-head choices: ' +
            'the estimate and its confidence interval. DialoopCanaryWorse fires when the upper bound of a version in traffic is below 0.5.',
          unit: 'percentunit',
          min: 0,
          max: 1,
          width: 6,
          redAbove: 0.5,
          queries: [{ expr: 'max by (candidate, baseline, bound) (dialoop_api_model_comparison_win_rate)', legend: '{{candidate}} vs {{baseline}} {{bound}}' }],
        }),
        timeseries({
          title: 'Training runs ended',
          description: 'Training runs that ended, by status and executor, per interval. DialoopTrainingRunFailed fires for a FAILED one.',
          unit: 'short',
          width: 6,
          bars: true,
          queries: [{ expr: 'sum by (status, executor) (increase(dialoop_api_training_runs_total[$__rate_interval]))', legend: '{{status}} {{executor}}' }],
        }),
        timeseries({
          title: 'Dataset builds ended',
          description: 'Dataset version builds that ended, READY or FAILED, per interval. DialoopDatasetBuildFailed fires for a FAILED one.',
          unit: 'short',
          width: 6,
          bars: true,
          queries: [{ expr: 'sum by (status) (increase(dialoop_api_dataset_builds_total[$__rate_interval]))', legend: '{{status}}' }],
        }),
      ],
    },
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
