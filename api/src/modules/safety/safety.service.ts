import { randomUUID } from 'node:crypto';
import { parse as parseCsv } from 'csv-parse/sync';
import { Prisma, type EscalationStep, type PrismaClient, type RewriteRule, type SafetyDirection, type SafetyLevel, type SafetyTerm } from '@dialoop/db';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Caller } from '../../context.js';
import { AppError, ErrorCode, badInput, notFound } from '../../errors.js';
import { parseId } from '../../ids.js';
import { insertJsonRows } from '../../sql.js';
import type { ApiMetrics } from '../../metrics.js';
import type { AuditEvent, AuditLog } from '../audit/index.js';
import { requireActor } from '../rbac/index.js';
import { MAX_TERM_UNITS, Matcher, normalizeTerm, strongest, type Hit } from './matcher.js';
import { ReplyFilter, RewriteStream, TermStream, compileRewrite, type RewriteSpec } from './stream.js';

export interface SafetySettings {
  enabled: boolean;
  refusal: string;
  regexHold: number;
  reloadIntervalMs: number;
  windowSeconds: number;
  thresholds: Record<EscalationStep, number>;
  slowIntervalMs: number;
}

export interface SafetyServiceOptions {
  db: PrismaClient;
  audit: AuditLog;
  redis: Redis | undefined;
  log: Logger;
  metrics: Pick<ApiMetrics, 'safetyHits' | 'safetyHoldback' | 'safetyEscalations'>;
  settings: SafetySettings;
}

export interface TermInput {
  term?: string | undefined;
  level?: SafetyLevel | undefined;
  language?: string | null | undefined;
  category?: string | undefined;
  wholeWord?: boolean | undefined;
  enabled?: boolean | undefined;
}

export interface RuleInput {
  pattern?: string | undefined;
  regex?: boolean | undefined;
  caseSensitive?: boolean | undefined;
  replacement?: string | undefined;
  description?: string | null | undefined;
  enabled?: boolean | undefined;
}

/** What the filter made of a prompt: the text the model and the history see, and the hits in it. */
export interface InputVerdict {
  content: string;
  hits: Hit[];
  level: SafetyLevel | null;
}

interface Compiled {
  version: number;
  matcher: Matcher;
  rules: Array<{ spec: RewriteSpec; re: RegExp }>;
}

const CHANNEL = 'dialoop:safety:version';
const SLOWED_READ_MS = 1_000;
const EVENT_COLUMNS = {
  id: 'uuid', userId: 'uuid', conversationId: 'uuid', messageId: 'uuid', direction: '"SafetyDirection"', level: '"SafetyLevel"',
  category: 'text', termId: 'uuid', action: 'text', start: 'int', end: 'int',
};
const STEPS: EscalationStep[] = ['WARN', 'SLOW', 'LOCK', 'REVIEW'];
const ACTION: Record<SafetyLevel, 'refused' | 'masked' | 'flagged'> = { BLOCK: 'refused', MASK: 'masked', REVIEW: 'flagged' };
const MAX_IMPORT_ROWS = 50_000;
const LATIN = /[a-z0-9]/i;
const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u;

/** Terms and rewrite rules as the audit trail sees them: settings and lengths, never the text. */
const termAudit = (t: Pick<SafetyTerm, 'level' | 'category' | 'language' | 'wholeWord' | 'enabled' | 'term' | 'version'>) => ({
  level: t.level,
  category: t.category,
  language: t.language,
  wholeWord: t.wholeWord,
  enabled: t.enabled,
  termLength: t.term.length,
  version: t.version,
});
const ruleAudit = (r: Pick<RewriteRule, 'regex' | 'caseSensitive' | 'enabled' | 'pattern' | 'replacement' | 'version'>) => ({
  regex: r.regex,
  caseSensitive: r.caseSensitive,
  enabled: r.enabled,
  patternLength: r.pattern.length,
  replacementLength: r.replacement.length,
  version: r.version,
});

