import { GraphQLSafeInt } from 'graphql-scalars';
import { Arg, Ctx, FieldResolver, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { Context } from '../../context.js';
import { Allow } from '../rbac/index.js';
import {
  AuditCheckpoint,
  AuditEntryConnection,
  AuditEntryDetail,
  AuditExport,
  AuditExportFormatEnum,
  AuditFilterInput,
  AuditPublicKey,
  AuditStats,
  AuditVerification,
} from './audit.types.js';

/** The trail, for compliance officers: read, verify, export. Nobody writes it through the API. */
@Resolver()
export class AuditResolver {
  @Allow('read', 'AuditEntry')
  @Query(() => AuditEntryConnection, { description: 'Audit entries, newest first; `after` is the endCursor of the previous page' })
  auditEntries(
    @Ctx() ctx: Context,
    @Arg('filter', () => AuditFilterInput, { nullable: true }) filter?: AuditFilterInput,
    @Arg('first', () => Int, { nullable: true, description: 'Page size, 1-500 (default 50)' }) first?: number | null,
    @Arg('after', () => String, { nullable: true }) after?: string | null,
  ): Promise<AuditEntryConnection> {
    return ctx.services.auditReader.page(ctx.audit, filter, first, after);
  }

  @Allow('read', 'AuditEntry')
  @Query(() => AuditEntryDetail, { description: 'One entry by its sequence number, with the signed checkpoint covering it' })
  auditEntry(@Ctx() ctx: Context, @Arg('seq', () => GraphQLSafeInt) seq: number): Promise<AuditEntryDetail> {
    return ctx.services.auditReader.entry(ctx.audit, seq);
  }

  @Allow('read', 'AuditEntry')
  @Query(() => AuditStats, { description: 'What the filter matches, counted: entries per day (UTC) by outcome, denials by action' })
  auditStats(@Ctx() ctx: Context, @Arg('filter', () => AuditFilterInput, { nullable: true }) filter?: AuditFilterInput): Promise<AuditStats> {
    return ctx.services.auditReader.stats(ctx.audit, filter);
  }

  @Allow('read', 'AuditEntry')
  @Query(() => AuditVerification, { description: 'Recomputes the chain from `from` to `to` (default: all) and checks the signed checkpoints in it' })
  verifyAuditChain(
    @Ctx() ctx: Context,
    @Arg('from', () => GraphQLSafeInt, { nullable: true }) from?: number | null,
    @Arg('to', () => GraphQLSafeInt, { nullable: true }) to?: number | null,
  ): Promise<AuditVerification> {
    return ctx.services.auditReader.verify(ctx.audit, from, to);
  }

  @Allow('read', 'AuditEntry')
  @Query(() => [AuditCheckpoint], { description: 'Signed checkpoints, newest first' })
  auditCheckpoints(@Ctx() ctx: Context, @Arg('first', () => Int, { nullable: true }) first?: number | null): Promise<AuditCheckpoint[]> {
    return ctx.services.auditReader.checkpoints(first);
  }

  @Allow('read', 'AuditEntry')
  @Query(() => AuditPublicKey, { description: 'The key checkpoints are signed with' })
  auditPublicKey(@Ctx() ctx: Context): AuditPublicKey {
    return ctx.services.auditReader.publicKey();
  }

  @Allow('export', 'AuditEntry')
  @Mutation(() => AuditExport, { description: 'Prepares an export of the entries the filter matches, signed through its last entry; download it from downloadPath' })
  exportAudit(
    @Arg('format', () => AuditExportFormatEnum) format: keyof typeof AuditExportFormatEnum,
    @Ctx() ctx: Context,
    @Arg('filter', () => AuditFilterInput, { nullable: true }) filter?: AuditFilterInput,
  ): Promise<AuditExport> {
    return ctx.services.auditReader.export(ctx.audit, ctx.log, filter, format);
  }

  @Allow('create', 'AuditCheckpoint')
  @Mutation(() => AuditCheckpoint, { nullable: true, description: 'Verifies the chain since the last checkpoint and signs its head now (admins)' })
  createAuditCheckpoint(@Ctx() ctx: Context): Promise<AuditCheckpoint | null> {
    return ctx.services.auditReader.checkpointNow(ctx.audit);
  }
}

@Resolver(() => AuditCheckpoint)
export class AuditCheckpointResolver {
  @FieldResolver(() => Boolean, { description: 'The signature verifies with a key the api knows (AUDIT_SIGNING_KEY or AUDIT_PREVIOUS_PUBLIC_KEYS)' })
  signatureValid(@Root() checkpoint: AuditCheckpoint, @Ctx() ctx: Context): boolean {
    return ctx.services.auditReader.signatureValid(checkpoint);
  }
}
