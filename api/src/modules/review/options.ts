import type { Prisma, PrismaClient } from '@dialoop/db';
import type { Criterion } from '@dialoop/feedback';
import type { Logger } from 'pino';
import type { Counter, Gauge } from 'prom-client';
import type { AuditLog } from '../audit/index.js';
import type { Upstreams } from '../chat/index.js';
import type { SafetyService } from '../safety/index.js';

export interface ReviewSettings {
  /** Reviews each item needs (REVIEWS_PER_ITEM). */
  perItem: number;
  leaseSeconds: number;
  /** Share of conversations sampled for review. */
  sampleShare: number;
  /** A score at or below this (or a thumb down) sends a reply to review. */
  lowScore: number;
  /** Models asked for an extra candidate when an item has one reply; empty: the reply's own model. */
  arenaModels: string[];
  /** Below this agreement an item goes to adjudication. */
  minAgreement: number;
  rubric: Criterion[];
  defaultModel: string | undefined;
  /** How often each process sweeps the sources (REVIEW_COLLECT_INTERVAL_S; 0: only when an admin asks). */
  collectIntervalSeconds: number;
}

/** What the review module is built from (server.ts); each part takes the few it needs. */
export interface ReviewServiceOptions {
  db: PrismaClient;
  audit: AuditLog;
  upstreams: Upstreams;
  /** Used only for its reply filter, applied to generated candidates. */
  safety: SafetyService;
  settings: ReviewSettings;
  /** The queue by status (`dialoop_api_review_items`), reviews by kind, agreement over the whole queue. */
  metrics?: { items: Gauge<'status'>; reviews: Counter<'kind'>; agreement: Gauge<'measure'>; rejected: Counter<'reason'> } | undefined;
  log: Logger;
}

export type Tx = Prisma.TransactionClient;
