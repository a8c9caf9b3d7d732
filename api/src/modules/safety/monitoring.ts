import { randomUUID } from 'node:crypto';
import type { EscalationStep, Prisma, SafetyDirection, SafetyLevel } from '@dialoop/db';
import type { Caller } from '../../context.js';
import { AppError, ErrorCode, badInput, notFound } from '../../errors.js';
import { parseId } from '../../ids.js';
import { insertJsonRows } from '../../sql.js';
import { requireActor } from '../rbac/index.js';
import type { Hit } from './matcher.js';
import type { SafetyServiceOptions } from './options.js';
import { safetyStats, statsRange, type SafetyStatsResult } from './stats.js';

/** A hit as the audit trail sees it: level, category and term id, never the words. */
export interface HitSummary {
  level: SafetyLevel;
  category: string;
  termId: string;
  length: number;
}

const SLOWED_READ_MS = 1_000;
const EVENT_COLUMNS = {
  id: 'uuid', userId: 'uuid', conversationId: 'uuid', messageId: 'uuid', direction: '"SafetyDirection"', level: '"SafetyLevel"',
  category: 'text', termId: 'uuid', action: 'text', start: 'int', end: 'int',
};
const STEPS: EscalationStep[] = ['WARN', 'SLOW', 'LOCK', 'REVIEW'];
const ACTION: Record<SafetyLevel, 'refused' | 'masked' | 'flagged'> = { BLOCK: 'refused', MASK: 'masked', REVIEW: 'flagged' };

/**
 * Monitoring and escalation: the record of what the filter caught (prompts refused, prompts and
 * replies stored with hits), conversation monitoring over it (warn → slow down → lock → an item
 * for reviewers), who is slowed down and which conversations are locked, and the reads of it all.
 */
export class Monitoring {
  /**
   * People slowed down by monitoring (an open SLOW step within the window), read every second:
   * a send asks this set, not the database (a step taken on this process counts at once; one
   * taken or lifted on another within a second).
   */
  private slowed = new Set<string>();
  private slowedTimer: NodeJS.Timeout | undefined;

  constructor(private readonly o: SafetyServiceOptions) {}

  /** Reads who is slowed down now, then every second. */
  async start(): Promise<void> {
    await this.readSlowed();
    this.slowedTimer = setInterval(() => void this.readSlowed().catch((err: unknown) => this.o.log.warn({ err }, 'safety: could not read who is slowed down')), SLOWED_READ_MS);
    this.slowedTimer.unref();
  }

  close(): void {
    clearInterval(this.slowedTimer);
  }

  // ---- what the filter caught ------------------------------------------------------------

  private eventRows(hits: Hit[], where: { userId: string; conversationId: string | null; messageId: string | null; direction: SafetyDirection }, stopped?: Hit) {
    return hits.map((h) => {
      this.o.metrics.safetyHits.inc({ level: h.term.level, category: h.term.category, direction: where.direction });
      return {
        ...where,
        level: h.term.level,
        category: h.term.category,
        termId: h.term.id,
        action: h === stopped && where.direction === 'OUTPUT' ? 'stopped' : ACTION[h.term.level as SafetyLevel],
        start: h.start,
        end: h.end,
      } satisfies Prisma.SafetyEventCreateManyInput;
    });
  }

  /** Summary of hits for the audit trail: levels, categories and term ids, never the words. */
  private hitSummary(hits: Hit[]): HitSummary[] {
    return hits.map((h) => ({ level: h.term.level, category: h.term.category, termId: h.term.id, length: h.end - h.start }));
  }

