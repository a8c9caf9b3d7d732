import { randomUUID } from 'node:crypto';
import { Prisma, type PrismaClient, type ReviewItem, type ReviewItemSource, type ReviewKind } from '@dialoop/db';
import {
  DEFAULT_RUBRIC,
  cohenKappa,
  fromRatings,
  promptLanguage,
  krippendorffAlpha,
  pairKey,
  parseReview,
  promptKey,
  reviewerAgreement,
  type Criterion,
  type PreferencePair,
  type Reply,
  type Turn,
} from '@dialoop/feedback';
import type { Logger } from 'pino';
import type { Caller } from '../../context.js';
import { AppError, ErrorCode, badInput, forbidden, notFound } from '../../errors.js';
import { parseId } from '../../ids.js';
import type { AuditLog, AuditScope } from '../audit/index.js';
import { turnsTo, type Upstreams } from '../chat/index.js';
import { requireActor } from '../rbac/index.js';
import type { SafetyService } from '../safety/index.js';
import { conclude, type Answer, type Kind, type StoredReview } from './conclude.js';

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
}

export interface ReviewServiceOptions {
  db: PrismaClient;
  audit: AuditLog;
  upstreams: Upstreams;
  safety: SafetyService;
  settings: ReviewSettings;
  log: Logger;
}

type Tx = Prisma.TransactionClient;
type ItemKind = Kind;
type Source = 'SIBLINGS' | 'LOW_RATING' | 'SAFETY' | 'SAMPLE' | 'MANUAL' | 'ARENA';

export interface CandidateSpec {
  messageId: string | null;
  content: string;
  model: string | null;
}

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

const LABELS = 'ABCDEFGHIJKLMNOP';

export interface ItemFilter {
  source?: string | undefined;
  kind?: string | undefined;
  from?: Date | undefined;
  to?: Date | undefined;
}

/** The items a ReviewItemFilter selects. */
const itemWhere = (f: ItemFilter): Prisma.ReviewItemWhereInput => ({
  ...(f.source ? { source: f.source as ReviewItemSource } : {}),
  ...(f.kind ? { kind: f.kind as ReviewKind } : {}),
  ...(f.from || f.to ? { createdAt: { ...(f.from ? { gte: f.from } : {}), ...(f.to ? { lt: f.to } : {}) } } : {}),
});
const MAX_CANDIDATES = 8;
/** Claims are handed out one at a time (a transaction-scoped advisory lock), so counts never race. */
const CLAIM_LOCK = 0x64_6c_72_76; // "dlrv"

/**
 * The review queue: items made from the sources (or by admins), claimed with leases, reviewed N
 * times without seeing each other's labels, adjudicated when the reviews disagree, and turned
 * into preference pairs and labelled replies (the rows dataset versions are built from).
 */
export class ReviewService {
  constructor(private readonly o: ReviewServiceOptions) {}

  get settings(): ReviewSettings {
    return this.o.settings;
  }

  // ------------------------------------------------------------------ prompts and candidates

  /** The conversation up to and including the user message `promptMessageId` (blank turns, which no format takes, left out). */
  async promptOf(db: PrismaClient | Tx, promptMessageId: string): Promise<Turn[]> {
    return (await turnsTo(db, promptMessageId)).filter((t) => t.content.trim() !== '');
  }

