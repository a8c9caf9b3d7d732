import type { PrismaClient } from '@dialoop/db';
import type { Logger } from 'pino';
import { badInput, notFound } from '../../errors.js';
import { prepareExport, type ExportFormat, type ExportTokens } from './audit.export.js';
import { AuditLog, type AuditFilter, type AuditScope } from './audit.service.js';
import type { AuditCheckpoint, AuditEntry, AuditEntryConnection, AuditEntryDetail, AuditExport, AuditFilterInput, AuditPublicKey, AuditStats, AuditVerification } from './audit.types.js';
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

function pageSize(first: number | null | undefined, byDefault: number): number {
  const size = first ?? byDefault;
  if (size < 1 || size > 500) throw badInput('first must be between 1 and 500');
  return size;
}

/**
 * The trail as compliance officers read it: pages, verification, checkpoints, the public key and
 * signed exports. Every read of the trail is itself recorded in it.
 */
export class AuditReader {
  constructor(private readonly o: { audit: AuditLog; db: PrismaClient; exportTokens: ExportTokens }) {}

  /** Entries, newest first; `after` is the endCursor of the previous page. */
  async page(scope: AuditScope, filter: AuditFilterInput | null | undefined, first: number | null | undefined, after: string | null | undefined): Promise<AuditEntryConnection> {
    const { audit } = this.o;
    const size = pageSize(first, 50);
    const cursor = after ? Number(after) : undefined;
    if (cursor !== undefined && (!Number.isSafeInteger(cursor) || cursor < 1)) throw badInput('Malformed cursor');
    const f = filterOf(filter);
    const page = await audit.list(f, size, cursor);
    await audit.write(scope, { action: 'auditEntries', subject: { type: 'AuditEntry' }, after: { filter: audit.describeFilter(f), returned: page.entries.length } });
    const last = page.entries.at(-1);
    return {
      edges: page.entries.map((r) => ({ cursor: String(r.seq), node: toEntry(r) })),
      pageInfo: { hasNextPage: page.hasNextPage, endCursor: last ? String(last.seq) : null },
    };
  }

  /** One entry, with the checkpoint that covers it; the read is recorded. */
  async entry(scope: AuditScope, seq: number): Promise<AuditEntryDetail> {
    AuditLog.checkRange(seq, null);
    const record = await this.o.audit.entry(seq);
    if (!record) throw notFound(`Audit entry ${seq}`);
    await this.o.audit.write(scope, { action: 'auditEntry', subject: { type: 'AuditEntry', id: String(seq) } });
    return { entry: toEntry(record), checkpoint: await this.o.audit.coveringCheckpoint(seq) };
  }

  /** Counts of what the filter matches (per day by outcome, denials by action); the read is recorded. */
  async stats(scope: AuditScope, filter: AuditFilterInput | null | undefined): Promise<AuditStats> {
    const f = filterOf(filter);
    const stats = await this.o.audit.stats(f);
    await this.o.audit.write(scope, { action: 'auditStats', subject: { type: 'AuditEntry' }, after: { filter: this.o.audit.describeFilter(f) } });
    return stats;
  }

  signatureValid(c: AuditCheckpoint): boolean {
    return this.o.audit.signatureValid(c);
  }

  /** Recomputes the chain over a range and checks the signed checkpoints in it; the check is recorded. */
  async verify(scope: AuditScope, from: number | null | undefined, to: number | null | undefined): Promise<AuditVerification> {
    AuditLog.checkRange(from, to);
    const result = await this.o.audit.verify({ from, to });
    await this.o.audit.write(scope, {
      action: 'verifyAuditChain',
      subject: { type: 'AuditEntry' },
      after: { from: from ?? null, to: to ?? null, valid: result.valid, checked: result.checked, broken: result.broken },
    });
    return result;
  }

  /** Signed checkpoints, newest first. */
  checkpoints(first: number | null | undefined): Promise<AuditCheckpoint[]> {
    return this.o.audit.recentCheckpoints(pageSize(first, 20));
  }

  publicKey(): AuditPublicKey {
    return { keyId: this.o.audit.signer.keyId, pem: this.o.audit.signer.publicKeyPem };
  }

  /** `exportAudit`: prepares the export of what the filter matches, records it, and returns its download link. */
  async export(scope: AuditScope, log: Logger, filter: AuditFilterInput | null | undefined, format: ExportFormat): Promise<AuditExport> {
    const { audit, db, exportTokens } = this.o;
    const f = filterOf(filter);
    const { descriptor, checkpoint } = await prepareExport(audit, db, f, format, scope.actor, log);
    const { token, expiresAt } = await exportTokens.sign(descriptor);
    await audit.write(scope, {
      action: 'exportAudit',
      subject: { type: 'AuditEntry' },
      after: { format, filter: audit.describeFilter(f), fromSeq: descriptor.fromSeq, toSeq: descriptor.toSeq, checkpointSeq: checkpoint?.seq ?? null },
    });
    return { downloadPath: `/exports/audit/${token}`, expiresAt, format, fromSeq: descriptor.fromSeq, toSeq: descriptor.toSeq, checkpoint };
  }

  /** Verifies the chain since the last checkpoint and signs its head now. */
  checkpointNow(scope: AuditScope): Promise<AuditCheckpoint | null> {
    return this.o.audit.checkpoint(undefined, scope);
  }
}
