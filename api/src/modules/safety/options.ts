import type { EscalationStep, PrismaClient } from '@dialoop/db';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { ApiMetrics } from '../../metrics.js';
import type { AuditLog } from '../audit/index.js';

export interface SafetySettings {
  enabled: boolean;
  refusal: string;
  regexHold: number;
  reloadIntervalMs: number;
  windowSeconds: number;
  thresholds: Record<EscalationStep, number>;
  slowIntervalMs: number;
}

/** What the safety service is built with; its parts (filter, monitoring, administration) share it. */
export interface SafetyServiceOptions {
  db: PrismaClient;
  audit: AuditLog;
  redis: Redis | undefined;
  log: Logger;
  metrics: Pick<ApiMetrics, 'safetyHits' | 'safetyHoldback' | 'safetyEscalations'>;
  settings: SafetySettings;
}
