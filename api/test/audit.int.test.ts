/**
 * The audit trail through its public surfaces: what writes, denials and failures leave in it;
 * that the database refuses to change it; that an edit or a deletion made behind the api's back
 * (as a superuser) is found and named; that exports verify offline with only the public key; and
 * that two api processes writing at once keep one chain.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTestDatabase, type TestDatabase } from '@dialoop/db/testing';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { verifyExport } from '../scripts/verify-audit.js';
import { SEND, codeOf, collect, gql, gqlOk, login, metric, newUser, spawnApi, startApi, startInference, waitFor, wsClient, type Proc, type TestApi } from './stack.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

const ENTRIES = `query($f: AuditFilterInput, $first: Int, $after: String) {
  auditEntries(filter: $f, first: $first, after: $after) {
    edges { cursor node { seq at action outcome actor { kind pseudonym role apiKeyId } subject { type id owner } requestId before after prevHash hash } }
    pageInfo { hasNextPage endCursor }
  }
}`;
const VERIFY = 'query($from: SafeInt, $to: SafeInt) { verifyAuditChain(from: $from, to: $to) { valid checked firstSeq lastSeq checkpointsVerified lastCheckpointSeq broken { seq reason detail } } }';

interface Entry {
  seq: number;
  action: string;
  outcome: string;
  actor: { kind: string; pseudonym: string | null; role: string | null; apiKeyId: string | null };
  subject: { type: string | null; id: string | null; owner: string | null };
  before: any;
  after: any;
}

async function entries(url: string, officer: string, f: Record<string, unknown>, first = 100): Promise<Entry[]> {
  const d = await gqlOk(url, ENTRIES, { f, first }, officer);
  return d.auditEntries.edges.map((e: { node: Entry }) => e.node);
}

/** A superuser connection to a test database (the trail's triggers bind it too, unless it disables them). */
async function superuser(url: string): Promise<pg.Client> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  return c;
}

