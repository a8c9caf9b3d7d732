import { randomUUID } from 'node:crypto';
import type { MessageStatus, PrismaClient } from '@dialoop/db';
import type { Logger } from 'pino';
import type { Counter, Histogram } from 'prom-client';
import { ErrorCode } from '../../errors.js';
import { finalEvent, type FinishedRow } from './events.js';
import type { StreamBus } from './stream-bus.js';
import { UpstreamError, type ChatTurn, type SamplingParams, type Upstreams } from './upstream.js';

export interface GenerationJob {
  messageId: string;
  userId: string;
  /** null when no upstream could be asked which models exist. */
  model: string | null;
  /** Base URL of the upstream serving the model; undefined when no upstream lists it. */
  upstream: string | undefined;
  messages: ChatTurn[];
  params: SamplingParams;
}

class CancelledError extends Error {}

/** The conversation without its oldest exchange (system messages stay first). */
export function dropOldestTurns(messages: ChatTurn[]): ChatTurn[] {
  const system = messages.filter((m) => m.role === 'system');
  const turns = messages.filter((m) => m.role !== 'system');
  const drop = turns.length > 2 && turns[0]?.role === 'user' && turns[1]?.role === 'assistant' ? 2 : 1;
  return [...system, ...turns.slice(drop)];
}

interface Running {
  job: GenerationJob;
  abort: AbortController;
  content: string;
  deltaEnds: number[];
  seq: number;
  dirty: boolean;
  startedAt: number;
  firstTokenAt: number | undefined;
  usage: { promptTokens: number; completionTokens: number } | undefined;
  finishReason: string | null;
}

export interface GenerationMetrics {
  generations: Counter<'status'>;
  timeToFirstToken: Histogram;
}

export interface GenerationOptions {
  db: PrismaClient;
  bus: StreamBus;
  upstreams: Upstreams;
  flushMs: number;
  log: Logger;
  metrics: GenerationMetrics;
}

/**
 * Runs replies: streams each from its upstream, numbers and publishes its deltas, writes the
 * partial text to the database every `flushMs` (one statement for all running replies), and
 * stores the outcome before publishing the final event, so a client that sees `done` reads the
 * finished row.
 */
export class GenerationManager {
  /** Identifies this process on the rows it generates (for crash recovery). */
  readonly instanceId = randomUUID();
  private readonly running = new Map<string, Running>();
  private readonly flushTimer: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();
  private stopping = false;

  constructor(private readonly o: GenerationOptions) {
    this.flushTimer = setInterval(() => void this.flush(), o.flushMs);
    this.flushTimer.unref();
    o.bus.onCancelRequest((id) => this.cancelLocal(id));
  }

  get activeCount(): number {
    return this.running.size;
  }

  /** False once shutting down: new replies are refused (SERVICE_UNAVAILABLE) rather than lost. */
  get accepting(): boolean {
    return !this.stopping;
  }

  start(job: GenerationJob): void {
    const r: Running = {
      job,
      abort: new AbortController(),
      content: '',
      deltaEnds: [],
      seq: 0,
      dirty: false,
      startedAt: performance.now(),
      firstTokenAt: undefined,
      usage: undefined,
      finishReason: null,
    };
    this.running.set(job.messageId, r);
    void this.run(r);
  }

  /** Stops a reply if this process generates it; returns whether it did. */
  cancelLocal(messageId: string): boolean {
    const r = this.running.get(messageId);
    if (!r) return false;
    r.abort.abort(new CancelledError('cancelled'));
    return true;
  }

  private async run(r: Running): Promise<void> {
    const { job } = r;
    let status: MessageStatus = 'COMPLETE';
    let error: { code: string; message: string } | null = null;
    try {
      if (!job.upstream || !job.model) {
        throw new UpstreamError('UPSTREAM_ERROR', job.model ? `No upstream serves model ${job.model}` : 'No upstream is reachable');
      }
      const handlers = {
        onDelta: (delta: string) => {
          r.firstTokenAt ??= performance.now();
          r.seq += 1;
          r.content += delta;
          r.deltaEnds.push(r.content.length);
          r.dirty = true;
          this.o.bus.append(job.messageId, { seq: r.seq, delta });
        },
        onUsage: (u: { promptTokens: number; completionTokens: number }) => (r.usage = u),
        onFinish: (reason: string | null) => (r.finishReason = reason),
      };
      // A conversation longer than the model's context is sent without its oldest turns, a
      // pair at a time, down to the last prompt alone.
      for (let messages = job.messages; ; messages = dropOldestTurns(messages)) {
        try {
          await this.o.upstreams.stream(job.upstream, job.model, messages, job.params, r.abort.signal, handlers);
          break;
        } catch (err) {
          if (!(err instanceof UpstreamError && err.contextTooLong && r.seq === 0 && messages.length > 1)) throw err;
        }
      }
      r.finishReason ??= 'stop';
    } catch (err) {
      if (r.abort.signal.aborted && r.abort.signal.reason instanceof CancelledError) {
        status = 'CANCELLED';
        r.finishReason = 'cancelled';
      } else {
        const code = err instanceof UpstreamError ? err.code : ErrorCode.UPSTREAM_ERROR;
        const message = err instanceof UpstreamError ? err.message : 'Generation failed';
        if (!(err instanceof UpstreamError)) this.o.log.error({ err, messageId: job.messageId }, 'generation failed');
        // A reply that had begun is kept, cut short; one that never started failed.
        status = r.seq > 0 || code === 'UPSTREAM_INTERRUPTED' ? 'INTERRUPTED' : 'FAILED';
        error = { code: r.seq > 0 && code === 'UPSTREAM_ERROR' ? ErrorCode.UPSTREAM_INTERRUPTED : code, message };
      }
    }
    await this.complete(r, status, error);
  }

