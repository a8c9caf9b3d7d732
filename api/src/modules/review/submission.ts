import type { Prisma, ReviewItem } from '@dialoop/db';
import { parseReview } from '@dialoop/feedback';
import type { Caller } from '../../context.js';
import { AppError, ErrorCode, badInput, notFound } from '../../errors.js';
import { parseId } from '../../ids.js';
import { requireActor } from '../rbac/index.js';
import type { Answer } from './conclude.js';
import { rubricOf } from './items.js';
import type { ReviewServiceOptions, Tx } from './options.js';
import type { Outcomes } from './outcomes.js';

export interface ReviewInputData {
  kind: string;
  choice?: string | undefined;
  strength?: number | undefined;
  ranking?: string[] | undefined;
  candidateId?: string | undefined;
  scores?: { criterion: string; score: number }[] | undefined;
  text?: string | undefined;
  reason?: string | undefined;
  tags?: string[] | undefined;
  comment?: string | undefined;
}

/** Validates an answer against the item: BAD_USER_INPUT with every issue's path. */
function parseAnswer(item: ReviewItem & { candidates: { id: string; content: string }[] }, input: ReviewInputData) {
  if (input.kind !== 'SKIP' && input.kind !== item.kind) throw badInput(`This item takes ${item.kind} reviews (or SKIP)`, { field: 'kind', issues: [{ path: 'kind', message: `expected ${item.kind} or SKIP` }] });
  const scores = input.scores ? Object.fromEntries(input.scores.map((s) => [s.criterion, s.score])) : undefined;
  const raw = { ...input, scores, strength: input.strength ?? null };
  for (const k of Object.keys(raw) as (keyof typeof raw)[]) if (raw[k] === undefined) delete raw[k];
  const result = parseReview(raw, {
    candidates: item.candidates.map((c) => c.id),
    rubric: rubricOf(item),
    texts: new Map(item.candidates.map((c) => [c.id, c.content])),
  });
  if (!result.ok) throw badInput(`Invalid review: ${result.issues.map((i) => `${i.path || 'input'}: ${i.message}`).join('; ')}`, { issues: result.issues });
  return result.review;
}

/** A validated review as stored: the answer (a tie has no strength), and its tags and comment apart. */
function answerOf(review: Exclude<ReturnType<typeof parseAnswer>, { kind: 'SKIP' }>): { answer: Answer; tags: string[]; comment: string | null } {
  const { tags, comment, ...answer } = review;
  if (answer.kind === 'PAIRWISE') return { answer: { ...answer, strength: answer.choice === 'TIE' ? null : (answer.strength ?? null) }, tags, comment: comment ?? null };
  return { answer: answer as Answer, tags, comment: comment ?? null };
}

/**
 * Reviews going in: a reviewer's under their lease (or a skip), and an admin's decision on an
 * item whose reviews disagree. An item with all its reviews, or a decision, is concluded in the
 * same transaction.
 */
export class Submissions {
  constructor(private readonly o: Pick<ReviewServiceOptions, 'db' | 'audit'> & { outcomes: Pick<Outcomes, 'conclude'> }) {}

