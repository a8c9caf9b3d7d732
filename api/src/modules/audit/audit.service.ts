import { Prisma, type PrismaClient, type TextRows } from '@dialoop/db';
import type { Logger } from 'pino';
import type { Counter } from 'prom-client';
import { AppError, ErrorCode, badInput } from '../../errors.js';
import { insertJsonRows } from '../../sql.js';
import { isUuid } from '../../ids.js';
import type { Actor } from '../rbac/index.js';
import type { KeyObject } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import {
  ChainWalker,
  checkpointSignatureValid,
  bodyHash,
  keyringOf,
  type Keyring,
  type AuditActorKind,
  type AuditOutcome,
  type ChainBreak,
  type Checkpoint,
  type EntryRecord,
  type Json,
} from './chain.js';
import { walkRange } from './chain-walk.js';
import type { CheckpointSigner, Pseudonyms } from './keys.js';
import type { StretchResult, StretchTask } from './verify.worker.js';

/** Who acts and from where: built once per request (or job) and passed to every `record`. */
export interface AuditScope {
  actor: { kind: AuditActorKind; pseudonym: string | null; role: string | null; apiKeyId: string | null };
  requestId: string | null;
  clientIp: string | null;
  userAgent: string | null;
  /** `action:OUTCOME` of what this request recorded (the error hook does not record a refusal twice). */
  recorded: Set<string>;
}

/** One thing that happened. `before`/`after` never carry secrets, email, names or message bodies. */
export interface AuditEvent {
  action: string;
  subject?: { type: string; id?: string | null | undefined; owner?: string | null | undefined } | undefined;
  outcome?: AuditOutcome | undefined;
  before?: Record<string, unknown> | null | undefined;
  after?: Record<string, unknown> | null | undefined;
}

export interface AuditFilter {
  /** A pseudonym, or an account id (turned into its pseudonym). */
  actor?: string | null | undefined;
  action?: string | null | undefined;
  subjectType?: string | null | undefined;
  subjectId?: string | null | undefined;
  outcome?: AuditOutcome | null | undefined;
  from?: Date | null | undefined;
  to?: Date | null | undefined;
}

export interface VerifyResult {
  valid: boolean;
  checked: number;
  firstSeq: number | null;
  lastSeq: number | null;
  checkpointsVerified: number;
  /** The newest verified checkpoint: entries after it are protected by the chain alone. */
  lastCheckpointSeq: number | null;
  broken: ChainBreak | null;
  ms: number;
}

export interface AuditLogOptions {
  /** Verify long ranges in this many worker threads, each with its own connection (PostgreSQL). */
  parallel?: { databaseUrl: string; workers: number; minEntries: number } | undefined;
  db: PrismaClient;
  /** Bulk reads for verification (`Database.textRows`). */
  textRows: TextRows;
  pseudonyms: Pseudonyms;
  signer: CheckpointSigner;
  /** Public keys of earlier signing keys, whose checkpoints still verify after a rotation. */
  previousKeys: KeyObject[];
  /** false only for benchmarks (AUDIT=off): nothing is recorded. */
  enabled: boolean;
  /** Counts every verification by result (`dialoop_api_audit_chain_verifications_total`). */
  verifications?: Counter<'result'> | undefined;
  log: Logger;
}

const BATCH = 10_000;
const MAX_STRING = 512;

/** An entry as Prisma reads it. */
type Row = Omit<EntryRecord, 'seq' | 'at' | 'before' | 'after'> & { seq: bigint; at: Date; before: unknown; after: unknown };

export const recordOf = (r: Row): EntryRecord => ({
  ...r,
  seq: Number(r.seq),
  at: r.at.toISOString(),
  before: (r.before ?? null) as Json,
  after: (r.after ?? null) as Json,
});

const checkpointOf = (c: { seq: bigint; hash: string; at: Date; keyId: string; signature: string }): Checkpoint => ({
  seq: Number(c.seq),
  hash: c.hash,
  at: c.at.toISOString(),
  keyId: c.keyId,
  signature: c.signature,
});

