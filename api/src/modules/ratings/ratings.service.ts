import type { PrismaClient } from '@dialoop/db';
import type { Caller } from '../../context.js';
import type { AuditLog } from '../audit/index.js';
import type { ReviewService } from '../review/index.js';
import { AppError, ErrorCode, badInput, missing } from '../../errors.js';
import { parseId } from '../../ids.js';
import { accessible, requireActor, type AuthorizationContext } from '../rbac/index.js';

export interface RatingInput {
  thumb?: 'UP' | 'DOWN' | undefined;
  score?: number | undefined;
  tags?: string[] | undefined;
  comment?: string | undefined;
}

export class RatingService {
  constructor(
    private readonly db: PrismaClient,
    private readonly audit: AuditLog,
    private readonly review: Pick<ReviewService, 'onRated'>,
  ) {}

  /** One rating per person per reply: rating again updates it. */
  async rate(ctx: Caller, messageId: string, input: RatingInput) {
    const actor = requireActor(ctx);
    if (!input.thumb && input.score === undefined) throw badInput('A rating needs a thumb or a score');
    // Only your own replies are yours to rate (reviewers review through the review queue), and a
    // `ratings` API key rates its owner's replies without the `chat` scope's right to read them.
    const key = parseId(messageId, 'Message');
    const message = await this.db.message.findFirst({ where: { id: key, userId: actor.userId } });
    if (!message) throw missing('Message', await this.db.message.count({ where: { id: key } }));
    if (message.role !== 'ASSISTANT') throw badInput('Only assistant replies can be rated', { field: 'messageId' });
    if (message.status === 'STREAMING' || message.status === 'QUEUED') throw new AppError(ErrorCode.CONFLICT, 'The reply is still streaming');
    const data = {
      thumb: input.thumb ?? null,
      score: input.score ?? null,
      tags: [...new Set((input.tags ?? []).map((t) => t.trim()).filter(Boolean))],
      comment: input.comment?.trim() || null,
    };
    return this.db.$transaction(async (tx) => {
      const rating = await tx.rating.upsert({
        where: { messageId_userId: { messageId: message.id, userId: actor.userId } },
        create: { ...data, messageId: message.id, userId: actor.userId },
        update: data,
      });
      // The reply's KTO label and the prompt's rating pairs follow the rating in the same transaction.
      await this.review.onRated(tx, message.id);
      // Tags and comments are the person's own words: the trail keeps their shape only.
      await this.audit.record(tx, ctx.audit, {
        action: 'rateMessage',
        subject: { type: 'Message', id: message.id, owner: this.audit.person(message.userId) },
        after: { thumb: data.thumb, score: data.score, tags: data.tags.length, commentLength: data.comment?.length ?? 0 },
      });
      return rating;
    });
  }

  async mine(ctx: AuthorizationContext, messageId: string) {
    if (!ctx.actor) return null;
    return this.db.rating.findFirst({ where: { AND: [accessible(ctx.ability).ofType('Rating'), { messageId, userId: ctx.actor.userId }] } });
  }
}
