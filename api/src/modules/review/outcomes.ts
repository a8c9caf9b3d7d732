import type { Prisma } from '@dialoop/db';
import { fromRatings, pairKey, promptKey, promptLanguage, type PreferencePair, type Reply, type Turn } from '@dialoop/feedback';
import { conclude, type Answer, type StoredReview } from './conclude.js';
import { promptOf, rubricOf } from './items.js';
import type { ReviewServiceOptions, Tx } from './options.js';

/**
 * What reviews and ratings yield, written inside the transaction that completes them: an item's
 * agreement and status, and the preference pairs and labelled replies dataset versions are built
 * from. The arithmetic is conclude.ts's; this reads the rows and stores its outcome.
 */
export class Outcomes {
  constructor(private readonly o: Pick<ReviewServiceOptions, 'audit' | 'settings'>) {}

  /** Agreement, status and derived rows of an item whose reviews are in (or adjudicated). */
  async conclude(tx: Tx, itemId: string, adjudicated: boolean): Promise<void> {
    const item = await tx.reviewItem.findUniqueOrThrow({ where: { id: itemId }, include: { candidates: { orderBy: { position: 'asc' } }, conversation: true } });
    const reviews = await tx.review.findMany({ where: { itemId }, orderBy: { createdAt: 'asc' } });
    const stored = (adj: boolean): StoredReview[] => reviews.filter((r) => r.adjudication === adj).map((r) => ({ reviewer: r.reviewerPseudonym, answer: r.answer as unknown as Answer }));
    const prompt = await promptOf(tx, item.promptMessageId);
    const ctx = { prompt, language: promptLanguage(prompt) };
    const candidates: Reply[] = item.candidates.map((c) => ({ id: c.id, text: c.content, model: c.model }));
    const rubric = rubricOf(item);
    const byReviewers = conclude(item.kind, ctx, candidates, stored(false), rubric, this.o.settings.minAgreement);
    const outcome = adjudicated ? { ...conclude(item.kind, ctx, candidates, stored(true), rubric, 0), agreement: byReviewers.agreement, disputed: false } : byReviewers;
    await tx.reviewItem.update({ where: { id: itemId }, data: { agreement: byReviewers.agreement, status: outcome.disputed ? 'ADJUDICATION' : 'DONE' } });
    if (outcome.disputed) return;
    const flagged = await this.flagged(tx, [item.promptMessageId, ...item.candidates.flatMap((c) => (c.messageId ? [c.messageId] : []))]);
    const authors = [...new Set(reviews.map((r) => r.reviewerPseudonym))];
    await tx.preferencePair.deleteMany({ where: { itemId } });
    await this.storePairs(tx, outcome.pairs, {
      itemId,
      conversationId: item.conversationId,
      promptMessageId: item.promptMessageId,
      owner: this.o.audit.person(item.conversation.userId),
      authors,
      flagged,
    });
    for (const l of outcome.labelled) {
      const c = item.candidates.find((x) => x.id === l.candidateId)!;
      await this.storeLabel(tx, {
        source: 'RUBRIC',
        messageId: c.messageId ?? c.id,
        conversationId: item.conversationId,
        owner: this.o.audit.person(item.conversation.userId),
        authors,
        prompt,
        completion: c.content,
        score: l.score,
        model: c.model,
        flagged,
      });
    }
  }

