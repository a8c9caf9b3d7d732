import type { SamplingParams } from './sampler.js';

export type FinishReason = 'stop' | 'length' | 'cancelled';

export interface GenerationRequest {
  promptIds: number[];
  /** Most tokens to generate (the end-of-sequence token included). */
  maxTokens: number;
  sampling: SamplingParams;
  /** Stop strings, matched across token boundaries; not included in the output. */
  stop: readonly string[];
  /** Keep generating through end-of-sequence tokens (benchmarks). */
  ignoreEos?: boolean;
}

export interface GenerationResult {
  finishReason: FinishReason;
  promptTokens: number;
  completionTokens: number;
  /** Seconds from enqueue to the first token. */
  timeToFirstToken: number | null;
  /** Completion tokens per second after the first token. */
  tokensPerSecond: number | null;
}

export interface GenerationCallbacks {
  /** Text that may be shown; never a partial character or part of a stop string. */
  onText(text: string): void;
  onFinish(result: GenerationResult): void;
  onError(error: Error): void;
}

/** A caller's handle on one sequence. */
export interface SequenceHandle {
  readonly id: number;
  /** Leaves the batch at the next step boundary; onFinish reports `cancelled`. */
  cancel(): void;
}
