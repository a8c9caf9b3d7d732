/**
 * A realistic audit trail for benchmarks (bench:audit, bench:console): the same entry bodies, in
 * the same order, from the same seed, written straight into AuditEntry as a valid chain.
 */
import { TEST_KEYS } from '@dialoop/api/testing';
import type { Database } from '@dialoop/db';
import { GENESIS_HASH, bodyHash, linkHash, type EntryRecord, type Json } from '../../api/src/modules/audit/chain.js';
import { Pseudonyms } from '../../api/src/modules/audit/keys.js';
import { prng } from './lib.js';

const fmt = (n: number) => n.toLocaleString('en-US');


type Body = Omit<EntryRecord, 'bodyHash' | 'prevHash' | 'hash'>;
type Kind = 'message' | 'conversation' | 'rating' | 'self' | 'user' | 'apiKey' | 'audit' | 'service';
const ROLES = ['USER', 'REVIEWER', 'COMPLIANCE', 'ADMIN'] as const;
const USER_AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/142.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15',
  'Mozilla/5.0 (X11; Linux x86_64; rv:144.0) Gecko/20100101 Firefox/144.0',
  'dialoop-console/0.1.0',
  'python-httpx/0.28.1',
  'curl/8.14.1',
];
/** Actions, their weights and what they are about; `roles`: who may do it (others are DENIED). */
const ACTIONS: { action: string; w: number; kind: Kind; roles?: string[] }[] = [
  { action: 'sendMessage', w: 40, kind: 'message' },
  { action: 'regenerate', w: 5, kind: 'message' },
  { action: 'editAndResend', w: 3, kind: 'message' },
  { action: 'cancelGeneration', w: 2, kind: 'message' },
  { action: 'rateMessage', w: 9, kind: 'rating' },
  { action: 'login', w: 9, kind: 'self' },
  { action: 'refresh', w: 14, kind: 'self' },
  { action: 'logout', w: 2, kind: 'self' },
  { action: 'renameConversation', w: 3, kind: 'conversation' },
  { action: 'deleteConversation', w: 2, kind: 'conversation' },
  { action: 'createApiKey', w: 0.4, kind: 'apiKey' },
  { action: 'revokeApiKey', w: 0.3, kind: 'apiKey' },
  { action: 'apiKeys', w: 1.5, kind: 'apiKey' },
  { action: 'users', w: 1, kind: 'user', roles: ['ADMIN', 'COMPLIANCE'] },
  { action: 'createUser', w: 0.3, kind: 'user', roles: ['ADMIN'] },
  { action: 'updateUser', w: 0.5, kind: 'user', roles: ['ADMIN'] },
  { action: 'deleteMyAccount', w: 0.05, kind: 'self' },
  { action: 'auditEntries', w: 1.5, kind: 'audit', roles: ['COMPLIANCE', 'ADMIN'] },
  { action: 'verifyAuditChain', w: 0.1, kind: 'audit', roles: ['COMPLIANCE', 'ADMIN'] },
  { action: 'exportAudit', w: 0.1, kind: 'audit', roles: ['COMPLIANCE'] },
  { action: 'retention.deleteConversation', w: 1, kind: 'service' },
  { action: 'config.change', w: 0.002, kind: 'service' },
];
const WEIGHT = ACTIONS.reduce((t, a) => t + a.w, 0);

/**
 * Builds the same entry bodies, in the same order, from the same seed: a few hundred people
 * (pseudonyms of the api's key) with a skewed activity, ~20 actions, messages under conversations,
 * mostly ALLOWED with some DENIED and FAILED, small before/after objects, `at` rising over 100 days.
 */
export class Trail {
  private readonly rand: () => number;
  private seq = 0;
  private atMs: number;
  private readonly stepMs: number;
  readonly people: { pseudonym: string; role: string; keys: string[] }[];
  readonly conversations: string[];