/**
 * Content safety: the term list and rewrite rules (versioned, audited, reloaded on every process
 * within seconds), the filter on prompts and on reply streams, the record of what it caught, and
 * conversation monitoring (warn → slow down → lock → an item for reviewers).
 */
export class SafetyService {
  private compiled: Compiled = { version: 0, matcher: new Matcher([]), rules: [] };
  private loading: Promise<void> | undefined;
  private queued: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private subscriber: Redis | undefined;
  /**
   * People slowed down by monitoring (an open SLOW step within the window), read every second:
   * a send asks this set, not the database (a step taken on this process counts at once; one
   * taken or lifted on another within a second).
   */
  private slowed = new Set<string>();
  private slowedTimer: NodeJS.Timeout | undefined;

  constructor(private readonly o: SafetyServiceOptions) {}

  /** The list version this process filters with. */
  get version(): number {
    return this.compiled.version;
  }

  get enabled(): boolean {
    return this.o.settings.enabled;
  }

  async start(): Promise<void> {
    await this.reload();
    await this.readSlowed();
    this.slowedTimer = setInterval(() => void this.readSlowed().catch((err: unknown) => this.o.log.warn({ err }, 'safety: could not read who is slowed down')), SLOWED_READ_MS);
    this.slowedTimer.unref();
    this.timer = setInterval(() => void this.refresh(), this.o.settings.reloadIntervalMs);
    this.timer.unref();
    if (this.o.redis) {
      this.subscriber = this.o.redis.duplicate();
      this.subscriber.on('error', (err) => this.o.log.warn({ err }, 'safety: redis subscriber error'));
      this.subscriber.on('message', (_channel: string, message: string) => {
        if (Number(message) > this.compiled.version) void this.refresh();
      });
      await this.subscriber.subscribe(CHANNEL);
    }
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    clearInterval(this.slowedTimer);
    await this.subscriber?.quit().catch(() => undefined);
  }

  /** Reloads when the database holds a newer list than this process. */
  private async refresh(): Promise<void> {
    try {
      const head = await this.o.db.safetyRevision.aggregate({ _max: { version: true } });
      if ((head._max.version ?? 0) > this.compiled.version) await this.reload();
    } catch (err) {
      this.o.log.warn({ err }, 'safety: could not check the term list version');
    }
  }

  /**
   * Compiles the enabled terms and rules, one load at a time; a call while a load runs queues one
   * more after it, so a change committed meanwhile is never missed.
   */
  reload(): Promise<void> {
    if (this.loading) {
      this.queued ??= this.loading.then(() => {
        this.queued = undefined;
        return this.reload();
      });
      return this.queued;
    }
    this.loading = this.load().finally(() => (this.loading = undefined));
    return this.loading;
  }

  private async load(): Promise<void> {
    const [head, terms, rules] = await this.o.db.$transaction([
      this.o.db.safetyRevision.aggregate({ _max: { version: true } }),
      this.o.db.safetyTerm.findMany({ where: { enabled: true } }),
      this.o.db.rewriteRule.findMany({ where: { enabled: true }, orderBy: { createdAt: 'asc' } }),
    ]);
    const version = head._max.version ?? 0;
    const matcher = new Matcher(terms.map((t) => ({ id: t.id, term: t.term, level: t.level, category: t.category, wholeWord: t.wholeWord })));
    const compiledRules = rules.flatMap((r) => {
      const spec: RewriteSpec = { id: r.id, pattern: r.pattern, regex: r.regex, caseSensitive: r.caseSensitive, replacement: r.replacement };
      try {
        return [{ spec, re: compileRewrite(spec) }];
      } catch (err) {
        this.o.log.error({ err, rule: r.id }, 'safety: a stored rewrite rule does not compile; skipped');
        return [];
      }
    });
    this.compiled = { version, matcher, rules: compiledRules };
    this.o.log.info({ version, terms: terms.length, rules: compiledRules.length }, 'safety: term list loaded');
  }

  /** After a change committed: reload here, and tell the other processes. */
  private async changed(version: number): Promise<void> {
    await this.reload();
    await this.o.redis?.publish(CHANNEL, String(version)).catch((err: unknown) => this.o.log.warn({ err }, 'safety: could not announce a new list version'));
  }