  /**
   * A prompt's hits as one `INSERT` statement, stored by the statement that stores the prompt
   * (the chat's send path), and the summary its audit entry carries. Undefined without hits.
   */
  inputEventsSql(hits: Hit[], where: { userId: string; conversationId: string; messageId: string }): { sql: Prisma.Sql; summary: HitSummary[] } | undefined {
    if (hits.length === 0) return undefined;
    const rows = this.eventRows(hits, { ...where, direction: 'INPUT' }).map((r) => ({ id: randomUUID(), ...r }));
    const sql = insertJsonRows('SafetyEvent', EVENT_COLUMNS, rows);
    return { sql, summary: this.hitSummary(hits) };
  }

  /**
   * A prompt refused: its hits are stored and the refusal recorded (DENIED, with the category,
   * not the words), monitoring runs, then SAFETY_BLOCKED is thrown.
   */
  async refuseInput(caller: Caller, action: string, blocked: Hit, hits: Hit[], conversationId: string | null): Promise<never> {
    const actor = requireActor(caller);
    const rows = this.eventRows(hits, { userId: actor.userId, conversationId, messageId: null, direction: 'INPUT' });
    await this.o.db.$transaction(async (tx) => {
      const created = await tx.safetyEvent.createManyAndReturn({ data: rows, select: { id: true } });
      await this.o.audit.record(tx, caller.audit, {
        action,
        outcome: 'DENIED',
        subject: { type: 'SafetyEvent', id: created[0]?.id, owner: this.o.audit.person(actor.userId) },
        after: { code: ErrorCode.SAFETY_BLOCKED, category: blocked.term.category, conversationId, hits: this.hitSummary(hits) },
      });
    });
    await this.monitorSafely(actor.userId, conversationId);
    throw new AppError(ErrorCode.SAFETY_BLOCKED, `The message was refused by the content filter (${blocked.term.category})`, {
      category: blocked.term.category,
    });
  }

  /** A reply's hits, stored when it ends, with an audit entry by the safety service. */
  async recordOutput(reply: { userId: string; conversationId: string; messageId: string }, hits: Hit[], blocked: Hit | undefined): Promise<void> {
    const all = blocked ? [...hits, blocked] : hits;
    if (all.length === 0) return;
    await this.o.db.$transaction(async (tx) => {
      await tx.safetyEvent.createMany({ data: this.eventRows(all, { ...reply, direction: 'OUTPUT' }, blocked) });
      await this.o.audit.record(tx, this.o.audit.serviceScope('safety'), {
        action: blocked ? 'safetyStopReply' : 'safetyFilterReply',
        subject: { type: 'Message', id: reply.messageId, owner: this.o.audit.person(reply.userId) },
        after: { conversationId: reply.conversationId, hits: this.hitSummary(all) },
      });
    });
    await this.monitorSafely(reply.userId, reply.conversationId);
  }

  /** Monitoring after a write that stands whatever happens here: a failure is logged, not thrown. */
  async monitorSafely(userId: string, conversationId: string | null): Promise<EscalationStep[]> {
    try {
      return await this.monitor(userId, conversationId);
    } catch (err) {
      this.o.log.error({ err, conversationId }, 'safety: conversation monitoring failed');
      return [];
    }
  }

  // ---- monitoring -------------------------------------------------------------------------

  private async readSlowed(): Promise<void> {
    const since = new Date(Date.now() - this.o.settings.windowSeconds * 1000);
    const rows = await this.o.db.safetyEscalation.findMany({ where: { step: 'SLOW', at: { gte: since }, resolvedAt: null }, select: { userId: true }, distinct: ['userId'] });
    this.slowed = new Set(rows.flatMap((r) => (r.userId ? [r.userId] : [])));
  }