/** Well-formed UTF-16 (a lone surrogate would fail the write) without NUL (PostgreSQL refuses it). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const clean = (s: string) => s.replace(LONE_SURROGATE, '\uFFFD').replace(/\0/g, '');

/** A string column: cleaned, bounded (by code point, never halving a character), "" stored as null. */
/** The columns the api writes (the chain's trigger fills in seq, at, prevHash and hash). */
const ENTRY_COLUMNS = {
  actorKind: '"AuditActorKind"', actorPseudonym: 'text', actorRole: 'text', apiKeyId: 'text', action: 'text', subjectType: 'text', subjectId: 'text',
  subjectOwner: 'text', outcome: '"AuditOutcome"', requestId: 'text', clientIp: 'text', userAgent: 'text', before: 'jsonb', after: 'jsonb', bodyHash: 'text',
};

function text(v: string | null | undefined, max = MAX_STRING): string | null {
  if (v === undefined || v === null) return null;
  let s = clean(v);
  if (s.length > max) s = Array.from(s).slice(0, max).join('');
  return s.length > 0 ? s : null;
}

/** JSON as it will read back from jsonb: no undefined, no NUL, dates as ISO strings, finite numbers. */
function json(v: unknown, depth = 0): Json {
  if (v === null || v === undefined || depth > 8) return null;
  if (typeof v === 'string') return clean(v);
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'bigint') return v.toString();
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.map((x) => json(x, depth + 1));
  if (typeof v === 'object') {
    const out: Record<string, Json> = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) out[clean(k)] = json(x, depth + 1);
    return out;
  }
  return null;
}

const SELECT_ROWS = `SELECT "seq", "at", "actorKind"::text AS "actorKind", "actorPseudonym", "actorRole", "apiKeyId", "action",
  "subjectType", "subjectId", "subjectOwner", "outcome"::text AS "outcome", "requestId", "clientIp", "userAgent", "before", "after",
  "bodyHash", "prevHash", "hash" FROM "AuditEntry"`;

/**
 * The audit trail: one `record()` for every write (inside the transaction of the change it
 * records), queries for compliance officers, verification, signed checkpoints, and pruning.
 */
export class AuditLog {
  /** Every key checkpoints may be signed with: the current one and earlier ones. */
  readonly keys: Keyring;

  constructor(private readonly o: AuditLogOptions) {
    this.keys = keyringOf([o.signer.publicKey, ...o.previousKeys]);
  }

  get pseudonyms(): Pseudonyms {
    return this.o.pseudonyms;
  }

  get signer(): CheckpointSigner {
    return this.o.signer;
  }

  /** The scope of a request: its caller (pseudonymous) and client. */
  scopeFor(actor: Actor | null, request: { requestId: string; ip: string | undefined; userAgent: string | undefined }): AuditScope {
    return {
      actor: actor
        ? {
            kind: actor.kind === 'apiKey' ? 'API_KEY' : 'USER',
            pseudonym: this.o.pseudonyms.user(actor.userId),
            role: actor.role,
            apiKeyId: actor.apiKeyId ?? null,
          }
        : { kind: 'ANONYMOUS', pseudonym: null, role: null, apiKeyId: null },
      requestId: request.requestId,
      clientIp: request.ip ?? null,
      userAgent: request.userAgent ?? null,
      recorded: new Set(),
    };
  }

  /** The same request, acting as `actor` (a sign-in: the person who just proved who they are). */
  as(scope: AuditScope, actor: Actor): AuditScope {
    return { ...this.scopeFor(actor, { requestId: scope.requestId ?? '', ip: scope.clientIp ?? undefined, userAgent: scope.userAgent ?? undefined }), recorded: scope.recorded };
  }

  /** Pseudonym of the person `userId`. */
  person(userId: string): string {
    return this.o.pseudonyms.user(userId);
  }

  /** The scope of a background job of this service. */
  serviceScope(name: string): AuditScope {
    return { actor: { kind: 'SERVICE', pseudonym: `service:${name}`, role: null, apiKeyId: null }, requestId: null, clientIp: null, userAgent: null, recorded: new Set() };
  }