  // ---- filtering --------------------------------------------------------------------------

  /** Judges a prompt. BLOCK is returned (not thrown) so the caller can record the refusal. */
  checkInput(content: string): InputVerdict & { blocked: Hit | undefined } {
    if (!this.enabled) return { content, hits: [], level: null, blocked: undefined };
    const r = this.compiled.matcher.apply(content);
    const top = strongest(r.hits);
    return { content: r.text, hits: r.hits, level: top?.term.level ?? null, blocked: r.blocked };
  }

  /**
   * A title: masked; refused (SAFETY_BLOCKED, recorded) when it holds a BLOCK term. Used for
   * renames, and for titles made from a prompt (where the collapsed white space may join a term).
   */
  async checkTitle(caller: Caller, action: string, title: string, conversationId: string | null): Promise<string> {
    const verdict = this.checkInput(title);
    if (verdict.blocked) await this.refuseInput(caller, action, verdict.blocked, verdict.hits, conversationId);
    return verdict.content;
  }

  /** A fresh filter for one reply, on the list as it is now; undefined when filtering is off. */
  replyFilter(): ReplyFilter | undefined {
    if (!this.enabled) return undefined;
    const { matcher, rules } = this.compiled;
    const terms = matcher.size > 0 ? new TermStream(matcher) : undefined;
    const rewrites = rules.map((r) => new RewriteStream(r.spec, r.re, this.o.settings.regexHold));
    if (!terms && rewrites.length === 0) return undefined;
    return new ReplyFilter(terms, rewrites, (ms) => this.o.metrics.safetyHoldback.observe(ms / 1000));
  }

  get refusal(): string {
    return this.o.settings.refusal;
  }

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
  private hitSummary(hits: Hit[]) {
    return hits.map((h) => ({ level: h.term.level, category: h.term.category, termId: h.term.id, length: h.end - h.start }));
  }

