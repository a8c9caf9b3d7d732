import type { PrismaClient } from '@dialoop/db';
import type { Logger } from 'pino';
import type { Counter, Gauge, Histogram } from 'prom-client';
import { AppError, ErrorCode } from '../../errors.js';
import { finalEvent } from './events.js';
import type { QueuedReply, ReplyQueue } from './reply-queue.js';
import type { StreamBus } from './stream-bus.js';

export interface DispatcherMetrics {
  queueLength: Gauge;
  queueWait: Histogram;
  queueRefusals: Counter<'reason'>;
}

export interface DispatcherOptions {
  queue: ReplyQueue;
  db: PrismaClient;
  bus: StreamBus;
  log: Logger;
  metrics: DispatcherMetrics;
  instanceId: string;
  /** Replies that may wait at once; beyond, sends are refused (SERVICE_UNAVAILABLE). */
  maxQueued: number;
  /** The longest a reply waits (a request may ask for less); then it fails UPSTREAM_BUSY. */
  maxWaitMs: number;
  /** Whether the queue is shared with other processes (Redis): a draining process leaves its waiting replies to them. */
  shared: boolean;
  /** Starts a reply whose slot is taken (GenerationManager.start). */
  start(reply: QueuedReply): void;
  /** How often deadlines, positions and paused upstreams are looked at. */
  tickMs?: number;
  /** How long without a refusal before an upstream's learned limit is probed one higher. */
  probeMs?: number;
}

/** How long a slot of an upstream is held, on average (exponentially weighted). */
class ServiceTime {
  private readonly ms = new Map<string, number>();
  observe(upstream: string, ms: number) {
    const was = this.ms.get(upstream);
    this.ms.set(upstream, was === undefined ? ms : was * 0.8 + ms * 0.2);
  }
  of(upstream: string): number | undefined {
    return this.ms.get(upstream);
  }
}

/**
 * Backpressure: replies that find their upstream full wait in the reply queue (fair between
 * people) instead of failing, and start as slots free. A send takes a slot at once when nobody
 * waits and the upstream has room (the common case costs one queue call); else its reply is
 * stored QUEUED and waits. An upstream that answers 429 (or 503) before the first token sends
 * the reply back to the head of its person's line and teaches the queue its capacity. While a
 * reply waits, its stream carries its position and an estimate (events with seq 0); cancel takes
 * it out; past its deadline it fails UPSTREAM_BUSY with a retry hint.
 */
export class ReplyDispatcher {
  private readonly tickMs: number;
  private readonly probeMs: number;
  private readonly timer: NodeJS.Timeout;
  private pumping: Promise<void> | undefined;
  private again = false;
  private closed = false;
  private ticking = false;
  private tickAgain = false;
  /** A one-shot tick at the soonest deadline of a reply queued here, so a short wait ends on time, not on the next tick. */
  private deadlineTimer: { at: number; timer: NodeJS.Timeout } | undefined;
  /** Replies this process queued: it publishes their positions and holds their start times. */
  private readonly mine = new Map<string, { upstream: string; enqueuedAt: number; position: number }>();
  private readonly startedAt = new Map<string, number>();
  private readonly service = new ServiceTime();

  constructor(private readonly o: DispatcherOptions) {
    this.tickMs = o.tickMs ?? 500;
    this.probeMs = o.probeMs ?? 10_000;
    this.timer = setInterval(() => void this.tick(), this.tickMs);
    this.timer.unref();
    o.bus.onDispatchRequest(() => void this.pump());
  }

  /** The deadline of a reply asking for `requestedMs` at most. */
  deadline(requestedMs: number | undefined): number {
    return Date.now() + Math.min(requestedMs ?? this.o.maxWaitMs, this.o.maxWaitMs);
  }

  /**
   * Whether a new reply starts now (its slot taken) or waits; refuses the send when the queue is
   * full, before anything is stored.
   */
  async admit(upstream: string, messageId: string): Promise<'start' | 'queue'> {
    if (await this.o.queue.tryStart(upstream, messageId)) {
      this.startedAt.set(messageId, performance.now());
      return 'start';
    }
    if ((await this.o.queue.length()) >= this.o.maxQueued) {
      this.o.metrics.queueRefusals.inc({ reason: 'queue_full' });
      const retryAfterMs = this.estimate(upstream, 1) ?? 1_000;
      throw new AppError(ErrorCode.SERVICE_UNAVAILABLE, `Every model server is busy and the reply queue is full; retry in about ${Math.ceil(retryAfterMs / 1000)} s`, {
        retryAfterMs,
      });
    }
    return 'queue';
  }

