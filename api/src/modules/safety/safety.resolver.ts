import { Arg, Ctx, ID, Int, Mutation, Query, Resolver } from 'type-graphql';
import type { Context } from '../../context.js';
import { Allow } from '../rbac/index.js';
import { CreateRewriteRuleInput, CreateSafetyTermInput, UpdateRewriteRuleInput, UpdateSafetyTermInput } from './safety.inputs.js';
import {
  EscalationStepEnum,
  RewriteRule,
  SafetyDirectionEnum,
  SafetyEscalation,
  SafetyEvent,
  SafetyImportResult,
  SafetyLevelEnum,
  SafetyPreview,
  SafetyRevision,
  SafetyStats,
  SafetyStatus,
  SafetyTerm,
} from './safety.types.js';
import { PREVIEW_MAX_CHARS } from './preview.js';
import { STATS_DEFAULT_DAYS, STATS_MAX_DAYS } from './stats.js';

type Level = keyof typeof SafetyLevelEnum;

/**
 * Admins manage the term list and rewrite rules; admins and reviewers follow what the filter caught.
 * A conversation's safety fields and its unlock are the chat module's (ConversationSafetyResolver).
 */
@Resolver()
export class SafetyResolver {
  @Allow('read', 'SafetyTerm')
  @Query(() => [SafetyTerm], { description: 'The term list (admins), by category then term' })
  safetyTerms(
    @Ctx() ctx: Context,
    @Arg('search', () => String, { nullable: true }) search?: string,
    @Arg('level', () => SafetyLevelEnum, { nullable: true }) level?: Level,
    @Arg('category', () => String, { nullable: true }) category?: string,
    @Arg('first', () => Int, { defaultValue: 100 }) first = 100,
    @Arg('offset', () => Int, { defaultValue: 0 }) offset = 0,
  ) {
    return ctx.services.safety.admin.listTerms({ search, level, category, first, offset });
  }

  @Allow('create', 'SafetyTerm')
  @Mutation(() => SafetyTerm, { description: 'Adds a term; every api process filters with it within seconds' })
  createSafetyTerm(@Arg('input', () => CreateSafetyTermInput) input: CreateSafetyTermInput, @Ctx() ctx: Context) {
    return ctx.services.safety.admin.createTerm(ctx, input);
  }

  @Allow('update', 'SafetyTerm')
  @Mutation(() => SafetyTerm)
  updateSafetyTerm(@Arg('id', () => ID) id: string, @Arg('input', () => UpdateSafetyTermInput) input: UpdateSafetyTermInput, @Ctx() ctx: Context) {
    return ctx.services.safety.admin.updateTerm(ctx, id, input);
  }

  @Allow('delete', 'SafetyTerm')
  @Mutation(() => Boolean)
  deleteSafetyTerm(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return ctx.services.safety.admin.deleteTerm(ctx, id);
  }

  @Allow('create', 'SafetyTerm')
  @Mutation(() => SafetyImportResult, {
    description: 'Imports terms from CSV with a header: term,level[,language,category,wholeWord,enabled]; existing normal forms are updated; any bad row refuses the whole file',
  })
  importSafetyTerms(@Arg('csv', () => String) csv: string, @Ctx() ctx: Context) {
    return ctx.services.safety.admin.importTerms(ctx, csv);
  }

  @Allow('read', 'SafetyTerm')
  @Query(() => [SafetyRevision], { description: 'Changes to the term list and rewrite rules, newest first' })
  safetyRevisions(@Ctx() ctx: Context, @Arg('first', () => Int, { defaultValue: 50 }) first = 50) {
    return ctx.services.safety.admin.revisions(first);
  }

  @Allow('read', 'SafetyTerm')
  @Query(() => SafetyStatus, { description: 'Whether filtering is on, and the list version this process uses' })
  async safetyStatus(@Ctx() ctx: Context) {
    const latest = await ctx.services.safety.admin.revisions(1);
    return { enabled: ctx.services.safety.enabled, version: ctx.services.safety.version, latestVersion: latest[0]?.version ?? 0 };
  }

  @Allow('read', 'SafetyTerm')
  @Query(() => SafetyPreview, {
    description: `What the live filter (the terms and rewrite rules this process filters with) would make of a text as a prompt (INPUT) or a reply (OUTPUT): the outcome, the text as the person would see it, each match and why it matched. Records no safety event and touches no conversation. At most ${PREVIEW_MAX_CHARS} characters.`,
  })
  safetyPreview(
    @Ctx() ctx: Context,
    @Arg('text', () => String, { description: 'The text to judge' }) text: string,
    @Arg('direction', () => SafetyDirectionEnum, { defaultValue: 'OUTPUT', description: 'INPUT: judge it as a prompt; OUTPUT (default): as a reply, rewrite rules first' })
    direction: keyof typeof SafetyDirectionEnum = 'OUTPUT',
  ) {
    return ctx.services.safety.preview(text, direction);
  }

