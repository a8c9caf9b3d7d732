import { describe, expect, it } from 'vitest';
import { sumSamples } from './prometheus.js';

describe('sumSamples', () => {
  it('sums a metric over its label sets, skipping comments, other metrics and unreadable values', () => {
    const text = [
      '# HELP dialoop_inference_running_sequences Sequences in the running batch',
      '# TYPE dialoop_inference_running_sequences gauge',
      'dialoop_inference_running_sequences{model="a"} 2',
      'dialoop_inference_running_sequences{model="b } \\" {"} 3 1712345678000',
      'dialoop_inference_running_sequences_extra 100',
      'dialoop_inference_generated_tokens_total 12.5e3',
      'dialoop_inference_queued_sequences{model="a"} NaN',
      '# TYPE dialoop_inference_rejected_requests_total counter',
      '',
    ].join('\n');
    const names = ['dialoop_inference_running_sequences', 'dialoop_inference_generated_tokens_total', 'dialoop_inference_queued_sequences', 'dialoop_inference_rejected_requests_total', 'vllm:num_requests_running'];
    expect(Object.fromEntries(sumSamples(text, names))).toEqual({
      dialoop_inference_running_sequences: 5,
      dialoop_inference_generated_tokens_total: 12_500,
      // Declared, no sample yet: 0; not declared at all: absent.
      dialoop_inference_rejected_requests_total: 0,
    });
  });
});