  /**
   * Appends entries to the chain inside `tx`, the transaction of the change they record: they
   * commit with it or not at all. The database's trigger places them in the chain under a lock
   * held to the end of the transaction, which keeps the chain one line when several processes
   * write at once; record last in a transaction, so that the lock is held briefly.
   */
  async record(tx: Prisma.TransactionClient, scope: AuditScope, events: AuditEvent | AuditEvent[]): Promise<void> {
    const rows = this.rowsOf(scope, events);
    if (rows.length === 0) return;
    await tx.auditEntry.createMany({
      data: rows.map((r) => ({ ...r, before: r.before ?? Prisma.DbNull, after: r.after ?? Prisma.DbNull }) as Prisma.AuditEntryCreateManyInput),
    });
  }

  /**
   * The same entries as one `INSERT` statement, for a writer that stores a change and its entries
   * in a single SQL statement (the chat's send path: the chain lock is then held from the insert
   * to the commit inside the database, with no round trip in between). Undefined when there is
   * nothing to record.
   */
  insertSql(scope: AuditScope, events: AuditEvent | AuditEvent[]): Prisma.Sql | undefined {
    const rows = this.rowsOf(scope, events);
    if (rows.length === 0) return undefined;
    return insertJsonRows('AuditEntry', ENTRY_COLUMNS, rows);
  }

  /** The rows of `events` (none when the trail is off), each with the hash of its canonical body. */
  private rowsOf(scope: AuditScope, events: AuditEvent | AuditEvent[]) {
    const list = this.mark(scope, events);
    if (!this.o.enabled || list.length === 0) return [];
    return list.map((e) => {
      const fields = {
        actorKind: scope.actor.kind,
        actorPseudonym: text(scope.actor.pseudonym),
        actorRole: text(scope.actor.role),
        apiKeyId: text(scope.actor.apiKeyId),
        action: text(e.action) ?? 'unknown',
        subjectType: text(e.subject?.type),
        subjectId: text(e.subject?.id),
        subjectOwner: text(e.subject?.owner),
        outcome: e.outcome ?? 'ALLOWED',
        requestId: text(scope.requestId),
        clientIp: text(scope.clientIp),
        userAgent: text(scope.userAgent),
        before: e.before ? json(e.before) : null,
        after: e.after ? json(e.after) : null,
      };
      return { ...fields, bodyHash: bodyHash(fields) };
    });
  }

  /** `record` in a transaction of its own: reads, denials and failures, which change nothing else. */
  async write(scope: AuditScope, events: AuditEvent | AuditEvent[]): Promise<void> {
    if (!this.o.enabled) return void this.mark(scope, events);
    await this.o.db.$transaction((tx) => this.record(tx, scope, events));
  }

  /** Notes on the request what it recorded (the error hook does not record a refusal twice). */
  private mark(scope: AuditScope, events: AuditEvent | AuditEvent[]): AuditEvent[] {
    const list = Array.isArray(events) ? events : [events];
    for (const e of list) scope.recorded.add(`${e.action}:${e.outcome ?? 'ALLOWED'}`);
    return list;
  }

  private actorPseudonym(actor: string): string {
    return isUuid(actor) ? this.o.pseudonyms.user(actor) : actor;
  }

  /** Sequence bounds for a time range, through the index on `at` (which grows with `seq`). */
  private async seqRange(from: Date | null | undefined, to: Date | null | undefined): Promise<{ min?: bigint; max?: bigint; empty: boolean }> {
    const out: { min?: bigint; max?: bigint; empty: boolean } = { empty: false };
    if (from) {
      const r = await this.o.db.auditEntry.findFirst({ where: { at: { gte: from } }, orderBy: { at: 'asc' }, select: { seq: true } });
      if (!r) return { empty: true };
      out.min = r.seq;
    }
    if (to) {
      const r = await this.o.db.auditEntry.findFirst({ where: { at: { lte: to } }, orderBy: { at: 'desc' }, select: { seq: true } });
      if (!r) return { empty: true };
      out.max = r.seq;
    }
    if (out.min !== undefined && out.max !== undefined && out.min > out.max) return { empty: true };
    return out;
  }

