import { randomUUID } from 'node:crypto';
import type { MessageStatus, PrismaClient } from '@dialoop/db';
import type { Logger } from 'pino';
import type { Counter, Histogram } from 'prom-client';
import { ErrorCode } from '../../errors.js';
// Types only: the safety index loads its resolvers, which need decorator metadata.
import type { Hit, ReplyFilter } from '../safety/index.js';
import { eventsFromRow, finalEvent, type FinishedRow, type StreamEvent } from './events.js';
import type { QueuedReply } from './reply-queue.js';
import type { StreamBus } from './stream-bus.js';
import { UpstreamError, retryable, type ChatTurn, type SamplingParams, type Upstreams } from './upstream.js';

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
  /**
   * Text the reply begins with (continueGeneration: an interrupted reply's text): its first delta,
   * and the final assistant message the upstream goes on from (`continue_final_message`).
   */
  prefix?: string | undefined;
  /** Its place in the reply queue's fairness and deadline, should the upstream send it back (429). */
  turn?: { person: string; deadline: number; enqueuedAt: number } | undefined;
}

/** The queue's view of a job (without its filter, made afresh where it starts). */
export function queuedOf(job: GenerationJob & { turn: NonNullable<GenerationJob['turn']> }): QueuedReply {
  return {
    messageId: job.messageId,
    userId: job.userId,
    conversationId: job.conversationId,
    model: job.model!,
    upstream: job.upstream!,
    messages: job.messages,
    params: job.params,
    prefix: job.prefix,
    ...job.turn,
  };
}

/** A job from the queue, with the reply filter it streams through. */
export function jobOf(reply: QueuedReply, filter: ReplyFilter | undefined): GenerationJob {
  const { person, deadline, enqueuedAt, ...rest } = reply;
  return { ...rest, filter, turn: { person, deadline, enqueuedAt } };
}

/** What the manager tells the reply queue (ReplyDispatcher): a slot freed, a reply sent back. */
export interface Slots {
  ended(upstream: string, messageId: string): Promise<void>;
  refused(reply: QueuedReply, retryAfterMs: number | undefined): Promise<void>;
}

/** How a reply nobody generates any more is settled (recovery, a cancel no process answered). */
export interface Settlement {
  status: Extract<MessageStatus, 'INTERRUPTED' | 'CANCELLED'>;
  finishReason: string | null;
  errorCode: string | null;
  errorMessage: string | null;
}

export const GENERATOR_STOPPED: Settlement = {
  status: 'INTERRUPTED',
  finishReason: null,
  errorCode: ErrorCode.GENERATOR_STOPPED,
  errorMessage: 'The api process generating this reply stopped',
};

class CancelledError extends Error {}
/** The content filter found a BLOCK term: the upstream generation is stopped. */
class BlockedError extends Error {}
/** This process is shutting down and its grace period is over: the reply ends GENERATOR_STOPPED. */
class StoppingError extends Error {}
/** Another process settled the row (it took this one for dead): this one lets the reply go. */
class SettledElsewhereError extends Error {}
/** The turn that would have stored the reply was refused (over the limit, or the write failed). */
class NotStoredError extends Error {}

/**
 * The deltas a subscriber can have received, from a replay log: seq 1, 2, … without a gap (an
 * event's RPUSH precedes its PUBLISH, so the log holds every delta that went out), and the
 * final event if the log has one.
 */
