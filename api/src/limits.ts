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

  private async consume(limiter: RateLimiterAbstract, key: string, what: string) {
    try {
      await limiter.consume(key);
    } catch (res) {
      if (!(res instanceof RateLimiterRes)) throw res;
      const retryAfterSeconds = Math.ceil(res.msBeforeNext / 1000);
      throw new AppError(ErrorCode.RATE_LIMITED, `Too many ${what}; retry in ${retryAfterSeconds} s`, { retryAfterSeconds });
    }
  }

  message(userId: string) {
    return this.consume(this.messages, userId, 'messages');
  }

  /** Sign-in attempts per email and client address. */
  login(email: string, ip: string | undefined) {
    return this.consume(this.logins, `${email.trim().toLowerCase()}|${ip ?? ''}`, 'sign-in attempts');
  }
}