  /** Prisma conditions for a filter, time bounds included (on `at`). */
  whereOf(filter: AuditFilter): Prisma.AuditEntryWhereInput {
    const at = { ...(filter.from ? { gte: filter.from } : {}), ...(filter.to ? { lte: filter.to } : {}) };
    return { ...this.where(filter), ...(Object.keys(at).length > 0 ? { at } : {}) };
  }

  private where(filter: AuditFilter): Prisma.AuditEntryWhereInput {
    const subjectIds = filter.subjectId ? [filter.subjectId, ...(isUuid(filter.subjectId) ? [this.o.pseudonyms.user(filter.subjectId)] : [])] : undefined;
    return {
      ...(filter.actor ? { actorPseudonym: this.actorPseudonym(filter.actor) } : {}),
      ...(filter.action ? { action: filter.action } : {}),
      ...(filter.subjectType ? { subjectType: filter.subjectType } : {}),
      ...(subjectIds ? { subjectId: { in: subjectIds } } : {}),
      ...(filter.outcome ? { outcome: filter.outcome } : {}),
    };
  }

  /**
   * A filter as the trail and export files may show it: an id that may be a person's (the actor,
   * or a subject of type User or of no type) appears as a pseudonym, so that an officer's search
   * never puts a raw account id into the trail, where erasure could not reach it. The query
   * itself is run with the filter as given (`where` matches a person's id by pseudonym).
   */
  describeFilter(filter: AuditFilter): Record<string, unknown> {
    const personal = (v: string | null | undefined) => (v && isUuid(v) ? this.o.pseudonyms.user(v) : v);
    const shown: AuditFilter = {
      ...filter,
      actor: personal(filter.actor),
      subjectId: !filter.subjectType || filter.subjectType === 'User' ? personal(filter.subjectId) : filter.subjectId,
    };
    return Object.fromEntries(
      Object.entries(shown)
        .filter(([, v]) => v !== undefined && v !== null)
        .map(([k, v]) => [k, v instanceof Date ? v.toISOString() : v]),
    );
  }

  /** The same conditions as `whereOf(filter)`, as SQL (for the aggregate queries Prisma cannot express). */
  sqlWhere(filter: AuditFilter): Prisma.Sql {
    const subjectIds = filter.subjectId ? [filter.subjectId, ...(isUuid(filter.subjectId) ? [this.o.pseudonyms.user(filter.subjectId)] : [])] : undefined;
    const conditions = [
      filter.actor ? Prisma.sql`"actorPseudonym" = ${this.actorPseudonym(filter.actor)}` : undefined,
      filter.action ? Prisma.sql`"action" = ${filter.action}` : undefined,
      filter.subjectType ? Prisma.sql`"subjectType" = ${filter.subjectType}` : undefined,
      subjectIds ? Prisma.sql`"subjectId" IN (${Prisma.join(subjectIds)})` : undefined,
      filter.outcome ? Prisma.sql`"outcome" = ${filter.outcome}::"AuditOutcome"` : undefined,
      filter.from ? Prisma.sql`"at" >= ${filter.from}` : undefined,
      filter.to ? Prisma.sql`"at" <= ${filter.to}` : undefined,
    ].filter((c): c is Prisma.Sql => c !== undefined);
    return conditions.length > 0 ? Prisma.sql`WHERE ${Prisma.join(conditions, ' AND ')}` : Prisma.empty;
  }

