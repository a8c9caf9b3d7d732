/**
 * The audit trail's hash chain and checkpoints, as pure functions: the api uses them to write and
 * verify the trail, and `pnpm audit:verify` uses them offline on an export, with only the public
 * key. Nothing here touches the database.
 *
 * Each entry's body (what happened: actor, action, subject, outcome, request, before/after) is
 * encoded canonically (RFC 8785 JSON Canonicalization Scheme) and hashed by the api:
 * `bodyHash = SHA-256(JCS(body))`. The database (a trigger, under a lock) then gives the entry
 * its sequence number and time and links it to its predecessor:
 * `hash = SHA-256(prevHash ":" seq ":" atEpochMilliseconds ":" bodyHash)`, all lowercase hex or
 * decimal text; the first entry's `prevHash` is 64 zeros. Hashing the body apart lets an export
 * that leaves entries out (a filter) carry just their `bodyHash` and still prove the chain.
 *
 * A checkpoint signs "entry `seq` has hash `hash`" with Ed25519: the signed message is
 * `checkpointMessage()`.
 */
import { createHash, createPublicKey, hash, verify as verifySignature, type KeyObject } from 'node:crypto';

export const GENESIS_HASH = '0'.repeat(64);
export const OUTCOMES = ['ALLOWED', 'DENIED', 'FAILED'] as const;
export type AuditOutcome = (typeof OUTCOMES)[number];
export const ACTOR_KINDS = ['USER', 'API_KEY', 'SERVICE', 'ANONYMOUS'] as const;
export type AuditActorKind = (typeof ACTOR_KINDS)[number];

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** What an entry says, as `bodyHash` covers it. Absent values are null, never "" or undefined. */
export interface EntryBody {
  v: 1;
  actor: { kind: AuditActorKind; pseudonym: string | null; role: string | null; apiKeyId: string | null };
  action: string;
  subject: { type: string | null; id: string | null; owner: string | null };
  outcome: AuditOutcome;
  request: { id: string | null; ip: string | null; userAgent: string | null };
  before: Json;
  after: Json;
}

/** An entry as stored and exported: its body in flat columns, and its two hashes. */
export interface EntryRecord {
  seq: number;
  at: string;
  actorKind: AuditActorKind;
  actorPseudonym: string | null;
  actorRole: string | null;
  apiKeyId: string | null;
  action: string;
  subjectType: string | null;
  subjectId: string | null;
  subjectOwner: string | null;
  outcome: AuditOutcome;
  requestId: string | null;
  clientIp: string | null;
  userAgent: string | null;
  before: Json;
  after: Json;
  bodyHash: string;
  prevHash: string;
  hash: string;
}

export interface Checkpoint {
  seq: number;
  hash: string;
  at: string;
  keyId: string;
  /** Base64. */
  signature: string;
}

export type BodyFields = Omit<EntryRecord, 'seq' | 'at' | 'bodyHash' | 'prevHash' | 'hash'>;

export const bodyOf = (r: BodyFields): EntryBody => ({
  v: 1,
  actor: { kind: r.actorKind, pseudonym: r.actorPseudonym, role: r.actorRole, apiKeyId: r.apiKeyId },
  action: r.action,
  subject: { type: r.subjectType, id: r.subjectId, owner: r.subjectOwner },
  outcome: r.outcome,
  request: { id: r.requestId, ip: r.clientIp, userAgent: r.userAgent },
  before: r.before ?? null,
  after: r.after ?? null,
});

/** One-shot SHA-256 (`crypto.hash`, about twice as fast as a Hash object for short input). */
const sha256hex = (data: string): string => hash('sha256', data, 'hex');

/**
 * RFC 8785 canonical JSON of a JSON value (as `JSON.parse` returns, or as the api records: no
 * undefined inside, finite numbers, well-formed strings): object keys sorted by UTF-16 code
 * units, no whitespace, scalars as ECMAScript's JSON serializes them — which is what RFC 8785
 * specifies. Written here, not taken from a general library, because verification runs it
 * millions of times; `chain.test.ts` checks it against the `canonicalize` package.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new Error('a non-finite number has no canonical JSON form');
    const text = JSON.stringify(value) as string | undefined;
    if (text === undefined) throw new Error('value has no canonical JSON form');
    return text;
  }
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i > 0 ? ',' : '') + canonicalJson(value[i] === undefined ? null : value[i]);
    return `${out}]`;
  }
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj).sort();
  let out = '{';
  let first = true;
  for (const k of keys) {
    const v = obj[k];
    if (v === undefined) continue;
    out += `${first ? '' : ','}${JSON.stringify(k)}:${canonicalJson(v)}`;
    first = false;
  }
  return `${out}}`;
}

const str = (v: string | null): string => (v === null ? 'null' : JSON.stringify(v));

/**
 * An entry's body as text columns, in the order verification reads rows (`VERIFY_SELECT`,
 * chain-walk.ts): the one layout `canonicalRowBody` writes from. `before`/`after` as JSON text.
 */
