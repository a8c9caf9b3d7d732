import { Prisma } from '@dialoop/db';
import { AppError } from '../../errors.js';
import type { AuditScope } from '../audit/index.js';
import { HISTORY_MODEL } from '../chat/index.js';
import type { CandidateGenerator } from './candidates.js';
import { MAX_CANDIDATES, createItem, type Source } from './items.js';
import type { ReviewServiceOptions } from './options.js';

export interface CollectCounts {
  siblings: number;
  lowRating: number;
  safety: number;
  sample: number;
  generated: number;
}

/** The last sweep this process ran: when, who started it, and what it made (or that it failed). */
export interface LastCollection {
  startedAt: Date;
  finishedAt: Date | null;
  trigger: 'SCHEDULE' | 'REQUEST';
  report: CollectCounts | null;
  /** Why it failed (a typed error's message; otherwise a generic one: details are in the log). */
  error: string | null;
}

/** The sources items are collected from, swept on a timer or when an admin asks. */
export class Collector {
  private lastRun: LastCollection | null = null;

  constructor(private readonly o: Pick<ReviewServiceOptions, 'db' | 'audit' | 'settings'> & { candidates: Pick<CandidateGenerator, 'generatePending'> }) {}

  /** The last sweep of this process (null before its first); a sweep still running shows with no finishedAt. */
  get last(): LastCollection | null {
    return this.lastRun;
  }

  /** One sweep, remembered as this process's last. */
  async collect(requestedBy?: AuditScope, limit = 200): Promise<CollectCounts> {
    const run: LastCollection = { startedAt: new Date(), finishedAt: null, trigger: requestedBy ? 'REQUEST' : 'SCHEDULE', report: null, error: null };
    this.lastRun = run;
    try {
      run.report = await this.sweep(requestedBy, limit);
      return run.report;
    } catch (err) {
      run.error = err instanceof AppError ? err.message : 'The sweep failed (see the api log)';
      throw err;
    } finally {
      run.finishedAt = new Date();
    }
  }

  /**
   * One sweep of the sources: prompts with several complete replies (regenerations), replies
   * rated low, replies (or prompts) the content filter flagged for review, and a sampled share
   * of conversations; each prompt once per source. Then the pending items' candidates.
   */
  private async sweep(requestedBy: AuditScope | undefined, limit: number): Promise<CollectCounts> {
    const s = this.o.settings;
    const replies = (promptIds: string[]) =>
      this.o.db.message.findMany({
        // A client's own turns given as history (POST /chat) are not the model's replies: never candidates.
        where: { parentId: { in: promptIds }, role: 'ASSISTANT', status: 'COMPLETE', content: { not: '' }, OR: [{ model: null }, { model: { not: HISTORY_MODEL } }] },
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
            await createItem(tx, s, {
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
        AND (SELECT count(*) FROM "Message" r WHERE r."parentId" = p.id AND r.role = 'ASSISTANT' AND r.status = 'COMPLETE' AND r.content <> '' AND r.model IS DISTINCT FROM ${HISTORY_MODEL}) >= 2
      ORDER BY p.ordinal LIMIT ${limit}`;
    const low = await this.o.db.$queryRaw<{ promptId: string; messageId: string }[]>`
      SELECT DISTINCT ON (p.id) p.id AS "promptId", r.id AS "messageId" FROM "Rating" g
      JOIN "Message" r ON r.id = g."messageId" JOIN "Message" p ON p.id = r."parentId"
      WHERE r.status = 'COMPLETE' AND r.model IS DISTINCT FROM ${HISTORY_MODEL} AND (g.thumb = 'DOWN' OR g.score <= ${s.lowScore}) AND ${notYet('LOW_RATING')}
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
        AND EXISTS (SELECT 1 FROM "Message" r WHERE r."parentId" = p.id AND r.status = 'COMPLETE' AND r.role = 'ASSISTANT' AND r.model IS DISTINCT FROM ${HISTORY_MODEL})
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
    report.generated = await this.o.candidates.generatePending();
    // One entry: an admin's request always (as theirs); the periodic sweep when it made something (as the service's).
    if (requestedBy) await this.o.audit.write(requestedBy, { action: 'collectReviewItems', subject: { type: 'ReviewItem' }, after: report });
    else if (Object.values(report).some((n) => n > 0)) await this.o.audit.write(this.o.audit.serviceScope('review.collect'), { action: 'review.collect', subject: { type: 'ReviewItem' }, after: report });
    return report;
  }
}