  /** Entries per day (UTC) by outcome, and denials by action, of what the filter matches. */
  async stats(filter: AuditFilter): Promise<{ perDay: { day: string; outcome: AuditOutcome; count: number }[]; denialsByAction: { action: string; count: number }[] }> {
    const where = this.sqlWhere(filter);
    const perDay = await this.o.db.$queryRaw<{ day: string; outcome: AuditOutcome; count: bigint }[]>`
      SELECT to_char(date_trunc('day', "at" AT TIME ZONE 'UTC'), 'YYYY-MM-DD') AS day, "outcome"::text AS outcome, count(*) AS count
      FROM "AuditEntry" ${where} GROUP BY 1, 2 ORDER BY 1, 2`;
    const denied = this.sqlWhere({ ...filter, outcome: 'DENIED' });
    const denials = filter.outcome && filter.outcome !== 'DENIED'
      ? []
      : await this.o.db.$queryRaw<{ action: string; count: bigint }[]>`
          SELECT "action", count(*) AS count FROM "AuditEntry" ${denied} GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 20`;
    return {
      perDay: perDay.map((r) => ({ day: r.day, outcome: r.outcome, count: Number(r.count) })),
      denialsByAction: denials.map((r) => ({ action: r.action, count: Number(r.count) })),
    };
  }

  /** One entry by its sequence number. */
  async entry(seq: number): Promise<EntryRecord | null> {
    const [row] = await this.o.db.$queryRawUnsafe<Row[]>(`${SELECT_ROWS} WHERE "seq" = $1`, seq);
    return row ? recordOf(row) : null;
  }

  /** The first signed checkpoint at or after `seq`: the signature that covers that entry. */
  async coveringCheckpoint(seq: number): Promise<Checkpoint | null> {
    const c = await this.o.db.auditCheckpoint.findFirst({ where: { seq: { gte: BigInt(seq) } }, orderBy: { seq: 'asc' } });
    return c ? checkpointOf(c) : null;
  }

  /** Whether a checkpoint's signature verifies with one of the keys the trail knows. */
  signatureValid(c: Checkpoint): boolean {
    const key = this.keys.get(c.keyId);
    return key !== undefined && checkpointSignatureValid(c, key);
  }

  /** A JavaScript test equal to `where(filter)` for the time-free fields (exports mark what matched). */
  matcher(filter: AuditFilter): (r: EntryRecord) => boolean {
    const actor = filter.actor ? this.actorPseudonym(filter.actor) : undefined;
    const ids = filter.subjectId ? new Set([filter.subjectId, ...(isUuid(filter.subjectId) ? [this.o.pseudonyms.user(filter.subjectId)] : [])]) : undefined;
    return (r) =>
      (!actor || r.actorPseudonym === actor) &&
      (!filter.action || r.action === filter.action) &&
      (!filter.subjectType || r.subjectType === filter.subjectType) &&
      (!ids || (r.subjectId !== null && ids.has(r.subjectId))) &&
      (!filter.outcome || r.outcome === filter.outcome);
  }

  /** Newest first; `after` is the last seq of the previous page. */
  async list(filter: AuditFilter, first: number, after: number | undefined): Promise<{ entries: EntryRecord[]; hasNextPage: boolean }> {
    const range = await this.seqRange(filter.from, filter.to);
    if (range.empty) return { entries: [], hasNextPage: false };
    const upper = [range.max, after !== undefined ? BigInt(after) - 1n : undefined].filter((x): x is bigint => x !== undefined);
    const seq: Prisma.BigIntFilter = {
      ...(range.min !== undefined ? { gte: range.min } : {}),
      ...(upper.length > 0 ? { lte: upper.reduce((a, b) => (a < b ? a : b)) } : {}),
    };
    const rows = await this.o.db.auditEntry.findMany({
      where: { ...this.where(filter), ...(Object.keys(seq).length > 0 ? { seq } : {}) },
      orderBy: { seq: 'desc' },
      take: first + 1,
    });
    return { entries: rows.slice(0, first).map((r) => recordOf(r as Row)), hasNextPage: rows.length > first };
  }

  /** Entries `from`..`to` in sequence order, read in batches. */
  async *rows(from: number, to: number): AsyncGenerator<EntryRecord[]> {
    let cursor = from - 1;
    while (cursor < to) {
      const batch = await this.o.db.$queryRawUnsafe<Row[]>(`${SELECT_ROWS} WHERE "seq" > $1 AND "seq" <= $2 ORDER BY "seq" LIMIT ${BATCH}`, cursor, to);
      if (batch.length === 0) return;
      const records = batch.map(recordOf);
      yield records;
      cursor = records.at(-1)!.seq;
    }
  }

