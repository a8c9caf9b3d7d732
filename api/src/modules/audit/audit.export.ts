import { randomUUID } from 'node:crypto';
import type { PrismaClient } from '@dialoop/db';
import type { Request, Response } from 'express';
import { SignJWT, jwtVerify } from 'jose';
import { stringify } from 'csv-stringify/sync';
import type { Logger } from 'pino';
import { bodyHash, type Checkpoint, type EntryRecord, type ExportManifest } from './chain.js';
import type { AuditLog, AuditFilter, AuditScope } from './audit.service.js';

/**
 * Audit exports. `exportAudit` (GraphQL) fixes the range, signs a checkpoint on its last entry,
 * records the export and returns a short-lived download path; GET on that path streams the file.
 *
 * Both formats carry the same records, one per line:
 * - `header`: the signed manifest (`ExportManifest`): range, the hashes where the chain enters
 *   and leaves it, filter (people as pseudonyms), key id, signature;
 * - `entry`: an entry the filter matched, every field;
 * - `link`: an entry between them that the filter did not match: only `seq`, `at`, `prevHash`,
 *   `hash` and `bodyHash`, enough to carry the chain across it without showing it;
 * - `checkpoint`: the signed checkpoints inside the range (the last entry always has one).
 * `pnpm audit:verify --public-key key.pem FILE` checks a file offline.
 */
export const EXPORT_FORMAT = 'dialoop-audit-export/v1';
const AUDIENCE = 'dialoop-audit-export';
const TTL_S = 600;

export type ExportFormat = 'CSV' | 'JSONL';

export interface ExportDescriptor {
  /** The filter as given (it selects the entries shown); the manifest shows it pseudonymized. */
  filter: { [K in keyof AuditFilter]?: string | null };
  format: ExportFormat;
  fromSeq: number | null;
  toSeq: number | null;
  manifest: ExportManifest & { signature: string };
  /** Who asked for it (the download is recorded as theirs). */
  by: AuditScope['actor'];
}

export const CSV_COLUMNS = [
  'record', 'seq', 'at', 'actor_kind', 'actor_pseudonym', 'actor_role', 'api_key_id', 'action', 'subject_type', 'subject_id', 'subject_owner',
  'outcome', 'request_id', 'client_ip', 'user_agent', 'before', 'after', 'prev_hash', 'hash', 'body_hash', 'key_id', 'signature',
] as const;
type CsvRow = Partial<Record<(typeof CSV_COLUMNS)[number], string | number | null>>;

export const filterFromDescriptor = (f: ExportDescriptor['filter']): AuditFilter => ({
  ...f,
  outcome: (f.outcome ?? null) as AuditFilter['outcome'],
  from: f.from ? new Date(f.from) : null,
  to: f.to ? new Date(f.to) : null,
});

export class ExportTokens {
  private readonly key: Uint8Array;
  constructor(secret: string) {
    this.key = new TextEncoder().encode(`${secret}:audit-export`);
  }

  async sign(d: ExportDescriptor): Promise<{ token: string; expiresAt: Date }> {
    const expiresAt = new Date(Date.now() + TTL_S * 1000);
    const token = await new SignJWT({ d }).setProtectedHeader({ alg: 'HS256' }).setAudience(AUDIENCE).setIssuedAt().setExpirationTime(`${TTL_S}s`).sign(this.key);
    return { token, expiresAt };
  }

  async verify(token: string): Promise<ExportDescriptor | null> {
    try {
      const { payload } = await jwtVerify(token, this.key, { audience: AUDIENCE, algorithms: ['HS256'] });
      return payload.d as ExportDescriptor;
    } catch {
      return null;
    }
  }
}

const csvLine = (row: CsvRow) => stringify([CSV_COLUMNS.map((c) => row[c] ?? '')]);
const json = (v: unknown) => (v === null || v === undefined ? null : JSON.stringify(v));

function entryCsv(r: EntryRecord): CsvRow {
  return {
    record: 'entry', seq: r.seq, at: r.at, actor_kind: r.actorKind, actor_pseudonym: r.actorPseudonym, actor_role: r.actorRole, api_key_id: r.apiKeyId,
    action: r.action, subject_type: r.subjectType, subject_id: r.subjectId, subject_owner: r.subjectOwner, outcome: r.outcome,
    request_id: r.requestId, client_ip: r.clientIp, user_agent: r.userAgent, before: json(r.before), after: json(r.after), prev_hash: r.prevHash, hash: r.hash, body_hash: r.bodyHash,
  };
}