  /** Makes an item (PENDING while it waits for generated candidates). */
  async createItem(
    db: Tx,
    spec: {
      source: Source;
      conversationId: string;
      promptMessageId: string;
      candidates: CandidateSpec[];
      kind?: ItemKind | undefined;
      requiredReviews?: number | undefined;
      arenaModels?: string[] | undefined;
      priority?: number | undefined;
      createdBy?: string | null | undefined;
      origin?: Record<string, unknown> | undefined;
    },
  ): Promise<ReviewItem> {
    const arena = [...new Set(spec.arenaModels ?? [])];
    // One reply and no arena: a second candidate from the reply's own model (another sample), except
    // for a correction, which edits one reply.
    const alone = spec.candidates.length < 2 && !(spec.kind === 'CORRECTION' && spec.candidates.length === 1);
    const extra = arena.length > 0 ? arena : alone ? [spec.candidates[0]?.model ?? this.o.settings.defaultModel ?? ''] : [];
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
        requiredReviews: spec.requiredReviews ?? this.o.settings.perItem,
        priority: spec.priority ?? 0,
        arenaModels: extra,
        rubric: this.o.settings.rubric as unknown as Prisma.InputJsonValue,
        createdBy: spec.createdBy ?? null,
        ...(spec.origin ? { origin: spec.origin as Prisma.InputJsonValue } : {}),
        candidates: { create: spec.candidates.map((c, position) => ({ position, messageId: c.messageId, content: c.content, model: c.model })) },
      },
    });
  }

  /** An admin's item over stored replies to one prompt, optionally with arena candidates. */
  async createManual(caller: Caller, input: { messageIds: string[]; kind?: ItemKind | undefined; requiredReviews?: number | undefined; arenaModels?: string[] | undefined; priority?: number | undefined }) {
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
      const item = await this.createItem(tx, {
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
    if (item.status === 'PENDING') await this.generatePending(item.id);
    return this.o.db.reviewItem.findUniqueOrThrow({ where: { id: item.id } });
  }

  /**
   * Generates the missing candidates of PENDING items (arena models, or another sample of the
   * same model), filtered like any reply; an item opens once it has them. A failed generation
   * leaves the item PENDING for the next sweep.
   */
  async generatePending(onlyId?: string): Promise<number> {
    const items = await this.o.db.reviewItem.findMany({ where: { status: 'PENDING', ...(onlyId ? { id: onlyId } : {}) }, include: { candidates: true }, take: 20, orderBy: { createdAt: 'asc' } });
    let generated = 0;
    for (const item of items) {
      const prompt = await this.promptOf(this.o.db, item.promptMessageId);
      const made: CandidateSpec[] = [];
      for (const [i, requested] of item.arenaModels.entries()) {
        try {
          made.push(await this.generate(prompt, requested || undefined, 1000 + i));
        } catch (err) {
          this.o.log.warn({ err, itemId: item.id, model: requested }, 'review: could not generate a candidate; the item stays pending');
          break;
        }
      }
      if (made.length < item.arenaModels.length) continue;
      generated += made.length;
      await this.o.db.$transaction(async (tx) => {
        await tx.reviewCandidate.createMany({
          data: made.map((c, i) => ({ itemId: item.id, position: item.candidates.length + i, messageId: null, content: c.content, model: c.model })),
        });
        await tx.reviewItem.update({ where: { id: item.id }, data: { status: 'OPEN' } });
      });
    }
    return generated;
  }

  /** One complete reply from the inference service, through the content filter. */
  private async generate(prompt: Turn[], requested: string | undefined, seed: number): Promise<CandidateSpec> {
    const route = await this.o.upstreams.route(requested, this.o.settings.defaultModel);
    if (!route.upstream || !route.model) throw new AppError(ErrorCode.UPSTREAM_ERROR, `No inference server serves ${requested ?? 'the default model'}`);
    let text = '';
    const controller = new AbortController();
    await this.o.upstreams.stream(route.upstream, route.model, prompt, { temperature: 0.9, seed, maxTokens: 256 }, controller.signal, {
      onDelta: (d) => (text += d),
      onUsage: () => {},
      onFinish: () => {},
    });
    const filter = this.o.safety.replyFilter();
    if (filter) {
      const a = filter.push(text);
      const b = filter.end();
      if (a.blocked || b.blocked) throw new AppError(ErrorCode.SAFETY_BLOCKED, 'The generated candidate was stopped by the content filter');
      text = a.text + b.text;
    }
    if (!text.trim()) throw new AppError(ErrorCode.UPSTREAM_ERROR, 'The generated candidate is empty');
    return { messageId: null, content: text, model: route.model };
  }

  // ------------------------------------------------------------------ model versions head to head

  /**
   * Arena items pitting `challenger` against `baseline`: the most recent prompts that got a
   * reply and have no arena item yet, each with one candidate generated now by each model (the
   * same sampling for both), in an order fixed by the prompt so that neither model always shows
   * first. Reviewers compare them like any pairwise item.
   */
  async arena(caller: Caller, input: { challenger: string; baseline: string; count: number; requiredReviews?: number | undefined }) {
    if (input.challenger === input.baseline) throw badInput('An arena compares two different model versions', { field: 'challengerId' });
    const prompts = await this.o.db.$queryRaw<{ promptId: string; conversationId: string }[]>`
      SELECT p.id AS "promptId", p."conversationId" FROM "Message" p
      WHERE p.role = 'USER'
        AND EXISTS (SELECT 1 FROM "Message" r WHERE r."parentId" = p.id AND r.role = 'ASSISTANT' AND r.status = 'COMPLETE')
        AND NOT EXISTS (SELECT 1 FROM "ReviewItem" i WHERE i."promptMessageId" = p.id AND i.source = 'ARENA')
      ORDER BY p.ordinal DESC LIMIT ${input.count}`;
    const ids: string[] = [];
    for (const p of prompts) {
      const swap = parseInt(p.promptId.slice(-1), 16) % 2 === 1;
      const models = swap ? [input.baseline, input.challenger] : [input.challenger, input.baseline];
      const item = await this.o.db.$transaction(async (tx) => {
        return this.createItem(tx, {
          source: 'ARENA',
          kind: 'PAIRWISE',
          conversationId: p.conversationId,
          promptMessageId: p.promptId,
          candidates: [],
          arenaModels: models,
          requiredReviews: input.requiredReviews,
          createdBy: caller.audit.actor.pseudonym,
          origin: { challenger: input.challenger, baseline: input.baseline },
        });
      }).catch((err: unknown) => {
        // A concurrent call took this prompt (one arena item per prompt).
        if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002') return null;
        throw err;
      });
      if (item) ids.push(item.id);
    }
    await this.o.audit.write(caller.audit, {
      action: 'createArenaItems',
      subject: { type: 'ReviewItem' },
      after: { challenger: input.challenger, baseline: input.baseline, created: ids.length },
    });
    for (const id of ids) await this.generatePending(id);
    return { created: ids.length, challenger: input.challenger, baseline: input.baseline };
  }

  /**
   * Reviewers' pairwise choices between candidates written by `challenger` and by `baseline`
   * (arena items and any other pairwise item whose two candidates are theirs; adjudications
   * left out). One judgment per item — the mean of its reviews (a win 1, a tie ½, a loss 0):
   * a win above ½, a loss below, a tie at ½ — since an item's reviews are not independent
   * samples, counting them apart would narrow the interval falsely.
   */
  async headToHead(challenger: string, baseline: string): Promise<{ wins: number; losses: number; ties: number; items: number }> {
    const rows = await this.o.db.$queryRaw<{ choice: string; a: string; b: string; itemId: string }[]>`
      SELECT r.answer->>'choice' AS choice, ca.model AS a, cb.model AS b, i.id AS "itemId"
      FROM "ReviewItem" i
      JOIN "ReviewCandidate" ca ON ca."itemId" = i.id AND ca.position = 0
      JOIN "ReviewCandidate" cb ON cb."itemId" = i.id AND cb.position = 1
      LEFT JOIN "Review" r ON r."itemId" = i.id AND r.adjudication = false
      WHERE i.kind = 'PAIRWISE' AND ((ca.model = ${challenger} AND cb.model = ${baseline}) OR (ca.model = ${baseline} AND cb.model = ${challenger}))`;
    const byItem = new Map<string, number[]>();
    for (const r of rows) {
      const scores = byItem.get(r.itemId) ?? [];
      byItem.set(r.itemId, scores);
      if (r.choice) scores.push(r.choice === 'TIE' ? 0.5 : (r.choice === 'A' ? r.a : r.b) === challenger ? 1 : 0);
    }
    const out = { wins: 0, losses: 0, ties: 0, items: byItem.size };
    for (const scores of byItem.values()) {
      if (scores.length === 0) continue;
      const mean = scores.reduce((a, b) => a + b, 0) / scores.length;
      if (mean > 0.5) out.wins++;
      else if (mean < 0.5) out.losses++;
      else out.ties++;
    }
    return out;
  }

  // ------------------------------------------------------------------ sources

  /**
   * One sweep of the sources: prompts with several complete replies (regenerations), replies
   * rated low, replies (or prompts) the content filter flagged for review, and a sampled share
   * of conversations; each prompt once per source. Then the pending items' candidates.
   */
  async collect(requestedBy?: AuditScope, limit = 200): Promise<{ siblings: number; lowRating: number; safety: number; sample: number; generated: number }> {
    const s = this.o.settings;
    const replies = (promptIds: string[]) =>
      this.o.db.message.findMany({
        where: { parentId: { in: promptIds }, role: 'ASSISTANT', status: 'COMPLETE', content: { not: '' } },
        orderBy: { ordinal: 'asc' },
        select: { id: true, parentId: true, conversationId: true, content: true, model: true },
      });
    const make = async (source: Source, prompts: { promptId: string; origin?: Record<string, unknown> }[], need: number) => {
      if (prompts.length === 0) return 0;
      const all = await replies(prompts.map((p) => p.promptId));
      let made = 0;
      for (const p of prompts) {
        const mine = all.filter((r) => r.parentId === p.promptId).slice(-MAX_CANDIDATES + 1);
        if (mine.length < need) continue;
        try {
          await this.o.db.$transaction(async (tx) => {
            await this.createItem(tx, {
              source,
              conversationId: mine[0]!.conversationId,
              promptMessageId: p.promptId,
              candidates: mine.map((r) => ({ messageId: r.id, content: r.content, model: r.model })),
              origin: p.origin,
            });
          });
          made++;
        } catch (err) {
          // Another process's sweep made it first (one item per prompt and source).
          if (!(err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002')) throw err;
        }
      }
      return made;
    };
    const notYet = (source: Source) => Prisma.sql`NOT EXISTS (SELECT 1 FROM "ReviewItem" i WHERE i."promptMessageId" = p.id AND i.source = ${source}::"ReviewItemSource")`;
    const siblings = await this.o.db.$queryRaw<{ promptId: string }[]>`
      SELECT p.id AS "promptId" FROM "Message" p
      WHERE p.role = 'USER' AND ${notYet('SIBLINGS')}
        AND (SELECT count(*) FROM "Message" r WHERE r."parentId" = p.id AND r.role = 'ASSISTANT' AND r.status = 'COMPLETE' AND r.content <> '') >= 2
      ORDER BY p.ordinal LIMIT ${limit}`;
    const low = await this.o.db.$queryRaw<{ promptId: string; messageId: string }[]>`
      SELECT DISTINCT ON (p.id) p.id AS "promptId", r.id AS "messageId" FROM "Rating" g
      JOIN "Message" r ON r.id = g."messageId" JOIN "Message" p ON p.id = r."parentId"
      WHERE r.status = 'COMPLETE' AND (g.thumb = 'DOWN' OR g.score <= ${s.lowScore}) AND ${notYet('LOW_RATING')}
      ORDER BY p.id LIMIT ${limit}`;
    const flagged = await this.o.db.$queryRaw<{ promptId: string; eventId: string }[]>`
      SELECT DISTINCT ON (p.id) p.id AS "promptId", e.id AS "eventId" FROM "SafetyEvent" e
      JOIN "Message" m ON m.id = e."messageId"
      JOIN "Message" p ON p.id = CASE WHEN m.role = 'USER' THEN m.id ELSE m."parentId" END
      WHERE e.level = 'REVIEW' AND ${notYet('SAFETY')}
      ORDER BY p.id LIMIT ${limit}`;
    const sampled =
      s.sampleShare > 0
        ? await this.o.db.$queryRaw<{ promptId: string }[]>`
      SELECT DISTINCT ON (c.id) p.id AS "promptId" FROM "Conversation" c
      JOIN "Message" p ON p."conversationId" = c.id AND p.role = 'USER'
      WHERE ('x' || substr(md5(c.id::text), 1, 8))::bit(32)::bigint / 4294967296.0 < ${s.sampleShare}
        AND EXISTS (SELECT 1 FROM "Message" r WHERE r."parentId" = p.id AND r.status = 'COMPLETE' AND r.role = 'ASSISTANT')
        AND NOT EXISTS (SELECT 1 FROM "ReviewItem" i WHERE i."conversationId" = c.id AND i.source = 'SAMPLE')
      ORDER BY c.id, p.ordinal DESC LIMIT ${limit}`
        : [];
    const report = {
      siblings: await make('SIBLINGS', siblings, 2),
      lowRating: await make('LOW_RATING', low.map((r) => ({ promptId: r.promptId, origin: { ratedMessageId: r.messageId } })), 1),
      safety: await make('SAFETY', flagged.map((r) => ({ promptId: r.promptId, origin: { safetyEventId: r.eventId } })), 1),
      sample: await make('SAMPLE', sampled, 1),
      generated: 0,
    };
    report.generated = await this.generatePending();
    // One entry: an admin's request always (as theirs); the periodic sweep when it made something (as the service's).
    if (requestedBy) await this.o.audit.write(requestedBy, { action: 'collectReviewItems', subject: { type: 'ReviewItem' }, after: report });
    else if (Object.values(report).some((n) => n > 0)) await this.o.audit.write(this.o.audit.serviceScope('review.collect'), { action: 'review.collect', subject: { type: 'ReviewItem' }, after: report });
    return report;
  }

  // ------------------------------------------------------------------ the queue

  /**
   * The caller's next item: OPEN, not their own conversation, not one they reviewed or skipped,
   * and with fewer live leases plus submitted reviews than it needs. One claim at a time
   * (advisory lock), so concurrent reviewers never push an item past its count. A reviewer who
   * already holds a live lease gets it back.
   */
  async claim(caller: Caller, kind: ItemKind | undefined) {
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

  async myClaims(caller: Caller) {
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

  /** The item, locked for this transaction (one review or decision at a time), with its candidates and owner. */
  private async lockItem(tx: Tx, key: string) {
    await tx.$queryRaw`SELECT id FROM "ReviewItem" WHERE id = ${key}::uuid FOR UPDATE`;
    const item = await tx.reviewItem.findUnique({ where: { id: key }, include: { candidates: { orderBy: { position: 'asc' } }, conversation: { select: { userId: true } } } });
    if (!item) throw notFound('ReviewItem');
    return item;
  }

  /** Validates an answer against the item: BAD_USER_INPUT with every issue's path. */
  private parse(item: ReviewItem & { candidates: { id: string; content: string }[] }, input: ReviewInputData) {
    if (input.kind !== 'SKIP' && input.kind !== item.kind) throw badInput(`This item takes ${item.kind} reviews (or SKIP)`, { field: 'kind', issues: [{ path: 'kind', message: `expected ${item.kind} or SKIP` }] });
    const scores = input.scores ? Object.fromEntries(input.scores.map((s) => [s.criterion, s.score])) : undefined;
    const raw = { ...input, scores, strength: input.strength ?? null };
    for (const k of Object.keys(raw) as (keyof typeof raw)[]) if (raw[k] === undefined) delete raw[k];
    const result = parseReview(raw, {
      candidates: item.candidates.map((c) => c.id),
      rubric: this.rubricOf(item),
      texts: new Map(item.candidates.map((c) => [c.id, c.content])),
    });
    if (!result.ok) throw badInput(`Invalid review: ${result.issues.map((i) => `${i.path || 'input'}: ${i.message}`).join('; ')}`, { issues: result.issues });
    return result.review;
  }

  rubricOf(item: Pick<ReviewItem, 'rubric'>): Criterion[] {
    return Array.isArray(item.rubric) && item.rubric.length ? (item.rubric as unknown as Criterion[]) : [...DEFAULT_RUBRIC];
  }

  /** A validated review as stored: the answer (a tie has no strength), and its tags and comment apart. */
  private answerOf(review: Exclude<ReturnType<ReviewService['parse']>, { kind: 'SKIP' }>): { answer: Answer; tags: string[]; comment: string | null } {
    const { tags, comment, ...answer } = review;
    if (answer.kind === 'PAIRWISE') return { answer: { ...answer, strength: answer.choice === 'TIE' ? null : (answer.strength ?? null) }, tags, comment: comment ?? null };
    return { answer: answer as Answer, tags, comment: comment ?? null };
  }

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
      const review = this.parse(item, input);
      const owner = this.o.audit.person(item.conversation.userId);
      if (review.kind === 'SKIP') {
        const skipped = await tx.reviewClaim.update({ where: { id: claim.id }, data: { status: 'SKIPPED', skipReason: review.reason } });
        await this.o.audit.record(tx, caller.audit, { action: 'skipReviewItem', subject: { type: 'ReviewItem', id: key, owner }, after: { reason: review.reason } });
        return skipped;
      }
      const { answer, tags, comment } = this.answerOf(review);
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
        if (count >= item.requiredReviews) await this.conclude(tx, key, false);
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
      const review = this.parse(item, input);
      if (review.kind === 'SKIP') throw badInput('An adjudication decides: it cannot skip', { field: 'kind' });
      const { answer, tags, comment } = this.answerOf(review);
      await tx.review.deleteMany({ where: { itemId: key, adjudication: true } });
      await tx.review.create({
        data: { itemId: key, reviewerPseudonym: caller.audit.actor.pseudonym ?? 'admin', kind: answer.kind, answer: answer as unknown as Prisma.InputJsonValue, tags, comment, adjudication: true },
      });
      await tx.reviewItem.update({ where: { id: key }, data: { adjudicatedAt: new Date(), adjudicatedBy: caller.audit.actor.pseudonym } });
      await this.conclude(tx, key, true);
      await this.o.audit.record(tx, caller.audit, {
        action: 'adjudicateReviewItem',
        subject: { type: 'ReviewItem', id: key, owner: this.o.audit.person(item.conversation.userId) },
        before: { status: item.status },
        after: { kind: answer.kind, status: 'DONE' },
      });
      return tx.reviewItem.findUniqueOrThrow({ where: { id: key } });
    });
  }

  /** Agreement, status and derived rows of an item whose reviews are in (or adjudicated). */
  private async conclude(tx: Tx, itemId: string, adjudicated: boolean): Promise<void> {
    const item = await tx.reviewItem.findUniqueOrThrow({ where: { id: itemId }, include: { candidates: { orderBy: { position: 'asc' } }, conversation: true } });
    const reviews = await tx.review.findMany({ where: { itemId }, orderBy: { createdAt: 'asc' } });
    const stored = (adj: boolean): StoredReview[] => reviews.filter((r) => r.adjudication === adj).map((r) => ({ reviewer: r.reviewerPseudonym, answer: r.answer as unknown as Answer }));
    const prompt = await this.promptOf(tx, item.promptMessageId);
    const ctx = { prompt, language: promptLanguage(prompt) };
    const candidates: Reply[] = item.candidates.map((c) => ({ id: c.id, text: c.content, model: c.model }));
    const rubric = this.rubricOf(item);
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
    const prompt = await this.promptOf(tx, reply.parentId);
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

  // ------------------------------------------------------------------ reads

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

  /**
   * Agreement over the items the filter selects (reviews, not adjudications): Krippendorff's
   * alpha (nominal) on choices — a pairwise choice, a ranking's top candidate — and (ordinal) on
   * rubric scores, Cohen's kappa for every two reviewers on the choices they share, and per
   * reviewer their mean kappa and the alpha without them.
   */
  async agreement(filter: ItemFilter) {
    const items = await this.o.db.reviewItem.findMany({
      where: { ...itemWhere(filter), reviewCount: { gt: 0 } },
      include: { reviews: { where: { adjudication: false } }, candidates: true },
    });
    const choices = new Map<string, Map<string, string>>(); // reviewer → unit → label
    const scores = new Map<string, Map<string, number>>();
    let reviews = 0;
    const reviewsBy = new Map<string, number>();
    for (const item of items) {
      for (const r of item.reviews) {
        reviews++;
        reviewsBy.set(r.reviewerPseudonym, (reviewsBy.get(r.reviewerPseudonym) ?? 0) + 1);
        const a = r.answer as unknown as Answer;
        const put = <L>(m: Map<string, Map<string, L>>, unit: string, label: L) => {
          const row = m.get(r.reviewerPseudonym) ?? new Map<string, L>();
          m.set(r.reviewerPseudonym, row);
          row.set(unit, label);
        };
        if (a.kind === 'PAIRWISE') put(choices, item.id, a.choice);
        else if (a.kind === 'RANKING') put(choices, item.id, `#${item.candidates.find((c) => c.id === a.ranking[0])?.position ?? '?'}`);
        else if (a.kind === 'RUBRIC') for (const [criterion, v] of Object.entries(a.scores)) put(scores, `${item.id}/${a.candidateId}/${criterion}`, v);
      }
    }
    const alphaOf = <L extends string | number>(m: Map<string, Map<string, L>>, level: 'nominal' | 'ordinal', without?: string) => {
      const coders = [...m.keys()].filter((k) => k !== without);
      const units = [...new Set(coders.flatMap((c) => [...m.get(c)!.keys()]))];
      const matrix = units.map((u) => coders.map((c) => m.get(c)!.get(u) ?? null));
      const v = krippendorffAlpha(matrix, level);
      return Number.isFinite(v) ? v : null;
    };
    const reviewers = [...new Set([...choices.keys(), ...scores.keys()])].sort();
    const kappa: { reviewerA: string; reviewerB: string; items: number; kappa: number | null }[] = [];
    for (let i = 0; i < reviewers.length; i++) {
      for (let j = i + 1; j < reviewers.length; j++) {
        const a = choices.get(reviewers[i]!) ?? new Map<string, string>();
        const b = choices.get(reviewers[j]!) ?? new Map<string, string>();
        const shared = [...a.keys()].filter((u) => b.has(u));
        if (shared.length === 0) continue;
        kappa.push({
          reviewerA: reviewers[i]!,
          reviewerB: reviewers[j]!,
          items: shared.length,
          kappa: shared.length >= 2 ? cohenKappa(shared.map((u) => a.get(u)!), shared.map((u) => b.get(u)!)) : null,
        });
      }
    }
    const per = new Map(reviewerAgreement(choices).map((r) => [r.reviewer, r]));
    return {
      items: items.length,
      reviews,
      choiceAlpha: alphaOf(choices, 'nominal'),
      scoreAlpha: alphaOf(scores, 'ordinal'),
      kappa,
      reviewers: reviewers.map((r) => ({
        reviewer: r,
        reviews: reviewsBy.get(r) ?? 0,
        meanKappa: per.get(r)?.meanKappa ?? null,
        pairs: per.get(r)?.pairs ?? 0,
        alphaWithout: choices.has(r) ? alphaOf(choices, 'nominal', r) : null,
      })),
    };
  }
}
