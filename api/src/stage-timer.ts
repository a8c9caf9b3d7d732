import type { Histogram } from 'prom-client';

/**
 * Where the time of one operation goes: `lap(stage)` observes the time since the previous lap
 * (or the start) under that stage, `end()` the whole. Stages come out as
 * `dialoop_api_stage_seconds{operation,stage}`, which `bench:stream` reads to say where a send
 * spends its milliseconds under load.
 */
export class StageTimer {
  private readonly start = performance.now();
  private last = this.start;

  constructor(
    private readonly histogram: Histogram<'operation' | 'stage'> | undefined,
    private readonly operation: string,
  ) {}

  lap(stage: string): void {
    const now = performance.now();
    this.histogram?.observe({ operation: this.operation, stage }, (now - this.last) / 1000);
    this.last = now;
  }

  end(): void {
    const now = performance.now();
    this.histogram?.observe({ operation: this.operation, stage: 'total' }, (now - this.start) / 1000);
  }
}

/** Times one awaited step as its own stage of `operation`. */
export async function timed<T>(histogram: Histogram<'operation' | 'stage'> | undefined, operation: string, stage: string, step: () => Promise<T>): Promise<T> {
  const start = performance.now();
  try {
    return await step();
  } finally {
    histogram?.observe({ operation, stage }, (performance.now() - start) / 1000);
  }
}
