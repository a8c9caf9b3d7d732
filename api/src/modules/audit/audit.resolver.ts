import { GraphQLSafeInt } from 'graphql-scalars';
import { Arg, Ctx, Int, Mutation, Query, Resolver } from 'type-graphql';
import type { Context } from '../../context.js';
import { badInput } from '../../errors.js';
import { Allow } from '../rbac/index.js';
import { AuditLog, type AuditFilter } from './audit.service.js';
import { createExport } from './audit.export.js';
import {
  AuditCheckpoint,
  type AuditEntry,
  AuditEntryConnection,
  AuditExport,
  AuditExportFormatEnum,
  AuditFilterInput,
  AuditPublicKey,
  AuditVerification,
} from './audit.types.js';
import type { EntryRecord } from './chain.js';

const toEntry = (r: EntryRecord): AuditEntry => ({
  seq: r.seq,
  at: new Date(r.at),
  actor: { kind: r.actorKind, pseudonym: r.actorPseudonym, role: r.actorRole, apiKeyId: r.apiKeyId },
  action: r.action,
  subject: { type: r.subjectType, id: r.subjectId, owner: r.subjectOwner },
  outcome: r.outcome,
  requestId: r.requestId,
  clientIp: r.clientIp,
  userAgent: r.userAgent,
  before: r.before,
  after: r.after,
  prevHash: r.prevHash,
  hash: r.hash,
});

/** People are searched by pseudonym or account id: an email typed here would land in the trail, out of erasure's reach. */
function filterOf(f: AuditFilterInput | null | undefined): AuditFilter {
  for (const field of ['actor', 'subjectId'] as const) {
    if (f?.[field]?.includes('@')) throw badInput(`${field}: search people by pseudonym (u_…) or account id, not by email`, { field });
  }
  return { ...(f ?? {}) };
}

/** The trail, for compliance officers: read, verify, export. Nobody writes it through the API. */
@Resolver()
export class AuditResolver {
  @Allow('read', 'AuditEntry')
  @Query(() => AuditEntryConnection, { description: 'Audit entries, newest first; `after` is the endCursor of the previous page' })
  async auditEntries(
    @Ctx() ctx: Context,
    @Arg('filter', () => AuditFilterInput, { nullable: true }) filter?: AuditFilterInput,
    @Arg('first', () => Int, { nullable: true, description: 'Page size, 1-500 (default 50)' }) first?: number | null,
    @Arg('after', () => String, { nullable: true }) after?: string | null,
  ): Promise<AuditEntryConnection> {
    const size = first ?? 50;
    if (size < 1 || size > 500) throw badInput('first must be between 1 and 500');
    const cursor = after ? Number(after) : undefined;
    if (cursor !== undefined && (!Number.isSafeInteger(cursor) || cursor < 1)) throw badInput('Malformed cursor');
    const f = filterOf(filter);
    const page = await ctx.services.audit.list(f, size, cursor);
    await ctx.services.audit.write(ctx.audit, { action: 'auditEntries', subject: { type: 'AuditEntry' }, after: { filter: ctx.services.audit.describeFilter(f), returned: page.entries.length } });
    const last = page.entries.at(-1);
    return {
      edges: page.entries.map((r) => ({ cursor: String(r.seq), node: toEntry(r) })),
      pageInfo: { hasNextPage: page.hasNextPage, endCursor: last ? String(last.seq) : null },
    };
  }

  @Allow('read', 'AuditEntry')
  @Query(() => AuditVerification, { description: 'Recomputes the chain from `from` to `to` (default: all) and checks the signed checkpoints in it' })
  async verifyAuditChain(
    @Ctx() ctx: Context,
    @Arg('from', () => GraphQLSafeInt, { nullable: true }) from?: number | null,
    @Arg('to', () => GraphQLSafeInt, { nullable: true }) to?: number | null,
  ): Promise<AuditVerification> {
    AuditLog.checkRange(from, to);
    const result = await ctx.services.audit.verify({ from, to });
    await ctx.services.audit.write(ctx.audit, {
      action: 'verifyAuditChain',
      subject: { type: 'AuditEntry' },
      after: { from: from ?? null, to: to ?? null, valid: result.valid, checked: result.checked, broken: result.broken },
    });
    return result;
  }

  @Allow('read', 'AuditEntry')
  @Query(() => [AuditCheckpoint], { description: 'Signed checkpoints, newest first' })
  async auditCheckpoints(@Ctx() ctx: Context, @Arg('first', () => Int, { nullable: true }) first?: number | null): Promise<AuditCheckpoint[]> {
    const size = first ?? 20;
    if (size < 1 || size > 500) throw badInput('first must be between 1 and 500');
    return ctx.services.audit.recentCheckpoints(size);
  }

  @Allow('read', 'AuditEntry')
  @Query(() => AuditPublicKey, { description: 'The key checkpoints are signed with' })
  auditPublicKey(@Ctx() ctx: Context): AuditPublicKey {
    return { keyId: ctx.services.audit.signer.keyId, pem: ctx.services.audit.signer.publicKeyPem };
  }

  @Allow('export', 'AuditEntry')
  @Mutation(() => AuditExport, { description: 'Prepares an export of the entries the filter matches, signed through its last entry; download it from downloadPath' })
  async exportAudit(
    @Arg('format', () => AuditExportFormatEnum) format: keyof typeof AuditExportFormatEnum,
    @Ctx() ctx: Context,
    @Arg('filter', () => AuditFilterInput, { nullable: true }) filter?: AuditFilterInput,
  ): Promise<AuditExport> {
    return createExport(ctx, filterOf(filter), format);
  }

  @Allow('create', 'AuditCheckpoint')
  @Mutation(() => AuditCheckpoint, { nullable: true, description: 'Verifies the chain since the last checkpoint and signs its head now (admins)' })
  async createAuditCheckpoint(@Ctx() ctx: Context): Promise<AuditCheckpoint | null> {
    return ctx.services.audit.checkpoint(undefined, ctx.audit);
  }
}
