import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

const latencyBuckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** Prometheus metrics of the inference server, labelled by model id. */
export function createMetrics(registry = new Registry()) {
  collectDefaultMetrics({ register: registry, prefix: 'dialoop_inference_' });
  const labelNames = ['model'] as const;
  return {
    registry,
    timeToFirstToken: new Histogram({
      name: 'dialoop_inference_time_to_first_token_seconds',
      help: 'Time from a request being queued to its first generated token',
      labelNames, buckets: latencyBuckets, registers: [registry],
    }),
    interTokenLatency: new Histogram({
      name: 'dialoop_inference_inter_token_latency_seconds',
      help: 'Time between consecutive tokens of one sequence',
      labelNames, buckets: latencyBuckets, registers: [registry],
    }),
    tokensGenerated: new Counter({
      name: 'dialoop_inference_generated_tokens_total',
      help: 'Tokens generated', labelNames, registers: [registry],
    }),
    promptTokens: new Counter({
      name: 'dialoop_inference_prompt_tokens_total',
      help: 'Prompt tokens processed', labelNames, registers: [registry],
    }),
    requests: new Counter({
      name: 'dialoop_inference_sequences_total',
      help: 'Sequences finished, by finish reason', labelNames: ['model', 'finish_reason'], registers: [registry],
    }),
    running: new Gauge({
      name: 'dialoop_inference_running_sequences',
      help: 'Sequences in the running batch', labelNames, registers: [registry],
    }),
    queued: new Gauge({
      name: 'dialoop_inference_queued_sequences',
      help: 'Sequences waiting for a batch slot', labelNames, registers: [registry],
    }),
    batchSize: new Histogram({
      name: 'dialoop_inference_batch_size',
      help: 'Sequences served by one decode step', labelNames,
      buckets: [1, 2, 4, 8, 16, 32, 64], registers: [registry],
    }),
    stepTime: new Histogram({
      name: 'dialoop_inference_step_seconds',
      help: 'Duration of one model step', labelNames: ['model', 'phase'], buckets: latencyBuckets, registers: [registry],
    }),
    kvRepack: new Histogram({
      name: 'dialoop_inference_kv_repack_seconds',
      help: 'Time spent copying the batch KV cache when sequences join or leave', labelNames,
      buckets: latencyBuckets, registers: [registry],
    }),
    kvCacheBytes: new Gauge({
      name: 'dialoop_inference_kv_cache_bytes',
      help: 'Bytes held by the running batch\'s KV cache (keys and values of every layer, slack included), outside the JS heap',
      labelNames, registers: [registry],
    }),
    cancelToFree: new Histogram({
      name: 'dialoop_inference_cancel_to_free_seconds',
      help: 'Time from a cancellation (client disconnect) to the slot being freed', labelNames,
      buckets: latencyBuckets, registers: [registry],
    }),
    prefixHits: new Counter({
      name: 'dialoop_inference_prefix_cache_hits_total',
      help: 'Prompts whose first positions were taken from the prefix cache', labelNames, registers: [registry],
    }),
    prefixMisses: new Counter({
      name: 'dialoop_inference_prefix_cache_misses_total',
      help: 'Prompts that found no cached prefix (with the prefix cache on)', labelNames, registers: [registry],
    }),
    prefixReusedTokens: new Counter({
      name: 'dialoop_inference_prefix_cache_reused_tokens_total',
      help: 'Prompt tokens not prefilled because their keys and values came from the prefix cache', labelNames, registers: [registry],
    }),
    prefixBytes: new Gauge({
      name: 'dialoop_inference_prefix_cache_bytes',
      help: 'Bytes of keys and values held by the prefix cache (bounded by INFERENCE_PREFIX_CACHE_MB)', labelNames, registers: [registry],
    }),
    prefixEntries: new Gauge({
      name: 'dialoop_inference_prefix_cache_entries',
      help: 'Token sequences held by the prefix cache', labelNames, registers: [registry],
    }),
    prefixEvictions: new Counter({
      name: 'dialoop_inference_prefix_cache_evictions_total',
      help: 'Prefix cache entries evicted, least recently used first, to stay within the bound', labelNames, registers: [registry],
    }),
    modelInfo: new Gauge({
      name: 'dialoop_inference_model_info',
      help: 'A served model (value 1): the weights of the ONNX graph it runs (precision: fp32, int8) and the execution provider (device: cpu, cuda)',
      labelNames: ['model', 'precision', 'device'] as const, registers: [registry],
    }),
    rejected: new Counter({
      name: 'dialoop_inference_rejected_requests_total',
      help: 'Requests refused because the queue was full', labelNames, registers: [registry],
    }),
  };
}

export type Metrics = ReturnType<typeof createMetrics>;