  async checkpoints(from: number, to: number): Promise<Checkpoint[]> {
    const rows = await this.o.db.auditCheckpoint.findMany({ where: { seq: { gte: BigInt(from), lte: BigInt(to) } }, orderBy: { seq: 'asc' } });
    return rows.map(checkpointOf);
  }

  async bounds(): Promise<{ first: number; last: number } | null> {
    const [r] = await this.o.db.$queryRaw<{ min: bigint | null; max: bigint | null }[]>`SELECT min("seq") AS min, max("seq") AS max FROM "AuditEntry"`;
    if (!r || r.min === null || r.max === null) return null;
    return { first: Number(r.min), last: Number(r.max) };
  }

  /**
   * Recomputes every hash from `from` to `to` (default: the whole trail) and checks each link,
   * each sequence number and every signed checkpoint in the range; stops at the first break.
   */
  async verify(range: { from?: number | null | undefined; to?: number | null | undefined } = {}): Promise<VerifyResult> {
    try {
      const result = await this.walk(range);
      this.o.verifications?.inc({ result: result.valid ? 'valid' : 'broken' });
      return result;
    } catch (err) {
      this.o.verifications?.inc({ result: 'error' });
      throw err;
    }
  }

  private async walk(range: { from?: number | null | undefined; to?: number | null | undefined }): Promise<VerifyResult> {
    const started = performance.now();
    const bounds = await this.bounds();
    const done = (w: ChainWalker | undefined, broken: ChainBreak | null, first: number | null): VerifyResult => ({
      valid: broken === null,
      checked: w?.count ?? 0,
      firstSeq: first,
      lastSeq: w?.head?.seq ?? null,
      checkpointsVerified: w?.verifiedCheckpoints.length ?? 0,
      lastCheckpointSeq: w?.verifiedCheckpoints.at(-1)?.seq ?? null,
      broken,
      ms: Math.round(performance.now() - started),
    });
    if (!bounds) return done(undefined, null, null);
    const from = Math.max(range.from ?? bounds.first, bounds.first);
    const to = Math.min(range.to ?? bounds.last, bounds.last);
    if (from > to) return done(undefined, null, null);
    // The anchor: the entry before `from` if it is still there; otherwise `from` must carry a checkpoint.
    let before: { seq: number; hash: string } | undefined;
    if (from > 1) {
      const prev = await this.o.db.auditEntry.findUnique({ where: { seq: BigInt(from - 1) }, select: { seq: true, hash: true } });
      if (prev) before = { seq: Number(prev.seq), hash: prev.hash };
    }
    const walker = new ChainWalker(this.keys, before);
    const cps = await this.checkpoints(from - 1, to);
    for (const c of cps) walker.addCheckpoint(c);
    if (from > 1 && !before && !cps.some((c) => c.seq === from)) {
      return done(walker, { seq: from, reason: 'UNANCHORED', detail: `entries before ${from} are gone and no signed checkpoint anchors entry ${from}` }, from);
    }
    if (from > 1 && !before && bounds.first !== from) {
      return done(walker, { seq: from - 1, reason: 'GAP', detail: `entry ${from - 1} is missing` }, from);
    }
    if (from > 1 && !before) {
      // The oldest entries are gone: only the retention job may do that, and it records where it stopped.
      const prune = await this.o.db.auditEntry.findFirst({ where: { action: 'retention.pruneAudit' }, orderBy: { seq: 'desc' }, select: { after: true } });
      const firstKept = (prune?.after as { firstKept?: number } | null)?.firstKept;
      if (firstKept !== from) {
        return done(walker, { seq: from, reason: 'UNANCHORED', detail: `entries before ${from} are gone, but the last recorded pruning kept entries from ${firstKept ?? '(none recorded)'}` }, from);
      }
    }
    if (this.o.parallel && to - from + 1 >= this.o.parallel.minEntries) return this.verifyInWorkers(this.o.parallel, from, to, before, cps, started);
    const broken = await walkRange(this.o.textRows, walker, from, to);
    if (broken) return done(walker, broken, from);
    if (walker.broken) return done(walker, walker.broken, from);
    if (!walker.head || walker.head.seq < to) {
      const next = (walker.head?.seq ?? from - 1) + 1;
      return done(walker, { seq: next, reason: 'GAP', detail: `entries ${next}…${to} are missing` }, from);
    }
    return done(walker, null, from);
  }

