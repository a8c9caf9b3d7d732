import { createHash, randomUUID } from 'node:crypto';
import type { DatasetVersion, Prisma, PrismaClient, PreferencePair as PreferencePairRow } from '@dialoop/db';
import { join, sql } from '@dialoop/db/sql';
import { dialogueHash, importDialogues, type Turn } from '@dialoop/feedback';
import type { Request, Response } from 'express';
import { SignJWT, jwtVerify } from 'jose';
import type { Logger } from 'pino';
import type { Counter } from 'prom-client';
import type { Caller } from '../../context.js';
import { AppError, ErrorCode, badInput, notFound } from '../../errors.js';
import { parseId } from '../../ids.js';
import type { AuditLog, AuditScope } from '../audit/index.js';
import { requireActor } from '../rbac/index.js';
import { ALL_FORMATS, buildDataset, conditions, prismaRows, type DatasetFilterSpec, type FormatId } from './builder.js';
import { buildInWorkers } from './runner.js';
import { datasetCard, manifest, type VersionInfo } from './card.js';
import { safePath, type DatasetStore } from './store.js';

export interface DatasetServiceOptions {
  db: PrismaClient;
  audit: AuditLog;
  store: DatasetStore;
  /** Signs download links. */
  secret: string;
  /**
   * On PostgreSQL: builds run in `workers` worker threads, each on a range of prompts with a
   * connection of its own, sharing a heap budget of `heapMb`. Unset (embedded PGlite, one
   * connection in this process): they run here, page by page.
   */
  worker?: { databaseUrl: string; storeRoot: string; heapMb: number; workers: number } | undefined;
  /** Builds ended, by status (`dialoop_api_dataset_builds_total`). */
  builds?: Counter<'status'> | undefined;
  log: Logger;
}

const FORMAT_IDS: Record<string, FormatId> = { DPO: 'dpo', KTO: 'kto', OPENAI_PREFERENCE: 'openai-preference', HH: 'hh', SFT: 'sft' };
const LINK_TTL_S = 600;
const AUDIENCE = 'dialoop-dataset-download';
/** A BUILDING version whose builder has not beaten its heart for this long was interrupted. */
const STALE_MS = 60_000;
const HEARTBEAT_MS = 1000;
/** Limits for imported dialogues. */
const IMPORT_LIMITS = { maxTurnChars: 32_000, maxTurns: 64 };

type FilterInput = NonNullable<CreateVersionInput['filters']>;

/** A filter as stored with a version and applied by the builder: lists deduplicated and sorted, defaults spelled out. */
function filterSpec(f: FilterInput): DatasetFilterSpec {
  const list = <T extends string>(xs: T[] | undefined) => (xs?.length ? [...new Set(xs)].sort() : null);
  return {
    from: f.from?.toISOString() ?? null,
    to: f.to?.toISOString() ?? null,
    modelVersions: list(f.modelVersions),
    sources: list(f.sources),
    minAgreement: f.minAgreement ?? null,
    languages: list(f.languages),
    excludeFlagged: f.excludeFlagged ?? true,
    includeImported: f.includeImported ?? true,
  };
}

export interface CreateVersionInput {
  filters?: {
    from?: Date | undefined;
    to?: Date | undefined;
    modelVersions?: string[] | undefined;
    sources?: ('COMPARISON' | 'RANKING' | 'CORRECTION' | 'RATING')[] | undefined;
    minAgreement?: number | undefined;
    languages?: string[] | undefined;
    excludeFlagged?: boolean | undefined;
    includeImported?: boolean | undefined;
  } | undefined;
  name?: string | undefined;
  testShare?: number | undefined;
  formats?: string[] | undefined;
}

interface FileEntry {
  path: string;
  sha256: string;
  bytes: number;
  records: number;
}

/**
 * Dataset versions: built in the background from the preference rows (builder.ts) into the
 * store, immutable once READY (a trigger refuses changes), downloaded through short-lived signed
 * links by roles allowed to export; every build and download audited. Also the import of
 * existing dialogue data as conversations.
 */