  /** Gives back a slot taken by `admit` for a reply that was not stored after all. */
  async unadmit(upstream: string, messageId: string): Promise<void> {
    this.startedAt.delete(messageId);
    await this.o.queue.release(upstream, messageId);
  }

  /** A reply stored QUEUED waits for its turn. */
  async enqueue(reply: QueuedReply, front = false): Promise<void> {
    await this.o.queue.enqueue(reply, front);
    this.mine.set(reply.messageId, { upstream: reply.upstream, enqueuedAt: reply.enqueuedAt, position: 0 });
    this.armDeadline(reply.deadline);
    await this.publishPositions(reply.upstream);
    void this.pump();
  }

  /** A reply's slot is free (it ended, however): the next one may start, here or on another process. */
  async ended(upstream: string, messageId: string): Promise<void> {
    const began = this.startedAt.get(messageId);
    this.startedAt.delete(messageId);
    if (began !== undefined) this.service.observe(upstream, performance.now() - began);
    await this.o.queue.release(upstream, messageId).catch((err: unknown) => this.o.log.warn({ err, messageId }, 'could not free a reply slot'));
    void this.o.bus.requestDispatch().catch(() => undefined);
    void this.pump();
  }

  /**
   * The upstream refused a reply before its first token (at capacity): back to the head of its
   * person's line, the row QUEUED again, the upstream paused until its Retry-After (with jitter).
   */
  async refused(reply: QueuedReply, retryAfterMs: number | undefined): Promise<void> {
    this.startedAt.delete(reply.messageId);
    if (this.closed && !this.o.shared) {
      // Draining alone: nothing would start it again. It ends as the queued ones did.
      await this.o.queue.release(reply.upstream, reply.messageId);
      const ended = await this.o.db.message.updateMany({
        where: { id: reply.messageId, status: 'STREAMING', generatorId: this.o.instanceId },
        data: { status: 'FAILED', errorCode: ErrorCode.GENERATOR_STOPPED, errorMessage: 'The api stopped before this reply could start', completedAt: new Date(), generatorId: null },
      });
      if (ended.count === 1) {
        this.o.bus.append(reply.messageId, finalEvent(1, { status: 'FAILED', finishReason: null, errorCode: ErrorCode.GENERATOR_STOPPED, errorMessage: 'The api stopped before this reply could start', promptTokens: null, completionTokens: null, timeToFirstTokenMs: null, tokensPerSecond: null }));
        this.o.bus.finish(reply.messageId);
      }
      return;
    }
    const pause = (retryAfterMs ?? 1_000) * (1 + Math.random() * 0.25);
    await this.o.queue.refused(reply.upstream, reply.messageId, Date.now() + pause);
    const back = await this.o.db.message.updateMany({
      where: { id: reply.messageId, status: 'STREAMING', generatorId: this.o.instanceId },
      data: { status: 'QUEUED', generatorId: null },
    });
    if (back.count === 0) return; // cancelled or settled meanwhile
    this.o.metrics.queueRefusals.inc({ reason: 'upstream_full' });
    await this.enqueue(reply, true);
    setTimeout(() => void this.pump(), pause + 5).unref();
  }

  /** Takes a waiting reply out and settles it CANCELLED; false when it is not waiting (it started). */
  async cancel(messageId: string): Promise<boolean> {
    const reply = await this.o.queue.remove(messageId);
    this.mine.delete(messageId);
    // Also when a process has just claimed it but not yet started it: the row is still QUEUED,
    // and its launch finds it settled and frees the slot.
    const settled = await this.settleQueued(messageId, { status: 'CANCELLED', finishReason: 'cancelled', errorCode: null, errorMessage: null });
    if (reply) void this.publishPositions(reply.upstream);
    return settled;
  }