  /**
   * A long verification in worker threads, each on a stretch of the range with a connection of
   * its own: it uses every core, and the api's event loop (token streams included) stays free.
   * The stretches are then joined: each must begin where the one before it ended.
   */
  private async verifyInWorkers(
    parallel: { databaseUrl: string; workers: number },
    from: number,
    to: number,
    before: { seq: number; hash: string } | undefined,
    checkpoints: Checkpoint[],
    started: number,
  ): Promise<VerifyResult> {
    const n = Math.max(1, parallel.workers);
    const size = Math.ceil((to - from + 1) / n);
    const keys = [...this.keys.values()].map((k) => k.export({ format: 'pem', type: 'spki' }).toString());
    const stretches = Array.from({ length: n }, (_, i) => ({ from: from + i * size, to: Math.min(to, from + (i + 1) * size - 1) })).filter((s) => s.from <= s.to);
    const results = await Promise.all(
      stretches.map(
        (s) =>
          new Promise<StretchResult>((resolve, reject) => {
            const task: StretchTask = { databaseUrl: parallel.databaseUrl, ...s, checkpoints: checkpoints.filter((c) => c.seq >= s.from && c.seq <= s.to), keys };
            // A larger young generation: the walk makes many short-lived strings, and with the
            // default one the scavenger took a third of the time.
            const worker = new Worker(new URL('./verify.worker.mjs', import.meta.url), { workerData: task, resourceLimits: { maxYoungGenerationSizeMb: 96 } });
            worker.once('message', resolve);
            worker.once('error', reject);
            worker.once('exit', (code) => code !== 0 && reject(new Error(`audit verification worker exited with ${code}`)));
          }),
      ),
    );
    let prev = before;
    let checked = 0;
    const verified: Checkpoint[] = checkpoints.filter((c) => before && c.seq === before.seq);
    const result = (broken: ChainBreak | null): VerifyResult => ({
      valid: broken === null,
      checked,
      firstSeq: from,
      lastSeq: prev?.seq ?? null,
      checkpointsVerified: verified.length,
      lastCheckpointSeq: verified.at(-1)?.seq ?? null,
      broken,
      ms: Math.round(performance.now() - started),
    });
    for (const [i, r] of results.entries()) {
      const s = stretches[i]!;
      const expected = prev ? prev.seq + 1 : s.from;
      if (!r.first || r.first.seq !== expected) {
        return result(r.broken && r.broken.seq <= expected ? r.broken : { seq: expected, reason: 'GAP', detail: `entry ${expected} is missing` });
      }
      if (prev && r.first.prevHash !== prev.hash) {
        return result({ seq: r.first.seq, reason: 'BROKEN_LINK', detail: `entry ${r.first.seq} does not link to entry ${prev.seq}'s hash (one of them was altered)` });
      }
      checked += r.count;
      verified.push(...r.verifiedCheckpoints);
      prev = r.head ?? prev;
      if (r.broken) return result(r.broken);
      if (!r.head || r.head.seq < s.to) return result({ seq: (r.head?.seq ?? s.from - 1) + 1, reason: 'GAP', detail: `entries after ${r.head?.seq ?? s.from - 1} are missing` });
    }
    return result(null);
  }

  async recentCheckpoints(n: number): Promise<Checkpoint[]> {
    const rows = await this.o.db.auditCheckpoint.findMany({ orderBy: { seq: 'desc' }, take: n });
    return rows.map(checkpointOf);
  }

