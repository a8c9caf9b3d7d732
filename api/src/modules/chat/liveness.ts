import { Worker } from 'node:worker_threads';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { HeartbeatNote, HeartbeatTask } from './heartbeat.worker.js';

/** Sorted set of live api processes, scored by when each last said so (Redis's clock, in ms). */
export const LIVE_SET = 'dialoop:api:live';

export interface LivenessOptions {
  redis: Redis;
  /** The heartbeat thread opens a connection of its own here. */
  redisUrl: string;
  instanceId: string;
  /** How often this process says it is alive and looks for processes that stopped saying so. */
  heartbeatMs: number;
  /** Silent this long: dead. Detection takes at most `windowMs + heartbeatMs` after the last heartbeat. */
  windowMs: number;
  /** A main thread that has not turned for this long is hung: its heartbeats stop (so another process settles its replies). */
  hungMs: number;
  /** How often every orphan (a generator in no live entry, or none) is looked for, beyond the dead just seen. */
  sweepMs?: number;
  /** Settles the replies of processes that are gone; returns how many this process settled. */
  recover(scope: { dead: string[] } | { live: string[]; stillLive: () => Promise<string[]> }): Promise<number>;
  /** Called with the time from a dead process's last heartbeat to the end of its recovery here. */
  onRecovered?(deadFor: number, settled: number): void;
  log: Logger;
}

/**
 * Which api processes are alive, with Redis: each announces itself every heartbeat; a process
 * that finds another silent for the window claims it (ZREM answers 1 to one caller only) and
 * settles that process's replies. A periodic sweep catches what a claimer that died mid-way, or
 * a process gone before any of this ran, left behind; settling a row is itself once-only, so
 * two processes recovering the same rows do no harm.
 *
 * The heartbeat itself is beaten by a thread of its own (heartbeat.worker.ts), with its own Redis
 * connection: under load the main thread can be busy for longer than the window (two api
 * processes at 1,000 streams on two cores: 22 s), and an overloaded process taken for dead had its
 * replies cut short by another — load made worse by recovery. A process that dies stops the
 * thread too; one whose main thread stops turning for `hungMs` is let go by the thread.
 */
export class Liveness {
  private timer: NodeJS.Timeout | undefined;
  private heart: Worker | undefined;
  /** The heartbeat thread has beaten since it (re)started: the main thread need not announce itself. */
  private heartBeating = false;
  private heartRestart: NodeJS.Timeout | undefined;
  private readonly progress = new BigInt64Array(new SharedArrayBuffer(8));
  private recovering: Promise<void> | undefined;
  private lastSweep = 0;
  private stopped = false;

  constructor(private readonly o: LivenessOptions) {}

  /** Announces this process and settles what processes already gone left; then beats every heartbeat. */
  async start(): Promise<void> {
    await this.announce();
    await this.check(true);
    Atomics.store(this.progress, 0, BigInt(Date.now()));
    this.startHeart();
    this.timer = setInterval(() => this.beat(), this.o.heartbeatMs);
    this.timer.unref();
  }

  /** The heartbeat thread; one that fails or exits is started again a heartbeat later (meanwhile the main thread announces itself). */
  private startHeart() {
    const task: HeartbeatTask = { redisUrl: this.o.redisUrl, instanceId: this.o.instanceId, heartbeatMs: this.o.heartbeatMs, hungMs: this.o.hungMs, progress: this.progress.buffer as SharedArrayBuffer };
    const heart = new Worker(new URL('./heartbeat.worker.mjs', import.meta.url), { workerData: task, resourceLimits: { maxOldGenerationSizeMb: 64 } });
    this.heart = heart;
    this.heartBeating = false;
    heart.unref();
    heart.on('message', (note: HeartbeatNote) => this.heard(note));
    heart.on('error', (err) => this.o.log.error({ err }, 'liveness heartbeat thread failed; started again'));
    heart.on('exit', () => {
      if (this.heart !== heart || this.stopped) return;
      this.heart = undefined;
      this.heartBeating = false;
      this.heartRestart = setTimeout(() => {
        if (!this.stopped) this.startHeart();
      }, this.o.heartbeatMs);
      this.heartRestart.unref();
    });
  }