  @Allow('read', 'SafetyTerm')
  @Query(() => SafetyStats, {
    description: `Recorded safety events per UTC day, level and direction over [from, to) (default: the last ${STATS_DEFAULT_DAYS} days; at most ${STATS_MAX_DAYS}). A recorded read.`,
  })
  async safetyStats(
    @Ctx() ctx: Context,
    @Arg('from', () => Date, { nullable: true, description: `Start, inclusive (default: ${STATS_DEFAULT_DAYS} days before to)` }) from?: Date,
    @Arg('to', () => Date, { nullable: true, description: 'End, exclusive (default: now)' }) to?: Date,
  ) {
    const stats = await ctx.services.safety.monitoring.stats(from ?? undefined, to ?? undefined);
    await ctx.services.safety.monitoring.auditRead(ctx, 'safetyStats', 'SafetyEvent', { from: stats.from.toISOString(), to: stats.to.toISOString(), total: stats.all.total });
    return stats;
  }

  @Allow('read', 'RewriteRule')
  @Query(() => [RewriteRule], { description: 'Rewrite rules, in the order they apply' })
  rewriteRules(@Ctx() ctx: Context) {
    return ctx.services.safety.admin.listRules();
  }

  @Allow('create', 'RewriteRule')
  @Mutation(() => RewriteRule)
  createRewriteRule(@Arg('input', () => CreateRewriteRuleInput) input: CreateRewriteRuleInput, @Ctx() ctx: Context) {
    return ctx.services.safety.admin.createRule(ctx, input);
  }

  @Allow('update', 'RewriteRule')
  @Mutation(() => RewriteRule)
  updateRewriteRule(@Arg('id', () => ID) id: string, @Arg('input', () => UpdateRewriteRuleInput) input: UpdateRewriteRuleInput, @Ctx() ctx: Context) {
    return ctx.services.safety.admin.updateRule(ctx, id, input);
  }

  @Allow('delete', 'RewriteRule')
  @Mutation(() => Boolean)
  deleteRewriteRule(@Arg('id', () => ID) id: string, @Ctx() ctx: Context) {
    return ctx.services.safety.admin.deleteRule(ctx, id);
  }

  @Allow('read', 'SafetyEvent')
  @Query(() => [SafetyEvent], { description: 'What the filter caught, newest first (a recorded read)' })
  async safetyEvents(
    @Ctx() ctx: Context,
    @Arg('userId', () => ID, { nullable: true }) userId?: string,
    @Arg('conversationId', () => ID, { nullable: true }) conversationId?: string,
    @Arg('level', () => SafetyLevelEnum, { nullable: true }) level?: Level,
    @Arg('direction', () => SafetyDirectionEnum, { nullable: true }) direction?: keyof typeof SafetyDirectionEnum,
    @Arg('first', () => Int, { defaultValue: 100 }) first = 100,
  ) {
    const rows = await ctx.services.safety.monitoring.events({ userId, conversationId, level, direction, first });
    await ctx.services.safety.monitoring.auditRead(ctx, 'safetyEvents', 'SafetyEvent', { userId: userId ? ctx.services.audit.person(userId) : null, conversationId: conversationId ?? null, level: level ?? null, count: rows.length });
    return rows.map((r) => ({ ...r, personPseudonym: r.userId ? ctx.services.audit.person(r.userId) : null }));
  }

  @Allow('read', 'SafetyEscalation')
  @Query(() => [SafetyEscalation], { description: 'Steps conversation monitoring took, newest first; REVIEW steps are the reviewers’ items' })
  async safetyEscalations(
    @Ctx() ctx: Context,
    @Arg('step', () => EscalationStepEnum, { nullable: true }) step?: keyof typeof EscalationStepEnum,
    @Arg('open', () => Boolean, { nullable: true, description: 'true: unresolved only; false: resolved only' }) open?: boolean,
    @Arg('first', () => Int, { defaultValue: 100 }) first = 100,
  ) {
    const rows = await ctx.services.safety.monitoring.escalations({ step, open, first });
    await ctx.services.safety.monitoring.auditRead(ctx, 'safetyEscalations', 'SafetyEscalation', { step: step ?? null, open: open ?? null, count: rows.length });
    return rows.map((r) => ({ ...r, personPseudonym: r.userId ? ctx.services.audit.person(r.userId) : null }));
  }

  @Allow('update', 'SafetyEscalation')
  @Mutation(() => SafetyEscalation, { description: 'Closes an escalation (a reviewer’s item) with what was done' })
  async resolveSafetyEscalation(@Arg('id', () => ID) id: string, @Arg('resolution', () => String) resolution: string, @Ctx() ctx: Context) {
    const r = await ctx.services.safety.monitoring.resolveEscalation(ctx, id, resolution);
    return { ...r, personPseudonym: r.userId ? ctx.services.audit.person(r.userId) : null };
  }
}
