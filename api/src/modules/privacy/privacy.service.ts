import type { PrismaClient } from '@dialoop/db';
import type { Logger } from 'pino';
import type { Caller } from '../../context.js';
import { badInput, forbidden, notFound } from '../../errors.js';
import { parseId } from '../../ids.js';
import type { AuditLog } from '../audit/index.js';
import type { ChatService } from '../chat/index.js';
import { keepsAnAdmin, lastAdmin } from '../users/index.js';
import { accessible, requireActor } from '../rbac/index.js';

export interface PrivacyServiceOptions {
  db: PrismaClient;
  audit: AuditLog;
  chat: ChatService;
  /** Conversations untouched for this many days are deleted (0: kept). */
  conversationRetentionDays: number;
  /** Audit entries older than this many days are pruned (0: kept). */
  auditRetentionDays: number;
  log: Logger;
}

const DAY_MS = 86_400_000;
const SWEEP_BATCH = 200;

export interface ErasureReport {
  pseudonym: string;
  conversations: number;
  messages: number;
  ratings: number;
  apiKeys: number;
}

/** Erasure (a person's right to be forgotten) and retention (data kept no longer than configured). */
export class PrivacyService {
  constructor(private readonly o: PrivacyServiceOptions) {}

  /** Erases the caller's own account; `confirmEmail` must repeat the account's email. */
  async deleteMyAccount(caller: Caller, confirmEmail: string): Promise<ErasureReport> {
    const actor = requireActor(caller);
    const user = await this.o.db.user.findFirst({ where: { AND: [accessible(caller.ability, 'delete').ofType('User'), { id: actor.userId }] } });
    if (!user) throw forbidden('This account cannot be deleted with these credentials');
    if (confirmEmail.trim().toLowerCase() !== user.email) throw badInput('confirmEmail must be the email of the account being deleted', { field: 'confirmEmail' });
    return this.erase(caller, user.id, 'deleteMyAccount');
  }

  /** An admin erases someone's account and data. */
  async eraseUser(caller: Caller, id: string): Promise<ErasureReport> {
    const actor = requireActor(caller);
    const userId = parseId(id, 'User');
    if (userId === actor.userId) throw badInput('Use deleteMyAccount to erase your own account', { field: 'id' });
    const user = await this.o.db.user.findFirst({ where: { AND: [accessible(caller.ability, 'delete').ofType('User'), { id: userId }] } });
    if (!user) throw notFound('User');
    return this.erase(caller, user.id, 'eraseUser');
  }

  /**
   * Deletes the person's profile, credentials, conversations, messages and ratings in one
   * transaction with its audit entry, and lists their pseudonym among the erased, so that derived
   * data (datasets) leaves them out. The trail keeps only the pseudonym, which nothing links to
   * anyone any more.
   */
  private async erase(caller: Caller, userId: string, action: 'deleteMyAccount' | 'eraseUser'): Promise<ErasureReport> {
    // Checked first (nothing is stopped for a refused erasure), and again where the row goes.
    if (!(await this.o.db.$transaction((tx) => keepsAnAdmin(tx, userId, null)))) throw lastAdmin();
    await this.o.chat.stopStreaming({ userId });
    const replies = await this.o.chat.recentReplyIds({ userId });
    const pseudonym = this.o.audit.person(userId);
    const report = await this.o.db.$transaction(async (tx) => {
      const [conversations, messages, ratings, apiKeys] = await Promise.all([
        tx.conversation.count({ where: { userId } }),
        tx.message.count({ where: { userId } }),
        tx.rating.count({ where: { OR: [{ userId }, { message: { userId } }] } }),
        tx.apiKey.count({ where: { userId } }),
      ]);
      if (!(await keepsAnAdmin(tx, userId, null))) throw lastAdmin();
      // Cascades: credentials, conversations → messages → ratings, and this person's ratings elsewhere.
      await tx.user.delete({ where: { id: userId } });
      await tx.erasedSubject.createMany({ data: [{ pseudonym }], skipDuplicates: true });
      const report = { pseudonym, conversations, messages, ratings, apiKeys };
      await this.o.audit.record(tx, caller.audit, {
        action,
        subject: { type: 'User', id: pseudonym, owner: pseudonym },
        before: { conversations, messages, ratings, apiKeys },
        after: { erased: true },
      });
      return report;
    });
    // After the commit. (Whatever a stopped reply appends after this expires with the log, STREAM_LOG_TTL_S.)
    await this.o.chat.discardStreamLogs(replies);
    return report;
  }

  /**
   * One retention pass: conversations not updated within the retention period are deleted, in
   * batches, each deletion recorded in the same transaction; then the trail's own retention.
   */
  async sweep(now = new Date()): Promise<{ conversations: number; auditEntries: number }> {
    const scope = this.o.audit.serviceScope('retention');
    let conversations = 0;
    if (this.o.conversationRetentionDays > 0) {
      const cutoff = new Date(now.getTime() - this.o.conversationRetentionDays * DAY_MS);
      for (;;) {
        const batch = await this.o.db.conversation.findMany({ where: { updatedAt: { lt: cutoff } }, select: { id: true }, take: SWEEP_BATCH });
        if (batch.length === 0) break;
        const ids = batch.map((c) => c.id);
        await this.o.chat.stopStreaming({ conversationId: { in: ids } });
        const deleted = await this.o.db.$transaction(async (tx) => {
          const rows = await tx.$queryRaw<{ id: string; userId: string }[]>`
            DELETE FROM "Conversation" WHERE "id" = ANY(${ids}::uuid[]) AND "updatedAt" < ${cutoff} RETURNING "id"::text AS "id", "userId"::text AS "userId"`;
          await this.o.audit.record(
            tx,
            scope,
            rows.map((r) => ({
              action: 'retention.deleteConversation',
              subject: { type: 'Conversation', id: r.id, owner: this.o.audit.person(r.userId) },
              after: { retentionDays: this.o.conversationRetentionDays, cutoff: cutoff.toISOString() },
            })),
          );
          return rows.length;
        });
        conversations += deleted;
        if (batch.length < SWEEP_BATCH) break;
      }
    }
    let auditEntries = 0;
    if (this.o.auditRetentionDays > 0) {
      auditEntries = await this.o.audit.prune(new Date(now.getTime() - this.o.auditRetentionDays * DAY_MS), scope);
    }
    if (conversations > 0 || auditEntries > 0) this.o.log.info({ conversations, auditEntries }, 'retention: expired data deleted');
    return { conversations, auditEntries };
  }
}