  private heard(note: HeartbeatNote) {
    if (note.kind === 'beating') this.heartBeating = true;
    else if (note.kind === 'takenForDead') this.o.log.warn({ windowMs: this.o.windowMs }, 'this api process was taken for dead (silent longer than the liveness window); replies it ran were settled elsewhere');
    else if (note.kind === 'hung') this.o.log.error({ lagMs: note.lagMs, hungMs: this.o.hungMs }, 'the main thread has not turned for longer than API_HUNG_MS: heartbeats stop, and another process settles this one\'s replies');
    else if (note.kind === 'failed') {
      this.heartBeating = false;
      this.o.log.warn({ err: { message: note.message } }, 'liveness heartbeat failed');
    }
  }

  /** Stops beating and leaves the set (after draining: the others need not wait out the window). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    clearTimeout(this.heartRestart);
    const heart = this.heart;
    if (heart) {
      // The thread leaves the set itself; then it is ended (at most a second later, whatever it does).
      const stopped = new Promise<void>((resolve) => {
        heart.on('message', (note: HeartbeatNote) => note.kind === 'stopped' && resolve());
        heart.once('exit', () => resolve());
        setTimeout(resolve, 1_000).unref();
      });
      heart.postMessage('stop');
      await stopped;
      await heart.terminate();
    }
    await this.recovering;
    await this.o.redis.zrem(LIVE_SET, this.o.instanceId).catch(() => undefined);
  }

  private async now(): Promise<number> {
    // Redis's clock, so that processes on hosts with skewed clocks agree.
    const [seconds, micros] = await this.o.redis.time();
    return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
  }

  /** Joins the set (at start; the heartbeat thread keeps this process in it). */
  private async announce(): Promise<void> {
    await this.o.redis.zadd(LIVE_SET, await this.now(), this.o.instanceId);
  }

  /**
   * The main thread's turn: it shows the heartbeat thread it still turns (announcing itself while
   * that thread is not beating: starting, failing or started again), then looks for processes
   * gone silent.
   */
  private beat() {
    if (this.stopped) return;
    Atomics.store(this.progress, 0, BigInt(Date.now()));
    if (!this.heartBeating) void this.announce().catch((err: unknown) => this.o.log.warn({ err }, 'liveness heartbeat failed'));
    // Recovery may take longer than a heartbeat: it never delays the next one.
    if (!this.recovering) this.recovering = this.check(false).finally(() => (this.recovering = undefined));
  }

  private async check(sweep: boolean) {
    try {
      const now = await this.now();
      const silent = await this.o.redis.zrangebyscore(LIVE_SET, '-inf', now - this.o.windowMs, 'WITHSCORES');
      const claimed: { id: string; lastSeen: number }[] = [];
      for (let i = 0; i < silent.length; i += 2) {
        const id = silent[i]!;
        if (id !== this.o.instanceId && Number(await this.o.redis.zrem(LIVE_SET, id)) === 1) claimed.push({ id, lastSeen: Number(silent[i + 1]) });
      }
      if (claimed.length > 0) {
        const n = await this.o.recover({ dead: claimed.map((c) => c.id) });
        const deadFor = Date.now() - Math.min(...claimed.map((c) => c.lastSeen));
        this.o.log.warn({ processes: claimed.map((c) => c.id), replies: n, msSinceLastHeartbeat: deadFor }, 'api processes stopped: their replies settled as INTERRUPTED');
        this.o.onRecovered?.(deadFor, n);
      }
      if (sweep || now - this.lastSweep >= (this.o.sweepMs ?? 30_000)) {
        this.lastSweep = now;
        const live = () => this.o.redis.zrange(LIVE_SET, 0, -1);
        const n = await this.o.recover({ live: await live(), stillLive: live });
        if (n > 0) this.o.log.warn({ replies: n }, 'replies of stopped api processes settled as INTERRUPTED');
      }
    } catch (err) {
      this.o.log.warn({ err }, 'recovery of stopped api processes failed; retried at the next heartbeat');
    }
  }
}