  /** Where a waiting reply stands, for a subscriber that joins: its position and an estimate. */
  async position(messageId: string): Promise<{ position: number; estimatedWaitMs: number | null } | null> {
    const at = await this.o.queue.positionOf(messageId);
    if (!at) return null;
    return { position: at.position, estimatedWaitMs: this.estimate(at.upstream, at.position) ?? null };
  }

  /**
   * Fails replies left QUEUED since before `before` whose place in line is gone: one process
   * restarted (its queue lived in it), or Redis lost its data.
   */
  async settleStale(before: Date): Promise<number> {
    const stale = await this.o.db.message.findMany({ where: { status: 'QUEUED', createdAt: { lt: before } }, select: { id: true } });
    let n = 0;
    for (const { id } of stale) {
      if (this.o.shared && (await this.o.queue.positionOf(id))) continue;
      await this.settleQueued(id, { status: 'FAILED', finishReason: null, errorCode: ErrorCode.GENERATOR_STOPPED, errorMessage: 'The api stopped before this reply could start' });
      n += 1;
    }
    return n;
  }

  /** Frees slots held by api processes that are gone (liveness recovery): those named, or (`live`) all but those named. */
  releaseHeldBy(instances: string[], mode: 'gone' | 'live' = 'gone'): Promise<void> {
    return this.o.queue.releaseHeldBy(instances, mode);
  }