const rowOf = (f: BodyFields): (string | null)[] => [
  null,
  null,
  f.actorKind,
  f.actorPseudonym,
  f.actorRole,
  f.apiKeyId,
  f.action,
  f.subjectType,
  f.subjectId,
  f.subjectOwner,
  f.outcome,
  f.requestId,
  f.clientIp,
  f.userAgent,
  f.before === null ? null : JSON.stringify(f.before),
  f.after === null ? null : JSON.stringify(f.after),
];

/**
 * `canonicalJson(bodyOf(…))` for the fixed shape of an entry's body, written out directly from
 * a row's text columns (no object per row: verifying a trail of millions spends most of its time
 * here): the keys in RFC 8785 order (sorted by UTF-16 code units), strings as ECMAScript's JSON
 * serializes them (which RFC 8785 adopts), only `before`/`after`, free-form, through the general
 * encoder. `chain.test.ts` checks it against `canonicalize` on many bodies.
 */
export function canonicalRowBody(x: readonly (string | null)[]): string {
  return (
    `{"action":${JSON.stringify(x[6])},` +
    `"actor":{"apiKeyId":${str(x[5] ?? null)},"kind":${JSON.stringify(x[2])},"pseudonym":${str(x[3] ?? null)},"role":${str(x[4] ?? null)}},` +
    `"after":${x[15] == null ? 'null' : canonicalJson(JSON.parse(x[15]))},"before":${x[14] == null ? 'null' : canonicalJson(JSON.parse(x[14]))},` +
    `"outcome":${JSON.stringify(x[10])},` +
    `"request":{"id":${str(x[11] ?? null)},"ip":${str(x[12] ?? null)},"userAgent":${str(x[13] ?? null)}},` +
    `"subject":{"id":${str(x[8] ?? null)},"owner":${str(x[9] ?? null)},"type":${str(x[7] ?? null)}},"v":1}`
  );
}

/** The same for an entry's fields. */
export const canonicalBody = (f: BodyFields): string => canonicalRowBody(rowOf(f));

export const rowBodyHash = (x: readonly (string | null)[]): string => sha256hex(canonicalRowBody(x));

/** SHA-256 of `canonicalJson(bodyOf(fields))`, the entry's `bodyHash`. */
export const bodyHash = (fields: BodyFields): string => sha256hex(canonicalBody(fields));
/** `at`: ISO 8601 with milliseconds, as stored, or its epoch milliseconds. */
export const linkHash = (prevHash: string, seq: number, at: string | number, bodyHashHex: string): string =>
  sha256hex(`${prevHash}:${seq}:${typeof at === 'number' ? at : Date.parse(at)}:${bodyHashHex}`);

export const checkpointMessage = (c: Pick<Checkpoint, 'seq' | 'hash' | 'at'>): Buffer =>
  Buffer.from(`dialoop-audit-checkpoint/v1\n${c.seq}\n${c.hash}\n${c.at}`, 'utf8');

/** First 16 hex characters of the SHA-256 of the raw 32-byte Ed25519 public key. */
export function keyIdOf(publicKey: KeyObject): string {
  const jwk = publicKey.export({ format: 'jwk' });
  return createHash('sha256').update(Buffer.from(String(jwk.x), 'base64url')).digest('hex').slice(0, 16);
}

/** Public keys by key id: the current signing key and any earlier ones (after a rotation). */
export type Keyring = ReadonlyMap<string, KeyObject>;

export const keyringOf = (keys: KeyObject[]): Keyring => new Map(keys.map((k) => [keyIdOf(k), k]));

/** Several public keys: PEM blocks, or raw keys separated by commas or whitespace. */
export function parsePublicKeys(text: string): KeyObject[] {
  const pems = text.match(/-----BEGIN PUBLIC KEY-----[\s\S]+?-----END PUBLIC KEY-----/g);
  if (pems) return pems.map(parsePublicKey);
  return text
    .split(/[\s,]+/)
    .filter(Boolean)
    .map(parsePublicKey);
}

/** An Ed25519 public key from PEM (SPKI) or from its 32 raw bytes in base64/base64url/hex. */
export function parsePublicKey(text: string): KeyObject {
  const t = text.trim();
  if (t.startsWith('-----BEGIN')) return createPublicKey(t);
  const raw = /^[0-9a-f]{64}$/i.test(t) ? Buffer.from(t, 'hex') : Buffer.from(t, 'base64url');
  if (raw.length !== 32) throw new Error('an Ed25519 public key is 32 bytes (or PEM)');
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') }, format: 'jwk' });
}

export function signatureValid(message: Buffer, signature: string, publicKey: KeyObject): boolean {
  try {
    return verifySignature(null, message, publicKey, Buffer.from(signature, 'base64'));
  } catch {
    return false;
  }
}

export const checkpointSignatureValid = (c: Checkpoint, publicKey: KeyObject): boolean => signatureValid(checkpointMessage(c), c.signature, publicKey);

/**
 * What an export's header states, signed like a checkpoint: its range, where the chain enters
 * it (`firstPrevHash`) and where it leaves (`lastHash`), and the filter. Entries cut off either
 * end, or a file stitched from two exports, contradict it.
 */