describe('the audit trail', () => {
  let inference: Proc;
  let api: TestApi;
  let officer: string;
  let me: { token: string; id: string; email: string };
  let mePseudonym: string;

  beforeAll(async () => {
    inference = await startInference();
    // Every verification of this api runs in two worker threads, joined: tampering is found across the seam too.
    api = await startApi(inference.url, { AUDIT_VERIFY_WORKERS: '2', AUDIT_VERIFY_PARALLEL_MIN: '2' });
    officer = await login(api.url, 'compliance@demo.local');
    me = await newUser(api.url, 'USER');
    mePseudonym = (await gqlOk(api.url, '{ me { pseudonym } }', {}, me.token)).me.pseudonym;
  });
  afterAll(async () => {
    await api?.close();
    await inference?.stop();
  });

  it('records each write with its pseudonymous actor, subject and owner, and never message text', async () => {
    const secret = `the launch code is ${Date.now()}`;
    const sent = await gqlOk(api.url, SEND, { input: { content: secret, params: { maxTokens: 4 } } }, me.token);
    const ws = wsClient(api.url, me.token);
    await collect(ws, sent.sendMessage.assistantMessage.id);
    await ws.dispose();
    const [entry] = await entries(api.url, officer, { actor: mePseudonym, action: 'sendMessage' });
    expect(entry).toMatchObject({
      action: 'sendMessage',
      outcome: 'ALLOWED',
      actor: { kind: 'USER', pseudonym: mePseudonym, role: 'USER' },
      subject: { type: 'Message', id: sent.sendMessage.assistantMessage.id, owner: mePseudonym },
      after: { conversationId: sent.sendMessage.conversation.id, contentLength: secret.length },
    });
    expect(mePseudonym).toMatch(/^u_[0-9a-f]{24}$/);
    // The account id works as a filter too (turned into the pseudonym), and nothing in the trail holds the text or the id.
    const byId = await entries(api.url, officer, { actor: me.id });
    expect(byId.map((e) => e.seq)).toContain((entry as Entry).seq);
    const all = JSON.stringify(await gqlOk(api.url, ENTRIES, { first: 500 }, officer));
    expect(all).not.toContain(secret);
    expect(all).not.toContain(me.id);
    expect(all).not.toContain(me.email);
  });

  it('records sign-in success and failure, an unknown email by a pseudonym of its own', async () => {
    await login(api.url, me.email, 'password-123');
    const bad = await gql(api.url, 'mutation { login(email: "nobody@nowhere.test", password: "wrong-password") { accessToken } }');
    expect(codeOf(bad)).toBe('UNAUTHENTICATED');
    const wrong = await gql(api.url, `mutation { login(email: "${me.email}", password: "wrong-password") { accessToken } }`);
    expect(codeOf(wrong)).toBe('UNAUTHENTICATED');
    const logins = await entries(api.url, officer, { action: 'login' }, 20);
    expect(logins.find((e) => e.outcome === 'ALLOWED' && e.actor.pseudonym === mePseudonym)).toBeTruthy();
    expect(logins.find((e) => e.outcome === 'DENIED' && e.subject.id === mePseudonym)).toMatchObject({ actor: { kind: 'ANONYMOUS', pseudonym: null } });
    const unknown = logins.find((e) => e.outcome === 'DENIED' && e.subject.id?.startsWith('e_'));
    expect(unknown).toBeTruthy();
    // Exactly one entry per attempt: the service's, not a second one from the error hook.
    expect(logins.filter((e) => e.outcome === 'DENIED')).toHaveLength(2);
  });

  it('leaves a DENIED entry for a refused operation and no ALLOWED one for a failed or rolled-back mutation', async () => {
    const reviewer = await login(api.url, 'reviewer@demo.local');
    const denied = await gql(api.url, 'mutation { createUser(input: {email: "x@y.test", password: "password-123", role: ADMIN}) { id } }', {}, reviewer);
    expect(codeOf(denied)).toBe('FORBIDDEN');
    const anonymous = await gql(api.url, '{ auditEntries { edges { cursor } } }');
    expect(codeOf(anonymous)).toBe('UNAUTHENTICATED');
    const denials = await entries(api.url, officer, { outcome: 'DENIED' });
    expect(denials.find((e) => e.action === 'createUser')).toMatchObject({ actor: { kind: 'USER', role: 'REVIEWER' }, after: { code: 'FORBIDDEN' } });
    expect(denials.find((e) => e.action === 'auditEntries')).toMatchObject({ actor: { kind: 'ANONYMOUS' }, after: { code: 'UNAUTHENTICATED' } });

    // A duplicate email fails inside the transaction that would have created the account: rolled back, FAILED, no ALLOWED entry.
    const admin = await login(api.url, 'admin@demo.local');
    const before = (await entries(api.url, officer, { action: 'createUser', outcome: 'ALLOWED' }, 500)).length;
    const dup = await gql(api.url, 'mutation($e: String!) { createUser(input: {email: $e, password: "password-123", role: USER}) { id } }', { e: me.email }, admin);
    expect(codeOf(dup)).toBe('CONFLICT');
    expect((await entries(api.url, officer, { action: 'createUser', outcome: 'ALLOWED' }, 500)).length).toBe(before);
    expect((await entries(api.url, officer, { action: 'createUser', outcome: 'FAILED' }))[0]).toMatchObject({ after: { code: 'CONFLICT' }, actor: { role: 'ADMIN' } });

    // Invalid input fails before anything is written: FAILED, and the title is unchanged.
    const conv = (await gqlOk(api.url, '{ conversations(first: 1) { edges { node { id title } } } }', {}, me.token)).conversations.edges[0].node;
    const rename = await gql(api.url, 'mutation($id: ID!) { renameConversation(id: $id, title: "   ") { id } }', { id: conv.id }, me.token);
    expect(codeOf(rename)).toBe('BAD_USER_INPUT');
    const renames = await entries(api.url, officer, { action: 'renameConversation' });
    expect(renames.map((e) => e.outcome)).toEqual(['FAILED']);
  });

  it('records role changes with before and after, and reads of other people’s data', async () => {
    const admin = await login(api.url, 'admin@demo.local');
    const other = await newUser(api.url, 'USER');
    await gqlOk(api.url, 'mutation($id: ID!) { updateUser(id: $id, role: REVIEWER) { role } }', { id: other.id }, admin);
    const [change] = await entries(api.url, officer, { action: 'updateUser', subjectId: other.id });
    expect(change).toMatchObject({ before: { role: 'USER', disabled: false }, after: { role: 'REVIEWER', disabled: false }, subject: { type: 'User' } });
    expect(change!.subject.id).toMatch(/^u_/);

    const conv = (await gqlOk(api.url, '{ conversations(first: 1) { edges { node { id } } } }', {}, me.token)).conversations.edges[0].node;
    const reviewer = await login(api.url, 'reviewer@demo.local');
    await gqlOk(api.url, 'query($id: ID!) { conversation(id: $id) { id messages { id } } }', { id: conv.id }, reviewer);
    const [read] = await entries(api.url, officer, { action: 'conversation', subjectId: conv.id });
    expect(read).toMatchObject({ outcome: 'ALLOWED', actor: { role: 'REVIEWER' }, subject: { type: 'Conversation', owner: mePseudonym } });
    // Reading your own conversation is not another person's data: not recorded.
    await gqlOk(api.url, 'query($id: ID!) { conversation(id: $id) { id } }', { id: conv.id }, me.token);
    expect(await entries(api.url, officer, { action: 'conversation', actor: mePseudonym })).toHaveLength(0);
    // The officer's own reads are in the trail too.
    expect((await entries(api.url, officer, { action: 'auditEntries' }, 1))[0]).toMatchObject({ actor: { role: 'COMPLIANCE' } });
  });

  it('pages newest first with a cursor, and filters by time', async () => {
    const first = await gqlOk(api.url, ENTRIES, { first: 3 }, officer);
    const page1 = first.auditEntries.edges.map((e: any) => e.node.seq);
    expect(page1).toEqual([...page1].sort((a: number, b: number) => b - a));
    const next = await gqlOk(api.url, ENTRIES, { first: 3, after: first.auditEntries.pageInfo.endCursor }, officer);
    expect(next.auditEntries.edges[0].node.seq).toBe(page1[2] - 1);
    const future = await entries(api.url, officer, { from: new Date(Date.now() + 3_600_000).toISOString() });
    expect(future).toEqual([]);
    expect(codeOf(await gql(api.url, ENTRIES, { first: 0 }, officer))).toBe('BAD_USER_INPUT');
    expect(codeOf(await gql(api.url, ENTRIES, { after: 'not-a-seq' }, officer))).toBe('BAD_USER_INPUT');
  });

  it('is refused UPDATE, DELETE and TRUNCATE by the database, for the application’s own role', async () => {
    const db = api.server.database.prisma;
    await expect(db.$executeRawUnsafe('UPDATE "AuditEntry" SET "action" = \'x\' WHERE "seq" = 1')).rejects.toThrow(/append-only: UPDATE/);
    await expect(db.$executeRawUnsafe('DELETE FROM "AuditEntry" WHERE "seq" = 1')).rejects.toThrow(/append-only: DELETE/);
    await expect(db.$executeRawUnsafe('TRUNCATE "AuditEntry"')).rejects.toThrow(/append-only: TRUNCATE/);
    await expect(db.$executeRawUnsafe('TRUNCATE "AuditCheckpoint"')).rejects.toThrow(/append-only: TRUNCATE/);
    // The same for a role that is granted every privilege on the tables but does not own them (how
    // an api should run in production: migrations as the owner), which cannot disable the triggers either.
    const role = `dialoop_app_${Date.now()}`;
    const su = await superuser(api.db.url);
    await su.query(`CREATE ROLE ${role} LOGIN; GRANT ALL ON ALL TABLES IN SCHEMA public TO ${role}`);
    const url = new URL(api.db.url);
    url.username = role;
    const app = new pg.Client({ connectionString: url.toString() });
    await app.connect();
    try {
      await expect(app.query('UPDATE "AuditEntry" SET "action" = \'x\'')).rejects.toThrow(/append-only: UPDATE/);
      await expect(app.query('DELETE FROM "AuditEntry"')).rejects.toThrow(/append-only: DELETE/);
      await expect(app.query('TRUNCATE "AuditEntry"')).rejects.toThrow(/append-only: TRUNCATE/);
      await expect(app.query('ALTER TABLE "AuditEntry" DISABLE TRIGGER "AuditEntry_append_only"')).rejects.toThrow(/must be owner/);
      await expect(app.query(`BEGIN; SET LOCAL dialoop.audit_prune = 'on'; DELETE FROM "AuditEntry" WHERE "seq" = 1`)).rejects.toThrow(/append-only: DELETE/);
    } finally {
      await app.end();
      await su.query(`DROP OWNED BY ${role}; DROP ROLE ${role}`);
      await su.end();
    }
    // And nobody can write it through the API: no operation of the schema appends or edits entries.
    const mutations = (await gqlOk(api.url, '{ __schema { mutationType { fields { name } } } }', {}, officer)).__schema.mutationType.fields.map((f: { name: string }) => f.name);
    expect(mutations.filter((n: string) => /audit/i.test(n)).sort()).toEqual(['createAuditCheckpoint', 'exportAudit']);
    expect((await gqlOk(api.url, VERIFY, {}, officer)).verifyAuditChain).toMatchObject({ valid: true, broken: null });
  });

  it('exports verify offline with only the public key, filtered or not, JSONL and CSV; an edited export does not', async () => {
    const admin = await login(api.url, 'admin@demo.local');
    await gqlOk(api.url, 'mutation { createAuditCheckpoint { seq } }', {}, admin);
    await gqlOk(api.url, 'mutation { createApiKey(input: {name: "after the checkpoint", scopes: [chat]}) { secret } }', {}, me.token);
    const key = (await gqlOk(api.url, '{ auditPublicKey { keyId pem } }', {}, officer)).auditPublicKey;
    const dir = mkdtempSync(join(tmpdir(), 'audit-export-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    const keyFile = join(dir, 'public.pem');
    writeFileSync(keyFile, key.pem);

    const download = async (format: 'JSONL' | 'CSV', filter?: Record<string, unknown>) => {
      const d = await gqlOk(
        api.url,
        'mutation($f: AuditExportFormat!, $filter: AuditFilterInput) { exportAudit(format: $f, filter: $filter) { downloadPath fromSeq toSeq checkpoint { seq keyId } } }',
        { f: format, filter },
        officer,
      );
      const res = await fetch(api.url + d.exportAudit.downloadPath);
      expect(res.status).toBe(200);
      return { meta: d.exportAudit, text: await res.text() };
    };

    const full = await download('JSONL');
    // The export signs its last entry (after the admin's checkpoint, the new key was written).
    expect(full.meta.checkpoint).toMatchObject({ seq: full.meta.toSeq, keyId: key.keyId });
    expect(verifyExport(full.text, key.pem)).toMatchObject({ valid: true, links: 0, firstSeq: 1, lastSeq: full.meta.toSeq });

    const mine = await download('JSONL', { actor: mePseudonym });
    const r = verifyExport(mine.text, key.pem);
    expect(r).toMatchObject({ valid: true });
    expect(r.entries).toBeGreaterThan(0);
    expect(r.links).toBeGreaterThan(0);
    // What the filter left out is only a hash: no other person's pseudonym is in the file.
    const officerPseudonym = (await gqlOk(api.url, '{ me { pseudonym } }', {}, officer)).me.pseudonym;
    expect(mine.text).not.toContain(officerPseudonym);

    const csv = await download('CSV', { outcome: 'DENIED' });
    expect(csv.text.split('\n')[0]).toMatch(/^record,seq,at,/);
    expect(verifyExport(csv.text, key.pem)).toMatchObject({ valid: true });

    // The documented command, as a separate process.
    const file = join(dir, 'mine.jsonl');
    writeFileSync(file, mine.text);
    const cli = spawnSync(process.execPath, ['--import', 'tsx', 'api/scripts/verify-audit.ts', '--public-key', keyFile, file], { cwd: ROOT, encoding: 'utf8' });
    expect(cli.stdout).toMatch(/^VALID: entries \d+…\d+/);
    expect(cli.status).toBe(0);

    // Edits: an entry's field, a left-out entry's hash, a signature, a different key.
    const lines = mine.text.trimEnd().split('\n');
    const entryLines = lines.flatMap((l, i) => (l.includes('"type":"entry"') ? [i] : []));
    const at = entryLines[1]!;
    const edited = [...lines];
    edited[at] = edited[at]!.replace(/"outcome":"[A-Z]+"/, '"outcome":"DENIED"').replace(/"action":"[^"]+"/, '"action":"logout"');
    const seq = JSON.parse(lines[at]!).seq;
    expect(verifyExport(edited.join('\n'), key.pem)).toMatchObject({ valid: false, problem: expect.stringContaining(`entry ${seq}: HASH_MISMATCH`) });
    const link = lines.findIndex((l) => l.includes('"type":"link"'));
    const relinked = [...lines];
    relinked[link] = relinked[link]!.replace(/"bodyHash":"[0-9a-f]/, (m) => m.slice(0, -1) + (m.endsWith('0') ? '1' : '0'));
    expect(verifyExport(relinked.join('\n'), key.pem).valid).toBe(false);
    const cpLine = lines.findLastIndex((l) => l.includes('"type":"checkpoint"'));
    const resigned = [...lines];
    resigned[cpLine] = resigned[cpLine]!.replace(/"signature":"[A-Za-z0-9+/]/, (m) => (m.endsWith('A') ? '"signature":"B' : '"signature":"A'));
    expect(verifyExport(resigned.join('\n'), key.pem)).toMatchObject({ valid: false });
    expect(verifyExport(lines.filter((_, i) => i !== at).join('\n'), key.pem)).toMatchObject({ valid: false, problem: expect.stringContaining('GAP') });
    // Cutting entries off either end contradicts the signed header; so does editing it, or leaving it out.
    expect(verifyExport(lines.filter((_, i) => i !== entryLines[0]).join('\n'), key.pem)).toMatchObject({ valid: false, problem: expect.stringContaining('not the signed range') });
    const header = JSON.parse(lines[0]!);
    const narrowed = [JSON.stringify({ ...header, fromSeq: JSON.parse(lines[entryLines[1]!]!).seq }), ...lines.slice(1)];
    expect(verifyExport(narrowed.join('\n'), key.pem)).toMatchObject({ valid: false, problem: expect.stringContaining("header's signature") });
    expect(verifyExport(lines.slice(1).join('\n'), key.pem)).toMatchObject({ valid: false, problem: expect.stringContaining('exactly one header') });
    const otherKey = spawnSync(process.execPath, ['--import', 'tsx', 'api/scripts/verify-audit.ts', 'keygen'], { cwd: ROOT, encoding: 'utf8' }).stdout;
    const otherPublic = otherKey.slice(otherKey.indexOf('-----BEGIN PUBLIC KEY-----'));
    expect(verifyExport(mine.text, otherPublic)).toMatchObject({ valid: false, problem: expect.stringContaining("header's signature does not verify") });
    // Given the real key as well (a rotation: old and new keys), it verifies.
    expect(verifyExport(mine.text, [otherPublic, key.pem])).toMatchObject({ valid: true });
    writeFileSync(file, edited.join('\n'));
    const cliBad = spawnSync(process.execPath, ['--import', 'tsx', 'api/scripts/verify-audit.ts', '--public-key', keyFile, file], { cwd: ROOT, encoding: 'utf8' });
    expect(cliBad.status).toBe(1);
    expect(cliBad.stdout).toContain(`INVALID: entry ${seq}: HASH_MISMATCH`);

    // Each download is recorded as the officer who asked for the export, and so is each export.
    const downloads = await entries(api.url, officer, { action: 'downloadAudit' });
    expect(downloads).toHaveLength(3);
    expect(downloads[0]).toMatchObject({ actor: { role: 'COMPLIANCE', pseudonym: officerPseudonym } });
    expect(await entries(api.url, officer, { action: 'exportAudit' })).toHaveLength(3);
    // An expired or forged link is refused.
    expect((await fetch(`${api.url}/exports/audit/not-a-token`)).status).toBe(404);
    expect(readFileSync(keyFile, 'utf8')).toContain('BEGIN PUBLIC KEY');
  });

  // Last: it breaks this database's chain on purpose.
  it('names the entry a superuser edited, a forged signature, a rewritten chain at its checkpoint, and a deleted entry as a gap', async () => {
    const admin = await login(api.url, 'admin@demo.local');
    const cp = (await gqlOk(api.url, 'mutation { createAuditCheckpoint { seq } }', {}, admin)).createAuditCheckpoint.seq as number;
    const verify = async (range: { from?: number; to?: number } = {}) => (await gqlOk(api.url, VERIFY, range, officer)).verifyAuditChain;
    // Each verification is counted by result on /metrics (DialoopAuditChainBroken reads `broken`).
    const verifications = (result: string) => metric(api.url, 'dialoop_api_audit_chain_verifications_total', { result });
    const su = await superuser(api.db.url);
    try {
      const target = cp - 3;
      await su.query('ALTER TABLE "AuditEntry" DISABLE TRIGGER "AuditEntry_append_only"');
      await su.query('ALTER TABLE "AuditCheckpoint" DISABLE TRIGGER "AuditCheckpoint_append_only"');

      // 1. One field of one entry.
      const { rows: [original] } = await su.query('SELECT "outcome"::text AS outcome, "after"::text AS after FROM "AuditEntry" WHERE "seq" = $1', [target]);
      await su.query(`UPDATE "AuditEntry" SET "outcome" = 'DENIED', "after" = '{"note":"nothing happened"}' WHERE "seq" = $1`, [target]);
      const [broken0, valid0] = [await verifications('broken'), await verifications('valid')];
      expect(await verify()).toMatchObject({ valid: false, broken: { seq: target, reason: 'HASH_MISMATCH' } });
      expect(await verifications('broken')).toBe(broken0 + 1);
      expect((await verify({ to: target - 1 })).valid).toBe(true);
      expect([await verifications('broken'), await verifications('valid')]).toEqual([broken0 + 1, valid0 + 1]);
      expect((await verify({ from: target, to: target })).broken).toMatchObject({ seq: target });
      await su.query('UPDATE "AuditEntry" SET "outcome" = $2::"AuditOutcome", "after" = $3::jsonb WHERE "seq" = $1', [target, original.outcome, original.after]);
      expect(await verify()).toMatchObject({ valid: true });
      // A broken chain is never signed (signing checks what was written since the last checkpoint).
      const { rows: [head] } = await su.query('SELECT max("seq")::int AS seq FROM "AuditEntry"');
      await su.query(`UPDATE "AuditEntry" SET "actorRole" = 'ADMIN' WHERE "seq" = $1`, [head.seq]);
      const [broken1, conflicts] = [await verifications('broken'), await metric(api.url, 'dialoop_api_graphql_operations_total', { type: 'mutation', code: 'CONFLICT' })];
      expect(await gql(api.url, 'mutation { createAuditCheckpoint { seq } }', {}, admin)).toMatchObject({ errors: [{ extensions: { code: 'CONFLICT', seq: head.seq, reason: 'HASH_MISMATCH' } }] });
      // The checkpoint's own verification counts as broken, and the mutation under the code its client got.
      expect(await verifications('broken')).toBe(broken1 + 1);
      expect(await metric(api.url, 'dialoop_api_graphql_operations_total', { type: 'mutation', code: 'CONFLICT' })).toBe(conflicts + 1);
      await su.query(`UPDATE "AuditEntry" SET "actorRole" = 'COMPLIANCE' WHERE "seq" = $1`, [head.seq]);
      expect(await verify()).toMatchObject({ valid: true });

      // 2. A checkpoint's signature.
      const { rows: [checkpoint] } = await su.query('SELECT "signature" FROM "AuditCheckpoint" WHERE "seq" = $1', [cp]);
      await su.query('UPDATE "AuditCheckpoint" SET "signature" = $2 WHERE "seq" = $1', [cp, Buffer.alloc(64, 7).toString('base64')]);
      expect(await verify()).toMatchObject({ valid: false, broken: { seq: cp, reason: 'BAD_SIGNATURE' } });
      await su.query('UPDATE "AuditCheckpoint" SET "signature" = $2 WHERE "seq" = $1', [cp, checkpoint.signature]);

      // 3. A careful forger edits an entry and recomputes its hash and every later one: only the signature tells.
      const { bodyHash, linkHash } = await import('../src/modules/audit/chain.js');
      const { recordOf } = await import('../src/modules/audit/audit.service.js');
      await su.query(`UPDATE "AuditEntry" SET "outcome" = 'DENIED' WHERE "seq" = $1`, [target]);
      const { rows } = await su.query(
        `SELECT "seq", "at", "actorKind"::text AS "actorKind", "actorPseudonym", "actorRole", "apiKeyId", "action", "subjectType", "subjectId",
                "subjectOwner", "outcome"::text AS "outcome", "requestId", "clientIp", "userAgent", "before", "after", "bodyHash", "prevHash", "hash"
         FROM "AuditEntry" WHERE "seq" >= $1 ORDER BY "seq"`,
        [target],
      );
      let prev = rows[0].prevHash as string;
      for (const row of rows) {
        const r = recordOf({ ...row, seq: BigInt(row.seq) });
        const body = bodyHash(r);
        const hash = linkHash(prev, r.seq, r.at, body);
        await su.query('UPDATE "AuditEntry" SET "prevHash" = $2, "hash" = $3, "bodyHash" = $4 WHERE "seq" = $1', [row.seq, prev, hash, body]);
        prev = hash;
      }
      expect(await verify()).toMatchObject({ valid: false, broken: { seq: cp, reason: 'CHECKPOINT_MISMATCH' } });

      // 4. A deleted entry: a gap, named by its sequence number.
      await su.query('DELETE FROM "AuditEntry" WHERE "seq" = $1', [target - 2]);
      expect(await verify({ to: target - 1 })).toMatchObject({ valid: false, broken: { seq: target - 2, reason: 'GAP' } });

      // 5. The oldest entries deleted through the retention exception, but not by the retention job (which records where it stopped).
      await api.server.database.prisma.$transaction(async (tx) => {
        await tx.$executeRaw`SELECT set_config('dialoop.audit_prune', 'on', true)`;
        await tx.$executeRaw`DELETE FROM "AuditEntry" WHERE "seq" < 3`;
      });
      expect(await verify({ to: 5 })).toMatchObject({ valid: false, broken: { seq: 3, reason: 'UNANCHORED' } });
    } finally {
      await su.query('ALTER TABLE "AuditEntry" ENABLE TRIGGER "AuditEntry_append_only"').catch(() => undefined);
      await su.query('ALTER TABLE "AuditCheckpoint" ENABLE TRIGGER "AuditCheckpoint_append_only"').catch(() => undefined);
      await su.end();
    }
  });
});

describe('the audit trail under concurrency and retention', () => {
  let db: TestDatabase;
  let inference: Proc;
  const procs: Proc[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    inference = await startInference();
  });
  afterAll(async () => {
    await Promise.all(procs.map((p) => p.stop()));
    await inference?.stop();
    await db?.drop();
  });

  it('keeps one chain when two api processes each write 1,000 audited changes at once', async () => {
    const env = { DATABASE_URL: db.url, INFERENCE_URL: inference.url };
    procs.push(await spawnApi(env));
    procs.push(await spawnApi(env));
    const [a, b] = procs as [Proc, Proc];
    const token = await login(a.url, 'user@demo.local');
    const writes = async (url: string, n: number, inFlight = 16) => {
      let next = 0;
      const worker = async () => {
        while (next < n) {
          const i = next++;
          await gqlOk(url, 'mutation($n: String!) { createApiKey(input: {name: $n, scopes: [chat]}) { apiKey { id } } }', { n: `k${i}` }, token);
        }
      };
      await Promise.all(Array.from({ length: inFlight }, worker));
    };
    const before = await gqlOk(a.url, VERIFY, {}, await login(a.url, 'compliance@demo.local'));
    await Promise.all([writes(a.url, 1000), writes(b.url, 1000)]);
    const officer = await login(b.url, 'compliance@demo.local');
    const v = (await gqlOk(b.url, VERIFY, {}, officer)).verifyAuditChain;
    expect(v).toMatchObject({ valid: true, broken: null, firstSeq: 1 });
    const su = await superuser(db.url);
    try {
      const { rows } = await su.query(
        `SELECT count(*)::int AS n, count(DISTINCT "seq")::int AS distinct_seq, min("seq")::int AS lo, max("seq")::int AS hi,
                count(*) FILTER (WHERE "action" = 'createApiKey')::int AS keys FROM "AuditEntry"`,
      );
      expect(rows[0].keys).toBe(2000);
      expect(rows[0].distinct_seq).toBe(rows[0].n);
      expect(rows[0].hi - rows[0].lo + 1).toBe(rows[0].n);
      expect(v.checked).toBe(rows[0].n - 1); // the verification itself was recorded after it ran
    } finally {
      await su.end();
    }
    expect(before.verifyAuditChain.valid).toBe(true);
  }, 180_000); // 2,000 audited writes through two processes: about 30 s here, several times that on a loaded machine

  it('keeps verifying after the signing key is rotated, given the earlier public key', async () => {
    const [a] = procs as [Proc, Proc];
    const admin = await login(a.url, 'admin@demo.local');
    await gqlOk(a.url, 'mutation { createAuditCheckpoint { seq } }', {}, admin);
    const oldKey = (await gqlOk(a.url, '{ auditPublicKey { pem } }', {}, await login(a.url, 'compliance@demo.local'))).auditPublicKey.pem as string;
    await Promise.all(procs.splice(0).map((p) => p.stop()));
    const env = { DATABASE_URL: db.url, INFERENCE_URL: inference.url, AUDIT_SIGNING_KEY: '6b'.repeat(32) };
    // Without the earlier key, the old checkpoints cannot be checked: signing refuses, verification names the checkpoint.
    const lost = await spawnApi(env);
    procs.push(lost);
    const v = (await gqlOk(lost.url, VERIFY, {}, await login(lost.url, 'compliance@demo.local'))).verifyAuditChain;
    expect(v).toMatchObject({ valid: false, broken: { reason: 'BAD_SIGNATURE', detail: expect.stringContaining('not among the keys') } });
    expect(codeOf(await gql(lost.url, 'mutation { createAuditCheckpoint { seq } }', {}, await login(lost.url, 'admin@demo.local')))).toBe('CONFLICT');
    await Promise.all(procs.splice(0).map((p) => p.stop()));
    const rotated = await spawnApi({ ...env, AUDIT_PREVIOUS_PUBLIC_KEYS: oldKey });
    procs.push(rotated);
    expect((await gqlOk(rotated.url, 'mutation { createAuditCheckpoint { keyId } }', {}, await login(rotated.url, 'admin@demo.local'))).createAuditCheckpoint.keyId).not.toBe(
      (await gqlOk(rotated.url, '{ auditCheckpoints(first: 2) { keyId } }', {}, await login(rotated.url, 'compliance@demo.local'))).auditCheckpoints[1].keyId,
    );
    const after = (await gqlOk(rotated.url, VERIFY, {}, await login(rotated.url, 'compliance@demo.local'))).verifyAuditChain;
    expect(after).toMatchObject({ valid: true, broken: null });
    expect(after.checkpointsVerified).toBeGreaterThanOrEqual(2);
  });

  it('prunes its own expired entries behind a signed checkpoint, and still verifies', async () => {
    // Retention measured in seconds here (days may be fractional): conversations 1.7 s, the trail 2.6 s.
    const api: TestApi = await startApi(inference.url, { CONVERSATION_RETENTION_DAYS: '0.00002', AUDIT_RETENTION_DAYS: '0.00003', RETENTION_SWEEP_INTERVAL_S: '1' });
    try {
      const officer = await login(api.url, 'compliance@demo.local');
      await waitFor(async () => (await gqlOk(api.url, VERIFY, {}, officer)).verifyAuditChain.firstSeq > 1, 20_000, 'old entries to be pruned');
      const v = (await gqlOk(api.url, VERIFY, {}, officer)).verifyAuditChain;
      expect(v).toMatchObject({ valid: true, broken: null });
      expect(v.checkpointsVerified).toBeGreaterThan(0);
      const [prune] = await entries(api.url, officer, { action: 'retention.pruneAudit' }, 1);
      expect(prune).toMatchObject({ actor: { kind: 'SERVICE', pseudonym: 'service:retention' }, after: { firstKept: v.firstSeq } });
      // The database still refuses a DELETE outside the retention job.
      await expect(api.server.database.prisma.$executeRawUnsafe(`DELETE FROM "AuditEntry" WHERE "seq" = ${v.firstSeq}`)).rejects.toThrow(/append-only/);
    } finally {
      await api.close();
    }
  });
});