  constructor(seed: number, private readonly total: number, endMs: number) {
    this.rand = prng(seed);
    const span = 100 * 86_400_000;
    this.atMs = endMs - span;
    this.stepMs = span / total;
    const pseudonyms = new Pseudonyms(TEST_KEYS.PSEUDONYM_KEY);
    this.people = Array.from({ length: 300 }, (_, i) => ({
      pseudonym: pseudonyms.user(this.uuid()),
      role: i < 6 ? 'ADMIN' : i < 14 ? 'COMPLIANCE' : i < 40 ? 'REVIEWER' : 'USER',
      keys: Array.from({ length: this.rand() < 0.2 ? 2 : 0 }, () => this.uuid()),
    }));
    this.conversations = Array.from({ length: Math.max(1000, Math.round(total / 25)) }, () => this.uuid());
  }

  private pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.rand() * xs.length)]!;
  }

  private hex8(): string {
    return ((this.rand() * 4294967296) >>> 0).toString(16).padStart(8, '0');
  }

  uuid(): string {
    const [a, b, c, d] = [this.hex8(), this.hex8(), this.hex8(), this.hex8()];
    return `${a}-${b.slice(0, 4)}-4${b.slice(5, 8)}-${'89ab'[c.charCodeAt(0) & 3]}${c.slice(1, 4)}-${c.slice(4)}${d}`;
  }

  get done(): boolean {
    return this.seq >= this.total;
  }

  next(): Body {
    const r = this.rand;
    this.seq += 1;
    this.atMs += 1 + Math.floor(r() * 2 * this.stepMs);
    let w = r() * WEIGHT;
    let spec = ACTIONS[0]!;
    for (const a of ACTIONS) if ((w -= a.w) < 0) {
      spec = a;
      break;
    }
    // Activity skewed towards the first people (index ~ 300 · u^1.6).
    const person = this.people[Math.min(this.people.length - 1, Math.floor(this.people.length * r() ** 1.6))]!;
    const roll = r();
    const outcome = spec.roles && !spec.roles.includes(person.role) ? 'DENIED' : roll < 0.03 ? 'DENIED' : roll < 0.045 ? 'FAILED' : 'ALLOWED';
    const viaKey = person.keys.length > 0 && spec.kind === 'message' && r() < 0.5;
    const anonymousLogin = spec.action === 'login' && outcome === 'DENIED';
    const service = spec.kind === 'service';
    const conversation = this.pick(this.conversations);
    let subjectType: string | null = null;
    let subjectId: string | null = null;
    let subjectOwner: string | null = person.pseudonym;
    let before: Json = null;
    let after: Json = null;
    switch (spec.kind) {
      case 'message':
        subjectType = 'Message';
        subjectId = this.uuid();
        after = spec.action === 'cancelGeneration' ? null : {
          conversationId: conversation,
          newConversation: r() < 0.3,
          userMessageId: spec.action === 'regenerate' ? null : this.uuid(),
          parentId: r() < 0.3 ? null : this.uuid(),
          model: 'dialoop-tiny',
          contentLength: spec.action === 'regenerate' ? null : 5 + Math.floor(r() * 600),
        };
        break;
      case 'conversation':
        subjectType = 'Conversation';
        subjectId = conversation;
        if (spec.action === 'renameConversation') {
          before = { titleLength: 5 + Math.floor(r() * 40) };
          after = { titleLength: 5 + Math.floor(r() * 40) };
        } else after = { messages: 2 + Math.floor(r() * 30) };
        break;
      case 'rating':
        subjectType = 'Rating';
        subjectId = this.uuid();
        after = { messageId: this.uuid(), thumb: r() < 0.7 ? 'UP' : 'DOWN', hasComment: r() < 0.2 };
        break;
      case 'self':
        subjectType = 'User';
        subjectId = anonymousLogin ? 'e_' + this.hex8() + this.hex8() + this.hex8() : person.pseudonym;
        if (anonymousLogin) after = { reason: 'invalid credentials' };
        break;
      case 'user': {
        const other = this.pick(this.people);
        subjectType = 'User';
        subjectId = spec.action === 'users' ? null : other.pseudonym;
        subjectOwner = spec.action === 'users' ? null : other.pseudonym;
        if (spec.action === 'updateUser') {
          before = { role: other.role, disabled: false };
          after = { role: this.pick(ROLES), disabled: r() < 0.1 };
        } else if (spec.action === 'createUser') after = { role: 'USER' };
        else after = { returned: Math.floor(r() * 50) };
        break;
      }
      case 'apiKey':
        subjectType = 'ApiKey';
        subjectId = spec.action === 'apiKeys' ? null : this.uuid();
        if (spec.action === 'createApiKey') after = { scopes: ['chat'] };
        else if (spec.action === 'revokeApiKey') {
          before = { revoked: false };
          after = { revoked: true };
        } else after = { othersReturned: 0 };
        break;
      case 'audit':
        subjectType = 'AuditEntry';
        subjectOwner = null;
        after = spec.action === 'auditEntries' ? { filter: r() < 0.5 ? {} : { outcome: 'DENIED' }, returned: 50 } : { from: null, to: null, valid: true, checked: this.seq - 1 };
        break;
      case 'service':
        subjectType = spec.action === 'config.change' ? 'Config' : 'Conversation';
        subjectId = spec.action === 'config.change' ? null : conversation;
        after = spec.action === 'config.change' ? { digest: this.hex8(), changed: ['rateLimitMessagesPerMinute'] } : { olderThanDays: 90 };
        break;
    }
    if (outcome !== 'ALLOWED' && !anonymousLogin) {
      before = null;
      after = outcome === 'DENIED' ? { code: 'FORBIDDEN' } : { code: 'INTERNAL_SERVER_ERROR' };
    }
    const actorKind = service ? 'SERVICE' : anonymousLogin ? 'ANONYMOUS' : viaKey ? 'API_KEY' : 'USER';
    return {
      seq: this.seq,
      at: new Date(this.atMs).toISOString(),
      actorKind,
      actorPseudonym: service ? (spec.action === 'config.change' ? 'service:api' : 'service:retention') : anonymousLogin ? null : person.pseudonym,
      actorRole: service || anonymousLogin ? null : person.role,
      apiKeyId: viaKey ? this.pick(person.keys) : null,
      action: spec.action,
      subjectType,
      subjectId,
      subjectOwner: service || anonymousLogin ? null : subjectOwner,
      outcome,
      requestId: service ? null : this.uuid(),
      clientIp: service ? null : `10.${(person.pseudonym.charCodeAt(3) * 7) & 255}.${person.pseudonym.charCodeAt(5)}.${1 + Math.floor(r() * 250)}`,
      userAgent: service ? null : viaKey ? 'python-httpx/0.28.1' : USER_AGENTS[person.pseudonym.charCodeAt(4) % USER_AGENTS.length]!,
      before,
      after,
    };
  }

  chunk(n: number): Body[] {
    const out: Body[] = [];
    while (out.length < n && !this.done) out.push(this.next());
    return out;
  }
}

