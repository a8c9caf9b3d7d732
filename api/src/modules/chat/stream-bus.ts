import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { StreamEvent } from './events.js';

export type Listener = (event: StreamEvent) => void;

/**
 * Carries a reply's events from the process generating it to every subscriber, on any api
 * process, and keeps each stream's events for replay while it runs and for a while after.
 *
 * Ordering contract: `append` stores an event before publishing it, and `listen` resolves only
 * once the subscription is active; a subscriber that listens, then reads `history`, therefore
 * misses nothing (it may see an event twice, and drops it by seq).
 */
export interface StreamBus {
  append(messageId: string, event: StreamEvent): void;
  /** Tells the stream's current subscribers something not kept for replay (a queued reply's position). */
  notify(messageId: string, event: StreamEvent): void;
  /** Called after the last event: the log is kept `ttlSeconds` more for late subscribers. */
  finish(messageId: string): void;
  history(messageId: string): Promise<StreamEvent[]>;
  /** Forgets a stream's log (a reply recovered as INTERRUPTED): replay then reads the stored row. */
  discard(messageId: string): Promise<void>;
  listen(messageId: string, listener: Listener): Promise<() => void>;
  /** Asks whichever process generates the reply to stop it. */
  requestCancel(messageId: string): Promise<void>;
  onCancelRequest(handler: (messageId: string) => void): void;
  /** Asks every process to start waiting replies (a slot freed). */
  requestDispatch(): Promise<void>;
  onDispatchRequest(handler: () => void): void;
  /** Resolves once every event appended so far has reached this process's listeners (a draining process waits for it). */
  delivered(): Promise<void>;
  close(): Promise<void>;
}

class Listeners {
  private readonly byTopic = new Map<string, Set<Listener>>();
  add(topic: string, l: Listener): boolean {
    let set = this.byTopic.get(topic);
    const first = !set;
    if (!set) this.byTopic.set(topic, (set = new Set()));
    set.add(l);
    return first;
  }
  /** Returns true when the topic has no listeners left. */
  remove(topic: string, l: Listener): boolean {
    const set = this.byTopic.get(topic);
    if (!set) return false;
    set.delete(l);
    if (set.size > 0) return false;
    this.byTopic.delete(topic);
    return true;
  }
  emit(topic: string, event: StreamEvent) {
    const set = this.byTopic.get(topic);
    if (set) for (const l of set) l(event);
  }
}

/** Single-process bus: the default when REDIS_URL is unset. */
export class MemoryStreamBus implements StreamBus {
  private readonly logs = new Map<string, StreamEvent[]>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly listeners = new Listeners();
  private cancelHandler: ((id: string) => void) | undefined;

  constructor(private readonly ttlSeconds: number) {}

  append(messageId: string, event: StreamEvent) {
    let log = this.logs.get(messageId);
    if (!log) this.logs.set(messageId, (log = []));
    log.push(event);
    this.listeners.emit(messageId, event);
  }

  notify(messageId: string, event: StreamEvent) {
    this.listeners.emit(messageId, event);
  }

  finish(messageId: string) {
    clearTimeout(this.timers.get(messageId));
    const t = setTimeout(() => {
      this.logs.delete(messageId);
      this.timers.delete(messageId);
    }, this.ttlSeconds * 1000);
    t.unref();
    this.timers.set(messageId, t);
  }

  history(messageId: string) {
    return Promise.resolve([...(this.logs.get(messageId) ?? [])]);
  }

  discard(messageId: string) {
    this.logs.delete(messageId);
    return Promise.resolve();
  }

  listen(messageId: string, listener: Listener) {
    this.listeners.add(messageId, listener);
    return Promise.resolve(() => void this.listeners.remove(messageId, listener));
  }

  requestCancel(messageId: string) {
    this.cancelHandler?.(messageId);
    return Promise.resolve();
  }

  onCancelRequest(handler: (messageId: string) => void) {
    this.cancelHandler = handler;
  }

  delivered() {
    return Promise.resolve(); // listeners hear each event as it is appended
  }

  requestDispatch() {
    return Promise.resolve(); // the one process dispatches when its own slots free
  }

  onDispatchRequest() {}

  close() {
    for (const t of this.timers.values()) clearTimeout(t);
    this.logs.clear();
    return Promise.resolve();
  }
}

const PREFIX = 'dialoop:stream:';
const CANCEL_CHANNEL = 'dialoop:cancel';
const DISPATCH_CHANNEL = 'dialoop:dispatch';
/** A running stream's log outlives a crashed writer by at most this long. */
const RUNNING_TTL_S = 24 * 3600;

