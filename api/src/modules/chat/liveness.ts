import type { Redis } from 'ioredis';
import type { Logger } from 'pino';

/** Sorted set of live api processes, scored by when each last said so (Redis's clock, in ms). */
export const LIVE_SET = 'dialoop:api:live';

export interface LivenessOptions {
  redis: Redis;
  instanceId: string;
  /** How often this process says it is alive and looks for processes that stopped saying so. */
  heartbeatMs: number;
  /** Silent this long: dead. Detection takes at most `windowMs + heartbeatMs` after the last heartbeat. */
  windowMs: number;
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
 */
export class Liveness {
  private timer: NodeJS.Timeout | undefined;
  private recovering: Promise<void> | undefined;
  private lastSweep = 0;
  private announced = false;
  private stopped = false;

  constructor(private readonly o: LivenessOptions) {}

  /** Announces this process and settles what processes already gone left; then beats every heartbeat. */
  async start(): Promise<void> {
    await this.announce();
    await this.check(true);
    this.timer = setInterval(() => void this.beat(), this.o.heartbeatMs);
    this.timer.unref();
  }

  /** Stops beating and leaves the set (after draining: the others need not wait out the window). */
  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.recovering;
    await this.o.redis.zrem(LIVE_SET, this.o.instanceId).catch(() => undefined);
  }

  private async now(): Promise<number> {
    // Redis's clock, so that processes on hosts with skewed clocks agree.
    const [seconds, micros] = await this.o.redis.time();
    return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
  }

  private async announce(): Promise<number> {
    const now = await this.now();
    const added = await this.o.redis.zadd(LIVE_SET, now, this.o.instanceId);
    if (Number(added) === 1 && this.announced) {
      this.o.log.warn({ windowMs: this.o.windowMs }, 'this api process was taken for dead (silent longer than the liveness window); replies it ran were settled elsewhere');
    }
    this.announced = true;
    return now;
  }

  private async beat() {
    if (this.stopped) return;
    try {
      await this.announce();
      // stop() ran meanwhile: leave the set again (its ZREM may have come first).
      if (this.stopped) return void (await this.o.redis.zrem(LIVE_SET, this.o.instanceId));
    } catch (err) {
      this.o.log.warn({ err }, 'liveness heartbeat failed');
      return;
    }
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