export class DatasetService {
  private readonly key: Uint8Array;
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly o: DatasetServiceOptions) {
    this.key = new TextEncoder().encode(`${o.secret}:dataset-download`);
  }

  /** Marks versions left BUILDING by a process that is gone as FAILED (called at start). */
  async recover(): Promise<number> {
    const { count } = await this.o.db.datasetVersion.updateMany({
      where: { status: 'BUILDING', heartbeatAt: { lt: new Date(Date.now() - STALE_MS) } },
      data: { status: 'FAILED', error: 'Interrupted: the process building it stopped', completedAt: new Date() },
    });
    if (count > 0) this.o.builds?.inc({ status: 'FAILED' }, count);
    return count;
  }

  /** Waits for builds in progress (shutdown). */
  async close(): Promise<void> {
    await Promise.allSettled([...this.running]);
  }

  async create(caller: Caller, input: CreateVersionInput) {
    requireActor(caller);
    const f = input.filters ?? {};
    if (f.from && f.to && f.from >= f.to) throw badInput('from must be before to', { field: 'filters.from' });
    const formats = input.formats?.length ? [...new Set(input.formats.map((x) => FORMAT_IDS[x]!))] : ALL_FORMATS;
    const filters = filterSpec(f);
    const testShare = input.testShare ?? 0.1;
    const version = await this.o.db.$transaction(async (tx) => {
      const v = await tx.datasetVersion.create({
        data: { name: input.name?.trim() || null, createdBy: caller.audit.actor.pseudonym, filters: { ...filters, formats } as Prisma.InputJsonValue, testShare },
      });
      await this.o.audit.record(tx, caller.audit, {
        action: 'createDatasetVersion',
        subject: { type: 'DatasetVersion', id: v.id },
        after: { number: v.number, filters, formats, testShare },
      });
      return v;
    });
    const run = this.build(version).finally(() => this.running.delete(run));
    this.running.add(run);
    return version;
  }

  /** Builds a version's files and publishes them; on any failure the version is FAILED and nothing is left in the store. */
  private async build(v: DatasetVersion): Promise<void> {
    const { id } = v;
    const stored = v.filters as unknown as DatasetFilterSpec & { formats: FormatId[] };
    const { formats, ...filters } = stored;
    const location = `v${v.number}-${v.id.slice(0, 8)}`;
    const started = performance.now();
    let lastBeat = 0;
    try {
      const erased = await this.erased();
      await this.o.store.discard(location);
      const options = { filters, testShare: v.testShare, formats, erased };
      const onProgress = async (rows: number) => {
        if (Date.now() - lastBeat < HEARTBEAT_MS) return;
        lastBeat = Date.now();
        await this.o.db.datasetVersion.update({ where: { id }, data: { progress: rows, heartbeatAt: new Date() } });
      };
      const w = this.o.worker;
      const { counts, files } = w
        ? await buildInWorkers({ databaseUrl: w.databaseUrl, store: this.o.store, storeRoot: w.storeRoot, location, options }, w, onProgress)
        : await buildDataset(prismaRows(this.o.db), this.o.store, location, { ...options, onProgress });
      const info: VersionInfo = { id, number: v.number, name: v.name, createdAt: v.createdAt.toISOString(), createdBy: v.createdBy, filters, testShare: v.testShare, formats };
      const card = await this.o.store.create(location, 'README.md');
      await card.write(datasetCard(info, counts, files));
      const cardFile = { path: 'README.md', records: 0, ...(await card.close()) };
      const all = [...files, cardFile];
      const text = `${JSON.stringify(manifest(info, counts, all), null, 2)}\n`;
      const m = await this.o.store.create(location, 'manifest.json');
      await m.write(text);
      const { sha256 } = await m.close();
      await this.o.store.commit(location);
      await this.o.db.datasetVersion.update({
        where: { id },
        data: {
          status: 'READY',
          progress: counts.rowsRead,
          counts: counts as unknown as Prisma.InputJsonValue,
          files: all as unknown as Prisma.InputJsonValue,
          sha256,
          location,
          completedAt: new Date(),
          heartbeatAt: new Date(),
        },
      });
      this.o.builds?.inc({ status: 'READY' });
      this.o.log.info({ datasetVersion: v.number, rows: counts.rowsRead, pairs: counts.pairs.total, ms: Math.round(performance.now() - started) }, 'dataset version built');
    } catch (err) {
      this.o.log.error({ err, datasetVersion: v.number }, 'dataset version failed');
      this.o.builds?.inc({ status: 'FAILED' });
      await this.o.store.discard(location).catch(() => {});
      await this.o.db.datasetVersion
        .update({ where: { id }, data: { status: 'FAILED', error: err instanceof Error ? err.message.slice(0, 500) : 'failed', completedAt: new Date() } })
        .catch((e: unknown) => this.o.log.error({ err: e }, 'could not mark the dataset version failed'));
    }
  }

  list(first: number) {
    return this.o.db.datasetVersion.findMany({ orderBy: { number: 'desc' }, take: Math.min(Math.max(first, 1), 200) });
  }

  async get(id: string) {
    const v = await this.o.db.datasetVersion.findUnique({ where: { id: parseId(id, 'DatasetVersion') } });
    if (!v) throw notFound('DatasetVersion');
    return v;
  }

  /** The card (README.md, Markdown) of a READY version: counts and how it was made, no records; null before. */
  async card(v: { status: string; location: string | null }): Promise<string | null> {
    if (v.status !== 'READY' || !v.location) return null;
    const file = await this.o.store.open(v.location, 'README.md');
    if (!file) return null;
    const chunks: Buffer[] = [];
    for await (const chunk of file.stream) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }

  /**
   * Stored pairs, newest first, selected by the very conditions a version's build applies
   * (flagged ones included unless asked otherwise), erased people left out; a recorded read.
   */
  async pairs(caller: Caller, f: FilterInput, first: number, after: string | undefined) {
    const take = Math.min(Math.max(first, 1), 200);
    const where = conditions({ ...filterSpec(f), excludeFlagged: f.excludeFlagged ?? false }, await this.erased(), 'pairs', undefined);
    if (after) where.push(sql`("createdAt", id) < (SELECT "createdAt", id FROM "PreferencePair" WHERE id = ${parseId(after, 'cursor')}::uuid)`);
    const rows = await this.o.db.$queryRaw<PreferencePairRow[]>(sql`
      SELECT id, "createdAt", source::text AS source, "itemId", "ownerPseudonym", prompt, chosen, rejected, margin, agreement, "chosenModel", "rejectedModel", language, flagged
      FROM "PreferencePair" WHERE ${where.length ? join(where, ' AND ') : sql`TRUE`}
      ORDER BY "createdAt" DESC, id DESC LIMIT ${take + 1}`);
    const nodes = rows.slice(0, take);
    await this.o.audit.write(caller.audit, { action: 'readPreferencePairs', subject: { type: 'PreferencePair' }, after: { count: nodes.length } });
    return { nodes, hasNextPage: rows.length > take, endCursor: nodes.at(-1)?.id ?? null };
  }

  private async erased(): Promise<string[]> {
    return (await this.o.db.erasedSubject.findMany({ select: { pseudonym: true } })).map((e) => e.pseudonym);
  }

  /** A link to one file of a READY version, valid LINK_TTL_S; issuing it is the recorded export. */
  async downloadLink(caller: Caller, id: string, path: string): Promise<{ url: string; expiresAt: Date }> {
    requireActor(caller);
    const v = await this.get(id);
    if (v.status !== 'READY' || !v.location) throw new AppError(ErrorCode.CONFLICT, `The dataset version is ${v.status}`);
    const files = (v.files as unknown as FileEntry[]) ?? [];
    if (path !== 'manifest.json' && !files.some((f) => f.path === path)) {
      throw badInput(`No file ${path} in this version: ${['manifest.json', ...files.map((f) => f.path)].join(', ')}`, { field: 'path' });
    }
    const expiresAt = new Date(Date.now() + LINK_TTL_S * 1000);
    const token = await new SignJWT({ v: v.id, l: v.location, p: path, by: caller.audit.actor })
      .setProtectedHeader({ alg: 'HS256' })
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(`${LINK_TTL_S}s`)
      .sign(this.key);
    await this.o.audit.write(caller.audit, { action: 'datasetDownload', subject: { type: 'DatasetVersion', id: v.id }, after: { number: v.number, path } });
    return { url: `/exports/datasets/${token}`, expiresAt };
  }

  /** GET /exports/datasets/:token — streams the file; each download is recorded as the person the link was issued to. */
  handler() {
    return async (req: Request, res: Response) => {
      let claims: { v: string; l: string; p: string; by: AuditScope['actor'] };
      try {
        const { payload } = await jwtVerify(String(req.params.token ?? ''), this.key, { audience: AUDIENCE, algorithms: ['HS256'] });
        claims = payload as unknown as typeof claims;
      } catch {
        res.status(404).json({ errors: [{ message: 'Unknown or expired download link', extensions: { code: 'NOT_FOUND' } }] });
        return;
      }
      try {
        const file = safePath(claims.p) ? await this.o.store.open(claims.l, claims.p) : null;
        if (!file) {
          res.status(404).json({ errors: [{ message: 'The file is not in the dataset store', extensions: { code: 'NOT_FOUND' } }] });
          return;
        }
        const scope: AuditScope = { actor: claims.by, requestId: String(res.locals.requestId ?? randomUUID()), clientIp: req.ip ?? null, userAgent: req.headers['user-agent'] ?? null, recorded: new Set() };
        await this.o.audit.write(scope, { action: 'downloadDatasetFile', subject: { type: 'DatasetVersion', id: claims.v }, after: { path: claims.p, bytes: file.bytes } });
        const name = claims.p.replaceAll('/', '-');
        res.status(200);
        res.setHeader('content-type', claims.p.endsWith('.jsonl') ? 'application/x-ndjson; charset=utf-8' : claims.p.endsWith('.json') ? 'application/json' : 'text/markdown; charset=utf-8');
        res.setHeader('content-length', String(file.bytes));
        res.setHeader('content-disposition', `attachment; filename="${name}"`);
        res.setHeader('cache-control', 'no-store');
        file.stream.on('error', (err) => res.destroy(err));
        file.stream.pipe(res);
      } catch (err) {
        this.o.log.error({ err }, 'dataset download failed');
        if (!res.headersSent) res.status(500).json({ errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
        else res.destroy(err as Error);
      }
    };
  }

  /**
   * Imports dialogues (OpenAI `messages` or ShareGPT `conversations`; JSON or JSONL): cleaned,
   * deduplicated within the file and against earlier imports, each stored as a conversation of
   * the caller's (reviewable, and exported as SFT data).
   */
  async importDialogues(caller: Caller, input: { content: string; format?: string | undefined }) {
    const actor = requireActor(caller);
    if (input.format && input.format !== 'json' && input.format !== 'jsonl') throw badInput('format is json or jsonl', { field: 'format' });
    const { dialogues, report } = importDialogues(input.content, { ...IMPORT_LIMITS, ...(input.format ? { format: input.format as 'json' | 'jsonl' } : {}) });
    const hashes = dialogues.map((d) => dialogueHash(d));
    const existing = new Set(
      (await this.o.db.conversation.findMany({ where: { importHash: { in: hashes } }, select: { importHash: true } })).map((c) => c.importHash),
    );
    const fresh = dialogues.map((turns, i) => ({ turns, hash: hashes[i]! })).filter((d) => !existing.has(d.hash));
    const now = new Date();
    const conversations: Prisma.ConversationCreateManyInput[] = [];
    const messages: Prisma.MessageCreateManyInput[] = [];
    for (const d of fresh) {
      const id = randomUUID();
      const first = d.turns.find((t) => t.role === 'user')?.content ?? 'Imported dialogue';
      conversations.push({ id, userId: actor.userId, title: first.replace(/\s+/g, ' ').slice(0, 80), importHash: d.hash, importedAt: now });
      let parentId: string | null = null;
      for (const t of d.turns as Turn[]) {
        const mid = randomUUID();
        const role = t.role.toUpperCase() as 'USER' | 'ASSISTANT' | 'SYSTEM';
        messages.push({ id: mid, conversationId: id, userId: actor.userId, parentId, role, content: t.content, status: 'COMPLETE', model: t.role === 'assistant' ? 'imported' : null, completedAt: now });
        parentId = mid;
      }
    }
    const ids = await this.o.db.$transaction(async (tx) => {
      // Two statements for the whole chunk (messages in order, so each one's ordinal follows its parent's).
      await tx.conversation.createMany({ data: conversations });
      await tx.message.createMany({ data: messages });
      const ids = conversations.map((c) => c.id!);
      const summary = {
        records: report.records,
        imported: fresh.length,
        duplicates: report.duplicates + (dialogues.length - fresh.length),
        dropped: Object.values(report.dropped).reduce((a, b) => a + b, 0),
        errors: report.errors.length,
        sha256: createHash('sha256').update(input.content).digest('hex'),
      };
      await this.o.audit.record(tx, caller.audit, { action: 'importDialogues', subject: { type: 'DialogueImport', owner: caller.audit.actor.pseudonym }, after: summary });
      return ids;
    });
    return {
      records: report.records,
      imported: ids.length,
      duplicates: report.duplicates + (dialogues.length - fresh.length),
      dropped: Object.values(report.dropped).reduce((a, b) => a + b, 0),
      droppedBy: report.dropped,
      errors: report.errors.map((e) => (e.line !== null ? `line ${e.line}: ${e.message}` : e.message)),
      conversationIds: ids.slice(0, 100),
    };
  }
}