export function deliveredOf(log: StreamEvent[]): { deltas: string[]; final: StreamEvent | undefined } {
  const bySeq = new Map<number, StreamEvent>();
  for (const e of log) if (!bySeq.has(e.seq)) bySeq.set(e.seq, e);
  const deltas: string[] = [];
  for (let seq = 1; ; seq++) {
    const e = bySeq.get(seq);
    if (!e) return { deltas, final: undefined };
    if (e.done) return { deltas, final: e };
    deltas.push(e.delta ?? '');
  }
}

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
  /** When the last one came (epoch ms): the events it makes carry it, for the delivery lag. */
  receivedAt: number | undefined;
  blocked: Hit | undefined;
  dirty: boolean;
  /** How many deltas the stored row holds (the flushes append the rest). */
  flushed: number;
  /** complete() has begun: the row is being settled by this process. */
  ending: boolean;
  startedAt: number;
  firstTokenAt: number | undefined;
  usage: { promptTokens: number; completionTokens: number } | undefined;
  finishReason: string | null;
  /**
   * Started before its row was stored (`start(job, stored)`): what it streams waits here until
   * the row is committed, and nothing of it is published or stored if it never is.
   */
  held: string[] | undefined;
  stored: Promise<boolean> | undefined;
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
  /** The reply queue, once wired (it starts replies through this manager). */
  slots: Slots | undefined;

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

  /**
   * Starts a reply. With `stored`, before its row is committed: the upstream request goes out at
   * once, so the model's prefill overlaps the turn's write (a send's time to first token is the
   * longer of the two, not their sum); deltas are held until `stored` resolves true, and the reply
   * is dropped without a trace (no event, no write) if it resolves false.
   */
  start(job: GenerationJob, stored?: Promise<boolean>): void {
    const r: Running = {
      job,
      abort: new AbortController(),
      content: '',
      deltaEnds: [],
      seq: 0,
      received: 0,
      receivedAt: undefined,
      blocked: undefined,
      dirty: false,
      flushed: 0,
      ending: false,
      startedAt: performance.now(),
      firstTokenAt: undefined,
      usage: undefined,
      finishReason: null,
      held: stored ? [] : undefined,
      stored,
    };
    this.running.set(job.messageId, r);
    stored?.then(
      (ok) => {
        if (!ok) return r.abort.abort(new NotStoredError('not stored'));
        const held = r.held ?? [];
        r.held = undefined;
        for (const text of held) this.emit(r, text);
      },
      () => r.abort.abort(new NotStoredError('not stored')),
    );
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
    // A continued reply's first delta is the text it continues, sent once the upstream took the
    // request (with its first token, or its end): a reply sent back to the queue by a 429 has
    // streamed nothing.
    let prefixed = !job.prefix;
    const prefixOnce = () => {
      if (prefixed) return;
      prefixed = true;
      this.emit(r, job.prefix!);
    };
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
          r.receivedAt = Date.now();
          prefixOnce();
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
      // A continued reply starts with the text it continues (checked when it first streamed).
      const continueFinal = Boolean(job.prefix);
      const start = continueFinal ? [...job.messages, { role: 'assistant' as const, content: job.prefix! }] : job.messages;
      // The upstream the reply was admitted to, unless its health checks ejected it meanwhile (a
      // reply that waited in the queue): then another healthy replica serving the model. The
      // queue's slot stays where it was taken.
      let base = job.upstream;
      if (!this.o.upstreams.healthy(base)) base = (await this.o.upstreams.alternative(job.model, [base])) ?? base;
      let retried = false;
      // A conversation longer than the model's context is sent without its oldest turns, a
      // pair at a time, down to the last prompt alone. A request that fails before its first
      // token because its upstream is unreachable or answered 5xx goes once to another healthy
      // replica; after a token, never (the reply ends INTERRUPTED).
      for (let messages = start; ; ) {
        try {
          await this.o.upstreams.stream(base, job.model, messages, job.params, r.abort.signal, handlers, { continueFinal });
          break;
        } catch (err) {
          if (r.abort.signal.aborted || r.received > 0) throw err;
          if (err instanceof UpstreamError && err.contextTooLong && messages.length > 1) {
            messages = dropOldestTurns(messages);
            continue;
          }
          const other = !retried && retryable(err) ? await this.o.upstreams.alternative(job.model, [base]) : undefined;
          this.o.upstreams.failedBeforeFirstToken(base, err, other !== undefined);
          if (!other) throw err;
          this.o.log.info({ messageId: job.messageId, err: (err as Error).message }, 'upstream failed before the first token; retrying on another replica');
          retried = true;
          base = other;
        }
      }
      prefixOnce();
      r.finishReason ??= 'stop';
    } catch (err) {
      // A reply started before its row was stored ends as its turn does: nothing left of it if
      // the turn was refused (its slot is given back by the send that failed).
      if (r.stored && !(await r.stored.catch(() => false))) return void this.running.delete(job.messageId);
      const reason: unknown = r.abort.signal.aborted ? r.abort.signal.reason : undefined;
      if (reason instanceof SettledElsewhereError) {
        // Another process settled the row and told the subscribers: nothing is left to do here.
        this.running.delete(job.messageId);
        this.freeSlot(job);
        return;
      }
      let requeued = false;
      if (!reason && err instanceof UpstreamError && (err.status === 429 || err.status === 503) && r.received === 0 && this.slots && job.turn) {
        // At capacity before the first token (nothing streamed yet, not even a continuation's
        // prefix): the reply waits its turn again instead of failing. Should that fail, it ends below.
        try {
          await this.slots.refused(queuedOf({ ...job, turn: job.turn }), err.retryAfterMs);
          requeued = true;
        } catch (e) {
          this.o.log.error({ err: e, messageId: job.messageId }, 'could not queue a refused reply again');
        }
      }
      if (requeued) {
        this.running.delete(job.messageId);
        return;
      }
      // Whatever ended it, a continued reply keeps the text it continues.
      if (!(reason instanceof SettledElsewhereError)) prefixOnce();
      if (reason instanceof StoppingError) {
        status = 'INTERRUPTED';
        error = { code: GENERATOR_STOPPED.errorCode!, message: GENERATOR_STOPPED.errorMessage! };
      } else if (r.abort.signal.aborted && r.abort.signal.reason instanceof BlockedError) {
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
    if (r.stored && !(await r.stored.catch(() => false))) return void this.running.delete(job.messageId);
    await this.complete(r, status, error);
  }

  /** Publishes text that may go to clients as the reply's next delta (held until its row is stored). */
  private emit(r: Running, text: string) {
    if (r.held) return void r.held.push(text);
    r.seq += 1;
    r.content += text;
    r.deltaEnds.push(r.content.length);
    r.dirty = true;
    this.o.bus.append(r.job.messageId, { seq: r.seq, delta: text, at: r.receivedAt });
  }

  private async complete(r: Running, status: MessageStatus, error: { code: string; message: string } | null) {
    const { job } = r;
    r.ending = true;
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
    const safety = r.blocked ? 'BLOCK' : (job.filter?.level ?? null);
    try {
      // Only a row still STREAMING is settled here: one already settled elsewhere (cancelled by a
      // request that found no live generator) keeps that outcome.
      const res = await this.o.db.message.updateMany({
        where: { id: job.messageId, status: 'STREAMING' },
        data: { ...row, safety, generatorId: null, completedAt: new Date() },
      });
      if (res.count === 0 && (await this.o.db.message.count({ where: { id: job.messageId } })) > 0) {
        // Settled meanwhile by whoever took this reply for orphaned (settleOrphan), which
        // published the final event: one final event per reply.
        this.running.delete(job.messageId);
        this.freeSlot(job);
        return;
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
    this.freeSlot(job);
  }

  private freeSlot(job: GenerationJob) {
    if (job.upstream && this.slots) void this.slots.ended(job.upstream, job.messageId);
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
        const written = await this.o.db.$queryRaw<{ id: string }[]>`
          UPDATE "Message" AS m
          SET content = m.content || u.tail, "deltaEnds" = coalesce(m."deltaEnds", '{}') || u.ends::int[]
          FROM unnest(${ids}::uuid[], ${stored}::int[], ${tails}::text[], ${ends}::text[]) AS u(id, stored, tail, ends)
          WHERE m.id = u.id AND m.status = 'STREAMING' AND coalesce(cardinality(m."deltaEnds"), 0) = u.stored
          RETURNING m.id`;
        for (const { r, upTo } of marks) r.flushed = upTo;
        if (written.length < ids.length) await this.letGoSettled(ids.filter((id) => !written.some((w) => w.id === id)));
      } catch (err) {
        for (const r of dirty) r.dirty = true;
        this.o.log.warn({ err }, 'could not store partial replies');
      }
    });
    return this.flushing;
  }

  /**
   * Replies this process runs whose rows are no longer STREAMING: another process settled them,
   * having taken this one for dead (a pause longer than the liveness window). They stop here.
   */
  private async letGoSettled(ids: string[]) {
    // A row that is gone (its conversation deleted) is not one of these: its reply ends as usual.
    const settled = await this.o.db.message.findMany({ where: { id: { in: ids }, NOT: { status: 'STREAMING' } }, select: { id: true } });
    for (const { id } of settled) {
      const r = this.running.get(id);
      if (!r || r.ending) continue; // settled by this process's own complete()
      this.o.log.warn({ messageId: id }, 'a reply of this process was settled by another (this process was taken for dead): stopping it');
      r.abort.abort(new SettledElsewhereError('settled elsewhere'));
    }
  }

  /**
   * Settles a reply that no live process generates, once whoever calls: its stored text becomes
   * what subscribers received (the replay log) when the log holds more than the row's last
   * flush, and its final event goes to every subscriber, on every process. Returns whether this
   * call settled it (the update is conditional on the row still being STREAMING, unchanged).
   */
  async settleOrphan(messageId: string, how: Settlement = GENERATOR_STOPPED): Promise<boolean> {
    const row = await this.o.db.message.findUnique({ where: { id: messageId }, select: { status: true, generatorId: true, content: true, deltaEnds: true } });
    if (!row || row.status !== 'STREAMING') return false;
    const { deltas, final } = deliveredOf(await this.o.bus.history(messageId));
    const fromLog = deltas.length > 0 && deltas.length >= row.deltaEnds.length;
    let content = row.content;
    let deltaEnds = row.deltaEnds;
    if (fromLog) {
      content = '';
      deltaEnds = deltas.map((d) => (content += d).length);
    }
    // A final event already out (its process died between publishing it and storing the row) is what the row says.
    const outcome = final?.status
      ? { status: final.status, finishReason: final.finishReason ?? null, errorCode: final.error?.code ?? null, errorMessage: final.error?.message ?? null }
      : how;
    const res = await this.o.db.message.updateMany({
      where: { id: messageId, status: 'STREAMING', generatorId: row.generatorId },
      data: { ...outcome, content, deltaEnds, generatorId: null, completedAt: new Date() },
    });
    if (res.count === 0) return false;
    if (final) return true;
    const events = eventsFromRow({
      ...outcome,
      content,
      deltaEnds,
      promptTokens: null,
      completionTokens: null,
      timeToFirstTokenMs: null,
      tokensPerSecond: null,
    });
    if (fromLog) this.o.bus.append(messageId, events.at(-1)!);
    else {
      // The log lacks what the row holds (one process restarted, or the log expired): it is
      // rewritten from the row, so that replay and live subscribers agree with it.
      await this.o.bus.discard(messageId);
      for (const e of events) this.o.bus.append(messageId, e);
    }
    this.o.bus.finish(messageId);
    this.o.metrics.generations.inc({ status: outcome.status });
    return true;
  }

  /**
   * Settles (settleOrphan, GENERATOR_STOPPED) the replies left STREAMING by processes that are
   * gone: `{ dead }` those of the named processes; `{ live }` every one whose generator is none
   * of these; `'others'` every one not of this process (a single process, at boot). Returns how
   * many this call settled.
   */
  async recover(scope: { dead: string[] } | { live: string[]; stillLive?: () => Promise<string[]> } | 'others'): Promise<number> {
    const where =
      scope === 'others'
        ? { status: 'STREAMING' as const, OR: [{ generatorId: null }, { NOT: { generatorId: this.instanceId } }] }
        : 'dead' in scope
          ? { status: 'STREAMING' as const, generatorId: { in: scope.dead } }
          : { status: 'STREAMING' as const, OR: [{ generatorId: null }, { generatorId: { notIn: scope.live } }] };
    let orphans = await this.o.db.message.findMany({ where, select: { id: true, generatorId: true } });
    if (orphans.length > 0 && typeof scope === 'object' && 'stillLive' in scope && scope.stillLive) {
      // A process that announced itself after the list was read may have written rows since:
      // read the list again (a process announces before it writes), and leave its rows alone.
      const live = new Set(await scope.stillLive());
      orphans = orphans.filter((m) => m.generatorId === null || !live.has(m.generatorId));
    }
    let settled = 0;
    // A few at a time: a dead process may leave hundreds, and the pool serves live requests too.
    for (let i = 0; i < orphans.length; i += 16) {
      const done = await Promise.all(orphans.slice(i, i + 16).map((m) => this.settleOrphan(m.id).catch((err: unknown) => (this.o.log.warn({ err, messageId: m.id }, 'could not settle an orphaned reply'), false))));
      settled += done.filter(Boolean).length;
    }
    return settled;
  }

  /**
   * Drains: refuses new replies at once, lets running ones finish for up to `graceMs`, then ends
   * the rest with their text so far and the final event of a stopped generator (GENERATOR_STOPPED).
   */
  async close(graceMs = 10_000): Promise<void> {
    this.stopping = true;
    const deadline = Date.now() + graceMs;
    while (this.running.size > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    for (const r of this.running.values()) r.abort.abort(new StoppingError('shutting down'));
    while (this.running.size > 0 && Date.now() < deadline + 2_000) await new Promise((r) => setTimeout(r, 20));
    clearInterval(this.flushTimer);
    await this.flush();
  }
}