/** Streams an export, page by page, waiting for the client when it reads slower than we write. */
export async function streamExport(audit: AuditLog, d: ExportDescriptor, res: Response, log: Logger): Promise<void> {
  const csv = d.format === 'CSV';
  res.status(200);
  res.setHeader('content-type', csv ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8');
  res.setHeader('content-disposition', `attachment; filename="audit-${d.fromSeq ?? 0}-${d.toSeq ?? 0}.${csv ? 'csv' : 'jsonl'}"`);
  res.setHeader('cache-control', 'no-store');
  const write = async (text: string) => {
    if (!res.write(text)) await new Promise<void>((resolve) => res.once('drain', resolve));
  };
  const header = { type: 'header', ...d.manifest };
  if (csv) {
    await write(stringify([[...CSV_COLUMNS]]));
    await write(csvLine({ record: 'header', after: JSON.stringify(header) }));
  } else await write(`${JSON.stringify(header)}\n`);
  if (d.fromSeq !== null && d.toSeq !== null) {
    const matches = audit.matcher(filterFromDescriptor(d.filter));
    for await (const batch of audit.rows(d.fromSeq, d.toSeq)) {
      if (res.destroyed) return;
      let out = '';
      for (const r of batch) {
        if (matches(r)) out += csv ? csvLine(entryCsv(r)) : `${JSON.stringify({ type: 'entry', ...r })}\n`;
        else {
          const link = { seq: r.seq, at: r.at, prevHash: r.prevHash, hash: r.hash, bodyHash: bodyHash(r) };
          out += csv
            ? csvLine({ record: 'link', seq: link.seq, at: link.at, prev_hash: link.prevHash, hash: link.hash, body_hash: link.bodyHash })
            : `${JSON.stringify({ type: 'link', ...link })}\n`;
        }
      }
      await write(out);
    }
    const checkpoints: Checkpoint[] = await audit.checkpoints(d.fromSeq, d.toSeq);
    for (const c of checkpoints) {
      await write(
        csv ? csvLine({ record: 'checkpoint', seq: c.seq, at: c.at, hash: c.hash, key_id: c.keyId, signature: c.signature }) : `${JSON.stringify({ type: 'checkpoint', ...c })}\n`,
      );
    }
  }
  log.info({ fromSeq: d.fromSeq, toSeq: d.toSeq, format: d.format }, 'audit export streamed');
  res.end();
}

/** Express handler for GET /exports/audit/:token: each download is recorded, as the person who asked for the export. */
export function exportHandler(audit: AuditLog, tokens: ExportTokens, log: Logger) {
  return async (req: Request, res: Response) => {
    const d = await tokens.verify(String(req.params.token ?? ''));
    if (!d) {
      res.status(404).json({ errors: [{ message: 'Unknown or expired export link', extensions: { code: 'NOT_FOUND' } }] });
      return;
    }
    try {
      const scope: AuditScope = {
        actor: d.by,
        requestId: String(req.headers['x-request-id'] ?? randomUUID()),
        clientIp: req.ip ?? null,
        userAgent: req.headers['user-agent'] ?? null,
        recorded: new Set(),
      };
      await audit.write(scope, { action: 'downloadAudit', subject: { type: 'AuditEntry' }, after: { format: d.format, fromSeq: d.fromSeq, toSeq: d.toSeq } });
      await streamExport(audit, d, res, log);
    } catch (err) {
      log.error({ err }, 'audit export failed');
      if (!res.headersSent) res.status(500).json({ errors: [{ message: 'Internal server error', extensions: { code: 'INTERNAL_SERVER_ERROR' } }] });
      else res.destroy(err as Error);
    }
  };
}

/**
 * Fixes an export's range (the first and last entry the filter matches, up to now), signs a
 * checkpoint on its last entry, and returns the descriptor to put in the download link.
 */
export async function prepareExport(
  audit: AuditLog,
  db: PrismaClient,
  filter: AuditFilter,
  format: ExportFormat,
  by: AuditScope['actor'],
  log: Logger,
): Promise<{ descriptor: ExportDescriptor; checkpoint: Checkpoint | null }> {
  const where = audit.whereOf(filter);
  const [first, last] = await Promise.all([
    db.auditEntry.findFirst({ where, orderBy: { seq: 'asc' }, select: { seq: true } }),
    db.auditEntry.findFirst({ where, orderBy: { seq: 'desc' }, select: { seq: true } }),
  ]);
  const fromSeq = first ? Number(first.seq) : null;
  const toSeq = last ? Number(last.seq) : null;
  // A broken chain is not signed, but still exported (an investigation needs it most): the
  // file then fails offline verification at the break, as it should.
  let checkpoint: Checkpoint | null = null;
  if (toSeq !== null) {
    try {
      checkpoint = await audit.checkpoint(toSeq);
    } catch (err) {
      log.warn({ err }, 'exporting a range whose chain does not verify: its last entry is not signed');
    }
  }
  const [head, tail] = await Promise.all([
    fromSeq !== null ? db.auditEntry.findUnique({ where: { seq: BigInt(fromSeq) }, select: { prevHash: true } }) : null,
    toSeq !== null ? db.auditEntry.findUnique({ where: { seq: BigInt(toSeq) }, select: { hash: true } }) : null,
  ]);
  const serial: ExportDescriptor['filter'] = {
    actor: filter.actor ?? null,
    action: filter.action ?? null,
    subjectType: filter.subjectType ?? null,
    subjectId: filter.subjectId ?? null,
    outcome: filter.outcome ?? null,
    from: filter.from?.toISOString() ?? null,
    to: filter.to?.toISOString() ?? null,
  };
  const manifest = audit.signer.signExport({
    format: EXPORT_FORMAT,
    fromSeq,
    toSeq,
    firstPrevHash: head?.prevHash ?? null,
    lastHash: tail?.hash ?? null,
    filter: audit.describeFilter(filter),
    createdAt: new Date().toISOString(),
  });
  return { descriptor: { filter: serial, format, fromSeq, toSeq, manifest, by }, checkpoint };
}
