/**
 * Review items themselves: how one is made (whatever its source), the prompt it asks about, its
 * rubric, and the filter that selects items for lists and agreement reports.
 */
import { randomUUID } from 'node:crypto';
import type { Prisma, PrismaClient, ReviewItem, ReviewItemSource, ReviewKind } from '@dialoop/db';
import { DEFAULT_RUBRIC, type Criterion, type Turn } from '@dialoop/feedback';
import { badInput } from '../../errors.js';
import { turnsTo } from '../chat/index.js';
import type { Kind } from './conclude.js';
import type { ReviewSettings, Tx } from './options.js';

export type Source = 'SIBLINGS' | 'LOW_RATING' | 'SAFETY' | 'SAMPLE' | 'MANUAL' | 'ARENA';

export interface CandidateSpec {
  messageId: string | null;
  content: string;
  model: string | null;
}

export interface ItemSpec {
  source: Source;
  conversationId: string;
  promptMessageId: string;
  candidates: CandidateSpec[];
  kind?: Kind | undefined;
  requiredReviews?: number | undefined;
  arenaModels?: string[] | undefined;
  priority?: number | undefined;
  createdBy?: string | null | undefined;
  origin?: Record<string, unknown> | undefined;
}

export const MAX_CANDIDATES = 8;

export interface ItemFilter {
  source?: string | undefined;
  kind?: string | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
}

/** The items a ReviewItemFilter selects. */
export const itemWhere = (f: ItemFilter): Prisma.ReviewItemWhereInput => ({
  ...(f.source ? { source: f.source as ReviewItemSource } : {}),
  ...(f.kind ? { kind: f.kind as ReviewKind } : {}),
  ...(f.from || f.to ? { createdAt: { ...(f.from ? { gte: f.from } : {}), ...(f.to ? { lt: f.to } : {}) } } : {}),
});

/** The conversation up to and including the user message `promptMessageId` (blank turns, which no format takes, left out). */
export async function promptOf(db: PrismaClient | Tx, promptMessageId: string): Promise<Turn[]> {
  return (await turnsTo(db, promptMessageId)).filter((t) => t.content.trim() !== '');
}

/** The rubric an item was made with (the default for items made without one). */
export function rubricOf(item: Pick<ReviewItem, 'rubric'>): Criterion[] {
  return Array.isArray(item.rubric) && item.rubric.length ? (item.rubric as unknown as Criterion[]) : [...DEFAULT_RUBRIC];
}

/** Makes an item (PENDING while it waits for generated candidates). */
export async function createItem(db: Tx, settings: ReviewSettings, spec: ItemSpec): Promise<ReviewItem> {
  const arena = [...new Set(spec.arenaModels ?? [])];
  // One reply and no arena: a second candidate from the reply's own model (another sample), except
  // for a correction, which edits one reply.
  const alone = spec.candidates.length < 2 && !(spec.kind === 'CORRECTION' && spec.candidates.length === 1);
  const extra = arena.length > 0 ? arena : alone ? [spec.candidates[0]?.model ?? settings.defaultModel ?? ''] : [];
  const expected = spec.candidates.length + extra.length;
  const kind = spec.kind ?? (expected > 2 ? 'RANKING' : 'PAIRWISE');
  if (kind === 'PAIRWISE' && expected !== 2) throw badInput(`A PAIRWISE item compares exactly two replies, not ${expected}`, { field: 'kind' });
  if (expected > MAX_CANDIDATES) throw badInput(`An item holds at most ${MAX_CANDIDATES} candidates`, { field: 'messageIds' });
  const id = randomUUID();
  return db.reviewItem.create({
    data: {
      id,
      source: spec.source,
      kind,
      status: extra.length > 0 ? 'PENDING' : 'OPEN',
      conversationId: spec.conversationId,
      promptMessageId: spec.promptMessageId,
      requiredReviews: spec.requiredReviews ?? settings.perItem,
      priority: spec.priority ?? 0,
      arenaModels: extra,
      rubric: settings.rubric as unknown as Prisma.InputJsonValue,
      createdBy: spec.createdBy ?? null,
      ...(spec.origin ? { origin: spec.origin as Prisma.InputJsonValue } : {}),
      candidates: { create: spec.candidates.map((c, position) => ({ position, messageId: c.messageId, content: c.content, model: c.model })) },
    },
  });
}
