import { Prisma } from '@dialoop/db';
import type { Caller } from '../../context.js';
import { AppError, ErrorCode } from '../../errors.js';
import { parseId } from '../../ids.js';
import { requireActor } from '../rbac/index.js';
import type { Kind } from './conclude.js';
import type { ReviewServiceOptions } from './options.js';

/** Claims are handed out one at a time (a transaction-scoped advisory lock), so counts never race. */
const CLAIM_LOCK = 0x64_6c_72_76; // "dlrv"

/** Reviewers' leases on items: claimed one at a time, given back, or lapsing after REVIEW_LEASE_S. */
export class Claims {
  constructor(private readonly o: Pick<ReviewServiceOptions, 'db' | 'audit' | 'settings'>) {}

  /**
   * The caller's next item: OPEN, not their own conversation, not one they reviewed or skipped,
   * and with fewer live leases plus submitted reviews than it needs. One claim at a time
   * (advisory lock), so concurrent reviewers never push an item past its count. A reviewer who
   * already holds a live lease gets it back.
   */
  async claim(caller: Caller, kind: Kind | undefined) {
    const actor = requireActor(caller);
    return this.o.db.$transaction(async (tx) => {
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(${CLAIM_LOCK})`;
      // Under the lock, so that two claims at once by one reviewer get the same lease.
      const held = await tx.reviewClaim.findFirst({
        where: { reviewerId: actor.userId, status: 'CLAIMED', expiresAt: { gt: new Date() }, item: { status: 'OPEN', ...(kind ? { kind } : {}) } },
        orderBy: { claimedAt: 'asc' },
      });
      if (held) return held;
      const [next] = await tx.$queryRaw<{ id: string; owner: string }[]>`
        SELECT i.id, c."userId" AS owner FROM "ReviewItem" i JOIN "Conversation" c ON c.id = i."conversationId"
        WHERE i.status = 'OPEN' AND c."userId" <> ${actor.userId}::uuid
          ${kind ? Prisma.sql`AND i.kind = ${kind}::"ReviewKind"` : Prisma.empty}
          AND NOT EXISTS (SELECT 1 FROM "ReviewClaim" m WHERE m."itemId" = i.id AND m."reviewerId" = ${actor.userId}::uuid
                          AND (m.status IN ('SUBMITTED', 'SKIPPED') OR (m.status = 'CLAIMED' AND m."expiresAt" > now())))
          AND (SELECT count(*) FROM "ReviewClaim" l WHERE l."itemId" = i.id
               AND (l.status = 'SUBMITTED' OR (l.status = 'CLAIMED' AND l."expiresAt" > now()))) < i."requiredReviews"
        ORDER BY i.priority DESC, i."createdAt", i.id
        LIMIT 1`;
      if (!next) return null;
      const expiresAt = new Date(Date.now() + this.o.settings.leaseSeconds * 1000);
      const claim = await tx.reviewClaim.upsert({
        where: { itemId_reviewerId: { itemId: next.id, reviewerId: actor.userId } },
        create: { itemId: next.id, reviewerId: actor.userId, expiresAt },
        update: { status: 'CLAIMED', claimedAt: new Date(), expiresAt, skipReason: null },
      });
      // Claiming shows the reviewer another person's conversation: a write and a recorded read.
      await this.o.audit.record(tx, caller.audit, {
        action: 'claimReviewItem',
        subject: { type: 'ReviewItem', id: next.id, owner: this.o.audit.person(next.owner) },
        after: { claimId: claim.id, expiresAt: expiresAt.toISOString() },
      });
      return claim;
    });
  }

  /** The caller's live leases. */
  async mine(caller: Caller) {
    const actor = requireActor(caller);
    return this.o.db.reviewClaim.findMany({ where: { reviewerId: actor.userId, status: 'CLAIMED', expiresAt: { gt: new Date() } }, orderBy: { claimedAt: 'asc' } });
  }

  async release(caller: Caller, itemId: string) {
    const actor = requireActor(caller);
    const key = parseId(itemId, 'ReviewItem');
    const claim = await this.o.db.reviewClaim.findUnique({ where: { itemId_reviewerId: { itemId: key, reviewerId: actor.userId } } });
    if (!claim || claim.status !== 'CLAIMED') throw new AppError(ErrorCode.CONFLICT, 'You hold no claim on this item');
    return this.o.db.$transaction(async (tx) => {
      const released = await tx.reviewClaim.update({ where: { id: claim.id }, data: { status: 'RELEASED' } });
      await this.o.audit.record(tx, caller.audit, { action: 'releaseReviewClaim', subject: { type: 'ReviewItem', id: key } });
      return released;
    });
  }

  /** The item a claim is on (a claim's `item` field). */
  itemOf(claim: { itemId: string }) {
    return this.o.db.reviewItem.findUniqueOrThrow({ where: { id: claim.itemId } });
  }
}