  /**
   * Counts safety events in the sliding window, for the person (their prompts) and for the
   * conversation (prompts and replies); each threshold reached takes its step once per window,
   * in order: WARN, SLOW (one message per SAFETY_SLOW_INTERVAL_S), LOCK (the conversation),
   * REVIEW (an item for reviewers). Each step is audited.
   */
  private async monitor(userId: string, conversationId: string | null): Promise<EscalationStep[]> {
    const { windowSeconds, thresholds } = this.o.settings;
    const since = new Date(Date.now() - windowSeconds * 1000);
    const [person, conversation] = await Promise.all([
      this.o.db.safetyEvent.count({ where: { userId, direction: 'INPUT', at: { gte: since } } }),
      conversationId ? this.o.db.safetyEvent.count({ where: { conversationId, at: { gte: since } } }) : Promise.resolve(0),
    ]);
    const count = Math.max(person, conversation);
    const scope = conversation > person ? 'conversation' : 'person';
    const taken: EscalationStep[] = [];
    for (const step of STEPS) {
      if (count < thresholds[step]) break;
      const done = await this.o.db.$transaction(async (tx) => {
        // Concurrent replies of one person take each step once.
        await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`dialoop.safety.monitor:${userId}`}))`;
        // Once per window, per person (and per conversation for LOCK and REVIEW).
        const perConversation = (step === 'LOCK' || step === 'REVIEW') && conversationId;
        const existing = await tx.safetyEscalation.findFirst({
          where: { step, at: { gte: since }, ...(perConversation ? { conversationId } : { userId }) },
        });
        if (existing) return false;
        const row = await tx.safetyEscalation.create({
          data: { step, scope, userId, conversationId, count, windowSeconds },
        });
        if (step === 'SLOW') this.slowed.add(userId);
        if (step === 'LOCK' && conversationId) await tx.conversation.updateMany({ where: { id: conversationId, lockedAt: null }, data: { lockedAt: new Date() } });
        await this.o.audit.record(tx, this.o.audit.serviceScope('safety'), {
          action: `safetyEscalate${step[0]}${step.slice(1).toLowerCase()}`,
          subject: { type: 'SafetyEscalation', id: row.id, owner: this.o.audit.person(userId) },
          after: { step, scope, count, windowSeconds, conversationId },
        });
        return true;
      });
      if (done) {
        taken.push(step);
        this.o.metrics.safetyEscalations.inc({ step });
      }
    }
    return taken;
  }

  /**
   * Refuses a new turn in a locked conversation, or from a person slowed down who wrote less
   * than SAFETY_SLOW_INTERVAL_S ago.
   */
  async admit(userId: string, conversation: { id: string; lockedAt: Date | null } | undefined): Promise<void> {
    if (conversation?.lockedAt) throw new AppError(ErrorCode.CONVERSATION_LOCKED, 'This conversation is locked by content monitoring; an admin can unlock it');
    if (!this.slowed.has(userId)) return;
    const last = await this.o.db.message.findFirst({ where: { userId, role: 'USER' }, orderBy: { createdAt: 'desc' }, select: { createdAt: true } });
    const wait = last ? last.createdAt.getTime() + this.o.settings.slowIntervalMs - Date.now() : 0;
    if (wait > 0) {
      const retryAfterSeconds = Math.ceil(wait / 1000);
      throw new AppError(ErrorCode.RATE_LIMITED, `Slowed down by content monitoring: one message every ${this.o.settings.slowIntervalMs / 1000} s`, { retryAfterSeconds, reason: 'SAFETY_SLOW' });
    }
  }

  /** The highest step active for a conversation or its owner within the window. */
  async activeStep(userId: string, conversationId: string): Promise<EscalationStep | null> {
    const since = new Date(Date.now() - this.o.settings.windowSeconds * 1000);
    const rows = await this.o.db.safetyEscalation.findMany({
      where: { at: { gte: since }, resolvedAt: null, OR: [{ conversationId }, { userId, step: { in: ['WARN', 'SLOW'] } }] },
      select: { step: true },
    });
    let best = -1;
    for (const r of rows) best = Math.max(best, STEPS.indexOf(r.step));
    return best < 0 ? null : STEPS[best]!;
  }

  escalations(filter: { step?: EscalationStep | undefined; open?: boolean | undefined; first: number }) {
    return this.o.db.safetyEscalation.findMany({
      where: { ...(filter.step ? { step: filter.step } : {}), ...(filter.open === undefined ? {} : filter.open ? { resolvedAt: null } : { NOT: { resolvedAt: null } }) },
      orderBy: { at: 'desc' },
      take: Math.min(Math.max(filter.first, 1), 200),
    });
  }

  async resolveEscalation(caller: Caller, id: string, resolution: string) {
    const key = parseId(id, 'SafetyEscalation');
    const text = resolution.trim();
    if (text.length === 0 || text.length > 2000) throw badInput('resolution must have 1 to 2000 characters');
    const row = await this.o.db.safetyEscalation.findUnique({ where: { id: key } });
    if (!row) throw notFound('SafetyEscalation');
    if (row.resolvedAt) throw new AppError(ErrorCode.CONFLICT, 'Already resolved');
    return this.o.db.$transaction(async (tx) => {
      const updated = await tx.safetyEscalation.update({
        where: { id: key },
        data: { resolvedAt: new Date(), resolvedBy: caller.audit.actor.pseudonym, resolution: text },
      });
      await this.o.audit.record(tx, caller.audit, {
        action: 'resolveSafetyEscalation',
        subject: { type: 'SafetyEscalation', id: key, owner: row.userId ? this.o.audit.person(row.userId) : null },
        after: { step: row.step, resolutionLength: text.length },
      });
      return updated;
    }).then(async (updated) => {
      // A lifted slow-down counts at once here (other processes read it within a second).
      if (row.step === 'SLOW') await this.readSlowed();
      return updated;
    });
  }

  async unlockConversation(caller: Caller, id: string) {
    const key = parseId(id, 'Conversation');
    const conv = await this.o.db.conversation.findUnique({ where: { id: key } });
    if (!conv) throw notFound('Conversation');
    return this.o.db.$transaction(async (tx) => {
      const updated = await tx.conversation.update({ where: { id: key }, data: { lockedAt: null } });
      // The lock is dealt with: monitoring may lock again if it keeps happening.
      await tx.safetyEscalation.updateMany({
        where: { conversationId: key, step: 'LOCK', resolvedAt: null },
        data: { resolvedAt: new Date(), resolvedBy: caller.audit.actor.pseudonym, resolution: 'unlocked' },
      });
      await this.o.audit.record(tx, caller.audit, {
        action: 'unlockConversation',
        subject: { type: 'Conversation', id: key, owner: this.o.audit.person(conv.userId) },
        before: { lockedAt: conv.lockedAt?.toISOString() ?? null },
      });
      return updated;
    });
  }

  events(filter: { userId?: string | undefined; conversationId?: string | undefined; level?: SafetyLevel | undefined; direction?: SafetyDirection | undefined; first: number }) {
    return this.o.db.safetyEvent.findMany({
      where: {
        ...(filter.userId ? { userId: parseId(filter.userId, 'User') } : {}),
        ...(filter.conversationId ? { conversationId: parseId(filter.conversationId, 'Conversation') } : {}),
        ...(filter.level ? { level: filter.level } : {}),
        ...(filter.direction ? { direction: filter.direction } : {}),
      },
      orderBy: { at: 'desc' },
      take: Math.min(Math.max(filter.first, 1), 500),
    });
  }

  /** Recorded events per UTC day, direction and level over a range (stats.ts; checked there). */
  stats(from: Date | undefined, to: Date | undefined): Promise<SafetyStatsResult> {
    return safetyStats(this.o.db, statsRange(from, to));
  }

  /** A sensitive read (admins and reviewers reading what the filter caught of people's text) is audited. */
  async auditRead(caller: Caller, action: string, subjectType: 'SafetyEvent' | 'SafetyEscalation', after: Record<string, unknown>) {
    await this.o.audit.write(caller.audit, { action, subject: { type: subjectType }, after });
  }
}