  /**
   * A prompt's hits as one `INSERT` statement, stored by the statement that stores the prompt
   * (the chat's send path), and the summary its audit entry carries. Undefined without hits.
   */
  inputEventsSql(hits: Hit[], where: { userId: string; conversationId: string; messageId: string }) {
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
  async monitor(userId: string, conversationId: string | null): Promise<EscalationStep[]> {
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

  /** A sensitive read (admins and reviewers reading what the filter caught of people's text) is audited. */
  async auditRead(caller: Caller, action: string, subjectType: 'SafetyEvent' | 'SafetyEscalation', after: Record<string, unknown>) {
    await this.o.audit.write(caller.audit, { action, subject: { type: subjectType }, after });
  }

  // ---- terms ------------------------------------------------------------------------------

  /** Validates a term and fills its defaults; the normal form is the list's key. */
  private termData(input: TermInput, current?: SafetyTerm) {
    const term = (input.term ?? current?.term ?? '').trim();
    if (term.length === 0 || term.length > 200) throw badInput('term must have 1 to 200 characters', { field: 'term' });
    const n = normalizeTerm(term);
    if (n.units.length === 0) throw badInput('term has no letters or digits', { field: 'term' });
    if (n.units.length > MAX_TERM_UNITS) throw badInput(`term is longer than ${MAX_TERM_UNITS} letters once normalized`, { field: 'term' });
    const category = (input.category ?? current?.category ?? 'general').trim().toLowerCase();
    if (!/^[\p{L}\p{N}_ -]{1,64}$/u.test(category)) throw badInput('category must be 1 to 64 letters, digits, spaces, - or _', { field: 'category' });
    const language = input.language === undefined ? (current?.language ?? null) : input.language?.trim() || null;
    if (language !== null && !/^[a-zA-Z]{2,3}(-[a-zA-Z0-9]{2,8})*$/.test(language)) throw badInput('language must be a language tag such as en or zh-Hant', { field: 'language' });
    const level = input.level ?? current?.level;
    if (!level) throw badInput('level is required', { field: 'level' });
    // Whole-word by default for terms written in a script with spaces; substring for Chinese and Japanese.
    const normalized = String.fromCharCode(...n.units);
    const wholeWord = input.wholeWord ?? current?.wholeWord ?? (LATIN.test(normalized) && !CJK.test(normalized));
    return { term, normalized, level, category, language, wholeWord, enabled: input.enabled ?? current?.enabled ?? true };
  }

  /**
   * One change of the term list or the rewrite rules, in one transaction: a revision numbered
   * under the list's lock (so versions commit in the order they are numbered, and a process that
   * loaded version n has every change up to n), the write, and its audit entry; then every
   * process reloads. A term whose normal form exists already is a CONFLICT.
   */
  private async change<T>(
    caller: Caller,
    rev: { kind: 'term' | 'rule'; op: string; entityId?: string | null; before?: unknown; after?: unknown },
    /** Does the write; `after`, when the write decides it (an import), completes the revision. */
    write: (tx: Prisma.TransactionClient, version: number) => Promise<{ result: T; audit: AuditEvent; after?: unknown }>,
  ): Promise<T> {
    let committed: { result: T; version: number };
    try {
      committed = await this.o.db.$transaction(
        async (tx) => {
          await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext('dialoop.safety.revision'))`;
          const { version } = await tx.safetyRevision.create({
            data: {
              actorPseudonym: caller.audit.actor.pseudonym,
              kind: rev.kind,
              op: rev.op,
              entityId: rev.entityId ?? null,
              before: (rev.before ?? undefined) as Prisma.InputJsonValue | undefined,
              after: (rev.after ?? undefined) as Prisma.InputJsonValue | undefined,
            },
          });
          const { result, audit, after } = await write(tx, version);
          if (after !== undefined) await tx.safetyRevision.update({ where: { version }, data: { after: after as Prisma.InputJsonValue } });
          await this.o.audit.record(tx, caller.audit, audit);
          return { result, version };
        },
        { timeout: 120_000 },
      );
    } catch (err) {
      if (err instanceof Prisma.PrismaClientKnownRequestError && err.code === 'P2002') {
        throw new AppError(ErrorCode.CONFLICT, 'A term with the same normal form exists', { field: 'term' });
      }
      throw err;
    }
    await this.changed(committed.version);
    return committed.result;
  }

  createTerm(caller: Caller, input: TermInput) {
    const data = this.termData(input);
    const id = randomUUID();
    return this.change(caller, { kind: 'term', op: 'create', entityId: id, after: data }, async (tx, version) => {
      const created = await tx.safetyTerm.create({ data: { ...data, id, version } });
      return { result: created, audit: { action: 'createSafetyTerm', subject: { type: 'SafetyTerm', id }, after: termAudit(created) } };
    });
  }

  async updateTerm(caller: Caller, id: string, input: TermInput) {
    const current = await this.findTerm(id);
    const key = current.id;
    const data = this.termData(input, current);
    return this.change(caller, { kind: 'term', op: 'update', entityId: key, before: this.termRevision(current), after: data }, async (tx, version) => {
      const updated = await tx.safetyTerm.update({ where: { id: key }, data: { ...data, version } });
      return { result: updated, audit: { action: 'updateSafetyTerm', subject: { type: 'SafetyTerm', id: key }, before: termAudit(current), after: termAudit(updated) } };
    });
  }

  private termRevision(t: SafetyTerm) {
    return { term: t.term, level: t.level, category: t.category, language: t.language, wholeWord: t.wholeWord, enabled: t.enabled };
  }

  private async findTerm(id: string): Promise<SafetyTerm> {
    const row = await this.o.db.safetyTerm.findUnique({ where: { id: parseId(id, 'SafetyTerm') } });
    if (!row) throw notFound('SafetyTerm');
    return row;
  }

  async deleteTerm(caller: Caller, id: string): Promise<boolean> {
    const current = await this.findTerm(id);
    const key = current.id;
    return this.change(caller, { kind: 'term', op: 'delete', entityId: key, before: this.termRevision(current) }, async (tx) => {
      await tx.safetyTerm.delete({ where: { id: key } });
      return { result: true, audit: { action: 'deleteSafetyTerm', subject: { type: 'SafetyTerm', id: key }, before: termAudit(current) } };
    });
  }

  /**
   * Imports terms from CSV with a header: `term,level` and optionally `language`, `category`,
   * `wholeWord`, `enabled`. A term whose normal form exists is updated. All or nothing: any bad
   * row refuses the file, naming its lines. One revision for the whole import.
   */
  async importTerms(caller: Caller, csv: string) {
    let records: Record<string, string>[];
    try {
      records = parseCsv(csv, { columns: (h: string[]) => h.map((c) => c.trim()), skip_empty_lines: true, trim: true, bom: true, relax_column_count: false });
    } catch (err) {
      throw badInput(`Unreadable CSV: ${(err as Error).message}`);
    }
    if (records.length === 0) throw badInput('The CSV has no rows');
    if (records.length > MAX_IMPORT_ROWS) throw badInput(`At most ${MAX_IMPORT_ROWS} rows per import`);
    const header = Object.keys(records[0]!);
    for (const col of ['term', 'level']) if (!header.includes(col)) throw badInput(`The CSV needs a "${col}" column`);
    const unknownCols = header.filter((c) => !['term', 'level', 'language', 'category', 'wholeWord', 'enabled'].includes(c));
    if (unknownCols.length > 0) throw badInput(`Unknown columns: ${unknownCols.join(', ')}`);
    const bool = (v: string | undefined, line: number, col: string) => {
      if (v === undefined || v === '') return undefined;
      if (/^(true|1|yes)$/i.test(v)) return true;
      if (/^(false|0|no)$/i.test(v)) return false;
      throw badInput(`line ${line}: ${col} must be true or false`);
    };
    const rows = new Map<string, ReturnType<SafetyService['termData']>>();
    const errors: string[] = [];
    records.forEach((rec, i) => {
      const line = i + 2;
      try {
        const level = rec.level?.toUpperCase();
        if (level !== 'BLOCK' && level !== 'MASK' && level !== 'REVIEW') throw badInput(`level must be BLOCK, MASK or REVIEW`);
        const data = this.termData({
          term: rec.term,
          level,
          language: rec.language || null,
          category: rec.category || undefined,
          wholeWord: bool(rec.wholeWord, line, 'wholeWord'),
          enabled: bool(rec.enabled, line, 'enabled'),
        });
        rows.set(data.normalized, data);
      } catch (err) {
        errors.push(`line ${line}: ${(err as Error).message.replace(/^line \d+: /, '')}`);
      }
    });
    if (errors.length > 0) throw badInput(`${errors.length} bad row(s); nothing was imported`, { errors: errors.slice(0, 50) });
    return this.change(caller, { kind: 'term', op: 'import' }, async (tx, version) => {
        const existing = await tx.safetyTerm.findMany({ where: { normalized: { in: [...rows.keys()] } } });
        const byKey = new Map(existing.map((t) => [t.normalized, t]));
        const fresh = [...rows.values()].filter((r) => !byKey.has(r.normalized));
        const changed = [...rows.values()].filter((r) => {
          const t = byKey.get(r.normalized);
          return t && (t.term !== r.term || t.level !== r.level || t.category !== r.category || t.language !== r.language || t.wholeWord !== r.wholeWord || t.enabled !== r.enabled);
        });
        const summary = { rows: records.length, created: fresh.length, updated: changed.length, unchanged: rows.size - fresh.length - changed.length, duplicates: records.length - rows.size };
        if (fresh.length > 0) await tx.safetyTerm.createMany({ data: fresh.map((r) => ({ ...r, version })) });
        for (const r of changed) await tx.safetyTerm.update({ where: { normalized: r.normalized }, data: { ...r, version } });
        return {
          result: { ...summary, version },
          audit: { action: 'importSafetyTerms', subject: { type: 'SafetyTerm' }, after: { ...summary, version } },
          after: { ...summary, terms: [...fresh, ...changed] },
        };
      });
  }

  listTerms(filter: { search?: string | undefined; level?: SafetyLevel | undefined; category?: string | undefined; first: number; offset: number }) {
    return this.o.db.safetyTerm.findMany({
      where: {
        ...(filter.search ? { term: { contains: filter.search, mode: 'insensitive' as const } } : {}),
        ...(filter.level ? { level: filter.level } : {}),
        ...(filter.category ? { category: filter.category } : {}),
      },
      orderBy: [{ category: 'asc' }, { term: 'asc' }],
      take: Math.min(Math.max(filter.first, 1), 500),
      skip: Math.max(filter.offset, 0),
    });
  }

  revisions(first: number) {
    return this.o.db.safetyRevision.findMany({ orderBy: { version: 'desc' }, take: Math.min(Math.max(first, 1), 200) });
  }

  // ---- rewrite rules ----------------------------------------------------------------------

  private ruleData(input: RuleInput, current?: RewriteRule) {
    const pattern = input.pattern ?? current?.pattern ?? '';
    if (pattern.length === 0 || pattern.length > 500) throw badInput('pattern must have 1 to 500 characters', { field: 'pattern' });
    const regex = input.regex ?? current?.regex ?? false;
    const caseSensitive = input.caseSensitive ?? current?.caseSensitive ?? false;
    const replacement = input.replacement ?? current?.replacement ?? '';
    if (replacement.length > 500) throw badInput('replacement must have at most 500 characters', { field: 'replacement' });
    const spec: RewriteSpec = { id: current?.id ?? 'new', pattern, regex, caseSensitive, replacement };
    try {
      const re = compileRewrite(spec);
      if (re.test('')) throw badInput('pattern must not match empty text', { field: 'pattern' });
    } catch (err) {
      if (err instanceof AppError) throw err;
      throw badInput(`pattern is not a valid regular expression: ${(err as Error).message}`, { field: 'pattern' });
    }
    if (!regex && pattern.length > this.o.settings.regexHold * 4) throw badInput('literal pattern too long', { field: 'pattern' });
    const description = input.description === undefined ? (current?.description ?? null) : input.description;
    return { pattern, regex, caseSensitive, replacement, description, enabled: input.enabled ?? current?.enabled ?? true };
  }

  createRule(caller: Caller, input: RuleInput) {
    const data = this.ruleData(input);
    const id = randomUUID();
    return this.change(caller, { kind: 'rule', op: 'create', entityId: id, after: data }, async (tx, version) => {
      const created = await tx.rewriteRule.create({ data: { ...data, id, version } });
      return { result: created, audit: { action: 'createRewriteRule', subject: { type: 'RewriteRule', id }, after: ruleAudit(created) } };
    });
  }

  async updateRule(caller: Caller, id: string, input: RuleInput) {
    const current = await this.findRule(id);
    const data = this.ruleData(input, current);
    return this.change(caller, { kind: 'rule', op: 'update', entityId: current.id, before: current, after: data }, async (tx, version) => {
      const updated = await tx.rewriteRule.update({ where: { id: current.id }, data: { ...data, version } });
      return { result: updated, audit: { action: 'updateRewriteRule', subject: { type: 'RewriteRule', id: current.id }, before: ruleAudit(current), after: ruleAudit(updated) } };
    });
  }

  async deleteRule(caller: Caller, id: string): Promise<boolean> {
    const current = await this.findRule(id);
    return this.change(caller, { kind: 'rule', op: 'delete', entityId: current.id, before: current }, async (tx) => {
      await tx.rewriteRule.delete({ where: { id: current.id } });
      return { result: true, audit: { action: 'deleteRewriteRule', subject: { type: 'RewriteRule', id: current.id }, before: ruleAudit(current) } };
    });
  }

  private async findRule(id: string): Promise<RewriteRule> {
    const row = await this.o.db.rewriteRule.findUnique({ where: { id: parseId(id, 'RewriteRule') } });
    if (!row) throw notFound('RewriteRule');
    return row;
  }

  listRules() {
    return this.o.db.rewriteRule.findMany({ orderBy: { createdAt: 'asc' } });
  }
}