const INSERT = `INSERT INTO "AuditEntry" ("seq", "at", "actorKind", "actorPseudonym", "actorRole", "apiKeyId", "action", "subjectType", "subjectId",
  "subjectOwner", "outcome", "requestId", "clientIp", "userAgent", "before", "after", "bodyHash", "prevHash", "hash")
SELECT s, a, k::"AuditActorKind", ap, ar, ak, ac, st, si, so, o::"AuditOutcome", rq, ip, ua, b, af, bh, ph, h
FROM unnest($1::bigint[], $2::timestamptz[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[],
  $11::text[], $12::text[], $13::text[], $14::text[], $15::jsonb[], $16::jsonb[], $17::text[], $18::text[], $19::text[])
  AS t(s, a, k, ap, ar, ak, ac, st, si, so, o, rq, ip, ua, b, af, bh, ph, h)`;

interface Seeded extends Body {
  bodyHash: string;
  prevHash: string;
  hash: string;
}

/**
 * One statement of CHUNK rows, in a transaction with the chain trigger off for it
 * (`session_replication_role = replica`, which needs a superuser): the trigger would stamp every
 * entry with the insert time; the rows carry the seq, time and hashes that chain.ts computes, as
 * the trigger computes them (verification checks that they agree).
 */
function insertChunk(d: Database, rows: Seeded[]) {
  const col = <T>(f: (r: Seeded) => T) => rows.map(f);
  const json = (v: Json) => (v === null ? null : JSON.stringify(v));
  return d.prisma.$transaction([
    d.prisma.$executeRawUnsafe('SET LOCAL session_replication_role = replica'),
    d.prisma.$executeRawUnsafe(
      INSERT,
      col((r) => r.seq),
      col((r) => r.at),
      col((r) => r.actorKind),
      col((r) => r.actorPseudonym),
      col((r) => r.actorRole),
      col((r) => r.apiKeyId),
      col((r) => r.action),
      col((r) => r.subjectType),
      col((r) => r.subjectId),
      col((r) => r.subjectOwner),
      col((r) => r.outcome),
      col((r) => r.requestId),
      col((r) => r.clientIp),
      col((r) => r.userAgent),
      col((r) => json(r.before)),
      col((r) => json(r.after)),
      col((r) => r.bodyHash),
      col((r) => r.prevHash),
      col((r) => r.hash),
    ),
  ]);
}

