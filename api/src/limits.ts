import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { AppError, ErrorCode } from './errors.js';

export interface LimitsOptions {
  messagesPerMinute: number;
  redis: Redis | undefined;
}

/** Per-person rate limits, shared by all api processes when Redis is configured. */
export class Limits {
  private readonly messages: RateLimiterAbstract;
  private readonly logins: RateLimiterAbstract;

  constructor(o: LimitsOptions) {
    const make = (keyPrefix: string, points: number, duration: number) =>
      o.redis ? new RateLimiterRedis({ storeClient: o.redis, keyPrefix, points, duration }) : new RateLimiterMemory({ keyPrefix, points, duration });
    this.messages = make('dialoop:rl:msg', o.messagesPerMinute, 60);
    this.logins = make('dialoop:rl:login', 10, 60);
  }

  private limited(res: RateLimiterRes, what: string) {
    const retryAfterSeconds = Math.max(1, Math.ceil(res.msBeforeNext / 1000));
    return new AppError(ErrorCode.RATE_LIMITED, `Too many ${what}; retry in ${retryAfterSeconds} s`, { retryAfterSeconds });
  }

  private async consume(limiter: RateLimiterAbstract, key: string, what: string) {
    try {
      await limiter.consume(key);
    } catch (res) {
      if (!(res instanceof RateLimiterRes)) throw res;
      throw this.limited(res, what);
    }
  }

  message(userId: string) {
    return this.consume(this.messages, userId, 'messages');
  }

  /**
   * Guards a sign-in: after 10 failures in a minute for one email from one address, further
   * attempts are refused until the minute is over; a success clears the count.
   */
  async login<T>(email: string, ip: string | undefined, attempt: () => Promise<T>): Promise<T> {
    // The email is hashed: no raw address sits in Redis (erasure could not reach it there).
    const key = `${createHash('sha256').update(email.trim().toLowerCase()).digest('hex').slice(0, 32)}|${ip ?? ''}`;
    const seen = await this.logins.get(key);
    if (seen && seen.remainingPoints <= 0) throw this.limited(seen, 'failed sign-in attempts');
    try {
      const result = await attempt();
      await this.logins.delete(key);
      return result;
    } catch (err) {
      await this.logins.penalty(key, 1).catch(() => undefined);
      throw err;
    }
  }
}