  async latestCheckpoint(atOrBefore?: number): Promise<Checkpoint | null> {
    const c = await this.o.db.auditCheckpoint.findFirst({
      where: atOrBefore !== undefined ? { seq: { lte: BigInt(atOrBefore) } } : {},
      orderBy: { seq: 'desc' },
    });
    return c ? checkpointOf(c) : null;
  }

  /**
   * Signs entry `seq` (default: the head) after verifying the chain from the previous
   * checkpoint up to it. A broken chain is never signed.
   */
  async checkpoint(seq?: number, requestedBy?: AuditScope): Promise<Checkpoint | null> {
    const bounds = await this.bounds();
    if (!bounds) return null;
    const target = Math.min(seq ?? bounds.last, bounds.last);
    const existing = await this.o.db.auditCheckpoint.findUnique({ where: { seq: BigInt(target) } });
    if (existing) return checkpointOf(existing);
    const previous = await this.latestCheckpoint(target);
    const result = await this.verify({ from: previous?.seq ?? bounds.first, to: target });
    if (!result.valid) {
      this.o.log.error({ broken: result.broken }, 'the audit chain does not verify: no checkpoint signed');
      throw new AppError(ErrorCode.CONFLICT, `The audit chain does not verify (entry ${result.broken?.seq}: ${result.broken?.reason}); nothing was signed`, {
        seq: result.broken?.seq,
        reason: result.broken?.reason,
      });
    }
    const entry = await this.o.db.auditEntry.findUniqueOrThrow({ where: { seq: BigInt(target) }, select: { hash: true } });
    const signed = this.o.signer.sign(target, entry.hash, new Date());
    await this.o.db.$transaction(async (tx) => {
      const created = await tx.auditCheckpoint.createMany({
        data: [{ seq: BigInt(signed.seq), hash: signed.hash, at: new Date(signed.at), keyId: signed.keyId, signature: signed.signature }],
        skipDuplicates: true,
      });
      // One asked for by a person is recorded with it (the periodic ones are their own record).
      if (requestedBy && created.count > 0) {
        await this.record(tx, requestedBy, { action: 'createAuditCheckpoint', subject: { type: 'AuditCheckpoint', id: String(signed.seq) }, after: { keyId: signed.keyId } });
      }
    });
    const stored = await this.o.db.auditCheckpoint.findUniqueOrThrow({ where: { seq: BigInt(target) } });
    return checkpointOf(stored);
  }

  /**
   * Retention of the trail itself: deletes entries written before `cutoff`, oldest first. The
   * entry that follows them gets a signed checkpoint first and stays, anchoring the chain.
   */
  async prune(cutoff: Date, scope: AuditScope): Promise<number> {
    const last = await this.o.db.auditEntry.findFirst({ where: { at: { lt: cutoff } }, orderBy: { seq: 'desc' }, select: { seq: true } });
    if (!last) return 0;
    const bounds = await this.bounds();
    if (!bounds || Number(last.seq) >= bounds.last) return 0; // the head always stays
    const keep = Number(last.seq) + 1;
    await this.checkpoint(keep);
    return this.o.db.$transaction(async (tx) => {
      await tx.$executeRaw`SELECT set_config('dialoop.audit_prune', 'on', true)`;
      const count = await tx.auditEntry.deleteMany({ where: { seq: { lt: BigInt(keep) } } });
      await tx.$executeRaw`SELECT set_config('dialoop.audit_prune', 'off', true)`;
      await this.record(tx, scope, { action: 'retention.pruneAudit', subject: { type: 'AuditEntry' }, after: { before: cutoff, deleted: count.count, firstKept: keep } });
      return count.count;
    });
  }

  /** Checks the arguments of a range query. */
  static checkRange(from: number | null | undefined, to: number | null | undefined): void {
    for (const [name, v] of [['from', from], ['to', to]] as const) {
      if (v !== null && v !== undefined && (!Number.isSafeInteger(v) || v < 1)) throw badInput(`${name} must be a sequence number (1 or more)`);
    }
    if (from && to && from > to) throw badInput('from is after to');
  }
}