  private async complete(r: Running, status: MessageStatus, error: { code: string; message: string } | null) {
    const { job } = r;
    const now = performance.now();
    const ttft = r.firstTokenAt === undefined ? null : Math.round(r.firstTokenAt - r.startedAt);
    const completionTokens = r.usage?.completionTokens ?? r.seq;
    const decodeSeconds = r.firstTokenAt === undefined ? 0 : (now - r.firstTokenAt) / 1000;
    const row: FinishedRow = {
      content: r.content,
      deltaEnds: r.deltaEnds,
      status,
      finishReason: r.finishReason,
      errorCode: error?.code ?? null,
      errorMessage: error?.message ?? null,
      promptTokens: r.usage?.promptTokens ?? null,
      completionTokens: r.usage || r.seq > 0 ? completionTokens : null,
      timeToFirstTokenMs: ttft,
      tokensPerSecond: decodeSeconds > 0 && completionTokens > 1 ? Math.round(((completionTokens - 1) / decodeSeconds) * 10) / 10 : null,
    };
    r.dirty = false;
    try {
      // Only a row still STREAMING is settled here: one already settled elsewhere (cancelled by a
      // request that found no live generator) keeps that outcome.
      const res = await this.o.db.message.updateMany({
        where: { id: job.messageId, status: 'STREAMING' },
        data: { ...row, generatorId: null, completedAt: new Date() },
      });
      if (res.count === 0) {
        // Settled elsewhere meanwhile: the final event says what is stored.
        const stored = await this.o.db.message.findUnique({ where: { id: job.messageId } });
        if (stored) Object.assign(row, { status: stored.status, finishReason: stored.finishReason, errorCode: stored.errorCode, errorMessage: stored.errorMessage });
      }
    } catch (err) {
      // The row is gone (conversation deleted mid-reply) or the database is down: the event still goes out.
      this.o.log.warn({ err, messageId: job.messageId }, 'could not store the finished reply');
    }
    this.running.delete(job.messageId);
    this.o.metrics.generations.inc({ status });
    if (ttft !== null) this.o.metrics.timeToFirstToken.observe(ttft / 1000);
    this.o.bus.append(job.messageId, finalEvent(r.seq + 1, row));
    this.o.bus.finish(job.messageId);
  }

  /** Writes the partial text of every running reply that changed, in one statement. */
  private flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      const dirty = [...this.running.values()].filter((r) => r.dirty);
      if (dirty.length === 0) return;
      for (const r of dirty) r.dirty = false;
      const ids = dirty.map((r) => r.job.messageId);
      const contents = dirty.map((r) => r.content);
      // Where each delta ends, so that a reply recovered after a crash replays with its seqs.
      const ends = dirty.map((r) => JSON.stringify(r.deltaEnds));
      try {
        await this.o.db.$executeRaw`
          UPDATE "Message" AS m
          SET content = u.content, "deltaEnds" = ARRAY(SELECT jsonb_array_elements_text(u.ends::jsonb)::int)
          FROM unnest(${ids}::uuid[], ${contents}::text[], ${ends}::text[]) AS u(id, content, ends)
          WHERE m.id = u.id AND m.status = 'STREAMING'`;
      } catch (err) {
        for (const r of dirty) r.dirty = true;
        this.o.log.warn({ err }, 'could not store partial replies');
      }
    });
    return this.flushing;
  }

  /**
   * Marks as INTERRUPTED the replies left STREAMING by processes that are gone: every one when
   * `liveInstances` is undefined (a single process, at boot), else those whose generator is not live.
   */
  async recover(liveInstances?: string[]): Promise<number> {
    const where = liveInstances
      ? { status: 'STREAMING' as const, OR: [{ generatorId: null }, { generatorId: { notIn: liveInstances } }] }
      : { status: 'STREAMING' as const, NOT: { generatorId: this.instanceId } };
    const orphans = await this.o.db.message.findMany({ where, select: { id: true } });
    if (orphans.length === 0) return 0;
    const ids = orphans.map((m) => m.id);
    const res = await this.o.db.message.updateMany({
      where: { id: { in: ids }, status: 'STREAMING' },
      data: {
        status: 'INTERRUPTED',
        errorCode: ErrorCode.UPSTREAM_INTERRUPTED,
        errorMessage: 'The api stopped while this reply was streaming',
        generatorId: null,
        completedAt: new Date(),
      },
    });
    // Their logs end without a final event: forget them, so replay reads the stored rows.
    await Promise.all(ids.map((id) => this.o.bus.discard(id)));
    return res.count;
  }

  /** Stops accepting work: cancels nothing, waits up to `graceMs` for running replies, then interrupts the rest. */
  async close(graceMs = 5_000): Promise<void> {
    this.stopping = true;
    const deadline = Date.now() + graceMs;
    while (this.running.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    for (const r of this.running.values()) r.abort.abort(new UpstreamError('UPSTREAM_INTERRUPTED', 'The api is shutting down'));
    while (this.running.size > 0 && Date.now() < deadline + 2_000) await new Promise((r) => setTimeout(r, 20));
    clearInterval(this.flushTimer);
    await this.flush();
  }
}