  /**
   * Submits the caller's review under their live lease. A RUBRIC item is scored one candidate
   * per call; the claim completes when every candidate has its scores. When the item has all its
   * reviews it is concluded: DONE with its pairs, or ADJUDICATION when they disagree.
   */
  async submit(caller: Caller, itemId: string, input: ReviewInputData) {
    const actor = requireActor(caller);
    const key = parseId(itemId, 'ReviewItem');
    const me = caller.audit.actor.pseudonym ?? this.o.audit.person(actor.userId);
    return this.o.db.$transaction(async (tx) => {
      const item = await this.lockItem(tx, key);
      const claim = await tx.reviewClaim.findUnique({ where: { itemId_reviewerId: { itemId: key, reviewerId: actor.userId } } });
      if (!claim || claim.status !== 'CLAIMED' || claim.expiresAt <= new Date()) {
        throw new AppError(ErrorCode.CONFLICT, claim?.status === 'CLAIMED' ? 'Your claim on this item has expired: claim again' : 'You hold no live claim on this item');
      }
      if (item.status !== 'OPEN') throw new AppError(ErrorCode.CONFLICT, `The item is ${item.status}`);
      const review = parseAnswer(item, input);
      const owner = this.o.audit.person(item.conversation.userId);
      if (review.kind === 'SKIP') {
        const skipped = await tx.reviewClaim.update({ where: { id: claim.id }, data: { status: 'SKIPPED', skipReason: review.reason } });
        await this.o.audit.record(tx, caller.audit, { action: 'skipReviewItem', subject: { type: 'ReviewItem', id: key, owner }, after: { reason: review.reason } });
        return skipped;
      }
      const { answer, tags, comment } = answerOf(review);
      if (answer.kind === 'RUBRIC') {
        const already = await tx.review.findFirst({ where: { itemId: key, reviewerPseudonym: me, adjudication: false, answer: { path: ['candidateId'], equals: answer.candidateId } } });
        if (already) throw new AppError(ErrorCode.CONFLICT, 'You have scored this candidate already');
      }
      await tx.review.create({ data: { itemId: key, reviewerPseudonym: me, kind: answer.kind, answer: answer as unknown as Prisma.InputJsonValue, tags, comment } });
      let done = true;
      if (answer.kind === 'RUBRIC') done = (await tx.review.count({ where: { itemId: key, reviewerPseudonym: me, adjudication: false } })) >= item.candidates.length;
      const updated = done ? await tx.reviewClaim.update({ where: { id: claim.id }, data: { status: 'SUBMITTED' } }) : claim;
      await this.o.audit.record(tx, caller.audit, {
        action: 'submitReview',
        subject: { type: 'ReviewItem', id: key, owner },
        after: { kind: answer.kind, tags: tags.length, commentLength: comment?.length ?? 0, complete: done },
      });
      if (done) {
        const count = item.reviewCount + 1;
        await tx.reviewItem.update({ where: { id: key }, data: { reviewCount: count } });
        if (count >= item.requiredReviews) await this.o.outcomes.conclude(tx, key, false);
      }
      return updated;
    });
  }

  /** An admin's decision: it alone makes the item's pairs; the reviewers' agreement stays on record. */
  async adjudicate(caller: Caller, itemId: string, input: ReviewInputData) {
    requireActor(caller);
    const key = parseId(itemId, 'ReviewItem');
    return this.o.db.$transaction(async (tx) => {
      const item = await this.lockItem(tx, key);
      if (item.status === 'PENDING') throw new AppError(ErrorCode.CONFLICT, 'The item is still waiting for its candidates');
      const review = parseAnswer(item, input);
      if (review.kind === 'SKIP') throw badInput('An adjudication decides: it cannot skip', { field: 'kind' });
      const { answer, tags, comment } = answerOf(review);
      await tx.review.deleteMany({ where: { itemId: key, adjudication: true } });
      await tx.review.create({
        data: { itemId: key, reviewerPseudonym: caller.audit.actor.pseudonym ?? 'admin', kind: answer.kind, answer: answer as unknown as Prisma.InputJsonValue, tags, comment, adjudication: true },
      });
      await tx.reviewItem.update({ where: { id: key }, data: { adjudicatedAt: new Date(), adjudicatedBy: caller.audit.actor.pseudonym } });
      await this.o.outcomes.conclude(tx, key, true);
      await this.o.audit.record(tx, caller.audit, {
        action: 'adjudicateReviewItem',
        subject: { type: 'ReviewItem', id: key, owner: this.o.audit.person(item.conversation.userId) },
        before: { status: item.status },
        after: { kind: answer.kind, status: 'DONE' },
      });
      return tx.reviewItem.findUniqueOrThrow({ where: { id: key } });
    });
  }

  /** The item, locked for this transaction (one review or decision at a time), with its candidates and owner. */
  private async lockItem(tx: Tx, key: string) {
    await tx.$queryRaw`SELECT id FROM "ReviewItem" WHERE id = ${key}::uuid FOR UPDATE`;
    const item = await tx.reviewItem.findUnique({ where: { id: key }, include: { candidates: { orderBy: { position: 'asc' } }, conversation: { select: { userId: true } } } });
    if (!item) throw notFound('ReviewItem');
    return item;
  }
}
