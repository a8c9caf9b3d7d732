import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';

export interface SamplingParams {
  /** 0 means greedy. */
  temperature: number;
  /** 1 disables nucleus sampling. */
  topP: number;
  /** 0 disables top-k. */
  topK: number;
  seed: number;
}

type Rng = ReturnType<typeof xoroshiro128plus>;

/**
 * Picks the next token from one row of logits. Each sequence owns its sampler, so a
 * seed gives the same reply whether the sequence decodes alone or in a batch.
 * `allowed` (1 = may be emitted) is applied before anything else.
 */
export class Sampler {
  private readonly rng: Rng;
  private readonly order: number[] = [];

  constructor(private readonly params: SamplingParams) {
    this.rng = xoroshiro128plus(params.seed | 0);
  }

  next(logits: Float32Array, offset: number, vocab: number, allowed: Uint8Array): number {
    const { temperature, topK, topP } = this.params;
    if (temperature === 0) {
      let best = -1;
      let bestV = -Infinity;
      for (let i = 0; i < vocab; i++) {
        const v = logits[offset + i]!;
        if (allowed[i] && v > bestV) {
          bestV = v;
          best = i;
        }
      }
      return best;
    }
    // Candidates within 30 temperature-scaled nats of the best: anything further has
    // probability below e^-30 relative to it, so large vocabularies need not be fully sorted.
    let max = -Infinity;
    for (let i = 0; i < vocab; i++) if (allowed[i] && logits[offset + i]! > max) max = logits[offset + i]!;
    if (!Number.isFinite(max)) return -1;
    const floor = max - 30 * temperature;
    const order = this.order;
    order.length = 0;
    for (let i = 0; i < vocab; i++) if (allowed[i] && logits[offset + i]! >= floor) order.push(i);
    order.sort((a, b) => logits[offset + b]! - logits[offset + a]!);
    const k = topK > 0 ? Math.min(topK, order.length) : order.length;
    const probs = new Float64Array(k);
    let sum = 0;
    for (let j = 0; j < k; j++) {
      probs[j] = Math.exp((logits[offset + order[j]!]! - max) / temperature);
      sum += probs[j]!;
    }
    let keep = k;
    if (topP < 1) {
      let cum = 0;
      for (let j = 0; j < k; j++) {
        cum += probs[j]! / sum;
        if (cum >= topP) {
          keep = j + 1;
          break;
        }
      }
    }
    let mass = 0;
    for (let j = 0; j < keep; j++) mass += probs[j]!;
    let r = uniformFloat64(this.rng) * mass;
    for (let j = 0; j < keep; j++) {
      r -= probs[j]!;
      if (r < 0) return order[j]!;
    }
    return order[keep - 1]!;
  }
}
