import type { Caller } from '../../context.js';
import { forbidden, notFound } from '../../errors.js';
import { parseId } from '../../ids.js';
import { requireActor } from '../rbac/index.js';
import { itemWhere, promptOf, type ItemFilter } from './items.js';
import type { ReviewServiceOptions } from './options.js';

const LABELS = 'ABCDEFGHIJKLMNOP';

/** Reading the queue: counts, pages of items, one item and its fields (reads of others' conversations recorded). */
export class ItemReads {
  constructor(private readonly o: Pick<ReviewServiceOptions, 'db' | 'audit'>) {}

  async stats() {
    const [groups, claimed] = await Promise.all([
      this.o.db.reviewItem.groupBy({ by: ['status'], _count: { _all: true } }),
      this.o.db.reviewClaim.count({ where: { status: 'CLAIMED', expiresAt: { gt: new Date() } } }),
    ]);
    const n = (s: string) => groups.find((g) => g.status === s)?._count._all ?? 0;
    return { pending: n('PENDING'), open: n('OPEN'), adjudication: n('ADJUDICATION'), done: n('DONE'), claimed };
  }

  async list(caller: Caller, filter: ItemFilter & { status?: string | undefined }, first: number, after: string | undefined) {
    const take = Math.min(Math.max(first, 1), 200);
    const rows = await this.o.db.reviewItem.findMany({
      where: { ...itemWhere(filter), ...(filter.status ? { status: filter.status as never } : {}) },
      orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
      take: take + 1,
      ...(after ? { cursor: { id: parseId(after, 'cursor') }, skip: 1 } : {}),
    });
    const nodes = rows.slice(0, take);
    // A page of items shows other people's conversations: a recorded read, as one item is.
    if (nodes.length > 0) await this.o.audit.write(caller.audit, { action: 'reviewItems', subject: { type: 'ReviewItem' }, after: { returned: nodes.length } });
    return { nodes, hasNextPage: rows.length > take, endCursor: nodes.at(-1)?.id ?? null };
  }

  async get(caller: Caller, id: string) {
    const item = await this.o.db.reviewItem.findUnique({ where: { id: parseId(id, 'ReviewItem') }, include: { conversation: { select: { userId: true } } } });
    if (!item) throw notFound('ReviewItem');
    await this.auditRead(caller, item.id, item.conversation.userId);
    return item;
  }

  /** Reading an item shows another person's conversation: recorded once per request. */
  private async auditRead(caller: Caller, itemId: string, ownerId: string) {
    const actor = requireActor(caller);
    if (actor.userId === ownerId) return;
    const key = `readReviewItem:${itemId}`;
    if (caller.audit.recorded.has(key)) return;
    caller.audit.recorded.add(key);
    await this.o.audit.write(caller.audit, { action: 'readReviewItem', subject: { type: 'ReviewItem', id: itemId, owner: this.o.audit.person(ownerId) } });
  }

  /** The conversation an item asks about, up to and including its prompt. */
  prompt(item: { promptMessageId: string }) {
    return promptOf(this.o.db, item.promptMessageId);
  }

  candidates(itemId: string) {
    return this.o.db.reviewCandidate.findMany({ where: { itemId }, orderBy: { position: 'asc' } }).then((cs) => cs.map((c) => ({ ...c, label: LABELS[c.position] ?? String(c.position + 1) })));
  }

  async owner(item: { conversationId: string }) {
    const c = await this.o.db.conversation.findUnique({ where: { id: item.conversationId }, select: { userId: true } });
    return c ? this.o.audit.person(c.userId) : 'erased';
  }

  /** An item's reviews: admins always; a reviewer only once their own review of it is in. */
  async reviews(caller: Caller, itemId: string) {
    const actor = requireActor(caller);
    if (!caller.ability.can('read', 'Review')) {
      const mine = await this.o.db.reviewClaim.findUnique({ where: { itemId_reviewerId: { itemId, reviewerId: actor.userId } } });
      if (mine?.status !== 'SUBMITTED') throw forbidden("Others' reviews of an item are shown once your own review of it is in");
    }
    const rows = await this.o.db.review.findMany({ where: { itemId }, orderBy: { createdAt: 'asc' } });
    return rows.map((r) => {
      const a = r.answer as unknown as Record<string, unknown>;
      return {
        ...r,
        choice: (a.choice as string | undefined) ?? null,
        strength: (a.strength as number | undefined) ?? null,
        ranking: (a.ranking as string[] | undefined) ?? null,
        candidateId: (a.candidateId as string | undefined) ?? null,
        scores: a.scores ? Object.entries(a.scores as Record<string, number>).map(([criterion, score]) => ({ criterion, score })) : null,
        text: (a.text as string | undefined) ?? null,
      };
    });
  }

  pairsOf(itemId: string) {
    return this.o.db.preferencePair.findMany({ where: { itemId }, orderBy: { createdAt: 'asc' } });
  }
}
