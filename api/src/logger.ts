import { pino, type Logger } from 'pino';
import type { ApiEnv } from './env.js';

export type { Logger };

export function createLogger(env: Pick<ApiEnv, 'LOG_LEVEL'>): Logger {
  return pino({
    level: env.LOG_LEVEL,
    base: { service: 'api' },
    redact: { paths: ['req.headers.authorization', '*.password', '*.token', '*.secret'], censor: '[redacted]' },
  });
}
