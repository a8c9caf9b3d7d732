import type { Caller } from '../../context.js';
import { badInput, notFound } from '../../errors.js';
import { parseId } from '../../ids.js';
import { CREATION_RETRY_DELAYS_MS, type CandidateGenerator } from './candidates.js';
import type { Kind } from './conclude.js';
import { createItem } from './items.js';
import type { ReviewServiceOptions } from './options.js';

export interface ManualItemInput {
  messageIds: string[];
  kind?: Kind | undefined;
  requiredReviews?: number | undefined;
  arenaModels?: string[] | undefined;
  priority?: number | undefined;
}

/** Items an admin puts up for review by hand (source MANUAL). */
export class ManualItems {
  constructor(private readonly o: Pick<ReviewServiceOptions, 'db' | 'audit' | 'upstreams' | 'settings'> & { candidates: Pick<CandidateGenerator, 'generatePending'> }) {}

  /** An admin's item over stored replies to one prompt, optionally with arena candidates. */
  async create(caller: Caller, input: ManualItemInput) {
    const ids = [...new Set(input.messageIds.map((m) => parseId(m, 'Message')))];
    const replies = await this.o.db.message.findMany({ where: { id: { in: ids } }, orderBy: { ordinal: 'asc' } });
    if (replies.length !== ids.length) throw notFound('Message');
    const parent = replies[0]!.parentId;
    if (replies.some((r) => r.role !== 'ASSISTANT' || r.status !== 'COMPLETE')) throw badInput('Candidates must be complete assistant replies', { field: 'messageIds' });
    if (!parent || replies.some((r) => r.parentId !== parent)) throw badInput('Candidates must answer the same prompt', { field: 'messageIds' });
    for (const model of input.arenaModels ?? []) {
      if ((await this.o.upstreams.route(model, undefined)).unknown) throw badInput(`No inference server serves the model ${model}`, { field: 'arenaModels' });
    }
    const item = await this.o.db.$transaction(async (tx) => {
      const item = await createItem(tx, this.o.settings, {
        source: 'MANUAL',
        conversationId: replies[0]!.conversationId,
        promptMessageId: parent,
        candidates: ids.map((id) => replies.find((r) => r.id === id)!).map((r) => ({ messageId: r.id, content: r.content, model: r.model })),
        kind: input.kind,
        requiredReviews: input.requiredReviews,
        arenaModels: input.arenaModels,
        priority: input.priority,
        createdBy: caller.audit.actor.pseudonym,
      });
      await this.o.audit.record(tx, caller.audit, {
        action: 'createReviewItem',
        subject: { type: 'ReviewItem', id: item.id, owner: this.o.audit.person(replies[0]!.userId) },
        after: { kind: item.kind, candidates: ids.length, arenaModels: item.arenaModels, requiredReviews: item.requiredReviews },
      });
      return item;
    });
    if (item.status === 'PENDING') await this.o.candidates.generatePending(item.id, { retryDelaysMs: CREATION_RETRY_DELAYS_MS });
    return this.o.db.reviewItem.findUniqueOrThrow({ where: { id: item.id } });
  }
}