/** Seeds `total` entries, a valid chain. Building and hashing the next chunk overlaps the insert of the last. */
export async function seedChain(d: Database, total: number, endMs: number, o: { seed: number; chunk?: number; quiet?: boolean }) {
  const trail = new Trail(o.seed, total, endMs);
  const chunk = o.chunk ?? 10_000;
  let prev = GENESIS_HASH;
  let inFlight: Promise<unknown> | undefined;
  let inserted = 0;
  let buildMs = 0;
  let waitMs = 0;
  const started = performance.now();
  let lastReport = started;
  while (!trail.done) {
    const t = performance.now();
    const rows = trail.chunk(chunk).map((r): Seeded => {
      const bh = bodyHash(r);
      const hash = linkHash(prev, r.seq, r.at, bh);
      const row = { ...r, bodyHash: bh, prevHash: prev, hash };
      prev = hash;
      return row;
    });
    buildMs += performance.now() - t;
    const w = performance.now();
    if (inFlight) await inFlight;
    waitMs += performance.now() - w;
    inFlight = insertChunk(d, rows);
    inserted += rows.length;
    if (!o.quiet && performance.now() - lastReport > 15_000) {
      lastReport = performance.now();
      console.log(`   seeding: ${fmt(inserted)} entries in ${((lastReport - started) / 1000).toFixed(0)} s`);
    }
  }
  const w = performance.now();
  if (inFlight) await inFlight;
  waitMs += performance.now() - w;
  const seedS = (performance.now() - started) / 1000;
  const vacuumStarted = performance.now();
  // What autovacuum would have done to a trail written over months: hint bits, visibility map, statistics.
  await d.prisma.$executeRawUnsafe('VACUUM (ANALYZE) "AuditEntry"');
  const vacuumS = (performance.now() - vacuumStarted) / 1000;
  const [size] = await d.prisma.$queryRawUnsafe<{ table: bigint; indexes: bigint }[]>(
    `SELECT pg_table_size('"AuditEntry"') AS "table", pg_indexes_size('"AuditEntry"') AS "indexes"`,
  );
  return {
    trail,
    head: prev,
    inserted,
    seedS,
    /** Building and hashing the rows here; waiting for PostgreSQL beyond that. */
    buildS: buildMs / 1000,
    insertWaitS: waitMs / 1000,
    vacuumS,
    tableMiB: Math.round(Number(size!.table) / 2 ** 20),
    indexesMiB: Math.round(Number(size!.indexes) / 2 ** 20),
  };
}


/**
 * A new database (migrated) holding a seeded trail of `total` entries ending a minute ago, for a
 * platform to start on: the api appends its own entries after them.
 */
export async function seededAuditDatabase(total: number, seed = 20261128) {
  const { createTestDatabase } = await import('@dialoop/db/testing');
  const { openDatabase } = await import('@dialoop/db');
  const db = await createTestDatabase();
  try {
    const d = await openDatabase({ databaseUrl: db.url });
    try {
      const seeded = await seedChain(d, total, Date.now() - 60_000, { seed, quiet: true });
      return { url: db.url, drop: db.drop, trail: seeded.trail, seedS: seeded.seedS };
    } finally {
      await d.close();
    }
  } catch (err) {
    await db.drop();
    throw err;
  }
}