  /**
   * After a person rates a reply (inside the rating's transaction): the reply's KTO label, and
   * the RATING pairs among the prompt's rated replies, derived again.
   */
  async onRated(tx: Tx, messageId: string): Promise<void> {
    const reply = await tx.message.findUniqueOrThrow({ where: { id: messageId } });
    if (!reply.parentId) return;
    const siblings = await tx.message.findMany({
      where: { parentId: reply.parentId, role: 'ASSISTANT', status: 'COMPLETE' },
      include: { ratings: true },
      orderBy: { ordinal: 'asc' },
    });
    const prompt = await promptOf(tx, reply.parentId);
    const owner = this.o.audit.person(reply.userId);
    const scoreOf = (r: { thumb: string | null; score: number | null }) => r.score ?? (r.thumb === 'UP' ? 5 : 1);
    const rated = siblings
      .filter((m) => m.ratings.length > 0 && m.content.trim())
      .map((m) => ({ id: m.id, text: m.content, model: m.model, score: m.ratings.reduce((a, r) => a + scoreOf(r), 0) / m.ratings.length, ratings: m.ratings.length, raters: m.ratings.map((r) => r.userId) }));
    const flagged = await this.flagged(tx, [reply.parentId, ...siblings.map((s) => s.id)]);
    const authors = [...new Set(rated.flatMap((r) => r.raters.map((u) => this.o.audit.person(u))))];
    const me = rated.find((r) => r.id === messageId);
    if (me) {
      await this.storeLabel(tx, { source: 'RATING', messageId, conversationId: reply.conversationId, owner, authors: [...new Set(me.raters.map((u) => this.o.audit.person(u)))], prompt, completion: me.text, score: me.score, model: me.model, flagged });
    }
    await tx.preferencePair.deleteMany({ where: { promptMessageId: reply.parentId, source: 'RATING', itemId: null } });
    if (!prompt.some((t) => t.role === 'user')) return;
    const pairs = fromRatings({ prompt, language: promptLanguage(prompt) }, rated);
    await this.storePairs(tx, pairs, { itemId: null, conversationId: reply.conversationId, promptMessageId: reply.parentId, owner, authors, flagged });
  }

  private async flagged(db: Tx, messageIds: string[]): Promise<boolean> {
    return (await db.message.count({ where: { id: { in: messageIds }, safety: { not: null } } })) > 0;
  }

  private async storePairs(
    tx: Tx,
    pairs: PreferencePair[],
    where: { itemId: string | null; conversationId: string; promptMessageId: string; owner: string; authors: string[]; flagged: boolean },
  ) {
    if (pairs.length === 0) return;
    await tx.preferencePair.createMany({
      data: pairs.map((p) => ({
        source: p.source.toUpperCase() as Uppercase<PreferencePair['source']>,
        itemId: where.itemId,
        conversationId: where.conversationId,
        promptMessageId: where.promptMessageId,
        ownerPseudonym: where.owner,
        authors: where.authors,
        prompt: p.prompt as unknown as Prisma.InputJsonValue,
        chosen: p.chosen,
        rejected: p.rejected,
        margin: p.margin,
        agreement: p.agreement,
        chosenModel: p.chosenModel,
        rejectedModel: p.rejectedModel,
        language: p.language,
        flagged: where.flagged,
        promptKey: promptKey(p.prompt),
        pairKey: pairKey(p),
      })),
    });
  }

  /** A reply judged on its own (1-5): desirable at 4 or more, undesirable at 2 or less, nothing in between. */
  private async storeLabel(
    tx: Tx,
    l: { source: 'RATING' | 'RUBRIC'; messageId: string; conversationId: string; owner: string; authors: string[]; prompt: Turn[]; completion: string; score: number; model: string | null; flagged: boolean },
  ) {
    await tx.labelledReply.deleteMany({ where: { messageId: l.messageId, source: l.source } });
    if (l.score > 2 && l.score < 4) return;
    await tx.labelledReply.create({
      data: {
        source: l.source,
        messageId: l.messageId,
        conversationId: l.conversationId,
        ownerPseudonym: l.owner,
        authors: l.authors,
        prompt: l.prompt as unknown as Prisma.InputJsonValue,
        completion: l.completion,
        label: l.score >= 4,
        score: l.score,
        model: l.model,
        language: promptLanguage(l.prompt),
        flagged: l.flagged,
        promptKey: promptKey(l.prompt),
      },
    });
  }
}
