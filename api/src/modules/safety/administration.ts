import { randomUUID } from 'node:crypto';
import { parse as parseCsv } from 'csv-parse/sync';
import { Prisma, type RewriteRule, type SafetyLevel, type SafetyTerm } from '@dialoop/db';
import type { Caller } from '../../context.js';
import { AppError, ErrorCode, badInput, notFound } from '../../errors.js';
import { parseId } from '../../ids.js';
import type { AuditEvent } from '../audit/index.js';
import type { LiveFilter } from './live-filter.js';
import { MAX_TERM_UNITS, normalizeTerm } from './matcher.js';
import type { SafetyServiceOptions } from './options.js';
import { compileRewrite, type RewriteSpec } from './stream.js';

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
 * Term and rule administration: the term list (one term per normal form, CSV imports) and the
 * rewrite rules, each change a numbered revision written with its audit entry in one
 * transaction; then every process filters with it within seconds.
 */
export class SafetyAdmin {
  constructor(
    private readonly o: SafetyServiceOptions,
    /** The live filter, told of each committed change. */
    private readonly filter: Pick<LiveFilter, 'changed'>,
  ) {}

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
    await this.filter.changed(committed.version);
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
    const rows = new Map<string, ReturnType<SafetyAdmin['termData']>>();
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
