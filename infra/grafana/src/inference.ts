import { dashboard, labelVariable, quantiles, stat, timeseries } from './build.js';

const M = '{model=~"$model"}';

/** The inference servers (job dialoop-inference): throughput, batching and queue, latency, memory. */
export const inference = dashboard({
  uid: 'dialoop-inference',
  title: 'Dialoop / Inference',
  description: 'The inference servers: tokens per second, batch size, queue, time to first token, inter-token latency and memory, by model.',
  variables: [labelVariable('model', 'Model', 'dialoop_inference_generated_tokens_total')],
  rows: [
    {
      title: 'Throughput',
      panels: [
        stat({ title: 'Servers up', description: 'Inference servers Prometheus scrapes successfully (DialoopInferenceDown fires for one down a minute).', unit: 'short', queries: [{ expr: 'sum(up{job="dialoop-inference"})' }] }),
        stat({ title: 'Generated tokens/s', description: 'All servers, the selected models, over the last minute.', unit: 'short', queries: [{ expr: `sum(dialoop:inference_generated_tokens:rate1m${M})` }] }),
        stat({ title: 'Running sequences', description: 'Sequences in the running batches of every server.', unit: 'short', queries: [{ expr: `sum(dialoop_inference_running_sequences${M})` }] }),
        stat({
          title: 'Queued sequences',
          description: 'Sequences waiting for a batch slot: above zero only when every slot (INFERENCE_MAX_BATCH) is busy.',
          unit: 'short',
          redAbove: 1,
          queries: [{ expr: `sum(dialoop_inference_queued_sequences${M})` }],
        }),
        timeseries({
          title: 'Tokens/s by model',
          description: 'Generated tokens per second (and prompt tokens read) by model, over every server.',
          unit: 'short',
          queries: [
            { expr: `dialoop:inference_generated_tokens:rate1m${M}`, legend: '{{model}} generated' },
            { expr: `sum by (model) (rate(dialoop_inference_prompt_tokens_total${M}[$__rate_interval]))`, legend: '{{model}} prompt' },
          ],
        }),
        timeseries({
          title: 'Tokens/s by server',
          description: 'Generated tokens per second by server: the balancer should spread load over them.',
          unit: 'short',
          stack: true,
          queries: [{ expr: `sum by (instance) (rate(dialoop_inference_generated_tokens_total${M}[$__rate_interval]))`, legend: '{{instance}}' }],
        }),
        timeseries({
          title: 'Sequences finished by reason',
          description: 'stop (end of turn), length (max_tokens) and cancelled (the client went away) per second.',
          unit: 'reqps',
          stack: true,
          queries: [{ expr: `sum by (finish_reason) (rate(dialoop_inference_sequences_total${M}[$__rate_interval]))`, legend: '{{finish_reason}}' }],
        }),
      ],
    },
    {
      title: 'Batching and queue',
      panels: [
        timeseries({
          title: 'Batch size',
          description: 'Sequences served by one decode step: the mean and the p99. Near INFERENCE_MAX_BATCH with a queue means more capacity is needed.',
          unit: 'short',
          queries: [
            {
              expr: `sum by (model) (rate(dialoop_inference_batch_size_sum${M}[$__rate_interval])) / sum by (model) (rate(dialoop_inference_batch_size_count${M}[$__rate_interval]))`,
              legend: '{{model}} mean',
            },
            { expr: `histogram_quantile(0.99, sum by (model, le) (rate(dialoop_inference_batch_size_bucket${M}[$__rate_interval])))`, legend: '{{model}} p99' },
          ],
        }),
        timeseries({
          title: 'Running and queued sequences',
          description: 'By server: running (in the batch) and queued (waiting for a slot).',
          unit: 'short',
          queries: [
            { expr: `sum by (instance) (dialoop_inference_running_sequences${M})`, legend: '{{instance}} running' },
            { expr: `sum by (instance) (dialoop_inference_queued_sequences${M})`, legend: '{{instance}} queued' },
          ],
        }),
        timeseries({
          title: 'Requests refused (queue full)',
          description: '429s per second: the queue (INFERENCE_MAX_QUEUE) was full. The api puts these replies back in its reply queue.',
          unit: 'reqps',
          redAbove: 0,
          queries: [{ expr: `sum by (instance) (rate(dialoop_inference_rejected_requests_total${M}[$__rate_interval]))`, legend: '{{instance}}' }],
        }),
      ],
    },
    {
      title: 'Latency',
      panels: [
        timeseries({
          title: 'Time to first token',
          description: 'From a request being queued on the server to its first token; the p99 over 5 minutes is a recording rule.',
          unit: 's',
          queries: [
            { expr: `histogram_quantile(0.5, sum by (model, le) (rate(dialoop_inference_time_to_first_token_seconds_bucket${M}[$__rate_interval])))`, legend: '{{model}} p50' },
            { expr: `dialoop:inference_time_to_first_token_seconds:p99_5m${M}`, legend: '{{model}} p99 (5m)' },
          ],
        }),
        timeseries({
          title: 'Inter-token latency',
          description: 'Time between consecutive tokens of one sequence. DialoopInterTokenLatencyHigh fires when the 5-minute p99 stays over 200 ms.',
          unit: 's',
          redAbove: 0.2,
          queries: [
            { expr: `histogram_quantile(0.5, sum by (model, le) (rate(dialoop_inference_inter_token_latency_seconds_bucket${M}[$__rate_interval])))`, legend: '{{model}} p50' },
            { expr: `dialoop:inference_inter_token_latency_seconds:p99_5m${M}`, legend: '{{model}} p99 (5m)' },
          ],
        }),
        timeseries({
          title: 'Model step time (p99)',
          description: 'One model step, by phase: prefill (reading prompts) and decode (one token for every sequence in the batch).',
          unit: 's',
          queries: [{ expr: `histogram_quantile(0.99, sum by (phase, le) (rate(dialoop_inference_step_seconds_bucket${M}[$__rate_interval])))`, legend: '{{phase}}' }],
        }),
        timeseries({
          title: 'Cancel to free',
          description: 'From a cancellation (the client disconnected) to its batch slot being free: within one decode step.',
          unit: 's',
          queries: quantiles('dialoop_inference_cancel_to_free_seconds', M),
        }),
      ],
    },
    {
      title: 'Memory and KV cache',
      panels: [
        timeseries({
          title: 'Server memory',
          description:
            'Resident memory of each server process, and the memory outside the JavaScript heap, where onnxruntime keeps the KV cache on CPU. ' +
            '(A GPU server keeps its KV cache in GPU memory, which no metric shows yet.)',
          unit: 'bytes',
          queries: [
            { expr: 'dialoop_inference_process_resident_memory_bytes', legend: '{{instance}} resident' },
            { expr: 'dialoop_inference_nodejs_external_memory_bytes', legend: '{{instance}} outside the heap' },
          ],
        }),
        timeseries({
          title: 'KV cache memory',
          description:
            'Bytes the running batch’s KV cache holds, by server and model: keys and values of every layer for every row, with the slack allocated ahead. ' +
            'It grows with batch size and context length, and drops to 0 when a batch ends.',
          unit: 'bytes',
          queries: [{ expr: `sum by (instance, model) (dialoop_inference_kv_cache_bytes${M})`, legend: '{{instance}} {{model}}' }],
        }),
        timeseries({
          title: 'Prefix cache',
          description:
            'Prompts that started from cached keys and values (the next turn of a conversation, a regenerate, a shared system prompt) and prompts that found none, per second; ' +
            'and the prompt tokens per second not prefilled thanks to it. Few hits with long conversations: INFERENCE_PREFIX_CACHE_MB may be too small (see its evictions).',
          unit: 'short',
          queries: [
            { expr: `sum by (model) (rate(dialoop_inference_prefix_cache_hits_total${M}[$__rate_interval]))`, legend: '{{model}} hits/s' },
            { expr: `sum by (model) (rate(dialoop_inference_prefix_cache_misses_total${M}[$__rate_interval]))`, legend: '{{model}} misses/s' },
            { expr: `sum by (model) (rate(dialoop_inference_prefix_cache_reused_tokens_total${M}[$__rate_interval]))`, legend: '{{model}} tokens reused/s' },
            { expr: `sum by (model) (rate(dialoop_inference_prefix_cache_evictions_total${M}[$__rate_interval]))`, legend: '{{model}} evictions/s' },
          ],
        }),
        timeseries({
          title: 'Prefix cache memory',
          description: 'Bytes of keys and values the prefix cache holds, by server and model; bounded by INFERENCE_PREFIX_CACHE_MB per model.',
          unit: 'bytes',
          queries: [{ expr: `sum by (instance, model) (dialoop_inference_prefix_cache_bytes${M})`, legend: '{{instance}} {{model}}' }],
        }),
        timeseries({
          title: 'KV cache repack time',
          description: 'Time spent copying the batch KV cache when sequences join or leave a batch: it grows with context length and batch size.',
          unit: 's',
          queries: quantiles('dialoop_inference_kv_repack_seconds', M),
        }),
        timeseries({
          title: 'KV cache repacks/s',
          description: 'How often batches change (a sequence joins or leaves).',
          unit: 'ops',
          queries: [{ expr: `sum by (instance) (rate(dialoop_inference_kv_repack_seconds_count${M}[$__rate_interval]))`, legend: '{{instance}}' }],
        }),
      ],
    },
  ],
});