/**
 * Redis bus for several api processes: each event is RPUSHed to `dialoop:stream:<id>` and
 * PUBLISHed on the channel of the same name, in that order, on one connection. Listeners on
 * the publishing process hear it back from Redis too: a subscriber never sees an event that is
 * not in the log, so what a crash leaves in the log covers everything anyone received.
 * (@graphql-yoga/redis-event-target was not used: it gives no signal when a SUBSCRIBE is
 * active, which lossless replay needs.)
 */
export class RedisStreamBus implements StreamBus {
  private readonly pub: Redis;
  private readonly sub: Redis;
  private readonly listeners = new Listeners();
  private readonly subscribed = new Map<string, Promise<unknown>>();
  private cancelHandler: ((id: string) => void) | undefined;
  /** A channel of this process's own: a marker published on it comes back after every earlier event. */
  private readonly barrierChannel = `dialoop:barrier:${randomUUID()}`;
  private readonly barriers = new Map<string, () => void>();
  private dispatchHandler: (() => void) | undefined;

  /** `redis` is the process's shared client (kept open by its owner); subscriptions get their own connection. */
  constructor(redis: Redis, private readonly ttlSeconds: number, private readonly log: Logger) {
    this.pub = redis;
    this.sub = redis.duplicate();
    this.sub.on('error', (err) => this.log.warn({ err }, 'redis subscriber connection error'));
    this.sub.on('messageBuffer', (channel: Buffer, message: Buffer) => {
      const name = channel.toString();
      if (name === CANCEL_CHANNEL) {
        this.cancelHandler?.(message.toString());
        return;
      }
      if (name === DISPATCH_CHANNEL) {
        this.dispatchHandler?.();
        return;
      }
      if (name === this.barrierChannel) {
        const token = message.toString();
        this.barriers.get(token)?.();
        this.barriers.delete(token);
        return;
      }
      let event: StreamEvent;
      try {
        event = JSON.parse(message.toString()) as StreamEvent;
      } catch {
        return;
      }
      this.listeners.emit(name.slice(PREFIX.length), event);
    });
  }

  /** Resolves once both connections are up and the cancel channel is subscribed. */
  async ready(): Promise<void> {
    await Promise.all([this.pub.ping(), this.sub.subscribe(CANCEL_CHANNEL, DISPATCH_CHANNEL, this.barrierChannel)]);
  }

  append(messageId: string, event: StreamEvent) {
    const key = PREFIX + messageId;
    const json = JSON.stringify(event);
    const failed = (err: unknown) => this.log.error({ err, messageId }, 'redis append failed');
    this.pub.rpush(key, json).catch(failed);
    if (event.seq === 1) this.pub.expire(key, RUNNING_TTL_S).catch(failed);
    this.pub.publish(key, json).catch(failed);
  }

  notify(messageId: string, event: StreamEvent) {
    this.pub.publish(PREFIX + messageId, JSON.stringify(event)).catch((err: unknown) => this.log.warn({ err, messageId }, 'redis publish failed'));
  }

  finish(messageId: string) {
    this.pub.expire(PREFIX + messageId, this.ttlSeconds).catch((err: unknown) => this.log.error({ err, messageId }, 'redis expire failed'));
  }

  async discard(messageId: string) {
    await this.pub.del(PREFIX + messageId);
  }

  async history(messageId: string) {
    const items = await this.pub.lrange(PREFIX + messageId, 0, -1);
    return items.map((s) => JSON.parse(s) as StreamEvent);
  }

  async listen(messageId: string, listener: Listener) {
    const channel = PREFIX + messageId;
    if (this.listeners.add(messageId, listener)) this.subscribed.set(channel, this.sub.subscribe(channel));
    try {
      await this.subscribed.get(channel);
    } catch (err) {
      // A failed SUBSCRIBE must not stay cached for the next subscriber.
      if (this.listeners.remove(messageId, listener)) this.subscribed.delete(channel);
      throw err;
    }
    return () => {
      if (this.listeners.remove(messageId, listener)) {
        this.subscribed.delete(channel);
        this.sub.unsubscribe(channel).catch(() => undefined);
      }
    };
  }

  async requestCancel(messageId: string) {
    await this.pub.publish(CANCEL_CHANNEL, messageId);
  }

  onCancelRequest(handler: (messageId: string) => void) {
    this.cancelHandler = handler;
  }

  async requestDispatch() {
    await this.pub.publish(DISPATCH_CHANNEL, '1');
  }

  onDispatchRequest(handler: () => void) {
    this.dispatchHandler = handler;
  }

  async delivered() {
    // Redis sends a subscriber the messages it publishes in order, whatever their channel.
    const token = randomUUID();
    const heard = new Promise<void>((resolve) => this.barriers.set(token, resolve));
    await this.pub.publish(this.barrierChannel, token);
    const timeout = new Promise<void>((resolve) => setTimeout(resolve, 2_000).unref());
    await Promise.race([heard, timeout]);
    this.barriers.delete(token);
  }

  async close() {
    await this.sub.quit().catch(() => undefined);
  }
}