export interface ExportManifest {
  format: string;
  fromSeq: number | null;
  toSeq: number | null;
  firstPrevHash: string | null;
  lastHash: string | null;
  filter: Record<string, unknown>;
  createdAt: string;
  keyId: string;
}

export const exportMessage = (m: ExportManifest): Buffer => Buffer.from(`dialoop-audit-export/v1\n${canonicalJson(m)}`, 'utf8');

export type BreakReason = 'HASH_MISMATCH' | 'BROKEN_LINK' | 'GAP' | 'CHECKPOINT_MISMATCH' | 'BAD_SIGNATURE' | 'UNANCHORED';

export interface ChainBreak {
  /** The first sequence number at which the chain does not hold. */
  seq: number;
  reason: BreakReason;
  detail: string;
}

/**
 * Walks a chain in sequence order and stops at the first break. Feed it entries (or, for entries
 * an export left out, their `bodyHash` only) and the checkpoints that fall in the range.
 */
export class ChainWalker {
  private last: { seq: number; hash: string } | undefined;
  private readonly checkpoints = new Map<number, Checkpoint>();
  /** Checkpoints whose entry the walk has reached and whose signature and hash held. */
  readonly verifiedCheckpoints: Checkpoint[] = [];
  count = 0;
  broken: ChainBreak | undefined;
  /** The first entry walked: where this stretch joins the one before it. */
  first: { seq: number; prevHash: string } | undefined;

  /** `before`: the entry just before the first one fed, when known (its hash anchors the first link). */
  constructor(
    private readonly keys: Keyring | undefined,
    before?: { seq: number; hash: string },
  ) {
    this.last = before;
  }

  get head(): { seq: number; hash: string } | undefined {
    return this.last;
  }

  addCheckpoint(c: Checkpoint): void {
    this.checkpoints.set(c.seq, c);
    // A checkpoint on the anchor itself (the walk starts after it) is checked at once.
    if (this.last && c.seq === this.last.seq) this.checkCheckpoint(c, this.last.hash);
  }

  private fail(seq: number, reason: BreakReason, detail: string): ChainBreak {
    this.broken ??= { seq, reason, detail };
    return this.broken;
  }

  private checkCheckpoint(c: Checkpoint, hash: string): ChainBreak | undefined {
    if (c.hash !== hash) return this.fail(c.seq, 'CHECKPOINT_MISMATCH', `entry ${c.seq} no longer has the hash its signed checkpoint states`);
    if (this.keys) {
      const key = this.keys.get(c.keyId);
      if (!key) return this.fail(c.seq, 'BAD_SIGNATURE', `the checkpoint at entry ${c.seq} names key ${c.keyId}, which is not among the keys given`);
      if (!checkpointSignatureValid(c, key)) return this.fail(c.seq, 'BAD_SIGNATURE', `the checkpoint at entry ${c.seq} does not verify with key ${c.keyId}`);
    }
    this.verifiedCheckpoints.push(c);
    return undefined;
  }

  /** One link: `bodyHashHex` recomputed from the entry (or given, for an entry left out). */
  step(seq: number, at: string | number, prevHash: string, storedHash: string, bodyHashHex: string): ChainBreak | undefined {
    return this.advance(seq, prevHash, storedHash, () => linkHash(prevHash, seq, at, bodyHashHex) === storedHash);
  }

  /**
   * One link whose hash was already checked against its fields (`linkHolds`): the database's
   * `sha256()` checks links during online verification, next to the rows it sends.
   */
  stepChecked(seq: number, prevHash: string, storedHash: string, linkHolds: boolean): ChainBreak | undefined {
    return this.advance(seq, prevHash, storedHash, () => linkHolds);
  }

  private advance(seq: number, prevHash: string, storedHash: string, linkHolds: () => boolean): ChainBreak | undefined {
    if (this.broken) return this.broken;
    if (this.last) {
      if (seq !== this.last.seq + 1) {
        return this.fail(this.last.seq + 1, 'GAP', `entries ${this.last.seq + 1}…${seq - 1} are missing`);
      }
      if (prevHash !== this.last.hash) {
        return this.fail(seq, 'BROKEN_LINK', `entry ${seq} does not link to entry ${this.last.seq}'s hash (one of them was altered)`);
      }
    } else if (seq === 1 && prevHash !== GENESIS_HASH) {
      return this.fail(seq, 'BROKEN_LINK', 'the first entry does not start from the genesis hash');
    }
    if (!linkHolds()) {
      return this.fail(seq, 'HASH_MISMATCH', `entry ${seq}'s contents do not match its hash (altered after it was written)`);
    }
    this.last = { seq, hash: storedHash };
    this.first ??= { seq, prevHash };
    this.count++;
    const cp = this.checkpoints.get(seq);
    return cp ? this.checkCheckpoint(cp, storedHash) : undefined;
  }

  entry(r: EntryRecord): ChainBreak | undefined {
    return this.step(r.seq, r.at, r.prevHash, r.hash, bodyHash(r));
  }
}
