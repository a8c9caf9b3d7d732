import { randomUUID } from 'node:crypto';
import type { MessageStatus, PrismaClient } from '@dialoop/db';
import type { Logger } from 'pino';
import type { Counter, Histogram } from 'prom-client';
import { ErrorCode } from '../../errors.js';
// The engine's pure entry point: no resolvers (and no decorator metadata) are loaded with it.
import { strongest, type Hit, type ReplyFilter } from '../safety/engine.js';
import { finalEvent, type FinishedRow } from './events.js';
import type { StreamBus } from './stream-bus.js';
import { UpstreamError, type ChatTurn, type SamplingParams, type Upstreams } from './upstream.js';

export interface GenerationJob {
  messageId: string;
  userId: string;
  conversationId: string;
  /** null when no upstream could be asked which models exist. */
  model: string | null;
  /** Base URL of the upstream serving the model; undefined when no upstream lists it. */
  upstream: string | undefined;
  messages: ChatTurn[];
  params: SamplingParams;
  /** The content filter the reply streams through (undefined: none). */
  filter?: ReplyFilter | undefined;
}

class CancelledError extends Error {}
/** The content filter found a BLOCK term: the upstream generation is stopped. */
class BlockedError extends Error {}

/** What the manager needs of content safety for replies. */
export interface OutputSafety {
  readonly refusal: string;
  recordOutput(reply: { userId: string; conversationId: string; messageId: string }, hits: Hit[], blocked: Hit | undefined): Promise<void>;
}

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
  /** Deltas received from upstream (the filter may hold some back). */
  received: number;
  blocked: Hit | undefined;
  dirty: boolean;
  /** How many deltas the stored row holds (the flushes append the rest). */
  flushed: number;
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
  safety?: OutputSafety | undefined;
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
      received: 0,
      blocked: undefined,
      dirty: false,
      flushed: 0,
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
          r.received += 1;
          if (!job.filter) return this.emit(r, delta);
          if (r.blocked) return;
          const out = job.filter.push(delta);
          if (out.text) this.emit(r, out.text);
          if (out.blocked) {
            r.blocked = out.blocked;
            r.abort.abort(new BlockedError('blocked'));
          }
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
          if (!(err instanceof UpstreamError && err.contextTooLong && r.received === 0 && messages.length > 1)) throw err;
        }
      }
      r.finishReason ??= 'stop';
    } catch (err) {
      if (r.abort.signal.aborted && r.abort.signal.reason instanceof BlockedError) {
        // Handled below: the reply ends with the refusal.
      } else if (r.abort.signal.aborted && r.abort.signal.reason instanceof CancelledError) {
        status = 'CANCELLED';
        r.finishReason = 'cancelled';
      } else {
        const code = err instanceof UpstreamError ? err.code : ErrorCode.UPSTREAM_ERROR;
        const message = err instanceof UpstreamError ? err.message : 'Generation failed';
        if (!(err instanceof UpstreamError)) this.o.log.error({ err, messageId: job.messageId }, 'generation failed');
        // A reply that had begun is kept, cut short; one that never started failed.
        status = r.received > 0 || code === 'UPSTREAM_INTERRUPTED' ? 'INTERRUPTED' : 'FAILED';
        error = { code: r.received > 0 && code === 'UPSTREAM_ERROR' ? ErrorCode.UPSTREAM_INTERRUPTED : code, message };
      }
    }
    // What the filter still holds goes out now (checked like the rest), however the reply ended.
    if (job.filter && !r.blocked) {
      const out = job.filter.end();
      if (out.text) this.emit(r, out.text);
      r.blocked = out.blocked;
    }
    if (r.blocked) {
      // A BLOCK term: the reply ends with the refusal, and says why (a cancelled one stays cancelled).
      this.emit(r, (r.content ? '\n\n' : '') + (this.o.safety?.refusal ?? ''));
      if (status !== 'CANCELLED') status = 'COMPLETE';
      r.finishReason = 'content_filter';
      error = null;
    }
    await this.complete(r, status, error);
  }

  /** Publishes text that may go to clients as the reply's next delta. */
  private emit(r: Running, text: string) {
    r.seq += 1;
    r.content += text;
    r.deltaEnds.push(r.content.length);
    r.dirty = true;
    this.o.bus.append(r.job.messageId, { seq: r.seq, delta: text });
  }

  private async complete(r: Running, status: MessageStatus, error: { code: string; message: string } | null) {
    const { job } = r;
    const now = performance.now();
    const ttft = r.firstTokenAt === undefined ? null : Math.round(r.firstTokenAt - r.startedAt);
    const completionTokens = r.usage?.completionTokens ?? r.received;
    const decodeSeconds = r.firstTokenAt === undefined ? 0 : (now - r.firstTokenAt) / 1000;
    const row: FinishedRow = {
      content: r.content,
      deltaEnds: r.deltaEnds,
      status,
      finishReason: r.finishReason,
      errorCode: error?.code ?? null,
      errorMessage: error?.message ?? null,
      promptTokens: r.usage?.promptTokens ?? null,
      completionTokens: r.usage || r.received > 0 ? completionTokens : null,
      timeToFirstTokenMs: ttft,
      tokensPerSecond: decodeSeconds > 0 && completionTokens > 1 ? Math.round(((completionTokens - 1) / decodeSeconds) * 10) / 10 : null,
    };
    r.dirty = false;
    const hits = job.filter?.hits ?? [];
    const safety = r.blocked ? 'BLOCK' : (strongest(hits)?.term.level ?? null);
    try {
      // Only a row still STREAMING is settled here: one already settled elsewhere (cancelled by a
      // request that found no live generator) keeps that outcome.
      const res = await this.o.db.message.updateMany({
        where: { id: job.messageId, status: 'STREAMING' },
        data: { ...row, safety, generatorId: null, completedAt: new Date() },
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
    this.o.metrics.generations.inc({ status });
    if (ttft !== null) this.o.metrics.timeToFirstToken.observe(ttft / 1000);
    this.o.bus.append(job.messageId, finalEvent(r.seq + 1, row));
    this.o.bus.finish(job.messageId);
    // After the final event (clients do not wait on it), before the reply counts as done (shutdown waits).
    if (this.o.safety && (hits.length > 0 || r.blocked)) {
      await this.o.safety
        .recordOutput({ userId: job.userId, conversationId: job.conversationId, messageId: job.messageId }, hits, r.blocked)
        .catch((err: unknown) => this.o.log.error({ err, messageId: job.messageId }, 'could not record the reply’s safety events'));
    }
    this.running.delete(job.messageId);
  }

  /**
   * Appends what every running reply streamed since the last flush to its row, in one statement
   * (the text and delta ends since then, not the whole reply again: a long reply costs the same
   * per flush at its end as at its start). A row that does not hold what this process last
   * stored (settled meanwhile) is left alone.
   */
  private flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      const dirty = [...this.running.values()].filter((r) => r.dirty);
      if (dirty.length === 0) return;
      const marks = dirty.map((r) => ({ r, upTo: r.deltaEnds.length }));
      for (const r of dirty) r.dirty = false;
      const ids = marks.map(({ r }) => r.job.messageId);
      const stored = marks.map(({ r }) => r.flushed);
      const tails = marks.map(({ r, upTo }) => r.content.slice(r.deltaEnds[r.flushed - 1] ?? 0, r.deltaEnds[upTo - 1] ?? 0));
      // Where each delta ends, so that a reply recovered after a crash replays with its seqs.
      const ends = marks.map(({ r, upTo }) => `{${r.deltaEnds.slice(r.flushed, upTo).join(',')}}`);
      try {
        await this.o.db.$executeRaw`
          UPDATE "Message" AS m
          SET content = m.content || u.tail, "deltaEnds" = coalesce(m."deltaEnds", '{}') || u.ends::int[]
          FROM unnest(${ids}::uuid[], ${stored}::int[], ${tails}::text[], ${ends}::text[]) AS u(id, stored, tail, ends)
          WHERE m.id = u.id AND m.status = 'STREAMING' AND coalesce(cardinality(m."deltaEnds"), 0) = u.stored`;
        for (const { r, upTo } of marks) r.flushed = upTo;
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