  /**
   * Stops starting replies. Alone, this process's waiting replies cannot outlive it: they fail
   * (GENERATOR_STOPPED); with a shared queue another process starts them.
   */
  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.timer);
    clearTimeout(this.deadlineTimer?.timer);
    await this.pumping;
    if (this.o.shared) return;
    for (const id of [...this.mine.keys()]) {
      if (await this.o.queue.remove(id)) {
        await this.settleQueued(id, { status: 'FAILED', finishReason: null, errorCode: ErrorCode.GENERATOR_STOPPED, errorMessage: 'The api stopped before this reply could start' });
      }
    }
  }

  /** Starts waiting replies while their upstreams have room; one pass at a time, again if asked meanwhile. */
  pump(): Promise<void> {
    if (this.closed) return Promise.resolve();
    if (this.pumping) {
      this.again = true;
      return this.pumping;
    }
    this.pumping = (async () => {
      do {
        this.again = false;
        for (const upstream of await this.o.queue.upstreams()) {
          // Closing stops the claiming; a reply once claimed is always launched (it left the queue).
          while (!this.closed) {
            const reply = await this.o.queue.claim(upstream);
            if (!reply) break;
            await this.launch(reply);
          }
        }
      } while (this.again && !this.closed);
    })()
      .catch((err: unknown) => this.o.log.warn({ err }, 'could not start waiting replies'))
      .finally(() => (this.pumping = undefined));
    return this.pumping;
  }

  private async launch(reply: QueuedReply) {
    const { messageId, upstream } = reply;
    this.mine.delete(messageId);
    // The row says who runs it now; one cancelled or deleted meanwhile is not started.
    let taken = false;
    try {
      taken = (await this.o.db.message.updateMany({ where: { id: messageId, status: 'QUEUED' }, data: { status: 'STREAMING', generatorId: this.o.instanceId } })).count === 1;
    } catch (err) {
      // The database did not answer: the reply goes back to the head of its line.
      this.o.log.warn({ err, messageId }, 'could not start a waiting reply; it waits again');
      await this.o.queue.release(upstream, messageId).catch(() => undefined);
      await this.o.queue.enqueue(reply, true).catch((e: unknown) => this.o.log.error({ err: e, messageId }, 'could not queue a reply again'));
      return;
    }
    if (!taken) {
      await this.o.queue.release(upstream, messageId);
      return;
    }
    this.o.metrics.queueWait.observe((Date.now() - reply.enqueuedAt) / 1000);
    this.startedAt.set(messageId, performance.now());
    this.o.start(reply);
    // Probing for more capacity is best effort.
    await this.o.queue.started(upstream, this.probeMs).catch((err: unknown) => this.o.log.warn({ err }, 'could not update an upstream’s learned capacity'));
  }

  /** Settles a reply that never started, if it is still QUEUED, and tells its subscribers. */
  private async settleQueued(
    messageId: string,
    how: { status: 'CANCELLED' | 'FAILED'; finishReason: string | null; errorCode: string | null; errorMessage: string | null },
    retryAfterMs?: number,
  ): Promise<boolean> {
    const res = await this.o.db.message.updateMany({
      where: { id: messageId, status: 'QUEUED' },
      data: { ...how, completedAt: new Date(), generatorId: null },
    });
    if (res.count === 0) return false;
    const event = finalEvent(1, { ...how, promptTokens: null, completionTokens: null, timeToFirstTokenMs: null, tokensPerSecond: null });
    if (event.error && retryAfterMs !== undefined) event.error.retryAfterMs = retryAfterMs;
    this.o.bus.append(messageId, event);
    this.o.bus.finish(messageId);
    return true;
  }

  /** Roughly how long until the reply at `position` starts: rounds of the upstream's slots, each an average reply long. */
  private estimate(upstream: string, position: number, slots?: number): number | undefined {
    const ms = this.service.of(upstream);
    if (ms === undefined) return undefined;
    return Math.round(Math.ceil(position / Math.max(1, slots ?? this.slotsSeen.get(upstream) ?? 1)) * ms);
  }

  private readonly slotsSeen = new Map<string, number>();
  private staleCheckedAt = 0;

  /** Tells each subscriber of this process's waiting replies where it stands, when that changed. */
  private async publishPositions(upstream: string) {
    const order = await this.o.queue.order(upstream);
    // Replies of this process that left the queue elsewhere (started, cancelled, expired on another process).
    const waiting = new Set(order);
    for (const [id, m] of this.mine) if (m.upstream === upstream && !waiting.has(id)) this.mine.delete(id);
    const { held, limit } = await this.o.queue.capacity(upstream);
    const slots = Math.max(1, Number.isFinite(limit) ? limit : held);
    this.slotsSeen.set(upstream, slots);
    for (const [i, id] of order.entries()) {
      const m = this.mine.get(id);
      if (!m || m.position === i + 1) continue;
      m.position = i + 1;
      this.o.bus.notify(id, { seq: 0, queuePosition: i + 1, estimatedWaitMs: this.estimate(upstream, i + 1, slots) ?? null });
    }
  }

  private armDeadline(at: number) {
    if (this.closed || (this.deadlineTimer && this.deadlineTimer.at <= at)) return;
    clearTimeout(this.deadlineTimer?.timer);
    const timer = setTimeout(() => {
      this.deadlineTimer = undefined;
      void this.tick();
    }, Math.max(0, at - Date.now()) + 1);
    timer.unref();
    this.deadlineTimer = { at, timer };
  }

  private async tick(): Promise<void> {
    if (this.closed) return;
    if (this.ticking) {
      this.tickAgain = true;
      return;
    }
    this.ticking = true;
    this.tickAgain = false;
    try {
      const now = Date.now();
      for (const id of await this.o.queue.expired(now)) {
        const reply = await this.o.queue.remove(id);
        if (!reply) continue;
        this.mine.delete(id);
        this.o.metrics.queueRefusals.inc({ reason: 'deadline' });
        const retryAfterMs = this.estimate(reply.upstream, 1) ?? 1_000;
        await this.settleQueued(
          id,
          { status: 'FAILED', finishReason: null, errorCode: ErrorCode.UPSTREAM_BUSY, errorMessage: `Every model server stayed busy for ${Math.round((now - reply.enqueuedAt) / 1000)} s; retry in about ${Math.ceil(retryAfterMs / 1000)} s` },
          retryAfterMs,
        );
      }
      const upstreams = new Set([...this.mine.values()].map((m) => m.upstream));
      for (const u of upstreams) await this.publishPositions(u);
      this.o.metrics.queueLength.set(await this.o.queue.length());
      if (this.o.shared && now - this.staleCheckedAt > 30_000) {
        this.staleCheckedAt = now;
        await this.settleStale(new Date(now - this.o.maxWaitMs - 60_000));
      }
      // A pause that ran out, or a notice from another process that went missing.
      await this.pump();
    } catch (err) {
      this.o.log.warn({ err }, 'reply queue upkeep failed');
    } finally {
      this.ticking = false;
    }
    if (this.tickAgain) await this.tick();
  }
}
